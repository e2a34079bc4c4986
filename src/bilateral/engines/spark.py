"""``bilateral ingest`` on Apache Spark: the same documents, records and duplicate links, for a
corpus too large for one machine.

    report = spark_ingest(["hdfs://nn/corpus/"], out="hdfs://nn/bilateral/",
                          dossier="us-japan", master="spark://host:7077")

The job, in stages:

1. **List** the inputs on the driver through Hadoop's file system API (local paths,
   ``file://``, ``hdfs://``, ``s3a://``), in the order ``bilateral ingest`` reads them: the
   inputs as given, a folder's files sorted by their path, hidden files left out. Each file
   gets a rank; with the item's place in its file, it orders every document as ingest does.
2. **Read** the files with Spark's ``binaryFile`` source and turn their bytes into Documents
   with the ingest readers (``bilateral.ingest.readers.read_bytes``), on the executors.
3. **Keep the first** of documents with the same content hash (the id), as ingest keeps the
   first it reads and skips the rest as already stored.
4. **Extract** with ``bilateral.extract.Extractor``, a partition at a time (``mapInArrow``,
   Arrow batches in and out, never a row-at-a-time UDF); each executor process builds the
   extractor once per dossier and keeps it (``_EXTRACTORS``).
5. **Link near-duplicates** as ingest does (``bilateral.ingest.run``): a copy and its original
   have bottom-k MinHash sketches sharing at least ``CANDIDATE_SHARED`` hashes and a
   ``bilateral.ingest.identity.similarity`` of at least ``NEAR_DUPLICATE``, which needs more
   shared hashes still (``shared_needed``). Each document emits candidate keys, pairs of
   hashes in one bucket from the rarest part of its sketch (``candidate_keys``; rarest by how
   many sketches of the run hold the hash), made so that two sketches sharing that many hashes
   always have a key in common (by pigeonhole). A join on the keys gives the candidate pairs;
   those whose sketches do share that many hashes are scored. (A join on single hashes would
   pair every two documents holding a common hash: quadratic in the corpus.) Which candidate
   is a document's original depends on which earlier documents are originals themselves, so
   the driver walks the scored pairs (only those over the bar, a small set) in reading order.
6. **Write** the Parquet datasets ``documents/``, ``observations/`` and ``events/`` under
   ``out`` with the store's columns, partitioned by publication month (``month=YYYY-MM``, or
   ``month=undated``), into a staging folder renamed over the old datasets on success; and/or
   **load** the store through ``Store.write_batch`` from the driver, in reading order (an
   original before its copies), where documents already stored are skipped.

Identity stays the content hash, so a second run writes the same datasets and adds nothing
to the store; a failed task is re-run by Spark and its output replaces the failed attempt's.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import combinations
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from bilateral import __version__
from bilateral.dossier import Dossier, load_dossier
from bilateral.errors import EngineError, ExtractionError, InputError
from bilateral.extras import require
from bilateral.ingest.identity import SKETCH_SIZE, similarity, sketch
from bilateral.ingest.readers import (
    DEFAULT_MAX_BYTES,
    SUPPORTED,
    display_path,
    read_bytes,
    skipped_file,
    unsupported_file,
)
from bilateral.ingest.run import CANDIDATE_SHARED, NEAR_DUPLICATE, IngestReport
from bilateral.records import (
    Document,
    Event,
    Extraction,
    Observation,
    Provenance,
    Rejection,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from bilateral.extract import Extractor
    from bilateral.store import Store

__all__ = ["DEFAULT_MASTER", "UNDATED", "SparkIngestReport", "candidate_keys",
           "link_near_duplicates", "shared_needed", "spark_ingest", "start_session"]

#: Where the job runs when neither ``master`` nor ``spark-submit`` says.
DEFAULT_MASTER = "local[2]"
#: The partition of documents (and their records) with no publication month.
UNDATED = "undated"
#: The partition column of every dataset.
PARTITION = "month"
TABLES = ("documents", "observations", "events")
#: Documents loaded into the store per transaction.
LOAD_BATCH = 200
#: Buckets of the candidate keys (a hash's bucket is its value modulo this): among the first
#: ``CANDIDATE_SHARED`` hashes two sketches share, two are in one bucket (pigeonhole). The most
#: buckets that holds for, so the fewest keys a document.
KEY_BUCKETS = CANDIDATE_SHARED - 1

_DOCUMENT_FIELDS = ("id", "text", "title", "url", "source", "published", "published_from",
                    "external_id", "origin")
_READ_SCHEMA = ("rank long, line long, id string, text string, title string, url string, "
                "source string, published string, published_from string, external_id string, "
                "origin string, code string, reason string")
_EXTRACTED_SCHEMA = ("rank long, line long, id string, text string, title string, url string, "
                     "source string, published string, published_from string, "
                     "external_id string, origin string, char_count long, month string, "
                     "sketch array<bigint>, observations string, events string, "
                     "extractor_version string, dossier_sha256 string, code string, "
                     "reason string")
_SCORED_SCHEMA = "a_id string, b_id string, a_rank long, a_line long, b_rank long, " \
                 "b_line long, score double"
_KEYS_SCHEMA = "id string, rank long, line long, first long, second long"
_OBSERVATION_SCHEMA = (
    "array<struct<id:string, doc_id:string, indicator:string, value:double, unit:string, "
    "status:string, when_at:string, quote:string, span_start:bigint, span_end:bigint, "
    "rule:string, actor:string, note:string, extractor_version:string, "
    "dossier_sha256:string>>")
_EVENT_SCHEMA = (
    "array<struct<id:string, doc_id:string, type:string, source:string, target:string, "
    "when_at:string, quote:string, span_start:bigint, span_end:bigint, rule:string, "
    "source_actor:string, target_actor:string, trigger:string, extractor_version:string, "
    "dossier_sha256:string>>")

#: Per executor process: the extractor and its provenance, by the dossier's JSON digest.
_EXTRACTORS: dict[str, tuple[Extractor, Provenance]] = {}


@dataclass
class SparkIngestReport(IngestReport):
    """What one Spark ingest did: ingest's counts, and where the datasets went."""

    out: str | None = None
    master: str | None = None
    partitions: int | None = None
    datasets: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "out": self.out, "master": self.master,
                "partitions": self.partitions, "datasets": self.datasets}


