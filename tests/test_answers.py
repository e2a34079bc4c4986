"""The server's answers come from the analysis kept in the store: the refresher process keeps
it for every worker, or the worker that ingests does so itself when no refresher runs."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from bilateral.dossier import load_dossier
from bilateral.records import Document, Extraction, Observation
from bilateral.serve.answers import Answers
from bilateral.serve.app import create_app
from bilateral.serve.refresher import run_refresher
from bilateral.serve.settings import ServeSettings
from bilateral.store import open_store
from live import until

DOSSIER = load_dossier("us-japan")
DEAL = ("Tokyo, July 23, 2025 -- Japan and the United States agreed on Tuesday to a 15% "
        "tariff on Japanese goods.")


def write(store, letter: str, value: float) -> None:
    d = Document(id=letter * 16, text=f"Report {letter}.", published="2025-07-23")
    o = Observation(doc_id=d.id, indicator="us_tariff_japan_reciprocal", value=value,
                    unit="percent", status="agreed", when="2025-07", quote="Report",
                    start=0, end=6, rule="test")
    store.write_batch(store.begin_run("ingest"), [(Extraction(d, (o,)), [], None, None)])


def values(store) -> set[float]:
    """The values of the kept history of the reciprocal tariff."""
    page = Answers(store, DOSSIER).history("us_tariff_japan_reciprocal")
    return {c.value for c in page.items[0].claims} if page else set()


def test_the_refresher_keeps_the_answers_until_it_is_stopped(sqlite_url):
    store = open_store(sqlite_url)
    stop = threading.Event()
    refresher = threading.Thread(
        target=run_refresher, args=(ServeSettings(db=sqlite_url, refresh_every=0.05), stop))
    refresher.start()
    try:
        write(store, "a", 15)
        until(lambda: store.kept.pending() == 0 and values(store) == {15},
              "the refresher shows the first write")
        write(store, "b", 10)
        until(lambda: values(store) == {15, 10}, "the refresher shows the second write")
    finally:
        stop.set()
        refresher.join(timeout=30)
    assert not refresher.is_alive()
    write(store, "c", 12)
    assert store.kept.pending() > 0 and values(store) == {15, 10}  # nobody refreshes now


def _post(client: TestClient, token: str) -> None:
    made = client.post("/api/documents", json={"documents": [{"text": DEAL}]},
                       headers={"Authorization": f"Bearer {token}"})
    assert made.status_code == 201 and made.json()["documents_new"] == 1, made.text


def test_a_worker_without_a_refresher_keeps_the_answers_when_they_are_read(sqlite_url):
    token = open_store(sqlite_url).add_token("tester")
    with TestClient(create_app(ServeSettings(db=sqlite_url))) as client:
        assert client.get("/api/indicators").json()["items"] == []
        _post(client, token)
        assert client.get("/api/health").json()["answers_pending"] > 0
        assert [(i["status"], i["value"]) for i in client.get("/api/indicators").json()["items"]
                ] == [("agreed", 15)]
        assert client.get("/api/health").json()["answers_pending"] == 0


def test_a_worker_beside_a_refresher_leaves_the_analysis_to_it(sqlite_url):
    store = open_store(sqlite_url)
    token = store.add_token("tester")
    settings = ServeSettings(db=sqlite_url, refresh_after_ingest=False)
    with TestClient(create_app(settings)) as client:
        _post(client, token)
        assert client.get("/api/health").json()["answers_pending"] > 0
        assert client.get("/api/indicators").json()["items"] == []  # not kept yet
        assert client.get("/api/documents").json()["total"] == 1  # the document is there
