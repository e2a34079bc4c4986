"""Where the sources disagree about an indicator, and the current values with that in mind.

Two kinds of disagreement are listed, each with every side's claims (and so their quotes):

- ``value``: the same indicator, status and time, different values ("agreed in July: 15%" and
  "agreed in July: 10%").
- ``time``: the same indicator, status and value attached to different times that do not lie
  inside one another (a pledge "in February" and the same pledge "in July"). Only for statuses
  that happen once to one value: an announcement, a deal, a target's deadline. A rate in force
  (actual) or a demand, proposal or threat repeated later is not a disagreement.

A disagreement is between documents: one document that gives both sides (a transition "to 15%
from 27.5%" read as two rates, a figure and its component) disputes nothing. A dispute needs two
sides each stated by an original document that states no other side.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from bilateral.analyse.claims import Claim, IndicatorHistory
from bilateral.analyse.periods import within

#: Statuses for which one value has one time, so two times for it are a disagreement.
ONCE = frozenset({"announced", "agreed", "target"})


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


def disputes(histories: Iterable[IndicatorHistory]) -> list[Dispute]:
    """Every disagreement in these histories, the most contested first (by the support of
    the second-best side, then of all sides)."""
    found: list[Dispute] = []
    for history in histories:
        by_time: dict[tuple[str, str], list[Claim]] = defaultdict(list)
        by_value: dict[tuple[str, float], list[Claim]] = defaultdict(list)
        for claim in history.claims:
            if claim.when is None:
                continue
            by_time[(claim.status, claim.when)].append(claim)
            if claim.status in ONCE:
                by_value[(claim.status, claim.value)].append(claim)
        for (status, _), claims in by_time.items():
            if between_documents(claims):
                found.append(_dispute(history, status, "value", claims))
        for (status, _), claims in by_value.items():
            apart = [c for c in claims if not any(
                o is not c and o.when and c.when and within(o.when, c.when) for o in claims)]
            if between_documents(apart):
                found.append(_dispute(history, status, "time", apart))
    found.sort(key=lambda d: (-d.contest, -d.sources, d.indicator, d.status, d.kind))
    return found


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
