"""What the API answers, as typed dicts: the OpenAPI document is built from them, and every
answer is checked against its type before it is sent.

The handlers build plain dicts (the shapes of ``bilateral.report.plain`` that the command
line's ``--json`` prints too), so the types are TypedDicts, which pydantic validates without
making an object per record: the check costs about 3 ms a megabyte of answer.
Every type forbids keys it does not declare, so an answer can never hold a field the
documentation leaves out; a key marked ``NotRequired`` is left out when it has no value (an
observation's ``actor`` when no state is known, a record's ``sentence`` when its text is not at
hand), never sent as null.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from bilateral.records import Status, Unit

PloverType = Literal["AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT",
                     "REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE",
                     "COERCE", "ASSAULT"]
Kind = Literal["value", "time"]
Iso3 = Annotated[str, Field(description="ISO3 code of a state, such as JPN")]
Period = Annotated[str | None, Field(description="YYYY, YYYY-MM or YYYY-MM-DD; null when "
                                                 "unknown")]
Span = Annotated[tuple[int, int], Field(description="[start, end) of the quote inside "
                                                    "``sentence``")]
Total = Annotated[int, Field(description="everything that matches, over all pages")]
ReportsTotal = Annotated[int, Field(description="every report; ``reports`` lists at most the "
                                                "number asked for, originals first")]

Next = Annotated[str | None, Field(description="the key to pass as ``after`` for the next page; "
                                             "null on the last page")]

#: Each type below is closed: a key it does not declare is an error, not a silent extra.
closed = with_config(ConfigDict(extra="forbid"))


# --- errors -------------------------------------------------------------------------------------

@closed
class Problem(TypedDict):
    """One problem with a request's parameters or body."""

    where: Annotated[str, Field(description="query.NAME, path.NAME or body.FIELD")]
    problem: str


@closed
class Rejection(TypedDict):
    """An input that could not be ingested, and why."""

    origin: Annotated[str, Field(description="the uploaded file's name (with :LINE for JSONL), "
                                             "or request:N for a JSON body's Nth document")]
    code: Annotated[str, Field(description="a stable short code, such as bad-json or empty")]
    reason: str


@closed
class ErrorBody(TypedDict):
    status: Annotated[int, Field(description="the HTTP status, repeated")]
    message: Annotated[str, Field(description="what went wrong and, where it helps, what to do")]
    details: NotRequired[Annotated[list[Problem] | list[Rejection], Field(
        description="400 for a bad parameter or body: each problem; 422: each rejected input")]]


@closed
class Error(TypedDict):
    """Every error the API answers, whatever its status."""

    error: ErrorBody


# --- health and documents -----------------------------------------------------------------------

@closed
class Health(TypedDict):
    status: Literal["ok"]
    store: Annotated[str, Field(description="the store's database: sqlite or postgresql")]
    dossier: Annotated[str, Field(description="the id of the dossier the server reads with")]
    runs: Annotated[int, Field(description="ingest and re-extraction runs the store recorded")]
    answers_pending: Annotated[int, Field(description=(
        "changes written that the indicators, disputes, timeline and index do not show yet; "
        "0 once the server's refresher has caught up"))]


@closed
class DocumentMeta(TypedDict):
    id: Annotated[str, Field(description="the hash of the document's normalised text")]
    label: Annotated[str, Field(description="the id the corpus gave it, else ``id``")]
    title: str | None
    url: str | None
    source: Annotated[str | None, Field(description="the outlet")]
    published: Period
    duplicate_of: Annotated[str | None, Field(
        description="the id of the document this one is a near-copy of")]
    char_count: int


@closed
class DocumentList(TypedDict):
    items: list[DocumentMeta]
    total: Annotated[int | None, Field(description="every document that matches, over all "
                                                   "pages; null on a page asked for by key "
                                                   "(after), which does not count them again")]
    limit: int
    offset: int
    next: Next


@closed
class DocumentWithText(DocumentMeta):
    text: str


class InSentence(TypedDict):
    """The whole sentence around a record's quote; left out when the text is not at hand."""

    sentence: NotRequired[str]
    mark: NotRequired[Span]
    sentence_html: NotRequired[Annotated[str, Field(
        description="``sentence``, escaped, with the quote in <mark>")]]


class ObservationFields(TypedDict):
    indicator: str
    value: float
    unit: Unit
    status: Status
    when: Annotated[str | None, Field(description="the time the value refers to: YYYY, "
                                                  "YYYY-MM or YYYY-MM-DD")]
    quote: str
    start: Annotated[int, Field(description="character offset of the quote in the text")]
    end: int
    rule: Annotated[str, Field(description="what made the record")]
    actor: NotRequired[Annotated[str, Field(
        description="ISO3 of the state the value is stated by or for, when known")]]
    note: NotRequired[str]


