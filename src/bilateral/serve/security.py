"""What keeps a team server safe: tokens for writes, a request rate per client, a cap on request
bodies, and response headers that stop a browser from running anything an article smuggles in.

Reads are open. A write needs ``Authorization: Bearer <token>`` with a token made by
``bilateral token add`` (the store keeps only its SHA-256). The rate limit is a token bucket
per client address and per worker process; behind a reverse proxy, run uvicorn with the
proxy's address trusted (``bilateral serve --forwarded-allow-ips``) so that the client address
is the caller's, not the proxy's.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bilateral.limits import bounded
from bilateral.serve.state import ServerState, server_state

_bearer = HTTPBearer(auto_error=False, description="An API token from `bilateral token add`")

#: Headers on every response. The dashboard serves its own scripts and styles only, so the
#: policy allows nothing from elsewhere, and no inline script at all.
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self' 'unsafe-eval'; "
                               "style-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def error_response(status: int, message: str, details: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """The one JSON error shape. The message is bounded, since it may quote the request, and
    the security headers are set here too, for the answers made outside the middleware that
    adds them (an unexpected error's 500)."""
    body: dict[str, Any] = {"status": status, "message": bounded(message)}
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status,
                        headers={**SECURITY_HEADERS, **(headers or {})})


class SecurityHeaders:
    """ASGI middleware: ``SECURITY_HEADERS`` on every response, including those other
    middleware makes (429, 413, CORS answers). Plain ASGI rather than an ``http`` middleware
    function, which runs the app in a task group and hands its errors on as an
    ExceptionGroup."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def require_token(state: Annotated[ServerState, Depends(server_state)],
                  credentials: Annotated[HTTPAuthorizationCredentials | None,
                                         Depends(_bearer)]) -> str:
    """The name of the caller's token; 401 without a valid one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "this needs an API token: send 'Authorization: Bearer <token>' "
                                 "(make one with: bilateral token add NAME)",
                            headers={"WWW-Authenticate": "Bearer"})
    holder = state.store.token_holder(credentials.credentials)
    if holder is None:
        raise HTTPException(401, "the API token is not valid (unknown or revoked)",
                            headers={"WWW-Authenticate": "Bearer"})
    return holder


def no_nul(request: Request) -> None:
    """400 for a NUL character in the path or a query parameter. No text in the store holds
    one and PostgreSQL refuses it in a query, which would otherwise read as the store failing
    (503) rather than as the bad request it is."""
    if "\x00" in request.scope["path"] or any(
            "\x00" in key or "\x00" in value for key, value in request.query_params.multi_items()):
        raise HTTPException(400, "the request's path or query holds a NUL character (%00), "
                                 "which no parameter may contain")


class Limits:
    """ASGI middleware: the request rate per client and the size of request bodies."""

    def __init__(self, app: ASGIApp, *, rate_per_minute: int, max_body: int,
                 clients: int = 10_000) -> None:
        self.app = app
        self.rate = rate_per_minute / 60.0
        self.burst = max(1.0, rate_per_minute / 6.0)  # ten seconds' worth at once
        self.max_body = max_body
        self.clients = clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        if self.rate and (wait := self._take(client)) > 0:
            await _error(send, 429, f"too many requests from {client}: the limit is "
                                    f"{self.rate * 60:g} a minute; retry in {math.ceil(wait)} s",
                         {"retry-after": str(math.ceil(wait))})
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await _error(send, 413, f"the request body has {int(declared):,} bytes; the limit "
                                    f"is {self.max_body:,}")
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, self._capped(receive), tracked)
        except Exception as exc:
            # The app's handler answers a BodyTooLarge raised while it reads the body; this
            # catches one that got past it (wrapped in an ExceptionGroup by a task group on
            # the way, say), so a body sent without a Content-Length still gets its 413.
            too_large = _only(exc, BodyTooLarge)
            if too_large is None or started:
                raise
            await _error(send, 413, too_large.detail)

    def _take(self, client: str) -> float:
        """Take one request from the client's bucket; the seconds to wait when it is empty."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[client] = (tokens - 1 if tokens >= 1 else tokens, now)
            while len(self._buckets) > self.clients:
                self._buckets.popitem(last=False)
        return wait

    def _capped(self, receive: Receive) -> Receive:
        """A receive that stops a body without a Content-Length (a chunked one) at the limit."""
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message
        return capped


class BodyTooLarge(HTTPException):
    """A body over the limit, found while it is read. An HTTPException, so that whatever
    reads the body (FastAPI's parsing of a declared body among them) passes it on as it is
    and it ends as a 413, never as a 400 or a 500."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit:,} bytes")
        self.limit = limit


_E = TypeVar("_E", bound=Exception)


def _only(exc: BaseException, kind: type[_E]) -> _E | None:
    """``exc`` when it is a ``kind``, or the first ``kind`` in an ExceptionGroup holding
    nothing else; None otherwise."""
    if isinstance(exc, BaseExceptionGroup):
        found, rest = exc.split(kind)
        if found is None or rest is not None:
            return None
        first: BaseException = found
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        return first if isinstance(first, kind) else None
    return exc if isinstance(exc, kind) else None


async def _error(send: Send, status: int, message: str,
                 headers: dict[str, str] | None = None) -> None:
    response = error_response(status, message, headers=headers)
    await response({"type": "http"}, _no_body, send)


async def _no_body() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}
