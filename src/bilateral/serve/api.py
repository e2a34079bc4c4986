"""The REST API under /api: documents, records and the answers computed from them.

Every parameter is declared with its type and allowed values, so FastAPI rejects a bad one
with a 400 before any query runs; values reach SQL only as bound parameters of the store's own
queries. Reads are open; ingest needs an API token (see ``security``).

Each route declares its answer's model (``schemas``), which the OpenAPI document shows and
every answer is checked against, and the errors it can answer, all in the one error shape.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError, field_validator
from starlette.datastructures import UploadFile as StarletteUpload

from bilateral.analyse.kept import KEPT_REPORTS, SIDE_REPORTS
from bilateral.errors import ExtractionError, InputError
from bilateral.forecast.models import MODELS
from bilateral.ingest.run import ingest
from bilateral.limits import bounded, printable
from bilateral.quotes import Sentence, sentence_around, sentence_for
from bilateral.records import PLOVER_TYPES
from bilateral.report.negotiations import (
    DEFAULT_MODEL,
    DEFAULT_RUNS,
    DEFAULT_SEED,
    MAX_RUNS,
)
from bilateral.report.plain import (
    claim_dict,
    dispute_dict,
    entry_dict,
    index_dict,
    revision_dict,
)
from bilateral.serve import schemas
from bilateral.serve.schemas import PloverType, errors
from bilateral.serve.security import require_token
from bilateral.serve.state import ServerState, server_state
from bilateral.store.store import record_cursor

#: The groups of endpoints in the OpenAPI document and on /api/docs.
TAGS = [
    {"name": "documents", "description": "The stored articles: list, read, search, ingest."},
    {"name": "records", "description": "Observations and events as each document states them, "
                                       "with their quotes."},
    {"name": "answers", "description": "What the records say merged across documents: current "
                                       "values, histories, disputes, the timeline, the index."},
    {"name": "negotiations", "description": "The dossier's pending negotiations, and where "
                                            "each is heading: a model's forecast beside the "
                                            "baselines, every input with its source."},
    {"name": "server", "description": "Whether the server and its store answer."},
]
# Any request may be refused for a bad parameter (a NUL in any query parameter among them),
# by the rate limit, or because the store does not answer.
router = APIRouter(prefix="/api", responses=errors(400, 429, 503, "default"))
log = logging.getLogger("bilateral.serve")

Period = Annotated[str | None, Query(pattern=r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$",
                                     description="YYYY, YYYY-MM or YYYY-MM-DD")]
State = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$", description="ISO3 code, e.g. JPN")]
Status = Literal["actual", "announced", "agreed", "target", "demanded", "proposed", "threatened"]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Indicator = Annotated[str, Query(pattern=r"^[a-z][a-z0-9_]{0,99}$")]
Reports = Annotated[int, Query(ge=0, le=10_000, description=(
    f"reports listed per claim or event, originals first, at most the {KEPT_REPORTS} kept "
    f"({SIDE_REPORTS} per side of a dispute or step of a revision); "
    "reports_total counts them all, and the records listings hold every one"))]
#: Revisions listed with a history, the most recent; /api/revisions pages through them all.
HISTORY_REVISIONS = 20
After = Annotated[str | None, Query(min_length=1, max_length=500, description=(
    "continue after this key: ``next`` of the page before"))]
DocRef = Annotated[str, Query(min_length=1, max_length=200)]
Server = Annotated[ServerState, Depends(server_state)]
Model = Literal[MODELS]  # type: ignore[valid-type]
Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description=(
    "YYYY-MM-DD: positions from the reporting published before this day; default: every "
    "report in the store"))]
Runs = Annotated[int, Query(ge=0, le=MAX_RUNS, description=(
    "Monte Carlo runs over the inputs' uncertainty for the 80% interval: 0 for none, else 2 "
    "or more"))]
Seed = Annotated[int, Query(ge=0, le=2**32 - 1, description=(
    "seed of the runs' draws: the same seed gives the same interval"))]



class NewDocument(BaseModel):
    """An article to ingest: its text and what is known about it."""

    text: str = Field(min_length=1, description="the article's text")
    title: str | None = Field(None, max_length=2000)
    url: str | None = Field(None, max_length=4000)
    source: str | None = Field(None, max_length=500, description="the outlet")
    published: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    doc_id: str | None = Field(None, max_length=200, description="your id for it")

    @field_validator("title", "url", "source", "doc_id")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        """A NUL in a field no store can keep is the client's error (400), not the store's."""
        if value is not None and "\x00" in value:
            raise ValueError("holds a NUL character")
        return value


class NewDocuments(BaseModel):
    documents: list[NewDocument] = Field(min_length=1, max_length=1000)


# --- health -------------------------------------------------------------------------------------

@router.get("/health", summary="Whether the server and its store answer",
            response_model=schemas.Health, tags=["server"])
def health(server: Server) -> dict[str, Any]:
    """Cheap on any store: it reads the runs and the marks of what the answers miss, not the
    documents."""
    version = server.store.version()
    return {"status": "ok", "store": server.store.dialect, "dossier": server.dossier.id,
            "runs": version[1], "answers_pending": server.answers.pending()}


# --- documents ----------------------------------------------------------------------------------

def _document_meta(doc: Any) -> dict[str, Any]:
    return {"id": doc.id, "label": doc.label, "title": doc.title, "url": doc.url,
            "source": doc.source, "published": doc.published, "duplicate_of": doc.duplicate_of,
            "char_count": doc.char_count}


@router.get("/documents", summary="Documents, newest publication first",
            response_model=schemas.DocumentList, tags=["documents"])
def list_documents(server: Server, limit: Limit = 50, offset: Offset = 0, after: After = None,
                   source: Annotated[str | None, Query(max_length=500)] = None,
                   since: Period = None, until: Period = None,
                   include_duplicates: bool = True) -> dict[str, Any]:
    page = server.store.documents(limit=limit, offset=offset, source=source, since=since,
                                 until=until, include_duplicates=include_duplicates,
                                 with_text=False, after=after)
    return {"items": [_document_meta(d) for d in page],
            "total": None if after is not None else page.total, "limit": limit,
            "offset": offset, "next": page.next}


@router.get("/documents/{ref}", summary="One document with its text and records",
            response_model=schemas.DocumentShown, tags=["documents"],
            responses=errors(404, e404="No document has this id, a prefix of it, or this "
                                       "corpus id."))
def show_document(server: Server, ref: str) -> dict[str, Any]:
    if not 1 <= len(ref) <= 200:
        raise HTTPException(400, "a document reference has 1 to 200 characters")
    extraction = server.store.records_for(ref)
    text = extraction.document.text
    return {"document": {**_document_meta(extraction.document), "text": text},
            "observations": [{**o.interchange(), **_sentence(_around(text, o))}
                             for o in extraction.observations],
            "events": [{**e.interchange(), **_sentence(_around(text, e))}
                       for e in extraction.events]}


def _around(text: str, record: Any) -> Sentence | None:
    found = sentence_around(text, record.start, record.end)
    return found if found is not None and found.holds(record.quote) else None


def _sentence(sentence: Sentence | None) -> dict[str, Any]:
    """The whole sentence around a record's quote, for a reader (see report_dict)."""
    if sentence is None:
        return {}
    return {"sentence": sentence.text, "mark": [sentence.start, sentence.end],
            "sentence_html": sentence.html()}


