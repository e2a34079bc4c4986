"""Exports: the store's records and the analysis's answers as tables that other tools read
(CSV, JSON Lines, Parquet), one file per table.

    with open_store("sqlite:///news.db") as store:
        export(store, "events", "events.parquet", format="parquet")
        export(store, "events", "polecat.csv", format="csv", layout="polecat",
               dossier=load_dossier("us-japan"))
        export_all(store, "out/", format="parquet", dossier=load_dossier("us-japan"))

Why in ``report``: an export is a sink at the end of the one-way flow, beside the brief and the
API. Three of its tables (claims, timeline, index) are answers of ``bilateral.analyse``, so it
comes after the analysis; it only reads, and nothing upstream depends on it.

Every table has one schema (``columns``), the same in every format and written out in
``docs/exports.md``: strings, 64-bit integers and floats, booleans, dates and UTC timestamps,
any of them empty where the store has no value. A time the text gave as a year or a month
("2025", "2025-07") is kept as written and also given as the first and last day of that period,
so that date arithmetic needs no parsing.

Rows are read and written a batch at a time: documents a hundred at a time in id order
(``Store.document_batches``), observations and events document by document in that order
(``Store.observations``/``Store.events`` with the document as a filter, an indexed query each),
so a store of any size is never held in memory at once and the time an export takes grows in
proportion to the store. Claims, the timeline and the index are merged across all their
records by the analysis before the first row exists; they are written in batches too. A file
appears whole or not at all, and only when the store did not change while it was read
(``Store.version``): an export never mixes the states before and after an ingest.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from bilateral.errors import InputError, ReportError, StoreError
from bilateral.records import Event, Observation

if TYPE_CHECKING:  # the store and the analysis are imported when a table is read
    from bilateral.dossier import Dossier
    from bilateral.store import Store, StoredDocument

__all__ = [
    "APPLIES", "BATCH_ROWS", "FORMATS", "LAYOUTS", "NEEDS_DOSSIER", "POLECAT_EVENTS", "SECTORS",
    "SUFFIXES", "TABLES", "Column", "ExportResult", "Filters", "arrow_schema", "batches",
    "check_all", "check_filters", "check_format", "check_table", "columns", "export",
    "export_all", "format_of", "unsupported",
]

TABLES = ("documents", "observations", "events", "claims", "timeline", "index")
FORMATS = ("csv", "jsonl", "parquet")
#: ``plain``: the store's own columns; ``polecat``: events in the columns of the POLECAT
#: event data set (PLOVER-coded), for tools written for it.
LAYOUTS = ("plain", "polecat")
SUFFIXES = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}
#: Rows written at a time (a Parquet row group).
BATCH_ROWS = 1000
#: Documents read from the store at a time, texts included.
DOCUMENTS_READ = 100

ColumnType = Literal["string", "int64", "float64", "bool", "date", "timestamp"]


@dataclass(frozen=True)
class Column:
    """One column of an export: its name, type, whether it may be empty, and what it means."""

    name: str
    type: ColumnType
    meaning: str
    nullable: bool = True


@dataclass(frozen=True)
class Filters:
    """Which rows to export; ``since``/``until`` (YYYY, YYYY-MM or YYYY-MM-DD) keep rows whose
    time overlaps the period, as the listing commands do. Each table takes the filters of
    ``APPLIES``."""

    since: str | None = None
    until: str | None = None
    indicator: str | None = None
    status: str | None = None
    type: str | None = None
    state: str | None = None

    def given(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


#: The filters each table takes.
APPLIES: dict[str, frozenset[str]] = {
    "documents": frozenset({"since", "until"}),
    "observations": frozenset({"since", "until", "indicator", "status", "state"}),
    "events": frozenset({"since", "until", "type", "state"}),
    "claims": frozenset({"since", "until", "indicator", "status"}),
    "timeline": frozenset({"since", "until", "type", "state"}),
    "index": frozenset({"since", "until", "state"}),
}
#: Tables read with the dossier (names of indicators, index weights, actors).
NEEDS_DOSSIER = frozenset({"claims", "index"})


@dataclass(frozen=True)
class ExportResult:
    table: str
    layout: str
    format: str
    rows: int
    path: Path | None  # None when written to a stream


# ----------------------------------------------------------------------------- schemas


def _period(name: str, what: str, nullable: bool = True) -> tuple[Column, ...]:
    return (
        Column(name, "string", f"{what}, as precisely as it is known: YYYY, YYYY-MM or "
                               f"YYYY-MM-DD", nullable),
        Column(f"{name}_start", "date", f"first day of `{name}`", nullable),
        Column(f"{name}_end", "date", f"last day of `{name}`", nullable),
    )


_SPAN = (
    Column("quote", "string", "the words of the text the record was read from", False),
    Column("start", "int64", "character offset of the quote in the document's text", False),
    Column("end", "int64", "character offset just after the quote", False),
    Column("rule", "string", "the rule (or trained decision) that made the record", False),
)

_SCHEMAS: dict[str, tuple[Column, ...]] = {
    "documents": (
        Column("id", "string", "bilateral's id: a hash of the normalised text", False),
        Column("external_id", "string", "the `doc_id` the corpus gave the document"),
        Column("title", "string", "headline"),
        Column("source", "string", "outlet"),
        Column("url", "string", "address of the article"),
        *_period("published", "publication date"),
        Column("published_from", "string", "where the date came from: `metadata` or `text`"),
        Column("origin", "string", "the file (and line, for JSONL) it was ingested from"),
        Column("duplicate_of", "string", "id of the document this one is a near-copy of"),
        Column("similarity", "float64", "similarity to `duplicate_of` (0 to 1)"),
        Column("char_count", "int64", "characters of text", False),
        Column("ingested_at", "timestamp", "when it was stored (UTC)", False),
        Column("run_id", "int64", "the ingest run that stored it"),
        Column("text", "string", "the normalised text that offsets point into", False),
    ),
    "observations": (
        Column("id", "string", "the record's stable id (a hash of its content)", False),
        Column("doc_id", "string", "the document it was read from (`documents.id`)", False),
        Column("indicator", "string", "indicator id from the dossier's catalogue", False),
        Column("value", "float64", "the value in the indicator's unit (15% is 15.0, "
                                   "$550bn is 550000000000.0)", False),
        Column("unit", "string", "percent, percent_gdp, usd, usd_per_year or count", False),
        Column("status", "string", "actual, announced, agreed, target, demanded, proposed or "
                                   "threatened", False),
        *_period("when", "the time the value refers to"),
        Column("actor", "string", "ISO3 code of the state the value is stated by or for"),
        *_SPAN,
        Column("note", "string", "what the extractor noted about the record"),
    ),
    "events": (
        Column("id", "string", "the record's stable id (a hash of its content)", False),
        Column("doc_id", "string", "the document it was read from (`documents.id`)", False),
        Column("type", "string", "PLOVER event type, e.g. CONSULT", False),
        Column("source", "string", "ISO3 code of the state that acts", False),
        Column("target", "string", "ISO3 code of the state acted on", False),
        *_period("when", "when the event happened (or is to happen)"),
        Column("source_actor", "string", "the words of the text that named the source"),
        Column("target_actor", "string", "the words of the text that named the target"),
        Column("trigger", "string", "the words that made it an event of its type"),
        *_SPAN,
    ),
    "claims": (
        Column("id", "string", "the claim's stable id (indicator, status, value, time)", False),
        Column("indicator", "string", "indicator id", False),
        Column("indicator_name", "string", "the indicator's name in the dossier", False),
        Column("key", "bool", "one of the dossier's key indicators", False),
        Column("status", "string", "actual, announced, agreed, target, demanded, proposed or "
                                   "threatened", False),
        Column("value", "float64", "the value in the indicator's unit", False),
        Column("unit", "string", "percent, percent_gdp, usd, usd_per_year or count", False),
        *_period("when", "the time the value refers to, merged across reports"),
        Column("sources", "int64", "distinct original documents behind the claim "
                                   "(near-duplicate copies count once)", False),
        Column("reports", "int64", "observations merged into the claim", False),
        Column("last_reported", "string", "latest publication date among its reports"),
        Column("current", "bool", "the current value of its indicator for its status, as "
                                  "`bilateral indicators` shows it", False),
        Column("disputed", "bool", "a side of a dispute `bilateral disputes` lists", False),
        Column("doc_id", "string", "the document of the report shown first (originals "
                                   "first, the earliest first)", False),
        Column("quote", "string", "that report's quote", False),
    ),
    "timeline": (
        Column("id", "string", "the entry's stable id (type, states, date)", False),
        *_period("when", "when the event happened, merged across reports", nullable=False),
        Column("type", "string", "PLOVER event type", False),
        Column("source", "string", "ISO3 code of the state that acts (for CONSULT, AGREE and "
                                   "COOPERATE, the first in alphabetical order)", False),
        Column("target", "string", "ISO3 code of the state acted on", False),
        Column("sources", "int64", "distinct original documents reporting the event", False),
        Column("reports", "int64", "event records merged into the entry", False),
        Column("doc_id", "string", "the document of the report shown first", False),
        Column("quote", "string", "that report's quote", False),
    ),
    "index": (
        Column("source", "string", "ISO3 code of the state that acts", False),
        Column("target", "string", "ISO3 code of the state acted on", False),
        Column("month", "string", "YYYY-MM", False),
        Column("month_start", "date", "first day of the month", False),
        Column("score", "float64", "sum of the dossier's PLOVER weights of the month's "
                                   "events: above zero cooperation, below conflict", False),
        Column("events", "int64", "timeline entries in the month", False),
        Column("cooperation", "float64", "sum of the positive weights", False),
        Column("conflict", "float64", "sum of the negative weights (zero or below)", False),
        Column("mean", "float64", "score divided by events: the month's tone whatever the "
                                  "volume; empty without events"),
    ),
}

_NOT_STORED = "not recorded by bilateral: always empty"


def _empty(name: str, kind: ColumnType = "string") -> Column:
    return Column(name, kind, _NOT_STORED)


def _party(role: str, side: str) -> tuple[Column, ...]:
    """The POLECAT columns of the actor (``role`` Actor) or the recipient (Recipient)."""
    return (
        Column(f"{role} Name", "string", f"the {side}: the dossier's actor the text named, "
                                         f"else the state's name"),
        Column(f"{role} Country", "string", f"ISO3 code of the state of the {side}", False),
        _empty(f"{role} COW", "int64"),
        Column(f"Primary {role} Sector", "string",
               "CAMEO/PLOVER sector code from the dossier actor's kind: GOV (ministry, "
               "agency), LEG (legislature), MIL (military), BUS (company); empty for "
               "people, parties, organisations and states"),
        Column(f"{role} Sectors", "string", f"the same code as Primary {role} Sector"),
        Column(f"{role} Title", "string",
               "the actor's title in the dossier on the publication date"),
        Column(f"{role} Name Raw", "string", f"the words of the text that named the {side}"),
        _empty(f"Wikipedia {role} ID"),
    )


POLECAT_EVENTS: tuple[Column, ...] = (
    Column("Event ID", "string", "the event record's stable id (`events.id`)", False),
    Column("Event Date", "date", "the day of the event, when the text gave the day; see "
                                 "Event Period"),
    Column("Event Type", "string", "PLOVER event type", False),
    _empty("Event Mode"),
    _empty("Intensity", "float64"),
    _empty("Quad Code"),
    _empty("Contexts"),
    *_party("Actor", "source"),
    *_party("Recipient", "target"),
    _empty("Placename"),
    _empty("City"),
    _empty("District"),
    _empty("Province"),
    _empty("Country"),
    _empty("Latitude", "float64"),
    _empty("Longitude", "float64"),
    _empty("GeoNames ID", "int64"),
    _empty("Raw Placename"),
    _empty("Feature Type"),
    Column("Source", "string", "the outlet that published the story"),
    Column("Publication Date", "date", "the story's publication day, when known to the day"),
    _empty("Story People"),
    _empty("Story Organizations"),
    _empty("Story Locations"),
    _empty("Language"),
    _empty("Version"),
    Column("Story ID", "string", "the document the event was read from (`documents.id`)",
           False),
    Column("Headline", "string", "the story's headline"),
    Column("Event Text", "string", "the words of the text the event was read from", False),
    Column("Event Period", "string", "when the event happened, as precisely as it is known: "
                                     "YYYY, YYYY-MM or YYYY-MM-DD"),
)
#: POLECAT columns bilateral adds after the data set's own (its coder's names for them).
POLECAT_EXTENSIONS = ("Story ID", "Headline", "Event Text", "Event Period")

#: CAMEO/PLOVER sector codes for the dossier's actor kinds that name one sector.
SECTORS = {"ministry": "GOV", "agency": "GOV", "legislature": "LEG", "military": "MIL",
           "company": "BUS"}


def columns(table: str, layout: str = "plain") -> tuple[Column, ...]:
    """The columns of ``table`` in ``layout``, in file order."""
    check_table(table, layout)
    return POLECAT_EVENTS if layout == "polecat" else _SCHEMAS[table]


# ----------------------------------------------------------------------------- checks


def check_table(table: str, layout: str = "plain") -> None:
    if table not in TABLES:
        raise InputError(f"no table {table!r} to export; the tables are {', '.join(TABLES)}")
    if layout not in LAYOUTS:
        raise InputError(f"no layout {layout!r}; use {' or '.join(LAYOUTS)}")
    if layout == "polecat" and table != "events":
        raise InputError(f"the polecat layout is a layout of events, not of {table}")


def check_format(format: str) -> None:
    if format not in FORMATS:
        raise InputError(f"no export format {format!r}; use one of {', '.join(FORMATS)}")


def format_of(path: str | os.PathLike[str]) -> str | None:
    """The format a file name's suffix names (``.csv``, ``.jsonl``, ``.parquet``), if any."""
    suffix = Path(path).suffix.lower()
    return next((f for f, s in SUFFIXES.items() if s == suffix), None)


