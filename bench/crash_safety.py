"""Crash safety: real ``bilateral ingest`` processes killed with SIGKILL, then checked.

Each trial starts an ingest of a corpus grown from the example articles into a fresh store and
kills it (SIGKILL: no cleanup, no finish_run) at a moment chosen by a seeded RNG or by watching
the database, then runs the ingest again to completion and checks that no input was lost,
none was stored twice, every record and rejection belongs to something stored, the database
is sound (SQLite: ``PRAGMA integrity_check``, foreign keys, the full-text index), the records
equal those of a clean ingest, and every run is completed or, killed, marked abandoned.

Kinds of trial, round-robin:

- random moment: anywhere from process start to the time a clean ingest takes;
- migrating: a fresh store, killed while its schema is created (its transaction is open);
- mid-transaction: while a batch holds SQLite's write lock (the WAL growing), or while a
  PostgreSQL INSERT of a batch is under way;
- between batches: after a random number of batches, while the next one is extracted;
- concurrent: two overlapping ingests of the same files at once, one of them killed at a
  random moment half of the time.

    python bench/crash_safety.py --trials 60 --db both
    python bench/crash_safety.py --trials 10 --db postgres --pg-url postgresql://u@host/db
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from ingest_throughput import fresh_store_url
from sqlalchemy import create_engine, text

from bilateral.demo import example_corpus
from bilateral.ingest.readers import discover, read
from bilateral.records import Document
from bilateral.store import open_store, resolve_url

KINDS = ("random moment", "migrating", "mid-transaction", "between batches", "concurrent")
BATCH = 20
POLL_S = 0.002
DEADLINE_S = 300.0  # no single process may take longer than this


# ----------------------------------------------------------------------------- the corpus


def build_corpus(folder: Path, copies: int) -> list[str]:
    """JSONL parts and .md/.txt files, each a variant of an example article with a line of its
    own; returns the ids every trial must end up storing (read as ingest reads them)."""
    examples = example_corpus()
    bases = [i.result for path in discover([examples]) if isinstance(path, Path)
             for i in read(path) if isinstance(i.result, Document)]
    parts = folder / "parts"
    parts.mkdir(parents=True)
    for part in range(6):
        with (parts / f"part-{part}.jsonl").open("w", encoding="utf-8") as handle:
            for n in range(part, copies, 6):
                base = bases[n % len(bases)]
                handle.write(json.dumps({
                    "doc_id": f"crash-{n:05d}", "title": base.title, "source": base.source,
                    "published": base.published,
                    "text": f"Crash trial copy {n} of {base.label}.\n{base.text}"}) + "\n")
    files = folder / "files"
    files.mkdir()
    for path in sorted(examples.iterdir()):
        if path.suffix in (".md", ".txt"):
            for n in range(2):
                copy = files / f"{path.stem}-copy{n}{path.suffix}"
                copy.write_text(path.read_text(encoding="utf-8")
                                + f"\n\nFile copy {n} of {path.name}.\n", encoding="utf-8")
    ids = [i.result.id for source in discover([folder]) if isinstance(source, Path)
           for i in read(source) if isinstance(i.result, Document)]
    assert len(ids) == len(set(ids)), "every variant must differ"
    return ids


# ----------------------------------------------------------------------------- databases


@contextmanager
def fresh_url(kind: str, folder: Path, pg_url: str, name: str) -> Iterator[str]:
    """A store URL nobody has used: a new SQLite file, or a new PostgreSQL schema dropped
    afterwards; PostgreSQL connections carry ``name`` so the watcher can find them."""
    if kind == "sqlite":
        path = folder / f"{name}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    with fresh_store_url(pg_url, folder, application_name=name) as url:
        yield url


def sqlite_path(url: str) -> Path:
    return Path(resolve_url(url).database or "")


def sqlite_writing(url: str) -> bool:
    """True while another connection holds the SQLite write lock (a batch or a migration
    under way): taking it without waiting fails then. Never creates the file."""
    path = sqlite_path(url)
    if not path.exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=0,
                               isolation_level=None)
    except sqlite3.OperationalError:
        return False
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    finally:
        conn.close()


def sqlite_has_schema(url: str) -> bool:
    path = sqlite_path(url)
    if not path.exists():
        return False
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
                            ).fetchone()[0] > 0
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()


class PgWatch:
    """What the ingest's PostgreSQL connections (found by application_name) are doing."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(resolve_url(url))
        self.name = resolve_url(url).query["application_name"]

    def in_transaction(self, query_prefix: str = "") -> bool:
        sql = ("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
               "AND xact_start IS NOT NULL AND state IN ('active', 'idle in transaction') "
               "AND query ILIKE :query")
        with self.engine.connect() as conn:
            return bool(conn.execute(text(sql), {"name": self.name,
                                                 "query": query_prefix + "%"}).scalar())

    def migrating(self) -> bool:
        """The ingest holds the store's migration lock (an advisory lock taken by the
        upgrade's transaction) and the schema is not committed yet."""
        sql = ("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
               "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = :name")
        with self.engine.connect() as conn:
            held = conn.execute(text(sql), {"name": self.name}).scalar()
        return bool(held) and not self.has_schema()

    def has_schema(self) -> bool:
        with self.engine.connect() as conn:  # an uncommitted CREATE TABLE is not visible
            return conn.execute(text("SELECT to_regclass('alembic_version')")).scalar() \
                is not None

    def close(self) -> None:
        self.engine.dispose()


