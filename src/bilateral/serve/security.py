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
from typing import Annotated, Any

from fastapi import Depends, HTTPException
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
        await self.app(scope, self._capped(receive, send), send)

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

    def _capped(self, receive: Receive, send: Send) -> Receive:
        """A receive that stops a body without a Content-Length at the limit."""
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


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is larger than the limit of {limit:,} bytes")
        self.limit = limit


async def _error(send: Send, status: int, message: str,
                 headers: dict[str, str] | None = None) -> None:
    response = JSONResponse({"error": {"status": status, "message": message}}, status_code=status,
                            headers=headers)
    await response({"type": "http"}, _no_body, send)


async def _no_body() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}
