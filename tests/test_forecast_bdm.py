"""The expected-utility model against the reconstruction's run of the EC emission-standards
case, and on the inputs that could break it (shared positions, zero salience, several
dimensions, scale bounds)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bilateral.errors import ForecastError, ScenarioError
from bilateral.forecast.baselines import baselines
from bilateral.forecast.bdm import median_voter, run_bdm
from bilateral.forecast.files import read_bdm_table
from bilateral.forecast.scenario import Actor, Dimension, ModelRun, Scenario

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "forecasting-data" / "bdm"
EC = DATA / "ExampleActors_dmasad.csv"
SULTAN = DATA / "Sultan_bdm1997.csv"

# The EC 1994 case: years until emission standards for medium-sized cars apply.
EC_SCALE = Dimension("years until the standards apply", 4.0, 10.0)

# An open implementation's run of the reconstruction, rounds 1–8 with Q = 1 (Scholz et al.
# 2011, Table 2, publish the medians rounded down: 8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6).
EC_MEDIANS = [8.416, 9.611, 9.962, 9.962, 9.962, 7.472, 8.825, 9.671]
EC_MEANS = [7.461, 7.553, 7.590, 7.358, 7.349, 7.415, 7.511, 7.572]


def read_table(path: Path, dimension: Dimension) -> Scenario:
    """The reader's scenario on the scale the test gives it (the table states no bounds)."""
    return replace(read_bdm_table(path), dimensions=(dimension,))


@pytest.fixture(scope="module")
def ec() -> Scenario:
    assert EC.is_file(), f"reference data missing: {EC} (clone ../shared beside the repo)"
    return read_table(EC, EC_SCALE)


@pytest.fixture(scope="module")
def sultan() -> Scenario:
    assert SULTAN.is_file(), f"reference data missing: {SULTAN}"
    return read_table(SULTAN, Dimension("position"))


ZERO_TO_TEN = Dimension("x", 0.0, 10.0)


def scenario(rows: list[tuple[str, float, float, float]],
             dimension: Dimension = ZERO_TO_TEN) -> Scenario:
    """A one-dimension scenario from (name, capability, position, salience) rows."""
    return Scenario("test", (dimension,),
                    tuple(Actor(n, c, (x,), (s,)) for n, c, x, s in rows))


def positions(run: ModelRun, d: int = 0) -> list[list[float]]:
    return [[r.positions[name][d] for name in run.scenario.names] for r in run.rounds]


# The reference run --------------------------------------------------------------------------

def test_ec_case_reproduces_the_reconstruction_round_by_round(ec: Scenario) -> None:
    run = run_bdm(ec, rounds=8, q=1.0)
    assert run.model == "bdm"
    assert [r.number for r in run.rounds] == list(range(9))
    assert [r.median[0] for r in run.rounds[1:]] == pytest.approx(EC_MEDIANS, abs=0.05)
    assert [r.mean[0] for r in run.rounds[1:]] == pytest.approx(EC_MEANS, abs=0.05)
    assert run.forecast == run.rounds[-1].median
    assert run.forecast[0] == pytest.approx(9.671, abs=0.05)


def test_ec_round_zero_holds_the_inputs_and_matches_the_baselines(ec: Scenario) -> None:
    run = run_bdm(ec, rounds=8)
    first = run.rounds[0]
    assert first.positions == {a.name: a.positions for a in ec.actors}
    assert first.median == (7.0,)
    assert round(first.mean[0], 3) == 7.390
    base = baselines(ec)
    assert round(base.weighted_mean[0], 3) == 7.390
    assert base.weighted_median == (7.0,)
    assert round(base.capability_mean[0], 3) == 7.475


def test_ec_first_round_offers_and_risk_attitudes(ec: Scenario) -> None:
    """Who moves towards whom in round 1, as the reconstruction has it, and why."""
    run = run_bdm(ec, rounds=1)
    detail = run.details["dimensions"][0]["rounds"][0]
    moves = {m["actor"]: m for m in detail["moves"]}
    assert set(moves) == {"Belgium", "Luxembourg", "Ireland"}
    belgium = moves["Belgium"]
    assert (belgium["kind"], belgium["towards"]) == ("compromise", "France")
    assert belgium["own_eu"] < 0 < belgium["challenger_eu"]
    share = abs(belgium["own_eu"] / belgium["challenger_eu"])
    assert belgium["to"] == pytest.approx(7.0 + share * (10.0 - 7.0))
    assert belgium["to"] == pytest.approx(8.416, abs=0.001)
    assert (moves["Luxembourg"]["kind"], moves["Luxembourg"]["towards"],
            moves["Luxembourg"]["to"]) == ("confrontation", "Belgium", 7.0)
    assert (moves["Ireland"]["kind"], moves["Ireland"]["towards"],
            moves["Ireland"]["to"]) == ("confrontation", "Luxembourg", 4.0)
    # r = (1 − R/3)/(1 + R/3) with R spread over [−1, 1]: the most secure actor is at 2,
    # the most exposed at 1/2.
    risk = detail["risk"]
    assert max(risk.values()) == pytest.approx(2.0)
    assert min(risk.values()) == pytest.approx(0.5)
    for name, r in risk.items():
        big_r = detail["risk_acceptance"][name]
        assert r == pytest.approx((1 - big_r / 3) / (1 + big_r / 3))
    json.dumps(run.details)  # plain values an analyst can store


