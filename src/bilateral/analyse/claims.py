"""Indicator histories: observations merged across documents into claims, with sources counted.

A claim is one value of one indicator with one status and time ("the U.S. reciprocal tariff on
Japan, agreed, 15%, July 2025"), however many articles report it. Its sources are the distinct
original documents behind it: a near-duplicate copy counts with its original, not again.
Reports of the same value and status at different precisions ("July", "July 22") are one claim
at the finer time; an undated report joins the one dated claim of its value and status.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bilateral.analyse.periods import by_time, merge_precisions, sort_key
from bilateral.dossier import Dossier
from bilateral.quotes import Sentence, sentence_for
from bilateral.records import STATUSES, Event, Observation
from bilateral.store import Citation, Store

#: Statuses whose current value is the one for the latest time it refers to (a rate in force,
#: a deal struck). Goals, demands and threats are current by when they were last said instead:
#: a 2% target "by 2027" said today is newer than a 1% target "by 2030" said years ago.
SETTLED = frozenset({"actual", "announced", "agreed"})


@dataclass(frozen=True)
class Report:
    """One document's statement of a claim or an event: where it is and what it says."""

    doc: Citation
    quote: str
    start: int
    end: int
    rule: str
    actor: str | None = None  # ISO3 of the state an observation's value is stated by or for
    sentence: Sentence | None = None  # the whole sentence around the span, for readers

    @property
    def shown(self) -> Sentence:
        """What a reader is shown: the whole sentence with the span marked, or, when the
        document's text is not at hand, the quote itself, all of it marked."""
        return self.sentence or Sentence(self.quote, 0, len(self.quote))


@dataclass(frozen=True)
class Tally:
    """What all the reports of a claim or timeline entry add up to, for one that keeps only
    its first few (see ``bilateral.analyse.kept``)."""

    sources: int
    outlets: tuple[str, ...]
    last_reported: str
    reports: int

    @classmethod
    def of(cls, reports: tuple[Report, ...]) -> Tally:
        return cls(sources=len({r.doc.original for r in reports}),
                   outlets=tuple(sorted({r.doc.outlet for r in reports if r.doc.outlet})),
                   last_reported=max((r.doc.published or "" for r in reports), default=""),
                   reports=len(reports))


@dataclass(frozen=True)
class Claim:
    """One value of an indicator with one status and time, and every report of it (or, with
    a ``tally``, its first reports and what all of them add up to)."""

    id: str
    indicator: str
    status: str
    value: float
    unit: str
    when: str | None
    reports: tuple[Report, ...]
    tally: Tally | None = None

    @property
    def counted(self) -> Tally:
        return self.tally or Tally.of(self.reports)

    @property
    def sources(self) -> int:
        """Distinct original documents behind the claim (near-duplicate copies count once)."""
        return self.tally.sources if self.tally else len({r.doc.original for r in self.reports})

    @property
    def outlets(self) -> tuple[str, ...]:
        return self.counted.outlets

    @property
    def last_reported(self) -> str:
        """The latest publication date among its reports ("" when none is dated)."""
        return self.counted.last_reported

    @property
    def reports_total(self) -> int:
        return self.tally.reports if self.tally else len(self.reports)

    @property
    def quote(self) -> Report:
        return first_report(self.reports)


def report_order(report: Report) -> tuple[bool, str, int]:
    """The order reports are shown in: originals before copies, the earliest published first,
    then the shortest quote."""
    return (report.doc.duplicate_of is not None, report.doc.published or "9999",
            len(report.quote))


def first_report(reports: Iterable[Report]) -> Report:
    return min(reports, key=report_order)


Sentences = dict[tuple[str, int, int], Sentence]


def to_report(record: Observation | Event, citations: dict[str, Citation],
              sentences: Sentences | None = None) -> Report:
    doc = citations.get(record.doc_id) or Citation.missing(record.doc_id)
    sentence = sentence_for(record, sentences or {})
    return Report(doc=doc, quote=record.quote, start=record.start, end=record.end,
                  rule=record.rule, actor=getattr(record, "actor", None), sentence=sentence)


def sentences_of(store: Store, records: Iterable[Observation | Event]) -> Sentences:
    """The sentence around each record's span, from the stored texts."""
    return store.sentences((r.doc_id, r.start, r.end) for r in records)


