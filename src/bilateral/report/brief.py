"""The analyst brief as data: what the HTML, PDF and Markdown renderings all show.

Assembling is separate from rendering so that every format says the same thing: the headline
figures, the key indicators' histories, the relations index, the timeline, the disputes, what is
pending, where the dossier's negotiations are heading, and the sources behind every figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from bilateral.analyse import (
    Claim,
    CurrentValue,
    Dispute,
    DyadIndex,
    IndicatorHistory,
    Report,
    Revision,
    TimelineEntry,
    current_values,
    differences,
    dossier_index,
    histories,
    timeline,
)
from bilateral.analyse.claims import report_order
from bilateral.analyse.periods import first_day, last_day, sort_key
from bilateral.dossier import Dossier
from bilateral.forecast.issues import Evidence
from bilateral.quotes import Sentence
from bilateral.records import PLOVER_TYPES, STATUSES
from bilateral.report.formatting import when_label
from bilateral.report.negotiations import (
    DEFAULT_MODEL,
    DEFAULT_RUNS,
    DEFAULT_SEED,
    Outlook,
    outlooks,
)
from bilateral.store import Citation, Store

#: Statuses that say what a party wants for a date still to come.
PENDING_STATUSES = ("target", "demanded", "proposed", "threatened")
#: Event types that, dated ahead, are meetings or deals planned.
PLANNED_TYPES = ("CONSULT", "AGREE", "COOPERATE")
#: Quotes shown per figure or event; the rest are counted, not printed.
QUOTES_PER_ITEM = 3
#: Sides shown per dispute (the best sourced); the rest are counted.
SIDES_PER_DISPUTE = 5
#: Charted claims per key indicator whose quotes the evidence section prints, beyond the
#: headline: the best sourced. The other points show their quote in the chart's tooltip.
CHARTED_WITH_EVIDENCE = 8


@dataclass(frozen=True)
class Pending:
    """A target, demand, proposal or threat for a future date, or a meeting planned."""

    when: str
    what: str
    claim: Claim | None = None
    event: TimelineEntry | None = None


@dataclass(frozen=True)
class Brief:
    title: str
    dossier: str
    since: str | None
    until: str | None
    as_of: dt.date
    documents: int  # originals in the store, near-duplicate copies not counted
    headline: list[CurrentValue]
    charts: list[IndicatorHistory]  # key indicators, one step chart each
    index: list[DyadIndex]
    timeline: list[TimelineEntry]
    disputes: list[Dispute]
    pending: list[Pending]
    more_events: int = 0  # timeline entries of the period left out of ``timeline``
    more_disputes: int = 0  # disputes left out of ``disputes``, the least sourced
    min_sources: int = 1  # figures and events with fewer sources were left out
    revisions: list[Revision] = field(default_factory=list)  # figures changed over time
    # the dossier's negotiations forecast from the reporting published before ``as_of``
    negotiations: list[Outlook] = field(default_factory=list)
    # the stored documents the forecasts quote, for the source list
    negotiation_documents: list[Citation] = field(default_factory=list)

    @property
    def period(self) -> str:
        """The period in words: "Jan 2025 – Jun 2025", "from Jan 2025", "all dates"."""
        if self.since and self.until:
            return f"{when_label(self.since)} – {when_label(self.until)}"
        if self.since:
            return f"from {when_label(self.since)}"
        if self.until:
            return f"up to {when_label(self.until)}"
        return "all dates in the store"

    @cached_property
    def evidence_claims(self) -> list[tuple[str, Claim]]:
        """(indicator name, claim) for every claim whose quotes the brief prints: the headline,
        the disputes, what is pending, and of each chart the best-sourced claims with two
        sources or more (a chart's other points carry their quote in the tooltip). Indicator by
        indicator in the brief's order, each indicator's claims in time order."""
        names = {d.indicator: d.name for d in self.disputes}
        names.update((r.indicator, r.name) for r in self.revisions)
        names.update((h.history.indicator, h.history.name) for h in self.headline)
        claims = [h.claim for h in self.headline]
        claims += [c for d in self.disputes for c in d.claims]
        claims += [c for r in self.revisions for c in (r.before, r.after)]
        claims += [p.claim for p in self.pending if p.claim]
        claims += [c for h in self.charts for c in sorted(
            (c for c in h.claims if c.sources >= 2),
            key=lambda c: (-c.sources, c.id))[:CHARTED_WITH_EVIDENCE]]
        order: dict[str, int] = {}
        found: dict[str, tuple[str, Claim]] = {}
        for claim in claims:
            order.setdefault(claim.indicator, len(order))
            found.setdefault(claim.id, (names.get(claim.indicator, claim.indicator), claim))
        rank = {s: n for n, s in enumerate(STATUSES)}
        return sorted(found.values(), key=lambda item: (
            order[item[1].indicator], sort_key(item[1].when), rank.get(item[1].status, 99),
            item[1].value))

    @cached_property
    def evidence_events(self) -> list[TimelineEntry]:
        """Every event the brief shows, on the timeline or as pending, in time order."""
        found = {e.id: e for e in self.timeline}
        found.update((p.event.id, p.event) for p in self.pending if p.event)
        rank = {t: n for n, t in enumerate(PLOVER_TYPES)}
        return sorted(found.values(), key=lambda e: (sort_key(e.when), rank.get(e.type, 99),
                                                     e.source, e.target))

    @cached_property
    def sources(self) -> list[Citation]:
        """Every document quoted in the evidence, oldest publication first: the numbered
        source list."""
        docs: dict[str, Citation] = {}
        items: list[Claim | TimelineEntry] = [c for _, c in self.evidence_claims]
        for item in [*items, *self.evidence_events]:
            for report in self.evidence(item):
                docs.setdefault(report.doc.id, report.doc)
        for doc in self.negotiation_documents:
            docs.setdefault(doc.id, doc)
        return sorted(docs.values(), key=lambda c: (c.published or "9999", c.outlet or "", c.id))

    @cached_property
    def source_number(self) -> dict[str, int]:
        """Each cited document's number in the source list, from 1."""
        return {c.id: n for n, c in enumerate(self.sources, 1)}

    @staticmethod
    def evidence(item: Claim | TimelineEntry) -> list[Report]:
        """The reports quoted for a claim or event: originals first, the earliest first, at
        most QUOTES_PER_ITEM; the others are counted in its sources, not printed."""
        return sorted(item.reports, key=report_order)[:QUOTES_PER_ITEM]

    def cited(self, item: Claim | TimelineEntry) -> list[int]:
        """The source numbers of the reports quoted for ``item``."""
        numbers = self.source_number
        return sorted({numbers[r.doc.id] for r in self.evidence(item) if r.doc.id in numbers})

    def quotes(self, item: Claim | TimelineEntry) -> list[tuple[Sentence, list[int]]]:
        """Each distinct sentence of ``item`` once, its evidence span marked, with the numbers
        of the sources that carry it (a syndicated copy repeats its original's sentence)."""
        numbers = self.source_number
        found: dict[Sentence, list[int]] = {}
        for report in sorted(self.evidence(item), key=lambda r: numbers.get(r.doc.id, 0)):
            cited = found.setdefault(report.shown.one_line(), [])
            number = numbers.get(report.doc.id)
            if number is not None and number not in cited:
                cited.append(number)
        return list(found.items())

    def source_of(self, evidence: Evidence) -> int | None:
        """The source number of the stored document a forecast input quotes; None for a report
        the dossier cites."""
        return self.source_number.get(evidence.doc_id) if evidence.doc_id else None

    def has_evidence(self, claim: Claim) -> bool:
        """Whether ``#claim-<id>`` has a target in the brief."""
        return claim.id in self._evidence_ids

    @cached_property
    def _evidence_ids(self) -> frozenset[str]:
        return frozenset(c.id for _, c in self.evidence_claims)


def build_brief(store: Store, dossier: Dossier, *, since: str | None = None,
                until: str | None = None, as_of: dt.date | None = None,
                dyads: int = 6, events: int = 60, most_disputes: int = 20,
                min_sources: int = 1, forecast_model: str = DEFAULT_MODEL,
                forecast_runs: int = DEFAULT_RUNS, forecast_seed: int = DEFAULT_SEED) -> Brief:
    """The brief of the records whose time overlaps [since, until].

    ``as_of`` decides what is pending; by default it is the end of ``until``, else the latest
    publication date in the store, else today. ``dyads`` caps the index series shown: the
    dossier's pair in both directions, then the dyads with the most events. ``events`` caps the
    timeline: the latest events that involve one of the dossier's pair, and ``most_disputes``
    the disputes (the most contested are kept, each with its best-sourced sides).
    ``min_sources`` keeps only figures and events that many original documents report; the
    relations index still counts every event.

    Each negotiation of the dossier is forecast with ``forecast_model`` from the reporting
    published before ``as_of``, its 80% interval from ``forecast_runs`` Monte Carlo runs seeded
    with ``forecast_seed`` (0 runs: no interval); an issue that cannot be forecast shows why.
    """
    stories = histories(store, dossier, since=since, until=until, min_sources=min_sources)
    found, revised = differences(stories)
    every_event = timeline(store, since=since, until=until)
    entries = [e for e in every_event if e.sources >= min_sources]
    index = dossier_index(every_event, dossier, since=since, until=until)[:dyads]
    as_of = as_of or _default_as_of(store, until)
    headline = current_values(stories, found)
    involved = [e for e in entries if {e.source, e.target} & set(dossier.dyad)]
    shown = involved[-events:]
    heading = outlooks(dossier, store, as_of=as_of, model=forecast_model, runs=forecast_runs,
                       seed=forecast_seed)
    quoted = list(dict.fromkeys(d for o in heading for d in o.documents))
    citations = store.citations(quoted)
    return Brief(
        title=f"{dossier.name}: analyst brief", dossier=dossier.id, since=since, until=until,
        as_of=as_of, documents=store.count_documents(include_duplicates=False),
        headline=headline, charts=[h for h in stories if h.key], index=index,
        timeline=shown, disputes=[d.top(SIDES_PER_DISPUTE) for d in found[:most_disputes]],
        pending=_pending(stories, entries, as_of),
        more_events=len(involved) - len(shown),
        more_disputes=max(0, len(found) - most_disputes), min_sources=min_sources,
        revisions=revised[:most_disputes], negotiations=heading,
        negotiation_documents=[citations.get(d) or Citation.missing(d) for d in quoted])


def _default_as_of(store: Store, until: str | None) -> dt.date:
    if until:
        return last_day(until)
    newest = store.documents(limit=1, include_duplicates=False).items
    if newest and newest[0].published:
        return last_day(newest[0].published)
    return dt.date.today()


def _pending(stories: list[IndicatorHistory], entries: list[TimelineEntry], as_of: dt.date,
             most: int = 20) -> list[Pending]:
    """The live goals, demands, proposals and threats whose date is still ahead of ``as_of``
    (the current claim of each indicator and status: a restated goal supersedes the old one),
    and the ``most`` nearest meetings and deals dated after it."""
    items = [Pending(when=c.when, what=f"{h.name}: {c.status}", claim=c)
             for h in stories for status in PENDING_STATUSES
             if (c := h.current(status)) is not None and c.when and last_day(c.when) >= as_of]
    planned = [e for e in entries if e.type in PLANNED_TYPES and first_day(e.when) > as_of]
    items += [Pending(when=e.when, what=f"{e.type} {e.source}–{e.target}", event=e)
              for e in planned[:most]]
    return sorted(items, key=lambda p: (p.when, p.what))
