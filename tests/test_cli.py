"""The command line: every command end to end on a real SQLite store, with its exit codes."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.cli import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, app

runner = CliRunner()

ARTICLES = {
    "deal.md": "---\ntitle: Tariff deal agreed\nsource: Example Wire\npublished: 2025-07-23\n---\n"
               "Japan and the United States agreed on Tuesday to a 15% tariff on Japanese goods. "
               "Japan pledged $550 billion of investment in the U.S., the White House said.\n",
    "defence.txt": "TOKYO, March 3, 2025 -- Japan's defence spending came to 1.6% of GDP in 2024. "
                   "U.S. officials urged Tokyo to raise defence spending to 3% of GDP.\n",
    "support.jsonl": json.dumps({
        "doc_id": "w-7", "published": "2025-03-07", "source": "Example Wire",
        "title": "Cost-sharing talks",
        "text": "Japan pays host-nation support for the roughly 55,000 U.S. troops stationed "
                "there, and Prime Minister Shigeru Ishiba met President Donald Trump in "
                "Washington on Feb. 7."}) + "\n",
}


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def db(tmp_path: Path, articles: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    code, output = invoke("ingest", str(articles), "--db", url)
    assert code == EXIT_OK, output
    return url


def test_ingest_prints_a_summary_and_is_idempotent(tmp_path, articles):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    code, output = invoke("ingest", str(articles), "--db", url, "--json")
    assert code == EXIT_OK
    first = json.loads(output)
    assert first["documents_new"] == 3 and first["rejections"] == []
    code, output = invoke("ingest", str(articles), "--db", url, "--json")
    second = json.loads(output)
    assert code == EXIT_OK and second["documents_new"] == 0
    assert second["documents_existing"] == 3


def test_ingest_with_bad_files_reports_them_and_exits_3(tmp_path, db, articles):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.jsonl").write_text('{"text": "ok text here."}\n{oops\n', encoding="utf-8")
    (bad / "blob.txt").write_bytes(b"\x00\x01\x02")
    report = tmp_path / "report.json"
    code, output = invoke("ingest", str(bad), "--db", db, "--report", str(report))
    assert code == EXIT_PARTIAL
    saved = json.loads(report.read_text())
    assert {(Path(r["origin"]).name, r["code"]) for r in saved["rejections"]} == {
        ("broken.jsonl:2", "bad-json"), ("blob.txt", "binary")}
    assert saved["documents_new"] == 1
    code, output = invoke("docs", "--db", db, "--json")
    assert len(json.loads(output)) == 4  # the three earlier documents are all still there


def test_ingest_of_a_missing_path_exits_3(tmp_path):
    code, output = invoke("ingest", str(tmp_path / "nowhere"), "--db",
                          f"sqlite:///{tmp_path / 'x.db'}")
    assert code == EXIT_PARTIAL
    assert "no such file or folder" in output


def test_docs_and_show(db):
    code, output = invoke("docs", "--db", db, "--json")
    docs = json.loads(output)
    assert code == EXIT_OK and {d["title"] for d in docs} >= {"Tariff deal agreed"}
    assert all("text" not in d for d in docs)
    code, output = invoke("show", "w-7", "--db", db)
    assert code == EXIT_OK
    assert "Cost-sharing talks" in output and "55,000" in output
    code, output = invoke("show", "w-7", "--db", db, "--json")
    shown = json.loads(output)
    assert shown["document"]["external_id"] == "w-7"
    assert any(o["indicator"] == "us_troops_in_japan" and o["value"] == 55000
               for o in shown["observations"])


def test_show_unknown_document_is_an_error(db):
    code, output = invoke("show", "no-such-doc", "--db", db)
    assert code == EXIT_ERROR
    assert "Error:" in output and "no-such-doc" in output


def test_observations_filters_and_formats(db):
    code, output = invoke("observations", "--db", db, "--indicator",
                          "japan_defense_spending_gdp", "--json")
    rows = json.loads(output)
    assert code == EXIT_OK and rows
    assert {r["indicator"] for r in rows} == {"japan_defense_spending_gdp"}
    assert {(r["value"], r["status"]) for r in rows} >= {(1.6, "actual")}
    code, output = invoke("observations", "--db", db, "--status", "demanded", "--csv")
    parsed = list(csv.DictReader(io.StringIO(output)))
    assert parsed and {r["status"] for r in parsed} == {"demanded"}
    code, output = invoke("observations", "--db", db, "--since", "2030", "--json")
    assert json.loads(output) == []


@pytest.mark.parametrize("args", [
    ("observations", "--status", "rumoured"),
    ("observations", "--since", "last week"),
    ("events", "--type", "HUG"),
    ("events", "--state", "Japan"),
])
def test_bad_filters_are_usage_errors(db, args):
    code, output = invoke(*args, "--db", db)
    assert code == EXIT_USAGE
    assert "Invalid value" in output


def test_events_lists_coded_events(db):
    code, output = invoke("events", "--db", db, "--type", "CONSULT", "--json")
    rows = json.loads(output)
    assert code == EXIT_OK
    assert any({r["source"], r["target"]} == {"USA", "JPN"} and r["when"] == "2025-02-07"
               for r in rows)


def test_search_finds_the_article(db):
    code, output = invoke("search", '"host-nation support"', "--db", db, "--json")
    hits = json.loads(output)
    assert code == EXIT_OK and hits[0]["title"] == "Cost-sharing talks"


def test_extract_writes_the_interchange_format_and_eval_scores_it(tmp_path, articles):
    out = tmp_path / "pred.jsonl"
    code, output = invoke("extract", str(articles), "--out", str(out))
    assert code == EXIT_OK, output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert {line["doc_id"] for line in lines} >= {"w-7"}
    for line in lines:
        assert set(line) >= {"doc_id", "published", "observations", "events"}
        for o in line["observations"]:
            assert set(o) >= {"indicator", "value", "unit", "status", "when", "quote"}
    code, output = invoke("eval", str(out), "--pred", str(out), "--json")
    scores = json.loads(output)
    assert scores["observations.strict"]["f1"] == 1.0
    assert scores["events.lenient"]["f1"] == 1.0


def test_eval_needs_exactly_one_prediction_source(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"doc_id": "a", "observations": [], "events": []}\n')
    code, _ = invoke("eval", str(gold))
    assert code == EXIT_USAGE


def test_dossier_check(tmp_path):
    code, output = invoke("dossier", "check", "us-japan", "--json")
    assert code == EXIT_OK and json.loads(output)["indicators"] >= 22
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: mine\nname: Mine\ndyad: [USA, JPN]\nstates:\n  USA: {name: US}\n"
                      "  JPN: {name: Japan}\nactors:\n  - id: pm\n    name: PM\n"
                      "    roles: [{state: Japan}]\nindicators:\n  - id: x\n    name: X\n"
                      "    unit: pct\n    cues: [[tariff]]\nevents:\n  - type: MEET\n"
                      "    triggers: [met]\n", encoding="utf-8")
    code, output = invoke("dossier", "check", str(broken))
    assert code == EXIT_ERROR
    assert str(broken) in output.replace("\n", "")
    assert "actors[0] (id=pm).roles[0].state" in output
    assert "indicators[0] (id=x).unit" in output
    assert "events[0].type" in output


def test_demo_builds_a_fresh_store_and_prints_tables(tmp_path):
    target = tmp_path / "demo.db"
    target.write_text("stale")
    code, output = invoke("demo", "--db", str(target))
    assert code == EXIT_OK, output
    assert "Headline figures" in output and "U.S. reciprocal tariff on Japan" in output
    brief = tmp_path / "brief.html"
    assert f"Brief: {brief}" in " ".join(output.split())
    assert "U.S. reciprocal tariff on Japan" in brief.read_text(encoding="utf-8")
    code, output = invoke("docs", "--db", f"sqlite:///{target}", "--json", "--limit", "100")
    assert len(json.loads(output)) >= 30


# --- answers -----------------------------------------------------------------------------------

def test_indicators_show_the_current_value_with_its_sources(db):
    code, output = invoke("indicators", "--db", db, "--json")
    assert code == EXIT_OK, output
    rows = {(r["indicator"], r["status"]): r for r in json.loads(output)}
    agreed = rows[("us_tariff_japan_reciprocal", "agreed")]
    assert (agreed["value"], agreed["when"], agreed["sources"]) == (15, "2025-07-22", 1)
    assert agreed["reports"][0]["outlet"] == "Example Wire"
    assert rows[("japan_defense_spending_gdp", "demanded")]["value"] == 3
    code, output = invoke("indicators", "--db", db, "--status", "demanded")
    assert code == EXIT_OK and "3% of GDP" in output and "15%" not in output


def test_indicator_history_and_an_unknown_indicator(db):
    code, output = invoke("indicator", "japan_defense_spending_gdp", "--db", db, "--json")
    assert code == EXIT_OK, output
    history = json.loads(output)
    assert [(c["status"], c["value"]) for c in history["claims"]] == [
        ("actual", 1.6), ("demanded", 3)]
    assert history["current"]["actual"]["when"] == "2024"
    code, output = invoke("indicator", "japan_defence", "--db", db)
    assert code == EXIT_USAGE
    assert "not an indicator of the dossier us-japan" in " ".join(output.replace("│", " ").split())


def test_timeline_index_and_disputes_commands(db):
    code, output = invoke("timeline", "--db", db, "--json")
    assert code == EXIT_OK, output
    entries = json.loads(output)
    assert ("2025-02-07", "CONSULT") in {(e["when"], e["type"]) for e in entries}
    code, output = invoke("timeline", "--db", db, "--type", "consult", "--state", "jpn")
    assert code == EXIT_OK and "CONSULT" in output and "REQUEST" not in output
    code, output = invoke("timeline", "--db", db, "--type", "MEET")
    assert code == EXIT_USAGE and "not a PLOVER type" in output
    code, output = invoke("index", "--db", db, "--json")
    assert code == EXIT_OK, output
    by_dyad = {(d["source"], d["target"]): d for d in json.loads(output)}
    assert by_dyad[("USA", "JPN")]["events"] >= 1
    code, output = invoke("index", "--db", db)
    assert code == EXIT_OK and "USA→JPN" in output and "trend" in output
    code, output = invoke("disputes", "--db", db, "--json")
    assert code == EXIT_OK and json.loads(output) == []


def test_brief_as_markdown_and_to_a_file(db, tmp_path):
    code, output = invoke("brief", "--db", db)
    assert code == EXIT_OK, output
    assert "15%" in output and "Example Wire" in output
    code, output = invoke("brief", "--db", db, "--out", str(tmp_path / "b.html"))
    assert code == EXIT_OK, output
    assert "<svg" in (tmp_path / "b.html").read_text(encoding="utf-8") or \
        "vegaEmbed" in (tmp_path / "b.html").read_text(encoding="utf-8")
    code, output = invoke("brief", "--db", db, "--min-sources", "2")
    assert code == EXIT_OK, output
    figures = output.split("## Where the negotiations are heading")[0]  # not the dossier's
    assert "at least 2 sources" in figures and "15%" not in figures  # every figure has one
    code, output = invoke("brief", "--db", db, "--out", str(tmp_path / "b.docx"))
    assert code == EXIT_ERROR and ".docx" in output
    assert not (tmp_path / "b.docx").exists()


# --- what articles may carry to a terminal --------------------------------------------------

HOSTILE = "\x1b[2J\x07[red]x[/red]"  # clear the screen, ring the bell, Rich markup


def flat(output: str) -> str:
    """A table's text without spaces, line breaks and borders, as a folded cell reads."""
    return re.sub(r"[\s│┃]", "", output)