def _with_sentences(server: ServerState, rows: list[Any]) -> list[dict[str, Any]]:
    found = server.store.sentences((r.doc_id, r.start, r.end) for r in rows)
    return [{"doc_id": r.doc_id, **r.interchange(),
             **_sentence(sentence_for(r, found))} for r in rows]


@router.get("/search", summary="Full-text search over documents",
            response_model=schemas.SearchResults, tags=["documents"])
def search(server: Server, q: Annotated[str, Query(min_length=1, max_length=500)],
           limit: Annotated[int, Query(ge=1, le=200)] = 20,
           include_duplicates: bool = False) -> dict[str, Any]:
    """Near-duplicate copies are left out unless asked for: a syndicated story is one hit."""
    hits = server.store.search(q, limit=limit, include_duplicates=include_duplicates)
    return {"query": q, "items": [vars(h) for h in hits]}


_UPLOADS = (".txt", ".md", ".html", ".htm", ".jsonl")
_NEW_DOCUMENTS_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/NewDocuments"}},
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary",
                                "description": f"a {', '.join(_UPLOADS)} file"}}}},
}}}


def request_schemas() -> dict[str, Any]:
    """The schemas of the JSON body ``POST /api/documents`` takes, for the components of the
    OpenAPI document: the route reads its body itself, so FastAPI does not collect them."""
    top = NewDocuments.model_json_schema(ref_template="#/components/schemas/{model}")
    return {**top.pop("$defs", {}), "NewDocuments": top}


