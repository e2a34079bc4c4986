"""One entry point for every model: the published JSON shape, the baselines beside the
forecast, Monte Carlo intervals over uncertain inputs, and the forecast command on files. The
reference tables are read from ../shared/forecasting-data (never copied here)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, app
from bilateral.errors import ForecastError
from bilateral.forecast.files import read_bdm_table, read_decide, read_ktab_csv
from bilateral.forecast.models import forecast
from bilateral.forecast.montecarlo import Spread, band, draw, relative_spreads
from bilateral.forecast.scenario import Actor, Dimension, Scenario

DATA = Path(__file__).resolve().parents[2] / "shared" / "forecasting-data"
EC = DATA / "bdm" / "ExampleActors_dmasad.csv"
KTAB_3D = DATA / "ktab" / "dummyData_3Dim.csv"
COPENHAGEN = DATA / "decide" / "copenhagen.csv"
EC_MEDIANS = [8.416, 9.611, 9.962, 9.962, 9.962, 7.472, 8.825, 9.671]


def test_the_reference_data_is_there():
    for path in (EC, KTAB_3D, COPENHAGEN):
        assert path.is_file(), f"{path} is missing: ../shared must sit beside the repository"


def test_bdm_through_the_entry_point_gives_the_published_shape_and_rounds():
    made = forecast(read_bdm_table(EC), "bdm", rounds=8).as_json()
    assert made["model"] == "bdm"
    assert [r["round"] for r in made["rounds"]] == list(range(9))
    assert [r["median"] for r in made["rounds"][1:]] == pytest.approx(EC_MEDIANS, abs=0.05)
    assert made["forecast"] == pytest.approx(9.671, abs=0.05)
    assert made["baselines"] == {"weighted_mean": pytest.approx(7.390, abs=5e-4),
                                 "weighted_median": 7.0,
                                 "capability_mean": pytest.approx(7.475, abs=5e-4)}
    assert made["interval"] is None
    assert set(made["rounds"][0]["positions"]) == set(read_bdm_table(EC).names)
    json.dumps(made)  # plain JSON all the way down


def test_several_dimensions_give_a_value_per_dimension():
    made = forecast(read_ktab_csv(KTAB_3D), "smp").as_json()
    assert made["dimensions"] == ["Pstn1", "Pstn2", "Pstn3"]
    assert len(made["forecast"]) == 3
    assert all(len(v) == 3 for v in made["baselines"].values())
    assert all(len(p) == 3 for p in made["rounds"][-1]["positions"].values())


@pytest.mark.parametrize(("model", "path", "rounds"), [("bdm", EC, 8), ("smp", KTAB_3D, None)])
def test_the_same_seed_gives_the_same_interval_which_holds_the_point_forecast(model, path,
                                                                               rounds):
    scenario = read_bdm_table(path) if model == "bdm" else read_ktab_csv(path)
    one = forecast(scenario, model, rounds=rounds, runs=60, seed=11).as_json()
    again = forecast(scenario, model, rounds=rounds, runs=60, seed=11).as_json()
    other = forecast(scenario, model, rounds=rounds, runs=60, seed=12).as_json()
    assert one == again
    assert one["interval"] != other["interval"]
    point, band_ = one["forecast"], one["interval"]["forecast"]
    points = point if isinstance(point, list) else [point]
    lows = band_["low"] if isinstance(point, list) else [band_["low"]]
    highs = band_["high"] if isinstance(point, list) else [band_["high"]]
    for x, low, high in zip(points, lows, highs, strict=True):
        assert low <= x <= high
    assert one["interval"]["level"] == 0.8 and one["interval"]["runs"] == 60
    assert set(one["interval"]["baselines"]) == {"weighted_mean", "weighted_median",
                                                 "capability_mean"}


def test_draws_stay_within_the_scale_and_keep_saliences_shares():
    scenario = Scenario("s", (Dimension("d", 0, 10), Dimension("e", 0, 10)), (
        Actor("a", 1.0, (0.0, 10.0), (0.6, 0.4)), Actor("b", 2.0, (5.0, 5.0), (1.0, 0.0))))
    spreads = {"a": Spread(5.0, 0.5, 8.0), "b": Spread(5.0, 0.5, 8.0)}
    rng = random.Random(3)
    for _ in range(200):
        drawn = draw(scenario, spreads, rng)
        for actor in drawn.actors:
            assert actor.capability >= 0
            assert all(0 <= x <= 10 for x in actor.positions)
            assert all(0 <= s <= 1 for s in actor.saliences)
            assert sum(actor.saliences) <= 1 + 1e-9
    assert sum(a.capability for a in drawn.actors) > 0


def test_draws_near_a_bound_stay_centred_on_the_stated_value():
    """Clipping at the scale's end would pile draws on the bound and lift their mean."""
    scenario = Scenario("s", (Dimension("d", 0, 10),), (
        Actor("edge", 1.0, (1.0,), (0.9,)), Actor("middle", 1.0, (5.0,), (0.5,))))
    spreads = {"edge": Spread(0.0, 0.5, 3.0), "middle": Spread(0.0, 0.0, 3.0)}
    rng = random.Random(5)
    drawn = [draw(scenario, spreads, rng) for _ in range(4000)]
    edge = [d.actors[0].positions[0] for d in drawn]
    assert min(edge) >= 0.0 and max(edge) <= 2.0  # ±1 here, not ±3 clipped at 0
    assert sum(edge) / len(edge) == pytest.approx(1.0, abs=0.03)
    salience = [d.actors[0].saliences[0] for d in drawn]
    assert max(salience) <= 1.0 and min(salience) >= 0.8  # ±0.1 below a salience of 1
    middle = [d.actors[1].positions[0] for d in drawn]
    assert min(middle) < 2.2 and max(middle) > 7.8  # the full ±3 away from the bounds


