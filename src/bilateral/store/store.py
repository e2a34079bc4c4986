"""The Store: one class over SQLite or PostgreSQL, same schema, migrated by Alembic.

    store = open_store()                      # BILATERAL_DB, else ./bilateral.db
    run = store.begin_run("ingest", "us-japan", {"path": "corpus/"})
    store.write_batch(run, [BatchItem(extraction, sketch)], rejections)
    store.finish_run(run, "completed", {"documents": 12})

A run's process refreshes its heartbeat with every batch; a running run silent for longer than
``RUN_LEASE`` was killed (SIGKILL, power loss) and is marked failed as abandoned when the store
is next opened or its runs are listed, so no check waits on it for ever.

Every write is one transaction: a batch is stored whole or not at all. Every database failure
becomes a StoreError that says what was being done and on which database.
"""

from __future__ import annotations

import hashlib
import json
import math
import operator
import os
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Generic, NamedTuple, Self, TypeVar, overload

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    create_engine,
    event,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from bilateral.errors import InputError, LookupFailed, StoreError, StoreMissing
from bilateral.extras import require
from bilateral.quotes import Sentence, sentence_around
from bilateral.records import Document, Event, Extraction, Observation, Provenance, Rejection
from bilateral.store import schema as t
from bilateral.store.answers import KeptRows, event_group, mark_changes
from bilateral.store.search import SearchHit
from bilateral.store.search import search as _search

ENV_VAR = "BILATERAL_DB"
DEFAULT_URL = "sqlite:///bilateral.db"
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
#: How long a SQLite writer waits for another writer's lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: How long a running run may go without a heartbeat before it is taken as abandoned: its
#: process is gone (killed, or its machine down). Ingest beats at every batch and at least every
#: ``RUN_LEASE / 5`` while it extracts, so only a dead or frozen process misses the lease; the
#: writers' and readers' clocks must agree to well within it.
RUN_LEASE = timedelta(minutes=5)
#: How the reason of a run marked failed for want of a heartbeat begins.
ABANDONED = "abandoned:"
#: The kind of run that replaces stored documents' records instead of adding documents.
REPLACING_KIND = "reextract"
MIN_PREFIX = 6
MIGRATIONS = Path(__file__).parent / "migrations"
_PG_MIGRATION_LOCK = 0x62696C6174  # pg_advisory_xact_lock key: serialises concurrent upgrades
_CHUNK = 500  # ids per IN (...) list
#: Documents a sketch hash may be held by and still point to copies (see sketch_postings).
COMMON_HASH = 1000
_PG_POSTINGS = text("""
    SELECT p.doc_id, q.hash
    FROM unnest(CAST(:hashes AS bigint[])) AS q(hash)
    CROSS JOIN LATERAL (
        SELECT s.doc_id FROM document_sketches AS s
        WHERE s.hash = q.hash AND (NOT :originals OR EXISTS (
            SELECT 1 FROM documents AS d WHERE d.id = s.doc_id AND d.duplicate_of IS NULL))
        ORDER BY s.doc_id
        LIMIT :most
    ) AS p
""")
_TEXT_CHUNK = 50  # documents whose whole texts one query reads
_INT64 = (-(2**63), 2**63 - 1)
_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$")

T = TypeVar("T")


# ----------------------------------------------------------------------------- result types


@dataclass(frozen=True)
class StoredDocument(Document):
    """A Document as the store holds it, with what ingest decided about it."""

    duplicate_of: str | None = None  # id of the document this one is a near-copy of
    similarity: float | None = None  # to duplicate_of, as ingest measured it
    char_count: int = 0
    ingested_at: datetime | None = None  # UTC
    run_id: int | None = None

    def as_document(self) -> Document:
        """The plain Document (what ingest wrote), e.g. to compare with a fresh one."""
        return Document(id=self.id, text=self.text, title=self.title, url=self.url,
                        source=self.source, published=self.published,
                        published_from=self.published_from, external_id=self.external_id,
                        origin=self.origin)


@dataclass(frozen=True)
class Citation:
    """What a report needs to cite a document: its metadata without the text."""

    id: str
    label: str  # the id a user knows it by: their external id, else ours
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    duplicate_of: str | None

    @property
    def original(self) -> str:
        """The document this one copies, or itself: what a source count counts."""
        return self.duplicate_of or self.id

    @classmethod
    def missing(cls, doc_id: str) -> Citation:
        """A stand-in for a document the store no longer holds: cited by its id alone."""
        return cls(id=doc_id, label=doc_id, title=None, outlet=None, url=None, published=None,
                   duplicate_of=None)


class StampedCounts:
    """Counts kept while the stamp they were made under stands (a store's version, how often
    its kept answers changed): a listing's total comes with each of its pages, and counting a
    large store takes longer than reading a page. At most ``size`` are kept."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._kept: dict[tuple[Any, ...], tuple[Any, int]] = {}

    def get(self, key: tuple[Any, ...], stamp: Any, count: Callable[[], int]) -> int:
        """The count kept for ``key`` under ``stamp``, else ``count()`` kept under it. Read
        the stamp before counting: a change meanwhile then makes the next call count again."""
        kept = self._kept.get(key)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        total = count()
        if len(self._kept) >= self.size:
            self._kept.clear()
        self._kept[key] = (stamp, total)
        return total


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a longer listing; ``total`` counts every match, not just this page (-1 when
    the page was asked for by key and the matches were not counted again).

    Iterating, len() and indexing go to ``items``."""

    items: list[T]
    total: int
    limit: int
    offset: int
    next: str | None = None  # pass as ``after`` for the page after this one; None at the end

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.total

    # A page reads like the list of its items: ``for doc in store.documents(): ...``
    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        return self.items[index]


@dataclass(frozen=True)
class Run:
    id: int
    kind: str
    status: str  # running, completed or failed
    dossier: str | None
    config: dict[str, Any]
    counts: dict[str, Any] | None
    started_at: datetime
    finished_at: datetime | None
    heartbeat_at: datetime | None = None  # when its process last said it was at work
    reason: str | None = None  # why it failed, when it did and the store knows

    @property
    def abandoned(self) -> bool:
        """Failed because its process stopped beating (killed), not because of an error."""
        return self.status == "failed" and (self.reason or "").startswith(ABANDONED)


@dataclass(frozen=True)
class FeedEntry:
    """What a feed watcher decided about one article link (``status`` is one of
    ``schema.FEED_ENTRY_STATUSES``); kept so a restarted watcher fetches no page twice."""

    url: str
    feed: str
    status: str
    doc_id: str | None = None
    reason: str | None = None
    entry_updated: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    seen_at: datetime | None = None  # set by the store when written


@dataclass(frozen=True)
class BatchResult:
    new_documents: int  # documents written by this batch
    skipped_existing: int  # documents already stored (or repeated in the batch): not rewritten
    observations: int  # observations written
    events: int  # events written
    rejections: int = 0  # rejections recorded


@dataclass(frozen=True)
class ReplaceResult:
    documents: int  # documents whose records were replaced
    observations: int  # observations they have now
    events: int
    removed_observations: int  # observations they had before
    removed_events: int
    rejections: int = 0


@dataclass(frozen=True)
class RecordOrigin:
    """How many stored records one extractor version and dossier made (None: not recorded)."""

    extractor_version: str | None
    dossier_sha256: str | None
    observations: int
    events: int


