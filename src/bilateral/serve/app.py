"""The web application: the REST API, the dashboard, and how errors read.

Every error is JSON, ``{"error": {"status": 400, "message": "...", "details": [...]}}``, with
the status that says what went wrong: 400 a bad parameter, 401 no valid token for a write, 404
nothing there, 413 too large a body, 415 a body neither JSON nor a form, 422 input that could
not be used, 429 too many requests.
The OpenAPI document is at /api/openapi.json; the interactive pages that would load their
scripts from a CDN are left out, since the server works offline.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from bilateral import __version__
from bilateral.dossier import load_dossier
from bilateral.errors import BilateralError, LookupFailed, StoreError
from bilateral.serve.answers import Answers
from bilateral.serve.security import SECURITY_HEADERS, BodyTooLarge, Limits
from bilateral.serve.settings import ServeSettings
from bilateral.serve.state import ServerState
from bilateral.store import open_store

log = logging.getLogger("bilateral.serve")


def create_app(settings: ServeSettings | None = None) -> FastAPI:
    """The application over the store the settings name (opened, and migrated, at once)."""
    from bilateral.serve import api, pages

    settings = settings or ServeSettings.from_env()
    store = open_store(settings.db)
    dossier = load_dossier(settings.dossier)
    app = FastAPI(title="bilateral", version=__version__,
                  summary="Events and indicator figures of a relationship between two states, "
                          "each tied to the sentence it came from.",
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.bilateral = ServerState(settings=settings, store=store, dossier=dossier,
                                      answers=Answers(store, dossier, settings.answers_max_age))
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", pages.static_files(), name="static")
    _errors(app)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.add_middleware(Limits, rate_per_minute=settings.rate_limit,
                       max_body=settings.max_upload_bytes)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    return app


def app_from_env() -> FastAPI:
    """The factory each worker of ``bilateral serve --workers N`` calls."""
    return create_app(ServeSettings.from_env())


def _errors(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def bad_parameter(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"where": ".".join(str(p) for p in e.get("loc", ())),
                    "problem": e.get("msg", "")} for e in exc.errors()]
        summary = "; ".join(f"{d['where']}: {d['problem']}" for d in details[:5])
        return _json(400, f"bad request: {summary}", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_page(request):
            from bilateral.serve.pages import problem_page

            return problem_page(request, exc.status_code, str(exc.detail))
        detail = exc.detail
        if isinstance(detail, dict):
            return _json(exc.status_code, str(detail.get("message", "")),
                         detail.get("rejections"), exc.headers)
        return _json(exc.status_code, str(detail), None, exc.headers)

    @app.exception_handler(BodyTooLarge)
    async def too_large(_request: Request, exc: BodyTooLarge) -> JSONResponse:
        return _json(413, str(exc))

    @app.exception_handler(BilateralError)
    async def project_error(_request: Request, exc: BilateralError) -> JSONResponse:
        if isinstance(exc, LookupFailed):
            return _json(404 if exc.found == 0 else 400, str(exc))
        if isinstance(exc, StoreError):  # the database, not the request
            log.error("store error: %s", exc)
            return _json(503, str(exc))
        return _json(400, str(exc))


def _wants_page(request: Request) -> bool:
    """A browser asking for a page outside the API gets its errors as a page too."""
    return (not request.url.path.startswith("/api")
            and "text/html" in request.headers.get("accept", ""))


def _json(status: int, message: str, details: Any = None,
          headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "message": message}
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)
