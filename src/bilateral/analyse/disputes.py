"""Where the sources disagree about an indicator, where a figure was revised, and the current
values with that in mind.

Two kinds of difference are looked for, each with every side's claims (and so their quotes):

- ``value``: the same indicator, status and time, different values ("agreed in July: 15%" and
  "agreed in July: 10%").
- ``time``: the same indicator, status and value attached to different times that do not lie
  inside one another (a pledge "in February" and the same pledge "in July"). Only for statuses
  that happen once to one value: an announcement, a deal, a target's deadline. A rate in force
  (actual) or a demand, proposal or threat repeated later is not a difference.

A difference is between documents: one document that gives both sides (a transition "to 15%
from 27.5%" read as two rates, a figure and its component) differs from nothing. Each side needs
an original document that states no other side: its own documents.

Such a difference is a **revision** when it reads as a change over time, and a **dispute**
otherwise. It is a revision when

1. every own document of every side has a publication date, and the sides' own documents
   follow one another in time: each side's earliest own document was published more than
   ``SAME_TIME`` after the latest own document of the side before it (a later document that
   also mentions the old value is no side's own document and does not stand in the way); and
2. every report that names who states the value names the same state (the same source moves
   its own figure: a target brought forward from fiscal 2027 to 2025, a rate lowered).

A dispute is what remains: different original documents stating incompatible values for the
same indicator, status and time at about the same time, or sides whose dates interleave (A, then
B, then A again), or values stated for different states.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from itertools import pairwise
from typing import Literal

from bilateral.analyse.claims import Claim, IndicatorHistory
from bilateral.analyse.periods import first_day, last_day, within

#: Statuses for which one value has one time, so two times for it are a disagreement.
ONCE = frozenset({"announced", "agreed", "target"})
#: Publication dates closer than this are "about the same time": documents that far apart
#: disagree, they do not revise one another.
SAME_TIME = timedelta(days=3)


@dataclass(frozen=True)
class Dispute:
    indicator: str
    name: str
    status: str
    kind: Literal["value", "time"]
    claims: tuple[Claim, ...]  # the sides, best sourced first
    hidden: int = 0  # sides left out by ``top``

    @property
    def sources(self) -> int:
        return sum(c.sources for c in self.claims)

    @property
    def contest(self) -> int:
        """The sources of the second-best side: a disagreement matters when both sides have
        support, not when one figure is stated once against many."""
        return self.claims[1].sources if len(self.claims) > 1 else 0

    def top(self, sides: int) -> Dispute:
        """The dispute with its ``sides`` best-sourced sides, counting the others in ``hidden``."""
        if len(self.claims) <= sides:
            return self
        return replace(self, claims=self.claims[:sides],
                       hidden=self.hidden + len(self.claims) - sides)

    @property
    def subject(self) -> str:
        """What the sides share: the time for a value dispute, the value for a time dispute."""
        first = self.claims[0]
        return (first.when or "undated") if self.kind == "value" else f"{first.value:.12g}"


@dataclass(frozen=True)
class Revision:
    """A figure its source changed over time: the values in the order they were published."""

    indicator: str
    name: str
    status: str
    kind: Literal["value", "time"]
    steps: tuple[Claim, ...]  # the oldest statement first, the newest last

    @property
    def before(self) -> Claim:
        return self.steps[0]

    @property
    def after(self) -> Claim:
        return self.steps[-1]

    @property
    def sources(self) -> int:
        return sum(c.sources for c in self.steps)

    @property
    def subject(self) -> str:
        """What the steps share: the time for a value revision, the value for a time one."""
        first = self.steps[0]
        return (first.when or "undated") if self.kind == "value" else f"{first.value:.12g}"


def disputes(histories: Iterable[IndicatorHistory]) -> list[Dispute]:
    """Every disagreement in these histories that is not a revision, the most contested first
    (by the support of the second-best side, then of all sides)."""
    return differences(histories)[0]


def revisions(histories: Iterable[IndicatorHistory]) -> list[Revision]:
    """Every revision in these histories, the most recent first."""
    return differences(histories)[1]


def differences(histories: Iterable[IndicatorHistory]
                ) -> tuple[list[Dispute], list[Revision]]:
    """The disputes and the revisions of these histories (see the module docstring)."""
    found: list[Dispute] = []
    revised: list[Revision] = []
    for history in histories:
        by_time: dict[tuple[str, str], list[Claim]] = defaultdict(list)
        by_value: dict[tuple[str, float], list[Claim]] = defaultdict(list)
        for claim in history.claims:
            if claim.when is None:
                continue
            by_time[(claim.status, claim.when)].append(claim)
            if claim.status in ONCE:
                by_value[(claim.status, claim.value)].append(claim)
        groups: list[tuple[str, Literal["value", "time"], list[Claim]]] = [
            (status, "value", claims) for (status, _), claims in by_time.items()]
        for (status, _), claims in by_value.items():
            apart = [c for c in claims if not any(
                o is not c and o.when and c.when and within(o.when, c.when) for o in claims)]
            groups.append((status, "time", apart))
        for status, kind, claims in groups:
            if not between_documents(claims):
                continue
            steps = revision_order(claims)
            if steps is None:
                found.append(_dispute(history, status, kind, claims))
            else:
                revised.append(Revision(indicator=history.indicator, name=history.name,
                                        status=status, kind=kind, steps=tuple(steps)))
    found.sort(key=lambda d: (-d.contest, -d.sources, d.indicator, d.status, d.kind))
    revised.sort(key=lambda r: (r.after.last_reported, r.indicator, r.status, r.kind),
                 reverse=True)
    return found, revised


def revision_order(sides: list[Claim]) -> list[Claim] | None:
    """The sides in the order their own documents published them, when they read as one
    source's figure changing over time; None when they read as a dispute."""
    if len({r.actor for side in sides for r in side.reports if r.actor}) > 1:
        return None
    own = _own_documents(sides)
    spans = []
    for side, documents in zip(sides, own, strict=True):
        dates = [published for _, published in documents]
        if not dates or any(d is None for d in dates):
            return None
        spans.append((min(first_day(d) for d in dates), max(last_day(d) for d in dates), side))
    spans.sort(key=lambda span: span[0])
    for (_, latest, _), (earliest, _, _) in pairwise(spans):
        if earliest - latest <= SAME_TIME:
            return None
    return [side for _, _, side in spans]