@dataclass(frozen=True)
class StoreStats:
    documents: int
    duplicates: int  # documents marked as near-copies of another
    observations: int
    events: int
    runs: int
    rejections: int = 0


class BatchItem(NamedTuple):
    """One document for write_batch; a plain 4-tuple in this order works as well."""

    extraction: Extraction
    sketch: Sequence[int] = ()  # signed 64-bit hashes for near-duplicate lookup
    duplicate_of: str | None = None
    similarity: float | None = None


@dataclass
class _Rows:
    documents: list[dict[str, Any]] = field(default_factory=list)
    sketches: list[dict[str, Any]] = field(default_factory=list)
    observations: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    repeated: int = 0  # same document twice in one batch


# ----------------------------------------------------------------------------- record ids


def observation_id(o: Observation) -> str:
    """The stable id the store gives an observation: same record, same id, on every ingest."""
    return _digest("obs", o.doc_id, o.indicator, float(o.value), o.status, o.when, o.start,
                   o.end, o.rule)


def event_id(e: Event) -> str:
    """The stable id the store gives an event."""
    return _digest("evt", e.doc_id, e.type, e.source, e.target, e.when, e.start, e.end, e.rule)


def token_digest(token: str) -> str:
    """What the store keeps of an API token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _digest(*parts: Any) -> str:
    key = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


# ----------------------------------------------------------------------------- opening


def resolve_url(url: str | os.PathLike[str] | URL | None = None) -> URL:
    """Which database to open: the argument, else $BILATERAL_DB, else ./bilateral.db.

    ``postgresql://`` and ``postgres://`` mean the psycopg 3 driver; a bare path ending in
    .db, .sqlite or .sqlite3 means a SQLite file; ``:memory:`` an in-memory SQLite database.
    """
    if isinstance(url, URL):
        return _rewrite_driver(url)
    if url is None:
        url = os.environ.get(ENV_VAR) or DEFAULT_URL
    raw = os.fspath(url).strip()
    if not raw:
        raise StoreError(f"empty database URL; give one, or set {ENV_VAR}")
    if raw == ":memory:":
        return URL.create("sqlite")
    if "://" not in raw:
        if Path(raw).suffix.lower() in SQLITE_SUFFIXES:
            return URL.create("sqlite", database=raw)
        raise StoreError(
            f"{raw!r} is neither a database URL (sqlite:///path/file.db, "
            f"postgresql://user@host/dbname) nor a file path ending in "
            f"{', '.join(SQLITE_SUFFIXES)}")
    try:
        parsed = make_url(raw)
    except ArgumentError as exc:
        raise StoreError(f"cannot parse the database URL {raw!r}: {exc}") from exc
    return _rewrite_driver(parsed)


def _rewrite_driver(url: URL) -> URL:
    if url.drivername in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    return url


def _display(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return url.database if url.database not in (None, "", ":memory:") else ":memory:"
    return url.render_as_string(hide_password=True)


def make_engine(url: str | os.PathLike[str] | URL | None = None) -> Engine:
    """An Engine configured the way the store needs it (see open_store), without migrating."""
    resolved = resolve_url(url)
    backend = resolved.get_backend_name()
    try:
        if backend == "sqlite":
            return _sqlite_engine(resolved)
        if backend == "postgresql":
            if resolved.get_driver_name() == "psycopg":
                require("postgres", f"Opening the PostgreSQL store {_display(resolved)}")
            return create_engine(resolved, pool_pre_ping=True)
    except NoSuchModuleError as exc:
        raise StoreError(f"no SQLAlchemy driver for {_display(resolved)}: {exc}") from exc
    except ImportError as exc:
        raise StoreError(f"the database driver for {_display(resolved)} is not installed "
                         f"({exc}); for PostgreSQL: pip install 'bilateral[postgres]'") from exc
    raise StoreError(f"unsupported database {_display(resolved)}: bilateral stores in SQLite "
                     f"(sqlite:///file.db) or PostgreSQL (postgresql://user@host/dbname)")


def _sqlite_engine(url: URL) -> Engine:
    if sqlite3.sqlite_version_info < (3, 35):
        raise StoreError(f"SQLite {sqlite3.sqlite_version} is too old: bilateral needs 3.35 or "
                         f"newer (RETURNING); upgrade Python or its SQLite library")
    database = url.database or ""
    memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if memory:
        engine = create_engine(url, poolclass=StaticPool,
                               connect_args={"check_same_thread": False})
    else:
        parent = Path(database).expanduser().absolute().parent
        if not parent.is_dir():
            raise StoreError(f"cannot create the SQLite store {database}: the folder {parent} "
                             f"does not exist")
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy, not the sqlite3 module, decides when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not memory:
                cursor.execute("PRAGMA journal_mode = WAL")  # readers never block the writer
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock up front; otherwise a read-then-write transaction can
        # fail with SQLITE_BUSY at once instead of waiting out the busy timeout.
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return  # e.g. for VACUUM, which refuses to run inside a transaction
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("bilateral_write") else "BEGIN")

    return engine


def _alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def _script_directory() -> Any:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config())


def _current_revisions(conn: Connection) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    return tuple(MigrationContext.configure(conn).get_current_heads())


def _check_revisions(current: tuple[str, ...], script: Any, where: str) -> bool:
    """True when the database is at head; raises when it is newer than this code."""
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = [rev for rev in current if rev not in known]
    if unknown:
        raise StoreError(
            f"the store {where} has schema revision {', '.join(unknown)}, which this version of "
            f"bilateral does not know: it was written by a newer bilateral. Upgrade bilateral "
            f"(pip install -U bilateral) or open another store")
    return set(current) == set(script.get_heads())


def open_store(url: str | os.PathLike[str] | URL | None = None, *, migrate: bool = True,
               run_lease: timedelta = RUN_LEASE, create: bool = True) -> Store:
    """Open (and by default create or upgrade) the store.

    ``url``: a SQLAlchemy URL, ``postgresql://...`` (psycopg 3), or a path ending in .db /
    .sqlite; default $BILATERAL_DB, else ``sqlite:///bilateral.db`` in the current folder.
    ``migrate``: bring the schema to the newest revision (idempotent), and mark runs whose
    process stopped beating for longer than ``run_lease`` as abandoned. With ``migrate=False``
    a store that is not at the newest revision is refused, and nothing is written.
    ``create=False`` is for readers: where there is no store (no SQLite file, a database or
    schema without the store's tables) it raises StoreMissing instead of creating an empty one.
    """
    resolved = resolve_url(url)
    where = _display(resolved)
    if not create:
        _require_sqlite_file(resolved, where)
    engine = make_engine(resolved)
    try:
        _prepare(engine, where, migrate, create)
        store = Store(engine, resolved, run_lease=run_lease)
        if migrate:
            store.abandon_stale_runs()
    except BaseException:
        engine.dispose()
        raise
    return store


def _missing(where: str, url: URL, why: str) -> StoreMissing:
    shown = url.render_as_string(hide_password=True)
    return StoreMissing(f"no store at {where} ({why}); create one by ingesting articles into "
                        f"it: bilateral ingest PATH... --db {shown}")


def _require_sqlite_file(url: URL, where: str) -> None:
    """SQLite creates a missing file on connecting: refuse before that."""
    database = url.database or ""
    if (url.get_backend_name() == "sqlite" and not database.startswith("file:")
            and not Path(database).is_file()):
        raise _missing(where, url, "no such file")


def _prepare(engine: Engine, where: str, migrate: bool, create: bool = True) -> None:
    """Check the schema revision; upgrade it when asked to and needed. Without ``create``, a
    database with no schema at all is no store."""
    script = _script_directory()
    action = "migrating" if migrate else "checking the schema of"
    try:
        # A plain read first, so opening an up-to-date store never waits for a writer.
        with engine.connect() as conn, conn.begin():
            current = _current_revisions(conn)
        if not current and not create:
            raise _missing(where, engine.url, "the database has no bilateral tables")
        if _check_revisions(current, script, where):
            return
        if not migrate:
            state = (f"is at schema revision {', '.join(current)}" if current
                     else "has no bilateral schema")
            raise StoreError(f"the store {where} {state}, not the newest "
                             f"({', '.join(script.get_heads())}); open it with migrate=True "
                             f"to create or upgrade it")
        with engine.connect() as conn:
            conn = conn.execution_options(bilateral_write=True)  # SQLite: BEGIN IMMEDIATE
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(select(func.pg_advisory_xact_lock(_PG_MIGRATION_LOCK)))
                # Another process may have upgraded while we waited for the lock.
                if _check_revisions(_current_revisions(conn), script, where):
                    return
                from alembic import command

                command.upgrade(_alembic_config(conn), "head")
    except SQLAlchemyError as exc:
        raise StoreError(f"{action} the store {where} failed: {_describe(exc)}"
                         f"{_open_hint(engine)}") from exc


def _open_hint(engine: Engine) -> str:
    if engine.dialect.name == "postgresql":
        return (f"; check that the server is running and the URL (argument or {ENV_VAR}) "
                f"names a database you may use")
    return "; check that the file is a bilateral store and its folder is writable"


def _describe(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    message = " ".join(str(orig if orig is not None else exc).split())
    if "database is locked" in message:
        message += (f" (another process held the write lock for more than "
                    f"{SQLITE_BUSY_TIMEOUT_MS // 1000} s)")
    return message


# ----------------------------------------------------------------------------- the store


class Store:
    """Documents, their observations and events, ingest runs and rejections; see open_store."""

    def __init__(self, engine: Engine, url: URL, *, run_lease: timedelta = RUN_LEASE) -> None:
        if run_lease < timedelta(0):
            raise StoreError(f"run_lease must not be negative, not {run_lease}")
        self.engine = engine
        self.run_lease = run_lease
        self.url = _display(url)  # printable: no password
        self.dialect: str = engine.dialect.name
        self._insert = sqlite_dialect.insert if self.dialect == "sqlite" else pg_dialect.insert
        self._counted = StampedCounts()  # document counts, one per set of filters

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @cached_property
    def kept(self) -> KeptRows:
        """The kept answers' tables (see ``bilateral.analyse.kept``)."""
        return KeptRows(self)

    # -- plumbing

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as exc:
            raise StoreError(f"{what} failed in the store {self.url}: {_describe(exc)}") from exc

    @contextmanager
    def _read(self, what: str) -> Iterator[Connection]:
        with self._guard(what), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def _write(self, what: str) -> Iterator[Connection]:
        with self._guard(what), self.engine.connect() as conn:
            conn = conn.execution_options(bilateral_write=True)
            with conn.begin():
                yield conn

    def _insert_many(self, conn: Connection, table: Any, rows: list[dict[str, Any]],
                     returning: Any = None) -> list[Any]:
        """Bulk INSERT ... ON CONFLICT DO NOTHING; returns ``returning`` of the rows written."""
        if not rows:
            return []
        stmt = self._insert(table).on_conflict_do_nothing()
        if returning is None:
            conn.execute(stmt, rows)
            return []
        return list(conn.execute(stmt.returning(returning), rows).scalars())

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at."""
        with self._read("reading the schema revision") as conn:
            current = _current_revisions(conn)
        return current[0] if current else None

    # -- runs

    def begin_run(self, kind: str, dossier: str | None = None,
                  config: dict[str, Any] | None = None) -> int:
        """Record the start of a run (e.g. an ingest) and return its id."""
        if not kind:
            raise StoreError("begin_run needs a kind, e.g. 'ingest'")
        now = _now()
        row = {"kind": kind, "status": "running", "dossier": dossier,
               "config": _json(config or {}), "started_at": now, "heartbeat_at": now}
        with self._write(f"starting a {kind} run") as conn:
            return int(conn.execute(t.runs.insert(), row).inserted_primary_key[0])

    def finish_run(self, run_id: int, status: str, counts: dict[str, Any] | None = None,
                   reason: str | None = None) -> None:
        """Close a run as ``completed`` or ``failed`` with its counts (and, failed, why).

        A run taken as abandoned whose process turns out to be alive still finishes: what it
        says last is what happened."""
        if status not in ("completed", "failed"):
            raise StoreError(f"finish_run: status must be 'completed' or 'failed', not {status!r}")
        now = _now()
        with self._write(f"finishing run {run_id}") as conn:
            done = conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(
                status=status, counts=_json(counts or {}), finished_at=now, heartbeat_at=now,
                reason=reason))
            if done.rowcount == 0:
                raise StoreError(f"finish_run: there is no run {run_id} in the store {self.url}")

    def heartbeat(self, run_id: int) -> bool:
        """Say that a run's process is still at work, so it is not taken as abandoned.

        A run already marked abandoned (its process was frozen past the lease, say a laptop
        asleep) is running again. False when the run is finished, so there is nothing to keep
        alive."""
        with self._write(f"refreshing the heartbeat of run {run_id}") as conn:
            if conn.execute(select(t.runs.c.id).where(t.runs.c.id == run_id)).first() is None:
                raise StoreError(f"heartbeat: there is no run {run_id} in the store {self.url}")
            return self._beat(conn, run_id)

    def _beat(self, conn: Connection, run_id: int) -> bool:
        r = t.runs
        alive = or_(r.c.status == "running",
                    and_(r.c.status == "failed", r.c.reason.startswith(ABANDONED)))
        done = conn.execute(update(r).where(r.c.id == run_id, alive).values(
            heartbeat_at=_now(), status="running", finished_at=None, reason=None))
        return bool(done.rowcount)

    def _stale(self, now: datetime) -> ColumnElement[bool]:
        r = t.runs
        last = func.coalesce(r.c.heartbeat_at, r.c.started_at)
        return and_(r.c.status == "running", last < now - self.run_lease)

    def abandon_stale_runs(self, now: datetime | None = None) -> list[int]:
        """Mark failed every running run whose heartbeat is older than the lease; their ids.

        Its process was killed or its machine went down, so it will never finish the run
        itself, and a check of whether the store is still changing must stop counting it. A
        plain read looks first, so when no run is stale (nearly always) no write lock is
        taken; each update checks again, so a run that beats meanwhile is left alone.
        ``now`` is for tools that judge the runs as of another moment."""
        now = now or _now()
        r = t.runs
        last = func.coalesce(r.c.heartbeat_at, r.c.started_at).label("last")
        with self._read("looking for abandoned runs") as conn:
            stale = conn.execute(select(r.c.id, last).where(self._stale(now))
                                 .order_by(r.c.id)).all()
        if not stale:
            return []
        marked = []
        with self._write(f"marking {len(stale)} abandoned runs as failed") as conn:
            for row in stale:
                reason = (f"{ABANDONED} no heartbeat since {row.last:%Y-%m-%d %H:%M:%S} UTC "
                          f"(lease {_duration(self.run_lease)}); its process was killed or "
                          f"stopped")
                done = conn.execute(update(r).where(r.c.id == row.id, self._stale(now))
                                    .values(status="failed", finished_at=now, reason=reason))
                if done.rowcount:
                    marked.append(row.id)
        return marked

    def get_run(self, run_id: int) -> Run:
        """One run; a stale running run is marked abandoned first (see abandon_stale_runs)."""
        self.abandon_stale_runs()
        with self._read(f"reading run {run_id}") as conn:
            row = conn.execute(select(t.runs).where(t.runs.c.id == run_id)).first()
        if row is None:
            raise StoreError(f"there is no run {run_id} in the store {self.url}")
        return _run(row)

    def runs(self, limit: int | None = 20) -> list[Run]:
        """The most recent runs first; stale running runs are marked abandoned first."""
        self.abandon_stale_runs()
        query = select(t.runs).order_by(t.runs.c.id.desc()).limit(limit)
        with self._read("listing runs") as conn:
            return [_run(row) for row in conn.execute(query)]

    def rejections(self, run_id: int | None = None) -> list[Rejection]:
        """What a run (or every run, with None) could not use, in the order it was recorded."""
        query = select(t.rejections).order_by(t.rejections.c.id)
        if run_id is not None:
            query = query.where(t.rejections.c.run_id == run_id)
        with self._read("listing rejections") as conn:
            return [Rejection(origin=r.origin, reason=r.reason, code=r.code)
                    for r in conn.execute(query)]

    # -- writing

    def write_batch(self, run_id: int,
                    items: Iterable[BatchItem | tuple[Extraction, Sequence[int], str | None,
                                                      float | None]],
                    rejections: Iterable[Rejection] = (),
                    provenance: Provenance | None = None) -> BatchResult:
        """Store documents with their records, sketches and the run's rejections, all or nothing.

        A document whose id is already stored is skipped with its records, so re-ingesting is
        a no-op. Records are keyed by observation_id / event_id, so repeating one is too.
        ``provenance`` says what made the records; it is stored with each of them.
        """
        rows = self._prepare_rows(run_id, items, provenance or Provenance())
        # a reason may quote its input; a Rejection bounds it, so no file can fill the store
        rejection_rows = [{"run_id": run_id, "origin": r.origin, "code": r.code,
                           "reason": r.reason} for r in rejections]
        what = (f"writing a batch of {len(rows.documents)} documents and "
                f"{len(rejection_rows)} rejections for run {run_id}")
        with self._write(what) as conn:
            if conn.execute(select(t.runs.c.id).where(t.runs.c.id == run_id)).first() is None:
                raise StoreError(f"{what}: there is no run {run_id} in the store {self.url}; "
                                 f"call begin_run first")
            self._beat(conn, run_id)  # a batch written is a sign of life
            self._check_duplicate_targets(conn, rows.documents)
            written = set(self._insert_many(conn, t.documents, rows.documents, t.documents.c.id))
            self._insert_many(conn, t.document_sketches,
                              [r for r in rows.sketches if r["doc_id"] in written])
            n_obs = len(self._insert_many(
                conn, t.observations, [r for r in rows.observations if r["doc_id"] in written],
                t.observations.c.id))
            new_events = [r for r in rows.events if r["doc_id"] in written]
            n_events = len(self._insert_many(conn, t.events, new_events, t.events.c.id))
            mark_changes(conn, {r["indicator"] for r in rows.observations
                                if r["doc_id"] in written},
                         {event_group(r["type"], r["source"], r["target"]) for r in new_events
                          if r["when_at"]})
            self._insert_many(conn, t.rejections, rejection_rows)
        return BatchResult(new_documents=len(written),
                           skipped_existing=len(rows.documents) - len(written) + rows.repeated,
                           observations=n_obs, events=n_events, rejections=len(rejection_rows))

    def replace_records(self, run_id: int, extractions: Iterable[Extraction],
                        rejections: Iterable[Rejection] = (),
                        provenance: Provenance | None = None) -> ReplaceResult:
        """Replace the observations and events of stored documents with new ones, all or nothing.

        Each extraction's document must be stored already (its text is not rewritten); its old
        records are deleted and the new ones written, stamped with ``provenance``, in the same
        transaction as the run's ``rejections`` and heartbeat. Record ids are content hashes,
        so replacing with the same records gives the same rows.
        """
        stamp = provenance or Provenance()
        docs: dict[str, Extraction] = {}
        for extraction in extractions:
            _check_records(extraction)
            docs.setdefault(extraction.document.id, extraction)
        ids = sorted(docs)  # one order for every writer, as in write_batch
        observation_rows = {row["id"]: row for doc_id in ids
                            for row in (_observation_row(o, stamp)
                                        for o in docs[doc_id].observations)}
        event_rows = {row["id"]: row for doc_id in ids
                      for row in (_event_row(e, stamp) for e in docs[doc_id].events)}
        rejection_rows = [{"run_id": run_id, "origin": r.origin, "code": r.code,
                           "reason": r.reason} for r in rejections]
        what = (f"replacing the records of {len(ids)} documents for run {run_id}")
        removed = {"observations": 0, "events": 0}
        with self._write(what) as conn:
            if conn.execute(select(t.runs.c.id).where(t.runs.c.id == run_id)).first() is None:
                raise StoreError(f"{what}: there is no run {run_id} in the store {self.url}; "
                                 f"call begin_run first")
            self._beat(conn, run_id)
            missing = set(ids) - _existing(conn, set(ids))
            if missing:
                raise StoreError(f"{what}: documents {', '.join(sorted(missing)[:10])} are not "
                                 f"stored; ingest them instead")
            _mark_replaced(conn, ids, observation_rows.values(), event_rows.values())
            for table in (t.observations, t.events):
                for i in range(0, len(ids), _CHUNK):
                    done = conn.execute(table.delete().where(
                        table.c.doc_id.in_(ids[i:i + _CHUNK])))
                    removed[table.name] += done.rowcount
            self._insert_many(conn, t.observations, list(observation_rows.values()))
            self._insert_many(conn, t.events, list(event_rows.values()))
            self._insert_many(conn, t.rejections, rejection_rows)
        return ReplaceResult(documents=len(ids), observations=len(observation_rows),
                             events=len(event_rows),
                             removed_observations=removed["observations"],
                             removed_events=removed["events"], rejections=len(rejection_rows))

    def document_batches(self, size: int = 100) -> Iterator[list[StoredDocument]]:
        """Every stored document, ``size`` at a time in id order; each batch is read when the
        one before has been taken, so a store of any size is walked in bounded memory."""
        if size < 1:
            raise StoreError(f"document_batches: size must be at least 1, not {size}")
        d = t.documents
        after = ""
        while True:
            with self._read("reading a batch of documents") as conn:
                batch = [_stored_document(row) for row in conn.execute(
                    select(d).where(d.c.id > after).order_by(d.c.id).limit(size))]
            if not batch:
                return
            yield batch
            after = batch[-1].id

    def record_origins(self) -> list[RecordOrigin]:
        """How many observations and events each extractor version and dossier made."""
        counts: dict[tuple[str | None, str | None], list[int]] = {}
        with self._read("counting records by what made them") as conn:
            for n, table in enumerate((t.observations, t.events)):
                query = (select(table.c.extractor_version, table.c.dossier_sha256, func.count())
                         .group_by(table.c.extractor_version, table.c.dossier_sha256))
                for version, dossier, count in conn.execute(query):
                    counts.setdefault((version, dossier), [0, 0])[n] = int(count)
        return [RecordOrigin(version, dossier, *found) for (version, dossier), found in
                sorted(counts.items(), key=lambda item: (item[0][0] or "", item[0][1] or ""))]

    def _prepare_rows(self, run_id: int, items: Iterable[Any],
                      stamp: Provenance) -> _Rows:
        rows = _Rows()
        seen: set[str] = set()
        now = _now()
        for position, item in enumerate(items):
            try:
                extraction, sketch, duplicate_of, similarity = item
            except (TypeError, ValueError) as exc:
                raise StoreError(f"write_batch: item {position} is not (extraction, sketch, "
                                 f"duplicate_of, similarity): {item!r:.200}") from exc
            doc = extraction.document
            if not isinstance(doc.id, str) or not doc.id:
                raise StoreError(f"write_batch: item {position} ({doc.origin}) has no document id")
            if doc.id in seen:
                rows.repeated += 1
                continue
            seen.add(doc.id)
            if duplicate_of == doc.id:
                raise StoreError(f"write_batch: document {doc.id} ({doc.origin}) is marked as a "
                                 f"duplicate of itself")
            if "\x00" in doc.text or "\x00" in (doc.title or ""):
                raise StoreError(f"write_batch: document {doc.id} ({doc.origin}) contains NUL "
                                 f"characters, which PostgreSQL cannot store; reject or clean "
                                 f"the input before writing it")
            _check_records(extraction)
            rows.documents.append({
                "id": doc.id, "text": doc.text, "title": doc.title, "url": doc.url,
                "source": doc.source, "published": doc.published,
                "published_from": doc.published_from, "external_id": doc.external_id,
                "origin": doc.origin, "duplicate_of": duplicate_of,
                "similarity": None if similarity is None else float(similarity),
                "char_count": len(doc.text), "ingested_at": now, "run_id": run_id,
            })
            rows.sketches.extend({"doc_id": doc.id, "hash": h}
                                 for h in sorted(_sketch_hashes(sketch, doc.id)))
            rows.observations.extend(_observation_row(o, stamp) for o in extraction.observations)
            rows.events.extend(_event_row(e, stamp) for e in extraction.events)
        # One order for every writer, so concurrent PostgreSQL batches cannot deadlock.
        rows.documents.sort(key=lambda row: row["id"])
        return rows

    def _check_duplicate_targets(self, conn: Connection, docs: list[dict[str, Any]]) -> None:
        batch = {d["id"] for d in docs}
        wanted = {d["duplicate_of"] for d in docs if d["duplicate_of"]} - batch
        missing = wanted - _existing(conn, wanted)
        if missing:
            culprits = [f"{d['id']} ({d['origin']}) -> {d['duplicate_of']}" for d in docs
                        if d["duplicate_of"] in missing]
            raise StoreError("write_batch: documents marked as duplicates of documents that are "
                             "neither stored nor in the batch: " + "; ".join(culprits[:10]))

    # -- documents

    def has_documents(self, ids: Iterable[str]) -> set[str]:
        """Which of these document ids are already stored."""
        with self._read("looking up document ids") as conn:
            return _existing(conn, set(ids))

    def get_document(self, ref: str) -> StoredDocument:
        """A document by its id, its external id, or an unambiguous id prefix (6+ characters)."""
        ref = (ref or "").strip()
        if not ref:
            raise StoreError("get_document: give a document id, external id or id prefix")
        d = t.documents
        with self._read(f"looking up document {ref!r}") as conn:
            row = conn.execute(select(d).where(d.c.id == ref)).first()
            if row is not None:
                return _stored_document(row)
            by_external = conn.execute(
                select(d).where(d.c.external_id == ref).order_by(d.c.id).limit(11)).all()
            if len(by_external) == 1:
                return _stored_document(by_external[0])
            if by_external:
                raise LookupFailed(_ambiguous(ref, "external id", by_external),
                                   found=len(by_external))
            by_prefix = []
            if len(ref) >= MIN_PREFIX:
                by_prefix = conn.execute(select(d).where(d.c.id.startswith(ref, autoescape=True))
                                         .order_by(d.c.id).limit(11)).all()
        if len(by_prefix) == 1:
            return _stored_document(by_prefix[0])
        if by_prefix:
            raise LookupFailed(_ambiguous(ref, "id prefix", by_prefix), found=len(by_prefix))
        short = (f" (id prefixes need at least {MIN_PREFIX} characters)"
                 if len(ref) < MIN_PREFIX else "")
        raise LookupFailed(f"no document with id, external id or id prefix {ref!r} in the "
                           f"store {self.url}{short}", found=0)

    def documents(self, limit: int | None = 50, offset: int = 0, *,
                  source: str | None = None,
                  since: str | date | None = None, until: str | date | None = None,
                  include_duplicates: bool = True, with_text: bool = True,
                  after: str | None = None) -> Page[StoredDocument]:
        """A page of documents, newest publication first (undated last).

        since/until select documents whose publication period overlaps [since, until]; see
        observations() for how partial dates compare. Undated documents are left out then.
        ``with_text=False`` leaves each document's text empty, for listings that show only
        metadata: a page of long articles is then not read at all. ``after`` (a page's
        ``next``) starts the page after that document, read from the index however deep.
        """
        d = t.documents
        conditions: list[ColumnElement[bool]] = []
        if source is not None:
            conditions.append(d.c.source == source)
        if not include_duplicates:
            conditions.append(d.c.duplicate_of.is_(None))
        conditions.extend(_period_filter(d.c.published, since, until))
        columns = list(d.c) if with_text else [
            literal("").label("text") if c.name == "text" else c for c in d.c]
        order = (d.c.published.desc().nulls_last(), d.c.id)
        # After a key, the dated documents after it and then the undated ones: each part a
        # range of the newest-first index, where one condition with OR would scan it all.
        parts: list[list[ColumnElement[bool]]] = [[*conditions]]
        if after is not None:
            if offset:
                raise InputError("documents: give after or offset, not both")
            published, doc_id = _cursor(after, 2, "documents")
            if published is None:
                parts = [[*conditions, d.c.published.is_(None), d.c.id > doc_id]]
            else:
                parts = [[*conditions, d.c.published <= published,
                          or_(d.c.published < published, d.c.id > doc_id)],
                         [*conditions, d.c.published.is_(None)]]
        with self._read("listing documents") as conn:
            # a page after a key is one of many read in turn: counting them all again for
            # each would cost more than the page (total is then -1)
            total = -1 if after is not None else self._count(
                conn, (source, str(since), str(until), include_duplicates), conditions)
            items: list[StoredDocument] = []
            for part in parts:
                page = (select(*([d.c.id] if offset else columns)).where(*part).order_by(*order)
                        .limit(None if limit is None else limit - len(items)).offset(offset))
                if offset:  # the page's ids first, from the newest-first index alone (a deep
                    # offset then walks index entries, not rows), and then those rows only
                    page = (select(*columns).where(d.c.id.in_(page.scalar_subquery()))
                            .order_by(*order))
                items.extend(_stored_document(row) for row in conn.execute(page))
                if len(items) == limit:
                    break
        return Page(items=items, total=int(total or 0), limit=limit, offset=offset,
                    next=cursor(items[-1].published, items[-1].id)
                    if items and len(items) == limit else None)

    def _count(self, conn: Connection, key: tuple[Any, ...],
               conditions: list[ColumnElement[bool]]) -> int:
        """How many documents match ``conditions``, counted once per version of the store:
        a listing's first page is asked for again and again, and counting a large store takes
        longer than reading the page."""
        return self._counted.get(key, self.version(), lambda: int(
            conn.execute(select(func.count()).select_from(t.documents).where(*conditions))
            .scalar() or 0))

    def duplicate_links(self) -> dict[str, str]:
        """Every near-duplicate's id mapped to the id of the original it copies."""
        d = t.documents
        query = select(d.c.id, d.c.duplicate_of).where(d.c.duplicate_of.is_not(None))
        with self._read("reading near-duplicate links") as conn:
            return {row.id: row.duplicate_of for row in conn.execute(query)}

    def citations(self, ids: Iterable[str]) -> dict[str, Citation]:
        """Title, outlet, URL, date and original of each stored document among ``ids``."""
        d = t.documents
        columns = (d.c.id, d.c.external_id, d.c.title, d.c.source, d.c.url, d.c.published,
                   d.c.duplicate_of)
        wanted = sorted(set(ids))
        found: dict[str, Citation] = {}
        with self._read("reading document citations") as conn:
            for i in range(0, len(wanted), _CHUNK):
                for row in conn.execute(select(*columns).where(d.c.id.in_(wanted[i:i + _CHUNK]))):
                    found[row.id] = Citation(
                        id=row.id, label=row.external_id or row.id, title=row.title,
                        outlet=row.source, url=row.url, published=row.published,
                        duplicate_of=row.duplicate_of)
        return found

    def count_documents(self, include_duplicates: bool = True) -> int:
        query = select(func.count()).select_from(t.documents)
        if not include_duplicates:
            query = query.where(t.documents.c.duplicate_of.is_(None))
        with self._read("counting documents") as conn:
            return int(conn.execute(query).scalar() or 0)

    # -- near duplicates

    def sketch_postings(self, hashes: Iterable[int], *,
                        originals_only: bool = True) -> dict[str, set[int]]:
        """For every stored document holding any of ``hashes``, the ones it holds.

        One lookup for a whole batch of new texts (their hashes pooled), where asking per text
        would cost a round trip each; the caller counts what each candidate shares with each
        text. ``originals_only`` leaves out documents already linked as copies of another, so a
        widely syndicated story is compared with its original once, not with every copy.
        A hash that more than ``COMMON_HASH`` documents hold is left out: a shingle that common
        is boilerplate (a dateline, a standard paragraph), not a sign of copying, and without
        this limit one lookup would list most of a large store.
        """
        wanted = sorted(_sketch_hashes(hashes, "query"))
        s, d = t.document_sketches, t.documents
        postings: dict[int, list[str]] = {}
        with self._read("looking up near-duplicate candidates") as conn:
            for chunk in range(0, len(wanted), _CHUNK):
                part = wanted[chunk:chunk + _CHUNK]
                if self.dialect == "postgresql":
                    # each hash's postings read from the index up to one past the limit
                    rows = conn.execute(_PG_POSTINGS, {"hashes": part, "most": COMMON_HASH + 1,
                                                       "originals": originals_only})
                else:
                    conditions = [s.c.hash.in_(part)]
                    if originals_only:
                        conditions.append(
                            s.c.doc_id.in_(select(d.c.id).where(d.c.duplicate_of.is_(None))))
                    rows = conn.execute(select(s.c.doc_id, s.c.hash).where(*conditions))
                for doc_id, found in rows:
                    postings.setdefault(int(found), []).append(doc_id)
        held: dict[str, set[int]] = {}
        for found, doc_ids in postings.items():
            if len(doc_ids) <= COMMON_HASH:
                for doc_id in doc_ids:
                    held.setdefault(doc_id, set()).add(found)
        return held

    def sketches(self, doc_ids: Iterable[str]) -> dict[str, list[int]]:
        """The stored sketches of several documents, each in ascending order."""
        ids = sorted(set(doc_ids))
        s = t.document_sketches
        found: dict[str, list[int]] = {doc_id: [] for doc_id in ids}
        with self._read("reading sketches") as conn:
            for chunk in range(0, len(ids), _CHUNK):
                query = (select(s.c.doc_id, s.c.hash).where(s.c.doc_id.in_(ids[chunk:chunk +
                                                                           _CHUNK]))
                         .order_by(s.c.doc_id, s.c.hash))
                for row in conn.execute(query):
                    found[row.doc_id].append(int(row.hash))
        return found

    # -- records

    def observations(self, doc_id: str | None = None, indicator: str | None = None,
                     status: str | None = None, state: str | None = None,
                     since: str | date | None = None, until: str | date | None = None,
                     limit: int | None = None, offset: int = 0,
                     after: str | None = None) -> list[Observation]:
        """Observations matching every filter given, by time (undated last), document, span.

        ``state`` is the observation's actor (ISO3). since/until take YYYY, YYYY-MM or
        YYYY-MM-DD. An observation's ``when`` is a period ("2025" is the whole year) and it is
        included when that period overlaps [start of since, end of until]: "2025" is inside
        since="2025-03", "2025-02-15" is not. Undated observations are left out when since or
        until is given.
        """
        o = t.observations
        conditions: list[ColumnElement[bool]] = [
            column == value for column, value in
            ((o.c.doc_id, doc_id), (o.c.indicator, indicator), (o.c.status, status),
             (o.c.actor, state)) if value is not None]
        conditions.extend(_period_filter(o.c.when_at, since, until))
        if after is not None:
            conditions.append(_after_record(o, after, "observations"))
        query = (select(o).where(*conditions)
                 .order_by(o.c.when_at.asc().nulls_last(), o.c.doc_id, o.c.span_start, o.c.id)
                 .limit(limit).offset(offset or None))
        with self._read("listing observations") as conn:
            return [_observation(row) for row in conn.execute(query)]

    def events(self, doc_id: str | None = None, type: str | None = None,
               state: str | None = None, source: str | None = None, target: str | None = None,
               since: str | date | None = None, until: str | date | None = None,
               limit: int | None = None, offset: int = 0,
               after: str | None = None) -> list[Event]:
        """Events matching every filter given; ``state`` matches source or target.

        since/until and after work as in observations().
        """
        e = t.events
        conditions: list[ColumnElement[bool]] = [
            column == value for column, value in
            ((e.c.doc_id, doc_id), (e.c.type, type), (e.c.source, source),
             (e.c.target, target)) if value is not None]
        if state is not None:
            conditions.append(or_(e.c.source == state, e.c.target == state))
        conditions.extend(_period_filter(e.c.when_at, since, until))
        if after is not None:
            conditions.append(_after_record(e, after, "events"))
        query = (select(e).where(*conditions)
                 .order_by(e.c.when_at.asc().nulls_last(), e.c.doc_id, e.c.span_start, e.c.id)
                 .limit(limit).offset(offset or None))
        with self._read("listing events") as conn:
            return [_event(row) for row in conn.execute(query)]

    def sentences(self, spans: Iterable[tuple[str, int, int]]
                  ) -> dict[tuple[str, int, int], Sentence]:
        """For each (doc_id, start, end), the whole sentence of the stored text around the span
        (see ``bilateral.quotes``). Texts are read a few documents at a time and let go, so
        the cost is one pass over the cited texts, never all of them held at once."""
        wanted: dict[str, set[tuple[int, int]]] = {}
        for doc_id, start, end in spans:
            wanted.setdefault(doc_id, set()).add((start, end))
        ids = sorted(wanted)
        found: dict[tuple[str, int, int], Sentence] = {}
        d = t.documents
        with self._read("reading the sentences around quotes") as conn:
            for i in range(0, len(ids), _TEXT_CHUNK):
                query = select(d.c.id, d.c.text).where(d.c.id.in_(ids[i:i + _TEXT_CHUNK]))
                for doc_id, text in conn.execute(query):
                    for start, end in wanted[doc_id]:
                        if (sentence := sentence_around(text, start, end)) is not None:
                            found[(doc_id, start, end)] = sentence
        return found

    def records_for(self, ref: str) -> Extraction:
        """A document (by id, external id or prefix) with everything extracted from it."""
        doc = self.get_document(ref)
        return Extraction(document=doc,
                          observations=tuple(self.observations(doc_id=doc.id)),
                          events=tuple(self.events(doc_id=doc.id)))

    def stats(self) -> StoreStats:
        counts = {
            "documents": select(func.count()).select_from(t.documents),
            "duplicates": select(func.count()).select_from(t.documents)
            .where(t.documents.c.duplicate_of.is_not(None)),
            "observations": select(func.count()).select_from(t.observations),
            "events": select(func.count()).select_from(t.events),
            "runs": select(func.count()).select_from(t.runs),
            "rejections": select(func.count()).select_from(t.rejections),
        }
        with self._read("counting the store's contents") as conn:
            return StoreStats(**{k: int(conn.execute(q).scalar() or 0)
                                 for k, q in counts.items()})

    def version(self) -> tuple[Any, ...]:
        """A value that changes whenever documents (and so records) are written, cheap enough to
        ask on every request however large the store: the runs, and the heartbeat of each run
        still writing (and of the latest). Every batch a run writes beats in its own
        transaction, so a run's heartbeat moves with each batch; counting the run's documents
        instead would read a whole bulk-loaded store on every request. A run whose heartbeat is
        older than the lease is not writing (its process is gone) and is left out, though only
        a write marks it failed."""
        r = t.runs
        with self._read("reading the store's version") as conn:
            latest, runs = conn.execute(select(func.max(r.c.id), func.count()).select_from(r)).one()
            writing = and_(r.c.status == "running", ~self._stale(_now()))
            live = conn.execute(select(r.c.id, r.c.heartbeat_at)
                                .where(or_(writing, r.c.id == latest)).order_by(r.c.id)).all()
        return (latest or 0, runs, *((int(run), str(beat)) for run, beat in live))

    # -- API tokens

    def add_token(self, name: str) -> str:
        """A new API token for ``name``, returned once; only its digest is kept."""
        name = (name or "").strip()
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", name):
            raise InputError(f"token name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
                             f"starting with a letter or digit")
        token = "blt_" + secrets.token_urlsafe(32)
        row = {"name": name, "digest": token_digest(token), "created_at": datetime.now(UTC)}
        with self._write(f"adding the API token {name!r}") as conn:
            exists = conn.execute(select(t.api_tokens.c.name)
                                  .where(t.api_tokens.c.name == name)).first()
            if exists:
                raise InputError(f"an API token named {name!r} exists already; revoke it first "
                                 f"(bilateral token revoke {name}) or choose another name")
            conn.execute(t.api_tokens.insert().values(**row))
        return token

    def token_holder(self, token: str) -> str | None:
        """The name a token was issued to, or None when it is unknown or revoked."""
        # Looking up the digest leaks nothing useful by its timing: a digest is not the token.
        query = select(t.api_tokens.c.name).where(t.api_tokens.c.digest == token_digest(token))
        with self._read("checking an API token") as conn:
            return conn.execute(query).scalar()

    def tokens(self) -> list[tuple[str, datetime]]:
        """(name, created) of every API token, oldest first; the tokens themselves are not
        kept."""
        query = select(t.api_tokens.c.name, t.api_tokens.c.created_at).order_by(
            t.api_tokens.c.created_at, t.api_tokens.c.name)
        with self._read("listing API tokens") as conn:
            return [(r.name, r.created_at) for r in conn.execute(query)]

    def revoke_token(self, name: str) -> bool:
        """Remove the token issued to ``name``; False when there was none."""
        with self._write(f"revoking the API token {name!r}") as conn:
            result = conn.execute(t.api_tokens.delete().where(t.api_tokens.c.name == name))
        return bool(result.rowcount)

    # -- feed entries

    def feed_entries(self, urls: Iterable[str]) -> dict[str, FeedEntry]:
        """The entries already decided among ``urls``, by URL."""
        wanted = sorted(set(urls))
        f = t.feed_entries
        found: dict[str, FeedEntry] = {}
        with self._read("reading feed entries") as conn:
            for start in range(0, len(wanted), 500):
                query = select(f).where(f.c.url.in_(wanted[start:start + 500]))
                for row in conn.execute(query).mappings():
                    found[row["url"]] = FeedEntry(**row)
        return found

    def record_feed_entries(self, entries: Iterable[FeedEntry]) -> int:
        """Insert or replace what was decided about these links; returns how many."""
        now = datetime.now(UTC)
        rows = {e.url: {**e.__dict__, "seen_at": now} for e in entries}
        bad = sorted({r["status"] for r in rows.values()} - set(t.FEED_ENTRY_STATUSES))
        if bad:
            raise StoreError(f"feed entry status {bad[0]!r} is not one of "
                             f"{', '.join(t.FEED_ENTRY_STATUSES)}")
        if not rows:
            return 0
        stmt = self._insert(t.feed_entries)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.feed_entries.c.url],
            set_={c: stmt.excluded[c] for c in rows[next(iter(rows))] if c != "url"})
        with self._write("recording feed entries") as conn:
            conn.execute(stmt, list(rows.values()))
        return len(rows)

    # -- search

    def search(self, query: str, limit: int = 20, *,
               include_duplicates: bool = True) -> list[SearchHit]:
        """Full-text search over titles and texts, best first.

        Words are ANDed; "a phrase" matches in sequence; ``or`` and ``-word`` work as in a web
        search; any other character is just text (it can never cause a syntax error).
        """
        with self._read(f"searching for {query!r:.80}") as conn:
            return _search(conn, query, limit, include_duplicates)