def unsupported(table: str, filters: Filters) -> list[str]:
    """The filters given that ``table`` does not take."""
    return [name for name in filters.given() if name not in APPLIES[table]]


def check_filters(table: str, filters: Filters) -> None:
    """Refuse a filter that ``table`` does not take, and a period that ends before it begins."""
    from bilateral.analyse.periods import check, first_day, last_day

    wrong = unsupported(table, filters)
    if wrong:
        takers = [t for t in TABLES if set(wrong) <= APPLIES[t]]
        raise InputError(f"{table} cannot be filtered by {', '.join(wrong)}"
                         + (f"; {', '.join(takers)} can" if takers else ""))
    for name in ("since", "until"):
        value = getattr(filters, name)
        if value is not None:
            check(value, name)
    if filters.since and filters.until and \
            first_day(filters.since) > last_day(filters.until):
        raise InputError(f"since {filters.since} is after until {filters.until}")


def check_all(filters: Filters) -> None:
    """Every table at once takes the filters every table takes: since and until."""
    shared = set.intersection(*(set(APPLIES[t]) for t in TABLES))
    extra = sorted(set(filters.given()) - shared)
    if extra:
        raise InputError(f"every table at once can be filtered by {' and '.join(sorted(shared))}"
                         f" only, not {', '.join(extra)}; export the tables one by one to "
                         f"filter them further")
    check_filters("documents", filters)