class EventFields(TypedDict):
    type: PloverType
    source: Annotated[str, Field(description="ISO3 of the acting state")]
    target: Annotated[str, Field(description="ISO3 of the state acted on")]
    when: Period
    quote: str
    start: int
    end: int
    rule: str
    source_actor: NotRequired[Annotated[str, Field(
        description="the name in the text that stood for the source state")]]
    target_actor: NotRequired[str]
    trigger: NotRequired[str]


class InDocument(TypedDict):
    doc_id: Annotated[str, Field(description="the id of the document the record is in")]


@closed
class ObservationRecord(ObservationFields, InSentence):
    """An indicator value one document states, with its quote and character span."""


@closed
class EventRecord(EventFields, InSentence):
    """A coded action of one state towards another, as one document reports it."""


@closed
class DocumentShown(TypedDict):
    document: DocumentWithText
    observations: list[ObservationRecord]
    events: list[EventRecord]


@closed
class ListedObservation(InDocument, ObservationFields, InSentence):
    """An observation with the id of its document."""


@closed
class ListedEvent(InDocument, EventFields, InSentence):
    """An event with the id of its document."""


@closed
class ObservationList(TypedDict):
    items: list[ListedObservation]
    limit: int
    offset: int
    next: Next


@closed
class EventList(TypedDict):
    items: list[ListedEvent]
    limit: int
    offset: int
    next: Next


@closed
class SearchHit(TypedDict):
    doc_id: str
    title: str | None
    snippet: Annotated[str, Field(description="the matching passage, its matched words in "
                                              "[brackets]")]
    score: Annotated[float, Field(description="higher for a better match, within one answer")]
    external_id: Annotated[str | None, Field(description="the id the corpus gave it")]
    published: Period
    source: str | None


@closed
class SearchResults(TypedDict):
    query: str
    items: list[SearchHit]


@closed
class IngestResult(TypedDict):
    run_id: int | None
    documents_read: int
    documents_new: int
    documents_existing: Annotated[int, Field(description="already stored, so skipped")]
    near_duplicates: Annotated[int, Field(description="new documents linked to the original "
                                                      "they copy")]
    observations: int
    events: int
    rejections: Annotated[list[Rejection], Field(description="the first 100")]
    rejections_total: int


# --- answers ------------------------------------------------------------------------------------

@closed
class ReportOf(TypedDict):
    """One document's statement of a claim or an event."""

    doc_id: str
    label: str
    title: str | None
    outlet: str | None
    url: str | None
    published: Period
    duplicate_of: str | None
    quote: str
    start: int
    end: int
    sentence: Annotated[str, Field(description="the whole sentence around the quote (the "
                                               "quote itself when the text is not at hand)")]
    mark: Span
    sentence_html: str


@closed
class Claim(TypedDict):
    """One value of an indicator, with one status and time, merged across documents."""

    id: str
    indicator: str
    status: Status
    value: float
    unit: Unit
    when: str | None
    sources: Annotated[int, Field(description="distinct original documents (copies count "
                                              "once)")]
    outlets: list[str]
    reports_total: ReportsTotal
    reports: list[ReportOf]


@closed
class CurrentValue(Claim):
    """The value an analyst would quote today for one indicator and status."""

    name: str
    key: Annotated[bool, Field(description="a key indicator of the dossier")]
    disputed: Annotated[bool, Field(description="sources disagree on this value")]


@closed
class CurrentValues(TypedDict):
    items: list[CurrentValue]


# "from" is a Python keyword, so this one is spelled as a call.
Revision = closed(TypedDict("Revision", {
    "indicator": str,
    "name": str,
    "status": Status,
    "kind": Kind,
    "sources": int,
    "from": Annotated[Claim, Field(description="the value first stated")],
    "to": Annotated[Claim, Field(description="the value last stated")],
    "steps": Annotated[list[Claim], Field(description="every value, the oldest first")],
}))
Revision.__doc__ = "A figure one source changed over time."


@closed
class History(TypedDict):
    indicator: str
    name: str
    unit: Unit
    key: bool
    current: Annotated[dict[str, Claim], Field(description="the value to quote today, per "
                                                           "status")]
    claims: Annotated[list[Claim], Field(description="in time order, undated last")]
    claims_total: Annotated[int, Field(description="every claim of the indicator in the "
                                                   "period asked for")]
    next: Annotated[int | None, Field(description="the position to pass as ``after`` for the "
                                                  "next claims; null when none is left")]
    revisions: Annotated[list[Revision], Field(description="the 20 most recent; "
                                                           "/api/revisions lists them all")]
    revisions_total: int


@closed
class RevisionList(TypedDict):
    items: list[Revision]
    total: Total
    limit: int
    offset: int
    next: Next


