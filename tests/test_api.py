"""The REST API against a real `bilateral serve` process, on SQLite and on PostgreSQL: answers
whose right values are known, bad parameters, unauthorised writes, limits, and a team server
taking writes from the API and the command line while it is read."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from bilateral.analyse.kept import refresh
from bilateral.dossier import load_dossier
from bilateral.forecast.issues import forecast_issue
from bilateral.records import Document, Event, Extraction, Observation
from bilateral.store import open_store
from live import answers_caught_up, bilateral, running_server
from test_forecast_brief import LATER, THREAT, write_dossier, write_store

RECIPROCAL = "us_tariff_japan_reciprocal"
DEAL = "Japan and the United States agreed on Tuesday to a 15% tariff on Japanese goods."


def doc(letter: str, published: str, outlet: str, text: str) -> Document:
    return Document(id=letter * 16, text=text, title=f"Report {letter}", source=outlet,
                    published=published, external_id=f"ext-{letter}")


def obs(d: Document, value: float, status: str, when: str) -> Observation:
    return Observation(doc_id=d.id, indicator=RECIPROCAL, value=value, unit="percent",
                       status=status, when=when, quote=d.text[:30], start=0, end=30, rule="test")


def meeting(d: Document, when: str) -> Event:
    return Event(doc_id=d.id, type="CONSULT", source="JPN", target="USA", when=when,
                 quote=d.text[:20], start=0, end=20, rule="test")


def seed(db_url: str) -> str:
    """Known records into the store at ``db_url``; returns an API token for it."""
    a = doc("a", "2025-07-23", "Wire A", "Japan agreed a 15% tariff with the U.S. in July.")
    b = doc("b", "2025-07-24", "Paper B", "The deal sets a 15% tariff; Trump had threatened 25%.")
    c = doc("c", "2025-02-08", "Wire A", "Ishiba met Trump in Washington on Friday.")
    with open_store(db_url) as store:
        store.write_batch(store.begin_run("ingest"), [
            (Extraction(a, (obs(a, 15, "agreed", "2025-07-22"),), (meeting(a, "2025-07"),)),
             [], None, None),
            (Extraction(b, (obs(b, 15, "agreed", "2025-07-22"),
                            obs(b, 25, "threatened", "2025-07")), ()), [], None, None),
            (Extraction(c, (), (meeting(c, "2025-02-07"),)), [], None, None)])
        refresh(store, load_dossier("us-japan"))  # as every writer keeps the answers
        return store.add_token("tester")


@pytest.fixture(scope="module", params=["sqlite",
                                        pytest.param("postgresql", marks=pytest.mark.postgres)])
def reader(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server per database for the tests that only read: its base URL."""
    folder = tmp_path_factory.mktemp("reader")
    with database(request, folder) as url:
        seed(url)
        with running_server(url, "--rate-limit", "0", log=folder / "server.log") as base:
            yield base


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """A server of its own for a test that writes: (base URL, token, store URL)."""
    token = seed(db_url)
    with running_server(db_url, "--rate-limit", "0", "--refresh-every", "0.1",
                        "--max-upload-bytes", "20000", log=tmp_path / "server.log") as base:
        yield base, token, db_url


