"""The answers a server gives, read from the analysis kept in the store.

Histories, disputes, the timeline and the index are kept in the store's ``answer_*`` tables
by ``bilateral.analyse.kept`` (refreshed as ingest writes), so every worker reads the same
answers with indexed queries: nothing is computed per worker, and a new worker is ready at once.
Listings page by key (``after``): each page starts where the last one ended, however deep.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bilateral.analyse import CurrentValue, IndicatorHistory
from bilateral.analyse.claims import Claim
from bilateral.analyse.kept import (
    load_claim,
    load_dispute,
    load_entry,
    load_history,
    load_revision,
    record_key,
    refresh,
    status_rank,
)
from bilateral.analyse.relations import DyadIndex, IndexMonth, dyad_rank, dyad_series
from bilateral.dossier import Dossier
from bilateral.records import Observation
from bilateral.report.negotiations import Outlook, outlook
from bilateral.store import Store
from bilateral.store.answers import KeptRows
from bilateral.store.store import StampedCounts


@dataclass(frozen=True)
class Listed:
    """One page of a kept listing: its items, the key to continue after, and the total."""

    items: list[Any]
    after: str | None  # pass as ``after`` for the next page; None on the last
    total: int


class Answers:
    """The kept answers of ``store``, as the analysis' own types.

    With ``keep``, a server that runs no refresher process keeps them itself: a read first
    refreshes them when a write marked a change they do not show yet."""

    def __init__(self, store: Store, dossier: Dossier, *, keep: bool = False) -> None:
        self.store = store
        self.dossier = dossier
        self.keep = keep
        self._order = {i.id: n for n, i in enumerate(dossier.indicators)}
        self._counted = StampedCounts()  # listing totals, while the kept answers stand

    def _kept(self) -> KeptRows:
        if self.keep and self.store.kept.pending():
            refresh(self.store, self.dossier)  # at once if another process is at it
        return self.store.kept

    def _count(self, key: tuple[Any, ...], count: Callable[[], int]) -> int:
        """``count()``, kept while the kept answers do not change: a listing's total comes with
        every page, and counting tens of thousands of kept rows takes longer than the page."""
        return self._counted.get(key, self.store.kept.changes(), count)

    def _history_order(self, row: dict[str, Any]) -> tuple[bool, int, str]:
        return (not row["key"], self._order.get(row["indicator"], len(self._order)),
                row["indicator"])

    def histories(self) -> list[IndicatorHistory]:
        """Every indicator with a claim, without its claims, in the dossier's order."""
        kept = self._kept()
        rows = sorted(kept.histories(), key=self._history_order)
        return [load_history(row, ()) for row in rows]

    def history(self, indicator: str, *, since: str | None = None, until: str | None = None,
                after: int = -1, limit: int | None = None,
                reports: int | None = None) -> Listed | None:
        """The indicator's history with its claims in time order after position ``after`` (at
        most ``limit``); ``after`` of the result continues it. None when the store has none.
        ``reports``, here and below, is how many reports of each claim or entry to read: the
        first ones, those shown (all kept by default); their tallies count them all."""
        kept = self._kept()
        meta = next((row for row in kept.histories() if row["indicator"] == indicator), None)
        if meta is None:
            return None
        rows = kept.claims(indicator, since=since, until=until, after=after, limit=limit)
        history = load_history(meta, [load_claim(body, reports) for _, body in rows])
        more = limit is not None and len(rows) == limit
        total = (self._count(("claims", indicator, since, until),
                             lambda: kept.count_claims(indicator, since, until))
                 if more or after >= 0 else len(rows))
        return Listed(items=[history], after=str(rows[-1][0]) if more else None, total=total)

    def current(self, indicator: str | None = None, *,
                reports: int | None = None) -> list[CurrentValue]:
        """Every indicator's (or one's) current value per status, in the dossier's order."""
        kept = self._kept()
        metas = {row["indicator"]: load_history(row, ()) for row in kept.histories()}
        found = []
        for row in kept.current(indicator):
            history = metas.get(row["indicator"])
            if history is not None:
                found.append(CurrentValue(history=history, status=row["status"],
                                          claim=load_claim(row["body"], reports),
                                          disputed=bool(row["disputed"])))
        order = {h: self._history_order({"indicator": h, "key": m.key})
                 for h, m in metas.items()}
        found.sort(key=lambda v: (order[v.history.indicator], status_rank(v.status)))
        return found

    def current_of(self, indicator: str, *,
                   reports: int | None = None) -> list[tuple[str, Claim]]:
        """(status, claim) of the indicator's current values, in status order."""
        return [(v.status, v.claim) for v in self.current(indicator, reports=reports)]

    def disputes(self, indicator: str | None = None, *, after: str | None = None,
                 offset: int = 0, limit: int | None = None,
                 reports: int | None = None) -> Listed:
        """Disputes, the most contested first."""
        return self._differences("dispute", load_dispute, indicator, after, offset, limit,
                                 reports)

    def revisions(self, indicator: str | None = None, *, after: str | None = None,
                  offset: int = 0, limit: int | None = None,
                  reports: int | None = None) -> Listed:
        """Revisions, the most recent first."""
        return self._differences("revision", load_revision, indicator, after, offset, limit,
                                 reports)

    def _differences(self, kind: str, load: Any, indicator: str | None, after: str | None,
                     offset: int, limit: int | None, reports: int | None) -> Listed:
        kept = self._kept()
        rows = kept.differences(kind, indicator=indicator, after=after, offset=offset,
                                limit=limit, descending=kind == "revision")
        where = {"kind": kind, **({"indicator": indicator} if indicator else {})}
        return Listed(items=[load(body, reports) for _, body in rows], after=_next(rows, limit),
                      total=self._count(("differences", *where.values()),
                                        lambda: kept.count("differences", **where)))

    def events(self, *, state: str | None = None, type: str | None = None,
               since: str | None = None, until: str | None = None, min_sources: int = 1,
               after: str | None = None, offset: int = 0, newest: bool = True,
               limit: int | None = None, total: bool = True,
               reports: int | None = None) -> Listed:
        """Timeline entries matching every filter, newest (or oldest) first."""
        kept = self._kept()
        filters = {"state": state, "type": type, "since": since, "until": until,
                   "min_sources": min_sources}
        rows = kept.entries(**filters, after=after, offset=offset, newest=newest, limit=limit)
        return Listed(items=[load_entry(body, reports) for _, body in rows],
                      after=_next(rows, limit),
                      total=self._count(("entries", *filters.values()),
                                        lambda: kept.count_entries(**filters)) if total else -1)

    def index(self, *, state: str | None = None, since: str | None = None,
              until: str | None = None, dyads: int | None = None) -> list[DyadIndex]:
        """The relations index of the directed dyads (involving ``state``), the dossier's pair
        first and then the busiest, at most ``dyads`` of them; months are whole: one
        overlapping [since, until] counts. Only the months of the dyads shown are read."""
        kept = self._kept()
        found = kept.index_dyads(state, since, until)
        if not found:
            return []
        first = self.dossier.dyad
        found.sort(key=lambda d: dyad_rank(d[0], d[1], d[2], first))
        cells: dict[tuple[str, str], dict[str, Any]] = {}
        for source, target, month, score, events, cooperation, conflict in kept.index(
                [d[:2] for d in found[:dyads]], since, until):
            cells.setdefault((source, target), {})[month] = IndexMonth(
                month=month, score=score, events=events, cooperation=cooperation,
                conflict=conflict)
        # the months run over every dyad's, shown or not, as they would were all shown
        return dyad_series(cells, since=since or min(d[3] for d in found),
                           until=until or max(d[4] for d in found),
                           first=first)

    def states(self) -> set[str]:
        """Every state the timeline involves."""
        return self._kept().entry_states()

    def counts(self) -> dict[str, int]:
        kept = self._kept()
        return {"claims": kept.count("claims"),
                "disputes": kept.count("differences", kind="dispute"),
                "events": kept.count("entries")}

    def claims_of(self, observations: Iterable[Observation]) -> dict[str, str]:
        """The id of the claim each observation is part of, keyed by its ``record_key``."""
        keys = {record_key(o.indicator, o.status, o.value, o.when) for o in observations}
        return self._kept().members("claim", keys)

    def pending(self) -> int:
        """Changes written that the kept answers do not show yet."""
        return self.store.kept.pending()