@closed
class Dispute(TypedDict):
    """Sources that disagree on a value, or on when it holds."""

    indicator: str
    name: str
    status: Status
    kind: Kind
    sources: int
    sides: Annotated[list[Claim], Field(description="best sourced first")]


@closed
class DisputeList(TypedDict):
    items: list[Dispute]
    total: Total
    limit: int
    offset: int
    next: Next


@closed
class TimelineEntry(TypedDict):
    """An event merged across the documents that report it."""

    id: str
    when: str
    type: PloverType
    source: Iso3
    target: Iso3
    sources: int
    reports_total: ReportsTotal
    reports: list[ReportOf]


@closed
class Timeline(TypedDict):
    items: list[TimelineEntry]
    total: Total
    limit: int
    offset: int
    next: Next


@closed
class IndexMonth(TypedDict):
    month: Annotated[str, Field(description="YYYY-MM")]
    score: Annotated[float, Field(description="the sum of the month's event weights")]
    events: int
    cooperation: Annotated[float, Field(description="the sum of the positive weights")]
    conflict: Annotated[float, Field(description="the sum of the negative weights")]
    mean: Annotated[float | None, Field(description="the average weight; null without events")]


@closed
class DyadIndex(TypedDict):
    source: Iso3
    target: Iso3
    events: int
    score: float
    trend: Annotated[float | None, Field(description="the last three months' mean score minus "
                                                     "the three before; null with fewer months")]
    months: list[IndexMonth]


@closed
class RelationsIndex(TypedDict):
    weights: Annotated[dict[str, float], Field(description="the weight of each event type")]
    items: list[DyadIndex]


# --- negotiations -------------------------------------------------------------------------------

@closed
class Scale(TypedDict):
    """The issue's scale: positions from ``low`` to ``high``."""

    low: float
    high: float
    label: Annotated[str, Field(description="how a value reads, such as '% tariff'")]


@closed
class CitedReport(TypedDict):
    """A dated report the dossier cites, with the analyst's summary of what it says."""

    date: Annotated[str, Field(description="YYYY-MM-DD")]
    outlet: str | None
    title: str | None
    url: str | None
    summary: str


@closed
class DossierValue(TypedDict):
    value: Annotated[float, Field(description="on the issue's scale")]
    source: CitedReport


@closed
class KnownOutcome(TypedDict):
    value: Annotated[float, Field(description="on the issue's scale")]
    date: Annotated[str, Field(description="YYYY-MM-DD, the day it was settled")]
    source: CitedReport


@closed
class Bargainer(TypedDict):
    id: str
    name: str
    state: Iso3


@closed
class Negotiation(TypedDict):
    """A negotiation of the dossier that can be forecast."""

    id: str
    name: str
    indicator: Annotated[str, Field(description="the catalogue indicator the scale measures")]
    scale: Scale
    status_quo: Annotated[DossierValue, Field(
        description="the value in force as the dossier gives it; a forecast takes the store's "
                    "latest value in force instead when there is one")]
    outcome: Annotated[KnownOutcome | None, Field(description="how it ended; null while "
                                                              "pending")]
    actors: Annotated[list[Bargainer], Field(description="the bodies that bargain over it")]


@closed
class NegotiationList(TypedDict):
    items: list[Negotiation]


@closed
class IssueRef(TypedDict):
    id: str
    name: str
    indicator: str
    scale: Scale


@closed
class PositionSource(TypedDict):
    """Where a value came from: a stored quote (``kind`` store: the document, the quote and
    its span) or a report the dossier cites (``kind`` dossier: outlet, title, URL, summary).
    Keys without a value are left out."""

    kind: Literal["store", "dossier"]
    value: Annotated[float, Field(description="on the issue's scale")]
    date: NotRequired[Annotated[str, Field(description="the report's publication day, "
                                                       "YYYY-MM-DD")]]
    status: NotRequired[Status]
    quote: NotRequired[str]
    doc_id: NotRequired[Annotated[str, Field(description="the stored document's id")]]
    start: NotRequired[Annotated[int, Field(description="the quote's offset in the text")]]
    end: NotRequired[int]
    outlet: NotRequired[str]
    title: NotRequired[str]
    url: NotRequired[str]
    summary: NotRequired[str]


@closed
class ForecastInput(TypedDict):
    """One bargainer as the forecast takes it."""

    actor: str
    id: str
    state: Iso3
    capability: float
    salience: Annotated[float, Field(description="0 to 1")]
    position: Annotated[float, Field(description="on the issue's scale")]
    source: PositionSource


@closed
class ForecastRound(TypedDict):
    round: Annotated[int, Field(description="0 holds the starting positions")]
    median: float
    mean: float
    positions: Annotated[dict[str, float], Field(description="each bargainer's position")]