# ----------------------------------------------------------------------------- helpers


def _now() -> datetime:
    return datetime.now(UTC)


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    return f"{seconds // 60} min" if seconds % 60 == 0 and seconds else f"{seconds} s"


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def cursor(*parts: object) -> str:
    """A listing's position as text for ``after``: the sort columns of the last row listed,
    a missing value as "-". Fields are separated by spaces, which no id or date holds."""
    return " ".join("-" if p is None else str(p) for p in parts)


def record_cursor(record: Observation | Event) -> str:
    """Where a records listing continues after ``record``."""
    kind = "o" if isinstance(record, Observation) else "e"
    found = observation_id(record) if isinstance(record, Observation) else event_id(record)
    return cursor(kind, record.when, record.doc_id, record.start, found)


def _cursor(text: str, fields: int, listing: str) -> list[str | None]:
    parts = text.split(" ")
    if len(parts) != fields or not all(parts):
        raise InputError(f"after={text[:100]!r} is not a position in the {listing} listing: "
                         f"pass the 'next' of the page before")
    return [None if p == "-" else p for p in parts]


def _after(first: Any, value: str | None, rest: list[Any], values: list[Any], *,
           descending: bool) -> ColumnElement[bool]:
    """Rows after (``first``, *``rest``) = (value, *values) in the order ``first`` (NULLs
    last, descending or not), then ``rest`` ascending: what keyset paging continues with."""
    later = tuple_(*rest) > tuple_(*values) if len(rest) > 1 else rest[0] > values[0]
    if value is None:
        return and_(first.is_(None), later)
    beyond = first < value if descending else first > value
    return or_(beyond, and_(first == value, later), first.is_(None))


