"""Feeds watched over real HTTP: a local server serves RSS and Atom feeds, article pages and a
robots.txt, and misbehaves on purpose (a 500, malformed XML, a page that never answers in time,
one over the size cap, a disallowed page); the watcher ingests each article once, sends its
validators back, keeps to its host interval and retries failures at later polls."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from bilateral import __version__
from bilateral.cli import app
from bilateral.dossier import load_dossier
from bilateral.errors import InputError
from bilateral.extract import Extractor
from bilateral.ingest.feeds import FeedPolicy, FeedWatcher
from bilateral.store import FeedEntry, open_store

INTERVAL = 0.1  # seconds between two requests to the test host: small, but measurable
POLICY = FeedPolicy(host_interval=INTERVAL, read_timeout=0.5, connect_timeout=0.5,
                    max_bytes=20_000, max_attempts=3, retry_after=10.0)

FIRST = ("Negotiators from Washington and Tokyo spent a second day on the automobile tariff, "
         "and Japanese officials said the United States had agreed to lower the duty on "
         "Japanese cars to 15% from 25%. The reduction would apply to vehicles shipped after "
         "the first of the month, according to a trade ministry spokesman. Industry groups in "
         "Nagoya welcomed the change but asked for details on parts and components, which "
         "remain under review by both governments.")
SECOND = ("Japan's defence minister met his American counterpart at the Pentagon to discuss "
          "the cost of stationing United States forces in Japan. Officials described the "
          "meeting as constructive. The two sides agreed to hold another round of talks on "
          "host nation support before the end of the year, and a joint statement praised the "
          "alliance as the cornerstone of peace in the region, with no figure announced.")
THIRD = ("A delegation of Japanese lawmakers visited Washington to press for an exemption "
         "from new steel duties. Members of the group said American senators listened "
         "closely, and a follow-up visit by trade officials is planned for the spring. Steel "
         "makers in Osaka warned that exports to the United States could fall sharply if the "
         "duty stays in place, while economists in Tokyo urged patience with the talks.")


def page(text: str, *, title: str, date: str | None = None) -> bytes:
    meta = f'<meta property="article:published_time" content="{date}">' if date else ""
    paragraphs = "".join(f"<p>{s.strip().rstrip('.')}.</p>" for s in text.split(". ")
                         if s.strip(". "))
    return (f"<!doctype html><html><head><title>{title}</title>{meta}</head><body>"
            f"<nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paragraphs}</article>"
            f"<footer>Copyright the test outlet</footer></body></html>").encode()


def rss(title: str, items: list[tuple[str, str, str]]) -> bytes:
    body = "".join(f"<item><title>{t}</title><link>{link}</link><pubDate>{date}</pubDate>"
                   f"<guid>{link}#{n}</guid></item>" for n, (t, link, date) in enumerate(items))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>http://outlet.test/</link><description>news</description>{body}"
            f"</channel></rss>").encode()


def atom(title: str, entries: list[tuple[str, str, str]]) -> bytes:
    body = "".join(f'<entry><title>{t}</title><link href="{link}"/><id>urn:{n}</id>'
                   f"<updated>{date}</updated></entry>" for n, (t, link, date) in
                   enumerate(entries))
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{title}</title><id>urn:feed</id><updated>2025-07-23T00:00:00Z</updated>"
            f"{body}</feed>").encode()


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic() when the server had read the request


@dataclass
class Site:
    """A local web server whose routes a test sets; it records every request."""

    url: str = ""
    routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]

    def serve(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8",
              *, etag: str | None = None, last_modified: str | None = None) -> None:
        def handler(request: BaseHTTPRequestHandler) -> None:
            if (etag and request.headers.get("If-None-Match") == etag) or (
                    last_modified and request.headers.get("If-Modified-Since") == last_modified):
                request.send_response(304)
                request.end_headers()
                return
            request.send_response(200)
            request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(body)))
            if etag:
                request.send_header("ETag", etag)
            if last_modified:
                request.send_header("Last-Modified", last_modified)
            request.end_headers()
            request.wfile.write(body)
        self.routes[path] = handler

    def fail(self, path: str, status: int = 500) -> None:
        def handler(request: BaseHTTPRequestHandler) -> None:
            request.send_response(status)
            request.send_header("Content-Length", "0")
            request.end_headers()
        self.routes[path] = handler

    def hang(self, path: str) -> None:
        """Answer only once the test is over: past any client's read timeout."""
        def handler(request: BaseHTTPRequestHandler) -> None:
            self.release.wait(30)
        self.routes[path] = handler


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits.append(Hit(self.path, dict(self.headers.items()), time.monotonic()))
            route = state.routes.get(self.path)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                route(self)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(load_dossier("us-japan"))