@closed
class BaselineValues(TypedDict):
    """Where the bargainers would settle without bargaining, by three rules."""

    weighted_mean: Annotated[float, Field(description="Σ cᵢsᵢxᵢ / Σ cᵢsᵢ")]
    weighted_median: Annotated[float, Field(description="the median with capability × "
                                                        "salience as votes")]
    capability_mean: Annotated[float, Field(description="Σ cᵢxᵢ / Σ cᵢ")]


@closed
class Band(TypedDict):
    median: float
    low: Annotated[float, Field(description="the 10th percentile of the runs")]
    high: Annotated[float, Field(description="the 90th percentile of the runs")]


@closed
class BaselineBands(TypedDict):
    weighted_mean: Band
    weighted_median: Band
    capability_mean: Band


@closed
class ForecastInterval(TypedDict):
    """The spread over runs that draw each input within its uncertainty."""

    runs: int
    seed: int | None
    level: Annotated[float, Field(description="0.8: from the 10th to the 90th percentile")]
    forecast: Band
    baselines: BaselineBands


@closed
class NegotiationForecast(TypedDict):
    """A model's forecast of one negotiation from the reporting published before ``as_of``."""

    model: str
    scenario: str
    dimensions: list[str]
    rounds: list[ForecastRound]
    forecast: Annotated[float, Field(description="the model's final median position")]
    baselines: BaselineValues
    interval: Annotated[ForecastInterval | None, Field(description="null with runs=0")]
    issue: IssueRef
    as_of: Annotated[str | None, Field(description="YYYY-MM-DD; null: every report")]
    status_quo: PositionSource
    inputs: list[ForecastInput]
    without_position: Annotated[list[str], Field(
        description="bargainers with no position reported before the date, left out")]


# --- the errors each endpoint documents ---------------------------------------------------------

_LIMIT = "Input should be greater than or equal to 1"
#: Each status an endpoint may answer with an error: what it means, and an example answer.
ERRORS: dict[int | str, tuple[str, ErrorBody]] = {
    400: ("A bad parameter or body: a wrong type, a value out of range or not among those "
          "allowed, a NUL character, a document prefix that matches more than one document. "
          "``details`` names each problem (query.NAME, path.NAME or body.FIELD).",
          {"status": 400, "message": f"bad request: query.limit: {_LIMIT}",
           "details": [{"where": "query.limit", "problem": _LIMIT}]}),
    401: ("No valid API token: send ``Authorization: Bearer <token>`` with a token made by "
          "``bilateral token add``.",
          {"status": 401, "message": "the API token is not valid (unknown or revoked)"}),
    404: ("Not found.",
          {"status": 404, "message": "[B410] no document with id, external id or id prefix "
                                     "'9f2c41' in the store news.db"}),
    413: ("The request body is larger than the server takes (``--max-upload-bytes``).",
          {"status": 413, "message": "the request body has 6,291,456 bytes; the limit is "
                                     "5,000,000"}),
    415: ("The body is neither application/json nor multipart/form-data.",
          {"status": 415, "message": "send application/json or multipart/form-data, not "
                                     "text/plain"}),
    422: ("Nothing in the body could be ingested: ``details`` lists each rejected input with "
          "its code and reason. (When only some inputs are rejected, the answer is a 201 "
          "that lists them.)",
          {"status": 422, "message": "nothing could be ingested",
           "details": [{"origin": "request:1", "code": "empty",
                        "reason": "empty: the article has no text"}]}),
    429: ("Too many requests from this address (``--rate-limit``): ``Retry-After`` says how "
          "many seconds to wait.",
          {"status": 429, "message": "too many requests from 192.0.2.7: the limit is 600 a "
                                     "minute; retry in 2 s"}),
    503: ("The store did not answer.",
          {"status": 503, "message": "[B400] reading documents failed in the store "
                                     "postgresql://team@db/bilateral: connection refused"}),
    "default": ("Any other failure: a 500 when the server could not answer (its log has the "
                "details), a 405 for a method the path does not take.",
                {"status": 500, "message": "internal error: the server could not answer this "
                                           "request; its log has the details"}),
}
_HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
}


def errors(*codes: int | str, **notes: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for ``codes``, each in the one error shape with an example;
    ``notes`` (``e404="..."``) say what a status means at one endpoint. Declaring ``default``
    also keeps FastAPI from documenting the 422 it would for a bad parameter: this API
    answers 400."""
    found: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        description, example = ERRORS[code]
        note = notes.get(f"e{code}")
        found[code] = {
            "model": Error,
            "description": description if note is None else f"{description} {note}",
            "content": {"application/json": {"example": {"error": example}}},
            **({"headers": _HEADERS[code]} if code in _HEADERS else {})}
    return found