def _after_record(table: Any, after: str, listing: str) -> ColumnElement[bool]:
    kind, when, doc_id, start, record = _cursor(after, 5, listing)
    if kind != listing[0] or not (start or "").isdigit():
        raise InputError(f"after={after[:100]!r} is not a position in the {listing} listing: "
                         f"pass the 'next' of the page before")
    return _after(table.c.when_at, when, [table.c.doc_id, table.c.span_start, table.c.id],
                  [doc_id, int(start or 0), record], descending=False)


def _mark_replaced(conn: Connection, ids: list[str], observations: Iterable[dict[str, Any]],
                   events: Iterable[dict[str, Any]]) -> None:
    """Mark for the kept answers what replacing these documents' records changes: what their
    old records were about, and what the new ones are."""
    o, e = t.observations, t.events
    indicators = {r["indicator"] for r in observations}
    groups = {event_group(r["type"], r["source"], r["target"]) for r in events if r["when_at"]}
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        indicators.update(conn.execute(select(o.c.indicator).distinct()
                                       .where(o.c.doc_id.in_(chunk))).scalars())
        groups.update(event_group(*row) for row in conn.execute(
            select(e.c.type, e.c.source, e.c.target).distinct()
            .where(e.c.doc_id.in_(chunk), e.c.when_at.is_not(None))))
    mark_changes(conn, indicators, groups)


