"""Hostile requests against a real `bilateral serve` process: each gets a clear 4xx in the one
JSON error shape, with the security headers, and the server goes on storing good documents;
an unexpected failure is a short JSON 500, never a traceback; and a request being ingested
holds up no other request."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import create_engine, text

from bilateral.serve.security import SECURITY_HEADERS
from bilateral.store import open_store, resolve_url
from live import running_server, until
from test_api import database, seed

LIMIT = 20_000  # bytes of a request body the servers here take
POLL_SECONDS = 60.0  # deadline for a state the test waits for; never an assertion on time


def run_async(coroutine):
    """Run ``coroutine`` to its end on an event loop of its own, in a thread of its own: the
    session's browser (Playwright's synchronous API) keeps a loop running in the main thread,
    where asyncio.run would refuse to start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module", params=["sqlite",
                                        pytest.param("postgresql", marks=pytest.mark.postgres)])
def writer(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """One server per database taking writes: (base URL, token, store URL)."""
    folder = tmp_path_factory.mktemp("hostile")
    with database(request, folder) as url:
        token = seed(url)
        with running_server(url, "--rate-limit", "0", "--refresh-every", "0.1",
                            "--max-upload-bytes", str(LIMIT),
                            log=folder / "server.log") as base:
            yield base, token, url


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_error(response: httpx.Response, status: int, *words: str) -> str:
    """The response is a JSON error of ``status`` with the security headers; its message."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == status and isinstance(error["message"], str)
    for word in words:
        assert word in error["message"], error["message"]
    assert_secure(response)
    return error["message"]


def assert_secure(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.status_code, name)


def note(n: int | str) -> str:
    """A short article of our own, different for each ``n``, that ingest keeps."""
    return (f"Tokyo, May 12, 2025 -- Japanese and American trade officials met again on "
            f"Monday to talk about car parts, in meeting number {n} of the spring round.")


def stored(base: str, doc_id: str) -> bool:
    return httpx.get(f"{base}/api/documents/{doc_id}", timeout=30).status_code == 200


def post_good(base: str, token: str, doc_id: str) -> None:
    """A good document, sent after a hostile one, is stored."""
    made = httpx.post(f"{base}/api/documents", headers=auth(token), timeout=120,
                      json={"documents": [{"text": note(doc_id), "doc_id": doc_id}]})
    assert made.status_code == 201, made.text
    assert stored(base, doc_id)


def multipart(filename: bytes, content: bytes) -> tuple[bytes, dict[str, str]]:
    """A form with one file whose name is exactly ``filename``, bytes as sent."""
    boundary = b"hostile-form-boundary"
    body = (b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"file\"; "
            b"filename=\"" + filename + b"\"\r\nContent-Type: text/plain\r\n\r\n" + content
            + b"\r\n--" + boundary + b"--\r\n")
    return body, {"content-type": f"multipart/form-data; boundary={boundary.decode()}"}


# --- bodies over the limit ----------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "start"), [
    ("application/json", b'{"documents": [{"text": "'),
    ("multipart/form-data; boundary=cut", b'--cut\r\nContent-Disposition: form-data; '
                                          b'name="file"; filename="big.txt"\r\n\r\n'),
])
def test_a_chunked_body_over_the_limit_is_a_413(writer, kind, start):
    """20 MB sent without a Content-Length is stopped at the limit while it is read."""
    base, token, _ = writer

    def chunks() -> Iterator[bytes]:
        yield start
        for _ in range(20 * 1024):
            yield b"x" * 1024

    response = httpx.post(f"{base}/api/documents", content=chunks(), timeout=120,
                          headers={**auth(token), "content-type": kind})
    assert "content-length" not in response.request.headers
    assert_error(response, 413, f"{LIMIT:,}")
    post_good(base, token, f"after-chunked-{kind[:4]}")


def test_a_declared_body_over_the_limit_is_a_413(writer):
    base, token, _ = writer
    response = httpx.post(f"{base}/api/documents", headers=auth(token), timeout=60,
                          json={"documents": [{"text": "y " * LIMIT}]})
    assert_error(response, 413, f"{LIMIT:,}")


# --- file names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("filename", [
    b"a" * 300 + b".txt",                              # longer than a file system allows
    "日米".encode() * 60 + b".md",                     # 720 bytes of UTF-8
    b"../../../etc/cron.d/notes.txt",                  # a path
    b"C:\\Users\\someone\\Desktop\\notes.TXT",         # a Windows path, upper-case suffix
    b"nul\x00inside.txt",                              # NUL
    b"\x1b[31mred\x07\x08.txt",                        # terminal escapes, control characters
    b"\xff\xfe\xc3(latin.txt",                         # not UTF-8
    b".txt",                                           # a hidden name, no stem
])
def test_any_file_name_is_taken(writer, filename):
    base, token, _ = writer
    body, headers = multipart(filename, note(filename.hex()[:40]).encode())
    response = httpx.post(f"{base}/api/documents", content=body, timeout=120,
                          headers={**auth(token), **headers})
    if filename == b".txt":  # no suffix after a leading dot: not a text file
        assert_error(response, 400, "upload a .txt")
        return
    assert response.status_code == 201, response.text
    assert response.json()["documents_new"] == 1
    assert_secure(response)


def test_a_hostile_file_name_is_shown_bounded_and_printable(writer):
    base, token, _ = writer
    body, headers = multipart(b"\x1b]0;owned\x07" + b"x" * 1000 + b".exe", b"MZ")
    response = httpx.post(f"{base}/api/documents", content=body, timeout=60,
                          headers={**auth(token), **headers})
    message = assert_error(response, 400, ".exe", "upload a .txt")
    assert len(message) <= 500 and "\x1b" not in message and "\\x1b" in message
    rejected = b"\n".join([b"not json at all", b'{"text": 5}'])
    body, headers = multipart(b"../" + b"n" * 400 + b".jsonl", rejected)
    response = httpx.post(f"{base}/api/documents", content=body, timeout=60,
                          headers={**auth(token), **headers})
    assert_error(response, 422, "nothing could be ingested")
    origins = [d["origin"] for d in response.json()["error"]["details"]]
    assert len(origins) == 2 and all(o.startswith("nnnn") for o in origins)
    assert all(len(o) <= 220 and "bilateral-api-" not in o for o in origins)
    post_good(base, token, "after-file-names")


# --- bounded messages ---------------------------------------------------------------------------

def test_no_answer_echoes_unbounded_input(writer):
    base, token, store_url = writer
    huge = "z" * 15_000
    lines = [json.dumps({"text": note("bounded-good"), "doc_id": "bounded-good"}),
             json.dumps({"text": note("bounded-bad"), "published": huge})]
    body, headers = multipart(b"mixed.jsonl", "\n".join(lines).encode())
    response = httpx.post(f"{base}/api/documents", content=body, timeout=120,
                          headers={**auth(token), **headers})
    assert response.status_code == 201, response.text[:500]
    assert_secure(response)
    found = response.json()
    assert found["documents_new"] == 1 and found["rejections_total"] == 1
    (rejection,) = found["rejections"]
    assert rejection["origin"] == "mixed.jsonl:2" and rejection["code"] == "bad-field"
    assert "published" in rejection["reason"] and len(rejection["reason"]) <= 500
    assert stored(base, "bounded-good")
    with open_store(store_url) as store:
        kept = [r.reason for r in store.rejections() if "published" in r.reason]
    assert kept and all(len(reason) <= 500 for reason in kept)

    rejected = httpx.post(f"{base}/api/documents", timeout=120, headers=auth(token),
                          files={"file": ("only-bad.jsonl", lines[1].encode(), "text/plain")})
    assert len(assert_error(rejected, 422)) <= 500
    assert all(len(d["reason"]) <= 500 for d in rejected.json()["error"]["details"])
    assert len(rejected.content) < 2_000

    missing = httpx.get(f"{base}/api/indicators/{'q' * 15_000}", timeout=30)
    assert len(assert_error(missing, 404, "not an indicator")) <= 500
    many = httpx.post(f"{base}/api/documents", headers=auth(token), timeout=60,
                      json={"documents": [{"text": ""}] * 1000})
    assert "and 995 more" in assert_error(many, 400, "body.documents.0.text")
    assert len(many.json()["error"]["details"]) == 20


# --- inputs the readers refuse or repair ------------------------------------------------------

def _bomb() -> bytes:
    lines = ['l0: &l0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
    return ("---\n" + "\n".join(lines) + "\n---\n" + note("bomb")).encode()


@pytest.mark.parametrize(("name", "content", "code", "words"), [
    ("impossible.md", f"---\npublished: 2025-02-30\n---\n{note('date')}".encode(), "bad-field",
     "day is out of range"),
    ("deep.jsonl", b'{"text": "Japan", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}", "bad-json",
     "nested too deeply"),
    ("bomb.md", _bomb(), "bad-field", "front matter refused"),
    ("future.jsonl", json.dumps({"text": note("future"), "published": "9999-12-31"}).encode(),
     "bad-field", "plausible range"),
])
def test_an_upload_the_readers_refuse_is_a_422_naming_it(writer, name, content, code, words):
    base, token, _ = writer
    response = httpx.post(f"{base}/api/documents", timeout=120, headers=auth(token),
                          files={"file": (name, content, "text/plain")})
    assert_error(response, 422)
    (rejection,) = response.json()["error"]["details"]
    assert (rejection["code"], name in rejection["origin"]) == (code, True)
    assert words in rejection["reason"] and len(response.content) < 2_000
    post_good(base, token, f"after-{name}")


def test_an_upload_with_a_lone_surrogate_or_a_huge_number_is_stored(writer):
    base, token, _ = writer
    lines = [json.dumps({"text": note("surrogate \ud800"), "doc_id": "surrogate"}),
             json.dumps({"text": "The U.S. set a tariff of " + "9" * 320 + "% on Japanese cars.",
                         "doc_id": "huge-number"})]
    response = httpx.post(f"{base}/api/documents", timeout=120, headers=auth(token),
                          files={"file": ("odd.jsonl", "\n".join(lines).encode(), "text/plain")})
    assert response.status_code == 201, response.text[:500]
    assert response.json()["documents_new"] == 2
    document = httpx.get(f"{base}/api/documents/surrogate", timeout=30).json()
    assert "\ufffd" in json.dumps(document, ensure_ascii=False)
    records = httpx.get(f"{base}/api/documents/huge-number", timeout=30)
    assert records.status_code == 200 and "Infinity" not in records.text


# --- NUL characters -----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/search?q=a%00b", "/api/documents?source=%00",
                                  "/api/documents/ext-a%00", "/api/observations?doc=%00x"])
def test_a_nul_in_a_parameter_is_a_400(writer, path):
    """PostgreSQL refuses a NUL in a query: the client's error, not the store's 503."""
    base, _, _ = writer
    assert_error(httpx.get(f"{base}{path}", timeout=30), 400, "NUL")


def test_a_nul_in_a_field_of_a_json_document_is_a_400(writer):
    base, token, _ = writer
    response = httpx.post(f"{base}/api/documents", headers=auth(token), timeout=60,
                          json={"documents": [{"text": note("nul-title"), "title": "a\x00b"}]})
    assert_error(response, 400, "body.documents.0.title", "NUL")
    post_good(base, token, "after-nul")


# --- every answer is secure ---------------------------------------------------------------------

def test_every_answer_carries_the_security_headers(writer):
    base, token, _ = writer
    answers = {
        200: httpx.get(f"{base}/api/health"),
        400: httpx.get(f"{base}/api/documents", params={"limit": "ten"}),
        401: httpx.post(f"{base}/api/documents", json={"documents": [{"text": note(1)}]}),
        404: httpx.get(f"{base}/api/no-such-endpoint"),
        415: httpx.post(f"{base}/api/documents", headers=auth(token), content=b"words"),
    }
    for status, response in answers.items():
        assert response.status_code == status
        assert_secure(response)
    for path in ("/", "/static/dashboard.js", "/api/openapi.json"):
        page = httpx.get(f"{base}{path}", timeout=60)
        assert page.status_code == 200
        assert_secure(page)


def test_a_rate_limited_answer_carries_the_security_headers(sqlite_url, tmp_path):
    open_store(sqlite_url).close()
    with running_server(sqlite_url, "--rate-limit", "6", log=tmp_path / "server.log",
                        caught_up=False) as base:  # its requests would count against the limit
        codes = [httpx.get(f"{base}/api/health") for _ in range(4)]
        assert codes[-1].status_code == 429
        message = assert_error(codes[-1], 429, "6 a minute")
        assert "retry in" in message and int(codes[-1].headers["retry-after"]) >= 1


# --- unexpected failures ------------------------------------------------------------------------

def test_an_unexpected_error_is_a_short_json_500(sqlite_url, tmp_path):
    """A store that another program damaged (a kept answer that is no JSON) breaks a request:
    the client gets a short JSON 500, the log the traceback, and the rest of the API goes on
    answering."""
    seed(sqlite_url)
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as damage:
        damage.execute("UPDATE answer_claims SET body = 'fifteen'")
    log = tmp_path / "server.log"
    with running_server(sqlite_url, "--rate-limit", "0", log=log) as base:
        broken = httpx.get(f"{base}/api/indicators", timeout=60)
        message = assert_error(broken, 500, "internal error")
        assert len(broken.content) < 300 and "Traceback" not in broken.text
        assert httpx.get(f"{base}/api/documents", timeout=30).status_code == 200
    told = log.read_text()
    assert "Traceback" in told and "JSONDecodeError" in told and "GET /api/indicators" in told
    assert "JSONDecodeError" not in message


def test_records_the_analysis_cannot_read_are_logged_by_the_refresher(sqlite_url, tmp_path):
    """A figure that is not a number breaks the refresh, not the server: the refresher logs
    the traceback and goes on, the answers kept before stay, and the write stays marked."""
    token = seed(sqlite_url)
    log = tmp_path / "server.log"
    with running_server(sqlite_url, "--rate-limit", "0", "--refresh-every", "0.1",
                        log=log) as base:
        with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as damage:
            damage.execute("UPDATE observations SET value = 'fifteen'")
        made = httpx.post(f"{base}/api/documents", headers=auth(token), timeout=60, json={
            "documents": [{"text": "Japan and the U.S. agreed on a 15% tariff on Tuesday.",
                           "published": "2025-07-23"}]})
        assert made.status_code == 201
        until(lambda: "refreshing the kept answers failed" in log.read_text(),
              "the refresher logs the failure")
        assert httpx.get(f"{base}/api/indicators", timeout=30).json()["items"]
        assert httpx.get(f"{base}/api/health", timeout=30).json()["answers_pending"] > 0
    assert "Traceback" in log.read_text()


def test_a_document_the_extractor_fails_on_is_a_422(sqlite_url):
    """A document the extractor fails on is rejected, and nothing else sent: 422 with the
    rejection, not a 5xx.
    In process, since only a broken stage makes the extractor fail; the app is the real one."""
    from bilateral.extract import Extractor
    from bilateral.serve.app import create_app
    from bilateral.serve.settings import ServeSettings

    class Broken:
        name, requires, assigns = "broken", (), ()

        def __call__(self, doc):
            raise ArithmeticError("this stage cannot read the document")

    app = create_app(ServeSettings(db=sqlite_url, rate_limit=0))
    state = app.state.bilateral
    state.__dict__["extractor"] = Extractor(state.dossier, stages=[Broken()])
    token = state.store.add_token("tester")

    async def post() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://bilateral.test") as client:
            return await client.post("/api/documents", headers=auth(token),
                                     json={"documents": [{"text": note("broken")}]})

    response = run_async(post())
    assert_error(response, 422, "nothing could be ingested")
    (rejection,) = response.json()["error"]["details"]
    assert rejection["code"] == "extraction-failed" and rejection["origin"] == "request:1"
    assert "ArithmeticError" in rejection["reason"] and "stage broken" in rejection["reason"]
    state.store.close()


# --- the worker stays free ----------------------------------------------------------------------

@pytest.mark.postgres
def test_reads_are_answered_while_a_post_is_being_ingested(pg_url, tmp_path):
    """The test holds a lock on the runs table, so the POST's ingest waits inside its worker
    thread at its first write, which PostgreSQL shows; while it waits, reads are answered.
    An ingest on the event loop would leave them waiting until the test timed out."""
    token = seed(pg_url)
    documents = [{"text": note(f"held-{n}"), "doc_id": f"held-{n}"} for n in range(40)]
    engine = create_engine(resolve_url(pg_url))
    answered: dict[str, httpx.Response] = {}
    with running_server(pg_url, "--rate-limit", "0", log=tmp_path / "server.log") as base, \
            engine.connect() as lock:
        lock.execute(text("LOCK TABLE runs IN EXCLUSIVE MODE"))  # reads may go on

        def post() -> None:
            answered["post"] = httpx.post(f"{base}/api/documents", headers=auth(token),
                                          json={"documents": documents}, timeout=300)

        poster = threading.Thread(target=post)
        poster.start()
        waiting = text("SELECT count(*) FROM pg_locks WHERE relation = 'runs'::regclass "
                       "AND NOT granted")
        deadline = time.monotonic() + POLL_SECONDS
        with engine.connect() as watch:
            while not watch.execute(waiting).scalar():
                assert poster.is_alive(), f"the POST ended before its ingest: {answered}"
                assert time.monotonic() < deadline, "the POST never reached its ingest"
                poster.join(0.05)  # a pause between looks that ends if the POST does
                watch.rollback()
        for path in ("/api/health", "/api/documents", "/api/indicators", "/api/timeline"):
            read = httpx.get(f"{base}{path}", timeout=60)
            assert read.status_code == 200, path
        assert "post" not in answered and poster.is_alive()  # still held by the lock
        lock.rollback()  # the lock goes with the transaction
        poster.join(timeout=300)
        assert answered["post"].status_code == 201, answered["post"].text
        assert answered["post"].json()["documents_new"] == 40
        assert stored(base, "held-39")
    engine.dispose()


def test_limits_answers_an_overflow_that_reaches_it_in_an_exception_group():
    """Whatever the app runs between the limit and the body (here a task group), a body over
    the limit ends as the 413, with the security headers; not as the group's 500."""
    import anyio

    from bilateral.serve.security import Limits, SecurityHeaders

    async def app(scope, receive, send) -> None:
        async def read() -> None:
            while (await receive()).get("more_body"):
                pass

        async with anyio.create_task_group() as group:
            group.start_soon(read)

    parts = iter([b"x" * 8] * 3)

    async def receive() -> dict:
        return {"type": "http.request", "body": next(parts), "more_body": True}

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    stack = SecurityHeaders(Limits(app, rate_per_minute=0, max_body=10))
    run_async(stack({"type": "http", "headers": [], "client": ("127.0.0.1", 1)},
                    receive, send))
    start, body = sent
    assert start["status"] == 413
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    assert all(headers[name] == value for name, value in SECURITY_HEADERS.items())
    assert json.loads(body["body"])["error"] == {
        "status": 413, "message": "the request body is larger than the limit of 10 bytes"}
