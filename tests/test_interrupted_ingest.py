"""A real ingest process killed half-way leaves whole batches, and a re-run completes the job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bilateral.store import open_store

TOTAL = 800
BATCH = 25
TEMPLATE = ("WASHINGTON, July {day}, 2025 -- Report {n}: Japan and the United States agreed "
            "on a 15% tariff on Japanese goods, and Japan pledged $550 billion of investment "
            "in the U.S. Officials in Tokyo said talks on item {n} would continue.")


def corpus(folder: Path) -> Path:
    path = folder / "wire.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for n in range(TOTAL):
            handle.write(json.dumps({"doc_id": f"r-{n}",
                                     "text": TEMPLATE.format(day=1 + n % 28, n=n)}) + "\n")
    return path


def start_ingest(path: Path, url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bilateral", "ingest", str(path), "--db", url,
         "--batch-size", str(BATCH)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "100"})


def wait_for_documents(url: str, process: subprocess.Popen, deadline_s: float = 120) -> int:
    """Poll the store until the ingest has committed a batch (or the process ends)."""
    store = open_store(url)
    stop = time.monotonic() + deadline_s
    while time.monotonic() < stop and process.poll() is None:
        count = store.count_documents()
        if count >= BATCH:
            return count
        time.sleep(0.02)
    raise AssertionError("the ingest committed nothing before it ended or the deadline passed")


def test_killed_ingest_resumes_without_loss_or_duplicates(tmp_path, db_url):
    path = corpus(tmp_path)
    open_store(db_url).close()  # migrate first, so the child process only ingests
    process = start_ingest(path, db_url)
    wait_for_documents(db_url, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    store = open_store(db_url)
    stored = store.count_documents()
    assert 0 < stored < TOTAL, "the process finished before it could be killed"
    assert stored % BATCH == 0, f"{stored} documents: a batch was written in part"
    observed = {o.doc_id for o in store.observations()}
    ids = {d.id for d in store.documents(limit=None)}
    assert observed == ids, "every stored document has its records, and no record is orphaned"

    rerun = start_ingest(path, db_url)
    _, errors = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, errors.decode()
    assert store.count_documents() == TOTAL
    documents = list(store.documents(limit=None))
    assert len({d.external_id for d in documents}) == TOTAL
    assert store.stats().observations == 2 * TOTAL  # 15% tariff and $550bn, once per document