def test_article_text_reaches_the_terminal_escaped_and_as_plain_text(tmp_path):
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "a.jsonl").write_text(json.dumps({
        "doc_id": "h-1", "title": f"Deal {HOSTILE} done", "source": f"Wire {HOSTILE}",
        "published": "2025-07-23",
        "text": f"Japan and the United States agreed on a 15% tariff {HOSTILE} on Japanese "
                f"goods. Prime Minister Shigeru Ishiba met President Donald Trump in "
                f"Washington on Feb. 7."}) + "\n", encoding="utf-8")
    (folder / "blob\x1b[2J\x07[red]x.txt").write_bytes(b"\x00\x01")  # rejected: named in a table
    url = f"sqlite:///{tmp_path / 'h.db'}"
    shown = r"\x1b[2J\x07[red]x[/red]"

    code, output = invoke("ingest", str(folder), "--db", url)
    assert code == EXIT_PARTIAL and r"blob\x1b[2J\x07[red]x.txt" in flat(output)
    outputs = [output]
    for args in (("show", "h-1"), ("docs",), ("observations",), ("events",),
                 ("search", "tariff")):
        code, output = invoke(*args, "--db", url)
        assert code == EXIT_OK, output
        outputs.append(output)
    for output in outputs:
        assert "\x1b" not in output and "\x07" not in output
    show, docs, found_observations = outputs[1:4]
    assert f"Deal {shown} done" in show and f"tariff {shown} on" in show
    assert f"Wire {shown}" in show and "[red]x[/red]" in show  # markup shown, not applied
    assert f"Deal{shown}done" in flat(docs)
    assert "\\x1b" in found_observations  # the quote holding the escape

    code, output = invoke("show", "h-1", "--db", url, "--json")
    assert json.loads(output)["document"]["title"] == f"Deal {HOSTILE} done"  # faithful


def test_highlights_stay_on_their_quotes_after_escaping():
    from bilateral.cli.shared import highlight

    text = "a\x1b\x07 b [bold]c[/bold] quote here"
    start = text.index("quote")
    rendered = highlight(text, [(start, start + 5)], [(0, 1)])
    assert rendered.plain == r"a\x1b\x07 b [bold]c[/bold] quote here"
    (cyan, yellow) = rendered.spans
    assert rendered.plain[yellow.start:yellow.end] == "quote"
    assert rendered.plain[cyan.start:cyan.end] == "a"
