"""Live ingest from RSS and Atom feeds: each feed polled, each new entry's article page fetched
politely and ingested as a file would be.

    watcher = FeedWatcher(["https://example.org/news.rss"], store, dossier, FeedPolicy())
    report = watcher.poll()        # one pass; watch_feeds() repeats it every interval

Politeness is part of the contract, set by a ``FeedPolicy`` value:

- conditional requests: a feed's and a page's ETag and Last-Modified are sent back
  (If-None-Match, If-Modified-Since); 304 Not Modified means nothing new;
- one request at a time, and at least ``host_interval`` seconds (or the host's robots.txt
  Crawl-delay, when longer) between the end of one request to a host and the start of the next;
- robots.txt read once per host and obeyed for article pages (a feed is fetched because the
  user named it, as a feed reader does); a page it disallows is skipped and reported;
- a User-Agent naming bilateral and its version, connect and read timeouts, and a cap on the
  bytes read from any body.

A failed fetch (no connection, a timeout, a 5xx or 429 answer, a malformed feed) is reported and
tried again at a later poll, after ``retry_after`` seconds doubled with each failure, until
``max_attempts``; then it is reported as given up. Nothing a server does stops the watcher.

Identity is the content hash, as for files: the same article under two links or in two feeds is
stored once, and near-duplicates are linked. What was decided about each link is kept in the
store (``feed_entries``), so a restarted watcher fetches no page twice; an entry whose date in
the feed changes is fetched again (conditionally), which stores a revised text as a new document.
"""

from __future__ import annotations

import contextlib
import io
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin, urlsplit

from bilateral.errors import InputError
from bilateral.ingest.fetch import FeedPolicy, Fetched, FetchError, PoliteClient, Stopped
from bilateral.ingest.readers import (
    BadField,
    decode_html,
    from_html,
    normalise_date,
)
from bilateral.records import Document, Rejection
from bilateral.store import FeedEntry, Store

_HTML_TYPES = ("text/html", "application/xhtml+xml")

if TYPE_CHECKING:
    import httpx

    from bilateral.dossier import Dossier
    from bilateral.extract import Extractor


@dataclass(frozen=True)
class FetchFailure:
    """A feed or page that could not be fetched this time, and whether it will be tried again
    (``retry_in`` seconds from now) or was given up."""

    url: str
    reason: str
    attempts: int
    gave_up: bool
    retry_in: float | None = None


@dataclass
class FeedReport:
    """What one poll (or a whole watch) did; the CLI prints it and ``--json`` writes it."""

    feeds: int = 0  # feeds requested
    fetched: int = 0  # responses with a body read: feeds, pages
    ingested: int = 0  # articles stored as new documents
    duplicates: int = 0  # entries whose link or text was met before
    not_modified: int = 0  # 304 answers: nothing new since the last fetch
    waiting: int = 0  # failed earlier, to be tried again at a later poll
    skipped_robots: list[str] = field(default_factory=list)
    failed: list[FetchFailure] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)  # pages read, but no article
    near_duplicates: int = 0
    observations: int = 0
    events: int = 0
    runs: list[int] = field(default_factory=list)  # the ingest runs that stored them

    def add(self, other: FeedReport) -> None:
        """Add another poll's counts and lists to this one."""
        for name, value in other.__dict__.items():
            if name == "waiting":
                self.waiting = other.waiting  # a state, not a count: the latest holds
            elif isinstance(value, list):
                getattr(self, name).extend(value)
            else:
                setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in self.__dict__.items()
               if k not in ("failed", "rejections")},
            "failed": [f.__dict__ for f in self.failed],
            "rejections": [{"origin": r.origin, "code": r.code, "reason": r.reason}
                           for r in self.rejections],
        }


@dataclass(frozen=True)
class _Entry:
    """A link to fetch, with what the feed said about it."""

    url: str
    feed: str
    outlet: str | None
    title: str | None
    published: str | None  # YYYY-MM-DD from the feed, when it gave one
    updated: str | None  # the entry's date as the feed wrote it
    previous: FeedEntry | None = None  # what was decided when it was last fetched


