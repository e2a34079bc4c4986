"""The web application: the REST API, the dashboard, and how errors read.

Every error is JSON, ``{"error": {"status": 400, "message": "...", "details": [...]}}``, with
the status that says what went wrong: 400 a bad parameter, 401 no valid token for a write, 404
nothing there, 413 too large a body, 415 a body neither JSON nor a form, 422 input that could
not be used, 429 too many requests, 503 the store did not answer. Anything else that goes
wrong is a 500 with a short message; the traceback goes to the server's log, never to the
client. Messages are bounded, since they may quote the request, and every response, errors
included, carries the security headers.
The OpenAPI document is at /api/openapi.json, with every answer's schema and the errors
each endpoint can answer; /api/docs shows it as an interactive page whose scripts the server
serves itself (FastAPI's own pages, which load theirs from a CDN, are off).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from bilateral import __version__
from bilateral.dossier import load_dossier
from bilateral.errors import BilateralError, ExtractionError, LookupFailed, StoreError
from bilateral.limits import bounded, printable
from bilateral.serve.answers import Answers, Forecasts
from bilateral.serve.cache import ResponseCache
from bilateral.serve.security import Limits, SecurityHeaders, error_response, no_nul
from bilateral.serve.settings import ServeSettings
from bilateral.serve.state import ServerState
from bilateral.store import open_store

log = logging.getLogger("bilateral.serve")


#: The top of the OpenAPI document and of /api/docs (Markdown).
DESCRIPTION = """\
Reads are open. `POST /api/documents` needs an API token, `Authorization: Bearer <token>`
(make one with `bilateral token add NAME`; to try it on this page, paste it into *Authorize*).

Every error has one shape, the `Error` schema:
`{"error": {"status": 404, "message": "...", "details": [...]}}`. A bad parameter is a 400
whose `details` name each problem (`query.limit`); 401 a write without a valid token; 404
nothing there; 413 too large a body; 415 a body neither JSON nor a form; 422 input that could
not be ingested; 429 too many requests (see `Retry-After`); 503 the store did not answer; 500
anything else.
"""


def create_app(settings: ServeSettings | None = None) -> FastAPI:
    """The application over the store the settings name (opened, and migrated, at once)."""
    from bilateral.serve import api, docs, pages

    settings = settings or ServeSettings.from_env()
    store = open_store(settings.db)
    dossier = load_dossier(settings.dossier)
    app = FastAPI(title="bilateral", version=__version__,
                  summary="Events and indicator figures of a relationship between two states, "
                          "each tied to the sentence it came from.",
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,
                  description=DESCRIPTION, openapi_tags=api.TAGS,
                  dependencies=[Depends(no_nul)])
    app.state.bilateral = ServerState(settings=settings, store=store, dossier=dossier,
                                      answers=Answers(store, dossier,
                                                      keep=settings.refresh_after_ingest),
                                      forecasts=Forecasts(store, dossier))
    app.include_router(api.router)
    app.include_router(docs.router)
    _describe_bodies(app, api.request_schemas())
    app.include_router(pages.router)
    app.mount("/static", pages.static_files(), name="static")
    _errors(app)
    # The last added runs first: the security headers wrap every answer the others make, and
    # a kept answer is sent only to a request within the limits.
    app.add_middleware(ResponseCache, store=store, max_bytes=settings.cache_bytes,
                       refreshed_elsewhere=not settings.refresh_after_ingest)
    app.add_middleware(Limits, rate_per_minute=settings.rate_limit,
                       max_body=settings.max_upload_bytes)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(SecurityHeaders)
    return app


def _describe_bodies(app: FastAPI, schemas: dict[str, Any]) -> None:
    """Add ``schemas`` to the components of ``app``'s OpenAPI document: those of a body that
    a route reads itself, which FastAPI does not collect."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()  # made once, then kept by FastAPI
        document.setdefault("components", {}).setdefault("schemas", {}).update(schemas)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def app_from_env() -> FastAPI:
    """The factory each worker of ``bilateral serve --workers N`` calls."""
    return create_app(ServeSettings.from_env())


#: Most problems listed in one error; a body of a thousand bad documents gets the first ones.
MAX_DETAILS = 20
#: Longest ``where`` or ``problem`` of one listed problem.
MAX_DETAIL_CHARS = 200


def _errors(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def bad_parameter(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        details = [{"where": bounded(".".join(str(p) for p in e.get("loc", ())),
                                     MAX_DETAIL_CHARS),
                    "problem": bounded(str(e.get("msg", "")), MAX_DETAIL_CHARS)}
                   for e in errors[:MAX_DETAILS]]
        summary = "; ".join(f"{d['where']}: {d['problem']}" for d in details[:5])
        more = f" (and {len(errors) - 5:,} more)" if len(errors) > 5 else ""
        return error_response(400, f"bad request: {summary}{more}", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_page(request):
            from bilateral.serve.pages import problem_page

            return problem_page(request, exc.status_code, bounded(str(exc.detail)))
        detail = exc.detail
        if isinstance(detail, dict):
            return error_response(exc.status_code, str(detail.get("message", "")),
                                  detail.get("rejections"), exc.headers)
        return error_response(exc.status_code, str(detail), None, exc.headers)

    @app.exception_handler(BilateralError)
    async def project_error(_request: Request, exc: BilateralError) -> JSONResponse:
        if isinstance(exc, LookupFailed):
            return error_response(404 if exc.found == 0 else 400, str(exc))
        if isinstance(exc, StoreError):  # the database, not the request
            log.error("store error: %s", exc)
            return error_response(503, str(exc))
        if isinstance(exc, ExtractionError):  # the input could not be used
            return error_response(422, str(exc))
        return error_response(400, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette re-raises the exception after this answer, so the server logs its
        # traceback; the client gets no more than that something failed.
        log.error("unexpected %s answering %s %s", type(exc).__name__, request.method,
                  printable(bounded(request.url.path, 200)))
        return error_response(500, "internal error: the server could not answer this "
                                   "request; its log has the details")


def _wants_page(request: Request) -> bool:
    """A browser asking for a page outside the API gets its errors as a page too."""
    return (not request.url.path.startswith("/api")
            and "text/html" in request.headers.get("accept", ""))