def _existing(conn: Connection, ids: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(ids)
    for i in range(0, len(ordered), _CHUNK):
        chunk = ordered[i:i + _CHUNK]
        found.update(conn.execute(select(t.documents.c.id)
                                  .where(t.documents.c.id.in_(chunk))).scalars())
    return found


def _sketch_hashes(hashes: Iterable[int], where: str) -> set[int]:
    out: set[int] = set()
    for h in hashes:
        try:
            value = operator.index(h)
        except TypeError as exc:
            raise StoreError(f"sketch of {where}: hash {h!r} is not an integer") from exc
        if not _INT64[0] <= value <= _INT64[1]:
            raise StoreError(f"sketch of {where}: hash {value} does not fit a signed 64-bit "
                             f"integer (fold unsigned hashes with h - 2**64 when h >= 2**63)")
        out.add(value)
    return out


def _period_end(value: str | date) -> str:
    """A string that sorts after every date inside the period and before the next period."""
    period = _check_period(value)
    return period + {4: "-99-99", 7: "-99"}.get(len(period), "")


def _check_period(value: str | date) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or not _PERIOD.match(value.strip()):
        raise InputError(f"date filter {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return value.strip()


def _period_filter(column: Any, since: str | date | None,
                   until: str | date | None) -> list[ColumnElement[bool]]:
    """Rows whose partial-date period (YYYY / YYYY-MM / YYYY-MM-DD) overlaps [since, until].

    A partial date sorts before every date inside it ("2025" < "2025-01-01"), so the column
    itself is its period's start key; its end key pads it with "-99".
    """
    if since is None and until is None:
        return []
    if since is not None and until is not None and _check_period(since) > _period_end(until):
        raise InputError(f"date filter: since {since} is after until {until}")
    conditions: list[ColumnElement[bool]] = [column.is_not(None)]
    if since is not None:
        length = func.length(column)
        end_key = case((length == 4, column + "-99-99"), (length == 7, column + "-99"),
                       else_=column)
        conditions.append(end_key >= _check_period(since))
    if until is not None:
        conditions.append(column <= _period_end(until))
    return [and_(*conditions)]


def _ambiguous(ref: str, kind: str, rows: Sequence[Any]) -> str:
    listed = ", ".join(f"{r.id} ({r.title or r.external_id or r.origin or 'untitled'})"
                       for r in rows[:10])
    more = " and more" if len(rows) > 10 else ""
    return (f"{kind} {ref!r} is ambiguous: it matches {listed}{more}; "
            f"give more characters of the id")


def _stored_document(row: Any) -> StoredDocument:
    return StoredDocument(
        id=row.id, text=row.text, title=row.title, url=row.url, source=row.source,
        published=row.published, published_from=row.published_from,
        external_id=row.external_id, origin=row.origin, duplicate_of=row.duplicate_of,
        similarity=row.similarity, char_count=row.char_count, ingested_at=row.ingested_at,
        run_id=row.run_id)


def _check_records(extraction: Extraction) -> None:
    doc = extraction.document
    for record in (*extraction.observations, *extraction.events):
        if record.doc_id != doc.id:
            raise StoreError(
                f"storing records: document {doc.id} ({doc.origin}) carries a "
                f"{type(record).__name__.lower()} of document {record.doc_id}")
    for o in extraction.observations:
        if not math.isfinite(o.value):
            raise StoreError(f"storing records: document {doc.id} ({doc.origin}): "
                             f"observation {o.indicator} has no finite value ({o.value})")


def _stamp(provenance: Provenance) -> dict[str, Any]:
    return {"extractor_version": provenance.extractor_version,
            "dossier_sha256": provenance.dossier_sha256}


def _observation_row(o: Observation, provenance: Provenance) -> dict[str, Any]:
    return {"id": observation_id(o), "doc_id": o.doc_id, "indicator": o.indicator,
            "value": float(o.value), "unit": o.unit, "status": o.status, "when_at": o.when,
            "quote": o.quote, "span_start": o.start, "span_end": o.end, "rule": o.rule,
            "actor": o.actor, "note": o.note, **_stamp(provenance)}


def _observation(row: Any) -> Observation:
    return Observation(doc_id=row.doc_id, indicator=row.indicator, value=row.value,
                       unit=row.unit, status=row.status, when=row.when_at, quote=row.quote,
                       start=row.span_start, end=row.span_end, rule=row.rule, actor=row.actor,
                       note=row.note)


def _event_row(e: Event, provenance: Provenance) -> dict[str, Any]:
    return {"id": event_id(e), "doc_id": e.doc_id, "type": e.type, "source": e.source,
            "target": e.target, "when_at": e.when, "quote": e.quote, "span_start": e.start,
            "span_end": e.end, "rule": e.rule, "source_actor": e.source_actor,
            "target_actor": e.target_actor, "trigger": e.trigger, **_stamp(provenance)}


def _event(row: Any) -> Event:
    return Event(doc_id=row.doc_id, type=row.type, source=row.source, target=row.target,
                 when=row.when_at, quote=row.quote, start=row.span_start, end=row.span_end,
                 rule=row.rule, source_actor=row.source_actor, target_actor=row.target_actor,
                 trigger=row.trigger)


def _run(row: Any) -> Run:
    return Run(id=row.id, kind=row.kind, status=row.status, dossier=row.dossier,
               config=json.loads(row.config) if row.config else {},
               counts=json.loads(row.counts) if row.counts else None,
               started_at=row.started_at, finished_at=row.finished_at,
               heartbeat_at=row.heartbeat_at, reason=row.reason)
