"""First answers from the store: the latest value of each indicator by status, and a timeline.

A value's sources are the distinct original documents that report it; a near-duplicate copy
counts with its original, not again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bilateral.records import dyad
from bilateral.store import Store


@dataclass(frozen=True)
class IndicatorValue:
    indicator: str
    status: str
    value: float
    unit: str
    when: str | None
    sources: int
    quote: str
    doc_id: str


@dataclass(frozen=True)
class TimelineEntry:
    when: str
    type: str
    source: str
    target: str
    reports: int
    quote: str
    doc_id: str


def latest_values(store: Store) -> list[IndicatorValue]:
    """Per indicator and status, the value with the latest time (undated values come last)."""
    originals = store.duplicate_links()
    groups: dict[tuple[str, str], dict[tuple[float, str | None], list]] = defaultdict(
        lambda: defaultdict(list))
    for o in store.observations():
        groups[(o.indicator, o.status)][(o.value, o.when)].append(o)
    rows = []
    for (indicator, status), values in sorted(groups.items()):
        (value, when), reports = max(values.items(), key=lambda kv: (kv[0][1] or "", len(kv[1])))
        first = reports[0]
        rows.append(IndicatorValue(
            indicator=indicator, status=status, value=value, unit=first.unit, when=when,
            sources=len({originals.get(r.doc_id, r.doc_id) for r in reports}),
            quote=first.quote, doc_id=first.doc_id))
    return rows


def timeline(store: Store, limit: int | None = None) -> list[TimelineEntry]:
    """Dated events in time order, one entry per type, dyad and date with its report count."""
    originals = store.duplicate_links()
    merged: dict[tuple[str, str, str, str], list] = defaultdict(list)
    for e in store.events():
        if e.when is None:
            continue
        merged[(e.when, e.type, *dyad(e.type, e.source, e.target))].append(e)
    rows = [TimelineEntry(when=when, type=kind, source=reports[0].source,
                          target=reports[0].target,
                          reports=len({originals.get(r.doc_id, r.doc_id) for r in reports}),
                          quote=reports[0].quote, doc_id=reports[0].doc_id)
            for (when, kind, _, _), reports in sorted(merged.items())]
    return rows[-limit:] if limit else rows


