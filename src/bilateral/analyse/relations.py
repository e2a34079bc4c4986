"""The relations index: a monthly cooperation–conflict score per directed dyad.

Scores come from timeline entries, so an event reported by ten outlets counts once; how many
sources stand behind it shows in the timeline, not in the score. Each event adds its PLOVER
type's weight (the dossier's ``index.weights``) to its month in the direction source→target;
symmetric types (a meeting, a deal) count in both directions. Events dated only to a year have
no month and are left out. All dyads share one run of months, zero where nothing happened, so
that their series line up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bilateral.analyse.periods import month, months
from bilateral.analyse.timeline import TimelineEntry, timeline
from bilateral.dossier import Dossier, RelationsIndex
from bilateral.records import SYMMETRIC_TYPES
from bilateral.store import Store

#: A mean monthly change of the score below this reads as steady, not warming or cooling.
STEADY = 0.5


@dataclass(frozen=True)
class IndexMonth:
    month: str  # YYYY-MM
    score: float  # the sum of the month's event weights
    events: int
    cooperation: float  # the sum of the positive weights
    conflict: float  # the sum of the negative weights (zero or below)

    @property
    def mean(self) -> float | None:
        """The average weight of the month's events: its tone whatever the news volume."""
        return self.score / self.events if self.events else None


@dataclass(frozen=True)
class DyadIndex:
    source: str
    target: str
    months: tuple[IndexMonth, ...]

    @property
    def label(self) -> str:
        return f"{self.source}→{self.target}"

    @property
    def events(self) -> int:
        return sum(m.events for m in self.months)

    @property
    def score(self) -> float:
        return sum(m.score for m in self.months)

    def trend(self, window: int = 3) -> float | None:
        """Mean monthly score over the last ``window`` months minus the ``window`` before:
        above zero the dyad is warming, below cooling. None without two full windows."""
        if len(self.months) < 2 * window:
            return None
        recent = self.months[-window:]
        before = self.months[-2 * window:-window]
        return (sum(m.score for m in recent) - sum(m.score for m in before)) / window

    def tone(self, window: int = 3) -> str:
        """The trend in a word: warming, cooling, steady, or "too short to tell"."""
        trend = self.trend(window)
        if trend is None:
            return "too short to tell"
        if abs(trend) < STEADY:
            return "steady"
        return "warming" if trend > 0 else "cooling"


def score_months(entries: Iterable[TimelineEntry], weights: RelationsIndex, *,
                 since: str | None = None, until: str | None = None,
                 first: tuple[str, str] | None = None) -> list[DyadIndex]:
    """The index of every directed dyad in ``entries``; ``first`` (and its reverse) lead, the
    rest follow by the number of events behind them."""
    return dyad_series(index_cells(entries, weights), since=since, until=until, first=first)


Cells = dict[tuple[str, str], dict[str, IndexMonth]]


def index_cells(entries: Iterable[TimelineEntry], weights: RelationsIndex) -> Cells:
    """Each directed dyad's months that have events, with their sums."""
    cells: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for entry in entries:
        when = month(entry.when)
        if when is None:
            continue
        weight = weights.weight(entry.type)
        directions = [(entry.source, entry.target)]
        if entry.type in SYMMETRIC_TYPES:
            directions.append((entry.target, entry.source))
        for pair in directions:
            cells[pair][when].append(weight)
    return {pair: {m: _month(m, found) for m, found in sorted(by_month.items())}
            for pair, by_month in cells.items()}


def dyad_series(cells: Cells, *, since: str | None = None, until: str | None = None,
                first: tuple[str, str] | None = None) -> list[DyadIndex]:
    """The index of every dyad with cells: one run of months for all, from ``since`` (else the
    first month with an event) to ``until`` (else the last), zero where nothing happened."""
    seen = [m for by_month in cells.values() for m in by_month]
    if not seen:
        return []
    span = list(months(month(since) or (since + "-01" if since else min(seen)),
                       month(until) or (until + "-12" if until else max(seen))))
    result = [DyadIndex(source=source, target=target, months=tuple(
                  by_month.get(m) or _month(m, []) for m in span))
              for (source, target), by_month in cells.items()]
    result.sort(key=lambda d: dyad_rank(d.source, d.target, d.events, first))
    return result


def dyad_rank(source: str, target: str, events: int,
              first: tuple[str, str] | None) -> tuple[int, int, str, str]:
    """Where a directed dyad is listed: the pair ``first`` (either way round) leads, then the
    dyads with the most events."""
    lead = [first, first[::-1]] if first else []
    pair = (source, target)
    return (lead.index(pair) if pair in lead else len(lead), -events, source, target)


def dossier_index(entries: Iterable[TimelineEntry], dossier: Dossier, *,
                  since: str | None = None, until: str | None = None) -> list[DyadIndex]:
    """``score_months`` with the dossier's weights, its own pair leading."""
    return score_months(entries, dossier.index, since=since, until=until,
                        first=tuple(dossier.dyad))


def relations_index(store: Store, dossier: Dossier, *, state: str | None = None,
                    since: str | None = None, until: str | None = None) -> list[DyadIndex]:
    """The index of every directed dyad in the store (or those involving ``state``)."""
    return dossier_index(timeline(store, state=state, since=since, until=until), dossier,
                         since=since, until=until)


def _month(when: str, weights: list[float]) -> IndexMonth:
    return IndexMonth(month=when, score=sum(weights), events=len(weights),
                      cooperation=sum(w for w in weights if w > 0),
                      conflict=sum(w for w in weights if w < 0))
