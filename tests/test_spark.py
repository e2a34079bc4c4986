"""``bilateral spark ingest`` on a real local Spark session gives what ``bilateral ingest``
gives on the same files: the same documents, observations, events, duplicate links and
rejections; a second run adds nothing; the Parquet datasets have the store's columns and one
partition per publication month."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pyarrow.dataset as ds
import pytest
from typer.testing import CliRunner

from bilateral.cli import app
from bilateral.dossier import load_dossier
from bilateral.engines.spark import (
    KEY_BUCKETS,
    _scored_pairs,
    candidate_keys,
    link_near_duplicates,
    month_of,
    shared_needed,
    spark_ingest,
    start_session,
)
from bilateral.ingest.identity import similarity
from bilateral.ingest.run import CANDIDATE_SHARED, NEAR_DUPLICATE, ingest
from bilateral.store import open_store
from bilateral.store import schema as t
from spark_corpus import CorpusFiles, write_corpus

pytestmark = [pytest.mark.spark, pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning")]

DOCUMENT_COLUMNS = ("id, title, url, source, published, published_from, external_id, origin, "
                    "duplicate_of, similarity, char_count")


@pytest.fixture(scope="module")
def spark():
    session = start_session("local[2]")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusFiles:
    return write_corpus(tmp_path_factory.mktemp("corpus") / "news", 240)


@pytest.fixture(scope="module")
def ingested(corpus: CorpusFiles, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ingest") / "ingest.db"
    with open_store(f"sqlite:///{path}") as store:
        ingest([corpus.folder], store, load_dossier("us-japan"), batch_size=50)
    return path


@pytest.fixture(scope="module")
def sparked(corpus: CorpusFiles, spark, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("spark")
    report = spark_ingest([str(corpus.folder)], folder / "out", db=f"sqlite:///{folder / 's.db'}",
                          spark=spark, partitions=3)
    return folder, report


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute(sql).fetchall(), key=repr)


def test_the_store_holds_what_ingest_stores(ingested, sparked, corpus):
    folder, report = sparked
    spark_db = folder / "s.db"
    documents = rows(ingested, f"SELECT {DOCUMENT_COLUMNS} FROM documents")
    assert rows(spark_db, f"SELECT {DOCUMENT_COLUMNS} FROM documents") == documents
    # the corpus has what the comparison is about: exact and near copies, JSONL, .txt, .html
    assert len(documents) < corpus.articles
    links = [d for d in documents if d[8] is not None]
    assert len(links) >= 10
    assert {Path(d[7].split(":")[0]).suffix for d in documents} == {".jsonl", ".txt", ".html"}
    assert report.near_duplicates == len(links)
    assert report.documents_new == len(documents)
    for table in ("observations", "events"):
        columns = ", ".join(c.name for c in getattr(t, table).columns)
        expected = rows(ingested, f"SELECT {columns} FROM {table}")
        assert len(expected) > 100
        assert rows(spark_db, f"SELECT {columns} FROM {table}") == expected
    assert rows(spark_db, "SELECT doc_id, hash FROM document_sketches") == rows(
        ingested, "SELECT doc_id, hash FROM document_sketches")
    assert rows(spark_db, "SELECT origin, code, reason FROM rejections") == rows(
        ingested, "SELECT origin, code, reason FROM rejections")
    assert {r.code for r in report.rejections} == {"skipped", "bad-json"}


def test_a_second_run_adds_nothing(sparked, corpus, spark):
    folder, _ = sparked
    spark_db = folder / "s.db"
    before = {table: rows(spark_db, f"SELECT id FROM {table}")
              for table in ("documents", "observations", "events")}
    first = _dataset(folder / "out", "documents")
    again = spark_ingest([str(corpus.folder)], folder / "out", db=f"sqlite:///{spark_db}",
                         spark=spark)
    assert again.documents_new == 0
    assert again.documents_existing == again.documents_read
    for table, ids in before.items():
        assert rows(spark_db, f"SELECT id FROM {table}") == ids
    second = _dataset(folder / "out", "documents")
    assert sorted(second["id"]) == sorted(first["id"])  # replaced, not appended
    assert not [p for p in (folder / "out").iterdir() if p.name.startswith("_staging")]


def _dataset(root: Path, table: str) -> dict[str, list]:
    return ds.dataset(root / table, format="parquet", partitioning="hive").to_table().to_pydict()


def test_the_datasets_have_the_store_columns_and_month_partitions(sparked, ingested):
    folder, _ = sparked
    out = folder / "out"
    for table in ("documents", "observations", "events"):
        dataset = ds.dataset(out / table, format="parquet", partitioning="hive")
        assert dataset.schema.names == [c.name for c in getattr(t, table).columns] + ["month"]
        ids = sorted(dataset.to_table(columns=["id"]).column("id").to_pylist())
        assert ids == [r[0] for r in rows(ingested, f"SELECT id FROM {table} ORDER BY id")]
    months = {p.name for p in (out / "documents").iterdir() if p.is_dir()}
    assert "month=undated" in months
    assert {"month=2025-01", "month=2025-06"} <= months
    documents = _dataset(out, "documents")
    for published, month in zip(documents["published"], documents["month"], strict=True):
        assert month == month_of(published)
    # records sit in the partition of their document
    doc_month = dict(zip(documents["id"], documents["month"], strict=True))
    events = _dataset(out, "events")
    assert all(doc_month[d] == m for d, m in zip(events["doc_id"], events["month"], strict=True))


def test_the_command_writes_parquet_only_and_reports_json(corpus, tmp_path):
    # the CLI starts its own session; the module's one is reused by getOrCreate
    done = CliRunner().invoke(app, ["spark", "ingest", str(corpus.folder / "wire-0.jsonl"),
                                    "--out", str(tmp_path / "out"), "--json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.output)
    assert report["documents_read"] > 50
    assert report["run_id"] is None  # no store was asked for
    assert sorted(report["datasets"]) == ["documents", "events", "observations"]
    assert (tmp_path / "out" / "documents").is_dir()


def test_linking_follows_reading_order_and_skips_copies_as_originals():
    # b copies a; c is close to both, but b is a copy, so c's original is a even when b is
    # the closer; d ties between a and e: the first read wins.
    pairs = [((0, 0), "a", (0, 1), "b", 0.9), ((0, 0), "a", (0, 2), "c", 0.7),
             ((0, 1), "b", (0, 2), "c", 0.95), ((0, 0), "a", (1, 0), "d", 0.8),
             ((0, 3), "e", (1, 0), "d", 0.8)]
    assert link_near_duplicates(pairs) == {"b": ("a", 0.9), "c": ("a", 0.7), "d": ("a", 0.8)}


def _hashes(rng: random.Random, count: int) -> list[int]:
    """``count`` distinct 64-bit signed hashes, as sketches hold."""
    values: set[int] = set()
    while len(values) < count:
        values.add(rng.getrandbits(64) - 2**63)
    return list(values)


def _sketch_pair(rng: random.Random, sizes: tuple[int, int], shared: int, *,
                 shared_smallest: bool) -> tuple[list[int], list[int], list[int]]:
    """Two sketches of ``sizes`` hashes sharing ``shared``, and the shared hashes; those are
    the smallest of all when ``shared_smallest``, anywhere otherwise."""
    values = _hashes(rng, sum(sizes) - shared)
    if shared_smallest:
        values.sort()
    common, a, b = values[:shared], values[shared:sizes[0]], values[sizes[0]:]
    return sorted(common + a), sorted(common + b), common


def test_linked_sketches_share_the_hashes_candidate_keys_count_on():
    rng = random.Random(3)
    linked = 0
    for _ in range(4000):
        sizes = rng.randint(1, 64), rng.randint(1, 64)
        shared = rng.randint(min(sizes) // 2, min(sizes))
        a, b, _ = _sketch_pair(rng, sizes, shared, shared_smallest=rng.random() < 0.5)
        if shared >= CANDIDATE_SHARED and similarity(a, b) >= NEAR_DUPLICATE:
            linked += 1
            assert shared >= max(shared_needed(len(a)), shared_needed(len(b)))
    assert linked > 300  # the check was not vacuous


def test_sketches_sharing_the_needed_hashes_always_share_a_candidate_key():
    # Keys come from the front of a sketch in the run's order, so the worst case is the
    # fewest shared hashes, last in the order, the first KEY_BUCKETS of them in distinct
    # buckets; half the pairs are made so, half at random.
    rng = random.Random(4)
    for _ in range(3000):
        sizes = rng.randint(CANDIDATE_SHARED, 64), rng.randint(CANDIDATE_SHARED, 64)
        needed = max(shared_needed(sizes[0]), shared_needed(sizes[1]))
        if needed > min(sizes):
            continue
        worst = rng.random() < 0.5
        if worst:
            buckets = [*range(KEY_BUCKETS),
                       *(rng.randrange(KEY_BUCKETS) for _ in range(needed - KEY_BUCKETS))]
            common = [bucket + KEY_BUCKETS * n for bucket, n
                      in zip(buckets, rng.sample(range(-2**58, 2**58), needed), strict=True)]
        else:
            common = _hashes(rng, rng.randint(needed, min(sizes)))
        own = _hashes(rng, sum(sizes) - 2 * len(common))
        a, b = own[:sizes[0] - len(common)], own[sizes[0] - len(common):]
        if worst:  # one order for every document: a's own, b's own, then the shared
            order_a, order_b = a + common, b + common
        else:
            rank = {h: rng.random() for h in [*common, *own]}
            order_a = sorted(a + common, key=rank.__getitem__)
            order_b = sorted(b + common, key=rank.__getitem__)
        assert set(candidate_keys(order_a)) & set(candidate_keys(order_b)), (order_a, order_b)


def test_candidates_are_the_pairs_sharing_enough_hashes_not_a_common_hash(spark):
    rng = random.Random(5)
    # short sketches: sharing 16 of 20 hashes, and 15 of 20 (similar enough, 15/25, but
    # short of CANDIDATE_SHARED); full sketches: sharing 39 of 64, the smallest (just over the
    # bar, 39/64), and 38 (just under)
    a16, b16, _ = _sketch_pair(rng, (20, 20), 16, shared_smallest=False)
    a15, b15, _ = _sketch_pair(rng, (20, 20), 15, shared_smallest=False)
    a39, b39, _ = _sketch_pair(rng, (64, 64), 39, shared_smallest=True)
    a38, b38, _ = _sketch_pair(rng, (64, 64), 38, shared_smallest=True)
    assert similarity(a15, b15) >= NEAR_DUPLICATE > similarity(a38, b38)
    sketches = [("a16", a16), ("b16", b16), ("a15", a15), ("b15", b15), ("a39", a39),
                ("b39", b39), ("a38", a38), ("b38", b38)]
    # and 300 documents holding the same 12 hashes, with 52 of their own
    boilerplate = _hashes(rng, 12)
    sketches += [(f"common-{n}", sorted(boilerplate + _hashes(rng, 52))) for n in range(300)]
    frame = spark.createDataFrame([(doc, 0, line, hashes) for line, (doc, hashes)
                                   in enumerate(sketches)],
                                  "id string, rank long, line long, sketch array<bigint>")
    assert sorted(_scored_pairs(frame)) == [((0, 0), "a16", (0, 1), "b16", 16 / 24),
                                            ((0, 4), "a39", (0, 5), "b39", 39 / 64)]
