"""Observations: a quantity near the words of an indicator becomes a sourced value with a status
and the time it refers to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from bilateral.dossier import Dossier, Indicator
from bilateral.extract.context import (
    Layout,
    report_month,
    time_earlier_in_paragraph,
    word_pattern,
)
from bilateral.extract.quantities import Quantity
from bilateral.extract.times import TimeExpr

#: Words either side of a number in which an indicator's cues are looked for: what a number
#: measures is often named some way off ("Japan spent $55 billion on defense in 2024, or about
#: 1.4% of GDP").
CUE_WORDS = 20
#: Characters of distance between cue and number within which indicators rank by priority.
REACH_STEP = 30
#: Words either side of a number that make its own phrase, where exclusions are looked for.
PHRASE_WORDS = 4
#: Words before and after a number in which status cues are looked for (and the quote): the
#: verb or frame that says what a value is ("under the deal", "threatened") mostly precedes it.
STATUS_WORDS = (12, 6)

#: Which quantity kinds can fill an indicator of each catalogue unit.
KINDS_FOR_UNIT = {
    "percent": ("percent",),
    "percent_gdp": ("percent_gdp",),
    "usd": ("money",),
    "usd_per_year": ("money",),
    "count": ("count",),
}


#: Words that introduce the date a measure takes effect.
_EFFECTIVE = re.compile(r"\b(?:starting|from|effective|beginning|as of|as from|on)\s+$")
#: Words before a number that make it a level rather than a change.
_LEVEL_LEAD = re.compile(r"\b(?:to|at|of|reach(?:ed|es)?|around|about|nearly|roughly)\s+$")


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
        reported = report_month(doc._.document.published if doc._.document else None)
        quantities = doc._.quantities
        for i, quantity in enumerate(quantities):
            # The two ends of a range or a transition measure one thing, named after the
            # second ("10 to 20 percent levy on imports"): read both in the second's context.
            anchor = quantity
            if quantity.role in ("low", "from") and i + 1 < len(quantities) \
                    and quantities[i + 1].role in ("high", "to"):
                anchor = quantities[i + 1]
            cue_start, cue_end = layout.window(anchor.start, anchor.end, CUE_WORDS)
            start, end = layout.window(anchor.start, anchor.end, *STATUS_WORDS)
            own_start, own_end = layout.window(anchor.start, anchor.end, PHRASE_WORDS)
            lead = text[max(0, anchor.start - 24):anchor.start].lower()
            indicator = self.indicator_for(anchor, text[cue_start:cue_end].lower(),
                                           text[own_start:own_end].lower(),
                                           level=bool(_LEVEL_LEAD.search(lead)))
            if indicator is None:
                continue
            status, status_rule = self.status_for(quantity, text[start:end].lower())
            when = self.when_for(quantity, status, doc._.times, layout, reported)
            actor = _nearest_state_before(doc._.actors, quantity.start, layout)
            found.append(ObservationMatch(
                indicator=indicator.id, value=quantity.value, unit=indicator.unit, status=status,
                when=when, start=start, end=end, actor=actor,
                rule=f"obs.cue/{indicator.id}+status.{status_rule}"))
        doc._.observations = _one_per_fact(found)
        return doc

    def indicator_for(self, quantity: Quantity, context: str, phrase: str, *,
                      level: bool = False) -> Indicator | None:
        """The indicator whose unit fits and whose cues are all near, the nearest first (the
        words closest to a number say what it measures), then the highest priority.

        A share of GDP is often written as a bare percentage once the story has said what it
        measures ("to raise its military budget to 2% by 2027"); ``level`` says the number is
        read as a level ("to 2%", "at 1.6%"), not a change ("by 9%"), and lets it count.
        Exclusions are looked for in the number's own ``phrase``, cues in the wider
        ``context``: a word that rules an indicator out must qualify this number, not the
        next one.
        """
        center = context.find(quantity.text.lower())
        best: tuple[int, int, Indicator] | None = None
        for cues in self.cues:
            unit = cues.indicator.unit
            kinds = KINDS_FOR_UNIT[unit]
            if not (quantity.kind in kinds or
                    (level and unit == "percent_gdp" and quantity.kind == "percent")):
                continue
            if quantity.kind == "money" and quantity.currency not in ("USD", None):
                continue  # a yen or euro figure is not a dollar value: never relabel it
            if cues.exclude is not None and cues.exclude.search(phrase):
                continue
            reach = _reach(cues.groups, context, center, center + len(quantity.text))
            rank = (reach, -cues.indicator.priority)
            if reach is not None and (best is None or rank < best[:2]):
                best = (*rank, cues.indicator)
        return best[2] if best else None

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
    def when_for(quantity: Quantity, status: str, times: list[TimeExpr], layout: Layout,
                 reported: str | None) -> str | None:
        """The time the value refers to: a deadline for a target; the date a measure takes
        effect ("starting April 3") for one announced or threatened; else the time expression
        nearest the number in its sentence, or one stated earlier in the paragraph. A claim
        (announced, agreed, demanded, proposed, threatened) with no time is dated by its
        report; an old value ("from 1%") never takes the deadline of the new one."""
        s_start, s_end = layout.sentence(quantity.start)
        text = layout.match_text
        candidates = [t for t in times if s_start <= t.start < s_end and t.value]
        if status == "target":
            candidates = [t for t in candidates if t.kind in ("deadline", "fiscal")] or candidates
        else:
            candidates = [t for t in candidates if t.kind not in ("deadline", "fiscal")]
            effective = [t for t in candidates if t.start >= quantity.end
                         and _EFFECTIVE.search(text[max(s_start, t.start - 16):t.start])]
            if effective and status in ("announced", "threatened"):
                return effective[0].value
        if candidates:
            nearest = min(candidates, key=lambda t: min(abs(t.start - quantity.end),
                                                        abs(quantity.start - t.end)))
            return nearest.value
        if status == "target":
            return None
        earlier = time_earlier_in_paragraph(times, layout, s_start)
        if earlier or status == "actual":
            return earlier
        return reported


def _one_per_fact(found: list[ObservationMatch]) -> list[ObservationMatch]:
    """One record per indicator, value and status in a document, as for events: a figure
    repeated (headline, lead, body) is one fact. The first mention is kept, unless a later one
    dates it more precisely ("in July", then "on July 22")."""
    kept: dict[tuple[str, float, str], ObservationMatch] = {}
    for match in found:
        key = (match.indicator, match.value, match.status)
        old = kept.get(key)
        if old is None or (match.when is not None and (
                old.when is None or (len(match.when) > len(old.when)
                                     and match.when.startswith(old.when)))):
            kept[key] = match
    return sorted(kept.values(), key=lambda m: m.start)


def _reach(groups: tuple[re.Pattern[str], ...], context: str, start: int,
           end: int) -> int | None:
    """How far from the number (the span [start, end) of ``context``) the farthest cue group
    is matched, in steps of a few words (within a step, priority decides); None when a group
    has no match."""
    farthest = 0
    for group in groups:
        distances = [start - m.end() if m.end() <= start else max(0, m.start() - end)
                     for m in group.finditer(context)]
        if not distances:
            return None
        farthest = max(farthest, min(distances))
    return farthest // REACH_STEP


def _nearest_state_before(mentions, offset: int, layout: Layout) -> str | None:
    s_start, _ = layout.sentence(offset)
    before = [m for m in mentions if s_start <= m.start < offset and m.acts_for_state and m.state]
    return before[-1].state if before else None