@dataclass(frozen=True)
class _File:
    rank: int
    path: str  # as Hadoop names it: what binaryFile gives back
    origin: str  # as ingest would print it: the input as given, then the path below it
    suffix: str


# ----------------------------------------------------------------------------- the job


def start_session(master: str | None = None, app_name: str = "bilateral spark ingest"
                  ) -> SparkSession:
    """The Spark session of the job: ``master`` if given, else the one ``spark-submit`` set,
    else ``DEFAULT_MASTER``. Local workers run this interpreter, so they import this package."""
    require("spark", "bilateral spark ingest")
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    master = master or SparkConf().get("spark.master", None) or DEFAULT_MASTER
    builder = builder.master(master)
    if master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.ui.enabled", "false")
    builder = (builder.config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
               .config("spark.ui.showConsoleProgress", "false"))
    # PySpark warns about pandas 3 on every Arrow call; this job exchanges Arrow, not pandas
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas",
                            category=FutureWarning)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # no Java, a master that cannot be reached
        raise EngineError(f"Spark could not start on master {master!r}: "
                          f"{_reason(exc)}; check JAVA_HOME (Java 17 or 21) and --master") from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


def spark_ingest(inputs: Sequence[str | os.PathLike[str]], out: str | os.PathLike[str] | None,
                 *, dossier: Dossier | str | Path = "us-japan", master: str | None = None,
                 db: str | Store | None = None, partitions: int | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES,
                 spark: SparkSession | None = None) -> SparkIngestReport:
    """Ingest ``inputs`` on Spark into Parquet datasets under ``out`` and/or the store ``db``.

    ``spark`` is a session to use (its master wins over ``master``); otherwise one is started
    and stays open for the next call in this process. ``partitions`` is how many extraction
    tasks (default: twice the cluster's cores)."""
    require("spark", "bilateral spark ingest")
    if out is None and db is None:
        raise InputError("spark ingest needs somewhere to write: --out PATH for the Parquet "
                         "datasets, --db URL for the store, or both")
    if not inputs:
        raise InputError("spark ingest needs at least one input path")
    if partitions is not None and partitions < 1:
        raise InputError(f"--partitions must be at least 1, not {partitions}")
    loaded = load_dossier(dossier) if isinstance(dossier, str | Path) else dossier
    session = spark or start_session(master)
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    try:
        return _run(session, [os.fspath(i) for i in inputs],
                    None if out is None else os.fspath(out), loaded, db, partitions, max_bytes)
    except (PySparkException, Py4JError) as exc:
        raise EngineError(f"spark ingest on {session.sparkContext.master} failed: "
                          f"{_reason(exc)}") from exc