def newsroom(site: Site) -> None:
    """Two feeds over five pages: the same link twice, the same text under two links, the
    same article in both feeds, a disallowed page, one too large and one that hangs."""
    u = site.url
    site.serve("/robots.txt", b"User-agent: *\nDisallow: /private/\n", "text/plain")
    site.serve("/news/tariff.html", page(FIRST, title="Page title of the tariff story"))
    site.serve("/news/tariff-copy.html", page(FIRST, title="Page title of the tariff story"))
    site.serve("/news/bases.html", page(SECOND, title="Bases", date="2025-07-20"),
               etag='"bases-v1"')
    site.serve("/news/steel.html", page(THIRD, title="Steel"))
    site.serve("/private/memo.html", page(THIRD + " Private.", title="Memo"))
    site.serve("/news/huge.html", page(SECOND + " Filler." * 5000, title="Huge"))
    site.hang("/news/slow.html")
    site.serve("/rss.xml", rss("Harbour Times", [
        ("Tariff cut agreed", f"{u}/news/tariff.html", "Tue, 22 Jul 2025 09:00:00 GMT"),
        ("Tariff cut agreed (again)", f"{u}/news/tariff.html", "Tue, 22 Jul 2025 09:00:00 GMT"),
        ("Tariff cut, syndicated", f"{u}/news/tariff-copy.html",
         "Tue, 22 Jul 2025 10:00:00 GMT"),
        ("Bases talks", f"{u}/news/bases.html", "Tue, 22 Jul 2025 11:00:00 GMT"),
        ("Memo", f"{u}/private/memo.html", "Tue, 22 Jul 2025 12:00:00 GMT"),
        ("Huge", f"{u}/news/huge.html", "Tue, 22 Jul 2025 13:00:00 GMT"),
        ("Slow", f"{u}/news/slow.html", "Tue, 22 Jul 2025 14:00:00 GMT"),
    ]), "application/rss+xml", etag='"rss-v1"')
    site.serve("/atom.xml", atom("Pacific Wire", [
        ("Bases talks", f"{u}/news/bases.html", "2025-07-22T11:00:00Z"),
        ("Steel exemption sought", f"{u}/news/steel.html", "2025-07-21T08:00:00Z"),
    ]), "application/atom+xml", last_modified="Wed, 23 Jul 2025 00:00:00 GMT")


def test_a_poll_ingests_each_article_once_and_reports_what_it_could_not(site, db_url,
                                                                        extractor):
    newsroom(site)
    feeds = [f"{site.url}/rss.xml", f"{site.url}/atom.xml"]
    store = open_store(db_url)
    seen: list[tuple[str, str]] = []
    with FeedWatcher(feeds, store, load_dossier("us-japan"), POLICY, extractor=extractor,
                     on_page=lambda url, outcome: seen.append((url, outcome))) as watcher:
        report = watcher.poll()
    u = site.url
    assert report.feeds == 2 and report.ingested == 3  # tariff, bases, steel
    assert store.count_documents() == 3
    # the link listed twice, the same text under another link, the article in both feeds
    assert report.duplicates == 3
    assert report.skipped_robots == [f"{u}/private/memo.html"]
    assert "/private/memo.html" not in site.paths()  # never fetched
    assert site.paths().count("/robots.txt") == 1
    assert [(r.origin, r.code) for r in report.rejections] == [(f"{u}/news/huge.html",
                                                                "too-large")]
    [slow] = report.failed
    assert slow.url == f"{u}/news/slow.html" and "timed out (read" in slow.reason
    assert (slow.attempts, slow.gave_up, slow.retry_in) == (1, False, 10.0)
    assert report.waiting == 1
    assert site.paths().count("/news/tariff.html") == 1
    assert any("disallowed by robots.txt" in outcome for _, outcome in seen)
    # every request names bilateral and its version
    assert all(h.headers["User-Agent"].startswith(f"bilateral/{__version__} ")
               for h in site.hits)

    tariff = store.get_document(next(d.id for d in store.documents()
                                     if d.url == f"{u}/news/tariff.html"))
    # the feed's headline, its title as the outlet, its date where the page has none
    assert (tariff.title, tariff.source, tariff.published, tariff.published_from) == (
        "Tariff cut agreed", "Harbour Times", "2025-07-22", "metadata")
    assert "Negotiators from Washington and Tokyo" in tariff.text  # the page's main text,
    assert "Copyright" not in tariff.text and "Home" not in tariff.text  # not its frame
    bases = next(d for d in store.documents() if d.url == f"{u}/news/bases.html")
    assert bases.published == "2025-07-20"  # the page's own date wins over the feed's
    steel = next(d for d in store.documents() if d.url == f"{u}/news/steel.html")
    assert steel.source == "Pacific Wire"

    decided = store.feed_entries([f"{u}/news/tariff.html", f"{u}/news/tariff-copy.html",
                                  f"{u}/private/memo.html", f"{u}/news/huge.html",
                                  f"{u}/news/slow.html"])
    assert {url.rsplit("/", 1)[1]: e.status for url, e in decided.items()} == {
        "tariff.html": "ingested", "tariff-copy.html": "duplicate", "memo.html": "robots",
        "huge.html": "rejected"}  # the slow page is still to be tried again
    assert decided[f"{u}/news/tariff-copy.html"].doc_id == tariff.id


