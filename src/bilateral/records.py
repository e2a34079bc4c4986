"""Typed records that flow one way: Document -> annotated Doc -> Observation/Event -> store.

Records are frozen: a stage returns new values instead of editing what it was given.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["actual", "announced", "agreed", "target", "demanded", "proposed", "threatened"]
STATUSES: tuple[str, ...] = (
    "actual", "announced", "agreed", "target", "demanded", "proposed", "threatened",
)
Unit = Literal["percent", "percent_gdp", "usd", "usd_per_year", "count"]
UNITS: tuple[str, ...] = ("percent", "percent_gdp", "usd", "usd_per_year", "count")
PLOVER_TYPES: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
#: Event types whose source/target order carries no meaning (scored unordered).
SYMMETRIC_TYPES: frozenset[str] = frozenset({"CONSULT", "AGREE", "COOPERATE"})


def dyad(event_type: str, source: str, target: str) -> tuple[str, str]:
    """The pair of states an event is about, as events are compared: in order, except for the
    symmetric types, whose sides are sorted (a meeting of Japan and the U.S. is one meeting)."""
    if event_type in SYMMETRIC_TYPES:
        return (source, target) if source <= target else (target, source)
    return source, target


@dataclass(frozen=True)
class Document:
    """One article as ingest understood it; ``id`` is the hash of its normalised text."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD; None when unknown
    published_from: str | None = None  # "metadata" or "text"; None when unknown
    external_id: str | None = None  # the doc_id a JSONL corpus gave it
    origin: str | None = None  # path, or path:line for JSONL

    @property
    def label(self) -> str:
        """The id a user knows the document by: theirs if they gave one, else ours."""
        return self.external_id or self.id


@dataclass(frozen=True)
class Observation:
    """A number that defines the relationship, with its status, time and the quote behind it."""

    doc_id: str
    indicator: str
    value: float
    unit: str
    status: str
    when: str | None
    quote: str
    start: int  # character span of the quote in the document text
    end: int
    rule: str
    actor: str | None = None  # ISO3 of the state the value is stated by or for, if known
    note: str | None = None

    def interchange(self) -> dict[str, Any]:
        return _compact(asdict(self), drop=("doc_id",))


@dataclass(frozen=True)
class Event:
    """A PLOVER-typed action of one state towards another, with the quote behind it."""

    doc_id: str
    type: str
    source: str
    target: str
    when: str | None
    quote: str
    start: int
    end: int
    rule: str
    source_actor: str | None = None  # the name in the text that stood for the source state
    target_actor: str | None = None
    trigger: str | None = None

    def interchange(self) -> dict[str, Any]:
        return _compact(asdict(self), drop=("doc_id",))


@dataclass(frozen=True)
class Rejection:
    """Why one file or line could not be used; collected in the run report, never lost."""

    origin: str  # path, or path:line
    reason: str
    code: str  # stable short code, e.g. "empty", "binary", "bad-json"

    def __post_init__(self) -> None:
        # Whatever made it, a rejection is safe to print and to store: bounded in size (an
        # error may quote the input that caused it) and free of terminal controls.
        from bilateral.limits import bounded, printable

        object.__setattr__(self, "origin", bounded(printable(self.origin)))
        object.__setattr__(self, "reason", bounded(printable(self.reason)))


@dataclass(frozen=True)
class Provenance:
    """What made a document's records: the extractor's version and the dossier's content hash,
    stored beside each record so records made by another extractor or dossier can be told."""

    extractor_version: str | None = None
    dossier_sha256: str | None = None


@dataclass(frozen=True)
class Extraction:
    """Everything the extractor found in one document."""

    document: Document
    observations: tuple[Observation, ...] = field(default_factory=tuple)
    events: tuple[Event, ...] = field(default_factory=tuple)

    def interchange(self) -> dict[str, Any]:
        """The document as one line of the interchange format (spec v1)."""
        return {
            "doc_id": self.document.label,
            "published": self.document.published,
            "title": self.document.title,
            "observations": [o.interchange() for o in self.observations],
            "events": [e.interchange() for e in self.events],
        }


def _compact(record: dict[str, Any], drop: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in drop and not (v is None and k in
            ("actor", "note", "source_actor", "target_actor", "trigger"))}
