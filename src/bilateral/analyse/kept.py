"""The analysis kept in the store, redone only where a write changed something.

Histories, disputes, the timeline and the index are computed from every record, which takes
seconds on a large store and minutes on a very large one: too long for each server worker to do
again after every ingest. Instead every write marks what it changed (an indicator, a group of
events: see ``bilateral.store.answers``) and ``refresh`` redoes just those, one indicator or one
event group at a time, writing the answers into the store's ``answer_*`` tables. Every worker
of every server then reads the same answers with one indexed query, and a new worker is ready at
once.

One process refreshes at a time (a lease in the store); another that asks meanwhile leaves the
work to it, and the marks of writes that land during a refresh are left for the next one. A
claim or entry keeps its first ``KEPT_REPORTS`` reports (originals first, the earliest first,
as they are shown; ``SIDE_REPORTS`` in a dispute or revision) and a ``Tally`` of all of them;
the rest are in the records listings.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bilateral.analyse.claims import (
    Claim,
    IndicatorHistory,
    Report,
    Tally,
    _same_value,
    claim_id,
    histories_of,
    report_order,
)
from bilateral.analyse.disputes import Dispute, Revision, current_values, differences
from bilateral.analyse.periods import by_time, merge_precisions
from bilateral.analyse.relations import index_cells
from bilateral.analyse.timeline import TimelineEntry, merge_events
from bilateral.dossier import Dossier
from bilateral.quotes import Sentence
from bilateral.records import PLOVER_TYPES, STATUSES, SYMMETRIC_TYPES
from bilateral.store import Citation, Store
from bilateral.store.answers import ALL, EVENTS, INDEX, INDICATOR, Mark

#: Reports kept with each claim and timeline entry; the API shows up to this many.
KEPT_REPORTS = 10
#: Passes over the marks one refresh makes: "all" becomes a mark per key, a key's events mark
#: their dyads' index, and one more for what was written meanwhile. Marks left after that (a
#: writer that never stops) wait for the next refresh, so a refresh always ends.
PASSES = 4
#: Reports kept with each side of a dispute or step of a revision: a listing of disputes shows
#: many claims at once, and each side's claim in its history keeps more.
SIDE_REPORTS = 3
#: How long a refresh holds the store's lease without renewing it (each indicator or event group
#: renews it); a process killed mid-refresh gives the work up after this.
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Refreshed:
    """What one ``refresh`` did."""

    indicators: int = 0
    event_groups: int = 0
    dyads: int = 0
    busy: bool = False  # another process held the lease: it does the work


Progress = Callable[[str, int, int], None]  # (what, done, total)


def refresh(store: Store, dossier: Dossier, *, progress: Progress | None = None,
            holder: str | None = None, stop: Callable[[], bool] | None = None) -> Refreshed:
    """Bring the store's kept answers up to date with its records, as far as writes marked
    what they changed; returns at once when another process is refreshing. ``stop`` is asked
    before each indicator or event group: once it says so, the refresh ends there and frees
    its lease, leaving the rest marked for the next one (a server shutting down)."""
    holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    kept = store.kept
    if not kept.take_lease(holder, LEASE, _now()):
        return Refreshed(busy=True)
    done = Refreshed()
    try:
        made_with = f"{dossier.id}:{_dossier_hash(dossier)}"
        if kept.state().get("dossier") != made_with:
            kept.set_dossier(made_with)
        for _ in range(PASSES):
            marks = kept.marks()
            if not marks or (stop and stop()):
                break
            done = _answer(store, dossier, marks, holder, progress, done, stop)
    finally:
        kept.release_lease(holder, _now())
    return done


def _answer(store: Store, dossier: Dossier, marks: list[Mark], holder: str,
            progress: Progress | None, done: Refreshed,
            stop: Callable[[], bool] | None = None) -> Refreshed:
    kept = store.kept
    whole = [m for m in marks if m.kind == ALL]
    if whole:
        # everything from scratch: empty the tables and mark every indicator and event group,
        # in one transaction, so a refresh killed half-way leaves the rest marked
        kept.replace_all(whole, kept.indicators(), kept.event_groups())
        return done
    by_key: dict[tuple[str, str], list[Mark]] = defaultdict(list)
    for mark in marks:
        by_key[(mark.kind, mark.key)].append(mark)
    order = {INDICATOR: 0, EVENTS: 1, INDEX: 2}
    keys = sorted(by_key, key=lambda k: (order.get(k[0], 3), k[1]))
    counts = {kind: 0 for kind in order}
    for n, (kind, key) in enumerate(keys):
        if stop and stop():
            break
        kept.take_lease(holder, LEASE, _now())
        if kind == INDICATOR:
            _keep_indicator(store, dossier, key, by_key[(kind, key)])
        elif kind == EVENTS:
            _keep_events(store, key, by_key[(kind, key)])
        elif kind == INDEX:
            _keep_index(store, dossier, key, by_key[(kind, key)])
        counts[kind] = counts.get(kind, 0) + 1
        if progress:
            progress(f"{kind} {key}", n + 1, len(keys))
    return Refreshed(indicators=done.indicators + counts[INDICATOR],
                     event_groups=done.event_groups + counts[EVENTS],
                     dyads=done.dyads + counts[INDEX])


# --- indicators ---------------------------------------------------------------------------------

def _keep_indicator(store: Store, dossier: Dossier, indicator: str, marks: list[Mark]) -> None:
    observations = store.observations(indicator=indicator)
    citations = store.citations(o.doc_id for o in observations)
    found = histories_of(observations, citations, dossier)
    if not found:
        store.kept.replace_indicator(indicator, history=None, claims=[], members=[], current=[],
                                     differences=[], done=marks)
        return
    history = found[0]
    disputes, revisions = differences([history])
    current = current_values([history], disputes)
    shown = _shown_reports(store, [*history.claims])
    members = [{"kind": "claim", "key": key, "answer_id": claim, "grp": indicator}
               for key, claim in _claim_members(observations).items()]
    store.kept.replace_indicator(
        indicator,
        history={"indicator": indicator, "name": history.name, "unit": history.unit,
                 "key": int(history.key), "claims": len(history.claims)},
        claims=[{"id": c.id, "indicator": indicator, "position": n, "when_at": c.when,
                 "body": _dumps(claim_json(c, shown))}
                for n, c in enumerate(history.claims)],
        members=members,
        current=[{"indicator": indicator, "status": v.status, "claim_id": v.claim.id,
                  "disputed": int(v.disputed)} for v in current],
        differences=[*(_dispute_row(d, shown) for d in disputes),
                     *(_revision_row(r, shown) for r in revisions)],
        done=marks)


def record_key(indicator: str, status: str, value: float, when: str | None) -> str:
    """The key an observation is found by in ``answer_members``."""
    return f"{indicator}|{status}|{_same_value(value):.12g}|{when or ''}"


def _claim_members(observations: Iterable[Any]) -> dict[str, str]:
    """Each observation key's claim: the times merged as ``merge_claims`` merges them."""
    groups: dict[tuple[str, str, float], list[str | None]] = defaultdict(list)
    for o in observations:
        groups[(o.indicator, o.status, _same_value(o.value))].append(o.when)
    found = {}
    for (indicator, status, value), times in groups.items():
        merged = merge_precisions(by_time(times, lambda when: when), undated_joins=True)
        for when, members in merged.items():
            claim = claim_id(indicator, status, value, when)
            for member in set(members):
                found[record_key(indicator, status, value, member)] = claim
    return found