def test_huge_bodies_are_not_read_past_the_cap(site, sqlite_url, extractor):
    chunks_sent = []
    hung_up = threading.Event()
    endless_chunks = 100_000  # 100 MB, more than any socket buffer holds

    def endless(request):
        request.send_response(200)
        request.send_header("Content-Type", "text/html")
        request.end_headers()  # no Content-Length: the cap must stop the reading
        try:
            for _ in range(endless_chunks):
                request.wfile.write(b"<p>" + b"x" * 1000 + b"</p>")
                chunks_sent.append(1)
        except OSError:
            hung_up.set()  # the client closed the connection, as it should
    site.routes["/endless.html"] = endless
    site.serve("/robots.txt", b"", "text/plain")
    site.serve("/rss.xml", rss("Outlet", [("Endless", f"{site.url}/endless.html",
                                           "Tue, 22 Jul 2025 09:00:00 GMT")]),
               "application/rss+xml")
    with FeedWatcher([f"{site.url}/rss.xml"], open_store(sqlite_url),
                     load_dossier("us-japan"), POLICY, extractor=extractor) as watcher:
        report = watcher.poll()
    [rejected] = report.rejections
    assert rejected.code == "too-large" and "over the limit of 20,000 bytes" in rejected.reason
    assert hung_up.wait(30), "the client read the whole endless body"
    assert len(chunks_sent) < endless_chunks


def test_the_second_poll_sends_validators_and_a_304_means_nothing_new(site, sqlite_url,
                                                                       extractor):
    newsroom(site)
    site.serve("/news/slow.html", page(THIRD + " Late.", title="Slow"))  # answers this time
    feeds = [f"{site.url}/rss.xml", f"{site.url}/atom.xml"]
    store = open_store(sqlite_url)
    with FeedWatcher(feeds, store, load_dossier("us-japan"), POLICY,
                     extractor=extractor) as watcher:
        first = watcher.poll()
        count = len(site.hits)
        second = watcher.poll()
    assert first.ingested == 4 and not first.failed
    again = site.hits[count:]
    assert [h.path for h in again] == ["/rss.xml", "/atom.xml"]  # no page fetched again
    assert again[0].headers["If-None-Match"] == '"rss-v1"'
    assert again[1].headers["If-Modified-Since"] == "Wed, 23 Jul 2025 00:00:00 GMT"
    assert (second.not_modified, second.fetched, second.ingested) == (2, 0, 0)


def test_an_entry_updated_in_its_feed_is_fetched_again_with_the_pages_validators(
        site, sqlite_url, extractor):
    newsroom(site)
    u = site.url
    store = open_store(sqlite_url)
    dossier = load_dossier("us-japan")
    feeds = [f"{u}/atom.xml"]
    with FeedWatcher(feeds, store, dossier, POLICY, extractor=extractor) as watcher:
        assert watcher.poll().ingested == 2
    site.serve("/atom.xml", atom("Pacific Wire", [
        ("Bases talks", f"{u}/news/bases.html", "2025-07-23T18:00:00Z"),  # updated
        ("Steel exemption sought", f"{u}/news/steel.html", "2025-07-21T08:00:00Z"),
    ]), "application/atom+xml")
    count = len(site.hits)
    with FeedWatcher(feeds, store, dossier, POLICY, extractor=extractor) as watcher:
        report = watcher.poll()
    refetch = [h for h in site.hits[count:] if h.path == "/news/bases.html"]
    assert [h.headers.get("If-None-Match") for h in refetch] == ['"bases-v1"']
    assert (report.not_modified, report.ingested) == (1, 0)
    assert "/news/steel.html" not in [h.path for h in site.hits[count:]]
    entry = store.feed_entries([f"{u}/news/bases.html"])[f"{u}/news/bases.html"]
    assert entry.entry_updated == "2025-07-23T18:00:00Z" and entry.status == "ingested"


