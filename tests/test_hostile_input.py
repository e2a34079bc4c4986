"""Hostile and broken input: each ends as a stored document or a typed rejection naming the file
(and line), and the good inputs of the same batch are stored.

Each case is ingested from the command line on SQLite, in a folder beside the example corpus
(the batch it shares), and through the library on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilateral.cli import EXIT_PARTIAL, app
from bilateral.dossier import load_dossier
from bilateral.errors import ExtractionError, OverBudget
from bilateral.extract import Extractor
from bilateral.ingest.readers import discover, read
from bilateral.ingest.run import ingest
from bilateral.records import Document
from bilateral.store import open_store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
DOSSIER = load_dossier("us-japan")
runner = CliRunner()

SENTENCE = "Japan and the United States agreed on Monday to a 15% tariff on Japanese cars."


def alias_bomb() -> str:
    lines = ['l0: &l0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "---\n" + "\n".join(lines) + "\n---\n" + SENTENCE + "\n"


def jsonl(**record: object) -> str:
    return json.dumps(record) + "\n"


# name, content, what must happen: ("stored", None) or (rejection code, words in the reason)
REJECTED = [
    ("impossible-date.md", f"---\npublished: 2025-02-30\n---\n{SENTENCE}\n",
     "bad-field", "day is out of range"),
    ("too-long.txt", "Japan and the U.S. met. " * 45_000, "too-large", "over the limit"),
    ("deep.jsonl", '{"text": "Japan", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
     "bad-json", "nested too deeply"),
    ("bomb.md", alias_bomb(), "bad-field", "front matter refused"),
    ("far-future.jsonl", jsonl(text=SENTENCE, published="2999-01-01"), "bad-field",
     "outside the plausible range"),
    ("end-of-time.jsonl", jsonl(text=SENTENCE, published="9999-12-31"), "bad-field",
     "outside the plausible range"),
    ("first-millennium.jsonl", jsonl(text=SENTENCE, published="0999"), "bad-field",
     "outside the plausible range"),
    ("bad-clock.jsonl", jsonl(text=SENTENCE, published="2025-07-23T25:99:00"), "bad-field",
     "not a real date and time"),
    ("month-13.md", f"---\npublished: 2025-13\n---\n{SENTENCE}\n", "bad-field",
     "not a real date"),
    ("nul-title.jsonl", jsonl(text=SENTENCE, title="Tariffs\x00"), "bad-field", "NUL"),
]
STORED = [
    ("huge-number.txt", "The United States set a tariff of " + "9" * 320
     + "% on Japanese cars, and a 15% tariff on other goods from Japan."),
    ("surrogate.jsonl", '{"text": "Japan agreed \\ud800 to a 15% tariff with the U.S."}\n'),
    ("bom.jsonl", "\ufeff" + jsonl(text=SENTENCE, published="2025-07-23")),
    ("brackets.txt", "Japan " + "(" * 12_000),
    ("quotes.txt", "Tariffs on Japan. " + "\u201c" * 100_000),
]


def example_documents() -> int:
    """How many documents the example corpus holds, as the readers see it."""
    return sum(isinstance(item.result, Document) for path in discover([EXAMPLES])
               if isinstance(path, Path) for item in read(path))


def examples_with(tmp_path: Path, name: str | bytes, content: str) -> Path:
    folder = tmp_path / "batch"
    shutil.copytree(EXAMPLES, folder)
    target = os.path.join(os.fsencode(folder), name) if isinstance(name, bytes) \
        else folder / name
    with open(target, "w", encoding="utf-8", newline="") as handle:
        handle.write(content)
    return folder


def cli_ingest(folder: Path, tmp_path: Path) -> tuple[int, dict, Path]:
    db, report = tmp_path / "store.db", tmp_path / "report.json"
    result = runner.invoke(app, ["ingest", str(folder), "--db", f"sqlite:///{db}",
                                 "--report", str(report)])
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(report.read_text(encoding="utf-8")), db


@pytest.mark.parametrize("name, content, code, words", REJECTED, ids=[c[0] for c in REJECTED])
def test_a_bad_input_is_rejected_and_the_batch_is_stored(tmp_path, name, content, code, words):
    folder = examples_with(tmp_path, name, content)
    exit_code, report, db = cli_ingest(folder, tmp_path)
    assert exit_code == EXIT_PARTIAL
    [rejection] = [r for r in report["rejections"] if r["code"] != "skipped"]
    assert rejection["code"] == code
    assert name in rejection["origin"]
    assert words in rejection["reason"] and len(rejection["reason"]) <= 500
    assert open_store(f"sqlite:///{db}").count_documents() == example_documents()


@pytest.mark.parametrize("name, content", STORED, ids=[c[0] for c in STORED])
def test_a_strange_but_usable_input_is_stored_with_finite_records(tmp_path, name, content):
    folder = examples_with(tmp_path, name, content)
    exit_code, report, db = cli_ingest(folder, tmp_path)
    assert [r for r in report["rejections"] if r["code"] != "skipped"] == []
    assert exit_code == 0
    store = open_store(f"sqlite:///{db}")
    [document] = [d for d in store.documents(limit=None) if name in (d.origin or "")]
    assert "\ud800" not in store.get_document(document.id).text
    assert all(math.isfinite(o.value) for o in store.observations(limit=None))


def test_a_file_name_that_is_not_utf8_is_stored_under_a_printable_origin(tmp_path):
    folder = examples_with(tmp_path, b"talks-\xff\xfe.txt", SENTENCE)
    exit_code, report, db = cli_ingest(folder, tmp_path)
    assert exit_code == 0 and report["rejections"] == []
    origins = [d.origin for d in open_store(f"sqlite:///{db}").documents(limit=None)]
    assert any(o.endswith("talks-\\xff\\xfe.txt") for o in origins)


def test_a_wide_shallow_alias_bomb_is_refused_as_one(tmp_path):
    refs = lambda name: "[" + ", ".join([f"*{name}"] * 300) + "]"  # noqa: E731
    content = ("---\nl0: &l0 [a, b, c, d, e, f, g, h, i, j]\n"
               f"l1: &l1 {refs('l0')}\nl2: &l2 {refs('l1')}\nl3: {refs('l2')}\n---\n"
               + SENTENCE + "\n")
    folder = examples_with(tmp_path, "wide-bomb.md", content)
    exit_code, report, _ = cli_ingest(folder, tmp_path)
    assert exit_code == EXIT_PARTIAL
    [rejection] = report["rejections"]
    assert "alias bomb" in rejection["reason"] and "wide-bomb.md" in rejection["origin"]


def test_extract_writes_json_without_non_finite_numbers(tmp_path):
    source = tmp_path / "in.txt"
    source.write_text(STORED[0][1], encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Infinity" not in text and "NaN" not in text
    [record] = [json.loads(line) for line in text.splitlines()]
    assert [o["value"] for o in record["observations"]] == [15.0]


def test_the_library_ingest_keeps_the_batch_on_both_databases(store, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name, content, *_ in [*REJECTED[:4], *STORED[:3]]:
        (folder / name).write_text(content, encoding="utf-8")
    (folder / "good.txt").write_text("Tokyo and Washington held talks on Friday.",
                                     encoding="utf-8")
    report = ingest([folder], store, DOSSIER)
    assert sorted(r.code for r in report.rejections) == [
        "bad-field", "bad-field", "bad-json", "too-large"]
    assert report.documents_new == 4 and store.count_documents() == 4
    [run] = store.runs()
    assert run.status == "completed"


# --- the extractor's public API -----------------------------------------------------------

@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(DOSSIER)


@pytest.mark.parametrize("document, words", [
    (Document(id="s", text="Japan agreed \ud800 to talks."), "lone surrogate"),
    (Document(id="m", text=SENTENCE, published="2025-13"), "not a real date"),
    (Document(id="f", text=SENTENCE, published="2999-01-01"), "plausible range"),
    (Document(id="l", text="x " * 600_000), "over the limit"),
])
def test_the_extractor_refuses_what_it_cannot_take_with_a_typed_error(extractor, document,
                                                                      words):
    with pytest.raises(ExtractionError, match=words) as raised:
        extractor.extract(document)
    assert raised.value.stage == "input"


def test_a_document_over_its_time_budget_is_stopped_and_the_next_goes_on(store, tmp_path):
    strict = Extractor(DOSSIER, budget=0.0)
    with pytest.raises(OverBudget):
        strict.extract(Document(id="b", text=SENTENCE))
    folder = tmp_path / "two"
    folder.mkdir()
    (folder / "a.txt").write_text(SENTENCE, encoding="utf-8")
    report = ingest([folder], store, DOSSIER, extractor=strict)
    assert [r.code for r in report.rejections] == ["over-budget"]
    assert "a.txt" in report.rejections[0].origin and store.count_documents() == 0


def test_a_stage_that_fails_on_one_document_rejects_only_that_one(store, tmp_path):
    class Fragile:
        name, requires, assigns = "fragile", (), ()

        def __call__(self, doc):
            if "fragile" in doc.text:
                raise KeyError("a bug met on this text")
            return doc

    extractor = Extractor(DOSSIER)
    extractor.stages = [Fragile(), *extractor.stages]
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.txt").write_text("A fragile text about Japan.", encoding="utf-8")
    (folder / "b.txt").write_text(SENTENCE, encoding="utf-8")
    report = ingest([folder], store, DOSSIER, extractor=extractor)
    [rejection] = report.rejections
    assert (rejection.code, rejection.origin.endswith("a.txt")) == ("extraction-failed", True)
    assert "KeyError" in rejection.reason and "fragile" in rejection.reason
    assert store.count_documents() == 1
