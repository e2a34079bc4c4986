"""The dashboard: server-rendered pages over the same store and kept answers the API reads.

Every page reads the store and its kept answers (``server.answers``) when it is requested, so
a document ingested through the API or the command line shows without a restart.
Parameters are declared with the API's own types; a bad one gets an HTML page with status 400, a
missing document or indicator 404, never a JSON body or a traceback.

Titles, quotes and article text are untrusted. Templates escape every value, and a document's
text is highlighted by cutting it at the records' spans and escaping each piece: no article
text is ever marked safe. Pages load their scripts and styles from /static only (the security
headers forbid inline ones); chart specs travel in ``<script type="application/json">`` blocks.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from bilateral.analyse import Report
from bilateral.analyse.kept import record_key
from bilateral.errors import BilateralError, LookupFailed, StoreError
from bilateral.forecast.models import MODELS
from bilateral.records import PLOVER_TYPES, Event, Observation
from bilateral.report.charts import STATUS_COLOURS, index_chart, indicator_chart
from bilateral.report.formatting import format_value, shorten, signed, when_label
from bilateral.report.html import (
    by_indicator,
    negotiation_chart,
    safe_url,
    script_json,
    vega_bundle,
)
from bilateral.report.negotiations import (
    BASELINE_NAMES,
    DEFAULT_MODEL,
    DEFAULT_RUNS,
    DEFAULT_SEED,
    MODEL_NAMES,
    scale_number,
    scale_value,
)
from bilateral.serve.api import Day, Indicator, Model, Period, PloverType, Server, State
from bilateral.serve.state import ServerState
from bilateral.store.search import MARK_END, MARK_START

STATIC = FilePath(__file__).with_name("static")
DYADS = 6  # series of the relations index on the overview, as the API's default
LATEST_EVENTS = 15
TIMELINE_PAGE = 50
DOCUMENTS_PAGE = 50
SEARCH_RESULTS = 30

#: What a parameter should look like, for the message when it does not.
EXPECTED = {
    "since": "a date as YYYY, YYYY-MM or YYYY-MM-DD",
    "until": "a date as YYYY, YYYY-MM or YYYY-MM-DD",
    "state": "a three-letter ISO code in capitals, such as JPN",
    "type": "a PLOVER event type: " + ", ".join(PLOVER_TYPES),
    "min_sources": "a whole number from 1 to 10,000",
    "page": "a page number from 1",
    "order": "newest or oldest",
    "mark": "a span of the text as START-END, such as 120-184",
    "q": "a search of at most 500 characters",
    "indicator": "an indicator id such as us_tariff_japan_reciprocal",
    "indicator_id": "an indicator id such as us_tariff_japan_reciprocal",
    "ref": "a document id, your id for it, or an id prefix (1 to 200 characters)",
    "as_of": "a day as YYYY-MM-DD",
    "model": "a model: " + ", ".join(MODELS),
}
TITLES = {400: "Bad request", 404: "Not found", 503: "The store cannot be read"}


class PageRoute(APIRoute):
    """A route whose errors are HTML pages: a bad parameter (400), nothing there (404), a store
    that cannot be read (503). An empty form field counts as not given, so a search form
    submitted with blank filters asks for everything."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(_without_blanks(request))
            except RequestValidationError as exc:
                return problem_page(request, 400, "Some of the page's parameters cannot be used.",
                                [_explain(e) for e in exc.errors()])
            except HTTPException as exc:
                return problem_page(request, exc.status_code, str(exc.detail))
            except LookupFailed as exc:
                return problem_page(request, 404 if exc.found == 0 else 400, exc.message)
            except StoreError as exc:
                return problem_page(request, 503, exc.message)
            except BilateralError as exc:
                return problem_page(request, 400, exc.message)

        return page


router = APIRouter(include_in_schema=False, route_class=PageRoute)

Page = Annotated[int, Query(ge=1, le=100_000)]
Mark = Annotated[str | None, Query(pattern=r"^\d{1,9}-\d{1,9}$")]
IndicatorId = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,99}$")]
DocumentRef = Annotated[str, Path(min_length=1, max_length=200)]
MinSources = Annotated[int, Query(ge=1, le=10_000)]
SearchQuery = Annotated[str | None, Query(max_length=500)]


# --- static files -------------------------------------------------------------------------------

@router.get("/static/vega.js")
def vega_script() -> Response:
    """The chart libraries, served by the application itself: nothing comes from a CDN."""
    return Response(vega_bundle(), media_type="text/javascript",
                    headers={"cache-control": "public, max-age=86400"})