def test_requests_to_one_host_keep_the_interval(site, sqlite_url, extractor):
    newsroom(site)
    site.serve("/news/slow.html", page(THIRD + " Late.", title="Slow"))
    with FeedWatcher([f"{site.url}/rss.xml", f"{site.url}/atom.xml"], open_store(sqlite_url),
                     load_dossier("us-japan"), POLICY, extractor=extractor) as watcher:
        watcher.poll()
    times = [h.at for h in site.hits]
    assert len(times) >= 8
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= INTERVAL, gaps


def test_a_crawl_delay_in_robots_txt_lengthens_the_interval(site, sqlite_url, extractor):
    site.serve("/robots.txt", b"User-agent: bilateral\nCrawl-delay: 1\nDisallow: /private/\n",
               "text/plain")
    u = site.url
    site.serve("/a.html", page(FIRST, title="A"))
    site.serve("/b.html", page(SECOND, title="B"))
    site.serve("/rss.xml", rss("Outlet", [("A", f"{u}/a.html", "Tue, 22 Jul 2025 09:00:00 GMT"),
                                          ("B", f"{u}/b.html", "Tue, 22 Jul 2025 09:00:00 GMT")]),
               "application/rss+xml")
    with FeedWatcher([f"{u}/rss.xml"], open_store(sqlite_url), load_dossier("us-japan"),
                     POLICY, extractor=extractor) as watcher:
        assert watcher.poll().ingested == 2
    at = {h.path: h.at for h in site.hits}
    assert at["/b.html"] - at["/a.html"] >= 1  # robots.txt asks for 1 s, longer than ours


def test_failures_are_retried_with_backoff_then_given_up(site, sqlite_url, extractor):
    newsroom(site)
    site.fail("/broken.xml", 500)
    site.serve("/malformed.xml", b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut',
               "application/rss+xml")
    now = [0.0]
    feeds = [f"{site.url}/broken.xml", f"{site.url}/malformed.xml", f"{site.url}/rss.xml"]
    store = open_store(sqlite_url)
    with FeedWatcher(feeds, store, load_dossier("us-japan"), POLICY, extractor=extractor,
                     clock=lambda: now[0]) as watcher:
        first = watcher.poll()
        failures = {f.url.rsplit("/", 1)[1]: f for f in first.failed}
        assert set(failures) == {"broken.xml", "malformed.xml", "slow.html"}
        assert failures["broken.xml"].reason == "HTTP 500 Internal Server Error"
        assert failures["malformed.xml"].reason.startswith("malformed feed:")
        assert all(f.retry_in == 10.0 and not f.gave_up for f in failures.values())
        assert first.ingested == 2

        now[0] = 5.0  # before the first retry is due: nothing failed is asked again
        count = len(site.hits)
        second = watcher.poll()
        asked = [h.path for h in site.hits[count:]]
        assert not {"/broken.xml", "/malformed.xml", "/news/slow.html"} & set(asked)
        assert second.waiting == 3 and not second.failed

        now[0] = 10.0
        third = watcher.poll()
        assert sorted((f.url.rsplit("/", 1)[1], f.attempts, f.retry_in)
                      for f in third.failed) == [("broken.xml", 2, 20.0),
                                                 ("malformed.xml", 2, 20.0),
                                                 ("slow.html", 2, 20.0)]
        now[0] = 30.0
        fourth = watcher.poll()
        assert all(f.gave_up and f.attempts == 3 for f in fourth.failed)
        assert len(fourth.failed) == 3
        now[0] = 10_000.0
        count = len(site.hits)
        fifth = watcher.poll()
        assert not fifth.failed and fifth.waiting == 0
        assert not {"/broken.xml", "/malformed.xml", "/news/slow.html"} & {
            h.path for h in site.hits[count:]}
    assert site.paths().count("/broken.xml") == 3
    slow = store.feed_entries([f"{site.url}/news/slow.html"])[f"{site.url}/news/slow.html"]
    assert slow.status == "gave-up" and "timed out" in slow.reason