# Sort keys are text in the order of their listing; fields are separated by a space, which
# sorts before every character of a code, a status or a date.

def _dispute_row(dispute: Dispute, shown: _Shown) -> dict[str, Any]:
    # most contested first, then the most sources: the order of ``differences``
    lead = f"{10**9 - dispute.contest:010d}{10**9 - dispute.sources:010d}"
    return _difference_row("dispute", dispute, lead, "claims", dispute.claims, shown)


def _revision_row(revision: Revision, shown: _Shown) -> dict[str, Any]:
    # listed newest first: by the sort key, descending
    lead = f"{revision.after.last_reported:<10}"
    return _difference_row("revision", revision, lead, "steps", revision.steps, shown)


def _difference_row(kind: str, found: Dispute | Revision, lead: str, sides_name: str,
                    sides: tuple[Claim, ...], shown: _Shown) -> dict[str, Any]:
    """The row of a dispute or revision: ``lead`` starts its sort key, ``sides`` its claims."""
    subject = f"{found.indicator}|{found.status}|{found.kind}|{found.subject}"
    return {"id": kind[0] + _digest(subject), "kind": kind, "indicator": found.indicator,
            "sort": f"{lead} {found.indicator} {found.status} {found.kind} {found.subject}",
            "body": _dumps({
                "indicator": found.indicator, "name": found.name, "status": found.status,
                "kind": found.kind,
                sides_name: [claim_json(c, shown, SIDE_REPORTS) for c in sides]})}


