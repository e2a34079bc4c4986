"""Analysis results as plain JSON-ready dicts: one shape for the CLI's --json and for anything
else that hands them on. Every value keeps the reports, and so the quotes, behind it.

``reports`` caps the reports listed per claim or event (originals first, the earliest first);
``reports_total`` always says how many there are. A figure reported by four hundred articles
then stays a small answer; None lists them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bilateral.analyse import (
    Claim,
    Dispute,
    DyadIndex,
    IndicatorHistory,
    Report,
    Revision,
    TimelineEntry,
)
from bilateral.analyse.claims import report_order


def report_dict(report: Report) -> dict[str, Any]:
    """A report; ``sentence`` is the whole sentence around ``quote``'s span for a reader, and
    ``mark`` the [start, end) of the span inside it (``sentence_html`` has it in <mark>)."""
    doc = report.doc
    shown = report.shown
    return {"doc_id": doc.id, "label": doc.label, "title": doc.title, "outlet": doc.outlet,
            "url": doc.url, "published": doc.published, "duplicate_of": doc.duplicate_of,
            "quote": report.quote, "start": report.start, "end": report.end,
            "sentence": shown.text, "mark": [shown.start, shown.end],
            "sentence_html": shown.html()}


def _reports(reports: Iterable[Report], most: int | None, total: int) -> dict[str, Any]:
    ordered = sorted(reports, key=report_order)
    shown = ordered if most is None else ordered[:most]
    return {"reports_total": total, "reports": [report_dict(r) for r in shown]}


def claim_dict(claim: Claim, reports: int | None = None) -> dict[str, Any]:
    return {"id": claim.id, "indicator": claim.indicator, "status": claim.status,
            "value": claim.value, "unit": claim.unit, "when": claim.when,
            "sources": claim.sources, "outlets": list(claim.outlets),
            **_reports(claim.reports, reports, claim.reports_total)}


def history_dict(history: IndicatorHistory, reports: int | None = None,
                 revised: Iterable[Revision] = ()) -> dict[str, Any]:
    """The history with its claims and, from ``revised``, the revisions of this indicator."""
    return {"indicator": history.indicator, "name": history.name, "unit": history.unit,
            "key": history.key,
            "current": {s: claim_dict(c, reports) for s in history.statuses()
                        if (c := history.current(s)) is not None},
            "claims": [claim_dict(c, reports) for c in history.claims],
            "revisions": [revision_dict(r, reports) for r in revised
                          if r.indicator == history.indicator]}


def dispute_dict(dispute: Dispute, reports: int | None = None) -> dict[str, Any]:
    return {"indicator": dispute.indicator, "name": dispute.name, "status": dispute.status,
            "kind": dispute.kind, "sources": dispute.sources,
            "sides": [claim_dict(c, reports) for c in dispute.claims]}


def revision_dict(revision: Revision, reports: int | None = None) -> dict[str, Any]:
    return {"indicator": revision.indicator, "name": revision.name, "status": revision.status,
            "kind": revision.kind, "sources": revision.sources,
            "from": claim_dict(revision.before, reports),
            "to": claim_dict(revision.after, reports),
            "steps": [claim_dict(c, reports) for c in revision.steps]}


def entry_dict(entry: TimelineEntry, reports: int | None = None) -> dict[str, Any]:
    return {"id": entry.id, "when": entry.when, "type": entry.type, "source": entry.source,
            "target": entry.target, "sources": entry.sources,
            **_reports(entry.reports, reports, entry.reports_total)}


def index_dict(index: DyadIndex) -> dict[str, Any]:
    return {"source": index.source, "target": index.target, "events": index.events,
            "score": index.score, "trend": index.trend(),
            "months": [{"month": m.month, "score": m.score, "events": m.events,
                        "cooperation": m.cooperation, "conflict": m.conflict, "mean": m.mean}
                       for m in index.months]}
