"""Polite HTTP for the feed watcher: one configuration value (``FeedPolicy``) and a client
that keeps to it.

Every request names bilateral and its version in its User-Agent, waits for its host's turn (at
least ``host_interval`` seconds, or the robots.txt Crawl-delay when longer, between the end of
one request to a host and the start of the next; redirects and robots.txt included), sends back
the validators it was given (If-None-Match, If-Modified-Since), gives up on a silent server after
the timeouts and reads no more of a body than ``max_bytes``. robots.txt is read once per host.

Failures are ``FetchError`` values that say whether a later try may succeed; the caller decides
when to try again. Imports httpx only when a client is made (``bilateral[feeds]``).
"""

from __future__ import annotations

import threading
import time
import urllib.robotparser
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bilateral import __version__
from bilateral.errors import InputError

if TYPE_CHECKING:
    import httpx

#: The User-Agent every request sends; its first word is the token robots.txt rules name.
USER_AGENT = f"bilateral/{__version__} (news feed watcher; +https://pypi.org/project/bilateral/)"
ROBOTS_TOKEN = "bilateral"
ROBOTS_MAX_BYTES = 512_000  # Google reads the first 500 KiB of a robots.txt
_RETRY_STATUS = frozenset({408, 425, 429})  # and every 5xx


@dataclass(frozen=True)
class FeedPolicy:
    """How politely, and how patiently, feeds and pages are fetched."""

    host_interval: float = 1.0  # seconds between the end of one request to a host and the next
    connect_timeout: float = 10.0  # seconds to connect
    read_timeout: float = 30.0  # seconds of silence from a server before giving up on it
    max_bytes: int = 5_000_000  # largest body read (as ingest's --max-bytes); larger: rejected
    max_attempts: int = 5  # tries of a failing fetch before it is given up
    retry_after: float = 60.0  # seconds before the first retry; doubled after each failure
    retry_max: float = 3600.0  # the longest wait between retries
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        for name in ("host_interval", "retry_after", "retry_max"):
            if not getattr(self, name) >= 0:
                raise InputError(f"feed policy: {name} must be 0 or more seconds, not "
                                 f"{getattr(self, name)!r}")
        for name in ("connect_timeout", "read_timeout"):
            if not getattr(self, name) > 0:
                raise InputError(f"feed policy: {name} must be more than 0 seconds, not "
                                 f"{getattr(self, name)!r}")
        if self.max_bytes < 1 or self.max_attempts < 1:
            raise InputError("feed policy: max_bytes and max_attempts must be at least 1")
        if not self.user_agent.strip():
            raise InputError("feed policy: user_agent must name the client")

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class FetchError(Exception):
    """A fetch that went wrong; ``retry`` when a later attempt may succeed."""

    def __init__(self, reason: str, *, retry: bool = True, code: str = "fetch-failed") -> None:
        super().__init__(reason)
        self.reason, self.retry, self.code = reason, retry, code


class Stopped(Exception):
    """The watcher was asked to stop while it waited for a host's turn."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    body: bytes
    content_type: str
    charset: str | None
    etag: str | None
    last_modified: str | None


class PoliteClient:
    """HTTP GET with the policy's rate limit, robots.txt, size cap and timeouts."""

    def __init__(self, policy: FeedPolicy, stop: threading.Event | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        import httpx

        self.policy = policy
        self.stop = stop or threading.Event()
        self._last: dict[str, float] = {}  # host -> when its last request ended (or began)
        self._delay: dict[str, float] = {}  # host -> Crawl-delay from its robots.txt
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._lock = threading.Lock()
        self.client = httpx.Client(
            headers={"User-Agent": policy.user_agent},
            timeout=httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout),
            follow_redirects=True, max_redirects=5, transport=transport,
            event_hooks={"request": [self._take_turn]})

    def close(self) -> None:
        self.client.close()

    def _take_turn(self, request: httpx.Request) -> None:
        """Wait for the host's turn: every request, redirects and robots.txt included."""
        host = request.url.host
        gap = max(self.policy.host_interval, self._delay.get(host, 0.0))
        wait = self._last.get(host, -gap) + gap - time.monotonic()
        if wait > 0 and self.stop.wait(wait):
            raise Stopped
        self._last[host] = time.monotonic()

    def _done(self, url: str) -> None:
        self._last[urlsplit(url).hostname or ""] = time.monotonic()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            max_bytes: int | None = None) -> Fetched | None:
        """The body at ``url``, or None when the server says it has not changed (304)."""
        import httpx

        limit = max_bytes or self.policy.max_bytes
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return None
                if response.status_code >= 400:
                    retry = response.status_code >= 500 or response.status_code in _RETRY_STATUS
                    raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}"
                                     + ("" if retry else "; not tried again"), retry=retry,
                                     code="http-error")
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise _too_large(int(declared), limit)
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > limit:  # read no further than the cap
                        raise _too_large(None, limit)
                return Fetched(str(response.url), bytes(body),
                               response.headers.get("Content-Type", ""),
                               response.charset_encoding, response.headers.get("ETag"),
                               response.headers.get("Last-Modified"))
        except httpx.TimeoutException as exc:
            kind = type(exc).__name__.removesuffix("Timeout").lower() or "request"
            seconds = (self.policy.connect_timeout if kind == "connect"
                       else self.policy.read_timeout)
            raise FetchError(f"timed out ({kind}, after {seconds:g} s)") from exc
        except httpx.TooManyRedirects as exc:
            raise FetchError("too many redirects; not tried again", retry=False) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            self._done(url)

    def allowed(self, url: str) -> bool:
        """Whether the host's robots.txt lets bilateral fetch ``url``; read once per host."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        rules = self._robots.get(origin)
        if rules is None:
            rules = self._read_robots(origin)
            self._robots[origin] = rules
            delay = rules.crawl_delay(ROBOTS_TOKEN)
            if delay:
                self._delay[parts.hostname or ""] = float(delay)
        return rules.can_fetch(ROBOTS_TOKEN, url)

    def _read_robots(self, origin: str) -> urllib.robotparser.RobotFileParser:
        rules = urllib.robotparser.RobotFileParser(f"{origin}/robots.txt")
        try:
            got = self.get(f"{origin}/robots.txt", max_bytes=ROBOTS_MAX_BYTES)
        except FetchError as exc:
            if exc.code == "http-error" and not exc.retry:
                status = int(exc.reason.split()[1])
                # as RFC 9309 and urllib.robotparser: 401/403 forbid all, other 4xx allow all
                rules.disallow_all = status in (401, 403)
                rules.allow_all = not rules.disallow_all
                return rules
            raise FetchError(f"robots.txt of {origin} could not be read ({exc.reason}); "
                             f"its pages wait", retry=True) from exc
        if got is None:  # no validators were sent; a 304 here is a server's mistake
            rules.allow_all = True
            return rules
        rules.parse(got.body.decode("utf-8", "replace").splitlines())
        return rules


def _too_large(size: int | None, limit: int) -> FetchError:
    told = f"{size:,} bytes, " if size is not None else "more than that, "
    return FetchError(f"body is {told}over the limit of {limit:,} bytes; not read further",
                      retry=False, code="too-large")


