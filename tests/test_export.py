"""Exports: every table of a store ingested from the example corpus, in every format, read back
by DuckDB and pandas with the documented types and compared with what the store and the
listing commands return; the POLECAT layout on records written for the test; the errors."""

from __future__ import annotations

import io
import json
import math
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bilateral.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, app
from bilateral.dossier import load_dossier
from bilateral.errors import InputError, StoreError
from bilateral.ingest.run import ingest
from bilateral.records import Document, Event, Extraction
from bilateral.report.exports import (
    APPLIES,
    FORMATS,
    POLECAT_EVENTS,
    TABLES,
    Filters,
    arrow_schema,
    batches,
    columns,
    export,
    export_all,
)
from bilateral.store import BatchItem, Store, event_id, observation_id, open_store, resolve_url

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
runner = CliRunner()

DUCKDB_TYPES = {"string": "VARCHAR", "int64": "BIGINT", "float64": "DOUBLE",
                "bool": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP WITH TIME ZONE"}
PANDAS_CSV = {"string": "string", "int64": "Int64", "float64": "Float64", "bool": "boolean"}


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding the bundled example corpus."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'examples.db'}"
    with open_store(url) as store:
        report = ingest([EXAMPLES], store, load_dossier("us-japan"))
    assert report.documents_new == report.documents_read > 20 and not report.rejections
    return url


@pytest.fixture(scope="module")
def store(example_db: str) -> Store:
    with open_store(example_db) as opened:
        yield opened


@pytest.fixture(scope="module")
def exported(example_db: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every table in every format, written by the command."""
    folders = {}
    for fmt in FORMATS:
        folder = tmp_path_factory.mktemp(fmt)
        result = invoke("export", "all", "--format", fmt, "--out", str(folder),
                        "--db", example_db)
        assert result.exit_code == EXIT_OK, result.output
        folders[fmt] = folder
    return folders


def rows_of(store: Store, table: str, **options: Any) -> list[dict[str, Any]]:
    dossier = load_dossier("us-japan")
    return [row for batch in batches(store, table, dossier=dossier, **options) for row in batch]


def read_duckdb(path: Path, fmt: str, table: str, layout: str = "plain"
                ) -> tuple[list[str], list[str], list[tuple[Any, ...]]]:
    """Names, DuckDB types and rows of an export; CSV and JSON Lines read with the documented
    types declared, so that a value in the wrong form fails to read."""
    cols = columns(table, layout)
    declared = "{" + ", ".join(f"'{c.name}': '{DUCKDB_TYPES[c.type]}'" for c in cols) + "}"
    source = {"parquet": f"read_parquet('{path}')",
              "csv": f"read_csv('{path}', header = true, columns = {declared})",
              "jsonl": f"read_json('{path}', format = 'newline_delimited', "
                       f"columns = {declared})"}[fmt]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    rows = con.execute(f"SELECT * FROM {source}").fetchall()
    con.close()
    return [d[0] for d in described], [d[1] for d in described], rows


def read_pandas(path: Path, fmt: str, table: str) -> pd.DataFrame:
    cols = columns(table)
    if fmt == "parquet":
        return pd.read_parquet(path, dtype_backend="pyarrow")
    dtypes = {c.name: PANDAS_CSV[c.type] for c in cols if c.type in PANDAS_CSV}
    if fmt == "csv":
        return pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""],
                           parse_dates=[c.name for c in cols if c.type in ("date", "timestamp")])
    return pd.read_json(path, lines=True, dtype=dtypes)


def same(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a.astimezone(UTC) == b.astimezone(UTC)
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b and type(a) is type(b)


# --- every table, every format --------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("table", TABLES)
def test_every_table_reads_back_with_its_documented_types_and_values(
        store, exported, table, fmt):
    path = exported[fmt] / f"{table}.{fmt}"
    expected = rows_of(store, table)
    assert expected, f"the example store has no {table}"
    names, types, rows = read_duckdb(path, fmt, table)
    cols = columns(table)
    assert names == [c.name for c in cols]
    assert types == [DUCKDB_TYPES[c.type] for c in cols]
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected, strict=True):
        mismatched = [c.name for c, value in zip(cols, got, strict=True)
                      if not same(value, want[c.name])]
        assert not mismatched, (mismatched, got, want)

    frame = read_pandas(path, fmt, table)
    assert list(frame.columns) == [c.name for c in cols]
    assert len(frame) == len(expected)
    key = "id" if "id" in frame.columns else "month"
    assert [str(v) for v in frame[key]] == [str(r[key]) for r in expected]
    if fmt == "parquet":
        schema = arrow_schema(table)
        for c in cols:
            assert frame[c.name].dtype.pyarrow_dtype == schema.field(c.name).type, c.name
            assert schema.field(c.name).nullable == c.nullable
        never_empty = [c.name for c in cols if not c.nullable and frame[c.name].isna().any()]
        assert not never_empty


def test_documents_are_the_stored_documents(store, exported):
    stored = {d.id: d for page in store.document_batches() for d in page}
    frame = pd.read_parquet(exported["parquet"] / "documents.parquet", dtype_backend="pyarrow")
    assert sorted(frame["id"]) == sorted(stored)
    for row in frame.to_dict("records"):
        doc = stored[row["id"]]
        assert row["text"] == doc.text and row["title"] == doc.title
        assert row["published"] == doc.published
        if doc.published and len(doc.published) == 10:
            assert row["published_start"] == row["published_end"] == \
                date.fromisoformat(doc.published)
        assert row["ingested_at"].to_pydatetime() == doc.ingested_at


def test_observations_and_events_are_what_the_listing_commands_show(example_db, store,
                                                                    exported):
    for table, key in (("observations", ("doc_id", "indicator", "value", "status", "when",
                                         "actor", "quote", "start", "end", "rule")),
                       ("events", ("doc_id", "type", "source", "target", "when",
                                   "source_actor", "target_actor", "trigger", "quote",
                                   "start", "end", "rule"))):
        listed = invoke(table, "--json", "--limit", "100000", "--db", example_db)
        assert listed.exit_code == EXIT_OK
        shown = [tuple(r[k] for k in key) for r in json.loads(listed.stdout)]
        frame = pd.read_csv(exported["csv"] / f"{table}.csv", dtype=str,
                            keep_default_na=False, na_values=[""])
        written = [tuple(None if pd.isna(r[k]) else r[k] for k in key)
                   for r in frame.to_dict("records")]
        normal = [tuple(str(v) if v is not None else None for v in row) for row in shown]
        assert sorted(written, key=str) == sorted(normal, key=str)
        stored = store.observations() if table == "observations" else store.events()
        ids = {observation_id(r) if table == "observations" else event_id(r) for r in stored}
        assert set(frame["id"]) == ids and len(frame) == len(ids)


def test_claims_timeline_and_index_are_the_answers_the_commands_give(example_db, exported):
    def jsonl(table: str) -> list[dict[str, Any]]:
        text = (exported["jsonl"] / f"{table}.jsonl").read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines()]

    timeline = json.loads(invoke("timeline", "--json", "--limit", "100000",
                                 "--db", example_db).stdout)
    assert [(e["id"], e["when"], e["type"], e["source"], e["target"], e["sources"])
            for e in timeline] == \
        [(r["id"], r["when"], r["type"], r["source"], r["target"], r["sources"])
         for r in jsonl("timeline")]

    index = json.loads(invoke("index", "--json", "--dyads", "1000", "--db", example_db).stdout)
    fields = ("month", "score", "events", "cooperation", "conflict", "mean")
    assert [(d["source"], d["target"], *(m[f] for f in fields))
            for d in index for m in d["months"]] == \
        [(r["source"], r["target"], *(r[f] for f in fields)) for r in jsonl("index")]

    claims = jsonl("claims")
    current = json.loads(invoke("indicators", "--json", "--db", example_db).stdout)
    assert {c["id"] for c in current} == {c["id"] for c in claims if c["current"]}
    disputed = json.loads(invoke("disputes", "--json", "--db", example_db).stdout)
    assert {s["id"] for d in disputed for s in d["sides"]} == \
        {c["id"] for c in claims if c["disputed"]}
    for indicator in {c["indicator"] for c in claims}:
        history = json.loads(invoke("indicator", indicator, "--json",
                                    "--db", example_db).stdout)
        assert [(c["id"], c["status"], c["value"], c["when"], c["sources"])
                for c in history["claims"]] == \
            [(c["id"], c["status"], c["value"], c["when"], c["sources"])
             for c in claims if c["indicator"] == indicator]


def test_filters_keep_the_rows_the_listing_commands_keep(example_db, tmp_path):
    out = tmp_path / "consult.jsonl"
    result = invoke("export", "events", "--type", "CONSULT", "--since", "2025-06",
                    "--until", "2025-12", "--out", str(out), "--db", example_db)
    assert result.exit_code == EXIT_OK, result.output
    listed = json.loads(invoke("events", "--type", "CONSULT", "--since", "2025-06",
                               "--until", "2025-12", "--json", "--limit", "100000",
                               "--db", example_db).stdout)
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert listed and len(written) == len(listed)
    assert sorted((r["doc_id"], r["start"], r["when"]) for r in written) == \
        sorted((r["doc_id"], r["start"], r["when"]) for r in listed)
    # document by document in id order, each document's events in the listing's order
    assert [r["doc_id"] for r in written] == sorted(r["doc_id"] for r in written)
    for doc_id in {r["doc_id"] for r in written}:
        assert [r["start"] for r in written if r["doc_id"] == doc_id] == \
            [r["start"] for r in listed if r["doc_id"] == doc_id]
    assert all(r["type"] == "CONSULT" and r["when_end"] >= "2025-06-01"
               and r["when_start"] <= "2025-12-31" for r in written)

    result = invoke("export", "observations", "--indicator", "japan_defense_spending_gdp",
                    "--format", "csv", "--db", example_db)
    assert result.exit_code == EXIT_OK
    frame = pd.read_csv(io.StringIO(result.stdout))
    listed = json.loads(invoke("observations", "--indicator", "japan_defense_spending_gdp",
                               "--json", "--limit", "1000", "--db", example_db).stdout)
    assert len(frame) == len(listed) > 0
    assert set(frame["indicator"]) == {"japan_defense_spending_gdp"}


def test_claims_filtered_by_status_and_indicator(store):
    every = rows_of(store, "claims")
    for status in ("agreed", "target"):
        kept = rows_of(store, "claims", filters=Filters(status=status))
        assert kept == [c for c in every if c["status"] == status] != []
    one = rows_of(store, "claims", filters=Filters(indicator="japan_investment_pledge_usd"))
    assert one == [c for c in every if c["indicator"] == "japan_investment_pledge_usd"] != []


def test_documents_filtered_by_publication_date(store):
    rows = rows_of(store, "documents", filters=Filters(since="2025-07", until="2025-09"))
    listed = store.documents(limit=1000, since="2025-07", until="2025-09")
    assert rows and sorted(r["id"] for r in rows) == sorted(d.id for d in listed)


def test_tables_are_read_and_written_a_batch_at_a_time(store, tmp_path):
    for table in ("documents", "observations", "events", "timeline"):
        sizes = [len(batch) for batch in batches(store, table, size=7)]
        assert all(size == 7 for size in sizes[:-1]) and 0 < sizes[-1] <= 7
        assert [r for b in batches(store, table, size=7) for r in b] == \
            [r for b in batches(store, table, size=10_000) for r in b]
        path = tmp_path / f"{table}.parquet"
        result = export(store, table, path, format="parquet", batch_size=7)
        metadata = pq.ParquetFile(path).metadata
        assert metadata.num_rows == result.rows == sum(sizes)
        assert metadata.num_row_groups == len(sizes)


def test_the_parquet_schema_carries_each_column_s_meaning(exported):
    schema = pq.read_schema(exported["parquet"] / "claims.parquet")
    described = {c.name: c.meaning for c in columns("claims")}
    assert {f.name: f.metadata[b"description"].decode() for f in schema} == described


def test_an_empty_selection_writes_the_header_and_no_rows(example_db, tmp_path):
    for fmt in FORMATS:
        out = tmp_path / f"none.{fmt}"
        result = invoke("export", "events", "--since", "1990", "--until", "1990",
                        "--out", str(out), "--db", example_db)
        assert result.exit_code == EXIT_OK, result.output
        names, types, rows = read_duckdb(out, fmt, "events")
        assert rows == []
        if fmt != "jsonl":  # a JSON Lines file without rows has nothing to name columns
            assert names == [c.name for c in columns("events")]
            assert types == [DUCKDB_TYPES[c.type] for c in columns("events")]


# --- POLECAT ------------------------------------------------------------------------------

SUMMIT = ("WASHINGTON, Feb. 7, 2025 -- President Donald Trump received Prime Minister "
          "Shigeru Ishiba at the White House on Friday. The Pentagon asked Tokyo in February "
          "to pay more toward the bases. A Pentagon spokesman accused Beijing of delay.")
TRANSITION = ("NEW YORK, Dec. 2, 2024 -- Trump warned Japan of new tariffs on its cars.")


def polecat_store(url: str) -> Store:
    """A store holding two hand-written articles with events coded for the test."""
    store = open_store(url)
    summit = Document(id="polecat-summit", text=SUMMIT, title="A summit at the White House",
                      source="Example Wire", published="2025-02-07")
    warning = Document(id="polecat-warning", text=TRANSITION, title="A warning on cars",
                       source="Example Wire", published="2024-12-02")

    def span(doc: Document, words: str) -> dict[str, Any]:
        start = doc.text.index(words)
        return {"quote": words, "start": start, "end": start + len(words)}

    met = Event(doc_id=summit.id, type="CONSULT", source="USA", target="JPN",
                when="2025-02-07", rule="test", source_actor="President Donald Trump",
                target_actor="Prime Minister Shigeru Ishiba", trigger="received",
                **span(summit, "President Donald Trump received Prime Minister Shigeru Ishiba"))
    asked = Event(doc_id=summit.id, type="REQUEST", source="USA", target="JPN",
                  when="2025-02", rule="test", source_actor="Pentagon", target_actor="Tokyo",
                  trigger="asked", **span(summit, "Pentagon asked Tokyo"))
    implied = Event(doc_id=summit.id, type="AID", source="JPN", target="USA", when=None,
                    rule="test", **span(summit, "to pay more toward the bases"))
    accused = Event(doc_id=summit.id, type="ACCUSE", source="USA", target="CHN",
                    when="2025-02-07", rule="test", source_actor="A Pentagon spokesman",
                    target_actor="Beijing", trigger="accused",
                    **span(summit, "A Pentagon spokesman accused Beijing"))
    warned = Event(doc_id=warning.id, type="THREATEN", source="USA", target="JPN",
                   when="2024-12-02", rule="test", source_actor="Trump", target_actor="Japan",
                   trigger="warned", **span(warning, "Trump warned Japan"))
    run = store.begin_run("ingest", "us-japan")
    store.write_batch(run, [BatchItem(Extraction(summit, (), (met, asked, implied, accused))),
                            BatchItem(Extraction(warning, (), (warned,)))])
    store.finish_run(run, "completed")
    return store


def test_polecat_rows_name_the_parties_as_the_dossier_knows_them(tmp_path):
    url = f"sqlite:///{tmp_path / 'polecat.db'}"
    polecat_store(url).close()
    out = tmp_path / "polecat.parquet"
    result = invoke("export", "events", "--layout", "polecat", "--out", str(out), "--db", url)
    assert result.exit_code == EXIT_OK, result.output
    names, types, rows = read_duckdb(out, "parquet", "events", "polecat")
    assert names == [c.name for c in POLECAT_EVENTS]
    assert names[:3] == ["Event ID", "Event Date", "Event Type"]
    assert types == [DUCKDB_TYPES[c.type] for c in POLECAT_EVENTS]
    found = {row[names.index("Event Type")]: dict(zip(names, row, strict=True))
             for row in rows}
    assert set(found) == {"CONSULT", "REQUEST", "AID", "ACCUSE", "THREATEN"}

    met = found["CONSULT"]
    with open_store(url) as store:
        stored = next(e for e in store.events() if e.type == "CONSULT")
    assert met["Event ID"] == event_id(stored)
    assert met["Event Date"] == date(2025, 2, 7)
    assert met["Event Mode"] is None and met["Quad Code"] is None
    assert (met["Actor Name"], met["Actor Country"], met["Actor Title"],
            met["Actor Name Raw"], met["Primary Actor Sector"]) == \
        ("Donald Trump", "USA", "President", "President Donald Trump", None)
    assert (met["Recipient Name"], met["Recipient Country"], met["Recipient Title"]) == \
        ("Shigeru Ishiba", "JPN", "Prime Minister")
    assert (met["Story ID"], met["Headline"], met["Source"], met["Publication Date"]) == \
        ("polecat-summit", "A summit at the White House", "Example Wire", date(2025, 2, 7))
    assert met["Event Text"] == stored.quote and met["Event Period"] == "2025-02-07"
    assert met["Latitude"] is None and met["Actor COW"] is None

    asked = found["REQUEST"]  # a ministry, and a state named by its capital
    assert asked["Event Date"] is None and asked["Event Period"] == "2025-02"
    assert (asked["Actor Name"], asked["Primary Actor Sector"], asked["Actor Sectors"],
            asked["Actor Title"]) == ("U.S. Department of Defense", "GOV", "GOV",
                                      "defense ministry")
    assert (asked["Recipient Name"], asked["Recipient Name Raw"], asked["Recipient Title"],
            asked["Primary Recipient Sector"]) == ("Japan", "Tokyo", None, None)

    implied = found["AID"]  # no words named the parties: the states, and nothing guessed
    assert (implied["Actor Name"], implied["Actor Name Raw"], implied["Recipient Name"]) == \
        ("Japan", None, "United States")
    assert implied["Event Date"] is None and implied["Event Period"] is None

    # words that name more than an actor ("a spokesman of ...") stand for the state only
    accused = found["ACCUSE"]
    assert (accused["Actor Name"], accused["Actor Name Raw"], accused["Primary Actor Sector"],
            accused["Recipient Name"]) == ("United States", "A Pentagon spokesman", None,
                                           "China")

    # the title is the one held on the publication date: before the inauguration
    assert found["THREATEN"]["Actor Title"] == "President-elect"


def test_polecat_has_one_row_per_event_of_the_examples(store, tmp_path):
    dossier = load_dossier("us-japan")
    rows = [r for b in batches(store, "events", layout="polecat", dossier=dossier) for r in b]
    plain = rows_of(store, "events")
    assert [r["Event ID"] for r in rows] == [r["id"] for r in plain]
    for row, event in zip(rows, plain, strict=True):
        assert (row["Event Type"], row["Actor Country"], row["Recipient Country"],
                row["Story ID"], row["Event Text"], row["Event Period"]) == \
            (event["type"], event["source"], event["target"], event["doc_id"],
             event["quote"], event["when"])
        assert row["Actor Name Raw"] == event["source_actor"]
        assert row["Event Date"] == (event["when_start"] if event["when"] and
                                     len(event["when"]) == 10 else None)
        assert row["Actor Name"]  # a state's name at least


# --- a store that changes while it is read -------------------------------------------------


class IngestingStore(Store):
    """A real store into which an article arrives once the events of a first document have
    been read, as a concurrent ingest would write it."""

    read = 0

    def events(self, *args: Any, **kwargs: Any) -> list[Event]:
        self.read += 1
        if self.read == 2:
            extra = Document(id=f"late-{id(self)}", text="Japan and Chile talked.")
            run = self.begin_run("ingest")
            self.write_batch(run, [BatchItem(Extraction(extra))])
            self.finish_run(run, "completed")
        return super().events(*args, **kwargs)


def test_an_export_of_a_store_that_changed_meanwhile_keeps_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'changing.db'}"
    polecat_store(url).close()
    out = tmp_path / "out"
    out.mkdir()
    target = out / "events.parquet"
    target.write_bytes(b"the previous export")
    with open_store(url) as opened:
        store = IngestingStore(opened.engine, resolve_url(url))
        with pytest.raises(StoreError, match="changed while events was exported"):
            export(store, "events", target, format="parquet", batch_size=1)
        assert target.read_bytes() == b"the previous export"
        assert [p.name for p in out.iterdir()] == ["events.parquet"]
        store = IngestingStore(opened.engine, resolve_url(url))
        with pytest.raises(StoreError, match="changed while the tables were exported"):
            export_all(store, out / "all", format="csv", dossier=load_dossier("us-japan"),
                       batch_size=1)
        assert list((out / "all").iterdir()) == []
        unchanged = export(opened, "events", target, format="parquet", batch_size=1)
    assert unchanged.rows == 5 and pq.ParquetFile(target).metadata.num_rows == 5


# --- PostgreSQL ------------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgresql_store_exports_the_same_events(pg_url, store, tmp_path):
    with open_store(pg_url) as pg_store:
        ingest([EXAMPLES], pg_store, load_dossier("us-japan"))
        listed = {event_id(e) for e in pg_store.events()}
    out = tmp_path / "events.parquet"
    result = invoke("export", "events", "--out", str(out), "--db", pg_url)
    assert result.exit_code == EXIT_OK, result.output
    _, types, rows = read_duckdb(out, "parquet", "events")
    assert types == [DUCKDB_TYPES[c.type] for c in columns("events")]
    assert {r[0] for r in rows} == listed and len(rows) == len(listed)
    # the same articles make the same records on either database
    assert sorted(rows, key=lambda r: r[0]) == sorted(
        (tuple(r.values()) for r in rows_of(store, "events")), key=lambda r: r[0])


# --- errors and usage ------------------------------------------------------------------------


def test_usage_errors_exit_2_and_say_what_is_wrong(example_db, tmp_path):
    cases = [
        (("export", "treaties", "--format", "csv"), "treaties"),
        (("export", "events", "--format", "xlsx"), "xlsx"),
        (("export", "events", "--format", "parquet"), "standard output"),
        (("export", "events", "--out", str(tmp_path / "events.txt")), "--format"),
        (("export", "all", "--format", "csv"), "--out"),
        (("export", "claims", "--layout", "polecat", "--out", str(tmp_path / "c.csv")),
         "layout of events"),
        (("export", "documents", "--indicator", "x", "--format", "csv"), "--indicator"),
        (("export", "all", "--type", "CONSULT", "--out", str(tmp_path), "--format", "csv"),
         "--type"),
        (("export", "events", "--since", "2025-07", "--until", "2025-01", "--format", "csv"),
         "after"),
        (("export", "events", "--since", "July", "--format", "csv"), "July"),
    ]
    for args, said in cases:
        result = invoke(*args, "--db", example_db)
        assert result.exit_code == EXIT_USAGE, (args, result.output)
        assert said in re.sub(r"[\s│╭╮╰╯─]+", " ", result.output), (args, result.output)
    assert not list(tmp_path.iterdir())


def test_a_missing_sqlite_store_is_a_usage_error_and_is_not_created(tmp_path):
    missing = tmp_path / "nowhere.db"
    result = invoke("export", "events", "--format", "csv", "--db", f"sqlite:///{missing}")
    assert result.exit_code == EXIT_USAGE
    assert "no store" in result.output and not missing.exists()


def test_an_unwritable_out_is_an_error_and_leaves_nothing(example_db, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    for args in (("events", "--out", str(blocker / "events.parquet")),
                 ("all", "--format", "csv", "--out", str(blocker / "exports")),
                 ("all", "--format", "csv", "--out", str(blocker)),
                 ("events", "--format", "csv", "--out", str(tmp_path))):
        result = invoke("export", *args, "--db", example_db)
        assert result.exit_code == EXIT_ERROR, (args, result.output)
        assert "Error: [B600]" in result.output and "cannot" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_library_refuses_what_a_table_does_not_take(store):
    with pytest.raises(InputError, match="no table"):
        batches(store, "treaties")
    with pytest.raises(InputError, match="cannot be filtered by indicator"):
        batches(store, "events", filters=Filters(indicator="x"))
    with pytest.raises(InputError, match="needs the dossier"):
        batches(store, "claims")
    with pytest.raises(InputError, match="Parquet is binary"):
        export(store, "events", io.StringIO(), format="parquet")
    assert {f for t in TABLES for f in APPLIES[t]} == set(Filters().__dataclass_fields__)


def test_csv_and_json_lines_go_to_standard_output(example_db, store):
    count = len(store.events())
    result = invoke("export", "events", "--format", "jsonl", "--db", example_db)
    assert result.exit_code == EXIT_OK and result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == count and json.loads(lines[0])["id"]
    result = invoke("export", "events", "--format", "csv", "--db", example_db)
    assert len(pd.read_csv(io.StringIO(result.stdout))) == count


def test_help_shows_an_example_and_readable_placeholders():
    result = invoke("export", "--help")
    assert result.exit_code == EXIT_OK
    assert "Example: bilateral export" in result.output
    assert "<str>" not in result.output and "TEXT" not in result.output
    for metavar in ("csv|jsonl|parquet", "plain|polecat", "YYYY[-MM[-DD]]", "ISO3", "URL"):
        assert metavar in result.output


# --- the documentation -----------------------------------------------------------------------


def test_docs_list_every_column_with_its_type():
    text = (ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    sections = re.split(r"^#+ ", text, flags=re.MULTILINE)

    def documented(heading: str) -> list[tuple[str, str, bool]]:
        section = next(s for s in sections if s.split("\n", 1)[0].strip() == heading)
        return [(name, kind, empty == "yes") for name, kind, empty in re.findall(
            r"^\| `([^`]+)` \| (\w+) \| (yes|no) \|", section, flags=re.MULTILINE)]

    for table in TABLES:
        assert documented(table) == [(c.name, c.type, c.nullable) for c in columns(table)]
    assert documented("Events in POLECAT's columns") == \
        [(c.name, c.type, c.nullable) for c in POLECAT_EVENTS]