def _run(spark: SparkSession, inputs: list[str], out: str | None, dossier: Dossier,
         db: str | Store | None, partitions: int | None, max_bytes: int) -> SparkIngestReport:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    sc = spark.sparkContext
    partitions = partitions or 2 * sc.defaultParallelism
    report = SparkIngestReport(out=out, master=sc.master, partitions=partitions)
    # joins and the first-copy window shuffle into as many tasks as extraction has, not 200
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    files, rejected = _list_inputs(spark, inputs)
    report.rejections.extend(rejected)
    started = datetime.now(UTC)
    if files:
        ranks = spark.createDataFrame([(f.path, f.rank, f.origin, f.suffix) for f in files],
                                      "path string, rank long, origin string, suffix string")
        content = spark.read.format("binaryFile").load([f.path for f in files])
        items = (content.select("path", "content").join(F.broadcast(ranks), "path")
                 .mapInArrow(partial(_read_files, max_bytes=max_bytes), _READ_SCHEMA)
                 .persist(StorageLevel.MEMORY_AND_DISK))
    else:
        items = spark.createDataFrame([], _READ_SCHEMA)
    read_rejections = items.where(F.col("id").isNull())
    documents = items.where(F.col("id").isNotNull())
    first = Window.partitionBy("id").orderBy("rank", "line")
    unique = (documents.withColumn("_n", F.row_number().over(first))
              .where(F.col("_n") == 1).drop("_n", "code", "reason"))
    dossier_json = sc.broadcast(dossier.model_dump_json())
    extracted = (unique.repartition(partitions)
                 .mapInArrow(partial(_extract, dossier_json=dossier_json), _EXTRACTED_SCHEMA)
                 .persist(StorageLevel.MEMORY_AND_DISK))
    report.documents_read = documents.count()
    report.rejections.extend(_rejections(read_rejections))
    ok = extracted.where(F.col("code").isNull())
    failed = extracted.where(F.col("code").isNotNull())
    report.rejections.extend(_rejections(failed))
    links = link_near_duplicates(_scored_pairs(ok))
    linked = spark.createDataFrame(
        [(doc, original, score) for doc, (original, score) in links.items()],
        "id string, duplicate_of string, similarity double")
    final = ok.join(F.broadcast(linked), "id", "left")
    report.documents_new = ok.count()
    report.documents_existing = report.documents_read - unique.count()
    report.near_duplicates = len(links)
    counts = ok.select(F.size(F.from_json("observations", _OBSERVATION_SCHEMA)).alias("o"),
                       F.size(F.from_json("events", _EVENT_SCHEMA)).alias("e")
                       ).agg(F.sum("o"), F.sum("e")).first()
    report.observations = int(counts[0] or 0) if counts else 0
    report.events = int(counts[1] or 0) if counts else 0
    run_id: int | None = None
    try:
        if db is not None:
            run_id = _load_store(final, db, dossier, inputs, report)
        if out is not None:
            report.datasets = _write_datasets(spark, final, out, started, run_id)
    finally:
        extracted.unpersist()
        items.unpersist()
    return report


