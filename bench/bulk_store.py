"""Bulk loader: a PostgreSQL store of a million documents in minutes, not one request at a time.

Each document joins thirds of three distinct examples (each example's paragraphs rotated, so its
thirds fall elsewhere), as brief_timing.write_mixed_corpus does, and is published on a day of a
decade. Its records are recombined, not extracted again: every piece (example, rotation, third)
is extracted once, alone, at its example's publication date; a document's observations and
events are those of its three pieces, with spans moved to where the piece stands in the new text
and times moved as far as the publication date moved (a day by days, a month by months, a year
by years). Ids, sketches and content ids are the store's own. Rows go in with COPY from parallel
processes, with the keys, indexes and foreign keys dropped and recreated afterwards exactly as
the migrations make them; the sketches go in last, all at once, sorted as their index wants.

No document is linked as a near-duplicate (duplicate_of stays NULL), although with 258 pieces
many pairs share two of their three thirds and would be linked by ingest (it linked 93% of
20,000 such documents): --check counts how many of a sample have a near copy.

    python bench/bulk_store.py --docs 20000 --schema bilateral_bulk_small     # build
    python bench/bulk_store.py --schema bilateral_bulk_small --check          # sample checks
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import itertools
import math
import re
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import numpy as np
import psycopg
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).parent))
from ingest_throughput import example_documents

from bilateral import __version__
from bilateral.dossier import load_dossier
from bilateral.extract import Extractor
from bilateral.extract.provenance import dossier_sha256, provenance
from bilateral.ingest.identity import SHINGLE, SKETCH_SIZE, content_id, normalise, similarity
from bilateral.ingest.identity import sketch as real_sketch
from bilateral.ingest.run import NEAR_DUPLICATE
from bilateral.records import Document, Event, Observation
from bilateral.store import event_id, observation_id, open_store, resolve_url
from bilateral.store.answers import ALL

KIND = "bulk-load"
DOSSIER = "us-japan"
CHUNK = 10_000  # documents per COPY transaction; also what an interrupted build resumes by
TABLES = ("documents", "document_sketches", "observations", "events")
#: Publication days: a decade that ends before today, since the store refuses future dates.
FIRST_DAY, LAST_DAY = dt.date(2016, 12, 1), dt.date(2026, 11, 30)
DAYS = (LAST_DAY - FIRST_DAY).days + 1
DAY_STRIDE = 7919  # prime, coprime to DAYS: consecutive documents land years apart
CHECK_EVERY = 997  # every so many documents, the sketch is also computed the slow way
PROGRESS_SECONDS = 15
#: Index builds sort in memory up to this much: 64 million sketch rows take 5.6 GB, and sorted
#: in memory their (hash, doc_id) index takes 34 s where spilling to disk took 188 s. The two
#: sketch indexes are built at once, so the machine needs twice this free (it has 24 GiB).
SKETCH_SORT_MEMORY = "6GB"
INDEX_SORT_MEMORY = "1GB"
HEARTBEAT_SECONDS = 60
_WORD = re.compile(r"\w+")  # as bilateral.ingest.identity splits words

DOCUMENT_COLUMNS = ("id", "text", "title", "url", "source", "published", "published_from",
                    "external_id", "origin", "duplicate_of", "similarity", "char_count",
                    "ingested_at", "run_id")
OBSERVATION_COLUMNS = ("id", "doc_id", "indicator", "value", "unit", "status", "when_at",
                       "quote", "span_start", "span_end", "rule", "actor", "note",
                       "extractor_version", "dossier_sha256")
EVENT_COLUMNS = ("id", "doc_id", "type", "source", "target", "when_at", "quote", "span_start",
                 "span_end", "rule", "source_actor", "target_actor", "trigger",
                 "extractor_version", "dossier_sha256")


def note(message: str) -> None:
    """Progress, on standard error, a line at a time (threads print too)."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def schema_url(db: str, schema: str) -> str:
    """The URL of ``schema`` in ``db``: the schema is chosen by the connection's search path."""
    scoped = resolve_url(db).update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False)


def connect(db: str, schema: str, autocommit: bool = False) -> psycopg.Connection[Any]:
    """A psycopg connection whose search path is ``schema``."""
    plain = resolve_url(db).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(plain, options=f"-csearch_path={schema}", autocommit=autocommit)


# --- the pieces ---------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Piece:
    """A third of a rotated example with its records, extracted once and reused everywhere."""

    text: str
    escaped: str  # the text as COPY's text format wants it
    example: int
    published: dt.date  # the example's: the day its records were extracted at
    normal: str  # normalise(text): the content id of a document is over these, spaced
    words: tuple[str, ...]  # the sketch's words, for the shingles across piece boundaries
    bottom: tuple[int, ...]  # the SKETCH_SIZE smallest hashes of the shingles inside the piece
    observations: tuple[Observation, ...]  # spans within the piece
    events: tuple[Event, ...]
    # the records' COPY fields that no document changes: before the time, after the spans
    observation_rows: tuple[tuple[str, str, str], ...]
    event_rows: tuple[tuple[str, str, str], ...]