# ----------------------------------------------------------------------------- rows


def batches(store: Store, table: str, *, layout: str = "plain", dossier: Dossier | None = None,
            filters: Filters = Filters(), size: int = BATCH_ROWS
            ) -> Iterator[list[dict[str, Any]]]:
    """The rows of ``table``, ``size`` at a time, each a dict keyed by ``columns(table)``'s
    names with Python values (str, int, float, bool, date, datetime or None). The arguments
    are checked at once; the store is read as the batches are taken."""
    check_table(table, layout)
    check_filters(table, filters)
    if size < 1:
        raise InputError(f"batch size must be at least 1, not {size}")
    if dossier is None and (table in NEEDS_DOSSIER or layout == "polecat"):
        raise InputError(f"exporting {table}{' as polecat' if layout == 'polecat' else ''} "
                         f"needs the dossier: pass dossier=load_dossier(...)")
    return _batches(store, table, layout, dossier, filters, size)


def _batches(store: Store, table: str, layout: str, dossier: Dossier | None, f: Filters,
             size: int) -> Iterator[list[dict[str, Any]]]:
    if table == "documents":
        rows: Iterable[dict[str, Any]] = (
            _document_row(d) for page in store.document_batches(DOCUMENTS_READ)
            for d in page if _overlaps(d.published, f))
    elif table == "observations":
        rows = (_observation_row(o) for _, found in _by_document(store, lambda doc_id: (
            store.observations(doc_id=doc_id, indicator=f.indicator, status=f.status,
                               state=f.state, since=f.since, until=f.until))) for o in found)
    elif table == "events":
        records = _by_document(store, lambda doc_id: store.events(
            doc_id=doc_id, type=f.type, state=f.state, since=f.since, until=f.until))
        if layout == "polecat":
            assert dossier is not None
            parties = _Parties(dossier)
            rows = (_polecat_row(e, doc, parties) for doc, found in records for e in found)
        else:
            rows = (_event_row(e) for _, found in records for e in found)
    elif table == "claims":
        assert dossier is not None
        rows = _claim_rows(store, dossier, f)
    elif table == "timeline":
        rows = _timeline_rows(store, f)
    else:
        assert dossier is not None
        rows = _index_rows(store, dossier, f)
    yield from _rebatch(rows, size)