# ----------------------------------------------------------------------------- listing


def _list_inputs(spark: SparkSession, inputs: list[str]) -> tuple[list[_File], list[Rejection]]:
    """The files to read, ranked in ingest's order, and the inputs refused as ingest would."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    files: list[_File] = []
    rejections: list[Rejection] = []
    for raw in inputs:
        path = jvm.org.apache.hadoop.fs.Path(raw)
        fs = path.getFileSystem(conf)
        if not fs.exists(path):
            rejections.append(Rejection(_origin(raw, ()), "no such file or folder", "missing"))
            continue
        status = fs.getFileStatus(path)
        if status.isFile():
            suffix = PurePosixPath(path.getName()).suffix
            if suffix.lower() in SUPPORTED:
                files.append(_File(len(files), status.getPath().toString(), _origin(raw, ()),
                                   suffix.lower()))
            else:
                rejections.append(unsupported_file(_origin(raw, ()), suffix))
            continue
        base = PurePosixPath(fs.makeQualified(path).toUri().getPath())
        found = []
        listing = fs.listFiles(path, True)
        while listing.hasNext():
            child = listing.next().getPath()
            parts = PurePosixPath(child.toUri().getPath()).relative_to(base).parts
            if not any(part.startswith(".") for part in parts):
                found.append((parts, child.toString()))
        for parts, name in sorted(found):  # as pathlib sorts paths: part by part
            suffix = PurePosixPath(parts[-1]).suffix
            if suffix.lower() in SUPPORTED:
                files.append(_File(len(files), name, _origin(raw, parts), suffix.lower()))
            else:
                # a skipped file is reported where ingest reports it: in reading order
                rejections.append(skipped_file(_origin(raw, parts), suffix))
    return files, rejections


def _origin(raw: str, parts: tuple[str, ...]) -> str:
    """How ingest names a file: a local path as pathlib prints it, a URI as given."""
    if "://" in raw or raw.startswith("file:"):
        return "/".join([raw.rstrip("/"), *parts]) if parts else raw
    return display_path(Path(raw).joinpath(*parts))


# ----------------------------------------------------------------------------- executors


def _read_files(batches: Iterable[pa.RecordBatch], *, max_bytes: int
                ) -> Iterator[pa.RecordBatch]:
    """Files' bytes to documents and rejections, each with its place in reading order."""
    for batch in batches:
        rows: list[dict[str, Any]] = []
        for file in batch.to_pylist():
            for line, item in enumerate(read_bytes(file["content"], file["origin"],
                                                   file["suffix"], max_bytes=max_bytes)):
                row: dict[str, Any] = {"rank": file["rank"], "line": line}
                if isinstance(item.result, Document):
                    row.update({name: getattr(item.result, name) for name in _DOCUMENT_FIELDS})
                else:
                    row.update(origin=item.result.origin, code=item.result.code,
                               reason=item.result.reason)
                rows.append(row)
        if rows:
            yield pa.RecordBatch.from_pylist(rows, schema=_arrow(_READ_SCHEMA))


def _extractor(dossier_json: str) -> tuple[Extractor, Provenance]:
    """This process's extractor for the dossier, built on first use and kept."""
    import hashlib

    key = hashlib.sha256(dossier_json.encode("utf-8")).hexdigest()
    if key not in _EXTRACTORS:
        from bilateral.extract import Extractor
        from bilateral.extract.provenance import provenance

        dossier = Dossier.model_validate_json(dossier_json)
        extractor = Extractor(dossier)
        _EXTRACTORS[key] = (extractor, provenance(extractor, dossier))
    return _EXTRACTORS[key]


