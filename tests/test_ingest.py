"""Ingest: formats, identity, near-duplicates, dates, bad input and recovery from a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bilateral.dossier import load_dossier
from bilateral.dossier.world import world_sha256
from bilateral.ingest.identity import content_id, similarity, sketch
from bilateral.ingest.readers import discover, read
from bilateral.ingest.run import ingest
from bilateral.records import Document, Rejection

DOSSIER = load_dossier("us-japan")

TARIFF = ("WASHINGTON, July 23, 2025 -- The United States and Japan agreed on a trade deal that "
          "sets a 15% tariff on Japanese goods, down from the 25% rate Washington had threatened. "
          "Japan pledged $550 billion of investment in the U.S., officials said.")
DEFENCE = ("Japan plans to raise defence spending to 2% of GDP by fiscal 2027, the defence "
           "ministry said on Tuesday. U.S. officials have urged Tokyo to go further.")
HOST = ("Japan pays about 211 billion yen a year in host-nation support for the roughly 55,000 "
        "U.S. troops stationed in the country, a cost-sharing deal due for renewal in 2027.")


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def only(path: Path, **kw) -> Document | Rejection:
    items = list(read(path, **kw))
    assert len(items) == 1
    return items[0].result


# --- readers -------------------------------------------------------------------------------

def test_markdown_front_matter_gives_metadata(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: Deal struck\nsource: Wire\npublished: 2025-07-23\n"
                 "url: https://example.org/deal\n---\n" + TARIFF)
    doc = only(path)
    assert isinstance(doc, Document)
    assert (doc.title, doc.source, doc.published, doc.published_from, doc.url) == (
        "Deal struck", "Wire", "2025-07-23", "metadata", "https://example.org/deal")
    assert doc.text.startswith("WASHINGTON") and "---" not in doc.text


def test_plain_text_takes_its_date_from_the_dateline(tmp_path):
    doc = only(write(tmp_path, "a.txt", TARIFF))
    assert doc.published == "2025-07-23"
    assert doc.published_from == "text"


def test_plain_text_headline_becomes_the_title(tmp_path):
    doc = only(write(tmp_path, "a.txt", "Japan and U.S. strike a deal\n\n" + TARIFF))
    assert doc.title == "Japan and U.S. strike a deal"
    assert doc.text.startswith("Japan and U.S. strike a deal")  # the text stays whole
    assert only(write(tmp_path, "b.txt", TARIFF)).title is None


def test_unknown_date_stays_unknown(tmp_path):
    doc = only(write(tmp_path, "a.txt", "Officials met to discuss tariffs and troops."))
    assert doc.published is None and doc.published_from is None


def test_html_main_text_and_metadata(tmp_path):
    html = f"""<html lang="en"><head><title>Deal struck | Wire</title>
    <meta property="article:published_time" content="2025-07-24T09:00:00Z">
    <meta property="og:site_name" content="Example Wire"></head>
    <body><nav><a href="/">Home</a> <a href="/world">World news menu</a></nav>
    <article><h1>Deal struck</h1><p>{TARIFF}</p><p>{DEFENCE}</p></article>
    <footer>Copyright Example Wire. All rights reserved. Subscribe today.</footer></body></html>"""
    doc = only(write(tmp_path, "a.html", html))
    assert isinstance(doc, Document)
    assert "15% tariff" in doc.text and "2% of GDP" in doc.text
    assert "Subscribe" not in doc.text and "World news menu" not in doc.text
    assert doc.published == "2025-07-24" and doc.published_from == "metadata"
    assert doc.source == "Example Wire"


def test_jsonl_lines_become_documents_with_their_ids(tmp_path):
    lines = [json.dumps({"doc_id": "w-1", "text": TARIFF, "published": "2025-07-23",
                         "title": "Deal", "source": "Wire"}),
             json.dumps({"text": DEFENCE})]
    items = list(read(write(tmp_path, "c.jsonl", "\n".join(lines) + "\n")))
    docs = [i.result for i in items]
    assert [d.external_id for d in docs] == ["w-1", None]
    assert docs[0].label == "w-1" and docs[1].label == docs[1].id
    assert docs[0].origin.endswith("c.jsonl:1") and docs[1].origin.endswith("c.jsonl:2")


@pytest.mark.parametrize("name, content, code, words", [
    ("bin.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", "binary"),
    ("latin.txt", "Caf\u00e9 tariffs".encode("latin-1"), "undecodable", "UTF-8"),
    ("empty.md", "   \n\n", "empty", "empty"),
    ("front.md", "---\ntitle: [unclosed\n---\nBody text here.", "bad-field", "front matter"),
    ("date.md", "---\npublished: someday\n---\nBody text here.", "bad-field", "published"),
    ("image.png", b"\x89PNG", "unsupported", ".png"),
])
def test_bad_files_are_rejected_with_a_reason(tmp_path, name, content, code, words):
    path = write(tmp_path, name, content)
    found = next(iter(discover([path])))
    rejection = found if isinstance(found, Rejection) else only(path)
    assert isinstance(rejection, Rejection)
    assert rejection.code == code
    assert words in rejection.reason
    assert rejection.origin == str(path)


def test_unsupported_files_in_a_folder_are_skipped_not_failed(store, tmp_path):
    folder = corpus(tmp_path)
    write(folder, "notes.pdf", b"%PDF-1.4")
    report = ingest([folder], store, DOSSIER)
    skipped = [(r.code, r.origin) for r in report.rejections]
    assert skipped == [("skipped", str(folder / "notes.pdf"))]
    assert not report.failed and report.documents_new == 3


def test_oversized_file_is_rejected(tmp_path):
    rejection = only(write(tmp_path, "big.txt", TARIFF * 10), max_bytes=100)
    assert rejection.code == "too-large" and "over the limit" in rejection.reason


@pytest.mark.parametrize("line, code, words", [
    ('{"text": "unterminated', "bad-json", "malformed JSON"),
    ('["a list"]', "bad-json", "JSON object"),
    ('{"title": "no text"}', "missing-text", "'text'"),
    ('{"text": 42}', "bad-field", "string"),
    ('{"text": "  "}', "empty", "empty"),
    ('{"text": "Tariffs\\u0000 rose."}', "binary", "NUL"),
    ('{"text": "Fine text.", "published": "not a date"}', "bad-field", "published"),
])
def test_bad_jsonl_lines_are_rejected_and_the_rest_read(tmp_path, line, code, words):
    good = json.dumps({"text": TARIFF})
    items = [i.result for i in read(write(tmp_path, "c.jsonl", f"{good}\n{line}\n{good}\n"))]
    assert [type(i).__name__ for i in items] == ["Document", "Rejection", "Document"]
    assert items[1].code == code and words in items[1].reason
    assert items[1].origin.endswith("c.jsonl:2")


# --- identity and near-duplicates ----------------------------------------------------------

def test_identity_ignores_whitespace_but_not_words():
    assert content_id(TARIFF) == content_id("  " + TARIFF.replace(" ", "  \n") + "\n")
    assert content_id(TARIFF) != content_id(TARIFF.replace("15%", "16%"))


def test_sketch_similarity_separates_copies_from_other_articles():
    edited = TARIFF.replace("officials said", "a spokesman said").replace("agreed", "settled")
    assert similarity(sketch(TARIFF), sketch(edited)) > 0.6
    assert similarity(sketch(TARIFF), sketch(DEFENCE)) < 0.1


# --- the ingest job against a store --------------------------------------------------------

def corpus(root: Path) -> Path:
    folder = root / "corpus"
    write(folder, "a.md", "---\ntitle: Deal\npublished: 2025-07-23\n---\n" + TARIFF)
    write(folder, "b.txt", "TOKYO, March 3, 2025 -- " + DEFENCE)
    write(folder, "sub/c.jsonl", json.dumps({"doc_id": "h-1", "text": HOST,
                                             "published": "2025-03-07"}) + "\n")
    return folder


def test_ingest_stores_documents_and_records(store, tmp_path):
    report = ingest([corpus(tmp_path)], store, DOSSIER)
    assert (report.documents_read, report.documents_new, report.documents_existing) == (3, 3, 0)
    assert not report.failed
    assert store.count_documents() == 3
    stored = store.observations()
    assert stored, "the extractor found no observation in articles full of figures"
    for observation in stored:
        text = store.get_document(observation.doc_id).text
        assert text[observation.start:observation.end] == observation.quote


def test_a_run_records_its_configuration_and_dossier(store, tmp_path):
    report = ingest([corpus(tmp_path)], store, DOSSIER, batch_size=7)
    run = store.get_run(report.run_id)
    assert run.status == "completed" and run.dossier == "us-japan"
    assert run.config["batch_size"] == 7 and len(run.config["dossier_sha256"]) == 64
    assert run.config["gazetteer_sha256"] == world_sha256()  # the states the dossier lacks


def test_reingest_is_idempotent(store, tmp_path):
    ingest([corpus(tmp_path)], store, DOSSIER)
    counts = store.stats()
    again = ingest([tmp_path / "corpus"], store, DOSSIER)
    assert again.documents_new == 0 and again.documents_existing == 3
    assert store.stats().documents == counts.documents
    assert store.stats().observations == counts.observations
    assert store.stats().events == counts.events


def test_near_duplicate_is_linked_to_its_original(store, tmp_path):
    folder = tmp_path / "corpus"
    write(folder, "1.txt", TARIFF)
    write(folder, "2.txt", TARIFF.replace("officials said", "a spokesman said"))
    write(folder, "3.txt", DEFENCE)
    report = ingest([folder], store, DOSSIER)
    assert report.near_duplicates == 1
    docs = {d.origin.rsplit("/", 1)[-1]: d for d in store.documents(limit=None)}
    assert docs["2.txt"].duplicate_of == docs["1.txt"].id
    assert docs["1.txt"].duplicate_of is None and docs["3.txt"].duplicate_of is None


def test_bad_inputs_do_not_stop_the_batch_or_touch_stored_data(store, tmp_path):
    ingest([corpus(tmp_path / "first")], store, DOSSIER)
    before = store.stats()
    bad = tmp_path / "second"
    write(bad, "bin.txt", b"\x00\x01\x02binary")
    write(bad, "ok.txt", "Tokyo and Washington held talks on host-nation support in 2025.")
    write(bad, "lines.jsonl", '{"text": "broken\n{"no_text": 1}\n')
    report = ingest([bad], store, DOSSIER)
    assert report.failed
    assert sorted(r.code for r in report.rejections) == ["bad-json", "binary", "missing-text"]
    assert report.documents_new == 1
    after = store.stats()
    assert after.documents == before.documents + 1
    assert after.observations >= before.observations


def test_a_crash_mid_ingest_leaves_whole_batches_and_a_rerun_completes(store, tmp_path,
                                                                       monkeypatch):
    folder = tmp_path / "corpus"
    for i in range(6):
        write(folder, f"{i}.txt", f"Report number {i}. " + [TARIFF, DEFENCE, HOST][i % 3])
    real_write = store.write_batch
    calls = {"n": 0}

    def crash_on_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(store, "write_batch", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        ingest([folder], store, DOSSIER, batch_size=2)
    assert store.count_documents() == 2  # the first batch, whole; nothing of the second
    (interrupted,) = store.runs()
    assert (interrupted.status, interrupted.reason) == ("failed", "KeyboardInterrupt: killed")
    monkeypatch.setattr(store, "write_batch", real_write)
    report = ingest([folder], store, DOSSIER, batch_size=2)
    assert (report.documents_new, report.documents_existing) == (4, 2)
    assert store.count_documents() == 6
    ids = [d.id for d in store.documents(limit=None)]
    assert len(ids) == len(set(ids))


def test_a_document_stored_by_another_ingest_meanwhile_is_skipped(store, tmp_path, monkeypatch):
    """Two ingests of the same files: one stores a document after the other found it missing;
    the other must skip it, not take it for its own original."""
    folder = tmp_path / "corpus"
    for i in range(3):
        write(folder, f"{i}.txt", f"Report number {i}. " + [TARIFF, DEFENCE, HOST][i])
    ingest([folder], store, DOSSIER)
    before = store.stats()
    monkeypatch.setattr(store, "has_documents", lambda ids: set())  # looked before they landed
    report = ingest([folder], store, DOSSIER)
    assert (report.documents_new, report.documents_existing, report.near_duplicates) == (0, 3, 0)
    assert store.stats().documents == before.documents
    assert store.stats().observations == before.observations
