"""Answers of the read API kept per worker until the store changes (bilateral.serve.cache)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bilateral.analyse.kept import refresh
from bilateral.dossier import load_dossier
from bilateral.records import Extraction
from bilateral.serve import api
from bilateral.serve.app import create_app
from bilateral.serve.settings import ServeSettings
from bilateral.store import open_store
from test_api import doc, meeting, seed

DOSSIER = load_dossier("us-japan")


def client(url: str, **settings: object) -> TestClient:
    # a server with a refresher elsewhere: reads never refresh, so each change is made here
    return TestClient(create_app(ServeSettings(db=url, rate_limit=0, refresh_after_ingest=False,
                                               **settings)))  # type: ignore[arg-type]


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the documents the documents listing has made answers about."""
    shown: list[str] = []
    meta = api._document_meta
    monkeypatch.setattr(api, "_document_meta", lambda d: shown.append(d.id) or meta(d))
    return shown


def test_an_answer_is_sent_again_while_the_store_stands_and_made_again_after_a_write(
        db_url, made):
    seed(db_url)
    reader = client(db_url)
    first = reader.get("/api/documents")
    assert first.status_code == 200 and len(made) == 3
    again = reader.get("/api/documents")
    assert again.content == first.content and len(made) == 3  # kept, not made again
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["x-content-type-options"] == "nosniff"  # still wrapped
    other = reader.get("/api/documents?limit=2")  # another query is another answer
    assert len(other.json()["items"]) == 2 and len(made) == 5

    d = doc("d", "2025-08-01", "Wire C", "Tokyo and Washington met again in August.")
    with open_store(db_url) as store:
        store.write_batch(store.begin_run("ingest"),
                          [(Extraction(d, (), (meeting(d, "2025-08-01"),)), [], None, None)])
    changed = reader.get("/api/documents")
    assert changed.json()["total"] == 4 and changed.headers["etag"] != first.headers["etag"]


def test_a_refresh_of_the_kept_answers_alone_makes_the_answer_again(sqlite_url):
    seed(sqlite_url)
    with open_store(sqlite_url) as store:
        d = doc("d", "2025-08-01", "Wire C", "Tokyo and Washington met again in August.")
        store.write_batch(store.begin_run("ingest"),
                          [(Extraction(d, (), (meeting(d, "2025-08-01"),)), [], None, None)])
        reader = client(sqlite_url)
        before = reader.get("/api/timeline").json()["total"]
        refresh(store, DOSSIER)  # changes no document: only the kept answers
        assert reader.get("/api/timeline").json()["total"] == before + 1


def test_a_client_holding_the_answer_gets_304_without_a_body(sqlite_url):
    seed(sqlite_url)
    reader = client(sqlite_url)
    first = reader.get("/api/index")
    tag = first.headers["etag"]
    for sent in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        held = reader.get("/api/index", headers={"If-None-Match": sent})
        assert held.status_code == 304 and held.content == b"" and held.headers["etag"] == tag
    assert reader.get("/api/index", headers={"If-None-Match": '"other"'}).content == (
        first.content)


def test_errors_the_health_check_and_writes_are_never_kept(sqlite_url, made):
    token = seed(sqlite_url)
    reader = client(sqlite_url)
    for _ in range(2):
        assert reader.get("/api/documents/nothing-like-this").status_code == 404
    assert reader.get("/api/health").json()["answers_pending"] == 0
    posted = reader.post("/api/documents", headers={"Authorization": f"Bearer {token}"},
                         json={"documents": [{"text": "Japan and the U.S. met in Tokyo.",
                                              "published": "2025-09-01"}]})
    assert posted.status_code == 201
    assert reader.get("/api/health").json()["answers_pending"] > 0  # not the kept 0


def test_the_kept_answers_stay_within_their_bytes_and_none_are_kept_with_0(sqlite_url, made):
    seed(sqlite_url)
    small = client(sqlite_url, cache_bytes=1)  # too small for any answer
    for _ in range(2):
        small.get("/api/documents")
    assert len(made) == 6  # made each time
    made.clear()
    off = client(sqlite_url, cache_bytes=0)
    first = off.get("/api/documents")
    off.get("/api/documents")
    assert len(made) == 6 and "etag" not in first.headers


def test_without_a_refresher_a_read_after_a_write_shows_it(sqlite_url):
    seed(sqlite_url)
    reader = TestClient(create_app(ServeSettings(db=sqlite_url, rate_limit=0)))
    before = reader.get("/api/timeline").json()["total"]
    with open_store(sqlite_url) as store:
        d = doc("d", "2025-08-01", "Wire C", "Tokyo and Washington met again in August.")
        store.write_batch(store.begin_run("ingest"),
                          [(Extraction(d, (), (meeting(d, "2025-08-01"),)), [], None, None)])
    assert reader.get("/api/timeline").json()["total"] == before + 1  # the read refreshed


def test_with_a_refresher_the_analysis_answers_wait_for_its_changes_not_each_write(
        sqlite_url, monkeypatch):
    seed(sqlite_url)
    made: list[str] = []
    shown = api.index_dict
    monkeypatch.setattr(api, "index_dict", lambda d: made.append(d.source) or shown(d))
    reader = client(sqlite_url)
    first = reader.get("/api/index").content
    count = len(made)
    with open_store(sqlite_url) as store:
        d = doc("d", "2025-08-01", "Wire C", "Tokyo and Washington met again in August.")
        store.write_batch(store.begin_run("ingest"),
                          [(Extraction(d, (), (meeting(d, "2025-08-01"),)), [], None, None)])
        assert reader.get("/api/index").content == first and len(made) == count
        refresh(store, DOSSIER)
    assert reader.get("/api/index").content != first and len(made) > count


def test_a_failing_store_gets_the_apps_own_error_not_a_bare_500(sqlite_url, monkeypatch):
    from bilateral.errors import StoreError
    from bilateral.store.store import Store

    seed(sqlite_url)
    reader = TestClient(create_app(ServeSettings(db=sqlite_url, rate_limit=0)),
                        raise_server_exceptions=False)

    def down(_store: Store) -> None:
        raise StoreError("the database went away")

    monkeypatch.setattr(Store, "version", down)
    failed = reader.get("/api/documents")
    assert failed.status_code == 503 and failed.json()["error"]["status"] == 503