def _extract(batches: Iterable[pa.RecordBatch], *, dossier_json: Any
             ) -> Iterator[pa.RecordBatch]:
    """Documents to their records (as the store's rows, JSON) and sketches; a document the
    extractor refuses becomes a rejection, as in ingest."""
    from bilateral.extract.pipeline import rejection
    from bilateral.store import event_id, observation_id

    extractor, stamp = _extractor(dossier_json.value)
    for batch in batches:
        rows = []
        for row in batch.to_pylist():
            document = Document(**{name: row[name] for name in _DOCUMENT_FIELDS})
            out: dict[str, Any] = {"rank": row["rank"], "line": row["line"],
                                   **{name: row[name] for name in _DOCUMENT_FIELDS}}
            try:
                extraction = extractor.extract(document)
            except ExtractionError as exc:
                refused = rejection(document, exc)
                out.update(code=refused.code, reason=refused.reason, origin=refused.origin)
                rows.append(out)
                continue
            out.update(
                char_count=len(document.text), month=month_of(document.published),
                sketch=sketch(document.text),
                observations=json.dumps([_observation_row(o, stamp, observation_id(o))
                                         for o in extraction.observations]),
                events=json.dumps([_event_row(e, stamp, event_id(e))
                                   for e in extraction.events]),
                extractor_version=stamp.extractor_version, dossier_sha256=stamp.dossier_sha256)
            rows.append(out)
        if rows:
            yield pa.RecordBatch.from_pylist(rows, schema=_arrow(_EXTRACTED_SCHEMA))


