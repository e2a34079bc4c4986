"""Scoring against gold, as the interchange spec defines it, on hand-built records whose scores
are known by construction; and the ``eval`` command that prints them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.cli import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, app
from bilateral.errors import EvaluationError
from bilateral.extract.score import (
    FLOOR_FIGURES,
    KINDS,
    MODES,
    below_floor,
    evaluate,
    raise_floor,
    read_interchange,
    score,
    value_close,
    when_compatible,
)
from bilateral.records import PLOVER_TYPES

runner = CliRunner()


def obs(indicator: str, value: float, status: str = "agreed", when: str | None = "2025-07",
        quote: str = "") -> dict:
    return {"indicator": indicator, "value": value, "unit": "percent", "status": status,
            "when": when, "quote": quote or f"{indicator} at {value}"}


def evt(type_: str, source: str, target: str, when: str | None = "2025-07-22",
        quote: str = "") -> dict:
    return {"type": type_, "source": source, "target": target, "when": when,
            "quote": quote or f"{source} {type_} {target}"}


def doc(doc_id: str, observations=(), events=()) -> dict:
    return {"doc_id": doc_id, "observations": list(observations), "events": list(events)}


def one(gold: dict, pred: dict) -> dict:
    return score({gold["doc_id"]: gold}, {pred["doc_id"]: pred}).as_dict()


# --- the rules of the spec --------------------------------------------------------------------

@pytest.mark.parametrize("gold, predicted, compatible", [
    ("2025-07", "2025-07-22", True),   # the spec's examples: the coarser precision decides
    ("2025", "2025-07", True),
    ("2025-07-22", "2025-07", True),   # either side may be the coarser one
    ("2025-07-22", "2025", True),
    ("2025-07-22", "2025-07-22", True),
    ("2025-07", "2025-08", False),
    ("2025", "2024-12", False),
    ("2025-07-22", "2025-07-23", False),
    (None, "2025-07", True),           # a gold null accepts any prediction
    (None, None, True),
    ("2025", None, False),             # a predicted null matches only a gold null
])
def test_when_compatibility_follows_the_spec_table(gold, predicted, compatible):
    assert when_compatible(gold, predicted) is compatible


@pytest.mark.parametrize("gold, predicted, close", [
    (550e9, 552.7e9, True), (550e9, 547.3e9, True),     # within 0.5% of the gold value
    (550e9, 552.8e9, False), (550e9, 547.2e9, False),   # just beyond
    (15, 15.07, True), (15, 15.08, False),
    (0, 0, True), (0, 0.001, False),
])
def test_values_match_within_half_a_percent_of_gold(gold, predicted, close):
    assert value_close(gold, predicted) is close


def test_value_tolerance_decides_the_lenient_match():
    gold = doc("d", [obs("japan_investment_pledge_usd", 550e9)])
    near = doc("d", [obs("japan_investment_pledge_usd", 552.7e9)])
    far = doc("d", [obs("japan_investment_pledge_usd", 553e9)])
    assert one(gold, near)["observations.lenient"]["matched"] == 1
    assert one(gold, far)["observations.lenient"]["matched"] == 0


def test_strict_observations_need_the_status_and_a_compatible_when():
    gold = doc("d", [obs("t", 15, "agreed", "2025-07"), obs("t", 25, "threatened", "2025-08"),
                     obs("t", 24, "announced", "2025-04")])
    pred = doc("d", [obs("t", 15, "agreed", "2025-07-22"),    # strict match (finer when)
                     obs("t", 25, "announced", "2025-08"),    # wrong status
                     obs("t", 24, "announced", None)])        # predicted null, gold dated
    scores = one(gold, pred)
    assert scores["observations.lenient"]["matched"] == 3
    assert scores["observations.strict"]["matched"] == 1
    assert scores["observations.strict"]["precision"] == round(1 / 3, 4)


def test_greedy_matching_goes_in_gold_order_and_is_not_optimal():
    # Gold "2025" takes the first compatible prediction (2025-07), leaving gold "2025-07" only
    # the 2025-08 prediction, which it cannot match. An optimal matcher would find 2.
    first, second = obs("t", 15, when="2025"), obs("t", 15, when="2025-07")
    predictions = [obs("t", 15, when="2025-07"), obs("t", 15, when="2025-08")]
    scores = score({"d": doc("d", [first, second])}, {"d": doc("d", predictions)})
    assert scores.tallies["observations.strict"].matched == 1
    strict = next(m for m in scores.matchings
                  if m.kind == "observations" and m.mode == "strict")
    assert strict.pairs == ((0, 0),) and strict.missed() == [1] and strict.false_hits() == [1]
    # In the other gold order both find a partner.
    reordered = score({"d": doc("d", [second, first])}, {"d": doc("d", predictions)})
    assert reordered.tallies["observations.strict"].matched == 2


def test_a_prediction_matches_at_most_one_gold_record():
    gold = doc("d", [obs("t", 15), obs("t", 15)])
    pred = doc("d", [obs("t", 15)])
    scores = one(gold, pred)["observations.lenient"]
    assert (scores["gold"], scores["predicted"], scores["matched"]) == (2, 1, 1)
    assert scores["precision"] == 1.0 and scores["recall"] == 0.5
    assert scores["f1"] == round(2 * 1.0 * 0.5 / 1.5, 4)


@pytest.mark.parametrize("type_", PLOVER_TYPES)
def test_only_consult_agree_and_cooperate_ignore_the_order_of_states(type_):
    gold = doc("d", events=[evt(type_, "JPN", "USA")])
    reversed_pair = doc("d", events=[evt(type_, "USA", "JPN")])
    symmetric = type_ in ("CONSULT", "AGREE", "COOPERATE")
    assert one(gold, reversed_pair)["events.lenient"]["matched"] == int(symmetric)
    assert one(gold, doc("d", events=[evt(type_, "JPN", "USA")]))["events.lenient"][
        "matched"] == 1


def test_events_need_the_type_the_states_and_for_strict_a_compatible_when():
    gold = doc("d", events=[evt("SANCTION", "USA", "JPN", "2025-04"),
                            evt("CONSULT", "USA", "JPN", "2025-02-07"),
                            evt("REQUEST", "USA", "JPN", None)])
    pred = doc("d", events=[evt("SANCTION", "USA", "JPN", "2025-04-03"),   # strict
                            evt("CONSULT", "JPN", "USA", "2025-02-08"),    # lenient only
                            evt("REQUEST", "USA", "CHN", "2025-03"),       # other target
                            evt("REQUEST", "USA", "JPN", "2025-03")])      # gold null: strict
    scores = one(gold, pred)
    assert scores["events.lenient"]["matched"] == 3
    assert scores["events.strict"]["matched"] == 2
    assert scores["events.strict"]["predicted"] == 4


def test_a_document_the_prediction_leaves_out_predicts_nothing():
    gold = {"a": doc("a", [obs("t", 15)], [evt("CONSULT", "USA", "JPN")]),
            "b": doc("b", [obs("t", 25), obs("t", 10)], [evt("SANCTION", "USA", "JPN")])}
    pred = {"a": doc("a", [obs("t", 15)], [evt("CONSULT", "USA", "JPN")]),
            "z": doc("z", [obs("t", 99)])}  # not in the gold: not scored
    scores = score(gold, pred)
    obs_strict, evt_strict = (scores.tallies["observations.strict"],
                              scores.tallies["events.strict"])
    assert (obs_strict.gold, obs_strict.predicted, obs_strict.matched) == (3, 1, 1)
    assert (evt_strict.gold, evt_strict.predicted, evt_strict.matched) == (2, 1, 1)
    assert obs_strict.recall == pytest.approx(1 / 3) and obs_strict.precision == 1.0
    assert scores.documents == 2
    assert scores.missing == ["b"] and scores.unscored == ["z"]
    details = {d.doc_id: d for d in scores.details("strict")}
    assert set(details) == {"b"} and details["b"].predicted is False
    assert [o.record["value"] for o in details["b"].misses if o.kind == "observations"] == [
        25, 10]


def test_scores_are_summed_over_documents():
    gold = {"a": doc("a", [obs("t", 1), obs("t", 2)]), "b": doc("b", [obs("t", 3)])}
    pred = {"a": doc("a", [obs("t", 1)]), "b": doc("b", [obs("t", 3), obs("t", 4), obs("t", 5)])}
    tally = score(gold, pred).tallies["observations.lenient"]
    assert (tally.gold, tally.predicted, tally.matched) == (3, 4, 2)
    assert tally.precision == 0.5 and tally.recall == pytest.approx(2 / 3)
    assert tally.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))


def test_empty_gold_and_prediction_score_zero_without_dividing_by_zero():
    scores = score({"a": doc("a")}, {"a": doc("a")}).as_dict()
    assert scores["observations.strict"] == {"gold": 0, "predicted": 0, "matched": 0,
                                             "precision": 0.0, "recall": 0.0, "f1": 0.0}


# --- breakdowns and details -------------------------------------------------------------------

def mixed() -> tuple[dict, dict]:
    gold = {
        "a": doc("a", [obs("tariff", 15, "agreed", "2025-07", "lowered to 15%"),
                       obs("tariff", 25, "threatened", "2025-08", "25% from August"),
                       obs("pledge", 550e9, "agreed", "2025-07", "$550 billion")],
                 [evt("AGREE", "USA", "JPN", "2025-07-22", "struck a deal"),
                  evt("SANCTION", "USA", "JPN", "2025-04", "imposed tariffs")]),
        "b": doc("b", [obs("defence", 2, "target", "2027", "2% by 2027")],
                 [evt("CONSULT", "JPN", "USA", "2025-02-07", "met in Washington")]),
    }
    pred = {
        "a": doc("a", [obs("tariff", 15, "agreed", "2025-07", "a 15% tariff"),
                       obs("tariff", 25, "announced", "2025-08", "threatened 25%"),
                       obs("tariff", 10, "actual", "2025-04", "a 10% baseline"),
                       obs("pledge", 550e9, "agreed", "2025", "550 billion dollars")],
                 [evt("AGREE", "JPN", "USA", "2025-07-23", "the deal"),
                  evt("ACCUSE", "USA", "JPN", "2025-03", "criticised Japan")]),
        "b": doc("b", [obs("defence", 2, "target", "2027", "2% of GDP by 2027")],
                 [evt("CONSULT", "USA", "JPN", "2025-02", "the summit")]),
    }
    return gold, pred


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mode", MODES)
def test_breakdown_rows_add_up_to_the_totals(kind, mode):
    scores = score(*mixed())
    rows = scores.breakdown(kind, mode)
    total = scores.tallies[f"{kind}.{mode}"]
    assert sum(r.gold for r in rows.values()) == total.gold
    assert sum(r.predicted for r in rows.values()) == total.predicted
    assert sum(r.matched for r in rows.values()) == total.matched
    assert total.gold > 0 and total.predicted > 0


def test_breakdown_counts_per_indicator_and_per_event_type():
    scores = score(*mixed())
    strict = scores.breakdown("observations", "strict")
    assert list(strict) == ["tariff", "defence", "pledge"]  # most gold first, then by name
    assert (strict["tariff"].gold, strict["tariff"].predicted, strict["tariff"].matched) == (
        2, 3, 1)
    assert strict["pledge"].matched == 1 and strict["defence"].f1 == 1.0
    lenient = scores.breakdown("observations", "lenient")
    assert lenient["tariff"].matched == 2
    events = scores.breakdown("events", "strict")
    assert (events["AGREE"].gold, events["AGREE"].matched) == (1, 0)  # 07-22 vs 07-23
    assert (events["ACCUSE"].gold, events["ACCUSE"].predicted) == (0, 1)
    assert events["ACCUSE"].precision == 0.0 and events["CONSULT"].matched == 1
    assert scores.breakdown("events", "lenient")["AGREE"].matched == 1
    with pytest.raises(EvaluationError):
        scores.breakdown("quotes", "strict")


def test_details_list_the_quotes_of_misses_and_false_hits():
    scores = score(*mixed())
    strict = {d.doc_id: d for d in scores.details("strict")}
    assert set(strict) == {"a"}  # document b is all matched
    a = strict["a"]
    assert [o.record["quote"] for o in a.misses] == [
        "25% from August", "struck a deal", "imposed tariffs"]
    assert [o.record["quote"] for o in a.false_hits] == [
        "threatened 25%", "a 10% baseline", "the deal", "criticised Japan"]
    # A strict miss the lenient pass paired shows its partner: here, the wrong status.
    threatened = a.misses[0]
    assert threatened.lenient is not None and threatened.lenient["status"] == "announced"
    assert a.misses[2].lenient is None  # no SANCTION was predicted at all
    lenient = {d.doc_id: d for d in scores.details("lenient")}
    assert [o.record["quote"] for o in lenient["a"].misses] == ["imposed tariffs"]
    assert [o.record["quote"] for o in lenient["a"].false_hits] == [
        "a 10% baseline", "criticised Japan"]
    assert all(o.lenient is None for o in lenient["a"].misses + lenient["a"].false_hits)


def test_as_dict_keeps_the_totals_and_adds_breakdowns_and_details():
    scores = score(*mixed())
    plain = scores.as_dict(details="strict")
    assert plain["documents"] == 2
    assert plain["observations.strict"]["matched"] == scores.tallies[
        "observations.strict"].matched == 3
    assert plain["breakdown"]["events.lenient"]["AGREE"]["matched"] == 1
    assert plain["details"]["mode"] == "strict"
    first = plain["details"]["documents"][0]
    assert first["doc_id"] == "a" and first["misses"][0]["lenient_match"]["quote"] == (
        "threatened 25%")
    json.dumps(plain)  # plain data all the way down
    assert "details" not in scores.as_dict()


# --- files and the library entry point --------------------------------------------------------

def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_evaluate_reads_gold_and_prediction_files(tmp_path):
    gold, pred = mixed()
    scores = evaluate(write_jsonl(tmp_path / "gold.jsonl", list(gold.values())),
                      pred=write_jsonl(tmp_path / "pred.jsonl", list(pred.values())))
    assert scores.as_dict() == score(gold, pred).as_dict()
    with pytest.raises(EvaluationError, match="exactly one"):
        evaluate(tmp_path / "gold.jsonl")


def test_unreadable_interchange_files_name_the_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc_id": "a"}\n{oops\n', encoding="utf-8")
    with pytest.raises(EvaluationError, match=r"bad\.jsonl:2: malformed JSON"):
        read_interchange(bad)
    bad.write_text('["no", "doc_id"]\n', encoding="utf-8")
    with pytest.raises(EvaluationError, match=r"bad\.jsonl:1: .*doc_id"):
        read_interchange(bad)
    with pytest.raises(EvaluationError, match="cannot read"):
        read_interchange(tmp_path / "missing.jsonl")


def test_the_floor_fails_on_a_drop_beyond_the_tolerance_and_only_ratchets_up():
    floor = {"observations.strict.f1": 0.50, "observations.lenient.f1": 0.70,
             "events.lenient.f1": 0.40, "events.strict.f1": 0.30}
    within = {**floor, "observations.strict.f1": 0.485, "events.lenient.f1": 0.38}
    assert below_floor(floor, within) == []
    dropped = {**floor, "events.lenient.f1": 0.3799}
    problems = below_floor(floor, dropped)
    assert len(problems) == 1 and "events.lenient.f1" in problems[0] and "0.3799" in problems[0]
    # A figure that is not gated may fall without failing the gate.
    assert below_floor(floor, {**floor, "events.strict.f1": 0.0}) == []
    raised = raise_floor(floor, {**floor, "observations.strict.f1": 0.55,
                                 "events.lenient.f1": 0.35})
    assert raised["observations.strict.f1"] == 0.55  # went up: recorded
    assert raised["events.lenient.f1"] == 0.40       # went down: the floor stays
    assert set(raised) == set(FLOOR_FIGURES)


# --- the command ------------------------------------------------------------------------------

def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    gold, pred = mixed()
    return (str(write_jsonl(tmp_path / "gold.jsonl", list(gold.values()))),
            str(write_jsonl(tmp_path / "pred.jsonl", list(pred.values()))))


def test_eval_prints_totals_and_breakdown_tables(files):
    gold, pred = files
    code, output = invoke("eval", gold, "--pred", pred)
    assert code == EXIT_OK, output
    assert "2 gold documents" in output
    assert "Observations per indicator" in output and "Events per event type" in output
    lines = output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("│ tariff "))
    # per mode: gold, predicted, matched, precision, recall, F1
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in lines[at:at + 2]]
    assert cells == [["tariff", "lenient", "2", "3", "2", "0.667", "1.000", "0.800"],
                     ["", "strict", "2", "3", "1", "0.333", "0.500", "0.400"]]
    total = next(i for i, line in enumerate(lines) if line.startswith("│ total "))
    assert [c.strip() for c in lines[total].split("│")[1:-1]] == [
        "total", "lenient", "4", "5", "4", "0.800", "1.000", "0.889"]
    assert "Misses and false hits" not in output


def test_eval_details_show_the_quotes_strict_by_default(files):
    gold, pred = files
    code, output = invoke("eval", gold, "--pred", pred, "--details")
    assert code == EXIT_OK, output
    flat = " ".join(output.split())
    assert "Misses and false hits, strict" in flat
    for quote in ("25% from August", "struck a deal", "threatened 25%", "criticised Japan"):
        assert quote in flat
    assert "predicted status announced" in flat
    code, output = invoke("eval", gold, "--pred", pred, "--details", "--mode", "lenient")
    flat = " ".join(output.split())
    assert "Misses and false hits, lenient" in flat
    assert "imposed tariffs" in flat and "25% from August" not in flat


def test_eval_json_holds_totals_breakdowns_and_details(files):
    gold, pred = files
    code, output = invoke("eval", gold, "--pred", pred, "--json", "--details",
                          "--mode", "lenient")
    assert code == EXIT_OK
    data = json.loads(output)
    assert data["observations.lenient"]["matched"] == 4
    assert data["breakdown"]["observations.strict"]["tariff"]["predicted"] == 3
    assert data["details"]["mode"] == "lenient"
    misses = [m["record"]["quote"] for d in data["details"]["documents"] for m in d["misses"]]
    assert misses == ["imposed tariffs"]
    code, output = invoke("eval", gold, "--pred", pred, "--json")
    assert "details" not in json.loads(output)


def test_eval_rejects_a_bad_mode_and_reports_bad_files(files, tmp_path):
    gold, pred = files
    code, output = invoke("eval", gold, "--pred", pred, "--details", "--mode", "loose")
    assert code == EXIT_USAGE and "loose" in output
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{nope\n", encoding="utf-8")
    code, output = invoke("eval", gold, "--pred", str(broken))
    assert code == EXIT_ERROR and "broken.jsonl:1" in output


RICE_DOSSIER = """\
id: rice
name: Rice watch
dyad: [USA, JPN]
states:
  USA: {name: United States, aliases: ["United States"], capitals: [Washington]}
  JPN: {name: Japan, aliases: [Japan], capitals: [Tokyo]}