def test_ec_compromise_rule_of_round_four(ec: Scenario) -> None:
    """Round 4: Belgium, offered compromises from both sides, takes the one whose meeting
    point is lowest on the scale (towards the Netherlands), as the reconstruction does."""
    run = run_bdm(ec, rounds=4)
    moves = {m["actor"]: m for m in run.details["dimensions"][0]["rounds"][3]["moves"]}
    assert (moves["Belgium"]["kind"], moves["Belgium"]["towards"]) == (
        "compromise", "Netherlands")
    assert moves["Belgium"]["to"] == pytest.approx(4.801, abs=0.001)


def test_same_input_same_output(ec: Scenario, sultan: Scenario) -> None:
    for s in (ec, sultan):
        assert run_bdm(s, rounds=8) == run_bdm(s, rounds=8)


# Stopping -----------------------------------------------------------------------------------

def test_rounds_none_stops_when_positions_settle() -> None:
    s = scenario([("A", 1.0, 2.0, 0.9), ("B", 0.2, 8.0, 0.2)])
    run = run_bdm(s)
    played = run.details["rounds_played"]
    assert run.details["stopped"] == "converged" and run.details["converged"] is True
    assert 1 < played < 100
    assert len(run.rounds) == played + 1
    last, before = positions(run)[-1], positions(run)[-2]
    assert max(abs(a - b) for a, b in zip(last, before, strict=True)) <= 1e-6 * 10
    earlier, previous = positions(run)[-2], positions(run)[-3]
    assert max(abs(a - b) for a, b in zip(earlier, previous, strict=True)) > 1e-6 * 10
    # a looser tolerance stops sooner
    assert run_bdm(s, tolerance=1e-2).details["rounds_played"] < played


def test_rounds_none_stops_when_the_positions_repeat_an_earlier_round(sultan: Scenario
                                                                     ) -> None:
    run = run_bdm(sultan)
    assert run.details["stopped"] == "cycle"
    cycle = run.details["dimensions"][0]["cycle"]
    assert cycle is not None and cycle >= 2
    last = run.rounds[-1].positions
    assert last == run.rounds[-1 - cycle].positions  # the state came round again
    longer = run_bdm(sultan, rounds=len(run.rounds) - 1 + cycle)
    assert longer.rounds[-1].positions == last  # and would keep coming round


def test_rounds_none_stops_at_max_rounds_when_positions_keep_moving(ec: Scenario) -> None:
    run = run_bdm(ec, max_rounds=12)
    assert run.details["rounds_played"] == 12
    assert len(run.rounds) == 13
    assert run.details["stopped"] == "max_rounds" and run.details["converged"] is False


def test_rounds_zero_returns_the_inputs(ec: Scenario) -> None:
    run = run_bdm(ec, rounds=0)
    assert len(run.rounds) == 1
    assert run.forecast == (7.0,)


def test_bad_arguments_raise_forecast_errors(ec: Scenario) -> None:
    for kwargs in ({"q": 1.5}, {"q": -0.1}, {"rounds": -1}, {"max_rounds": 0},
                   {"tolerance": -1.0}):
        with pytest.raises(ForecastError):
            run_bdm(ec, **kwargs)


def test_salience_above_one_names_the_row_and_field(ec: Scenario) -> None:
    actors = list(ec.actors)
    actors[2] = replace(actors[2], saliences=(20.0,))
    bad = replace(ec, actors=tuple(actors))
    with pytest.raises(ScenarioError, match=r"row 4, field salience .*'Luxembourg'"):
        run_bdm(bad, rounds=1)


# Inputs that could break it -----------------------------------------------------------------

def test_two_actors_at_the_same_position_make_no_offers() -> None:
    for dim in (Dimension("x", 0.0, 10.0), Dimension("x")):
        run = run_bdm(scenario([("A", 1.0, 5.0, 0.5), ("B", 0.5, 5.0, 0.9)], dim), rounds=3)
        for detail in run.details["dimensions"][0]["rounds"]:
            assert detail["offers_received"] == {"A": 0, "B": 0}
            assert detail["moves"] == []
        assert positions(run) == [[5.0, 5.0]] * 4
        assert run.forecast == (5.0,)


def test_actors_sharing_a_position_among_others() -> None:
    s = scenario([("A", 1.0, 5.0, 0.5), ("B", 0.5, 5.0, 0.9), ("C", 0.8, 9.0, 0.7)])
    run = run_bdm(s, rounds=5)
    shared = 0
    for before, detail in zip(run.rounds, run.details["dimensions"][0]["rounds"],
                              strict=False):
        if before.positions["A"] != before.positions["B"]:
            continue
        shared += 1
        for move in detail["moves"]:
            assert {move["actor"], move["towards"]} != {"A", "B"}
    assert shared >= 1
    assert all(0.0 <= x <= 10.0 for row in positions(run) for x in row)


