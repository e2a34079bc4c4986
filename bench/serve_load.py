"""API load: requests per second and latency of the main endpoints, with concurrent ingest.

C clients request each endpoint in turn over a large PostgreSQL store while another client keeps
posting new documents through the API, as a team server sees it. The store (N mixed documents,
as in brief_timing.py) is built once in a PostgreSQL schema of its own and kept, so later runs
only measure. It is built by the bulk loader (bulk_store.py: recombined records, COPY), or with
--build ingest by really ingesting the documents, which takes hours at a million. Everything
runs on 127.0.0.1 for fixed durations; the server is stopped at the end, also on Ctrl-C.

    python bench/serve_load.py --build-only               # build the 1,000,000-document store
    python bench/serve_load.py                            # build if needed, then measure
    python bench/serve_load.py --docs 2000 --schema bilateral_load_small --seconds 5
    python bench/serve_load.py --docs 20000 --schema bilateral_load_ingest --build ingest
    python bench/serve_load.py --concurrency 16 --json > load.json
    python bench/serve_load.py --rebuild                  # drop the schema and build it again
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).parent))
import brief_timing
from brief_timing import write_mixed_corpus
from bulk_store import KIND as BULK_KIND
from bulk_store import bulk_load, schema_url

from bilateral.analyse.kept import refresh
from bilateral.dossier import load_dossier
from bilateral.ingest.identity import content_id
from bilateral.ingest.run import ingest
from bilateral.store import open_store, resolve_url
from bilateral.store.store import cursor

DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/test"
PROGRESS_EVERY = 5_000
INDICATOR = "us_tariff_japan_reciprocal"
STARTUP_SECONDS = 120
REQUEST_TIMEOUT = 120.0
CATCH_UP_SECONDS = 1800


def note(message: str) -> None:
    """Progress, on standard error: standard output is for the results (--json)."""
    print(message, file=sys.stderr, flush=True)


# --- the store ----------------------------------------------------------------------------------

def stored_documents(db: str, schema: str, rebuild: bool) -> int:
    """Create the schema if needed (dropping it first on ``rebuild``); how many documents it
    holds."""
    admin = create_engine(resolve_url(db))
    try:
        with admin.begin() as conn:
            if rebuild:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            exists = conn.execute(text(
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = :s AND table_name = 'documents'"), {"s": schema}).first()
            if not exists:
                return 0
            return conn.execute(text(f'SELECT count(*) FROM "{schema}".documents')).scalar() or 0
    finally:
        admin.dispose()


def after_load(url: str) -> None:
    """What a built store needs before it is measured; each step skips what is done already,
    so this runs on every start, built now or before: the schema migrated to the code's
    (indexes built on the loaded tables), the kept answers made (bilateral.analyse.kept, as
    ingest does after it writes), then VACUUM (ANALYZE)."""
    started = time.perf_counter()
    store = open_store(url)
    note(f"migrate  schema at {store.schema_revision()} in {time.perf_counter() - started:,.0f} s")
    if store.kept.pending():
        started = time.perf_counter()
        last = [0.0]

        def progress(what: str, done: int, total: int) -> None:
            if time.perf_counter() - last[0] >= 10 or done == total:
                last[0] = time.perf_counter()
                note(f"  answers: {done:,}/{total:,} ({what}), "
                     f"{last[0] - started:,.0f} s")

        done = refresh(store, load_dossier("us-japan"), progress=progress)
        note(f"answers  kept for {done.indicators} indicators, {done.event_groups:,} event "
             f"groups and {done.dyads} dyads in {time.perf_counter() - started:,.0f} s")
    store.close()
    vacuum_once(url)


def vacuum_once(url: str) -> None:
    """VACUUM (ANALYZE) the tables of the URL's schema unless that was done since the last
    bulk load: the planner statistics and visibility map autovacuum would give a store this
    size, also where it is off."""
    admin = create_engine(resolve_url(url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar()
            done = conn.execute(text(
                "SELECT coalesce(last_vacuum, last_autovacuum) FROM pg_stat_user_tables "
                "WHERE schemaname = :s AND relname = 'documents'"), {"s": schema}).scalar()
            loaded = conn.execute(text(
                "SELECT max(finished_at) FROM runs WHERE kind = :k AND status = 'completed'"),
                {"k": BULK_KIND}).scalar()
            if done is not None and (loaded is None or done >= loaded):
                return
            tables = conn.execute(text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = :s AND table_type = 'BASE TABLE'"), {"s": schema}).scalars()
            started = time.perf_counter()
            for table in tables.all():
                conn.execute(text(f'VACUUM (ANALYZE) "{schema}"."{table}"'))
            note(f"vacuum   VACUUM (ANALYZE) of the schema's tables in "
                 f"{time.perf_counter() - started:,.0f} s")
    finally:
        admin.dispose()


@contextmanager
def _rotated_originals(shift: int) -> Iterator[None]:
    """The examples with their paragraphs rotated by ``shift``, so their thirds fall elsewhere.

    Thirds of 36 examples make only 36**3 distinct documents; each rotation gives as many more,
    which share only parts of thirds with the others."""
    originals = brief_timing.example_documents()
    rotated = []
    for document in originals:
        lines = [line for line in document.text.splitlines() if line.strip()]
        turn = shift % len(lines)
        rotated.append(replace(document, text="\n".join(lines[turn:] + lines[:turn])))
    saved = brief_timing.example_documents
    brief_timing.example_documents = lambda: rotated
    try:
        yield
    finally:
        brief_timing.example_documents = saved


def write_shards(folder: Path, total: int, shards: int) -> list[tuple[Path, int]]:
    """``total`` distinct mixed documents in ``shards`` JSONL files (one per ingest process),
    dealt round-robin so each process ingests early and late dates alike."""
    distinct = len(brief_timing.example_documents()) ** 3
    paths = [folder / f"shard-{n}.jsonl" for n in range(shards)]
    handles = [path.open("w", encoding="utf-8") for path in paths]
    counts = [0] * shards
    seen: set[str] = set()  # short examples repeat a text; the store would keep one
    try:
        shift = 0
        while len(seen) < total:
            if shift > 40:
                raise SystemExit(f"the examples make only {len(seen):,} distinct documents")
            part = folder / f"part-{shift}.jsonl"
            with _rotated_originals(shift):
                write_mixed_corpus(part, distinct)
            with part.open(encoding="utf-8") as lines:
                for line in lines:
                    record = json.loads(line)
                    key = content_id(record["text"])
                    if key in seen:
                        continue
                    number = len(seen)
                    seen.add(key)
                    record["doc_id"] = f"load-{number:06d}"
                    handles[number % shards].write(json.dumps(record) + "\n")
                    counts[number % shards] += 1
                    if len(seen) == total:
                        break
            part.unlink()
            shift += 1
    finally:
        for handle in handles:
            handle.close()
    return list(zip(paths, counts, strict=True))


def _ingest_shard(url: str, path: Path, count: int, label: str) -> tuple[int, int, int]:
    """Ingest one shard, printing progress about every PROGRESS_EVERY documents; returns
    (new documents, already stored, near-duplicates)."""
    started = time.perf_counter()
    printed = [0]

    def progress(done: int, total: int) -> None:
        docs = round(count * done / max(total, 1))
        if docs - printed[0] >= PROGRESS_EVERY or docs == count:
            printed[0] = docs
            elapsed = time.perf_counter() - started
            note(f"  {label}: {docs:,}/{count:,} documents, {elapsed:,.0f} s, "
                 f"{docs / max(elapsed, 1e-9):,.0f} docs/s")

    report = ingest([path], open_store(url), load_dossier("us-japan"), progress=progress)
    return report.documents_new, report.documents_existing, report.near_duplicates


def ingest_store(url: str, total: int, jobs: int) -> None:
    """Ingest ``total`` mixed documents in ``jobs`` parallel processes; stored documents are
    skipped, so an interrupted build resumes where it stopped."""
    open_store(url).close()  # create the tables once, before the writers start
    with tempfile.TemporaryDirectory() as tmp:
        shards = write_shards(Path(tmp), total, jobs)
        note(f"build    ingesting {total:,} documents in {jobs} processes")
        started = time.perf_counter()
        with ProcessPoolExecutor(jobs) as pool:
            futures = [pool.submit(_ingest_shard, url, path, count, f"process {n + 1}")
                       for n, (path, count) in enumerate(shards)]
            results = [future.result() for future in futures]
        seconds = time.perf_counter() - started
    new, existing, near = (sum(column) for column in zip(*results, strict=True))
    note(f"build    {new:,} new documents ({existing:,} already stored, {near:,} "
         f"near-duplicates) in {seconds:,.0f} s: {new / seconds:,.1f} docs/s")


# --- the server ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bilateral(*args: str) -> str:
    """Run a ``bilateral`` command; its standard output."""
    command = [str(Path(sys.executable).with_name("bilateral")), *args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


@contextmanager
def running_server(url: str, workers: int, log: Path, cache_mb: int) -> Iterator[str]:
    """``bilateral serve`` on a free loopback port, rate limit off; its base URL once
    /api/health answers. Stopped on the way out, whatever happened."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("bilateral")), "serve", "--db", url,
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
               "--rate-limit", "0", "--cache-mb", str(cache_mb)]
    with log.open("wb") as sink:
        # a session of its own, so stopping it reaches its workers and nothing else
        server = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if server.poll() is not None:
                raise SystemExit(f"the server exited ({server.returncode}):\n{_tail(log)}")
            try:
                if httpx.get(f"{base}/api/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not answer within {STARTUP_SECONDS} s:\n"
                                 f"{_tail(log)}")
            time.sleep(0.2)
        yield base
    finally:
        _signal_group(server.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            server.wait(timeout=15)
        _signal_group(server.pid, signal.SIGKILL)  # a worker left behind, if any
        server.wait()


def _signal_group(pid: int, number: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pid, number)


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def api_token(url: str) -> Iterator[str]:
    """A token of this run's own, revoked afterwards."""
    name = f"serve-load-{uuid.uuid4().hex[:8]}"
    token = bilateral("token", "add", name, "--db", url).strip()
    try:
        yield token
    finally:
        bilateral("token", "revoke", name, "--db", url)


# --- the load -----------------------------------------------------------------------------------

@dataclass
class Tally:
    """Latencies (seconds) and failures of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    documents: int = 0
    client_cpu: float | None = None  # cores this process used meanwhile: the clients' own load

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        done = len(ordered)
        return {"requests": done, "errors": len(self.errors),
                "per_second": round(done / self.seconds, 1) if self.seconds else None,
                **{f"p{q}_ms": _ms(_percentile(ordered, q)) for q in (50, 95, 99)},
                "max_ms": _ms(ordered[-1] if ordered else None),
                "client_cpu_pct": None if self.client_cpu is None else round(
                    100 * self.client_cpu)}


def _percentile(ordered: list[float], q: int) -> float | None:
    """Nearest-rank percentile of sorted values."""
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, max(0, -(-q * len(ordered) // 100) - 1))]


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def _request(client: httpx.Client, tally: Tally, method: str, path: str,
             **kwargs: Any) -> httpx.Response | None:
    """One request; its latency counts either way, a failure is kept with its reason."""
    started = time.perf_counter()
    try:
        response = client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        tally.latencies.append(time.perf_counter() - started)
        tally.errors.append(f"{method} {path}: {type(exc).__name__}: {exc}")
        return None
    tally.latencies.append(time.perf_counter() - started)
    if not response.is_success:
        tally.errors.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
    return response


def hammer(base: str, path: str, clients: int, seconds: float) -> Tally:
    """``clients`` keep-alive clients requesting ``path`` back to back for ``seconds`` (each at
    least once)."""
    tally = Tally()
    deadline = time.perf_counter() + seconds

    def client_loop() -> None:
        with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT) as client:
            while True:
                _request(client, tally, "GET", path)  # list.append is atomic: one shared tally
                if time.perf_counter() >= deadline:
                    break

    started, cpu = time.perf_counter(), time.process_time()
    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.seconds = time.perf_counter() - started
    tally.client_cpu = (time.process_time() - cpu) / tally.seconds
    return tally


class Ingester(threading.Thread):
    """POSTs a batch of new documents every ``interval`` seconds until stopped."""

    def __init__(self, base: str, token: str, batch: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.base, self.token, self.batch, self.interval = base, token, batch, interval
        self.tally = Tally()
        self.stop = threading.Event()
        self.tag = uuid.uuid4().hex[:8]
        self.originals = brief_timing.example_documents()
        self.sent = 0

    def documents(self) -> list[dict[str, str]]:
        """New texts: thirds of random examples after a line naming this run and batch, so
        none is already stored."""
        found = []
        for _ in range(self.batch):
            first, middle, last = random.choices(self.originals, k=3)
            text = "\n".join([f"Dispatch {self.sent} of load run {self.tag}.",
                              *brief_timing._third(first, 0), *brief_timing._third(middle, 1),
                              *brief_timing._third(last, 2)])
            found.append({"text": text, "title": first.title or "Dispatch",
                          "published": first.published or "2025-07-23",
                          "source": "serve-load"})
            self.sent += 1
        return found

    def post(self, client: httpx.Client) -> None:
        body = {"documents": self.documents()}
        response = _request(client, self.tally, "POST", "/api/documents", json=body)
        if response is not None and response.is_success:
            self.tally.documents += response.json()["documents_new"]

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        started = time.perf_counter()
        with httpx.Client(base_url=self.base, headers=headers,
                          timeout=REQUEST_TIMEOUT) as client:
            beat = time.perf_counter()
            while not self.stop.is_set():
                self.post(client)
                beat += self.interval
                self.stop.wait(max(0.0, beat - time.perf_counter()))
        self.tally.seconds = time.perf_counter() - started


def _documents(base: str) -> int:
    """How many documents the server lists."""
    listing = httpx.get(f"{base}/api/documents", params={"limit": 1}, timeout=REQUEST_TIMEOUT)
    return int(listing.json()["total"])


def endpoints(base: str) -> list[str]:
    """The paths measured; a stored document's id picked from the first page."""
    page = httpx.get(f"{base}/api/documents?limit=1", timeout=REQUEST_TIMEOUT).json()
    doc_id = page["items"][0]["id"]
    middle = max(0, min(50_000, page["total"] // 2))
    # the key of the document half-way down the listing: a page that deep, read by key
    deep = httpx.get(f"{base}/api/documents", params={"limit": 1, "offset": page["total"] // 2},
                     timeout=REQUEST_TIMEOUT).json()["items"][0]
    after = quote(cursor(deep["published"], deep["id"]))
    return ["/api/health", "/api/documents?limit=50", f"/api/documents?limit=50&offset={middle}",
            f"/api/documents?limit=50&after={after}", f"/api/documents/{doc_id}",
            "/api/search?q=tariff", f"/api/observations?indicator={INDICATOR}&limit=100",
            "/api/events?state=JPN&limit=100", "/api/indicators",
            f"/api/indicators/{INDICATOR}?limit=100", "/api/timeline?limit=100",
            "/api/disputes?limit=20", "/api/index"]


def warm_up(base: str, token: str, paths: list[str], clients: int) -> tuple[float, int]:
    """A post by every client (so each worker loads its extractor), then every path by every
    client (so each worker has opened its connections) before anything is timed; the seconds
    it took and the new documents it posted."""
    started = time.perf_counter()
    ingester = Ingester(base, token, batch=1, interval=0)
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=REQUEST_TIMEOUT) as client:
        threads = [threading.Thread(target=ingester.post, args=(client,)) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if ingester.tally.errors:
        raise SystemExit(f"warm-up failed: {ingester.tally.errors[0]}")
    for path in paths:
        tally = hammer(base, path, clients, 0)
        if tally.errors:
            raise SystemExit(f"warm-up failed: {tally.errors[0]}")
    return time.perf_counter() - started, ingester.tally.documents


def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    store = open_store(url)
    stats = store.stats()
    store.close()
    if not args.json:
        print(f"store    {stats.documents:,} documents ({stats.duplicates:,} near-duplicates), "
              f"{stats.observations:,} observations, {stats.events:,} events in schema "
              f"{args.schema}", flush=True)
    with (tempfile.TemporaryDirectory() as tmp,
          running_server(url, args.workers, Path(tmp) / "server.log", args.cache_mb) as base,
          api_token(url) as token):
        before = _documents(base)
        paths = endpoints(base)
        warm, warm_documents = warm_up(base, token, paths, args.concurrency)
        if not args.json:
            kept = f"{args.cache_mb} MB of answers kept" if args.cache_mb else "no answers kept"
            print(f"server   {args.workers} workers, {kept} per worker; warm-up "
                  f"({args.concurrency} posts, then every endpoint by every client once) "
                  f"{warm:.1f} s")
            print(HEADER, flush=True)
        ingester = Ingester(base, token, args.ingest_batch, args.ingest_interval)
        if args.ingest_batch:
            ingester.start()
        results = {}
        try:
            for path in paths:
                results[path] = hammer(base, path, args.concurrency, args.seconds)
                if not args.json:
                    print(_row(path, results[path].summary()), flush=True)
        finally:
            ingester.stop.set()
            if args.ingest_batch:
                ingester.join()
        after = _documents(base)
        posted = warm_documents + ingester.tally.documents
        lost = before + posted - after
        if not args.json:  # before the wait for the answers, which may be long
            if args.ingest_batch:
                print(_row(f"POST /api/documents ({ingester.tally.documents:,} new documents)",
                           ingester.tally.summary()))
            print(f"store    {before:,} -> {after:,} documents during the load; {posted:,} "
                  f"posted, {lost:,} lost", flush=True)
        caught_up = _catch_up(base, args.catch_up)
    errors = [e for t in (*results.values(), ingester.tally) for e in t.errors]
    if lost:
        errors.append(f"{lost:,} documents posted and acknowledged are not listed")
    return {"store": {"schema": args.schema, "documents": stats.documents,
                      "near_duplicates": stats.duplicates, "observations": stats.observations,
                      "events": stats.events, "documents_before_load": before,
                      "documents_after_load": after, "documents_posted": posted,
                      "documents_lost": lost, "answers_caught_up_s": caught_up},
            "settings": {"workers": args.workers, "cache_mb": args.cache_mb,
                         "concurrency": args.concurrency,
                         "seconds": args.seconds, "ingest_batch": args.ingest_batch,
                         "ingest_interval": args.ingest_interval, "warm_up_s": round(warm, 1)},
            "endpoints": {path: tally.summary() for path, tally in results.items()},
            "ingest": {**ingester.tally.summary(), "batches": len(ingester.tally.latencies),
                       "documents": ingester.tally.documents} if args.ingest_batch else None,
            "errors": errors}


def _catch_up(base: str, seconds: float) -> float | None:
    """Seconds until the server's kept answers show every write, once the load has stopped
    (None if they did not within ``seconds``)."""
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        health = httpx.get(f"{base}/api/health", timeout=REQUEST_TIMEOUT).json()
        if health["answers_pending"] == 0:
            return round(time.perf_counter() - started, 1)
        threading.Event().wait(0.5)
    return None


HEADER = (f"{'endpoint':<64} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>8} "
          f"{'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'client cpu':>10}")


def _row(label: str, s: dict[str, Any]) -> str:
    def num(value: float | None) -> str:
        return "-" if value is None else f"{value:,.1f}"

    return (f"{label:<64} {s['requests']:>8,} {s['errors']:>6,} {num(s['per_second']):>7} "
            f"{num(s['p50_ms']):>8} {num(s['p95_ms']):>8} {num(s['p99_ms']):>8} "
            f"{num(s['max_ms']):>8} {_pct(s['client_cpu_pct']):>10}")


def _pct(value: int | None) -> str:
    return "" if value is None else f"{value}%"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000, help="documents in the store")
    parser.add_argument("--db", default=DEFAULT_DB, help="PostgreSQL database URL")
    parser.add_argument("--schema", default="bilateral_load_1m",
                        help="schema of the kept store, built once and reused")
    parser.add_argument("--rebuild", action="store_true", help="drop the schema and rebuild it")
    parser.add_argument("--build", choices=("bulk", "ingest"), default="bulk",
                        help="how to build: the bulk loader (recombined records, COPY) or a "
                             "real ingest of the documents")
    parser.add_argument("--build-jobs", type=int, default=2, help="processes for a build")
    parser.add_argument("--build-only", action="store_true", help="build the store and stop")
    parser.add_argument("--seconds", type=float, default=20, help="load time per endpoint")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--ingest-batch", type=int, default=5,
                        help="documents per POST of the concurrent ingest client; 0 for "
                             "none (reads alone, for comparison)")
    parser.add_argument("--ingest-interval", type=float, default=0.5,
                        help="seconds between the ingest client's POSTs")
    parser.add_argument("--cache-mb", type=int, default=64,
                        help="answers each server worker keeps (bilateral serve --cache-mb); 0 "
                             "to make every answer afresh")
    parser.add_argument("--catch-up", type=float, default=CATCH_UP_SECONDS,
                        help="seconds to wait, after the load, for the kept answers to show "
                             "every write; 0 not to wait")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    # stopped by a signal as by Ctrl-C: the server and the token are cleaned up either way
    signal.signal(signal.SIGTERM, lambda number, _frame: sys.exit(128 + number))

    url = schema_url(args.db, args.schema)
    held = stored_documents(args.db, args.schema, args.rebuild)
    if held < args.docs:
        note(f"build    schema {args.schema} holds {held:,} documents; building "
             f"{args.docs:,} ({args.build})")
        if args.build == "bulk":
            bulk_load(args.db, args.schema, args.docs, args.build_jobs)
        else:
            ingest_store(url, args.docs, args.build_jobs)
    after_load(url)
    if args.build_only:
        return

    if not args.json:
        during = (f"while {args.ingest_batch} documents are posted every "
                  f"{args.ingest_interval:g} s" if args.ingest_batch else "no concurrent ingest")
        print(f"load     {args.concurrency} clients, {args.seconds:g} s per endpoint, {during}",
              flush=True)
    result = measure(url, args)
    if args.json:
        print(json.dumps(result, indent=2))
    elif args.catch_up:
        caught = result["store"]["answers_caught_up_s"]
        print("answers  " + (f"showed every write {caught:g} s after the load stopped"
                             if caught is not None else
                             f"still behind {args.catch_up:g} s after the load stopped"))
    if result["errors"]:
        print(f"{len(result['errors']):,} requests failed, e.g.:", file=sys.stderr)
        for error in result["errors"][:10]:
            print(f"  {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted")