@contextmanager
def database(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    """A store URL by ``request.param``: a SQLite file in ``folder``, or a schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{folder / 'store.db'}"
        return
    admin = request.getfixturevalue("pg_admin_engine")
    schema = f"bilateral_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield admin.url.update_query_dict(
            {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def get(base: str, path: str, **params) -> httpx.Response:
    return httpx.get(f"{base}{path}", params=params, timeout=30)


def test_answers_merge_reports_across_documents(reader):
    base = reader
    indicators = get(base, "/api/indicators").json()["items"]
    agreed = next(i for i in indicators if i["status"] == "agreed")
    assert (agreed["value"], agreed["when"], agreed["sources"]) == (15, "2025-07-22", 2)
    assert sorted(r["outlet"] for r in agreed["reports"]) == ["Paper B", "Wire A"]
    capped = get(base, "/api/indicators", status="agreed", reports=1).json()["items"][0]
    assert (len(capped["reports"]), capped["reports_total"]) == (1, 2)
    assert capped["reports"][0]["outlet"] == "Wire A"  # the earliest published first
    history = get(base, f"/api/indicators/{RECIPROCAL}").json()
    assert [(c["status"], c["value"], c["when"]) for c in history["claims"]] == [
        ("threatened", 25, "2025-07"), ("agreed", 15, "2025-07-22")]  # time order
    timeline = get(base, "/api/timeline", order="oldest").json()
    assert [(e["when"], e["type"], e["sources"]) for e in timeline["items"]] == [
        ("2025-02-07", "CONSULT", 1), ("2025-07", "CONSULT", 1)]
    index = get(base, "/api/index").json()
    first = index["items"][0]
    assert (first["source"], first["target"], first["events"]) == ("USA", "JPN", 2)
    assert index["weights"]["CONSULT"] == 1


def test_documents_records_and_search(reader):
    base = reader
    listing = get(base, "/api/documents", limit=2).json()
    assert listing["total"] == 3 and [d["label"] for d in listing["items"]] == ["ext-b", "ext-a"]
    shown = get(base, "/api/documents/ext-b").json()
    assert shown["document"]["text"].startswith("The deal sets")
    assert {o["status"] for o in shown["observations"]} == {"agreed", "threatened"}
    hits = get(base, "/api/search", q="Washington").json()["items"]
    assert [h["external_id"] for h in hits] == ["ext-c"]
    found = get(base, "/api/observations", status="threatened").json()["items"]
    assert [(o["value"], o["doc_id"]) for o in found] == [(25, "b" * 16)]
    assert len(get(base, "/api/events", state="USA", limit=1, offset=1).json()["items"]) == 1


@pytest.mark.parametrize(("path", "params", "where"), [
    ("/api/observations", {"status": "rumoured"}, "query.status"),
    ("/api/events", {"type": "MEET"}, "query.type"),
    ("/api/events", {"state": "japan"}, "query.state"),
    ("/api/timeline", {"since": "2025-13"}, "query.since"),
    ("/api/documents", {"limit": "0"}, "query.limit"),
    ("/api/documents", {"limit": "ten"}, "query.limit"),
    ("/api/observations", {"indicator": "x' OR '1'='1"}, "query.indicator"),
    ("/api/search", {"q": ""}, "query.q"),
])
def test_bad_parameters_are_rejected_with_a_json_message(reader, path, params, where):
    base = reader
    response = get(base, path, **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and where in error["message"]
    assert any(d["where"] == where for d in error["details"])


def test_values_reach_sql_only_as_parameters(reader):
    base = reader
    hostile = "x' OR 1=1; DROP TABLE documents; --"
    assert get(base, "/api/documents", source=hostile).json()["items"] == []
    assert get(base, "/api/search", q=hostile).status_code == 200
    assert get(base, "/api/documents").json()["total"] == 3  # the table is still there


def test_missing_things_are_404_in_json(reader):
    base = reader
    for path in ("/api/documents/nothing-like-this", "/api/indicators/no_such_indicator",
                 "/api/no-such-endpoint"):
        response = get(base, path)
        assert response.status_code == 404, path
        assert response.json()["error"]["status"] == 404


def test_writes_need_a_valid_token(server):
    base, token, store_url = server
    body = {"documents": [{"text": DEAL, "published": "2025-07-23", "title": "New deal"}]}
    assert httpx.post(f"{base}/api/documents", json=body).status_code == 401
    wrong = httpx.post(f"{base}/api/documents", json=body,
                       headers={"Authorization": "Bearer blt_not-a-token"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    assert get(base, "/api/documents").json()["total"] == 3  # nothing was written
    made = httpx.post(f"{base}/api/documents", json=body,
                      headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert made.status_code == 201, made.text
    assert made.json()["documents_new"] == 1
    assert get(base, "/api/documents").json()["total"] == 4
    answers_caught_up(base)  # the server's refresher keeps the answers in the store
    agreed = {i["value"]: i["sources"] for i in get(base, "/api/indicators").json()["items"]
              if i["status"] == "agreed"}
    assert agreed == {15: 3}  # the new document is the claim's third source
    bilateral("token", "revoke", "tester", "--db", store_url)
    revoked = httpx.post(f"{base}/api/documents", json=body,
                         headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401


def test_uploads_and_their_limits(server):
    base, token, _ = server
    auth = {"Authorization": f"Bearer {token}"}
    made = httpx.post(f"{base}/api/documents", headers=auth, timeout=60,
                      files={"file": ("deal.txt", DEAL.encode(), "text/plain")})
    assert made.status_code == 201 and made.json()["documents_new"] == 1
    wrong_type = httpx.post(f"{base}/api/documents", headers=auth,
                            files={"file": ("deal.exe", b"MZ", "application/octet-stream")})
    assert wrong_type.status_code == 400 and ".exe" in wrong_type.json()["error"]["message"]
    big = {"documents": [{"text": "x " * 20_000}]}
    too_large = httpx.post(f"{base}/api/documents", headers=auth, json=big)
    assert too_large.status_code == 413
    assert "20,000" in too_large.json()["error"]["message"]
    empty = httpx.post(f"{base}/api/documents", headers=auth, json={"documents": []})
    assert empty.status_code == 400 and "body.documents" in empty.json()["error"]["message"]
    neither = httpx.post(f"{base}/api/documents", headers=auth, content=b"plain words",
                         timeout=60)
    assert neither.status_code == 415


def test_openapi_security_headers_and_no_cors_by_default(reader):
    base = reader
    response = get(base, "/api/openapi.json")
    paths = response.json()["paths"]
    assert {"/api/documents", "/api/indicators/{indicator_id}", "/api/timeline",
            "/api/index", "/api/disputes"} <= set(paths)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    cross = httpx.get(f"{base}/api/health", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in cross.headers
    assert get(base, "/docs").status_code == 404  # no page that would load a CDN


def test_rate_limit_and_cors_when_configured(sqlite_url, tmp_path):
    open_store(sqlite_url).close()
    with running_server(sqlite_url, "--rate-limit", "6", "--cors-origin",
                        "https://team.example", log=tmp_path / "server.log",
                        caught_up=False) as base:
        allowed = httpx.get(f"{base}/api/health", headers={"Origin": "https://team.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://team.example"
        # one request in ten seconds: starting up took the first, so these are refused
        codes = [httpx.get(f"{base}/api/health").status_code for _ in range(4)]
        assert codes.count(200) <= 1 and codes[-1] == 429
        limited = httpx.get(f"{base}/api/health")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert "6 a minute" in limited.json()["error"]["message"]


def test_the_rate_limit_is_a_bucket_per_client(monkeypatch):
    from bilateral.serve import security

    now = [1000.0]
    monkeypatch.setattr(security.time, "monotonic", lambda: now[0])
    limits = security.Limits(lambda *a: None, rate_per_minute=60, max_body=10)
    assert [limits._take("a") for _ in range(10)] == [0.0] * 10  # a burst of ten seconds' worth
    assert limits._take("a") == pytest.approx(1.0)  # then one a second
    assert limits._take("b") == 0.0  # another client has its own bucket
    now[0] += 2.0
    assert limits._take("a") == 0.0  # refilled


@pytest.mark.postgres
def test_team_server_takes_writes_from_api_and_cli_while_read(pg_url, tmp_path):
    """Two workers on PostgreSQL; the API and the command line ingest at the same time as
    readers list documents: no request fails and every document lands."""
    token = open_store(pg_url).add_token("team")
    folder = tmp_path / "cli"
    folder.mkdir()
    for n in range(20):
        (folder / f"cli-{n}.txt").write_text(
            f"Tokyo, March {n + 1}, 2025 -- Japan's defence spending stood at 1.{n}% of GDP in "
            f"2024, according to report number {n}.", encoding="utf-8")
    failures: list[str] = []
    with running_server(pg_url, "--workers", "2", "--rate-limit", "0",
                        log=tmp_path / "server.log") as base:
        def read() -> None:
            with httpx.Client(timeout=60) as client:
                for _ in range(40):
                    for path in ("/api/documents?limit=20", "/api/indicators", "/api/timeline"):
                        response = client.get(f"{base}{path}")
                        if response.status_code != 200:
                            failures.append(f"{path}: {response.status_code}")

        def post() -> None:
            with httpx.Client(timeout=120) as client:
                for n in range(10):
                    body = {"documents": [{"text": f"Report {n}: Japan and the U.S. agreed on "
                                                   f"a 15% tariff, document {n} of the API.",
                                           "published": "2025-07-23"}]}
                    response = client.post(f"{base}/api/documents", json=body,
                                           headers={"Authorization": f"Bearer {token}"})
                    if response.status_code != 201:
                        failures.append(f"POST: {response.status_code} {response.text[:200]}")

        workers = [threading.Thread(target=read), threading.Thread(target=read),
                   threading.Thread(target=post)]
        for worker in workers:
            worker.start()
        cli = bilateral("ingest", str(folder), "--db", pg_url, "--json", timeout=300)
        for worker in workers:
            worker.join()
        assert failures == []
        assert json.loads(cli.stdout)["documents_new"] == 20
        total = httpx.get(f"{base}/api/documents", params={"limit": 1}).json()["total"]
        assert total == 30  # 20 from the command line, 10 from the API: none lost


def test_the_api_vocabularies_are_the_records_own():
    from typing import get_args

    from bilateral.records import PLOVER_TYPES, STATUSES
    from bilateral.serve.api import PloverType, Status

    assert set(get_args(Status)) == set(STATUSES)
    assert set(get_args(PloverType)) == set(PLOVER_TYPES)


# --- negotiations: a small dossier of its own, and reports written for the tests ----------------

@pytest.fixture(scope="module", params=["sqlite",
                                        pytest.param("postgresql", marks=pytest.mark.postgres)])
def negotiator(request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """A server over the levy talks: (base URL, store URL, dossier file)."""
    folder = tmp_path_factory.mktemp("negotiator")
    dossier = write_dossier(folder)
    with database(request, folder) as url:
        with open_store(url) as store:
            write_store(store)
        with running_server(url, "--dossier", str(dossier), "--rate-limit", "0",
                            log=folder / "server.log") as base:
            yield base, url, dossier


def test_negotiations_list_the_dossiers_issues(negotiator):
    base, _, _ = negotiator
    items = get(base, "/api/negotiations").json()["items"]
    assert [i["id"] for i in items] == ["parts-levy", "outlay"]
    levy, outlay = items
    assert levy["scale"] == {"low": 0, "high": 30, "label": "% levy"}
    assert levy["indicator"] == "parts_levy"
    assert levy["status_quo"]["value"] == 5
    assert levy["status_quo"]["source"]["url"] == "https://example.org/ledger/levy-baseline"
    assert (levy["outcome"]["value"], levy["outcome"]["date"]) == (15, "2025-09-15")
    assert outlay["outcome"] is None
    assert [a["id"] for a in levy["actors"]] == ["executive", "trade_office", "cabinet",
                                                 "industry"]


def test_a_forecast_is_the_forecast_packages_own_and_reproducible(negotiator):
    base, url, dossier = negotiator
    answer = get(base, "/api/negotiations/parts-levy", as_of="2025-06-30", runs=40, seed=7)
    assert answer.status_code == 200, answer.text
    with open_store(url) as store:
        made = forecast_issue(load_dossier(dossier), "parts-levy", store,
                              as_of=dt.date(2025, 6, 30), runs=40, seed=7).as_json()
    assert answer.json() == json.loads(json.dumps(made))
    shown = answer.json()
    assert shown["interval"]["runs"] == 40 and shown["interval"]["seed"] == 7
    sources = {row["id"]: row["source"] for row in shown["inputs"]}
    assert sources["executive"]["doc_id"] == THREAT.id
    assert sources["executive"]["quote"] == "threatened a 25% levy on machine parts"
    start = sources["executive"]["start"]
    assert THREAT.text[start:sources["executive"]["end"]] == sources["executive"]["quote"]
    assert sources["trade_office"]["kind"] == "dossier"
    assert shown["without_position"] == ["Industry Council"]
    again = get(base, "/api/negotiations/parts-levy", as_of="2025-06-30", runs=40, seed=7)
    assert again.json() == shown
    other = get(base, "/api/negotiations/parts-levy", as_of="2025-06-30", runs=40, seed=8)
    assert other.json()["interval"] != shown["interval"]
    # by default every report counts: the later demand replaces the threat; no runs, no interval
    latest = get(base, "/api/negotiations/parts-levy", runs=0).json()
    executive = next(r for r in latest["inputs"] if r["id"] == "executive")
    assert (executive["position"], executive["source"]["doc_id"]) == (30, LATER.id)
    assert latest["interval"] is None and latest["as_of"] is None
    assert get(base, "/api/negotiations/parts-levy", model="mean", runs=0).json()[
        "model"] == "mean"


@pytest.mark.parametrize(("params", "where"), [
    ({"model": "oracle"}, "query.model"),
    ({"as_of": "30/06/2025"}, "query.as_of"),
    ({"runs": "1001"}, "query.runs"),
    ({"runs": "-1"}, "query.runs"),
    ({"seed": "x"}, "query.seed"),
])
def test_bad_forecast_parameters_are_400s_naming_the_parameter(negotiator, params, where):
    base, _, _ = negotiator
    answer = get(base, "/api/negotiations/parts-levy", **params)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["status"] == 400 and error["details"][0]["where"] == where


def test_forecasts_that_cannot_be_made_say_why(negotiator):
    base, _, _ = negotiator
    missing = get(base, "/api/negotiations/no-such-issue")
    assert missing.status_code == 404
    assert "parts-levy, outlay" in missing.json()["error"]["message"]
    for params, words in [({"as_of": "2025-02-30"}, "not a day of the calendar"),
                          ({"runs": "1"}, "runs=1 gives no interval")]:
        refused = get(base, "/api/negotiations/parts-levy", **params)
        assert refused.status_code == 400 and words in refused.json()["error"]["message"]
    outlay = get(base, "/api/negotiations/outlay")
    assert outlay.status_code == 400
    assert "only 0 bargainer(s) have a position" in outlay.json()["error"]["message"]
    early = get(base, "/api/negotiations/parts-levy", as_of="2025-01-01")
    assert early.status_code == 400 and "choose a later date" in early.text


def test_a_new_report_changes_the_forecast_once_stored(sqlite_url, tmp_path):
    dossier = write_dossier(tmp_path)
    with open_store(sqlite_url) as store:
        write_store(store)
    with running_server(sqlite_url, "--dossier", str(dossier), "--rate-limit", "0",
                        log=tmp_path / "server.log") as base:
        before = get(base, "/api/negotiations/parts-levy", as_of="2025-06-30", runs=0).json()
        cabinet = next(r for r in before["inputs"] if r["id"] == "cabinet")
        assert cabinet["position"] == 8
        offer = Document(id="4e" * 8, title="A firmer offer", source="Wire A",
                         published="2025-05-02",
                         text="TOKYO, May 2. Ren Oda proposed a 14% levy on Friday.")
        quote = "proposed a 14% levy"
        start = offer.text.index(quote)
        with open_store(sqlite_url) as store:
            store.write_batch(store.begin_run("ingest"), [(Extraction(offer, (Observation(
                doc_id=offer.id, indicator="parts_levy", value=14, unit="percent",
                status="proposed", when=None, quote=quote, start=start,
                end=start + len(quote), rule="test"),), ()), [], None, None)])
        after = get(base, "/api/negotiations/parts-levy", as_of="2025-06-30", runs=0).json()
    cabinet = next(r for r in after["inputs"] if r["id"] == "cabinet")
    assert (cabinet["position"], cabinet["source"]["doc_id"]) == (14, offer.id)
    assert after["baselines"] != before["baselines"]