indicators:
  - id: japan_rice_tariff
    name: Japan's tariff on rice
    unit: percent
    cues: [[tariff*], [rice]]
events:
  - {type: CONSULT, triggers: [met]}
statuses:
  - {status: actual, words: [kept]}
"""


def test_eval_extracts_a_corpus_with_the_users_own_dossier(tmp_path):
    (tmp_path / "rice.yaml").write_text(RICE_DOSSIER, encoding="utf-8")
    write_jsonl(tmp_path / "corpus.jsonl", [{
        "doc_id": "r-1", "published": "2025-05-02",
        "text": "Japan kept its 12% tariff on rice in 2025, the farm ministry said. "
                "Japan met the United States in Washington on Friday."}])
    write_jsonl(tmp_path / "gold.jsonl", [doc(
        "r-1", [{"indicator": "japan_rice_tariff", "value": 12, "unit": "percent",
                 "status": "actual", "when": "2025", "quote": "its 12% tariff on rice"}],
        [evt("CONSULT", "USA", "JPN", "2025-05", "Japan met the United States")])])
    args = ("eval", str(tmp_path / "gold.jsonl"), "--corpus", str(tmp_path / "corpus.jsonl"),
            "--json")
    code, output = invoke(*args, "--dossier", str(tmp_path / "rice.yaml"))
    assert code == EXIT_OK, output
    data = json.loads(output)
    assert data["observations.lenient"]["matched"] == 1
    assert data["events.lenient"]["matched"] == 1
    # The built-in dossier has no rice indicator: the same corpus finds no such observation.
    code, output = invoke(*args)
    assert code == EXIT_OK and json.loads(output)["observations.lenient"]["matched"] == 0


def test_eval_of_a_corpus_with_unreadable_files_reports_them_and_exits_3(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.jsonl").write_text(json.dumps({
        "doc_id": "g-1", "published": "2025-02-08",
        "text": "Japan and the United States met in Washington on Friday."}) + "\n",
        encoding="utf-8")
    (corpus / "blob.txt").write_bytes(b"\x00\x01\x02")
    gold = write_jsonl(tmp_path / "gold.jsonl", [
        doc("g-1", events=[evt("CONSULT", "USA", "JPN", "2025-02-07")]), doc("blob")])
    result = runner.invoke(app, ["eval", str(gold), "--corpus", str(corpus), "--json"])
    assert result.exit_code == EXIT_PARTIAL
    assert "blob.txt" in result.stderr and "binary" in result.stderr
    data = json.loads(result.stdout)
    assert data["documents"] == 2 and data["missing_predictions"] == ["blob"]