@dataclass(frozen=True)
class _Page:
    """A page read this poll: the article (or why there is none) and its validators."""

    entry: _Entry
    result: Document | Rejection
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class _Pass:
    """What one poll has found so far; ingested and recorded at its end, even when stopped."""

    report: FeedReport = field(default_factory=FeedReport)
    decided: list[FeedEntry] = field(default_factory=list)  # links settled without ingest
    pages: list[_Page] = field(default_factory=list)  # pages to ingest


@dataclass
class _Retry:
    attempts: int = 0
    next_at: float = 0.0


PageCallback = Callable[[str, str], None]  # (url, what happened to it)


class FeedWatcher:
    """Polls feeds and ingests new entries; one instance keeps the validators, the retry
    schedule and the pages waiting between polls."""

    def __init__(self, feeds: Sequence[str], store: Store, dossier: Dossier,
                 policy: FeedPolicy | None = None, *, stop: threading.Event | None = None,
                 extractor: Extractor | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 transport: httpx.BaseTransport | None = None,
                 on_page: PageCallback | None = None) -> None:
        from bilateral.extras import require

        require("feeds", "bilateral watch --feed")
        self.feeds = list(dict.fromkeys(_check_feed_url(f) for f in feeds))
        if not self.feeds:
            raise InputError("no feed to watch; give one or more --feed URL")
        self.store, self.dossier = store, dossier
        self.policy = policy or FeedPolicy()
        self.stop = stop or threading.Event()
        self.http = PoliteClient(self.policy, self.stop, transport)
        self._extractor = extractor
        self.clock = clock
        self.on_page = on_page or (lambda url, outcome: None)
        self._validators: dict[str, tuple[str | None, str | None]] = {}  # feed -> etag, date
        self._retries: dict[str, _Retry] = {}
        self._given_up: set[str] = set()  # feeds
        self._pending: dict[str, _Entry] = {}  # pages to fetch, in the order met

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> FeedWatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def extractor(self) -> Extractor:
        if self._extractor is None:  # loaded at the first article, once
            from bilateral.extract import Extractor

            self._extractor = Extractor(self.dossier)
        return self._extractor

    def poll(self) -> FeedReport:
        """Fetch every feed that is due, then every page waiting, and ingest what they hold."""
        now = _Pass()
        try:
            self._poll_feeds(now)
            self._fetch_pages(now)
        except Stopped:  # only while waiting for a host's turn
            pass
        self._ingest(now)
        now.report.waiting = sum(1 for url in (*self.feeds, *self._pending)
                                 if url in self._retries)
        return now.report

    # -- feeds

    def _poll_feeds(self, now: _Pass) -> None:
        listed: set[str] = set()
        for feed in self.feeds:
            if feed in self._given_up or not self._due(feed):
                continue
            now.report.feeds += 1
            etag, modified = self._validators.get(feed, (None, None))
            try:
                got = self.http.get(feed, etag=etag, last_modified=modified)
                if got is None:
                    now.report.not_modified += 1
                    self._retries.pop(feed, None)
                    self.on_page(feed, "feed not modified")
                    continue
                now.report.fetched += 1
                entries = _parse_feed(got, feed)
            except FetchError as exc:
                if self._failed(feed, exc, now.report):
                    self._given_up.add(feed)
                continue
            self._retries.pop(feed, None)
            self._validators[feed] = (got.etag, got.last_modified)
            fresh = []
            for entry in entries:
                if entry.url in listed:
                    now.report.duplicates += 1
                    self.on_page(entry.url, "duplicate: the same link listed again")
                    continue
                listed.add(entry.url)
                fresh.append(entry)
            known = self.store.feed_entries(e.url for e in fresh)
            for entry in fresh:
                before = known.get(entry.url)
                if entry.url in self._pending:
                    continue
                if before is None:
                    self._pending[entry.url] = entry
                elif entry.updated and entry.updated != before.entry_updated:
                    self._pending[entry.url] = replace(entry, previous=before)

    # -- pages

    def _fetch_pages(self, now: _Pass) -> None:
        for url, entry in list(self._pending.items()):
            if self.stop.is_set():
                break
            if not self._due(url):
                continue
            try:
                if not self.http.allowed(url):
                    del self._pending[url]
                    now.report.skipped_robots.append(url)
                    now.decided.append(_decision(entry, "robots",
                                                 reason="disallowed by robots.txt"))
                    self.on_page(url, "skipped: disallowed by robots.txt")
                    continue
                previous = entry.previous
                got = self.http.get(url, etag=previous.etag if previous else None,
                                    last_modified=previous.last_modified if previous else None)
            except FetchError as exc:
                if exc.code == "too-large":
                    del self._pending[url]
                    self._retries.pop(url, None)
                    now.pages.append(_Page(entry, Rejection(url, exc.reason, "too-large")))
                elif self._failed(url, exc, now.report):
                    del self._pending[url]
                    now.decided.append(_decision(entry, "gave-up", reason=exc.reason))
                continue
            del self._pending[url]
            self._retries.pop(url, None)
            if got is None:
                now.report.not_modified += 1
                if entry.previous is not None:  # validators are only sent for a refetch
                    now.decided.append(replace(entry.previous, entry_updated=entry.updated))
                self.on_page(url, "not modified")
                continue
            now.report.fetched += 1
            now.pages.append(_Page(entry, _document(got, entry), got.etag, got.last_modified))

    def _ingest(self, now: _Pass) -> None:
        report = now.report
        if now.pages:
            from bilateral.ingest.run import ingest_documents

            documents = [p.result for p in now.pages if isinstance(p.result, Document)]
            stored_before = self.store.has_documents(d.id for d in documents)
            ingested = ingest_documents(
                [p.result for p in now.pages], self.store, self.dossier,
                extractor=self.extractor,
                config={"feeds": self.feeds, "policy": self.policy.as_dict()})
            if ingested.run_id is not None:
                report.runs.append(ingested.run_id)
            report.rejections.extend(ingested.rejections)
            report.near_duplicates += ingested.near_duplicates
            report.observations += ingested.observations
            report.events += ingested.events
            stored = self.store.has_documents(d.id for d in documents)
            reasons = {r.origin: r.reason for r in ingested.rejections}
            new: set[str] = set()
            for page in now.pages:
                entry, result = page.entry, page.result
                seen = {"etag": page.etag, "last_modified": page.last_modified}
                if isinstance(result, Rejection):
                    now.decided.append(_decision(entry, "rejected", reason=result.reason))
                    self.on_page(entry.url, f"rejected: {result.reason}")
                elif result.id in stored_before or result.id in new:
                    report.duplicates += 1
                    now.decided.append(_decision(entry, "duplicate", doc_id=result.id, **seen))
                    self.on_page(entry.url, f"duplicate: the text of {result.id[:12]}")
                elif result.id in stored:
                    new.add(result.id)
                    report.ingested += 1
                    now.decided.append(_decision(entry, "ingested", doc_id=result.id, **seen))
                    self.on_page(entry.url, f"ingested as {result.id[:12]}")
                else:
                    reason = reasons.get(result.origin, "not stored")
                    now.decided.append(_decision(entry, "rejected", reason=reason))
                    self.on_page(entry.url, f"rejected: {reason}")
        self.store.record_feed_entries(now.decided)

    # -- retries

    def _due(self, url: str) -> bool:
        retry = self._retries.get(url)
        return retry is None or self.clock() >= retry.next_at

    def _failed(self, url: str, exc: FetchError, report: FeedReport) -> bool:
        """Count a failure and schedule the next try; True when the url is given up."""
        retry = self._retries.setdefault(url, _Retry())
        retry.attempts += 1
        gave_up = not exc.retry or retry.attempts >= self.policy.max_attempts
        wait = None
        if gave_up:
            self._retries.pop(url)
        else:
            wait = min(self.policy.retry_after * 2 ** (retry.attempts - 1),
                       self.policy.retry_max)
            retry.next_at = self.clock() + wait
        report.failed.append(FetchFailure(url, exc.reason, retry.attempts, gave_up, wait))
        times = f"{retry.attempts} attempt{'s' if retry.attempts > 1 else ''}"
        self.on_page(url, f"failed: {exc.reason}; " + (
            f"given up after {times}" if gave_up else f"tried again in {wait:g} s"))
        return gave_up


