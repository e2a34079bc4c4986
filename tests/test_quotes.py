"""Whole-sentence quotes: readers see the sentence around a record's span with the span
marked; the interchange format keeps the short span."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bilateral.cli import EXIT_OK, app
from bilateral.dossier import load_dossier
from bilateral.quotes import Sentence, sentence_around
from bilateral.records import Document, Extraction, Observation
from bilateral.report import build_brief, render_html, render_markdown
from bilateral.store import open_store

TEXT = ("Talks resumed in the capital.\n"
        "After weeks of bargaining, the two governments settled on a 12% duty on machine "
        "tools, which officials said would hold until March. Markets barely moved.")
SPAN = "a 12% duty on machine tools"
SENTENCE = ("After weeks of bargaining, the two governments settled on a 12% duty on machine "
            "tools, which officials said would hold until March.")


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


@pytest.mark.parametrize(("text", "part", "sentence"), [
    (TEXT, SPAN, SENTENCE),
    (TEXT, "Talks resumed", "Talks resumed in the capital."),  # a line break ends a sentence
    (TEXT, "barely", "Markets barely moved."),
    # initials and abbreviations end nothing
    ("Gen. Ito met U.S. envoys on Jan. 9 in Osaka to sign it. Then he left.", "envoys",
     "Gen. Ito met U.S. envoys on Jan. 9 in Osaka to sign it."),
    # a decimal point is no full stop, and a span ending a sentence keeps it
    ("The bill rose to 4.5 billion. Nobody objected.", "4.5 billion.",
     "The bill rose to 4.5 billion."),
])
def test_the_sentence_holds_the_span_whole_and_marks_it(text, part, sentence):
    start, end = span(text, part)
    found = sentence_around(text, start, end)
    assert found is not None and found.text == sentence and found.marked == part


def test_a_sentence_too_long_is_cut_around_its_span_and_fitted_for_a_cell():
    text = "word " * 300 + "the figure " + "word " * 300
    start, end = span(text, "the figure")
    found = sentence_around(text, start, end, most=50)
    assert found.text.startswith("…") and found.text.endswith("…")
    assert found.marked == "the figure" and len(found.text) < 120
    cell = Sentence(SENTENCE, *span(SENTENCE, SPAN)).fit(40)
    assert cell.marked == SPAN and cell.text.startswith("…") and len(cell.text) <= 42
    assert sentence_around(TEXT, 10, len(TEXT) + 1) is None  # not a span of this text


@pytest.fixture
def stored(db_url):
    document = Document(id="q" * 16, text=TEXT, published="2025-03-04", title="Duties")
    start, end = span(TEXT, SPAN)
    record = Observation(doc_id=document.id, indicator="us_tariff_japan_reciprocal", value=12,
                         unit="percent", status="agreed", when="2025-03", quote=SPAN,
                         start=start, end=end, rule="test", actor="USA")
    with open_store(db_url) as store:
        store.write_batch(store.begin_run("ingest"), [(Extraction(document, (record,)), [],
                                                       None, None)])
    return db_url


def test_the_brief_shows_the_whole_sentence_with_the_span_marked(stored):
    with open_store(stored) as store:
        brief = build_brief(store, load_dossier("us-japan"))
    html = render_html(brief)
    before, after = SENTENCE.split(SPAN)
    assert f"“{before}<mark>{SPAN}</mark>{after}”" in html
    assert f"“{before}**{SPAN}**{after}”" in render_markdown(brief)


def test_the_api_gives_the_sentence_and_where_the_span_is_in_it(stored):
    from bilateral.serve.app import create_app
    from bilateral.serve.settings import ServeSettings

    with TestClient(create_app(ServeSettings(db=stored))) as client:
        history = client.get("/api/indicators/us_tariff_japan_reciprocal").json()
        [report] = history["claims"][0]["reports"]
        [observation] = client.get("/api/observations").json()["items"]
        shown = client.get(f"/api/documents/{'q' * 16}").json()["observations"][0]
    for found in (report, observation, shown):
        assert found["quote"] == SPAN and found["sentence"] == SENTENCE
        start, end = found["mark"]
        assert found["sentence"][start:end] == SPAN
    before, after = SENTENCE.split(SPAN)
    assert report["sentence_html"] == f"{before}<mark>{SPAN}</mark>{after}"


def test_the_cli_brackets_the_span_and_extract_keeps_the_short_quote(stored, tmp_path):
    runner = CliRunner()
    table = runner.invoke(app, ["observations", "--db", stored])
    assert table.exit_code == EXIT_OK
    # the last cell of each table line, joined: the sentence as the table folded it
    cells = " ".join(line.rstrip(" │").rsplit("│", 1)[-1].strip()
                     for line in table.output.splitlines() if line.startswith("│"))
    assert f"settled on [{SPAN}], which officials" in " ".join(cells.split())
    [listed] = json.loads(runner.invoke(app, ["observations", "--db", stored, "--json"]).output)
    assert (listed["quote"], listed["sentence"]) == (SPAN, SENTENCE)
    shown = json.loads(runner.invoke(app, ["show", "q" * 16, "--db", stored, "--json"]).output)
    assert shown["observations"][0]["sentence"] == SENTENCE

    corpus = tmp_path / "c.jsonl"
    written = ("In a statement released late on Friday after a long cabinet meeting in the "
               "capital, Tokyo said that military outlays are to climb to 2% of GDP by 2027, "
               "a goal that the ruling coalition first set out in its platform years earlier.")
    corpus.write_text(json.dumps({"doc_id": "x", "published": "2025-05-02", "text": written})
                      + "\n", encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    assert runner.invoke(app, ["extract", str(corpus), "--out", str(out)]).exit_code == EXIT_OK
    [line] = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    [predicted] = line["observations"]
    assert "sentence" not in predicted and "mark" not in predicted
    assert predicted["quote"] in written and len(predicted["quote"]) < len(written) - 40