@router.get("/static/statuses.css")
def status_styles() -> Response:
    """Each status's colour, the same as on the charts, from the one table that defines it."""
    rules = "".join(f".s-{name} i {{ background: {colour}; }}\n"
                    for name, colour in STATUS_COLOURS.items())
    return Response(rules, media_type="text/css", headers={"cache-control": "public, max-age=3600"})


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC)


# --- pages --------------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def overview(request: Request, server: Server) -> HTMLResponse:
    answers = server.answers
    index = answers.index(dyads=DYADS)
    spec = index_chart(index)
    latest = server.store.documents(limit=1, with_text=False)
    counts = answers.counts()
    return _page(request, "overview.html", "overview",
                 stats=server.store.stats(), groups=by_indicator(answers.current()),
                 claims=counts["claims"], disputes=counts["disputes"], events=counts["events"],
                 latest_document=latest.items[0] if latest.items else None,
                 index_chart=_chart("chart-index", "Monthly score by dyad", spec),
                 dyads=index, latest=answers.events(limit=LATEST_EVENTS, total=False).items)


@router.get("/indicators/{indicator_id}", response_class=HTMLResponse)
def indicator(request: Request, server: Server, indicator_id: IndicatorId) -> HTMLResponse:
    page = server.answers.history(indicator_id)
    if page is None:
        if server.dossier.indicator(indicator_id) is None:
            raise HTTPException(404, f"{indicator_id!r} is not an indicator of the dossier "
                                     f"{server.dossier.id}.")
        raise HTTPException(404, f"The store holds no value of {indicator_id} yet.")
    history = page.items[0]
    spec = indicator_chart(history)
    current = server.answers.current_of(indicator_id)
    disputed = server.answers.disputes(indicator_id, limit=1).total
    return _page(request, "indicator.html", "indicator", history=history, current=current,
                 chart=_chart("chart-indicator", history.name, spec),
                 undated=sum(1 for c in history.claims if not c.when), disputed=disputed,
                 description=getattr(server.dossier.indicator(indicator_id), "description", ""))


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, server: Server, state: State = None,
                  type: PloverType | None = None, since: Period = None, until: Period = None,
                  min_sources: MinSources = 1, order: Literal["newest", "oldest"] = "newest",
                  page: Page = 1) -> HTMLResponse:
    first = (page - 1) * TIMELINE_PAGE
    found = server.answers.events(state=state, type=type, since=since, until=until,
                                  min_sources=min_sources, newest=order == "newest",
                                  offset=first, limit=TIMELINE_PAGE)
    pages = max(1, math.ceil(found.total / TIMELINE_PAGE))
    if page > pages:
        raise HTTPException(404, f"There is no page {page}: the timeline with these filters "
                                 f"has {pages} page{'s' if pages > 1 else ''}.")
    filters = {"state": state, "type": type, "since": since, "until": until,
               "min_sources": min_sources if min_sources > 1 else None,
               "order": order if order != "newest" else None}
    states = sorted(set(server.dossier.states) | server.answers.states())
    return _page(request, "timeline.html", "timeline",
                 entries=found.items, total=found.total,
                 first=first, filters=filters, min_sources=min_sources, order=order,
                 states_shown=states, types=PLOVER_TYPES,
                 pager=_pager("/timeline", filters, page, pages))


@router.get("/disputes", response_class=HTMLResponse)
def disputes_page(request: Request, server: Server,
                  indicator: Indicator | None = None) -> HTMLResponse:
    found = server.answers.disputes(indicator).items
    revised = server.answers.revisions(indicator).items
    return _page(request, "disputes.html", "disputes", disputes=found, revisions=revised,
                 indicator=indicator)


@router.get("/negotiations", response_class=HTMLResponse)
def negotiations_page(request: Request, server: Server, as_of: Day = None,
                      model: Model = DEFAULT_MODEL) -> HTMLResponse:
    """Where each of the dossier's negotiations is heading, from the reporting published
    before ``as_of`` (default: every report), with the brief's runs and seed."""
    day = None
    if as_of is not None:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise HTTPException(400, f"as_of={as_of} is not a day of the calendar: give a "
                                     f"day as YYYY-MM-DD.") from None
    found = [server.forecasts.get(n.id, as_of=day, model=model, runs=DEFAULT_RUNS,
                                  seed=DEFAULT_SEED) for n in server.dossier.negotiations]
    charts = {o.issue.id: _chart(f"chart-negotiation-{n}", f"{o.issue.name}: positions by "
                                                           f"round", negotiation_chart(o))
              for n, o in enumerate(found, 1) if o.forecast}
    return _page(request, "negotiations.html", "negotiations", outlooks=found, charts=charts,
                 as_of=day, model=model, models=MODELS, model_names=MODEL_NAMES,
                 baseline_names=BASELINE_NAMES, runs=DEFAULT_RUNS, seed=DEFAULT_SEED)


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, server: Server, page: Page = 1) -> HTMLResponse:
    found = server.store.documents(limit=DOCUMENTS_PAGE, offset=(page - 1) * DOCUMENTS_PAGE,
                                   with_text=False)
    pages = max(1, math.ceil(found.total / DOCUMENTS_PAGE))
    if page > pages:
        raise HTTPException(404, f"There is no page {page}: the store's documents fill "
                                 f"{pages} page{'s' if pages > 1 else ''}.")
    return _page(request, "documents.html", "documents", documents=found,
                 pager=_pager("/documents", {}, page, pages))