def test_relative_spreads_use_the_scale_or_the_spread_of_positions():
    bounded = relative_spreads(read_ktab_csv(KTAB_3D), 0.1)
    assert all(s.position == pytest.approx(10.0) for s in bounded.values())
    unbounded = relative_spreads(read_bdm_table(EC), 0.1)  # positions from 4 to 10
    assert all(s.position == pytest.approx(0.6) for s in unbounded.values())
    assert unbounded["Germany"].capability == pytest.approx(0.016)


def test_band_takes_the_tenth_and_ninetieth_percentiles():
    values = [(float(x),) for x in range(11)]  # 0..10
    found = band(values)
    assert (found.median, found.low, found.high) == ((5.0,), (1.0,), (9.0,))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"model": "oracle"}, "no model 'oracle'"),
    ({"model": "bdm", "runs": 1}, "at least 2 runs"),
    ({"model": "bdm", "rounds": 0}, "at least 1"),
])
def test_bad_requests_are_forecast_errors(kwargs, message):
    with pytest.raises(ForecastError, match=message):
        forecast(read_bdm_table(EC), **kwargs)


def test_per_issue_saliences_are_shares_for_the_spatial_model():
    """The exchange model states a salience per issue (Copenhagen's add up to more than 1 per
    actor); the spatial model divides them all by the largest total and runs."""
    scenario = read_decide(COPENHAGEN, ["Newtreaty", "Control"])
    assert max(sum(a.saliences) for a in scenario.actors) > 1
    made = forecast(scenario, "smp")
    assert made.run.details["salience_scale"] == pytest.approx(
        max(sum(a.saliences) for a in scenario.actors))
    assert all(0 <= x <= 100 for x in made.run.forecast)


# -- the command on files

def invoke(*args: str):
    return CliRunner().invoke(app, ["forecast", *args], env={"COLUMNS": "160"})


def test_the_command_forecasts_a_bdm_table():
    result = invoke(str(EC), "--rounds", "8", "--json")
    assert result.exit_code == EXIT_OK, result.output
    made = json.loads(result.stdout)
    assert [r["median"] for r in made["rounds"][1:]] == pytest.approx(EC_MEDIANS, abs=0.05)
    table = invoke(str(EC), "--rounds", "8", "--runs", "30", "--seed", "2")
    assert table.exit_code == EXIT_OK, table.output
    for expected in ("positions by round", "Netherlands", "9.67", "weighted mean", "7.39",
                     "80%", "30 runs, seed 2"):
        assert expected in table.output


def test_the_command_picks_exchange_model_issues():
    result = invoke(str(COPENHAGEN), "--model", "smp", "--dimension", "Newtreaty",
                    "--dimension", "Control", "--json")
    assert result.exit_code == EXIT_OK, result.output
    assert json.loads(result.stdout)["dimensions"] == ["Newtreaty", "Control"]
    unchosen = invoke(str(COPENHAGEN), "--model", "smp")
    assert unchosen.exit_code == EXIT_ERROR
    assert "B810" in unchosen.output and "--dimension" in unchosen.output


def test_the_command_names_the_bad_row_of_a_file(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("actor,capability,position,salience\nNorth,1,3,0.5\nSouth,x,5,0.5\n",
                    encoding="utf-8")
    result = invoke(str(path))
    assert result.exit_code == EXIT_ERROR
    assert "B810" in result.output and "table.csv" in result.output
    assert "row 3" in result.output and "capability" in result.output


def test_file_and_issue_options_do_not_mix(tmp_path):
    assert invoke(str(EC), "--as-of", "2025-06-30").exit_code == EXIT_USAGE
    assert invoke("no-such-issue", "--dimension", "x").exit_code == EXIT_USAGE
