"""Dossier negotiations seeded from the store: positions attributed to the bargainers who
stated them, only from reporting published before the as-of date, each with its source; the
forecast and backtest commands over them. Sentences are written for these tests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, app
from bilateral.dossier import Dossier, load_dossier
from bilateral.errors import DossierError, ForecastError
from bilateral.forecast.backtest import backtests
from bilateral.forecast.issues import forecast_issue, issue_inputs
from bilateral.records import Document, Extraction, Observation
from bilateral.store import open_store

TARIFF = "us_tariff_japan_reciprocal"
PACKAGED = Path(__file__).resolve().parents[1] / "src" / "bilateral" / "dossier" / "data" / \
    "us-japan.yaml"

NEGOTIATION = """
negotiations:
  - id: test-tariff
    name: Test tariff talks
    indicator: us_tariff_japan_reciprocal
    scale: {low: 0, high: 40, label: "% tariff"}
    status_quo: 5
    status_quo_source: {date: 2025-01-10, outlet: Test Wire, summary: a 5% rate applied}
    position_statuses: [announced, threatened, proposed, demanded]
    unattributed: {announced: USA, threatened: USA}
    outcome:
      value: 15
      date: 2025-07-22
      source: {date: 2025-07-23, summary: the sides settled on 15%}
    backtest_as_of: 2025-06-30
    actors:
      - {id: white_house, name: White House, state: USA, capability: 1.0, salience: 0.8,
         speakers: [trump], voice_of_state: true,
         uncertainty: {capability: 0.1, salience: 0.1, position: 2}}
      - {id: treasury, name: Treasury, state: USA, capability: 0.5, salience: 0.6,
         speakers: [bessent]}
      - {id: kantei, name: Kantei, state: JPN, capability: 0.6, salience: 0.9,
         speakers: [ishiba], voice_of_state: true, position: 0,
         source: {date: 2025-03-01, outlet: Test Wire, summary: Tokyo asked for no tariff}}
      - {id: negotiator, name: Negotiator, state: JPN, capability: 0.4, salience: 0.9,
         speakers: [akazawa], position: 2,
         source: {date: 2025-08-01, outlet: Test Wire, summary: a later report}}
"""


def dossier_text(negotiations: str = NEGOTIATION) -> str:
    """The packaged U.S.-Japan dossier with its negotiations replaced by the test's."""
    text = PACKAGED.read_text(encoding="utf-8")
    return text[:text.index("\nnegotiations:")] + "\n" + negotiations


@pytest.fixture(scope="module")
def dossier(tmp_path_factory: pytest.TempPathFactory) -> Dossier:
    path = tmp_path_factory.mktemp("dossier") / "talks.yaml"
    path.write_text(dossier_text(), encoding="utf-8")
    return load_dossier(str(path))


REPORTS = [
    # (id letter, published, sentence, value, status)
    ("a", "2025-04-05", "President Trump announced a 22% tariff on goods from Japan.", 22,
     "announced"),
    ("b", "2025-05-10", "Scott Bessent proposed a 12% rate for Japan during the talks.", 12,
     "proposed"),
    ("c", "2025-05-20", "Goods from Japan now face a 10% tariff.", 10, "actual"),
    ("d", "2025-05-25", "Japanese exporters pay a 10% tariff at the border.", 10, "actual"),
    ("e", "2025-07-10", "Trump threatened a 30% tariff on Japan if talks fail.", 30,
     "threatened"),
    ("f", None, "A 35% tariff on Japan was announced at some point.", 35, "announced"),
    ("g", "2025-06-20", "Ishiba's aides floated a 60% figure, far off the scale.", 60,
     "proposed"),
]


def write_reports(store) -> None:
    batch = []
    for letter, published, sentence, value, status in REPORTS:
        document = Document(id=letter * 16, text=sentence, published=published,
                            title=f"Report {letter}", source="Test Wire",
                            url=f"https://news.example/{letter}")
        number = f"{value:g}%"
        start = sentence.index(number)
        observation = Observation(doc_id=document.id, indicator=TARIFF, value=value,
                                  unit="percent", status=status, when=published, quote=sentence,
                                  start=0, end=len(sentence), rule="test", actor="USA")
        assert start >= 0
        batch.append((Extraction(document, (observation,)), [], None, None))
    store.write_batch(store.begin_run("ingest"), batch)


@pytest.fixture
def filled(store):
    write_reports(store)
    return store


def positions(inputs) -> dict[str, tuple[float, str | None]]:
    return {name: (e.value, e.doc_id) for name, e in inputs.evidence.items()}