@router.get("/documents/{ref}", response_class=HTMLResponse)
def document_page(request: Request, server: Server, ref: DocumentRef,
                  mark: Mark = None) -> HTMLResponse:
    try:
        extraction = server.store.records_for(ref)
    except LookupFailed as exc:
        if exc.found:
            raise
        raise HTTPException(404, f"No document has the id, your id or the id prefix {ref!r}."
                            ) from exc
    doc = extraction.document
    span = _span(mark, len(doc.text)) if mark else None
    records = _records(extraction.observations, extraction.events, server)
    copied = getattr(doc, "duplicate_of", None)  # a stored document knows its original
    original = server.store.citations([copied]).get(copied) if copied else None
    return _page(request, "document.html", "document", doc=doc, records=records,
                 text=highlighted(doc.text, records, span), mark=span, original=original)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, server: Server, q: SearchQuery = None) -> HTMLResponse:
    query = (q or "").strip()
    hits = server.store.search(query, limit=SEARCH_RESULTS) if query else []
    return _page(request, "search.html", "search", q=query, searched=bool(query),
                 hits=[(h, _snippet(h.snippet)) for h in hits])


# --- the highlighted text -----------------------------------------------------------------------

@dataclass(frozen=True)
class Record:
    """One observation or event of a document as its page lists and highlights it."""

    key: str  # "o3", "e1": unique in the page
    kind: Literal["observation", "event"]
    start: int
    end: int
    label: str
    quote: str
    link: str | None  # where the analysis uses it: the claim, or the timeline entry

    @property
    def mark(self) -> str:
        return f"{self.start}-{self.end}"


def highlighted(text: str, records: Iterable[Record],
                mark: tuple[int, int] | None = None) -> Markup:
    """The text with every record's quote highlighted, and the ``mark`` span wrapped in
    ``<span id="mark">``.

    Spans overlap and cross, so the text is cut at every span boundary and each piece is
    highlighted by the records covering it (``data-r`` lists their keys): the pieces of one
    record together are exactly its quote. Each piece of text is escaped; only the tags are
    markup."""
    spans = [r for r in records if 0 <= r.start < r.end <= len(text)]
    cuts = sorted({0, len(text), *(r.start for r in spans), *(r.end for r in spans),
                   *(mark or ())})
    pieces: list[Markup] = []
    for start, end in pairwise(cuts):
        if mark and start == mark[0]:
            pieces.append(Markup('<span id="mark" class="current">'))
        covering = [r for r in spans if r.start <= start and end <= r.end]
        if covering:
            kinds = sorted({r.kind for r in covering})
            classes = " ".join(["hl", *(f"hl-{k}" for k in kinds),
                                *(["hl-many"] if len(covering) > 1 else [])])
            pieces.append(Markup('<mark class="{}" data-r="{}" title="{}">{}</mark>').format(
                classes, " ".join(r.key for r in covering),
                "; ".join(r.label for r in covering), text[start:end]))
        else:
            pieces.append(escape(text[start:end]))
        if mark and end == mark[1]:
            pieces.append(Markup("</span>"))
    return Markup("").join(pieces)


def _span(mark: str, length: int) -> tuple[int, int]:
    start, end = (int(n) for n in mark.split("-"))
    if not start < end <= length:
        raise HTTPException(400, f"mark={mark} is not a span of this document: give START-END "
                                 f"with START below END and END at most {length:,} (the "
                                 f"length of its text).")
    return start, end