# --- events -------------------------------------------------------------------------------------

def _keep_events(store: Store, group: str, marks: list[Mark]) -> None:
    event_type, source, target = group.split("|")
    events = [e for e in store.events(type=event_type, state=source)
              if e.when and {e.source, e.target} == {source, target}]
    entries = merge_events(events, store.citations(e.doc_id for e in events))
    entries = [e for e in entries if (e.source, e.target) == (source, target)]
    shown = _shown_reports(store, entries)
    pairs = {(source, target)} | ({(target, source)} if event_type in SYMMETRIC_TYPES else set())
    store.kept.replace_events(
        group, entries=[{"id": e.id, "sort": entry_sort(e), "when_at": e.when, "type": e.type,
                         "source": e.source, "target": e.target, "sources": e.sources,
                         "body": _dumps(entry_json(e, shown))} for e in entries],
        dyads=sorted(f"{a}|{b}" for a, b in pairs), done=marks)


def entry_sort(entry: TimelineEntry) -> str:
    """Text whose order is the timeline's: by time (a coarser period before the finer ones in
    it), then PLOVER type, source and target."""
    rank = PLOVER_TYPES.index(entry.type) if entry.type in PLOVER_TYPES else 99
    return f"{entry.when:<10}{rank:02d} {entry.source} {entry.target} {entry.id}"


def _keep_index(store: Store, dossier: Dossier, dyad: str, marks: list[Mark]) -> None:
    source, target = dyad.split("|")
    rows = store.kept.entries_between(source, target, sorted(SYMMETRIC_TYPES))
    entries = [TimelineEntry(id="", when=when, type=kind, source=a, target=b, reports=())
               for when, kind, a, b in rows]
    cells = index_cells(entries, dossier.index).get((source, target), {})
    store.kept.replace_index(source, target, [
        {"source": source, "target": target, "month": m.month, "score": m.score,
         "events": m.events, "cooperation": m.cooperation, "conflict": m.conflict}
        for m in cells.values()], done=marks)


# --- what a kept answer holds -------------------------------------------------------------------

_Shown = dict[tuple[str, int, int], Sentence]


def _shown_reports(store: Store, answers: Iterable[Claim | TimelineEntry]) -> _Shown:
    """The sentences of the reports that will be kept, read from the texts of those alone."""
    spans = {(r.doc.id, r.start, r.end) for a in answers for r in _first(a.reports)}
    return store.sentences(spans)


def _first(reports: Iterable[Report]) -> list[Report]:
    return sorted(reports, key=report_order)[:KEPT_REPORTS]


def claim_json(claim: Claim, shown: _Shown, most: int = KEPT_REPORTS) -> dict[str, Any]:
    return {"id": claim.id, "indicator": claim.indicator, "status": claim.status,
            "value": claim.value, "unit": claim.unit, "when": claim.when,
            "tally": _tally_json(claim.counted),
            "reports": [_report_json(r, shown) for r in _first(claim.reports)[:most]]}