def _by_document(store: Store, records: Callable[[str], list[Any]]
                 ) -> Iterator[tuple[StoredDocument, list[Any]]]:
    """Each document (in id order, ``DOCUMENTS_READ`` at a time) with its records, read by
    the store's listing with the document as a filter: one indexed query per document, so
    the time grows with the store, not with its square as paging by offset would."""
    for page in store.document_batches(DOCUMENTS_READ):
        for doc in page:
            found = records(doc.id)
            if found:
                yield doc, found


def _rebatch(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _overlaps(period: str | None, f: Filters) -> bool:
    from bilateral.analyse.periods import overlaps

    if f.since is None and f.until is None:
        return True
    return period is not None and overlaps(period, f.since, f.until)


def _bounds(name: str, period: str | None) -> dict[str, Any]:
    from bilateral.analyse.periods import first_day, last_day

    return {name: period, f"{name}_start": first_day(period) if period else None,
            f"{name}_end": last_day(period) if period else None}


def _day(period: str | None) -> date | None:
    """A date for a period given to the day, else None (a month is no day)."""
    return date.fromisoformat(period) if period and len(period) == 10 else None


def _document_row(d: StoredDocument) -> dict[str, Any]:
    return {"id": d.id, "external_id": d.external_id, "title": d.title, "source": d.source,
            "url": d.url, **_bounds("published", d.published),
            "published_from": d.published_from, "origin": d.origin,
            "duplicate_of": d.duplicate_of, "similarity": d.similarity,
            "char_count": d.char_count, "ingested_at": d.ingested_at, "run_id": d.run_id,
            "text": d.text}


def _observation_row(o: Observation) -> dict[str, Any]:
    from bilateral.store import observation_id

    return {"id": observation_id(o), "doc_id": o.doc_id, "indicator": o.indicator,
            "value": float(o.value), "unit": o.unit, "status": o.status,
            **_bounds("when", o.when), "actor": o.actor, "quote": o.quote, "start": o.start,
            "end": o.end, "rule": o.rule, "note": o.note}


def _event_row(e: Event) -> dict[str, Any]:
    from bilateral.store import event_id

    return {"id": event_id(e), "doc_id": e.doc_id, "type": e.type, "source": e.source,
            "target": e.target, **_bounds("when", e.when), "source_actor": e.source_actor,
            "target_actor": e.target_actor, "trigger": e.trigger, "quote": e.quote,
            "start": e.start, "end": e.end, "rule": e.rule}


def _claim_rows(store: Store, dossier: Dossier, f: Filters) -> Iterator[dict[str, Any]]:
    from bilateral.analyse import disputes, histories

    found = histories(store, dossier, indicator=f.indicator, since=f.since, until=f.until)
    disputed = {c.id for d in disputes(found) for c in d.claims}
    for history in found:
        current = {c.id for s in history.statuses() if (c := history.current(s)) is not None}
        for claim in history.claims:
            if f.status is not None and claim.status != f.status:
                continue
            first = claim.quote
            yield {"id": claim.id, "indicator": claim.indicator,
                   "indicator_name": history.name, "key": history.key,
                   "status": claim.status, "value": float(claim.value), "unit": claim.unit,
                   **_bounds("when", claim.when), "sources": claim.sources,
                   "reports": len(claim.reports), "last_reported": claim.last_reported or None,
                   "current": claim.id in current, "disputed": claim.id in disputed,
                   "doc_id": first.doc.id, "quote": first.quote}


def _timeline_rows(store: Store, f: Filters) -> Iterator[dict[str, Any]]:
    from bilateral.analyse import timeline

    for entry in timeline(store, state=f.state, type=f.type, since=f.since, until=f.until):
        first = entry.quote
        yield {"id": entry.id, **_bounds("when", entry.when), "type": entry.type,
               "source": entry.source, "target": entry.target, "sources": entry.sources,
               "reports": len(entry.reports), "doc_id": first.doc.id, "quote": first.quote}


def _index_rows(store: Store, dossier: Dossier, f: Filters) -> Iterator[dict[str, Any]]:
    from bilateral.analyse import relations_index
    from bilateral.analyse.periods import first_day

    for dyad in relations_index(store, dossier, state=f.state, since=f.since, until=f.until):
        for m in dyad.months:
            yield {"source": dyad.source, "target": dyad.target, "month": m.month,
                   "month_start": first_day(m.month), "score": float(m.score),
                   "events": m.events, "cooperation": float(m.cooperation),
                   "conflict": float(m.conflict),
                   "mean": None if m.mean is None else float(m.mean)}


class _Parties:
    """Who the words naming an event's source or target stand for, read with the extractor's
    own name matcher over the dossier's states, actors and the world gazetteer."""

    def __init__(self, dossier: Dossier) -> None:
        from bilateral.extract.actors import ActorStage

        self.stage = ActorStage(dossier)
        self.states = {**dossier.gazetteer_states, **dossier.states}

    def describe(self, role: str, raw: str | None, state: str,
                 published: str | None) -> dict[str, Any]:
        """The POLECAT columns of one party (``role`` is Actor or Recipient)."""
        from bilateral.extract.actors import published_day

        name = self.states[state].name if state in self.states else None
        title = sector = None
        actor = self._actor(raw)
        if actor is not None:
            name = actor.name
            sector = SECTORS.get(actor.kind)
            day = published_day(published)
            role_then = actor.role_on(day) if day else None
            title = role_then.title if role_then else None
        return {f"{role} Name": name, f"{role} Country": state, f"{role} COW": None,
                f"Primary {role} Sector": sector, f"{role} Sectors": sector,
                f"{role} Title": title, f"{role} Name Raw": raw,
                f"Wikipedia {role} ID": None}

    def _actor(self, raw: str | None) -> Any:
        """The dossier actor that the whole of ``raw`` names, if it names one."""
        if not raw:
            return None
        for start, end, ref in self.stage.matcher.finditer(raw):
            kind, _, key = ref.partition(":")
            if kind == "actor" and start == 0 and end == len(raw):
                return self.stage.actors[key]
        return None


def _polecat_row(e: Event, doc: StoredDocument, parties: _Parties) -> dict[str, Any]:
    from bilateral.store import event_id

    row: dict[str, Any] = {c.name: None for c in POLECAT_EVENTS}
    row.update({"Event ID": event_id(e), "Event Date": _day(e.when), "Event Type": e.type,
                **parties.describe("Actor", e.source_actor, e.source, doc.published),
                **parties.describe("Recipient", e.target_actor, e.target, doc.published),
                "Source": doc.source, "Publication Date": _day(doc.published),
                "Story ID": e.doc_id, "Headline": doc.title, "Event Text": e.quote,
                "Event Period": e.when})
    return row


# ----------------------------------------------------------------------------- writers


def _cell(value: Any) -> str:
    """A CSV cell: empty for no value, ISO 8601 for dates and times, true/false, and floats
    written so that reading them back gives the same number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _write_csv(rows: Iterable[list[dict[str, Any]]], cols: tuple[Column, ...],
               stream: TextIO) -> int:
    writer = csv.writer(stream)
    names = [c.name for c in cols]
    writer.writerow(names)
    written = 0
    for batch in rows:
        writer.writerows([_cell(row[n]) for n in names] for row in batch)
        written += len(batch)
    return written


def _write_jsonl(rows: Iterable[list[dict[str, Any]]], cols: tuple[Column, ...],
                 stream: TextIO) -> int:
    names = [c.name for c in cols]
    written = 0
    for batch in rows:
        stream.writelines(json.dumps({n: _json_value(row[n]) for n in names},
                                     ensure_ascii=False) + "\n" for row in batch)
        written += len(batch)
    return written


def arrow_schema(table: str, layout: str = "plain") -> Any:
    """The pyarrow schema of ``table``: each field with its meaning as ``description``."""
    import pyarrow as pa

    kinds = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(),
             "bool": pa.bool_(), "date": pa.date32(), "timestamp": pa.timestamp("us", tz="UTC")}
    return pa.schema(
        [pa.field(c.name, kinds[c.type], nullable=c.nullable,
                  metadata={"description": c.meaning}) for c in columns(table, layout)],
        metadata={"bilateral.table": table, "bilateral.layout": layout})


def _write_parquet(rows: Iterable[list[dict[str, Any]]], table: str, layout: str,
                   path: Path) -> int:
    """One row group per batch, so writing holds one batch at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(table, layout)
    written = 0
    with pq.ParquetWriter(path, schema) as writer:
        for batch in rows:
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
            written += len(batch)
    return written


def _write(rows: Iterable[list[dict[str, Any]]], table: str, layout: str, format: str,
           target: Path | TextIO) -> int:
    cols = columns(table, layout)
    if format == "parquet":
        if not isinstance(target, Path):
            raise InputError("Parquet is binary: write it to a file, not a text stream")
        return _write_parquet(rows, table, layout, target)
    write = _write_csv if format == "csv" else _write_jsonl
    if isinstance(target, Path):
        with target.open("w", encoding="utf-8", newline="") as stream:
            return write(rows, cols, stream)
    return write(rows, cols, target)


# ----------------------------------------------------------------------------- export


def export(store: Store, table: str, target: str | os.PathLike[str] | TextIO, *,
           format: str, layout: str = "plain", dossier: Dossier | None = None,
           filters: Filters = Filters(), batch_size: int = BATCH_ROWS) -> ExportResult:
    """Write one table to a file (which appears whole, or not at all) or a text stream
    (CSV and JSON Lines only)."""
    check_table(table, layout)
    check_format(format)
    check_filters(table, filters)
    before = store.version()
    rows = batches(store, table, layout=layout, dossier=dossier, filters=filters,
                   size=batch_size)
    if not isinstance(target, str | os.PathLike):
        written = _write(rows, table, layout, format, target)
        _unchanged(store, before, f"{table} was exported; what was written mixes the store "
                                  f"before and after that change")
        return ExportResult(table, layout, format, written, None)
    path = Path(target)
    if path.is_dir():
        raise ReportError(f"cannot export {table} to {path}: it is a folder; name a file, "
                          f"e.g. {path / (table + SUFFIXES[format])}")
    _make_folder(path.parent)
    partial = _partial(path)
    try:
        written = _write(rows, table, layout, format, _opened(partial, path))
        _unchanged(store, before, f"{table} was exported to {path}; nothing was written")
        os.replace(partial, path)
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return ExportResult(table, layout, format, written, path)


def export_all(store: Store, folder: str | os.PathLike[str], *, format: str,
               dossier: Dossier, filters: Filters = Filters(),
               batch_size: int = BATCH_ROWS) -> list[ExportResult]:
    """Every table into ``folder`` as ``TABLE.csv``, ``.jsonl`` or ``.parquet``; the files
    are renamed into place together once the store was seen not to change meanwhile."""
    check_format(format)
    check_all(filters)
    directory = Path(folder)
    if directory.exists() and not directory.is_dir():
        raise ReportError(f"cannot export every table to {directory}: it is a file; name a "
                          f"folder")
    _make_folder(directory)
    before = store.version()
    partials: list[tuple[Path, Path]] = []
    results: list[ExportResult] = []
    try:
        for table in TABLES:
            path = directory / f"{table}{SUFFIXES[format]}"
            partials.append((_partial(path), path))
            rows = batches(store, table, dossier=dossier, filters=filters, size=batch_size)
            written = _write(rows, table, "plain", format, _opened(partials[-1][0], path))
            results.append(ExportResult(table, "plain", format, written, path))
        _unchanged(store, before, f"the tables were exported to {directory}; nothing was "
                                  f"written")
        for partial, path in partials:
            os.replace(partial, path)
    except OSError as exc:
        raise ReportError(f"cannot write into {directory}: {exc.strerror or exc}") from exc
    finally:
        for partial, _ in partials:
            partial.unlink(missing_ok=True)
    return results


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.part")


def _opened(partial: Path, path: Path) -> Path:
    """``partial``, once it is known that a file can be made there."""
    try:
        partial.touch()
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror or exc}; choose a file in a "
                          f"folder you may write to") from exc
    return partial


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise ReportError(f"cannot write into {folder}: a file is in the way of that folder "
                          f"(or of one above it); choose another place") from exc
    except OSError as exc:
        raise ReportError(f"cannot create the folder {folder}: {exc.strerror or exc}; "
                          f"choose a folder you may write to") from exc


def _unchanged(store: Store, before: Any, what: str) -> None:
    if store.version() != before:
        raise StoreError(f"the store {store.url} changed while {what}; export again once the "
                         f"ingest writing to it has finished")