# ----------------------------------------------------------------------------- processes


def start_ingest(paths: list[Path], url: str, batch: int = BATCH) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bilateral", "ingest", *map(str, paths), "--db", url,
         "--batch-size", str(batch), "--json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "100"})


def kill_when(process: subprocess.Popen, ready: Callable[[], bool]) -> bool:
    """SIGKILL the process as soon as ``ready()`` holds; False when it ended first."""
    stop = time.monotonic() + DEADLINE_S
    while process.poll() is None and time.monotonic() < stop:
        if ready():
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
            return True
        time.sleep(POLL_S)
    if process.poll() is None:
        raise TimeoutError(f"an ingest ran for more than {DEADLINE_S:.0f} s")
    return False


def kill_after(process: subprocess.Popen, seconds: float) -> bool:
    moment = time.monotonic() + seconds
    return kill_when(process, lambda: time.monotonic() >= moment)


def finish(process: subprocess.Popen) -> str | None:
    """Wait for an ingest; the problem when it did not succeed, else None."""
    try:
        _, errors = process.communicate(timeout=DEADLINE_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return f"an ingest ran for more than {DEADLINE_S:.0f} s"
    if process.returncode != 0:
        return f"ingest exited {process.returncode}: {errors.decode(errors='replace')[-500:]}"
    return None


# ----------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class Expected:
    ids: frozenset[str]
    observations: int
    events: int


def check(url: str, expected: Expected, completed: int, killed: int) -> list[str]:
    """Everything that is wrong with the store after a trial (nothing, when it passed)."""
    problems = []
    with open_store(url) as store:
        stats = store.stats()
        stored = store.has_documents(expected.ids)
        if stored != expected.ids:
            problems.append(f"{len(expected.ids - stored)} inputs lost")
        if stats.documents != len(expected.ids):
            problems.append(f"{stats.documents} documents stored for {len(expected.ids)} inputs")
        if (stats.observations, stats.events) != (expected.observations, expected.events):
            problems.append(f"{stats.observations} observations and {stats.events} events; a "
                            f"clean ingest stores {expected.observations} and {expected.events}")
        with store.engine.connect() as conn:
            for sql, what in (
                ("SELECT count(*) FROM (SELECT external_id FROM documents WHERE external_id "
                 "IS NOT NULL GROUP BY external_id HAVING count(*) > 1) AS twice",
                 "inputs stored twice"),
                ("SELECT count(*) FROM observations o LEFT JOIN documents d ON d.id = o.doc_id "
                 "WHERE d.id IS NULL", "observations without their document"),
                ("SELECT count(*) FROM events e LEFT JOIN documents d ON d.id = e.doc_id "
                 "WHERE d.id IS NULL", "events without their document"),
                ("SELECT count(*) FROM document_sketches s LEFT JOIN documents d "
                 "ON d.id = s.doc_id WHERE d.id IS NULL", "sketches without their document"),
                ("SELECT count(*) FROM documents d LEFT JOIN documents o "
                 "ON o.id = d.duplicate_of WHERE d.duplicate_of IS NOT NULL AND o.id IS NULL",
                 "copies of documents not stored"),
                ("SELECT count(*) FROM documents d LEFT JOIN runs r ON r.id = d.run_id "
                 "WHERE d.run_id IS NOT NULL AND r.id IS NULL", "documents of unknown runs"),
                ("SELECT count(*) FROM rejections j LEFT JOIN runs r ON r.id = j.run_id "
                 "WHERE r.id IS NULL", "rejections of unknown runs"),
            ):
                if n := conn.execute(text(sql)).scalar():
                    problems.append(f"{n} {what}")
            if store.dialect == "sqlite":
                if (verdict := conn.exec_driver_sql("PRAGMA integrity_check").scalar()) != "ok":
                    problems.append(f"integrity_check: {verdict}")
                if conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                    problems.append("foreign_key_check found rows")
                try:
                    conn.exec_driver_sql("INSERT INTO documents_fts(documents_fts) "
                                         "VALUES ('integrity-check')")
                    conn.rollback()
                except Exception as exc:  # the full-text index disagrees with the documents
                    problems.append(f"full-text index: {exc}")
        statuses = Counter(run.status for run in store.runs(limit=None))
    # a process killed between finishing its run and exiting leaves a completed run
    if not completed <= statuses["completed"] <= completed + killed:
        problems.append(f"{statuses['completed']} completed runs for {completed} ingests "
                        f"that finished and {killed} killed")
    if statuses["failed"]:
        problems.append(f"{statuses['failed']} runs failed before any was judged abandoned")
    # Every process is gone now: with no lease at all, each run still running is abandoned.
    with open_store(url, run_lease=timedelta(0)) as store:
        runs = store.runs(limit=None)
    if any(run.status == "running" for run in runs):
        problems.append("a run is still running after the runs were checked")
    stray = [run for run in runs if run.status == "failed" and not run.abandoned]
    if stray:
        problems.append(f"{len(stray)} runs failed for a reason: {stray[0].reason}")
    if sum(run.abandoned for run in runs) > killed:
        problems.append(f"{sum(run.abandoned for run in runs)} runs abandoned, {killed} killed")
    return problems


# ----------------------------------------------------------------------------- trials


@dataclass
class Tally:
    trials: int = 0
    killed: int = 0
    passed: int = 0
    failures: list[str] = field(default_factory=list)


class Trials:
    def __init__(self, corpus: Path, inputs: list[str], db: str, pg_url: str,
                 rng: random.Random, workdir: Path) -> None:
        self.corpus, self.inputs, self.db = corpus, frozenset(inputs), db
        self.pg_url, self.rng, self.workdir = pg_url, rng, workdir
        self.expected: Expected | None = None
        self.clean_seconds = 0.0

    def url(self, name: str):
        return fresh_url(self.db, self.workdir, self.pg_url, name)

    def reference(self) -> None:
        """One clean ingest: the records every trial must end with, and how long it takes."""
        with self.url("crash-reference") as url:
            open_store(url).close()
            started = time.monotonic()
            problem = finish(start_ingest([self.corpus], url))
            self.clean_seconds = time.monotonic() - started
            if problem:
                raise SystemExit(f"the clean ingest failed on {self.db}: {problem}")
            with open_store(url) as store:
                stats = store.stats()
                ids = frozenset(d.id for d in store.documents(limit=None, with_text=False))
        if ids != self.inputs:
            raise SystemExit(f"the clean ingest on {self.db} stored {len(ids)} documents for "
                             f"{len(self.inputs)} inputs")
        self.expected = Expected(ids, stats.observations, stats.events)

    def run(self, kind: str, number: int) -> tuple[bool, list[str]]:
        """One trial: kill, resume, check; (whether anything was killed, problems)."""
        name = f"crash-{number}-{uuid.uuid4().hex[:6]}"
        with self.url(name) as url:
            killed, completed, problems = getattr(self, "_" + kind.replace(" ", "_")
                                                  .replace("-", "_"))(url)
            problems += [p for p in [finish(start_ingest([self.corpus], url))] if p]
            completed += 1
            assert self.expected is not None
            return killed > 0, problems + check(url, self.expected, completed, killed)

    # Each kind returns (processes killed, processes that finished, problems).

    def _random_moment(self, url: str) -> tuple[int, int, list[str]]:
        open_store(url).close()
        process = start_ingest([self.corpus], url)
        if kill_after(process, self.rng.uniform(0, self.clean_seconds)):
            return 1, 0, []
        return 0, 1, [p for p in [finish(process)] if p]

    def _migrating(self, url: str) -> tuple[int, int, list[str]]:
        process = start_ingest([self.corpus], url)  # into a store with no schema yet
        if self.db == "sqlite":
            return self._watched(process, lambda: sqlite_writing(url)
                                 and not sqlite_has_schema(url))
        watch = PgWatch(url)
        try:
            return self._watched(process, watch.migrating)
        finally:
            watch.close()

    def _mid_transaction(self, url: str) -> tuple[int, int, list[str]]:
        open_store(url).close()
        process = start_ingest([self.corpus], url)
        # skip a random number of write transactions first, so kills land all through the run
        skip = self.rng.randrange(0, 8)
        if self.db == "sqlite":
            probe = lambda: sqlite_writing(url)  # noqa: E731
        else:
            watch = PgWatch(url)
            probe = lambda: watch.in_transaction("INSERT INTO")  # noqa: E731
        seen = {"n": 0, "was": False}

        def ready() -> bool:
            now = probe()
            if now and not seen["was"]:
                seen["n"] += 1
            seen["was"] = now
            return now and seen["n"] > skip

        try:
            return self._watched(process, ready)
        finally:
            if self.db != "sqlite":
                watch.close()

    def _between_batches(self, url: str) -> tuple[int, int, list[str]]:
        open_store(url).close()
        process = start_ingest([self.corpus], url)
        assert self.expected is not None
        wanted = BATCH * self.rng.randrange(1, max(2, len(self.expected.ids) // BATCH))
        with open_store(url) as store:
            return self._watched(process, lambda: store.count_documents() >= wanted)

    def _concurrent(self, url: str) -> tuple[int, int, list[str]]:
        open_store(url).close()
        parts = sorted((self.corpus / "parts").iterdir())
        first = start_ingest([self.corpus], url)
        time.sleep(self.rng.uniform(0, 0.5))  # a random head start, not a synchronisation
        second = start_ingest([*parts[:3], self.corpus / "files"], url, batch=BATCH - 5)
        victim = self.rng.choice([first, second, None, None])
        killed = kill_after(victim, self.rng.uniform(0, self.clean_seconds)) if victim else False
        survivors = [p for p in (first, second) if not (killed and p is victim)]
        problems = [problem for problem in map(finish, survivors) if problem]
        return int(killed), len(survivors), problems

    def _watched(self, process: subprocess.Popen,
                 ready: Callable[[], bool]) -> tuple[int, int, list[str]]:
        """Kill once ``ready`` holds, a few polls later at random (so kills land all through
        the state watched for, not only at its start)."""
        late = {"polls": self.rng.randrange(0, 10)}

        def ready_late() -> bool:
            if late["polls"] < 0 or ready():
                late["polls"] -= 1
                return late["polls"] < 0
            return False

        if kill_when(process, ready_late):
            return 1, 0, []
        return 0, 1, [p for p in [finish(process)] if p]


# ----------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=60, help="trials per database")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get(
        "BILATERAL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="a PostgreSQL database where a schema may be created per trial")
    parser.add_argument("--copies", type=int, default=150,
                        help="JSONL variants of the examples in the corpus (plus file copies)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    tallies: dict[tuple[str, str], Tally] = {}
    workdir = Path(tempfile.mkdtemp(prefix="bilateral-crash-"))
    try:
        corpus = workdir / "corpus"
        inputs = build_corpus(corpus, args.copies)
        print(f"corpus: {len(inputs)} documents ({args.copies} JSONL variants in 6 parts, "
              f"{len(inputs) - args.copies} file copies), batches of {BATCH}, seed {args.seed}")
        for db in databases:
            trials = Trials(corpus, inputs, db, args.pg_url, rng, workdir)
            trials.reference()
            print(f"{db}: a clean ingest takes {trials.clean_seconds:.1f} s")
            for number in range(args.trials):
                kind = KINDS[number % len(KINDS)]
                tally = tallies.setdefault((kind, db), Tally())
                try:
                    killed, problems = trials.run(kind, number)
                except Exception as exc:  # a trial that cannot even be checked failed
                    killed, problems = False, [f"{type(exc).__name__}: {exc}"]
                tally.trials += 1
                tally.killed += killed
                print(f"  {db} trial {number + 1}/{args.trials} ({kind}): "
                      f"{'killed' if killed else 'ended first'}, "
                      f"{'FAILED' if problems else 'passed'}", flush=True)
                if problems:
                    tally.failures.append(f"{db} trial {number} ({kind}): {'; '.join(problems)}")
                    print(f"    {tally.failures[-1]}", flush=True)
                else:
                    tally.passed += 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(f"{'kind':<18} {'db':<9} {'trials':>6} {'killed':>6} {'passed':>6} {'failed':>6}")
    for (kind, db), tally in tallies.items():
        print(f"{kind:<18} {db:<9} {tally.trials:>6} {tally.killed:>6} {tally.passed:>6} "
              f"{len(tally.failures):>6}")
    total = Tally(trials=sum(t.trials for t in tallies.values()),
                  killed=sum(t.killed for t in tallies.values()),
                  passed=sum(t.passed for t in tallies.values()))
    failed = sum(len(t.failures) for t in tallies.values())
    print(f"{'all':<18} {'':<9} {total.trials:>6} {total.killed:>6} {total.passed:>6} "
          f"{failed:>6}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