def _records(observations: Iterable[Observation], events: Iterable[Event],
             server: ServerState) -> list[Record]:
    """The document's records in text order, each linked to the claim or timeline entry the
    analysis made of it."""
    observations, events = list(observations), list(events)
    claims = server.answers.claims_of(observations)
    records = []
    for n, o in enumerate(observations):
        spec = server.dossier.indicator(o.indicator)
        claim = claims.get(record_key(o.indicator, o.status, o.value, o.when))
        records.append(Record(
            key=f"o{n}", kind="observation", start=o.start, end=o.end,
            label=f"{spec.name if spec else o.indicator}: {o.status} "
                  f"{format_value(o.value, o.unit)}, {when_label(o.when)}",
            quote=o.quote,
            link=f"{indicator_url(o.indicator)}#claim-{claim}" if claim else None))
    for n, e in enumerate(events):
        link = None
        if e.when:
            link = "/timeline?" + urlencode({"type": e.type, "since": e.when, "until": e.when})
        records.append(Record(
            key=f"e{n}", kind="event", start=e.start, end=e.end,
            label=f"{e.type} {e.source}→{e.target}, {when_label(e.when)}",
            quote=e.quote, link=link))
    return sorted(records, key=lambda r: (r.start, r.end, r.key))


def _snippet(snippet: str) -> Markup:
    """A search snippet with its matched words in <mark>, the rest escaped."""
    found = re.split(f"({re.escape(MARK_START)}[^{re.escape(MARK_START + MARK_END)}]*"
                     f"{re.escape(MARK_END)})", snippet)
    return Markup("").join(
        Markup("<mark>{}</mark>").format(part[len(MARK_START):-len(MARK_END)])
        if part.startswith(MARK_START) and part.endswith(MARK_END) and len(part) > 1
        else escape(part)
        for part in found)


# --- rendering ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Chart:
    """A chart as a page places it: its container id and its spec as script-safe JSON."""

    id: str
    title: str
    json: Markup | None


def _chart(chart_id: str, title: str, spec: dict[str, Any] | None) -> Chart:
    return Chart(id=chart_id, title=title, json=Markup(script_json(spec)) if spec else None)


def _pager(path: str, filters: dict[str, Any], page: int, pages: int) -> dict[str, Any]:
    kept = {k: v for k, v in filters.items() if v is not None}

    def url(n: int) -> str:
        query = urlencode({**kept, **({"page": n} if n > 1 else {})})
        return f"{path}?{query}" if query else path
    return {"page": page, "pages": pages,
            "previous": url(page - 1) if page > 1 else None,
            "next": url(page + 1) if page < pages else None,
            "first": url(1), "last": url(pages)}


def quote_url(report: Report) -> str:
    """The document page with the report's quote highlighted and scrolled to."""
    return mark_url(report.doc.id, report.start, report.end)


def mark_url(doc_id: str, start: int, end: int) -> str:
    """The document page with the span [start, end) highlighted and scrolled to."""
    return f"{document_url(doc_id)}?mark={start}-{end}#mark"


def document_url(doc_id: str) -> str:
    return f"/documents/{quote(doc_id, safe='')}"


def indicator_url(indicator_id: str) -> str:
    return f"/indicators/{quote(indicator_id, safe='')}"


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("bilateral.serve", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(when=when_label, shorten=shorten, signed=signed,
                       value=lambda claim: format_value(claim.value, claim.unit),
                       number=lambda n: f"{n:,}")
    env.globals.update(quote_url=quote_url, document_url=document_url,
                       indicator_url=indicator_url, safe_url=safe_url, mark_url=mark_url,
                       scaled=scale_value, scale_number=scale_number)
    return env


def _page(request: Request, template: str, name: str, status: int = 200,
          **context: Any) -> HTMLResponse:
    state: ServerState = request.app.state.bilateral
    html = _environment().get_template(template).render(
        page=name, dossier=state.dossier, states=state.dossier.states,
        search=context.pop("q", ""), **context)
    return HTMLResponse(html, status_code=status)


def problem_page(request: Request, status: int, message: str,
                 details: list[str] | None = None) -> HTMLResponse:
    """An error as a page of the dashboard, for a browser rather than a program."""
    return _page(request, "error.html", "error", status=status, status_code=status,
                 title=TITLES.get(status, "Error"), message=message, details=details or [])


def _explain(error: dict[str, Any]) -> str:
    """One bad parameter in words: its name, what it was, and what it should be."""
    name = str(error.get("loc", ("", "parameter"))[-1])
    given = error.get("input")
    shown = f" = {shorten(str(given), 60)!r}" if isinstance(given, str | int) else ""
    expected = EXPECTED.get(name)
    return (f"{name}{shown}: expected {expected}" if expected
            else f"{name}{shown}: {error.get('msg', 'not valid')}")


def _without_blanks(request: Request) -> Request:
    """The request without its empty query parameters (``?state=&type=AGREE``)."""
    raw = request.scope.get("query_string", b"").decode("latin-1")
    pairs = parse_qsl(raw, keep_blank_values=True)
    if all(value for _, value in pairs):
        return request
    request.scope["query_string"] = urlencode([(k, v) for k, v in pairs if v]).encode("ascii")
    return Request(request.scope, request.receive)
