"""Runs whose process died: a killed ingest is marked failed as abandoned once its heartbeat is
older than the lease, and stops counting as a store still being written; a live run is left
alone. Time is moved forward by the store's clock, never waited for."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text, update

from bilateral.errors import StoreError
from bilateral.records import Document, Extraction, Rejection
from bilateral.store import RUN_LEASE, BatchItem, Store, open_store
from bilateral.store import schema as t
from bilateral.store import store as store_module
from test_interrupted_ingest import corpus, start_ingest, wait_for_documents


def later(monkeypatch: pytest.MonkeyPatch, by: timedelta) -> datetime:
    """Move the store's clock forward by ``by`` (what a wait of that long would do)."""
    moment = datetime.now(UTC) + by
    monkeypatch.setattr(store_module, "_now", lambda: moment)
    return moment


def one_document(store: Store, run: int, n: int) -> None:
    store.write_batch(run, [BatchItem(Extraction(Document(id=f"{n:032d}", text=f"Text {n}.")))])


def set_heartbeat(store: Store, run: int, when: datetime) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(t.runs).where(t.runs.c.id == run).values(heartbeat_at=when))


def counted(version: tuple, run: int) -> bool:
    """Whether the version follows ``run`` as a run still writing (or the latest)."""
    return any(live == run for live, _ in version[2:])


def test_a_killed_ingest_is_abandoned_and_no_longer_counted(tmp_path: Path, db_url: str,
                                                            monkeypatch: pytest.MonkeyPatch):
    path = corpus(tmp_path)
    open_store(db_url).close()  # migrate first, so the child process only ingests
    process = start_ingest(path, db_url)
    wait_for_documents(db_url, process)  # at least one batch committed
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    with open_store(db_url) as store:
        (killed,) = store.runs()
        assert killed.status == "running", "the ingest finished before it could be killed"
        stored = store.count_documents()
        live = store.begin_run("ingest")  # a second ingest at work, so the killed one is
        one_document(store, live, 1)  # not simply the latest run
        assert counted(store.version(), killed.id)  # taken as still writing

        now = later(monkeypatch, RUN_LEASE + timedelta(minutes=1))
        assert store.heartbeat(live)  # the live ingest beats on; the killed one cannot
        version = store.version()
        assert not counted(version, killed.id)  # the staleness check ignores it
        assert counted(version, live)

        runs = {run.id: run for run in store.runs()}  # listing marks it
        assert runs[killed.id].status == "failed" and runs[killed.id].abandoned
        assert runs[killed.id].reason.startswith("abandoned: no heartbeat since ")
        assert runs[killed.id].finished_at == now
        assert runs[live].status == "running" and not runs[live].abandoned
        assert store.count_documents() == stored + 1  # nothing it wrote is lost


def test_a_live_run_is_left_alone(db_url: str) -> None:
    with open_store(db_url) as store:
        run = store.begin_run("ingest")
        one_document(store, run, 1)
    with open_store(db_url) as reopened:  # opening for writing checks the runs
        assert reopened.abandon_stale_runs() == []
        (listed,) = reopened.runs()
        assert (listed.status, listed.reason, listed.finished_at) == ("running", None, None)
        assert listed.heartbeat_at is not None and listed.heartbeat_at >= listed.started_at
        assert counted(reopened.version(), run)


def test_opening_the_store_marks_a_silent_run_failed(db_url: str) -> None:
    with open_store(db_url) as store:
        run = store.begin_run("ingest")
        one_document(store, run, 1)
        set_heartbeat(store, run, datetime.now(UTC) - RUN_LEASE - timedelta(seconds=30))
        other = store.begin_run("ingest")
        assert not counted(store.version(), run)  # not counted even before it is marked
    with open_store(db_url) as reopened:
        abandoned = reopened.get_run(run)
        assert abandoned.abandoned and abandoned.finished_at is not None
        assert "lease 5 min" in abandoned.reason
        assert reopened.get_run(other).status == "running"
        # A process that was only frozen (a laptop asleep) comes back: its run runs again,
        # and what it says when it finishes is what happened.
        assert reopened.heartbeat(run)
        assert (reopened.get_run(run).status, reopened.get_run(run).reason) == ("running", None)
        reopened.finish_run(run, "completed", {"documents": 1})
        assert not reopened.heartbeat(run)  # finished runs need no heartbeat
        assert reopened.get_run(run).status == "completed"
        with pytest.raises(StoreError, match="no run 999"):
            reopened.heartbeat(999)


def test_a_failed_run_keeps_its_reason(store: Store) -> None:
    run = store.begin_run("ingest")
    store.finish_run(run, "failed", reason="StoreError: disk full")
    failed = store.get_run(run)
    assert (failed.status, failed.reason, failed.abandoned) == (
        "failed", "StoreError: disk full", False)


def test_upgrading_an_older_store_keeps_everything_and_judges_old_runs(db_url: str) -> None:
    """A store written before heartbeats existed upgrades in place; a run it left running
    is judged by when it started."""
    long_ago = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    with open_store(db_url) as store:
        done = store.begin_run("ingest", "us-japan", {"paths": ["a"]})
        store.write_batch(done, [BatchItem(Extraction(Document(id="d" * 32, text="Kept.")))],
                          [Rejection("bad.bin", "binary file", "binary")])
        store.finish_run(done, "completed", {"documents": 1})
        stuck = store.begin_run("ingest")
        with store.engine.begin() as conn:
            conn.execute(update(t.runs).where(t.runs.c.id == stuck)
                         .values(started_at=long_ago))
            command.downgrade(store_module._alembic_config(conn), "0003")
        assert "heartbeat_at" not in {c["name"] for c in inspect(store.engine).get_columns("runs")}
    with open_store(db_url) as upgraded:
        assert upgraded.schema_revision() == "0008"
        assert upgraded.count_documents() == 1
        assert upgraded.rejections(done) == [Rejection("bad.bin", "binary file", "binary")]
        finished = upgraded.get_run(done)
        assert (finished.status, finished.config, finished.counts) == (
            "completed", {"paths": ["a"]}, {"documents": 1})
        assert finished.heartbeat_at == finished.finished_at
        old = upgraded.get_run(stuck)
        assert old.abandoned and "since 2025-01-02 03:04:05 UTC" in old.reason
        with upgraded.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM runs")).scalar_one() == 2


def test_a_negative_lease_is_refused(db_url: str) -> None:
    with pytest.raises(StoreError, match="run_lease"):
        open_store(db_url, run_lease=timedelta(seconds=-1))