@dataclasses.dataclass(frozen=True)
class Catalogue:
    """The pieces, which of them may stand in each third, and each example's title, source
    and address (a document takes its first third's)."""

    pieces: tuple[Piece, ...]
    positions: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]
    titles: tuple[tuple[str | None, str | None, str | None], ...]  # (title, source, url)
    examples: int


def distinct_examples() -> list[Document]:
    """The bundled examples less those that nearly copy an earlier one (a syndicated copy),
    whose thirds would make every document holding them a near-duplicate of another."""
    kept: list[tuple[Document, list[int]]] = []
    for document in example_documents():
        own = real_sketch(document.text)
        if all(similarity(own, other) < NEAR_DUPLICATE for _, other in kept):
            kept.append((document, own))
    return [document for document, _ in kept]


def catalogue(extractor: Extractor) -> Catalogue:
    """Every distinct (example, rotation, third) piece, extracted once."""
    examples = distinct_examples()
    stamp = provenance(extractor, extractor.dossier)
    tail = f"{_field(stamp.extractor_version)}\t{_field(stamp.dossier_sha256)}"
    pieces: list[Piece] = []
    index: dict[str, int] = {}
    positions: tuple[list[int], list[int], list[int]] = ([], [], [])
    for number, example in enumerate(examples):
        if not example.published or len(example.published) != 10:
            raise SystemExit(f"example {example.label} has no publication day")
        lines = [line for line in example.text.splitlines() if line.strip()]
        size = -(-len(lines) // 3)
        for turn in range(len(lines)):
            rotated = lines[turn:] + lines[:turn]
            for part in range(3):
                piece_text = "\n".join(rotated[part * size:(part + 1) * size]).strip()
                if not piece_text:
                    continue  # four paragraphs make an empty last third
                if piece_text not in index:
                    index[piece_text] = len(pieces)
                    pieces.append(_piece(extractor, example, number, piece_text, tail))
                if index[piece_text] not in positions[part]:
                    positions[part].append(index[piece_text])
    return Catalogue(pieces=tuple(pieces),
                     positions=(tuple(positions[0]), tuple(positions[1]), tuple(positions[2])),
                     titles=tuple((e.title, e.source, e.url) for e in examples),
                     examples=len(examples))


def _piece(extractor: Extractor, example: Document, number: int, piece_text: str,
           tail: str) -> Piece:
    """``tail``: the provenance fields that end each record's COPY row."""
    alone = Document(id=content_id(piece_text), text=piece_text, title=example.title,
                     source=example.source, published=example.published,
                     published_from="metadata")
    found = extractor.extract(alone)
    words = tuple(_WORD.findall(normalise(piece_text).casefold()))
    inside = {_hash64(" ".join(words[i:i + SHINGLE])) for i in range(len(words) - SHINGLE + 1)}
    return Piece(
        text=piece_text, escaped=_escape(piece_text), example=number,
        published=dt.date.fromisoformat(example.published), normal=normalise(piece_text),
        words=words, bottom=tuple(sorted(inside)[:SKETCH_SIZE]),
        observations=found.observations, events=found.events,
        observation_rows=tuple((
            "\t".join((_field(o.indicator), repr(float(o.value)), _field(o.unit),
                       _field(o.status))),
            _field(o.quote),
            "\t".join((_field(o.rule), _field(o.actor), _field(o.note), tail)))
            for o in found.observations),
        event_rows=tuple((
            "\t".join((_field(e.type), _field(e.source), _field(e.target))),
            _field(e.quote),
            "\t".join((_field(e.rule), _field(e.source_actor), _field(e.target_actor),
                       _field(e.trigger), tail)))
            for e in found.events))


def _hash64(value: str) -> int:
    """As bilateral.ingest.identity hashes a shingle (the sample check compares the two)."""
    digest = hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


# --- the documents ------------------------------------------------------------------------------

def plan(cat: Catalogue, total: int) -> list[tuple[int, int, int]]:
    """The pieces of the first ``total`` documents: (first, middle, last) third, of three
    distinct examples, no two documents made of the same pieces (in any order, which would
    make the same shingles). Candidates are taken through the product of the three positions'
    pieces with a stride, so consecutive documents share no piece."""
    sizes = [len(p) for p in cat.positions]
    space = math.prod(sizes)
    stride = 1_000_003
    while math.gcd(stride, space) != 1:
        stride += 2
    made: list[tuple[int, int, int]] = []
    seen: set[tuple[int, ...]] = set()
    for step in range(space):
        i = step * stride % space
        first = cat.positions[0][i % sizes[0]]
        middle = cat.positions[1][i // sizes[0] % sizes[1]]
        last = cat.positions[2][i // (sizes[0] * sizes[1])]
        if len({cat.pieces[p].example for p in (first, middle, last)}) < 3:
            continue
        key = tuple(sorted((first, middle, last)))
        if key in seen:
            continue
        seen.add(key)
        made.append((first, middle, last))
        if len(made) == total:
            return made
    raise SystemExit(f"the examples make only {len(made):,} distinct documents")


def published(number: int) -> dt.date:
    return FIRST_DAY + dt.timedelta(days=number * DAY_STRIDE % DAYS)


def moved(when: str | None, days: int, months: int, years: int) -> str | None:
    """A record's time moved as far as its document's publication moved, at its precision."""
    if when is None:
        return None
    if len(when) == 10:
        return (dt.date.fromisoformat(when) + dt.timedelta(days=days)).isoformat()
    if len(when) == 7:
        month = int(when[:4]) * 12 + int(when[5:]) - 1 + months
        return f"{month // 12:04d}-{month % 12 + 1:02d}"
    if len(when) == 4:
        return f"{int(when) + years:04d}"
    raise ValueError(f"a time the store does not keep: {when!r}")


def fast_sketch(parts: Sequence[Piece]) -> list[int]:
    """``sketch`` of the pieces joined by newlines, from their own smallest hashes and the
    shingles across their boundaries: the smallest hashes of a union are among the smallest
    of its parts."""
    edge = SHINGLE - 1
    if any(len(p.words) < edge for p in parts):
        return real_sketch("\n".join(p.text for p in parts))
    hashes = {h for p in parts for h in p.bottom}
    for before, after in itertools.pairwise(parts):
        words = before.words[-edge:] + after.words[:edge]
        hashes.update(_hash64(" ".join(words[i:i + SHINGLE]))
                      for i in range(len(words) - SHINGLE + 1))
    return sorted(hashes)[:SKETCH_SIZE]


class _Placed:
    """A piece's record as it stands in one document: what observation_id and event_id read
    of it, set in place for each document instead of copying the record."""

    __slots__ = ("doc_id", "end", "indicator", "rule", "source", "start", "status", "target",
                 "type", "value", "when")

    def __init__(self, record: Observation | Event) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(record, name, None))


@dataclasses.dataclass
class Made:
    """One chunk's rows in COPY text format, and how many of each."""

    documents: list[str] = dataclasses.field(default_factory=list)
    sketch_keys: list[int] = dataclasses.field(default_factory=list)  # doc id as a number
    sketch_sizes: list[int] = dataclasses.field(default_factory=list)  # hashes per document
    sketch_hashes: list[int] = dataclasses.field(default_factory=list)
    observations: list[str] = dataclasses.field(default_factory=list)
    events: list[str] = dataclasses.field(default_factory=list)
    counts: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(TABLES, 0))


def make_rows(cat: Catalogue, numbered: Iterable[tuple[int, tuple[int, int, int]]], run_id: int,
              ingested_at: str, stored: frozenset[int] = frozenset()) -> Made:
    """The rows of the numbered documents, but only the sketches of those ``stored`` already;
    quotes are checked against the new texts, and every CHECK_EVERY-th document's content id
    and sketch are also computed the slow way."""
    made = Made()
    placed = {id(r): _Placed(r) for p in cat.pieces for r in (*p.observations, *p.events)}
    for number, combination in numbered:
        parts = [cat.pieces[p] for p in combination]
        doc_text = "\n".join(p.text for p in parts)
        doc_id = hashlib.sha256(" ".join(p.normal for p in parts).encode()).hexdigest()[:16]
        day = published(number)
        title, source, url = cat.titles[parts[0].example]
        hashes = fast_sketch(parts)
        if number % CHECK_EVERY == 0 and (doc_id != content_id(doc_text)
                                          or hashes != real_sketch(doc_text)):
            raise AssertionError(f"document {number}: the recombined id or sketch differs")
        made.sketch_keys.append(int(doc_id, 16))
        made.sketch_sizes.append(len(hashes))
        made.sketch_hashes.extend(hashes)
        if number in stored:
            continue
        made.documents.append("\t".join((
            doc_id, "\\n".join(p.escaped for p in parts), _field(title), _field(url),
            _field(source), day.isoformat(), "metadata", f"bulk-{number:07d}",
            f"{KIND}:{number}", "\\N", "\\N", str(len(doc_text)), ingested_at, str(run_id))))
        offset = 0
        for p in parts:
            days = (day - p.published).days
            months = (day.year - p.published.year) * 12 + day.month - p.published.month
            years = day.year - p.published.year
            for o, (before, quote, after) in zip(p.observations, p.observation_rows,
                                                 strict=True):
                at = placed[id(o)]
                at.doc_id, at.start, at.end = doc_id, o.start + offset, o.end + offset
                at.when = moved(o.when, days, months, years)
                _check_quote(doc_text, at, o.quote, number)
                made.observations.append(
                    f"{observation_id(cast(Observation, at))}\t{doc_id}\t{before}\t"
                    f"{_field(at.when)}\t{quote}\t{at.start}\t{at.end}\t{after}")
            for e, (before, quote, after) in zip(p.events, p.event_rows, strict=True):
                at = placed[id(e)]
                at.doc_id, at.start, at.end = doc_id, e.start + offset, e.end + offset
                at.when = moved(e.when, days, months, years)
                _check_quote(doc_text, at, e.quote, number)
                made.events.append(
                    f"{event_id(cast(Event, at))}\t{doc_id}\t{before}\t"
                    f"{_field(at.when)}\t{quote}\t{at.start}\t{at.end}\t{after}")
            offset += len(p.text) + 1
    made.counts.update(documents=len(made.documents), observations=len(made.observations),
                       events=len(made.events), document_sketches=len(made.sketch_hashes))
    return made


def _check_quote(doc_text: str, at: _Placed, quote: str, number: int) -> None:
    if doc_text[at.start:at.end] != quote:
        raise AssertionError(f"document {number}: {quote!r} is not at {at.start}:{at.end} "
                             f"of the new text")


def _escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def _field(value: str | None) -> str:
    return "\\N" if value is None else _escape(value)


# --- the worker processes -----------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _start_worker(cat: Catalogue, db: str, schema: str, run_id: int, ingested_at: str) -> None:
    _worker.update(cat=cat, db=db, schema=schema, run_id=run_id, ingested_at=ingested_at,
                   conn=None)


def _load_chunk(first: int, combinations: list[tuple[int, int, int]],
                stored: frozenset[int]) -> tuple[dict[str, float], Any, Any]:
    """Make one chunk's rows and COPY its documents and records (but those ``stored``
    already) in one transaction, so an interrupted build leaves whole chunks. Its sketches
    come back, as (document key, hash) arrays, to be loaded all at once."""
    started = time.perf_counter()
    made = make_rows(_worker["cat"], enumerate(combinations, first), _worker["run_id"],
                     _worker["ingested_at"], stored)
    keys = np.repeat(np.array(made.sketch_keys, dtype=np.uint64), made.sketch_sizes)
    hashes = np.array(made.sketch_hashes, dtype=np.int64)
    making = time.perf_counter() - started
    if made.documents:
        if _worker["conn"] is None:
            _worker["conn"] = connect(_worker["db"], _worker["schema"])
            _worker["conn"].execute("SET synchronous_commit = off")
        conn = _worker["conn"]
        with conn.cursor() as cur:
            for table, columns, rows in (("documents", DOCUMENT_COLUMNS, made.documents),
                                         ("observations", OBSERVATION_COLUMNS,
                                          made.observations),
                                         ("events", EVENT_COLUMNS, made.events)):
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for at in range(0, len(rows), 20_000):
                        copy.write("\n".join(rows[at:at + 20_000]) + "\n")
        conn.commit()
    made.counts["document_sketches"] = 0  # counted when they are loaded
    counts = {**made.counts, "made": len(combinations), "making": making,
              "copying": time.perf_counter() - started - making}
    return counts, keys, hashes


# --- the sketches -------------------------------------------------------------------------------

_SIGNATURE = b"PGCOPY\n\xff\r\n\0" + bytes(8)  # binary COPY: signature, flags, no extension
_TRAILER = b"\xff\xff"
_ROW = np.dtype([("fields", ">i2"), ("id_size", ">i4"), ("id", "S16"), ("hash_size", ">i4"),
                 ("hash", ">i8")])
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_NIBBLES = np.arange(60, -4, -4, dtype=np.uint64)


def copy_sketches(db: str, schema: str, keys: Any, hashes: Any) -> int:
    """Replace the sketches with these, in the order of ix_document_sketches_hash (hash, then
    document id: a 16-hex-digit id orders as its number), so that index is built from sorted
    rows; in the transaction that empties the table, so COPY FREEZE leaves nothing for VACUUM
    to do. The sketch table is rewritten whole by every build, resumed or not."""
    order = np.lexsort((keys, hashes))
    with connect(db, schema) as conn:
        conn.execute("TRUNCATE document_sketches")
        with conn.cursor().copy("COPY document_sketches (doc_id, hash) FROM STDIN "
                                "(FORMAT BINARY, FREEZE)") as copy:
            copy.write(_SIGNATURE)
            for at in range(0, len(order), 1_000_000):
                part = order[at:at + 1_000_000]
                rows = np.empty(len(part), dtype=_ROW)
                rows["fields"], rows["id_size"], rows["hash_size"] = 2, 16, 8
                rows["id"] = _HEX[(keys[part, None] >> _NIBBLES) & 15].view("S16").ravel()
                rows["hash"] = hashes[part]
                copy.write(rows.tobytes())
            copy.write(_TRAILER)
        conn.commit()
    return len(order)


# --- indexes and constraints --------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Shape:
    """A schema's indexes (name -> table, definition) and constraints (name -> table, type,
    definition, referenced table), with the schema's name taken out."""

    indexes: dict[str, tuple[str, str]]
    constraints: dict[str, tuple[str, str, str, str | None]]


def shape(conn: psycopg.Connection[Any], schema: str) -> Shape:
    """The shape of ``schema``; read through a connection whose search path is that schema,
    so constraint definitions name their tables unqualified."""
    indexes = {name: (table, definition.replace(f" ON {schema}.", " ON "))
               for name, table, definition in conn.execute(
                   "SELECT indexname, tablename, indexdef FROM pg_indexes "
                   "WHERE schemaname = %s", (schema,))}
    constraints = {name: (table, kind, definition, referenced)
                   for name, table, kind, definition, referenced in conn.execute(
                       "SELECT c.conname, t.relname, c.contype::text, "
                       "pg_get_constraintdef(c.oid), r.relname "
                       "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
                       "JOIN pg_namespace n ON n.oid = t.relnamespace "
                       "LEFT JOIN pg_class r ON r.oid = c.confrelid WHERE n.nspname = %s",
                       (schema,))}
    return Shape(indexes, constraints)


@contextmanager
def migrated_reference(db: str, schema: str) -> Iterator[Shape]:
    """The shape the migrations give an empty store, from a scratch schema dropped after."""
    reference = f"{schema}__migrated"
    admin = create_engine(resolve_url(db))
    try:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{reference}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{reference}"'))
        open_store(schema_url(db, reference)).close()
        with connect(db, reference) as conn:
            yield shape(conn, reference)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{reference}" CASCADE'))
        admin.dispose()


def drop_for_load(conn: psycopg.Connection[Any], schema: str) -> int:
    """Drop the foreign keys, primary keys and indexes of the loaded tables (whatever of them
    is there): COPY then only appends, and each index is built once, sorted, at the end."""
    now = shape(conn, schema)
    dropped = 0
    for kind in ("f", "p"):
        for name, (table, con_kind, _, referenced) in now.constraints.items():
            if con_kind == kind and (table in TABLES or referenced in TABLES):
                conn.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                dropped += 1
    for name, (table, _) in shape(conn, schema).indexes.items():
        if table in TABLES:
            conn.execute(f'DROP INDEX "{name}"')
            dropped += 1
    conn.commit()
    return dropped


def _statements(reference: Shape, now: Shape, tables: Iterable[str],
                sizes: dict[str, int]) -> list[str]:
    """The indexes of ``tables`` that the migrations make and the schema lacks, those of the
    keys too (made as plain unique indexes, so several build on one table at once), biggest
    table first, and within one the slowest first."""
    wanted = set(tables)
    missing = [definition for name, (table, definition) in reference.indexes.items()
               if table in wanted and name not in now.indexes]
    return sorted(missing, key=lambda statement: (
        -sizes.get(_table_of(statement), 0), "gin" not in statement, "UNIQUE" not in statement))


def _constraints(reference: Shape, now: Shape) -> list[str]:
    """The keys the schema lacks, on their indexes once built (a moment each, but one that
    waits for every other index build on the table), then the foreign keys, which check
    every row and need the keys."""
    keys = [f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" '
            f'{"PRIMARY KEY" if kind == "p" else "UNIQUE"} USING INDEX "{name}"'
            for name, (table, kind, _, _) in reference.constraints.items()
            if kind in ("p", "u") and name not in now.constraints]
    foreign = [f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
               for name, (table, kind, definition, _) in reference.constraints.items()
               if kind == "f" and name not in now.constraints]
    return keys + foreign


def _sizes(db: str, schema: str) -> dict[str, int]:
    with connect(db, schema) as conn:
        return {table: conn.execute("SELECT pg_relation_size(%s)", (table,)).fetchone()[0]
                for table in TABLES}


def restore(db: str, schema: str, reference: Shape, jobs: int) -> None:
    """Build whatever of the migrations' keys, indexes and foreign keys the schema lacks."""
    with connect(db, schema) as conn:
        now = shape(conn, schema)
    tables = {table for table, _ in reference.indexes.values()}
    _run_work(db, schema, _Work(_statements(reference, now, tables, _sizes(db, schema))), jobs)
    _run_work(db, schema, _Work(_constraints(reference, now)), 1)


def _table_of(statement: str) -> str:
    found = re.search(r'(?:ALTER TABLE "|ON (?:ONLY )?)"?(\w+)', statement)
    return found.group(1) if found else ""


class _Work:
    """Statements for the index connections, in order; while a producer is open, more may
    come (the sketches' indexes, once they are loaded), so an idle connection waits."""

    def __init__(self, statements: list[str], producers: int = 0) -> None:
        self.items = list(statements)
        self.producers = producers
        self.failures: list[BaseException] = []
        self.ready = threading.Condition()

    def add(self, statements: list[str]) -> None:
        with self.ready:
            self.items[:0] = statements
            self.ready.notify_all()

    def close(self) -> None:
        with self.ready:
            self.producers -= 1
            self.ready.notify_all()

    def fail(self, failure: BaseException) -> None:
        with self.ready:
            self.failures.append(failure)
            self.ready.notify_all()

    def take(self) -> str | None:
        with self.ready:
            while not self.items and self.producers > 0 and not self.failures:
                self.ready.wait()
            return self.items.pop(0) if self.items and not self.failures else None


def _run_work(db: str, schema: str, work: _Work, jobs: int) -> None:
    """Run the work's statements on ``jobs`` connections at once."""

    def runner() -> None:
        try:
            with connect(db, schema, autocommit=True) as conn:
                conn.execute("SET work_mem = '512MB'")  # a foreign key's check joins
                conn.execute("SET max_parallel_maintenance_workers = 0")  # jobs are parallel
                while (statement := work.take()) is not None:
                    started = time.perf_counter()
                    memory = (SKETCH_SORT_MEMORY if _table_of(statement) == "document_sketches"
                              else INDEX_SORT_MEMORY)
                    conn.execute(f"SET maintenance_work_mem = '{memory}'")  # type: ignore[arg-type]
                    conn.execute(statement)  # type: ignore[arg-type]
                    note(f"index    {time.perf_counter() - started:6.1f} s  {statement}")
        except BaseException as exc:
            work.fail(exc)

    threads = [threading.Thread(target=runner) for _ in range(max(1, jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if work.failures:
        raise work.failures[0]


def check_shape(db: str, schema: str, reference: Shape) -> None:
    """Fail unless the schema's indexes and constraints are exactly the migrations' ones."""
    with connect(db, schema) as conn:
        now = shape(conn, schema)
    if now != reference:
        differ = sorted((set(now.indexes.items()) ^ set(reference.indexes.items()))
                        | (set(now.constraints.items()) ^ set(reference.constraints.items())))
        raise AssertionError(f"schema {schema} differs from a migrated one: {differ}")


# --- the build ----------------------------------------------------------------------------------

class Timer:
    """Phase timings, printed as each phase ends and summed at the end."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self.started = time.perf_counter()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.phases[name] = time.perf_counter() - started
        note(f"phase    {name:<12} {self.phases[name]:7.1f} s")


def stored_numbers(conn: psycopg.Connection[Any]) -> tuple[set[int], int]:
    """The numbers of the documents bulk builds stored, and how many other documents there
    are."""
    numbers: set[int] = set()
    others = 0
    for number, count in conn.execute(
            "SELECT CASE WHEN external_id ~ '^bulk-[0-9]{7}$' THEN substr(external_id, 6)::int "
            "END, count(*) FROM documents GROUP BY 1"):
        if number is None:
            others = count
        else:
            numbers.add(number)
    return numbers, others


def last_build(conn: psycopg.Connection[Any]) -> str | None:
    """The status of the last bulk build."""
    found = conn.execute("SELECT status FROM runs WHERE kind = %s ORDER BY id DESC LIMIT 1",
                         (KIND,)).fetchone()
    return found[0] if found else None


def bulk_load(db: str, schema: str, total: int, jobs: int = 2) -> dict[str, int]:
    """Build ``schema`` to ``total`` bulk-made documents. Documents an interrupted build
    stored are kept (its chunks are whole); the sketches, keys and indexes are made again.
    Returns the counts of what this run added."""
    timer = Timer()
    store = open_store(schema_url(db, schema))  # the tables, at the newest revision
    with connect(db, schema) as conn:
        present, others = stored_numbers(conn)
        finished = last_build(conn) == "completed"
    if others:
        store.close()
        raise SystemExit(f"schema {schema} holds {others:,} documents the bulk loader did not "
                         f"make; rebuild it from scratch (serve_load.py --rebuild)")
    total = max(total, max(present, default=-1) + 1)  # the sketches are rewritten for all
    if finished and len(present) == total:
        store.close()
        note(f"build    schema {schema} holds the {total:,} documents already")
        return dict.fromkeys(TABLES, 0)
    with timer.phase("pieces"):
        extractor = Extractor(load_dossier(DOSSIER))
        cat = catalogue(extractor)
        records = sum(len(p.observations) + len(p.events) for p in cat.pieces)
        note(f"pieces   {len(cat.pieces)} pieces of {cat.examples} examples "
             f"({', '.join(str(len(p)) for p in cat.positions)} per third), {records} records")
    with timer.phase("plan"):
        combinations = plan(cat, total)
    note(f"build    {len(present):,} documents stored already; making {total:,} in {jobs} "
         f"processes")
    dossier = extractor.dossier
    run_id = store.begin_run(KIND, dossier.id, {
        "documents": total, "chunk": CHUNK, "jobs": jobs, "pieces": len(cat.pieces),
        "examples": cat.examples, "published": f"{FIRST_DAY}..{LAST_DAY}",
        "dossier_sha256": dossier_sha256(dossier), "model": extractor.model.name,
        "version": __version__})
    counts = dict.fromkeys(TABLES, 0)
    status, reason = "failed", None
    beat = _Heartbeat(store, run_id)
    try:
        with migrated_reference(db, schema) as reference:
            with timer.phase("drop"), connect(db, schema) as conn:
                note(f"drop     {drop_for_load(conn, schema)} keys and indexes dropped")
            with timer.phase("load"):
                sketch_arrays = list(_load(cat, combinations, present, db, schema, run_id,
                                           jobs, counts))
            with timer.phase("indexes"):
                _index(db, schema, reference, jobs, sketch_arrays, counts)
            mark_all(db, schema)
            with timer.phase("check"):
                check_shape(db, schema, reference)
                note(f"check    indexes and constraints as a migrated schema's "
                     f"({len(reference.indexes)} indexes, {len(reference.constraints)} "
                     f"constraints)")
        status = "completed"
    except BaseException as exc:
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        raise
    finally:
        beat.stop()
        store.finish_run(run_id, status, counts, reason=reason)
        store.close()
    seconds = time.perf_counter() - timer.started
    note(f"bulk     {counts['documents']:,} documents, {counts['observations']:,} "
         f"observations, {counts['events']:,} events, {counts['document_sketches']:,} sketch "
         f"hashes in {seconds:,.0f} s ({counts['documents'] / seconds:,.0f} docs/s); "
         + ", ".join(f"{name} {value:,.0f} s" for name, value in timer.phases.items()))
    return counts


def _index(db: str, schema: str, reference: Shape, jobs: int, sketch_arrays: list[Any],
           counts: dict[str, int]) -> None:
    """The sketches sorted and loaded while the other tables' keys and indexes are built on
    ``jobs`` connections; then the sketches' ones, then the foreign keys. ``sketch_arrays``
    (keys, hashes) is emptied once they are loaded, to leave the memory to the index sorts."""
    with connect(db, schema) as conn:
        now = shape(conn, schema)
    sizes = _sizes(db, schema)
    work = _Work(_statements(reference, now, [t for t in TABLES if t != "document_sketches"],
                             sizes), producers=1)

    def sketches() -> None:
        started = time.perf_counter()
        try:
            counts["document_sketches"] = copy_sketches(db, schema, *sketch_arrays)
            sketch_arrays.clear()
            note(f"sketches {counts['document_sketches']:,} hashes sorted and copied in "
                 f"{time.perf_counter() - started:,.1f} s")
            work.add(_statements(reference, now, ["document_sketches"], sizes))
        except BaseException as exc:
            work.fail(exc)
        finally:
            work.close()

    loader = threading.Thread(target=sketches)
    loader.start()
    try:
        _run_work(db, schema, work, jobs)
    finally:
        loader.join()
    if work.failures:
        raise work.failures[0]
    _run_work(db, schema, _Work(_constraints(reference, now)), 1)


def mark_all(db: str, schema: str) -> None:
    """Mark the kept answers for a whole refresh, as a write marks what it changes: these
    records went in past the store's writes."""
    with connect(db, schema) as conn:
        if conn.execute("SELECT to_regclass('answer_marks')").fetchone()[0] is not None:
            conn.execute("INSERT INTO answer_marks (kind, key, stamp) VALUES (%s, '', %s)",
                         (ALL, uuid.uuid4().hex))


class _Heartbeat:
    """Keeps the run alive (see bilateral.store.RUN_LEASE) through the long phases."""

    def __init__(self, store: Any, run_id: int) -> None:
        self.halt = threading.Event()
        self.thread = threading.Thread(target=self._beat, args=(store, run_id), daemon=True)
        self.thread.start()

    def _beat(self, store: Any, run_id: int) -> None:
        while not self.halt.wait(HEARTBEAT_SECONDS):
            store.heartbeat(run_id)

    def stop(self) -> None:
        self.halt.set()
        self.thread.join()


def _load(cat: Catalogue, combinations: list[tuple[int, int, int]], present: set[int],
          db: str, schema: str, run_id: int, jobs: int,
          counts: dict[str, int]) -> tuple[Any, Any]:
    """Every chunk made in ``jobs`` processes, and stored but for the ``present`` documents;
    the sketches of all, as (document key, hash) arrays."""
    ingested_at = dt.datetime.now(dt.UTC).isoformat()
    started = time.perf_counter()
    printed = started
    spent = {"made": 0.0, "making": 0.0, "copying": 0.0}
    keys: list[Any] = []
    hashes: list[Any] = []
    pending: set[Future[tuple[dict[str, float], Any, Any]]] = set()
    todo = iter(range(0, len(combinations), CHUNK))
    with ProcessPoolExecutor(jobs, initializer=_start_worker,
                             initargs=(cat, db, schema, run_id, ingested_at)) as pool:
        while True:
            while len(pending) < 2 * jobs and (first := next(todo, None)) is not None:
                part = combinations[first:first + CHUNK]
                stored = frozenset(n for n in range(first, first + len(part)) if n in present)
                pending.add(pool.submit(_load_chunk, first, part, stored))
            if not pending:
                break
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                result, chunk_keys, chunk_hashes = future.result()
                keys.append(chunk_keys)
                hashes.append(chunk_hashes)
                for table in TABLES:
                    counts[table] += int(result[table])
                for key in spent:
                    spent[key] += result[key]
            now = time.perf_counter()
            if now - printed >= PROGRESS_SECONDS or not pending:
                printed = now
                elapsed = now - started
                note(f"load     {spent['made']:,.0f} documents made, {counts['documents']:,} "
                     f"stored with {counts['observations']:,} observations and "
                     f"{counts['events']:,} events, {elapsed:,.0f} s, "
                     f"{spent['made'] / elapsed:,.0f} docs/s (processes: making rows "
                     f"{spent['making']:,.0f} s, COPY {spent['copying']:,.0f} s)")
    return np.concatenate(keys), np.concatenate(hashes)


# --- checks -------------------------------------------------------------------------------------

def check_sample(db: str, schema: str, documents: int, near: int) -> None:
    """Extract ``documents`` stored documents for real and compare their records with the
    recombined ones; look for near-duplicates of ``near`` documents among all stored."""
    extractor = Extractor(load_dossier(DOSSIER))
    with connect(db, schema) as conn:
        total = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        step = max(1, total // max(documents, 1))
        rows = conn.execute(
            "SELECT id, text, published FROM documents WHERE external_id = ANY(%s)",
            ([f"bulk-{n:07d}" for n in range(0, total, step)][:documents],)).fetchall()
        tally = dict.fromkeys(("stored", "found", "same", "same_but_time"), 0)
        for doc_id, doc_text, day in rows:
            stored = _record_keys(conn, doc_id)
            real = extractor.extract(Document(id=doc_id, text=doc_text, published=day))
            found = {_key(o) for o in real.observations} | {_key(e) for e in real.events}
            tally["stored"] += len(stored)
            tally["found"] += len(found)
            tally["same"] += len(stored & found)
            timeless = Counter(_untimed(k) for k in stored) & Counter(_untimed(k) for k in found)
            tally["same_but_time"] += sum(timeless.values())
        note(f"records  {len(rows)} documents extracted again: {tally['found']:,} records "
             f"found, {tally['stored']:,} stored; {tally['same']:,} alike, "
             f"{tally['same_but_time']:,} alike but for the time (the bulk store moves every "
             f"time with the publication day, extraction only relative ones)")
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM documents WHERE external_id = ANY(%s)",
            ([f"bulk-{n:07d}" for n in range(0, total, max(1, total // max(near, 1)))][:near],))]
        with_copy = 0
        started = time.perf_counter()
        for doc_id in ids:
            candidates = [other for (other,) in conn.execute(
                "SELECT b.doc_id FROM document_sketches a JOIN document_sketches b "
                "ON b.hash = a.hash AND b.doc_id <> a.doc_id WHERE a.doc_id = %s "
                "GROUP BY b.doc_id HAVING count(*) >= %s", (doc_id, SKETCH_SIZE // 4))]
            own = _sketch(conn, doc_id)
            with_copy += any(similarity(own, _sketch(conn, other)) >= NEAR_DUPLICATE
                             for other in candidates)
        note(f"near     {with_copy} of {len(ids)} sampled documents have a near-duplicate "
             f"(similarity >= {NEAR_DUPLICATE}) among the {total:,} stored "
             f"({time.perf_counter() - started:,.0f} s)")


def _record_keys(conn: psycopg.Connection[Any], doc_id: str) -> set[tuple[Any, ...]]:
    found = {("obs", i, float(v), s, w, a, b) for i, v, s, w, a, b in conn.execute(
        "SELECT indicator, value, status, when_at, span_start, span_end FROM observations "
        "WHERE doc_id = %s", (doc_id,))}
    return found | {("evt", t, s, g, w, a, b) for t, s, g, w, a, b in conn.execute(
        "SELECT type, source, target, when_at, span_start, span_end FROM events "
        "WHERE doc_id = %s", (doc_id,))}


def _key(record: Observation | Event) -> tuple[Any, ...]:
    if isinstance(record, Observation):
        return ("obs", record.indicator, float(record.value), record.status, record.when,
                record.start, record.end)
    return ("evt", record.type, record.source, record.target, record.when, record.start,
            record.end)


def _untimed(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return key[:4] + key[5:]


def _sketch(conn: psycopg.Connection[Any], doc_id: str) -> list[int]:
    return [h for (h,) in conn.execute(
        "SELECT hash FROM document_sketches WHERE doc_id = %s ORDER BY hash", (doc_id,))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--schema", required=True)
    parser.add_argument("--docs", type=int, default=20_000, help="documents to build to")
    parser.add_argument("--jobs", type=int, default=2, help="loading processes")
    parser.add_argument("--check", action="store_true",
                        help="instead of building, compare a sample's records with a real "
                             "extraction and look for near-duplicates")
    parser.add_argument("--sample", type=int, default=200, help="documents --check extracts")
    parser.add_argument("--near-sample", type=int, default=20,
                        help="documents --check looks for near-duplicates of")
    args = parser.parse_args()
    if args.check:
        check_sample(args.db, args.schema, args.sample, args.near_sample)
    else:
        admin = create_engine(resolve_url(args.db))
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{args.schema}"'))
        admin.dispose()
        bulk_load(args.db, args.schema, args.docs, args.jobs)


if __name__ == "__main__":
    main()