def test_an_actor_without_salience_does_not_break_it(ec: Scenario) -> None:
    actors = tuple(replace(a, saliences=(0.0,)) if a.name == "Greece" else a
                   for a in ec.actors)
    run = run_bdm(replace(ec, actors=actors), rounds=8)
    assert len(run.rounds) == 9
    assert all(4.0 <= x <= 10.0 for row in positions(run) for x in row)
    # nobody's salience: no votes anywhere, and still no division by zero
    silent = replace(ec, actors=tuple(replace(a, saliences=(0.0,)) for a in ec.actors))
    run = run_bdm(silent, rounds=3)
    assert all(4.0 <= x <= 10.0 for row in positions(run) for x in row)


def test_positions_stay_within_the_scale_bounds(ec: Scenario, sultan: Scenario) -> None:
    run = run_bdm(ec, rounds=30)
    assert all(4.0 <= x <= 10.0 for row in positions(run) for x in row)
    assert all(4.0 <= r.median[0] <= 10.0 for r in run.rounds)
    wide = replace(sultan, dimensions=(Dimension("position", 12.0, 15.0),))
    run = run_bdm(wide, rounds=30)
    assert run.details["dimensions"][0]["scale"] == [12.0, 15.0]
    assert all(12.0 <= x <= 15.0 for row in positions(run) for x in row)


def test_scale_without_bounds_is_the_span_of_the_inputs(sultan: Scenario) -> None:
    run = run_bdm(sultan, rounds=1)
    assert run.details["dimensions"][0]["scale"] == [12.85, 14.25]


def test_sultan_table_runs_within_its_input_range(sultan: Scenario) -> None:
    run = run_bdm(sultan, rounds=8)
    xs = [a.positions[0] for a in sultan.actors]
    assert len(run.rounds) == 9
    assert any(row != positions(run)[0] for row in positions(run)[1:])  # someone moves
    for row in positions(run):
        assert all(min(xs) <= x <= max(xs) for x in row)
    assert min(xs) <= run.forecast[0] <= max(xs)
    assert run_bdm(sultan, rounds=8) == run


def test_status_quo_probability_changes_the_expected_utilities(ec: Scenario) -> None:
    sure, unsure = run_bdm(ec, rounds=1, q=1.0), run_bdm(ec, rounds=1, q=0.5)
    eus = [[(m["own_eu"], m["challenger_eu"])
            for m in run.details["dimensions"][0]["rounds"][0]["moves"]]
           for run in (sure, unsure)]
    assert eus[0] != eus[1]
    assert unsure.details["q"] == 0.5


# Several dimensions -------------------------------------------------------------------------

def three_dimensions(ec: Scenario) -> Scenario:
    """The EC table, its mirror image and a dimension on which everyone already agrees."""
    dims = (EC_SCALE, Dimension("mirrored", 4.0, 10.0), Dimension("agreed", 0.0, 1.0))
    actors = tuple(
        replace(a, positions=(a.positions[0], 14.0 - a.positions[0], 0.5),
                saliences=(a.saliences[0], a.saliences[0], 0.3))
        for a in ec.actors)
    return replace(ec, name="three", dimensions=dims, actors=actors)


def test_three_dimensions_run_one_by_one(ec: Scenario) -> None:
    three = three_dimensions(ec)
    run = run_bdm(three, rounds=8)
    assert len(run.rounds) == 9
    for d in range(3):
        alone = run_bdm(three.on(d), rounds=8)
        assert positions(run, d) == positions(alone)
        assert [r.median[d] for r in run.rounds] == [r.median[0] for r in alone.rounds]
        assert [r.mean[d] for r in run.rounds] == [r.mean[0] for r in alone.rounds]
        assert run.forecast[d] == alone.forecast[0]
    assert [r.median[0] for r in run.rounds[1:]] == pytest.approx(EC_MEDIANS, abs=0.05)
    assert [d["dimension"] for d in run.details["dimensions"]] == [
        "years until the standards apply", "mirrored", "agreed"]


def test_dimensions_that_settle_early_keep_their_last_positions(ec: Scenario) -> None:
    run = run_bdm(three_dimensions(ec), max_rounds=6)
    played = [d["rounds_played"] for d in run.details["dimensions"]]
    assert played[0] == 6 and played[2] == 1
    assert len(run.rounds) == 7 and run.details["rounds_played"] == 6
    assert all(r.positions[name][2] == 0.5 for r in run.rounds for name in ec.names)
    assert run.details["stopped"] == "max_rounds"


# The median voter ---------------------------------------------------------------------------

def test_median_voter_is_the_pairwise_winner() -> None:
    # 4 holds 0.45 of the votes, 6 holds 0.1, 10 holds 0.45: 6 beats both extremes.
    assert median_voter([4.0, 6.0, 10.0], [0.45, 0.1, 0.45]) == 6.0
    # an exact tie between 4 and 10 goes to the lower position
    assert median_voter([4.0, 10.0], [0.5, 0.5]) == 4.0
    # no votes at all: every actor counts once
    assert median_voter([1.0, 2.0, 9.0], [0.0, 0.0, 0.0]) == 2.0