#: Longest form of an uploaded file's name kept for messages and origins.
MAX_NAME_CHARS = 200
#: Longest stem of the temporary file an upload is written to, in UTF-8 bytes (a file
#: system allows 255 for a whole name).
MAX_STEM_BYTES = 120
#: Rejections listed in one answer; ``rejections_total`` counts them all.
MAX_REJECTIONS = 100
#: How the documents of a JSON body are named in origins: ``request:2`` is the second.
JSON_ORIGIN = "request"


@router.post("/documents", status_code=201, dependencies=[Depends(require_token)],
             summary="Ingest articles: JSON, or an uploaded file (needs a token)",
             openapi_extra=_NEW_DOCUMENTS_BODY, response_model=schemas.IngestResult,
             tags=["documents"], responses=errors(401, 413, 415, 422))
async def add_documents(request: Request, server: Server) -> dict[str, Any]:
    """JSON ``{"documents": [{"text": ..., "title": ..., "published": "2025-07-23"}]}``, or a
    multipart form with one ``file`` (text, Markdown, HTML or JSONL). Ingest runs as the
    command line's does: stored documents are skipped, near-duplicates linked. Everything
    after reading the body runs in a worker thread, so a long extraction holds up no other
    request."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        return await run_in_threadpool(_ingest_json, server, await request.body())
    if kind == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, StarletteUpload):
            raise HTTPException(400, "send the article as a form field named 'file'")
        shown, file_name = upload_names(upload.filename)
        suffix = PurePosixPath(file_name).suffix
        if suffix not in _UPLOADS:
            raise HTTPException(400, f"cannot ingest '{shown}' (type {suffix or 'none'}): "
                                     f"upload a {', '.join(_UPLOADS)} file")
        return await run_in_threadpool(_ingest_file, server, shown, file_name,
                                       await upload.read())
    given = printable(bounded(kind, MAX_NAME_CHARS)) or "a body without a content type"
    raise HTTPException(415, f"send application/json or multipart/form-data, not {given}")


def upload_names(filename: str | None) -> tuple[str, str]:
    """How an upload is named in messages and origins (the last part of its name, printable
    and bounded), and a name for its temporary file that any file system takes (a short
    stem of word characters and '-', then the suffix in lower case). A client may send any
    name: a path, a very long one, one with NUL or control characters or undecodable bytes."""
    base = re.split(r"[/\\]", filename or "")[-1]  # a browser on Windows may send a path
    shown = bounded(printable(base), MAX_NAME_CHARS) or "upload"
    suffix = PurePosixPath(base).suffix
    stem = re.sub(r"[^\w-]+", "_", base[:len(base) - len(suffix)])
    stem = stem.encode("utf-8")[:MAX_STEM_BYTES].decode("utf-8", "ignore").strip("_")
    # longer than any type taken, so a long suffix cut short is still refused
    suffix = re.sub(r"[^.a-z0-9]+", "_", suffix.lower())[:16]
    return shown, f"{stem or 'upload'}{suffix}"


def _ingest_json(server: ServerState, body: bytes) -> dict[str, Any]:
    try:
        documents = NewDocuments.model_validate_json(body).documents
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from exc
    lines = [json.dumps(d.model_dump(exclude_none=True), ensure_ascii=False) for d in documents]
    return _ingest_file(server, JSON_ORIGIN, "documents.jsonl",
                        ("\n".join(lines) + "\n").encode("utf-8"))


def _ingest_file(server: ServerState, shown: str, file_name: str,
                 content: bytes) -> dict[str, Any]:
    """Ingest ``content`` as a file named ``file_name``. Rejections name it ``shown``, as the
    client knows it, not by the temporary path; their number and length are bounded, since
    they may quote the input. A document the extractor fails on is a 422, as a rejection is."""
    with tempfile.TemporaryDirectory(prefix="bilateral-api-") as work:
        path = Path(work) / file_name
        path.write_bytes(content)
        try:
            # one extractor per worker; spaCy pipelines are not thread-safe
            with server.ingest_lock:
                report = ingest([path], server.store, server.dossier,
                                extractor=server.extractor,
                                max_bytes=server.settings.max_upload_bytes)
        except (InputError, ExtractionError) as exc:
            log.warning("could not ingest %s: %s", shown, bounded(str(exc)))
            code = "extraction" if isinstance(exc, ExtractionError) else "input"
            raise HTTPException(422, {"message": f"could not ingest {shown}: {exc}",
                                      "rejections": [{"origin": shown, "code": code,
                                                      "reason": bounded(str(exc))}]}) from exc
    result = report.as_dict()
    rejections = [{**r, "origin": _origin(r["origin"], str(path), shown)}
                  for r in result["rejections"]]  # reasons are bounded by Rejection
    result["rejections"] = rejections[:MAX_REJECTIONS]
    result["rejections_total"] = len(rejections)
    if report.failed and not (report.documents_new or report.documents_existing):
        raise HTTPException(422, {"message": "nothing could be ingested",
                                  "rejections": result["rejections"]})
    return result


def _origin(origin: str, path: str, shown: str) -> str:
    """A rejection's origin with the temporary path replaced by the upload's name."""
    if origin.startswith(path):
        origin = shown + origin[len(path):]
    return bounded(printable(origin), MAX_NAME_CHARS + 20)


# --- records ------------------------------------------------------------------------------------

@router.get("/observations", summary="Observations with their quotes",
            response_model=schemas.ObservationList, tags=["records"],
            responses=errors(404, e404="No document matches ``doc``."))
def list_observations(server: Server, indicator: Indicator | None = None,
                      status: Status | None = None, state: State = None,
                      doc: DocRef | None = None, since: Period = None, until: Period = None,
                      limit: Limit = 100, offset: Offset = 0, after: After = None
                      ) -> dict[str, Any]:
    doc_id = server.store.get_document(doc).id if doc else None
    rows = server.store.observations(doc_id=doc_id, indicator=indicator, status=status,
                                    state=state, since=since, until=until, limit=limit,
                                    offset=offset, after=after)
    return {"items": _with_sentences(server, rows), "limit": limit, "offset": offset,
            "next": record_cursor(rows[-1]) if len(rows) == limit else None}


@router.get("/events", summary="Coded events with their quotes",
            response_model=schemas.EventList, tags=["records"],
            responses=errors(404, e404="No document matches ``doc``."))
def list_events(server: Server, type: PloverType | None = None,
                state: State = None, source: State = None,
                target: State = None, doc: DocRef | None = None, since: Period = None,
                until: Period = None, limit: Limit = 100, offset: Offset = 0,
                after: After = None) -> dict[str, Any]:
    doc_id = server.store.get_document(doc).id if doc else None
    rows = server.store.events(doc_id=doc_id, type=type, state=state, source=source,
                              target=target, since=since, until=until, limit=limit,
                              offset=offset, after=after)
    return {"items": _with_sentences(server, rows), "limit": limit, "offset": offset,
            "next": record_cursor(rows[-1]) if len(rows) == limit else None}


# --- answers ------------------------------------------------------------------------------------

@router.get("/indicators", summary="The current value of every indicator per status",
            response_model=schemas.CurrentValues, tags=["answers"])
def list_indicators(server: Server, status: Status | None = None, key: bool = False,
                    reports: Reports = 3) -> dict[str, Any]:
    return {"items": [{**claim_dict(v.claim, reports), "name": v.history.name, "key": v.history.key,
                       "disputed": v.disputed}
                      for v in server.answers.current(reports=reports)
                      if (status is None or v.status == status) and (v.history.key or not key)]}


@router.get("/indicators/{indicator_id}", summary="One indicator's history, claim by claim",
            response_model=schemas.History, tags=["answers"],
            responses=errors(404, e404="The dossier has no such indicator, or the store no "
                                       "value of it."))
def show_indicator(server: Server, indicator_id: str, since: Period = None,
                   until: Period = None, reports: Reports = 3,
                   limit: Annotated[int | None, Query(ge=1, le=10_000, description=(
                       "claims listed; every one by default"))] = None,
                   after: Annotated[int, Query(ge=-1, description=(
                       "list the claims after this position (``next`` of the page before)"
                   ))] = -1) -> dict[str, Any]:
    page = server.answers.history(indicator_id, since=since, until=until, after=after,
                                  limit=limit, reports=reports)
    if page is None:
        if server.dossier.indicator(indicator_id) is None:
            raise HTTPException(404, f"{bounded(indicator_id, 100)!r} is not an indicator of "
                                     f"the dossier {server.dossier.id}")
        raise HTTPException(404, f"no values of {indicator_id} in the store")
    history = page.items[0]
    revised = server.answers.revisions(indicator_id, limit=HISTORY_REVISIONS, reports=reports)
    return {"indicator": history.indicator, "name": history.name, "unit": history.unit,
            "key": history.key,
            "current": {status: claim_dict(claim, reports)
                        for status, claim in server.answers.current_of(indicator_id,
                                                                            reports=reports)},
            "claims": [claim_dict(c, reports) for c in history.claims],
            "claims_total": page.total, "next": None if page.after is None else int(page.after),
            "revisions": [revision_dict(r, reports) for r in revised.items],
            "revisions_total": revised.total}


@router.get("/revisions", summary="Figures a source changed over time",
            response_model=schemas.RevisionList, tags=["answers"])
def list_revisions(server: Server, indicator: Indicator | None = None,
                   limit: Limit = 100, offset: Offset = 0, after: After = None,
                   reports: Reports = 3) -> dict[str, Any]:
    found = server.answers.revisions(indicator, after=after, offset=offset, limit=limit,
                                     reports=reports)
    return {"items": [revision_dict(r, reports) for r in found.items], "total": found.total,
            "limit": limit, "offset": offset, "next": found.after}


@router.get("/disputes", summary="Where the sources disagree (revisions apart)",
            response_model=schemas.DisputeList, tags=["answers"])
def list_disputes(server: Server, indicator: Indicator | None = None,
                  limit: Limit = 100, offset: Offset = 0, after: After = None,
                  reports: Reports = 3) -> dict[str, Any]:
    found = server.answers.disputes(indicator, after=after, offset=offset, limit=limit,
                                    reports=reports)
    return {"items": [dispute_dict(d, reports) for d in found.items], "total": found.total,
            "limit": limit, "offset": offset, "next": found.after}


@router.get("/timeline", summary="Events merged across documents, in time order",
            response_model=schemas.Timeline, tags=["answers"])
def show_timeline(server: Server, state: State = None,
                  type: PloverType | None = None, since: Period = None, until: Period = None,
                  min_sources: Annotated[int, Query(ge=1, le=10_000)] = 1,
                  limit: Limit = 100, offset: Offset = 0, after: After = None,
                  reports: Reports = 3,
                  order: Literal["oldest", "newest"] = "newest") -> dict[str, Any]:
    found = server.answers.events(state=state, type=type, since=since, until=until,
                                  min_sources=min_sources, after=after, offset=offset,
                                  newest=order == "newest", limit=limit, reports=reports)
    return {"items": [entry_dict(e, reports) for e in found.items], "total": found.total,
            "limit": limit, "offset": offset, "next": found.after}


@router.get("/index", summary="Monthly cooperation–conflict index per directed dyad",
            response_model=schemas.RelationsIndex, tags=["answers"])
def relations_index(server: Server, state: State = None,
                    since: Period = None, until: Period = None,
                    dyads: Annotated[int, Query(ge=1, le=100)] = 6) -> dict[str, Any]:
    """Months count whole: a month that overlaps [since, until] counts with all its events."""
    found = server.answers.index(state=state, since=since, until=until, dyads=dyads)
    return {"weights": {t: server.dossier.index.weight(t) for t in PLOVER_TYPES},
            "items": [index_dict(d) for d in found]}



# --- negotiations -------------------------------------------------------------------------------

def _cited(report: Any) -> dict[str, Any]:
    return {"date": report.date.isoformat(), "outlet": report.outlet, "title": report.title,
            "url": report.url, "summary": report.summary}


@router.get("/negotiations", summary="The dossier's negotiations, to forecast",
            response_model=schemas.NegotiationList, tags=["negotiations"])
def list_negotiations(server: Server) -> dict[str, Any]:
    """Each issue with its scale, the status quo and, once it has ended, its outcome, as the
    dossier gives them; ``/api/negotiations/{issue_id}`` forecasts one."""
    items = []
    for issue in server.dossier.negotiations:
        outcome = issue.outcome
        items.append({
            "id": issue.id, "name": issue.name, "indicator": issue.indicator,
            "scale": {"low": issue.scale.low, "high": issue.scale.high,
                      "label": issue.scale.label},
            "status_quo": {"value": issue.status_quo,
                           "source": _cited(issue.status_quo_source)},
            "outcome": None if outcome is None else {
                "value": outcome.value, "date": outcome.date.isoformat(),
                "source": _cited(outcome.source)},
            "actors": [{"id": a.id, "name": a.name, "state": a.state} for a in issue.actors]})
    return {"items": items}


@router.get("/negotiations/{issue_id}",
            summary="Where a negotiation is heading: a model's forecast beside the baselines",
            response_model=schemas.NegotiationForecast, tags=["negotiations"],
            responses=errors(400, 404, e400="Also when the negotiation cannot be forecast as "
                                            "of the date (fewer than two bargainers have a "
                                            "position): the message says why.",
                             e404="The dossier has no negotiation with this id."))
def forecast_negotiation(server: Server, issue_id: str, model: Model = DEFAULT_MODEL,
                         as_of: Day = None, runs: Runs = DEFAULT_RUNS,
                         seed: Seed = DEFAULT_SEED) -> dict[str, Any]:
    """Positions come from the latest report before ``as_of`` that attributes one to each
    bargainer, else from the report the dossier cites; every input carries its source. The
    model plays its rounds; ``runs`` draws of the uncertain inputs give the 80% interval of
    the forecast and of each baseline. Forecasts are kept until the store changes."""
    if not 1 <= len(issue_id) <= 200:
        raise HTTPException(400, "a negotiation id has 1 to 200 characters")
    if server.dossier.negotiation(issue_id) is None:
        known = ", ".join(n.id for n in server.dossier.negotiations) or "none"
        raise HTTPException(404, f"{bounded(issue_id, 100)!r} is not a negotiation of the "
                                 f"dossier {server.dossier.id}; its negotiations: {known}")
    day = None
    if as_of is not None:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise HTTPException(400, f"as_of={as_of} is not a day of the calendar") from None
    if runs == 1:
        raise HTTPException(400, "runs=1 gives no interval: ask for 0 runs (none) or 2 to "
                                 f"{MAX_RUNS:,}")
    found = server.forecasts.get(issue_id, as_of=day, model=model, runs=runs, seed=seed)
    if found.forecast is None:
        raise HTTPException(400, found.reason or f"{issue_id} cannot be forecast")
    return found.as_json()