def test_positions_come_from_the_bargainers_reports_before_the_date(filled, dossier):
    inputs = issue_inputs(dossier, "test-tariff", filled, as_of=dt.date(2025, 6, 30))
    assert positions(inputs) == {
        "White House": (22, "a" * 16),  # named speaker; the July threat is after the date
        "Treasury": (12, "b" * 16),  # its speaker proposed it
        "Kantei": (0, None),  # no report: the dossier's cited fallback
    }
    assert inputs.left_out == ("Negotiator",)  # its fallback's report is dated after the date
    white_house = inputs.evidence["White House"]
    assert (white_house.kind, white_house.status, white_house.date) == ("store", "announced",
                                                                        "2025-04-05")
    assert white_house.quote == REPORTS[0][2]
    assert white_house.url == "https://news.example/a"
    assert inputs.evidence["Kantei"].summary == "Tokyo asked for no tariff"
    # two documents agree on the rate in force, so it replaces the dossier's status quo
    assert (inputs.status_quo.value, inputs.status_quo.doc_id) == (10, "d" * 16)


def test_without_a_date_the_latest_report_counts_and_undated_ones_never(filled, dossier):
    inputs = issue_inputs(dossier, "test-tariff", filled)
    assert positions(inputs)["White House"] == (30, "e" * 16)
    assert positions(inputs)["Negotiator"] == (2, None)
    assert all(e.doc_id != "f" * 16 for e in inputs.evidence.values())


def test_a_value_off_the_scale_is_not_a_position(filled, dossier):
    inputs = issue_inputs(dossier, "test-tariff", filled)
    assert positions(inputs)["Kantei"] == (0, None)  # the 60% report is off the 0-40 scale


def test_too_few_positions_before_the_date_is_an_error_naming_who_has_none(filled, dossier):
    with pytest.raises(ForecastError, match=r"only 1 bargainer.*White House, Treasury, "
                                            r"Negotiator have none"):
        issue_inputs(dossier, "test-tariff", filled, as_of=dt.date(2025, 3, 2))


def test_an_unknown_issue_names_the_known_ones(dossier):
    with pytest.raises(ForecastError, match=r"no negotiation 'tariffs'.*test-tariff"):
        issue_inputs(dossier, "tariffs")


def test_without_a_store_the_dossier_fallbacks_alone(dossier):
    with pytest.raises(ForecastError, match="only 1 bargainer"):
        issue_inputs(dossier, "test-tariff", None, as_of=dt.date(2025, 6, 30))
    inputs = issue_inputs(dossier, "test-tariff", None)
    assert positions(inputs) == {"Kantei": (0, None), "Negotiator": (2, None)}
    assert inputs.status_quo.value == 5


def test_the_forecast_json_cites_every_input(filled, dossier):
    made = forecast_issue(dossier, "test-tariff", filled, as_of=dt.date(2025, 6, 30),
                          model="bdm", rounds=3, runs=20, seed=4).as_json()
    assert set(made) >= {"model", "rounds", "forecast", "baselines", "interval", "issue",
                         "as_of", "status_quo", "inputs", "without_position"}
    assert made["model"] == "bdm" and made["as_of"] == "2025-06-30"
    assert [r["round"] for r in made["rounds"]] == [0, 1, 2, 3]
    assert made["rounds"][0]["positions"] == {"White House": 22, "Treasury": 12, "Kantei": 0}
    assert set(made["baselines"]) == {"weighted_mean", "weighted_median", "capability_mean"}
    by_actor = {row["actor"]: row for row in made["inputs"]}
    assert by_actor["Treasury"]["source"]["doc_id"] == "b" * 16
    assert by_actor["Treasury"]["source"]["quote"] == REPORTS[1][2]
    assert by_actor["Kantei"]["source"] == {"kind": "dossier", "date": "2025-03-01",
                                            "value": 0, "outlet": "Test Wire",
                                            "summary": "Tokyo asked for no tariff"}
    assert made["without_position"] == ["Negotiator"]
    assert made["interval"]["runs"] == 20


def test_the_same_seed_gives_the_same_interval_and_the_interval_holds_the_forecast(
        filled, dossier):
    def run(seed: int):
        return forecast_issue(dossier, "test-tariff", filled, model="mean", runs=50,
                              seed=seed).as_json()

    first, again, other = run(1), run(1), run(2)
    assert first == again
    assert first["interval"] != other["interval"]
    band = first["interval"]["forecast"]
    assert band["low"] <= first["forecast"] <= band["high"]
    assert band["low"] < band["high"]  # the stated uncertainty moves the result


def test_a_backtest_reads_only_what_preceded_its_date(filled, dossier):
    [result] = backtests(dossier, filled, model="median")
    assert (result.issue_id, result.actual, result.outcome_date) == ("test-tariff", 15,
                                                                     "2025-07-22")
    made = result.as_json()
    assert made["as_of"] == "2025-06-30"
    assert all(row["source"]["date"] < "2025-06-30" for row in made["inputs"])
    assert made["absolute_error"]["model"] == pytest.approx(abs(made["forecast"] - 15))
    assert made["absolute_error"]["weighted_mean"] == pytest.approx(
        abs(made["baselines"]["weighted_mean"] - 15))