@dataclass(frozen=True)
class IndicatorHistory:
    """An indicator's claims in time order (undated last), each status a step series."""

    indicator: str
    name: str
    unit: str
    key: bool
    claims: tuple[Claim, ...]

    def statuses(self) -> list[str]:
        present = {c.status for c in self.claims}
        return [s for s in STATUSES if s in present]

    def series(self, status: str) -> list[Claim]:
        return [c for c in self.claims if c.status == status]

    def current(self, status: str) -> Claim | None:
        """The value an analyst would quote today for this status.

        Settled statuses (actual, announced, agreed) go by the time the value refers to; goals,
        demands, proposals and threats by when they were last reported. Ties go to the claim
        with more sources. Undated claims count only when no claim of the status is dated.
        """
        claims = self.series(status)
        if not claims:
            return None
        dated = [c for c in claims if c.when] or claims
        if status in SETTLED:
            return max(dated, key=lambda c: (c.when or "", c.last_reported, c.sources))
        return max(dated, key=lambda c: (c.last_reported, c.when or "", c.sources))


def claim_id(indicator: str, status: str, value: float, when: str | None) -> str:
    """A short stable id, so that briefs and pages can link to a claim."""
    text = f"{indicator}|{status}|{value:.12g}|{when or ''}"
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def merge_claims(observations: Iterable[Observation], citations: dict[str, Citation],
                 sentences: Sentences | None = None) -> list[Claim]:
    """Observations of any indicators merged into claims, in indicator then time order;
    ``sentences`` (see ``sentences_of``) gives each report the sentence around its quote."""
    groups: dict[tuple[str, str, float], list[Observation]] = defaultdict(list)
    for o in observations:
        groups[(o.indicator, o.status, _same_value(o.value))].append(o)
    claims = []
    for (indicator, status, value), observed in groups.items():
        merged = merge_precisions(by_time(observed, lambda o: o.when), undated_joins=True)
        for when, reports in merged.items():
            claims.append(Claim(
                id=claim_id(indicator, status, value, when), indicator=indicator,
                status=status, value=value, unit=reports[0].unit, when=when,
                reports=tuple(to_report(o, citations, sentences) for o in reports)))
    claims.sort(key=lambda c: (c.indicator, sort_key(c.when), STATUSES.index(c.status)
                               if c.status in STATUSES else len(STATUSES), c.value))
    return claims


def histories(store: Store, dossier: Dossier, *, indicator: str | None = None,
              since: str | None = None, until: str | None = None,
              min_sources: int = 1, sentences: bool = True) -> list[IndicatorHistory]:
    """The history of every indicator with a claim (or of ``indicator``), key indicators first
    and then in catalogue order; indicators the dossier does not know come last. With
    ``min_sources``, only claims that many original documents report (corroborated ones).
    ``sentences=False`` leaves the reports without their sentences, and the texts unread."""
    observations = store.observations(indicator=indicator, since=since, until=until)
    return histories_of(observations, store.citations(o.doc_id for o in observations), dossier,
                        sentences_of(store, observations) if sentences else None, min_sources)


def histories_of(observations: list[Observation], citations: dict[str, Citation],
                 dossier: Dossier, sentences: Sentences | None = None,
                 min_sources: int = 1) -> list[IndicatorHistory]:
    """``histories`` of these observations."""
    by_indicator: dict[str, list[Claim]] = defaultdict(list)
    for claim in merge_claims(observations, citations, sentences):
        if claim.sources >= min_sources:
            by_indicator[claim.indicator].append(claim)
    order = {i.id: n for n, i in enumerate(dossier.indicators)}
    result = []
    for ind_id, claims in by_indicator.items():
        spec = dossier.indicator(ind_id)
        result.append(IndicatorHistory(
            indicator=ind_id, name=spec.name if spec else ind_id,
            unit=claims[0].unit, key=bool(spec and spec.key), claims=tuple(claims)))
    result.sort(key=lambda h: (not h.key, order.get(h.indicator, len(order)), h.indicator))
    return result


def _same_value(value: float) -> float:
    """Values equal to twelve significant digits are the same figure ($550bn = 5.5e11)."""
    return float(f"{value:.12g}")
