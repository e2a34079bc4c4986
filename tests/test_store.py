"""The store, on SQLite and PostgreSQL alike (see conftest.py for the backends).

The documents below are short texts written for these tests, loosely after public reporting on
U.S.-Japan relations in 2025; they quote no article.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from bilateral.errors import InputError, MissingExtra, StoreError
from bilateral.records import Document, Event, Extraction, Observation, Rejection
from bilateral.store import (
    BatchItem,
    Store,
    StoredDocument,
    event_id,
    observation_id,
    open_store,
    resolve_url,
)
from bilateral.store import store as store_module
from bilateral.store.schema import include_object, metadata
from bilateral.store.search import MARK_END, MARK_START, fts5_query

#: Where the bilateral package being tested lives, for subprocesses.
PACKAGE_ROOT = Path(store_module.__file__).resolve().parents[2]

# ----------------------------------------------------------------------------- builders

TRADE = Document(
    id="a1" * 32, title="Trade deal sets a 15% tariff",
    text=("Washington and Tokyo settled on a 15% tariff for most Japanese goods in July 2025. "
          "Japan pledged $550 billion of investment in return."),
    url="https://example.org/trade", source="Example Wire", published="2025-07-23",
    published_from="metadata", external_id="wire-001", origin="corpus/trade.txt")
HNS = Document(
    id="b2" * 32, title="Alliance costs",
    text=("Japan pays roughly $2 billion a year in host-nation support for about 55,000 U.S. "
          "troops. Talks on the next host nation support agreement are due."),
    source="Example Daily", published="2025-03", external_id="daily-17",
    origin="corpus/hns.txt")
DEFENCE = Document(
    id="c3" * 32, title=None,
    text=("Tokyo plans to lift defence spending to 2% of GDP by 2027; the host government "
          "said nation-wide support was strong."),
    source="Example Wire", published=None, origin="corpus/defence.txt")


def doc(id: str, text: str = "Some text about the alliance.", **kw: object) -> Document:
    return Document(id=id, text=text, **kw)  # type: ignore[arg-type]


def obs(d: Document, indicator: str = "tariff_reciprocal", value: float = 15.0,
        status: str = "agreed", when: str | None = "2025-07", start: int = 0, end: int = 20,
        rule: str = "obs.rule", actor: str | None = "USA", unit: str = "percent") -> Observation:
    return Observation(doc_id=d.id, indicator=indicator, value=value, unit=unit, status=status,
                       when=when, quote=d.text[start:end], start=start, end=end, rule=rule,
                       actor=actor)


def evt(d: Document, type: str = "AGREE", source: str = "USA", target: str = "JPN",
        when: str | None = "2025-07-22", start: int = 0, end: int = 20,
        rule: str = "evt.rule") -> Event:
    return Event(doc_id=d.id, type=type, source=source, target=target, when=when,
                 quote=d.text[start:end], start=start, end=end, rule=rule,
                 source_actor="Washington", target_actor="Tokyo", trigger="settled")


def item(d: Document, observations: tuple[Observation, ...] = (),
         events: tuple[Event, ...] = (), sketch: tuple[int, ...] = (),
         duplicate_of: str | None = None, similarity: float | None = None) -> BatchItem:
    return BatchItem(Extraction(d, observations, events), sketch, duplicate_of, similarity)


def standard_batch() -> list[BatchItem]:
    return [
        item(TRADE, (obs(TRADE), obs(TRADE, "investment_pledge", 550e9, "announced",
                                     unit="usd", start=20, end=60, actor="JPN")),
             (evt(TRADE),), sketch=(1, 2, 3, 4, 5)),
        item(HNS, (obs(HNS, "host_nation_support", 2e9, "actual", "2025", unit="usd_per_year",
                       actor="JPN"),),
             (evt(HNS, "REQUEST", "USA", "JPN", "2025-03-10"),), sketch=(4, 5, 6, 7, 8)),
    ]


@pytest.fixture
def filled(store: Store) -> Store:
    run = store.begin_run("ingest", "us-japan", {"path": "corpus"})
    store.write_batch(run, standard_batch())
    return store


def table_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
                for name in ("documents", "document_sketches", "observations", "events",
                             "rejections", "runs")}


# ----------------------------------------------------------------------------- migrations


def _alembic_config(conn):  # the same programmatic config the store uses
    return store_module._alembic_config(conn)


def test_fresh_database_is_migrated_to_head_and_reopening_keeps_data(db_url: str) -> None:
    heads = store_module._script_directory().get_heads()
    with open_store(db_url) as store:
        assert store.schema_revision() == heads[0]
        tables = set(inspect(store.engine).get_table_names())
        assert {"documents", "document_sketches", "observations", "events", "runs",
                "rejections", "alembic_version"} <= tables
        run = store.begin_run("ingest")
        store.write_batch(run, standard_batch())
    with open_store(db_url) as again:  # second upgrade is a no-op
        assert again.schema_revision() == heads[0]
        assert again.count_documents() == 2
        assert len(again.search("tariff")) == 1


def test_alembic_upgrade_twice_and_downgrade_and_up_again(db_url: str) -> None:
    engine = store_module.make_engine(db_url)
    try:
        for target in ("head", "head", "base", "head"):
            with engine.begin() as conn:
                if target == "base":
                    command.downgrade(_alembic_config(conn), "base")
                else:
                    command.upgrade(_alembic_config(conn), target)
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_heads() == ("0008",)
    finally:
        engine.dispose()
    with open_store(db_url) as store:  # and the store works on the result
        store.write_batch(store.begin_run("ingest"), standard_batch())
        assert [h.doc_id for h in store.search('"host nation support"')] == [HNS.id]


def test_models_match_the_migrations(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object,
                                                         "compare_type": True})
        assert compare_metadata(context, metadata) == []


@pytest.mark.postgres
def test_postgres_objects_land_in_the_test_schema(pg_url: str) -> None:
    schema = resolve_url(pg_url).query["options"].split("=", 1)[1]
    with open_store(pg_url) as store, store.engine.connect() as conn:
        assert conn.execute(text("SELECT current_schema()")).scalar_one() == schema
        # other schemas of the database may hold stores of their own; look in this one
        placed = set(conn.execute(text(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = :schema "
            "AND (table_name, column_name) IN "
            "(('alembic_version', 'version_num'), ('documents', 'search'))"),
            {"schema": schema}).scalars())
        assert placed == {"alembic_version", "documents"}


def test_schema_newer_than_the_code_is_refused(db_url: str) -> None:
    with open_store(db_url) as store, store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    for migrate in (True, False):
        with pytest.raises(StoreError, match="newer bilateral"):
            open_store(db_url, migrate=migrate)


def test_migrate_false_refuses_an_uninitialised_database(db_url: str) -> None:
    with pytest.raises(StoreError, match="migrate=True"):
        open_store(db_url, migrate=False)
    open_store(db_url).close()
    with open_store(db_url, migrate=False) as store:
        assert store.stats().documents == 0


# ----------------------------------------------------------------------------- writes


def test_write_batch_is_idempotent(store: Store) -> None:
    run = store.begin_run("ingest")
    first = store.write_batch(run, standard_batch())
    assert (first.new_documents, first.skipped_existing, first.observations, first.events) == \
        (2, 0, 3, 2)
    before = table_counts(store)
    second = store.write_batch(store.begin_run("ingest"), standard_batch())
    assert (second.new_documents, second.skipped_existing, second.observations,
            second.events) == (0, 2, 0, 0)
    after = table_counts(store)
    assert {k: v for k, v in after.items() if k != "runs"} == \
        {k: v for k, v in before.items() if k != "runs"}
    assert before["documents"] == 2 and before["observations"] == 3
    assert store.has_documents([TRADE.id, HNS.id, "f" * 64]) == {TRADE.id, HNS.id}
    assert [h.doc_id for h in store.search("tariff")] == [TRADE.id]  # indexed once


def test_repeats_within_a_batch_are_written_once(store: Store) -> None:
    o = obs(TRADE)
    result = store.write_batch(store.begin_run("ingest"), [
        item(TRADE, (o, o), (evt(TRADE), evt(TRADE))), item(TRADE, (o,))])
    assert (result.new_documents, result.skipped_existing, result.observations,
            result.events) == (1, 1, 1, 1)
    assert store.observations() == [o]


def test_existing_document_is_skipped_with_its_records(store: Store) -> None:
    store.write_batch(store.begin_run("ingest"), [item(TRADE, (obs(TRADE),))])
    later = store.write_batch(store.begin_run("ingest"), [
        item(TRADE, (obs(TRADE), obs(TRADE, "tariff_autos", 25.0, "threatened"))),
        item(HNS, (obs(HNS, "host_nation_support", 2e9, "actual", unit="usd_per_year"),))])
    assert (later.new_documents, later.skipped_existing, later.observations) == (1, 1, 1)
    assert [o.indicator for o in store.observations(doc_id=TRADE.id)] == ["tariff_reciprocal"]


def test_record_ids_are_stable_hashes() -> None:
    a, b = obs(TRADE), obs(TRADE, value=15)  # int and float of the same value
    assert observation_id(a) == observation_id(b)
    assert observation_id(a) != observation_id(obs(TRADE, status="announced"))
    assert observation_id(a) != observation_id(obs(TRADE, when="2025-08"))
    assert event_id(evt(TRADE)) != event_id(evt(TRADE, target="CHN"))
    assert len(observation_id(a)) == 32


def test_stored_document_keeps_what_ingest_decided(filled: Store) -> None:
    stored = filled.get_document(TRADE.id)
    assert isinstance(stored, StoredDocument)
    assert stored.as_document() == TRADE
    assert stored.char_count == len(TRADE.text)
    assert stored.run_id == filled.runs()[0].id
    assert stored.ingested_at is not None and stored.ingested_at.tzinfo is not None
    assert abs(stored.ingested_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_a_batch_failing_half_way_leaves_nothing(store: Store,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    store.write_batch(store.begin_run("ingest"), [item(TRADE, (obs(TRADE),), sketch=(1, 2))])
    before = table_counts(store)
    real = Store._insert_many

    def crash_at_events(self, conn, table, rows, returning=None):  # type: ignore[no-untyped-def]
        if table.name == "events":
            raise RuntimeError("simulated crash")
        return real(self, conn, table, rows, returning)

    monkeypatch.setattr(Store, "_insert_many", crash_at_events)
    run = store.begin_run("ingest")
    with pytest.raises(RuntimeError, match="simulated crash"):
        store.write_batch(run, [item(HNS, (obs(HNS),), (evt(HNS),), sketch=(7, 8))],
                          [Rejection("bad.bin", "binary file", "binary")])
    monkeypatch.undo()
    assert {k: v for k, v in table_counts(store).items() if k != "runs"} == \
        {k: v for k, v in before.items() if k != "runs"}
    assert store.has_documents([HNS.id, TRADE.id]) == {TRADE.id}
    assert store.search("troops") == []  # the full-text index rolled back too
    assert store.sketch_postings([7, 8]) == {}
    assert store.observations(doc_id=TRADE.id) == [obs(TRADE)]


def test_a_database_error_mid_batch_rolls_back_and_says_what_failed(store: Store) -> None:
    run = store.begin_run("ingest")
    # Rejections are written last; a NULL code violates NOT NULL after the documents went in.
    with pytest.raises(StoreError, match=f"writing a batch of 1 documents.*run {run}") as info:
        store.write_batch(run, [item(HNS, (obs(HNS),))],
                          [Rejection("x.txt", "empty file", None)])  # type: ignore[arg-type]
    assert info.value.__cause__ is not None
    assert store.stats().documents == 0 and store.stats().observations == 0


def test_a_killed_writer_leaves_the_store_consistent(sqlite_url: str, tmp_path: Path) -> None:
    """SQLite must recover from a process that dies mid-transaction (PostgreSQL rolls back a
    dead client's transaction on its own; the in-process failure tests cover both)."""
    db_url = sqlite_url
    with open_store(db_url) as store:
        store.write_batch(store.begin_run("ingest"), [item(TRADE, (obs(TRADE),))])
    script = tmp_path / "writer.py"
    script.write_text(textwrap.dedent(f"""
        import os, sys, types
        # Load bilateral.store without the package's __init__ (it imports spaCy: slow).
        package = types.ModuleType("bilateral")
        package.__path__ = [{str(PACKAGE_ROOT / "bilateral")!r}]
        sys.modules["bilateral"] = package
        from bilateral.records import Document, Extraction
        from bilateral.store import Store, BatchItem, open_store
        real = Store._insert_many
        def die(self, conn, table, rows, returning=None):
            if table.name == "observations":
                os._exit(3)   # the process dies inside the open transaction
            return real(self, conn, table, rows, returning)
        Store._insert_many = die
        store = open_store(sys.argv[1])
        d = Document(id={HNS.id!r}, text="text that never lands")
        store.write_batch(store.begin_run("ingest"), [BatchItem(Extraction(d), [9])])
    """))
    done = subprocess.run([sys.executable, str(script), db_url], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 3, done.stderr
    with open_store(db_url) as store:
        assert store.has_documents([TRADE.id, HNS.id]) == {TRADE.id}
        assert store.observations() == [obs(TRADE)]
        assert store.search("lands") == []
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_write_batch_refuses_inconsistent_input_before_writing(store: Store) -> None:
    run = store.begin_run("ingest")
    cases = [
        ([item(TRADE, (obs(HNS),))], "carries a observation of document " + HNS.id),
        ([item(TRADE, duplicate_of="e" * 64)], "neither stored nor in the batch"),
        ([item(TRADE, duplicate_of=TRADE.id)], "duplicate of itself"),
        ([item(TRADE, sketch=(2**63,))], "signed 64-bit"),
        ([item(TRADE, sketch=("x",))], "not an integer"),  # type: ignore[arg-type]
        ([(TRADE, ())], "is not \\(extraction"),
        ([item(doc("nul", "bad\x00text"))], "NUL characters"),
        ([item(TRADE, (obs(TRADE, value=float("nan")),))], "no finite value"),
    ]
    for items, message in cases:
        with pytest.raises(StoreError, match=message):
            store.write_batch(run, items)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="no run 999"):
        store.write_batch(999, [item(TRADE)])
    assert store.stats().documents == 0


def test_duplicates_may_precede_their_original_in_a_batch(store: Store) -> None:
    copy = doc("d4" * 32, TRADE.text + " (syndicated)", title="Copy of the trade story")
    result = store.write_batch(store.begin_run("ingest"), [
        item(copy, duplicate_of=TRADE.id, similarity=0.93), item(TRADE)])
    assert result.new_documents == 2
    stored = store.get_document(copy.id)
    assert (stored.duplicate_of, stored.similarity) == (TRADE.id, pytest.approx(0.93))
    assert store.stats().duplicates == 1
    assert store.count_documents() == 2 and store.count_documents(include_duplicates=False) == 1
    assert [d.id for d in store.documents(include_duplicates=False).items] == [TRADE.id]
    assert {h.doc_id for h in store.search("syndicated tariff")} == {copy.id}
    assert store.search("syndicated tariff", include_duplicates=False) == []


def test_concurrent_writers_of_the_same_batch_store_it_once(db_url: str) -> None:
    stores = [open_store(db_url), open_store(db_url)]
    try:
        runs = [s.begin_run("ingest") for s in stores]
        results: list[object] = [None, None]
        barrier = threading.Barrier(2)

        def write(i: int) -> None:
            barrier.wait()
            batch = standard_batch()  # in opposite orders: lock order must not matter
            try:
                results[i] = stores[i].write_batch(runs[i], batch if i else batch[::-1])
            except Exception as exc:
                results[i] = exc

        threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert all(not isinstance(r, Exception) for r in results), results
        assert sorted(r.new_documents for r in results) == [0, 2]  # type: ignore[union-attr]
        assert stores[0].stats().observations == 3
    finally:
        for s in stores:
            s.close()


def test_readers_are_not_blocked_by_an_open_write_transaction(db_url: str) -> None:
    with open_store(db_url) as writer, open_store(db_url) as reader:
        writer.write_batch(writer.begin_run("ingest"), [item(TRADE)])
        with writer._write("holding the write lock") as conn:
            conn.execute(text("UPDATE documents SET title = 'changed'"))
            assert reader.get_document(TRADE.id).title == TRADE.title  # old snapshot, no error
            assert reader.count_documents() == 1
            with open_store(db_url) as late:  # opening an up-to-date store does not wait
                assert late.has_documents([TRADE.id]) == {TRADE.id}
        assert reader.get_document(TRADE.id).title == "changed"


# ----------------------------------------------------------------------------- reads


@pytest.fixture
def lookalikes(store: Store) -> Store:
    run = store.begin_run("ingest")
    store.write_batch(run, [
        item(doc("abcdef01" + "0" * 56, external_id="shared-ext", title="First")),
        item(doc("abcdef02" + "0" * 56, external_id="shared-ext", title="Second")),
        item(doc("abc_ef99" + "0" * 56, external_id="only-one")),
    ])
    return store


def test_get_document_by_id_external_id_and_prefix(lookalikes: Store) -> None:
    full = "abcdef01" + "0" * 56
    assert lookalikes.get_document(full).id == full
    assert lookalikes.get_document("only-one").id.startswith("abc_ef99")
    assert lookalikes.get_document("abcdef01").id == full
    assert lookalikes.get_document(" abcdef01 ").id == full


def test_get_document_ambiguous_and_missing(lookalikes: Store) -> None:
    with pytest.raises(StoreError, match=r"id prefix 'abcdef' is ambiguous.*abcdef01.*First.*"
                                         r"abcdef02.*Second"):
        lookalikes.get_document("abcdef")
    with pytest.raises(StoreError, match="external id 'shared-ext' is ambiguous"):
        lookalikes.get_document("shared-ext")
    with pytest.raises(StoreError, match="no document with id, external id or id prefix "
                                         "'ffffffff'"):
        lookalikes.get_document("ffffffff")
    with pytest.raises(StoreError, match="at least 6 characters"):
        lookalikes.get_document("abcde")
    # LIKE wildcards in a prefix are literal: "abc%ef" matches nothing, "abc_ef" only itself.
    with pytest.raises(StoreError, match="no document"):
        lookalikes.get_document("abc%ef")
    assert lookalikes.get_document("abc_ef").id.startswith("abc_ef99")
    with pytest.raises(StoreError, match="give a document id"):
        lookalikes.get_document("")


def test_documents_pages_filters_and_order(store: Store) -> None:
    docs = [doc(f"{i:02d}" * 32, published=p, source=s) for i, (p, s) in enumerate([
        ("2025-01-10", "A"), ("2025-02", "B"), ("2025", "A"), (None, "A"), ("2024-12-31", "B"),
    ])]
    store.write_batch(store.begin_run("ingest"), [item(d) for d in docs])
    page = store.documents(limit=2)
    assert (page.total, len(page.items), page.has_more) == (5, 2, True)
    everything = page.items + store.documents(limit=2, offset=2).items + \
        store.documents(limit=2, offset=4).items
    assert [d.published for d in everything] == \
        ["2025-02", "2025-01-10", "2025", "2024-12-31", None]
    assert store.documents(limit=10, offset=4).has_more is False
    assert [d.id for d in page] == [page[0].id, page[1].id] and len(page) == 2
    assert {d.id for d in store.documents(source="B").items} == {docs[1].id, docs[4].id}
    assert store.documents(source="B").total == 2
    since_feb = store.documents(since="2025-02")
    assert {d.published for d in since_feb.items} == {"2025-02", "2025"}
    assert {d.published for d in store.documents(until="2024").items} == {"2024-12-31"}


@pytest.fixture
def dated(store: Store) -> Store:
    whens = [None, "2024", "2025", "2025-02-15", "2025-03", "2025-03-31", "2025-04-01", "2026"]
    observations = tuple(obs(TRADE, when=w, start=i, end=i + 5, value=float(i))
                         for i, w in enumerate(whens))
    events = tuple(evt(TRADE, when=w, start=i, end=i + 5) for i, w in enumerate(whens))
    store.write_batch(store.begin_run("ingest"), [item(TRADE, observations, events)])
    return store


DATE_CASES = [  # since, until, the `when` values that overlap
    ("2025-03", "2025-03", {"2025", "2025-03", "2025-03-31"}),
    ("2025-03", None, {"2025", "2025-03", "2025-03-31", "2025-04-01", "2026"}),
    (None, "2025-02", {"2024", "2025", "2025-02-15"}),
    ("2025-03-31", "2025-03-31", {"2025", "2025-03", "2025-03-31"}),
    ("2025", "2025", {"2025", "2025-02-15", "2025-03", "2025-03-31", "2025-04-01"}),
    ("2027", None, set()),
]


def test_date_filters_select_overlapping_periods(dated: Store) -> None:
    for since, until, expected in DATE_CASES:
        assert {o.when for o in dated.observations(since=since, until=until)} == expected, \
            (since, until)
        assert {e.when for e in dated.events(since=since, until=until)} == expected, \
            (since, until)


def test_observations_order_and_bad_date_filter(dated: Store) -> None:
    whens = [o.when for o in dated.observations()]
    assert whens[-1] is None and whens[:-1] == sorted(whens[:-1])  # type: ignore[type-var]
    from datetime import date
    assert {o.when for o in dated.observations(since=date(2026, 5, 1))} == {"2026"}
    for bad in ("March 2025", "2025-13", "2025-3", "25", "2025-02-30x"):
        with pytest.raises(InputError, match="YYYY, YYYY-MM or YYYY-MM-DD"):
            dated.observations(since=bad)
    with pytest.raises(InputError, match="since 2025-04 is after until 2025-02"):
        dated.events(since="2025-04", until="2025-02")


def test_observation_filters(filled: Store) -> None:
    assert {o.indicator for o in filled.observations(doc_id=TRADE.id)} == \
        {"tariff_reciprocal", "investment_pledge"}
    assert [o.value for o in filled.observations(indicator="host_nation_support")] == [2e9]
    assert [o.indicator for o in filled.observations(status="announced")] == ["investment_pledge"]
    assert {o.indicator for o in filled.observations(state="JPN")} == \
        {"investment_pledge", "host_nation_support"}
    assert filled.observations(indicator="tariff_reciprocal", state="JPN") == []
    assert len(filled.observations(limit=2)) == 2


def test_event_filters(filled: Store) -> None:
    extra = doc("e5" * 32, "Japan and China held talks.")
    filled.write_batch(filled.begin_run("ingest"),
                       [item(extra, events=(evt(extra, "CONSULT", "JPN", "CHN", "2025-09"),))])
    assert [e.type for e in filled.events(type="REQUEST")] == ["REQUEST"]
    assert {e.target for e in filled.events(state="CHN")} == {"CHN"}
    assert len(filled.events(state="JPN")) == 3  # as target twice, as source once
    assert [e.type for e in filled.events(source="JPN")] == ["CONSULT"]
    assert len(filled.events(target="JPN")) == 2
    assert [e.doc_id for e in filled.events(doc_id=HNS.id)] == [HNS.id]
    assert [e.when for e in filled.events(since="2025-07", until="2025-12")] == \
        ["2025-07-22", "2025-09"]
    assert len(filled.events(limit=1)) == 1


def test_records_for_round_trips_exact_records(filled: Store) -> None:
    batch = standard_batch()[0].extraction
    got = filled.records_for("wire-001")
    assert got.document.as_document() == batch.document  # type: ignore[attr-defined]
    assert sorted(got.observations, key=observation_id) == \
        sorted(batch.observations, key=observation_id)
    assert got.events == batch.events
    assert got.interchange()["doc_id"] == "wire-001"
    with pytest.raises(StoreError, match="no document"):
        filled.records_for("nope-nope")


def test_sketch_postings_and_sketches(store: Store) -> None:
    big = [2**63 - 1, -(2**63), -5]
    a, b, c = doc("a" * 64), doc("b" * 64), doc("c" * 64)
    store.write_batch(store.begin_run("ingest"), [
        item(a, sketch=tuple(range(1, 11)) + tuple(big)),
        item(b, sketch=tuple(range(6, 16))),
        item(c, sketch=tuple(range(100, 110)))])
    assert store.sketch_postings(range(1, 11)) == {a.id: set(range(1, 11)),
                                                   b.id: set(range(6, 11))}
    assert store.sketch_postings(big) == {a.id: set(big)}
    assert store.sketch_postings([]) == {}
    many = range(-20_000, 20_000)  # more values than one IN (...) list may carry
    assert set(store.sketch_postings(many)) == {a.id, b.id, c.id}
    assert store.sketches([a.id, "missing"]) == {a.id: sorted([*range(1, 11), *big]),
                                                 "missing": []}
    with pytest.raises(StoreError, match="signed 64-bit"):
        store.sketch_postings([2**64])


def test_sketch_postings_can_leave_out_known_copies(store: Store) -> None:
    a, b = doc("a" * 64), doc("b" * 64)
    store.write_batch(store.begin_run("ingest"), [
        item(a, sketch=tuple(range(1, 11))),
        item(b, sketch=tuple(range(1, 11)), duplicate_of=a.id, similarity=1.0)])
    assert store.duplicate_links() == {b.id: a.id}
    assert set(store.sketch_postings(range(1, 11), originals_only=False)) == {a.id, b.id}
    assert set(store.sketch_postings(range(1, 11))) == {a.id}


def test_a_hash_too_common_to_point_to_copies_is_left_out(store: Store,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "COMMON_HASH", 3)
    docs = [doc(f"{n:064x}") for n in range(5)]
    # hash 1 is in every sketch, hash 2 in three of them: as common as allowed
    store.write_batch(store.begin_run("ingest"), [
        item(d, sketch=(1, 10 + n, *((2,) if n < 3 else ()))) for n, d in enumerate(docs)])
    assert store.sketch_postings([1]) == {}
    assert store.sketch_postings([1, 2, 11]) == {docs[0].id: {2}, docs[1].id: {2, 11},
                                                  docs[2].id: {2}}


def test_runs_and_rejections_round_trip(store: Store) -> None:
    first = store.begin_run("ingest", "us-japan", {"path": "corpus", "limit": 5,
                                                   "where": Path("/x")})
    second = store.begin_run("extract")
    assert second > first
    rejections = [Rejection("a.bin", "binary file", "binary"),
                  Rejection("b.jsonl:3", "line 3 is not JSON", "bad-json")]
    result = store.write_batch(first, [], rejections)
    assert result.rejections == 2
    store.finish_run(first, "completed", {"documents": 0, "rejected": 2})
    latest, earlier = store.runs()
    assert (latest.id, latest.kind, latest.status, latest.counts) == \
        (second, "extract", "running", None)
    assert (earlier.id, earlier.status, earlier.dossier) == (first, "completed", "us-japan")
    assert earlier.config == {"path": "corpus", "limit": 5, "where": "/x"}
    assert earlier.counts == {"documents": 0, "rejected": 2}
    assert earlier.finished_at is not None and earlier.finished_at >= earlier.started_at
    assert earlier.started_at.tzinfo == UTC
    assert store.get_run(first) == earlier
    assert store.runs(limit=1) == [latest]
    assert store.rejections(first) == rejections
    assert store.rejections(second) == []
    assert store.rejections() == rejections
    with pytest.raises(StoreError, match="no run 12345"):
        store.finish_run(12345, "failed")
    with pytest.raises(StoreError, match="'completed' or 'failed'"):
        store.finish_run(first, "done")
    with pytest.raises(StoreError, match="no run 777"):
        store.get_run(777)


def test_stats(filled: Store) -> None:
    stats = filled.stats()
    assert (stats.documents, stats.duplicates, stats.observations, stats.events, stats.runs,
            stats.rejections) == (2, 0, 3, 2, 1, 0)


# ----------------------------------------------------------------------------- search


@pytest.fixture
def searchable(filled: Store) -> Store:
    filled.write_batch(filled.begin_run("ingest"), [item(DEFENCE)])
    return filled


def test_search_plain_words_with_stemming(searchable: Store) -> None:
    hits = searchable.search("tariffs")  # stemmed to match "tariff"
    assert [h.doc_id for h in hits] == [TRADE.id]
    assert hits[0].title == TRADE.title and hits[0].external_id == "wire-001"
    assert f"{MARK_START}tariff{MARK_END}" in hits[0].snippet
    assert {h.doc_id for h in searchable.search("Japan")} == {TRADE.id, HNS.id}
    assert searchable.search("japan troops")[0].doc_id == HNS.id
    assert searchable.search("zeppelin") == []
    assert searchable.search("   ") == []
    assert searchable.search("tariff", limit=0) == []


def test_search_phrase(searchable: Store) -> None:
    # DEFENCE has "host", "nation" and "support" too, but not in sequence.
    assert {h.doc_id for h in searchable.search("host nation support")} == {HNS.id, DEFENCE.id}
    assert [h.doc_id for h in searchable.search('"host nation support"')] == [HNS.id]


def test_search_or_and_exclusion(searchable: Store) -> None:
    assert {h.doc_id for h in searchable.search("tariff or troops")} == {TRADE.id, HNS.id}
    assert [h.doc_id for h in searchable.search("japan -tariff")] == [HNS.id]


HOSTILE_QUERIES = [
    "host-nation", '"unbalanced', "AND OR NOT", "col:x", "*", "title:tariff", "NEAR(a b)",
    "(tariff", "tariff)", "'", "\\", "-", "--", "^tariff", 'tariff"', '""', '"', "a OR",
    "OR a", "-tariff", "tariff*", "日本 関税", "x\x00y", "1.6% of GDP", "$550", "{a}", "a:b:c",
    "';DROP TABLE documents;--", "tariff AND", "NOT tariff", "+tariff", "a & b | !c <-> d",
]


def test_search_survives_hostile_syntax(searchable: Store) -> None:
    for query in HOSTILE_QUERIES:
        hits = searchable.search(query)
        assert isinstance(hits, list), query
    assert searchable.count_documents() == 3


def test_search_hostile_syntax_still_finds_the_words(searchable: Store) -> None:
    assert HNS.id in {h.doc_id for h in searchable.search("host-nation")}
    assert [h.doc_id for h in searchable.search('"troops')] == [HNS.id]
    assert [h.doc_id for h in searchable.search("tariff:")] == [TRADE.id]
    assert [h.doc_id for h in searchable.search("(pledged)")] == [TRADE.id]


def test_search_ranking(store: Store) -> None:
    strong = doc("f1" * 32, "Tariff talk. The tariff rose. Another tariff loomed over autos.",
                 title="Tariff")
    weak = doc("f2" * 32, "A long report on the alliance, troops, bases, exercises, budgets, "
               "summits, phone calls and, briefly, a tariff among many other subjects.",
               title="Alliance review")
    store.write_batch(store.begin_run("ingest"), [item(weak), item(strong)])
    hits = store.search("tariff")
    assert [h.doc_id for h in hits] == [strong.id, weak.id]
    assert hits[0].score > hits[1].score > 0


def test_search_index_follows_updates_and_deletes(filled: Store) -> None:
    with filled.engine.begin() as conn:
        conn.execute(text("UPDATE documents SET title = 'Zeppelin review' WHERE id = :id"),
                     {"id": HNS.id})
    assert [h.doc_id for h in filled.search("zeppelin")] == [HNS.id]
    with filled.engine.begin() as conn:
        conn.execute(text("DELETE FROM documents WHERE id = :id"), {"id": HNS.id})
    assert filled.search("zeppelin") == [] and filled.search("troops") == []
    assert filled.observations(doc_id=HNS.id) == []  # cascaded
    assert filled.sketches([HNS.id]) == {HNS.id: []}
    if filled.dialect == "sqlite":
        with filled.engine.begin() as conn:
            conn.execute(text("INSERT INTO documents_fts(documents_fts) "
                              "VALUES ('integrity-check')"))
    assert [h.doc_id for h in filled.search("tariff")] == [TRADE.id]


def test_sqlite_search_survives_vacuum(sqlite_url: str) -> None:
    with open_store(sqlite_url) as store:
        store.write_batch(store.begin_run("ingest"), [item(DEFENCE), item(TRADE), item(HNS)])
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM documents WHERE id = :id"), {"id": DEFENCE.id})
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM")
        hits = store.search("troops")
        assert [h.doc_id for h in hits] == [HNS.id]
        assert "troops" in hits[0].snippet


def test_fts5_query_quotes_every_term() -> None:
    assert fts5_query('host-nation "unbalanced') == '"host-nation" AND "unbalanced"'
    assert fts5_query('"host nation support" -china or') == \
        '("host nation support") NOT "china"'
    assert fts5_query("tariff or troops japan") == '("tariff" OR "troops") AND "japan"'
    assert fts5_query('say "hi"there') == '"say" AND "hi" AND "there"'
    assert fts5_query("* - ()") is None
    assert fts5_query("-only") is None


# ----------------------------------------------------------------------------- opening


def test_resolve_url_sources_and_rewrites(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    assert resolve_url().render_as_string() == "sqlite:///bilateral.db"
    monkeypatch.setenv("BILATERAL_DB", "postgresql://me:secret@db.example:5433/news")
    from_env = resolve_url()
    assert from_env.drivername == "postgresql+psycopg"
    assert (from_env.host, from_env.port, from_env.database, from_env.password) == \
        ("db.example", 5433, "news", "secret")
    assert resolve_url("postgres://u@h/d").drivername == "postgresql+psycopg"
    assert resolve_url("postgresql+psycopg://u@h/d").drivername == "postgresql+psycopg"
    assert resolve_url("sqlite:///x.db").database == "x.db"  # the argument beats the env var
    odd = tmp_path / "my store?#%.sqlite"
    assert resolve_url(str(odd)).database == str(odd)
    assert resolve_url(odd).database == str(odd)
    assert resolve_url("data/news.DB").drivername == "sqlite"
    assert resolve_url(":memory:").database is None
    for bad in ("notes.txt", "   ", "folder/"):
        with pytest.raises(StoreError):
            resolve_url(bad)


def test_open_store_from_env_var_and_bare_path(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    path = tmp_path / "from env.db"
    monkeypatch.setenv("BILATERAL_DB", str(path))
    with open_store() as store:
        assert store.url == str(path)
        store.begin_run("ingest")
    assert path.exists()
    with open_store(str(path)) as again:
        assert again.stats().runs == 1
        with again.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BILATERAL_DB")
    with open_store() as default:
        assert default.url == "bilateral.db"
    assert (tmp_path / "bilateral.db").exists()


def test_open_store_in_memory() -> None:
    with open_store(":memory:") as store:
        store.write_batch(store.begin_run("ingest"), standard_batch())
        assert [h.doc_id for h in store.search("troops")] == [HNS.id]


def test_open_store_errors_are_clear(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"folder .* does not exist"):
        open_store(tmp_path / "missing" / "store.db")
    with pytest.raises(StoreError, match="server is running") as info:
        open_store("postgresql://postgres:hunter2@127.0.0.1:1/test")
    assert "hunter2" not in str(info.value)
    with pytest.raises(StoreError, match="unsupported database"):
        open_store("mysql://u@h/d")
    not_a_db = tmp_path / "garbage.db"
    not_a_db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"garbage\.db"):
        open_store(not_a_db)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the extra were not installed
    with pytest.raises(MissingExtra, match=r"pip install 'bilateral\[postgres\]'"):
        open_store("postgresql://u@127.0.0.1/d")


def test_sqlite_engine_waits_for_a_busy_writer(sqlite_url: str) -> None:
    with open_store(sqlite_url) as a, open_store(sqlite_url) as b:
        run = b.begin_run("ingest")
        done = threading.Event()
        result: list[object] = []

        def write() -> None:
            result.append(b.write_batch(run, [item(HNS)]))
            done.set()

        with a._write("holding the lock") as conn:
            conn.execute(text("UPDATE runs SET kind = kind"))
            thread = threading.Thread(target=write)
            thread.start()
            assert not done.wait(0.3)  # b waits for the lock instead of failing
        thread.join(10)
        assert done.is_set() and result[0].new_documents == 1  # type: ignore[attr-defined]


def test_engine_url_for_alembic_without_connection(sqlite_url: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The env.py path used by developers (alembic CLI style): URL from the config."""
    config = store_module._alembic_config(None)
    config.set_main_option("sqlalchemy.url", sqlite_url)
    command.upgrade(config, "head")
    engine = create_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_heads() == ("0008",)
    finally:
        engine.dispose()


def test_version_changes_with_every_batch_even_within_one_run(store: Store) -> None:
    from bilateral.records import Document, Extraction

    before = store.version()
    run = store.begin_run("ingest")
    started = store.version()
    assert started != before
    for n in range(2):
        store.write_batch(run, [(Extraction(Document(id=f"{n:016d}", text=f"Text {n}.")), [],
                                 None, None)])
        assert store.version() != started
        started = store.version()
    store.finish_run(run, "completed")
    assert store.version() != started  # a finished run may hold what it wrote last
    finished = store.version()
    assert store.version() == finished  # nothing written, nothing changed
    store.write_batch(store.begin_run("ingest"), [])
    assert store.version() != finished