@pytest.mark.parametrize(("name", "issues"), [
    ("us-japan", {"reciprocal-tariff", "auto-tariff"}),
    ("us-korea", {"reciprocal-tariff"}),  # the second dossier: the same section, no new code
])
def test_the_packaged_dossiers_backtest_tariffs_before_the_july_deals(name, issues):
    packaged = load_dossier(name)
    tested = {n.id: n for n in packaged.negotiations if n.backtest_as_of is not None}
    assert set(tested) >= issues
    for issue in tested.values():
        assert issue.backtest_as_of == dt.date(2025, 6, 30)
        assert issue.outcome is not None and issue.outcome.value == 15
        for actor in issue.actors:  # every fallback rests on a report before the date
            assert actor.source is None or actor.source.date < issue.backtest_as_of


# -- the dossier section is validated like the rest of the dossier

@pytest.mark.parametrize(("old", "new", "message"), [
    ("speakers: [bessent]}", "speakers: [bessent], position: 3}", "needs a source"),
    ("backtest_as_of: 2025-06-30", "backtest_as_of: 2025-08-01", "must be before"),
    ("indicator: us_tariff_japan_reciprocal", "indicator: no_such_rate", "no indicator"),
    ("speakers: [bessent]}", "speakers: [nobody]}", "no actor 'nobody'"),
    ("speakers: [bessent]}", "speakers: [bessent], voice_of_state: true}", "two voices"),
    ("status_quo: 5", "status_quo: 50", "outside the scale"),
    ("unattributed: {announced: USA, threatened: USA}", "unattributed: {rumoured: USA}",
     "unknown status"),
])
def test_a_bad_negotiation_is_refused_with_its_entry(tmp_path, old, new, message):
    assert old in NEGOTIATION
    path = tmp_path / "bad.yaml"
    path.write_text(dossier_text(NEGOTIATION.replace(old, new, 1)), encoding="utf-8")
    with pytest.raises(DossierError) as caught:
        load_dossier(str(path))
    assert message in str(caught.value)
    assert "negotiations" in str(caught.value)


# -- the commands

@pytest.fixture
def cli_store(tmp_path, dossier) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'talks.db'}"
    with open_store(url) as store:
        write_reports(store)
    path = tmp_path / "talks.yaml"
    path.write_text(dossier_text(), encoding="utf-8")
    return url, path


def test_the_forecast_command_prints_inputs_rounds_and_baselines(cli_store):
    url, path = cli_store
    result = CliRunner().invoke(app, ["forecast", "test-tariff", "--as-of", "2025-06-30",
                                      "--model", "bdm", "--rounds", "2", "--db", url,
                                      "--dossier", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == EXIT_OK, result.output
    for expected in ("inputs", "White House", "President Trump announced a 22% tariff",
                     "Tokyo asked for no tariff", "left out: Negotiator", "positions by round",
                     "weighted median", "capability mean"):
        assert expected in result.output


def test_the_forecast_command_json_has_the_published_shape(cli_store):
    url, path = cli_store
    result = CliRunner().invoke(app, ["forecast", "test-tariff", "--model", "median", "--json",
                                      "--runs", "10", "--seed", "3", "--db", url,
                                      "--dossier", str(path)])
    assert result.exit_code == EXIT_OK, result.output
    made = json.loads(result.stdout)
    assert made["model"] == "median"
    assert set(made["rounds"][0]) == {"round", "median", "mean", "positions"}
    assert set(made["interval"]["forecast"]) == {"median", "low", "high"}


def test_the_backtest_command_sets_forecast_baselines_and_actual_side_by_side(cli_store):
    url, path = cli_store
    result = CliRunner().invoke(app, ["backtest", "--db", url, "--dossier", str(path)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == EXIT_OK, result.output
    assert "test-tariff" in result.output and "as of 2025-06-30" in result.output
    assert "actual 15 (status quo 10)" in result.output
    as_json = CliRunner().invoke(app, ["backtest", "--json", "--db", url, "--dossier",
                                       str(path)])
    [made] = json.loads(as_json.stdout)
    assert made["actual"] == 15 and made["issue"]["id"] == "test-tariff"


def test_forecast_command_errors(cli_store):
    url, path = cli_store
    runner = CliRunner()
    unknown = runner.invoke(app, ["forecast", "tarrifs", "--db", url, "--dossier", str(path)])
    assert unknown.exit_code == EXIT_ERROR
    assert "B800" in unknown.output and "test-tariff" in unknown.output
    bad_day = runner.invoke(app, ["forecast", "test-tariff", "--as-of", "2025-06",
                                  "--db", url, "--dossier", str(path)])
    assert bad_day.exit_code == EXIT_USAGE and "YYYY-MM-DD" in bad_day.output
    no_store = runner.invoke(app, ["forecast", "test-tariff", "--db",
                                   f"sqlite:///{path.parent / 'none.db'}", "--dossier",
                                   str(path)])
    assert no_store.exit_code == EXIT_USAGE and "B420" in no_store.output
    bad_issue = runner.invoke(app, ["backtest", "--issue", "nope", "--db", url, "--dossier",
                                    str(path)])
    assert bad_issue.exit_code == EXIT_USAGE and "test-tariff" in bad_issue.output