def _keys(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Each document's candidate keys, from its hashes in the run's order (rarest first)."""
    for batch in batches:
        rows = [{"id": doc["id"], "rank": doc["rank"], "line": doc["line"], "first": first,
                 "second": second}
                for doc in batch.to_pylist() for first, second in candidate_keys(doc["hashes"])]
        if rows:
            yield pa.RecordBatch.from_pylist(rows, schema=_arrow(_KEYS_SCHEMA))


def _score(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Candidate pairs with ingest's similarity of their sketches; only those over the bar."""
    for batch in batches:
        rows = []
        for pair in batch.to_pylist():
            score = similarity(pair.pop("a_sketch"), pair.pop("b_sketch"))
            if score >= NEAR_DUPLICATE:
                rows.append({**pair, "score": score})
        if rows:
            yield pa.RecordBatch.from_pylist(rows, schema=_arrow(_SCORED_SCHEMA))


# ----------------------------------------------------------------------------- linking


def shared_needed(size: int) -> int:
    """The fewest hashes a sketch of ``size`` hashes shares with a sketch it is linked to:
    ``CANDIDATE_SHARED``, or more where ``similarity`` needs more to reach ``NEAR_DUPLICATE``.
    Similarity counts shared hashes among the union's ``SKETCH_SIZE`` smallest, of which there
    are at least ``min(size, SKETCH_SIZE)``; the bar is tested as similarity tests it, in
    floating point, so the count is never one too many."""
    bottom = min(size, SKETCH_SIZE)
    if bottom == 0:
        return CANDIDATE_SHARED
    least = next(count for count in range(bottom + 1) if count / bottom >= NEAR_DUPLICATE)
    return max(CANDIDATE_SHARED, least)


def candidate_keys(hashes: Sequence[int]) -> list[tuple[int, int]]:
    """A document's candidate keys: every two of its first ``len(hashes) - needed +
    KEY_BUCKETS + 1`` hashes that are in one bucket, as (smaller, larger), where ``needed``
    is ``shared_needed(len(hashes))``. ``hashes`` is the sketch in an order every document
    shares; rarest first makes rare keys.

    Two sketches sharing at least ``needed`` of either's hashes (as every linked pair does)
    have a key in common: of their shared hashes in that order, the first ``KEY_BUCKETS + 1``
    hold two in one bucket (pigeonhole), and at least ``needed - KEY_BUCKETS - 1`` shared
    hashes follow the later of the two in either sketch, so both are within its first
    ``len - needed + KEY_BUCKETS + 1``. A sketch shorter than ``needed`` links to none."""
    needed = shared_needed(len(hashes))
    if len(hashes) < needed:
        return []
    buckets: dict[int, list[int]] = {}
    for value in hashes[:len(hashes) - needed + KEY_BUCKETS + 1]:
        buckets.setdefault(value % KEY_BUCKETS, []).append(value)
    return [pair for members in buckets.values() for pair in combinations(sorted(members), 2)]


def _scored_pairs(ok: DataFrame) -> list[tuple[tuple[int, int], str, tuple[int, int], str,
                                               float]]:
    """Every pair (earlier, later) whose sketches share ``CANDIDATE_SHARED`` hashes and whose
    similarity reaches ``NEAR_DUPLICATE``: the pairs with a candidate key in common, scored.
    Hashes are ordered by how many sketches hold them, so keys pair rare hashes and a hash
    every document holds (a boilerplate line's) pairs no documents by itself."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    # a window, not a join with the counts: Spark takes an exploded frame for the size of
    # the frame, so it would broadcast the postings, SKETCH_SIZE times larger than it thinks
    held = F.count(F.lit(1)).over(Window.partitionBy("hash"))
    ordered = (ok.select("id", "rank", "line", F.explode("sketch").alias("hash"))
               .withColumn("held", held).groupBy("id", "rank", "line")
               .agg(F.sort_array(F.collect_list(F.struct("held", "hash"))).alias("order"))
               .select("id", "rank", "line", F.col("order.hash").alias("hashes")))
    keys = ordered.mapInArrow(_keys, _KEYS_SCHEMA)
    a, b = keys.alias("a"), keys.alias("b")
    earlier = (F.col("a.rank") < F.col("b.rank")) | (
        (F.col("a.rank") == F.col("b.rank")) & (F.col("a.line") < F.col("b.line")))
    # both sides hold every key: shuffled, never broadcast, whatever size Spark guesses
    pairs = (a.join(b.hint("merge"), (F.col("a.first") == F.col("b.first"))
                    & (F.col("a.second") == F.col("b.second")) & earlier)
             .select(F.col("a.id").alias("a_id"), F.col("b.id").alias("b_id"),
                     F.col("a.rank").alias("a_rank"), F.col("a.line").alias("a_line"),
                     F.col("b.rank").alias("b_rank"), F.col("b.line").alias("b_line"))
             .distinct())
    # only pairs sharing the hashes a link needs (so CANDIDATE_SHARED, as ingest compares)
    # go on to Python to be scored
    needed = F.array(*[F.lit(shared_needed(size)) for size in range(SKETCH_SIZE + 1)])
    sketches = ok.select("id", "sketch", F.element_at(
        needed, F.least(F.size("sketch"), F.lit(SKETCH_SIZE)) + 1).alias("needed"))
    with_sketches = (pairs
                     .join(sketches.withColumnsRenamed({"id": "a_id", "sketch": "a_sketch",
                                                        "needed": "a_needed"}), "a_id")
                     .join(sketches.withColumnsRenamed({"id": "b_id", "sketch": "b_sketch",
                                                        "needed": "b_needed"}), "b_id")
                     .where(F.size(F.array_intersect("a_sketch", "b_sketch"))
                            >= F.greatest("a_needed", "b_needed"))
                     .select("a_id", "b_id", "a_rank", "a_line", "b_rank", "b_line",
                             "a_sketch", "b_sketch"))
    return [((r.a_rank, r.a_line), r.a_id, (r.b_rank, r.b_line), r.b_id, r.score)
            for r in with_sketches.mapInArrow(_score, _SCORED_SCHEMA).collect()]


def link_near_duplicates(pairs: Iterable[tuple[Any, str, Any, str, float]]
                         ) -> dict[str, tuple[str, float]]:
    """Each copy's original and rounded similarity, decided as ingest decides: in reading
    order, a document's original is the most similar earlier document over the bar that is
    an original itself (the first read, on a tie).

    ``pairs`` are (earlier's order key, earlier id, later's order key, later id, similarity),
    only those over ``NEAR_DUPLICATE``."""
    by_later: dict[str, list[tuple[Any, str, float]]] = {}
    order: dict[str, Any] = {}
    for a_key, a_id, b_key, b_id, score in pairs:
        by_later.setdefault(b_id, []).append((a_key, a_id, score))
        order[b_id] = b_key
    links: dict[str, tuple[str, float]] = {}
    for doc_id in sorted(by_later, key=order.__getitem__):
        best: tuple[str | None, float] = (None, 0.0)
        for _, other, score in sorted(by_later[doc_id]):
            if other not in links and score >= NEAR_DUPLICATE and score > best[1]:
                best = (other, score)
        if best[0] is not None:
            links[doc_id] = (best[0], round(best[1], 3))
    return links


# ----------------------------------------------------------------------------- output


def month_of(published: str | None) -> str:
    """The partition of a publication date: ``YYYY-MM``, or ``undated`` without a month."""
    return published[:7] if published and len(published) >= 7 else UNDATED


def _write_datasets(spark: SparkSession, final: DataFrame, out: str, started: datetime,
                    run_id: int | None) -> dict[str, str]:
    """The three datasets, written to a staging folder and renamed over the old ones, so a
    failed run leaves the last good datasets and a repeated one the same rows."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType

    from bilateral.store import schema

    documents = (final.withColumn("ingested_at", F.lit(started))
                 .withColumn("run_id", F.lit(run_id).cast(LongType()))
                 .select(*[c.name for c in schema.documents.columns], PARTITION))
    observations = (final.select(F.explode(F.from_json("observations", _OBSERVATION_SCHEMA))
                                 .alias("r"), PARTITION)
                    .select(*[F.col(f"r.{c.name}").alias(c.name)
                              for c in schema.observations.columns], PARTITION))
    events = (final.select(F.explode(F.from_json("events", _EVENT_SCHEMA)).alias("r"),
                           PARTITION)
              .select(*[F.col(f"r.{c.name}").alias(c.name) for c in schema.events.columns],
                      PARTITION))
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    root = jvm.org.apache.hadoop.fs.Path(out)
    fs = root.getFileSystem(conf)
    staging = jvm.org.apache.hadoop.fs.Path(root, f"_staging-{uuid.uuid4().hex}")
    try:
        for table, frame in zip(TABLES, (documents, observations, events), strict=True):
            (frame.repartition(PARTITION).write.mode("overwrite").partitionBy(PARTITION)
             .parquet(jvm.org.apache.hadoop.fs.Path(staging, table).toString()))
        written = {}
        for table in TABLES:
            target = jvm.org.apache.hadoop.fs.Path(root, table)
            if fs.exists(target) and not fs.delete(target, True):
                raise EngineError(f"spark ingest could not replace {target.toString()}; "
                                  f"the new dataset is in {staging.toString()}")
            if not fs.rename(jvm.org.apache.hadoop.fs.Path(staging, table), target):
                raise EngineError(f"spark ingest could not move its {table} dataset to "
                                  f"{target.toString()}; it is in {staging.toString()}")
            written[table] = target.toString()
    finally:
        if fs.exists(staging):
            fs.delete(staging, True)
    return written


def _load_store(final: DataFrame, db: str | Store, dossier: Dossier, inputs: list[str],
                report: SparkIngestReport) -> int:
    """Write the documents into the store through its bulk path, in reading order (an
    original before its copies), a batch a transaction; stored documents are skipped."""
    from bilateral.extract.provenance import dossier_sha256
    from bilateral.store import BatchItem, Store, open_store

    store = db if isinstance(db, Store) else open_store(db)
    run_id = store.begin_run("spark-ingest", dossier.id, {
        "inputs": inputs, "out": report.out, "master": report.master,
        "partitions": report.partitions, "dossier_sha256": dossier_sha256(dossier),
        "version": __version__})
    report.run_id = run_id
    status, reason, new, existing = "failed", None, 0, 0
    try:
        rows = final.orderBy("rank", "line").toLocalIterator()
        batch: list[BatchItem] = []
        rejections = list(report.rejections)
        stamp = Provenance()
        for row in rows:
            stamp = Provenance(row["extractor_version"], row["dossier_sha256"])
            batch.append(BatchItem(_extraction(row), row["sketch"], row["duplicate_of"],
                                   row["similarity"]))
            if len(batch) >= LOAD_BATCH:
                result = store.write_batch(run_id, batch, rejections, stamp)
                new, existing = new + result.new_documents, existing + result.skipped_existing
                batch, rejections = [], []
        if batch or rejections:
            result = store.write_batch(run_id, batch, rejections, stamp)
            new, existing = new + result.new_documents, existing + result.skipped_existing
        report.documents_new = new
        report.documents_existing += existing
        status = "completed"
    except BaseException as exc:
        reason = f"{type(exc).__name__}: {exc}"[:500]
        raise
    finally:
        store.finish_run(run_id, status, {k: v for k, v in report.as_dict().items()
                                          if isinstance(v, int)}, reason=reason)
        if not isinstance(db, Store):
            store.close()
    return run_id


def _extraction(row: Any) -> Extraction:
    document = Document(**{name: row[name] for name in _DOCUMENT_FIELDS})
    return Extraction(
        document,
        tuple(Observation(doc_id=o["doc_id"], indicator=o["indicator"], value=o["value"],
                          unit=o["unit"], status=o["status"], when=o["when_at"],
                          quote=o["quote"], start=o["span_start"], end=o["span_end"],
                          rule=o["rule"], actor=o["actor"], note=o["note"])
              for o in json.loads(row["observations"])),
        tuple(Event(doc_id=e["doc_id"], type=e["type"], source=e["source"],
                    target=e["target"], when=e["when_at"], quote=e["quote"],
                    start=e["span_start"], end=e["span_end"], rule=e["rule"],
                    source_actor=e["source_actor"], target_actor=e["target_actor"],
                    trigger=e["trigger"])
              for e in json.loads(row["events"])))


def _observation_row(o: Observation, stamp: Provenance, record_id: str) -> dict[str, Any]:
    """An observation in the store's columns (``bilateral.store.schema.observations``)."""
    return {"id": record_id, "doc_id": o.doc_id, "indicator": o.indicator,
            "value": float(o.value), "unit": o.unit, "status": o.status, "when_at": o.when,
            "quote": o.quote, "span_start": o.start, "span_end": o.end, "rule": o.rule,
            "actor": o.actor, "note": o.note, **asdict(stamp)}


def _event_row(e: Event, stamp: Provenance, record_id: str) -> dict[str, Any]:
    """An event in the store's columns (``bilateral.store.schema.events``)."""
    return {"id": record_id, "doc_id": e.doc_id, "type": e.type, "source": e.source,
            "target": e.target, "when_at": e.when, "quote": e.quote, "span_start": e.start,
            "span_end": e.end, "rule": e.rule, "source_actor": e.source_actor,
            "target_actor": e.target_actor, "trigger": e.trigger, **asdict(stamp)}


def _rejections(frame: DataFrame) -> list[Rejection]:
    return [Rejection(r.origin, r.reason, r.code)
            for r in frame.orderBy("rank", "line").select("origin", "reason", "code").collect()]


def _arrow(ddl: str) -> pa.Schema:
    """The Arrow schema of one of this module's Spark DDL schemas."""
    kinds = {"long": pa.int64(), "string": pa.string(), "double": pa.float64(),
             "array<bigint>": pa.list_(pa.int64())}
    return pa.schema([pa.field(name, kinds[kind]) for name, kind in
                      (column.strip().split(" ", 1) for column in ddl.split(","))])


def _reason(exc: BaseException) -> str:
    """The first line of an engine's error, without the Java stack."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:500]