def watch_feeds(feeds: Sequence[str], store: Store, dossier: Dossier,
                policy: FeedPolicy | None = None, *, interval: float = 300.0,
                once: bool = False, stop: threading.Event | None = None,
                on_poll: Callable[[FeedReport], None] | None = None,
                on_page: PageCallback | None = None) -> FeedReport:
    """Poll ``feeds`` every ``interval`` seconds until ``stop`` is set (with ``once``, one
    poll) and ingest their new articles; returns the counts of every poll together."""
    stop = stop or threading.Event()
    total = FeedReport()
    with FeedWatcher(feeds, store, dossier, policy, stop=stop, on_page=on_page) as watcher:
        while True:
            report = watcher.poll()
            total.add(report)
            if on_poll:
                on_poll(report)
            if once or stop.wait(interval):
                return total


def _check_feed_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"feed {url!r} is not an http:// or https:// URL; give the address "
                         f"of an RSS or Atom feed")
    return url.strip()


def _decision(entry: _Entry, status: str, **values: Any) -> FeedEntry:
    return FeedEntry(url=entry.url, feed=entry.feed, status=status,
                     entry_updated=entry.updated, **values)


def _parse_feed(got: Fetched, feed: str) -> list[_Entry]:
    """The entries of an RSS or Atom feed, links made absolute; FetchError when it is none."""
    import feedparser

    parsed = feedparser.parse(io.BytesIO(got.body), response_headers={
        "content-location": got.url, "content-type": got.content_type or "application/xml"})
    if not parsed.entries and (parsed.bozo or not parsed.version):
        problem = parsed.get("bozo_exception") or "no RSS or Atom elements"
        raise FetchError(f"malformed feed: {problem}")
    outlet = parsed.feed.get("title") or None
    entries = []
    for item in parsed.entries:
        link = item.get("link")
        if not link:
            continue  # an entry with no page to read
        url = urldefrag(urljoin(got.url, link)).url
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        # dict.get: feedparser's own get maps a missing "updated" to "published", with a warning
        stamp = dict.get(item, "published_parsed") or dict.get(item, "updated_parsed")
        published = f"{stamp.tm_year:04d}-{stamp.tm_mon:02d}-{stamp.tm_mday:02d}" \
            if stamp else None
        entries.append(_Entry(url=url, feed=feed, outlet=outlet, title=item.get("title"),
                              published=published,
                              updated=dict.get(item, "updated") or dict.get(item, "published")))
    return entries


def _document(got: Fetched, entry: _Entry) -> Document | Rejection:
    """The article of a page, with what the feed said about it where the page says nothing."""
    media = got.content_type.split(";")[0].strip().lower()
    if media and media not in _HTML_TYPES:
        return Rejection(entry.url, f"not an HTML page (Content-Type {media})", "not-html")
    try:
        html = decode_html(got.body, got.charset)
    except UnicodeDecodeError as exc:
        return Rejection(entry.url, f"undecodable: not valid UTF-8 or the declared charset "
                         f"(offset {exc.start})", "undecodable")
    try:
        read = from_html(html, origin=entry.url)
    except BadField as exc:
        return Rejection(entry.url, str(exc), "bad-field")
    if isinstance(read, Rejection):
        return read
    published, published_from = read.published, read.published_from
    if published_from != "metadata" and entry.published:
        with contextlib.suppress(BadField):  # an implausible feed date: keep the page's
            published, published_from = normalise_date(entry.published), "metadata"
    return replace(read, title=_text(entry.title) or read.title, url=entry.url,
                   source=_text(entry.outlet) or read.source, published=published,
                   published_from=published_from)


def _text(value: str | None) -> str | None:
    return " ".join(value.split()) or None if value else None