def entry_json(entry: TimelineEntry, shown: _Shown) -> dict[str, Any]:
    return {"id": entry.id, "when": entry.when, "type": entry.type, "source": entry.source,
            "target": entry.target, "tally": _tally_json(Tally.of(entry.reports)),
            "reports": [_report_json(r, shown) for r in _first(entry.reports)]}


def _tally_json(tally: Tally) -> dict[str, Any]:
    return {"sources": tally.sources, "outlets": list(tally.outlets),
            "last_reported": tally.last_reported, "reports": tally.reports}


def _report_json(report: Report, shown: _Shown) -> dict[str, Any]:
    doc = report.doc
    sentence = shown.get((doc.id, report.start, report.end))
    return {"doc": [doc.id, doc.label, doc.title, doc.outlet, doc.url, doc.published,
                    doc.duplicate_of],
            "quote": report.quote, "start": report.start, "end": report.end,
            "rule": report.rule, "actor": report.actor,
            "sentence": None if sentence is None else [sentence.text, sentence.start,
                                                       sentence.end]}


# --- reading kept answers back ------------------------------------------------------------------

def load_claim(body: str | dict[str, Any], most: int | None = None) -> Claim:
    """A kept claim; ``most`` decodes only its first reports, the ones a reader is shown
    (they are kept in the order they are shown in), and its tally still counts them all."""
    found = json.loads(body) if isinstance(body, str) else body
    return Claim(id=found["id"], indicator=found["indicator"], status=found["status"],
                 value=found["value"], unit=found["unit"], when=found["when"],
                 reports=tuple(_load_report(r) for r in found["reports"][:most]),
                 tally=_load_tally(found["tally"]))


def load_entry(body: str, most: int | None = None) -> TimelineEntry:
    found = json.loads(body)
    return TimelineEntry(id=found["id"], when=found["when"], type=found["type"],
                         source=found["source"], target=found["target"],
                         reports=tuple(_load_report(r) for r in found["reports"][:most]),
                         tally=_load_tally(found["tally"]))


def load_dispute(body: str, most: int | None = None) -> Dispute:
    found = json.loads(body)
    return Dispute(indicator=found["indicator"], name=found["name"], status=found["status"],
                   kind=found["kind"], claims=tuple(load_claim(c, most) for c in found["claims"]))


def load_revision(body: str, most: int | None = None) -> Revision:
    found = json.loads(body)
    return Revision(indicator=found["indicator"], name=found["name"], status=found["status"],
                    kind=found["kind"], steps=tuple(load_claim(c, most) for c in found["steps"]))


def load_history(row: dict[str, Any], claims: Iterable[Claim]) -> IndicatorHistory:
    return IndicatorHistory(indicator=row["indicator"], name=row["name"], unit=row["unit"],
                            key=bool(row["key"]), claims=tuple(claims))


def _load_tally(found: dict[str, Any]) -> Tally:
    return Tally(sources=found["sources"], outlets=tuple(found["outlets"]),
                 last_reported=found["last_reported"], reports=found["reports"])


def _load_report(found: dict[str, Any]) -> Report:
    doc_id, label, title, outlet, url, published, duplicate_of = found["doc"]
    sentence = found["sentence"]
    return Report(doc=Citation(id=doc_id, label=label, title=title, outlet=outlet, url=url,
                               published=published, duplicate_of=duplicate_of),
                  quote=found["quote"], start=found["start"], end=found["end"],
                  rule=found["rule"], actor=found["actor"],
                  sentence=None if sentence is None else Sentence(*sentence))


def status_rank(status: str) -> int:
    return STATUSES.index(status) if status in STATUSES else len(STATUSES)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _dossier_hash(dossier: Dossier) -> str:
    """The dossier's content: names, key indicators and index weights are in the answers."""
    return hashlib.sha256(dossier.model_dump_json().encode()).hexdigest()[:16]


def _now() -> datetime:
    return datetime.now(UTC)