def _next(rows: list[tuple[str, str]], limit: int | None) -> str | None:
    return rows[-1][0] if limit is not None and len(rows) == limit else None


class Forecasts:
    """Forecasts of the dossier's negotiations, kept per state of the store.

    A forecast with its Monte Carlo runs takes up to seconds, and the same one is asked for
    again by every reader of a page, so the latest ``size`` are kept, keyed by the store's
    version and every parameter: an ingest makes them all stale at once. Runs are seeded, so a
    kept forecast is the one a new run would make."""

    def __init__(self, store: Store, dossier: Dossier, size: int = 64) -> None:
        self.store = store
        self.dossier = dossier
        self.size = size
        self._kept: OrderedDict[tuple[Any, ...], Outlook] = OrderedDict()
        self._lock = threading.Lock()  # held while the kept forecasts change, not while made

    def get(self, issue_id: str, *, as_of: dt.date | None, model: str, runs: int,
            seed: int) -> Outlook:
        """The outlook of ``issue_id`` (see ``bilateral.report.negotiations.outlook``)."""
        key = (self.store.version(), issue_id, as_of, model, runs, seed)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        made = outlook(self.dossier, issue_id, self.store, as_of=as_of, model=model, runs=runs,
                       seed=seed)
        with self._lock:
            self._kept[key] = made
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return made