def _own_documents(sides: list[Claim]) -> list[set[tuple[str, str | None]]]:
    """Per side, the original documents (id, publication date) that state no other side.

    An original's date is its own; one known only through a copy takes the copy's."""
    published: dict[str, str | None] = {}
    for side in sides:
        for r in side.reports:
            if r.doc.duplicate_of is None:
                published[r.doc.original] = r.doc.published
            else:
                published.setdefault(r.doc.original, r.doc.published)
    originals = [{r.doc.original for r in side.reports} for side in sides]
    seen: dict[str, int] = defaultdict(int)
    for documents in originals:
        for document in documents:
            seen[document] += 1
    return [{(doc, published[doc]) for doc in documents if seen[doc] == 1}
            for documents in originals]


def between_documents(sides: list[Claim]) -> bool:
    """Whether at least two of ``sides`` are each stated by an original document that states
    no other side: documents, not one document read two ways, disagree."""
    backing = [{r.doc.original for r in side.reports} for side in sides]
    seen: dict[str, int] = defaultdict(int)
    for documents in backing:
        for document in documents:
            seen[document] += 1
    return sum(1 for documents in backing if any(seen[d] == 1 for d in documents)) >= 2


def _dispute(history: IndicatorHistory, status: str, kind: Literal["value", "time"],
             claims: list[Claim]) -> Dispute:
    ordered = sorted(claims, key=lambda c: (-c.sources, c.when or "", c.value))
    return Dispute(indicator=history.indicator, name=history.name, status=status, kind=kind,
                   claims=tuple(ordered))


@dataclass(frozen=True)
class CurrentValue:
    """The current value of one indicator for one status; ``disputed`` when sources give
    another value for the same status and time."""

    history: IndicatorHistory
    status: str
    claim: Claim
    disputed: bool


def current_values(histories: Iterable[IndicatorHistory],
                   found: Iterable[Dispute]) -> list[CurrentValue]:
    """Per indicator (in the given order) and status, the current claim (see
    ``IndicatorHistory.current``), flagged when a value dispute involves it."""
    disputed = {c.id for d in found if d.kind == "value" for c in d.claims}
    return [CurrentValue(history=h, status=s, claim=c, disputed=c.id in disputed)
            for h in histories for s in h.statuses() if (c := h.current(s)) is not None]
