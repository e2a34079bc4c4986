"""Answers of the read API kept per worker until the store changes, with ETags.

Every read endpoint's answer follows from what the store holds: its documents and records
(``Store.version``) and its kept answers (``KeptRows.changes``). Readers ask for the same pages
again and again (an indicator's history, the first page of the timeline) while a refresh
changes them a few times a minute, so a worker keeps each answer with the stamps it was made
under and sends it again while they stand: a hit costs one or two indexed lookups instead of
reading and encoding hundreds of kilobytes. Where a refresher process keeps the answers, the
analysis endpoints (``ANSWERS``) change only when it writes, not with every ingest. Each answer
carries an ETag; a client that sends it back in ``If-None-Match`` gets 304 without a body.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Paths whose answers do not follow from the store alone: the health check is live by
#: design, forecasts depend on the day (and are kept by ``Forecasts``).
UNCACHED = ("/api/health", "/api/negotiations")
#: Paths answered from the kept analysis alone (bilateral.serve.answers), not from the records.
ANSWERS = ("/api/indicators", "/api/timeline", "/api/disputes", "/api/revisions", "/api/index")
#: Largest answer kept; a larger one is sent as it is made.
MAX_ENTRY_BYTES = 8 * 2**20


@dataclass(frozen=True)
class _Kept:
    stamp: tuple[Any, ...]
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


class ResponseCache:
    """ASGI middleware: GET answers under /api/ kept, up to ``max_bytes`` per worker (the least
    recently used go first), while the store's version and its kept answers' changes stand.

    ``refreshed_elsewhere``: a refresher process keeps the answers, so the analysis endpoints
    follow its changes only; otherwise a read after a write refreshes them, and they follow
    the writes too."""

    def __init__(self, app: ASGIApp, *, store: Any, max_bytes: int,
                 refreshed_elsewhere: bool) -> None:
        self.app = app
        self.store = store
        self.max_bytes = max_bytes
        self.refreshed_elsewhere = refreshed_elsewhere
        self._kept: OrderedDict[tuple[str, bytes], _Kept] = OrderedDict()
        self._bytes = 0

    def _stamp(self, path: str) -> tuple[Any, ...]:
        if self.refreshed_elsewhere and path.startswith(ANSWERS):
            return (self.store.kept.changes(),)
        return self.store.version(), self.store.kept.changes()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if (not self.max_bytes or scope.get("method") != "GET" or not path.startswith("/api/")
                or path.startswith(UNCACHED)):
            await self.app(scope, receive, send)
            return
        key = (path, scope.get("query_string", b""))
        # read before the answer is made: a write meanwhile leaves an answer newer than its
        # stamp, which the next request makes again, never an older one
        try:
            stamp = await run_in_threadpool(self._stamp, path)
        except Exception:  # the store is failing: the app answers, with its own error
            await self.app(scope, receive, send)
            return
        wanted = Headers(scope=scope).get("if-none-match", "").encode()
        kept = self._kept.get(key)
        if kept is not None and kept.stamp == stamp:
            self._kept.move_to_end(key)
            await _send(send, kept, wanted)
            return
        await self._make(scope, receive, send, key, stamp, wanted)

    async def _make(self, scope: Scope, receive: Receive, send: Send, key: tuple[str, bytes],
                    stamp: tuple[Any, ...], wanted: bytes) -> None:
        """Run the app; keep a whole 200 answer small enough, and send it (or 304)."""
        start: Message | None = None
        parts: list[bytes] = []
        size = 0
        passing = False  # sent on as it comes: not a 200, or too large to keep

        async def capture(message: Message) -> None:
            nonlocal start, size, passing
            if passing:
                await send(message)
            elif message["type"] == "http.response.start":
                start = message
                if message["status"] != 200:
                    passing = True
                    await send(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                size += len(parts[-1])
                if size > MAX_ENTRY_BYTES and message.get("more_body", False):
                    passing = True  # too large: send what is held and the rest as it comes
                    assert start is not None
                    await send(start)
                    await send({"type": "http.response.body", "body": b"".join(parts),
                                "more_body": True})
                elif not message.get("more_body", False):
                    assert start is not None
                    body = b"".join(parts)
                    kept = _Kept(stamp=stamp, status=start["status"],
                                 headers=[(k, v) for k, v in start.get("headers", [])
                                          if k.lower() not in (b"content-length", b"etag")],
                                 body=body,
                                 etag=b'"' + hashlib.blake2b(body, digest_size=12)
                                 .hexdigest().encode() + b'"')
                    if len(body) <= MAX_ENTRY_BYTES:
                        self._keep(key, kept)
                    await _send(send, kept, wanted)
            else:
                await send(message)

        await self.app(scope, receive, capture)

    def _keep(self, key: tuple[str, bytes], kept: _Kept) -> None:
        old = self._kept.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._kept[key] = kept
        self._bytes += len(kept.body)
        while self._bytes > self.max_bytes and self._kept:
            _, dropped = self._kept.popitem(last=False)
            self._bytes -= len(dropped.body)


async def _send(send: Send, kept: _Kept, wanted: bytes) -> None:
    """The kept answer, or 304 when the client holds it already (its ETag in If-None-Match)."""
    tags = [tag.strip().removeprefix(b"W/") for tag in wanted.split(b",")] if wanted else []
    if kept.etag in tags or b"*" in tags:
        await send({"type": "http.response.start", "status": 304,
                    "headers": [(b"etag", kept.etag)]})
        await send({"type": "http.response.body", "body": b""})
        return
    headers = [*kept.headers, (b"content-length", str(len(kept.body)).encode()),
               (b"etag", kept.etag)]
    await send({"type": "http.response.start", "status": kept.status, "headers": headers})
    await send({"type": "http.response.body", "body": kept.body})
