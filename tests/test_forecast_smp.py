"""KTAB's Spatial Model of Politics against KTAB's own reference runs, and on small hand-written
scenarios for the cases the references do not reach (one dimension, identical positions)."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from bilateral.errors import ForecastError, ScenarioError
from bilateral.forecast.files import read_ktab_csv
from bilateral.forecast.scenario import Actor, Dimension, ModelRun, Scenario
from bilateral.forecast.smp import run_smp

ROOT = Path(__file__).resolve().parents[1]
KTAB = ROOT.parent / "shared" / "forecasting-data" / "ktab"
REFERENCES = ("dummyData_3Dim", "SOE-Pol-Comp")

# The reference histories print positions to 0.1 and probabilities to 0.0001: a run that
# reproduces KTAB's arithmetic lands within half a printed digit of every value.
POSITION_TOLERANCE = 0.05 + 1e-9
PROBABILITY_TOLERANCE = 0.00005 + 1e-9


def _table(name: str) -> list[dict[str, str]]:
    path = KTAB / name
    assert path.is_file(), f"reference data missing: {path} (clone ../shared beside the repo)"
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _turns(row: dict[str, str]) -> list[float]:
    return [float(row[f"turn{t}"]) for t in range(sum(k.startswith("turn") for k in row))]


_RUNS: dict[str, ModelRun] = {}


def _reference_run(stem: str) -> ModelRun:
    if stem not in _RUNS:
        _RUNS[stem] = run_smp(read_ktab_csv(KTAB / f"{stem}.csv"))
    return _RUNS[stem]


def _scenario(*actors: tuple[str, float, tuple[float, ...], tuple[float, ...]],
              dims: int = 1) -> Scenario:
    return Scenario("test", tuple(Dimension(f"d{d}", 0.0, 100.0) for d in range(dims)),
                    tuple(Actor(n, c, p, s) for n, c, p, s in actors))


# ------------------------------------------------------------------------------------------
# The reader


@pytest.mark.parametrize("stem", REFERENCES)
def test_reader_takes_dimensions_from_the_header_and_positions_as_given(stem: str) -> None:
    scenario = read_ktab_csv(KTAB / f"{stem}.csv")
    reference = _table(f"ref_20170530_{stem}_positions_by_turn.csv")
    names = list(dict.fromkeys(r["dimension"] for r in reference))
    assert [d.name for d in scenario.dimensions] == names
    assert all((d.low, d.high) == (0.0, 100.0) for d in scenario.dimensions)
    assert list(scenario.names) == list(dict.fromkeys(r["actor"] for r in reference))
    for row in reference:
        actor = scenario.actors[scenario.names.index(row["actor"])]
        given = actor.positions[names.index(row["dimension"])]
        assert abs(given - _turns(row)[0]) <= POSITION_TOLERANCE
    assert all(a.capability > 0 and len(a.saliences) == len(names) for a in scenario.actors)


def test_reader_names_file_row_and_field_of_a_bad_value(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("Bad,a test,2,1,\nActor,Description,Power,Pstn1,Sal1,\n"
                    "A,first,10,40,50,\nB,second,ten,60,50,\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        read_ktab_csv(path)
    assert "bad.csv, row 4, field Power" in str(caught.value)
    assert "'ten'" in str(caught.value)


def test_reader_checks_the_actor_count(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("Short,a test,3,1\nActor,Description,Power,Pstn1,Sal1\n"
                    "A,first,10,40,50\nB,second,20,60,50\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="field number of actors: says 3, but the file has 2"):
        read_ktab_csv(path)


def test_reader_rejects_a_position_off_the_scale(tmp_path: Path) -> None:
    path = tmp_path / "off.csv"
    path.write_text("Off,a test,2,1,\nActor,Description,Power,Pstn1,Sal1,\n"
                    "A,first,10,40,50,\nB,second,20,160,50,\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"off\.csv, row 4, field Pstn1: 160 is out of range"):
        read_ktab_csv(path)


# ------------------------------------------------------------------------------------------
# KTAB's reference runs


@pytest.mark.parametrize("stem", REFERENCES)
def test_reproduces_every_position_of_the_reference_history(stem: str) -> None:
    run = _reference_run(stem)
    reference = _table(f"ref_20170530_{stem}_positions_by_turn.csv")
    dims = [d.name for d in run.scenario.dimensions]
    # KTAB's own stopping rule ends the run on the reference's last turn
    assert len(run.rounds) == len(_turns(reference[0]))
    assert run.details["stopped_by"] == "rule"
    off = []
    for row in reference:
        d = dims.index(row["dimension"])
        for t, expected in enumerate(_turns(row)):
            got = run.rounds[t].positions[row["actor"]][d]
            if abs(got - expected) > POSITION_TOLERANCE:
                off.append((row["actor"], row["dimension"], t, expected, round(got, 3)))
    assert off == []


@pytest.mark.parametrize("stem", REFERENCES)
def test_reproduces_the_reference_win_probabilities(stem: str) -> None:
    run = _reference_run(stem)
    history = run.details["win_probabilities"]
    assert isinstance(history, list)
    off = []
    for row in _table(f"ref_20170530_{stem}_winprob_by_turn.csv"):
        expected = _turns(row)
        assert len(expected) == len(history)
        for t, p in enumerate(expected):
            if abs(history[t][row["actor"]] - p) > PROBABILITY_TOLERANCE:
                off.append((row["actor"], t, p, history[t][row["actor"]]))
    assert off == []


def test_forecast_is_the_weighted_mean_of_the_final_positions() -> None:
    run = _reference_run("SOE-Pol-Comp")
    assert run.model == "smp"
    assert run.forecast == run.rounds[-1].mean
    assert run.rounds[0].positions == {a.name: a.positions for a in run.scenario.actors}


def test_details_are_json_and_describe_every_turn() -> None:
    run = _reference_run("dummyData_3Dim")
    details = json.loads(json.dumps(run.details))
    turns = len(run.rounds) - 1
    assert details["turns"] == turns
    assert len(details["win_probabilities"]) == len(details["risk_attitudes"]) == turns + 1
    assert len(details["bargains"]) == len(details["choices"]) == turns
    names = set(run.scenario.names)
    for proposed in details["bargains"]:
        assert all(b["initiator"] in names and b["target"] in names for b in proposed)
        assert all(b["initiator"] != b["target"] and b["expected_gain"] > 0 for b in proposed)
    # risk attitudes run from -1/2 (least likely position) to +1 (likeliest)
    for risk in details["risk_attitudes"]:
        assert min(risk.values()) == pytest.approx(-0.5)
        assert max(risk.values()) == pytest.approx(1.0)
    for choice, after, before in zip(details["choices"], run.rounds[1:], run.rounds[:-1],
                                     strict=True):
        for c in choice:
            if c["took"] == "status quo":
                assert after.positions[c["actor"]] == before.positions[c["actor"]]


# ------------------------------------------------------------------------------------------
# Turns, seeds and options


def test_turns_plays_exactly_that_many_and_max_turns_caps_the_rule() -> None:
    scenario = read_ktab_csv(KTAB / "SOE-Pol-Comp.csv")
    full = _reference_run("SOE-Pol-Comp")
    three = run_smp(scenario, turns=3)
    assert len(three.rounds) == 4 and three.details["stopped_by"] == "turns"
    assert [r.positions for r in three.rounds] == [r.positions for r in full.rounds[:4]]
    assert len(run_smp(scenario, turns=0).rounds) == 1
    longer = run_smp(scenario, turns=len(full.rounds) + 2)
    assert len(longer.rounds) == len(full.rounds) + 3
    capped = run_smp(scenario, max_turns=5)
    assert len(capped.rounds) == 6 and capped.details["stopped_by"] == "max_turns"


def test_same_seed_same_output() -> None:
    scenario = read_ktab_csv(KTAB / "dummyData_3Dim.csv")
    one = run_smp(scenario, seed=11, transitions="stochastic", pce="markov_incentive")
    two = run_smp(scenario, seed=11, transitions="stochastic", pce="markov_incentive")
    assert one.rounds == two.rounds and one.details == two.details
    assert one.forecast == two.forecast
    # KTAB's default transitions are deterministic: the seed changes nothing
    assert run_smp(scenario, seed=1).rounds == run_smp(scenario, seed=2).rounds


def test_unknown_options_are_refused() -> None:
    scenario = _scenario(("A", 1.0, (10.0,), (50.0,)), ("B", 1.0, (90.0,), (50.0,)))
    with pytest.raises(ForecastError, match="voting rule"):
        run_smp(scenario, voting_rule="majority")
    with pytest.raises(ForecastError, match="turns"):
        run_smp(scenario, turns=-1)


def test_saliences_adding_up_to_more_than_100_are_refused() -> None:
    scenario = Scenario("test", (Dimension("a", 0, 100), Dimension("b", 0, 100)),
                        (Actor("A", 1.0, (10.0, 20.0), (70.0, 40.0)),
                         Actor("B", 1.0, (90.0, 80.0), (50.0, 50.0))),
                        source="two.csv", rows={"A": 3, "B": 4})
    with pytest.raises(ScenarioError, match=r"two\.csv, row 3, field salience: 'A'"):
        run_smp(scenario)


# ------------------------------------------------------------------------------------------
# Small scenarios


def test_one_dimension() -> None:
    scenario = _scenario(("Hawk", 100.0, (90.0,), (80.0,)), ("Dove", 60.0, (10.0,), (60.0,)),
                         ("Broker", 80.0, (50.0,), (40.0,)), ("Ally", 40.0, (75.0,), (70.0,)))
    run = run_smp(scenario)
    assert run.details["stopped_by"] == "rule"
    assert 3 <= len(run.rounds) <= 101
    for r in run.rounds:
        assert all(0.0 <= x <= 100.0 for (x,) in r.positions.values())
    assert run.rounds[-1].positions != run.rounds[0].positions  # someone bargained
    assert run.forecast == run.rounds[-1].mean and len(run.forecast) == 1
    # one dimension of a reference scenario runs too, and stays within its bounds
    single = run_smp(read_ktab_csv(KTAB / "SOE-Pol-Comp.csv").on(0))
    assert all(0.0 <= p[0] <= 100.0 for p in single.rounds[-1].positions.values())


def test_identical_positions_do_not_divide_by_zero() -> None:
    twins = _scenario(("A", 10.0, (40.0, 60.0), (30.0, 30.0)),
                      ("B", 20.0, (40.0, 60.0), (50.0, 20.0)), dims=2)
    run = run_smp(twins)
    assert all(r.positions == run.rounds[0].positions for r in run.rounds)
    assert run.details["win_probabilities"][0] == {"A": 1.0, "B": 1.0}
    assert run.details["risk_attitudes"][0] == {"A": 0.0, "B": 0.0}
    assert run.details["stopped_by"] == "rule"

    trio = _scenario(("A", 10.0, (40.0,), (30.0,)), ("B", 20.0, (40.0,), (50.0,)),
                     ("C", 30.0, (80.0,), (60.0,)))
    run = run_smp(trio)
    for r in run.rounds:
        assert all(math.isfinite(x) for p in r.positions.values() for x in p)
    for probs in run.details["win_probabilities"]:
        assert all(math.isfinite(p) and 0.0 <= p <= 1.0 for p in probs.values())


def test_an_actor_without_salience_or_capability_does_not_break_the_run() -> None:
    scenario = _scenario(("A", 10.0, (20.0,), (0.0,)), ("B", 0.0, (60.0,), (50.0,)),
                         ("C", 30.0, (80.0,), (60.0,)))
    run = run_smp(scenario)
    assert all(math.isfinite(x) for r in run.rounds for p in r.positions.values() for x in p)


def test_saliences_as_fractions_or_percentages_give_the_same_run() -> None:
    fraction = read_ktab_csv(KTAB / "SOE-Pol-Comp.csv")  # the reader gives shares of 1
    percent = replace(fraction, actors=tuple(
        replace(a, saliences=tuple(s * 100 for s in a.saliences)) for a in fraction.actors))
    one, two = run_smp(percent), run_smp(fraction)
    assert [r.positions for r in one.rounds] == [r.positions for r in two.rounds]
    assert one.details["salience_scale"] == 100 and two.details["salience_scale"] == 1