def test_a_restarted_watcher_fetches_no_page_again(site, db_url, extractor):
    newsroom(site)
    feeds = [f"{site.url}/rss.xml", f"{site.url}/atom.xml"]
    dossier = load_dossier("us-japan")
    with FeedWatcher(feeds, open_store(db_url), dossier, POLICY, extractor=extractor) as w:
        assert w.poll().ingested == 3
    count = len(site.hits)
    store = open_store(db_url)  # a new process: nothing kept in memory
    with FeedWatcher(feeds, store, dossier, POLICY, extractor=extractor) as watcher:
        report = watcher.poll()
    assert report.ingested == 0 and store.count_documents() == 3
    pages = [h.path for h in site.hits[count:] if h.path.endswith(".html")]
    assert pages == ["/news/slow.html"]  # only the one that failed, tried again


def test_feed_entries_round_trip_and_refuse_an_unknown_status(store):
    entry = FeedEntry("http://outlet.test/a", "http://outlet.test/rss", "ingested",
                      doc_id="abc", etag='"1"')
    assert store.record_feed_entries([entry]) == 1
    store.record_feed_entries([FeedEntry("http://outlet.test/a", "http://outlet.test/rss",
                                         "duplicate", doc_id="def")])
    found = store.feed_entries(["http://outlet.test/a", "http://outlet.test/b"])
    assert list(found) == ["http://outlet.test/a"]
    assert (found["http://outlet.test/a"].status, found["http://outlet.test/a"].doc_id,
            found["http://outlet.test/a"].etag) == ("duplicate", "def", None)
    assert found["http://outlet.test/a"].seen_at is not None
    with pytest.raises(Exception, match="not one of"):
        store.record_feed_entries([FeedEntry("http://outlet.test/c", "f", "maybe")])


def test_policy_and_feed_urls_are_checked(sqlite_url):
    with pytest.raises(InputError, match="read_timeout must be more than 0"):
        FeedPolicy(read_timeout=0)
    with pytest.raises(InputError, match="host_interval"):
        FeedPolicy(host_interval=-1)
    with pytest.raises(InputError, match="not an http:// or https:// URL"):
        FeedWatcher(["file:///etc/passwd"], open_store(sqlite_url), load_dossier("us-japan"))


# --- the command line -------------------------------------------------------------------------

runner = CliRunner()

CLI_POLICY = ["--host-interval", str(INTERVAL), "--timeout", "0.5", "--max-bytes", "20000",
              "--attempts", "3"]


def test_cli_once_with_json_reports_and_a_second_run_ingests_nothing(site, tmp_path):
    newsroom(site)
    db = f"sqlite:///{tmp_path / 'feeds.db'}"
    args = ["watch", "--feed", f"{site.url}/rss.xml", "--feed", f"{site.url}/atom.xml",
            "--once", "--json", "--db", db, *CLI_POLICY]
    first = runner.invoke(app, args)
    assert first.exit_code == 3, first.output  # a rejection and a failure: partial
    report = json.loads(first.stdout)
    assert (report["ingested"], report["duplicates"], report["skipped_robots"]) == (
        3, 3, [f"{site.url}/private/memo.html"])
    assert [f["url"] for f in report["failed"]] == [f"{site.url}/news/slow.html"]
    assert [r["code"] for r in report["rejections"]] == ["too-large"]

    site.serve("/news/slow.html", page(THIRD + " Late.", title="Slow"))  # fixed meanwhile
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    again = json.loads(second.stdout)
    assert (again["ingested"], again["not_modified"], again["failed"]) == (1, 0, [])
    third = runner.invoke(app, args)
    assert third.exit_code == 0 and json.loads(third.stdout)["ingested"] == 0
    assert open_store(db).count_documents() == 4


def test_cli_once_prints_progress_and_the_counts(site, tmp_path):
    newsroom(site)
    site.serve("/news/slow.html", page(THIRD + " Late.", title="Slow"))
    result = runner.invoke(app, ["watch", "--feed", f"{site.url}/atom.xml", "--once", "--db",
                                 f"sqlite:///{tmp_path / 'feeds.db'}", *CLI_POLICY])
    assert result.exit_code == 0, result.output
    assert f"{site.url}/news/steel.html: ingested as" in result.stderr
    assert "feeds 1, fetched 3, ingested 2, duplicates 0" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    ([], "watch a folder or one or more --feed URL, not neither"),
    (["inbox", "--feed", "http://outlet.test/rss"], "not both"),
    (["--feed", "http://outlet.test/rss", "--json"], "use it with --feed and --once"),
    (["--feed", "ftp://outlet.test/rss", "--once"], "not an http:// or https:// URL"),
])
def test_cli_refuses_what_it_cannot_watch(tmp_path, args, message):
    result = runner.invoke(app, ["watch", *args, "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 1
    assert message in " ".join(result.output.split())
