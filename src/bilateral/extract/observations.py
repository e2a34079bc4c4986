"""Observations: a quantity near the words of an indicator becomes a sourced value with a status
and the time it refers to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from bilateral.dossier import Dossier, Indicator
from bilateral.extract.context import Layout, time_earlier_in_paragraph, word_pattern
from bilateral.extract.quantities import Quantity
from bilateral.extract.times import TimeExpr

#: Which quantity kinds can fill an indicator of each catalogue unit.
KINDS_FOR_UNIT = {
    "percent": ("percent",),
    "percent_gdp": ("percent_gdp",),
    "usd": ("money",),
    "usd_per_year": ("money",),
    "count": ("count",),
}


@dataclass(frozen=True)
class ObservationMatch:
    indicator: str
    value: float
    unit: str
    status: str
    when: str | None
    start: int  # the quote: a word window around the number
    end: int
    rule: str
    actor: str | None
    note: str | None = None


@dataclass(frozen=True)
class _Cues:
    indicator: Indicator
    groups: tuple[re.Pattern[str], ...]
    exclude: re.Pattern[str] | None


class ObservationStage:
    name = "observations"
    requires = ("layout", "actors", "times", "quantities")
    assigns = ("observations",)

    def __init__(self, dossier: Dossier) -> None:
        self.cues = sorted(
            (_Cues(i, tuple(word_pattern(g) for g in i.cues),
                   word_pattern(i.exclude) if i.exclude else None) for i in dossier.indicators),
            key=lambda c: -c.indicator.priority)
        self.statuses = [(s.status, word_pattern(s.words)) for s in dossier.statuses]

    def __call__(self, doc: Doc) -> Doc:
        layout: Layout = doc._.layout
        text = doc._.layout.match_text
        found: list[ObservationMatch] = []
        for quantity in doc._.quantities:
            start, end = layout.window(quantity.start, quantity.end)
            context = text[start:end].lower()
            indicator = self.indicator_for(quantity, context)
            if indicator is None:
                continue
            status, status_rule = self.status_for(quantity, context)
            when = self.when_for(quantity, status, doc._.times, layout)
            actor = _nearest_state_before(doc._.actors, quantity.start, layout)
            found.append(ObservationMatch(
                indicator=indicator.id, value=quantity.value, unit=indicator.unit, status=status,
                when=when, start=start, end=end, actor=actor,
                rule=f"obs.cue/{indicator.id}+status.{status_rule}"))
        doc._.observations = found
        return doc

    def indicator_for(self, quantity: Quantity, context: str) -> Indicator | None:
        """The highest-priority indicator whose unit fits and whose cues are all near."""
        for cues in self.cues:
            if quantity.kind not in KINDS_FOR_UNIT[cues.indicator.unit]:
                continue
            if quantity.kind == "money" and quantity.currency not in ("USD", None):
                continue  # a yen or euro figure is not a dollar value: never relabel it
            if cues.exclude is not None and cues.exclude.search(context):
                continue
            if all(g.search(context) for g in cues.groups):
                return cues.indicator
        return None

    def status_for(self, quantity: Quantity, context: str) -> tuple[str, str]:
        """The first status, in the dossier's order, with a cue near the number (specific
        statuses such as threatened come before general ones); the old value of a transition
        is the one in force."""
        if quantity.role == "from":
            return "actual", "transition-from"
        for status, pattern in self.statuses:
            match = pattern.search(context)
            if match:
                return status, f"cue:{match.group()}"
        return "actual", "default"

    @staticmethod
    def when_for(quantity: Quantity, status: str, times: list[TimeExpr],
                 layout: Layout) -> str | None:
        """The time expression of the sentence nearest the number (a deadline for a target)."""
        s_start, s_end = layout.sentence(quantity.start)
        candidates = [t for t in times if s_start <= t.start < s_end and t.value]
        if status == "target":
            deadlines = [t for t in candidates if t.kind in ("deadline", "fiscal")]
            candidates = deadlines or candidates
        if not candidates and status != "target":
            return time_earlier_in_paragraph(times, layout, s_start)
        if not candidates:
            return None
        nearest = min(candidates, key=lambda t: min(abs(t.start - quantity.end),
                                                    abs(quantity.start - t.end)))
        return nearest.value


def _nearest_state_before(mentions, offset: int, layout: Layout) -> str | None:
    s_start, _ = layout.sentence(offset)
    before = [m for m in mentions if s_start <= m.start < offset and m.acts_for_state and m.state]
    return before[-1].state if before else None
