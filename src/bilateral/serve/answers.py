"""The analysis a server answers from, computed once per state of the store.

Histories, disputes and the merged timeline read every record, which takes seconds on a large
store, so a server keeps one snapshot and shares it between requests. Every ``max_age`` seconds
(or, after a long analysis, as long as it took) a request checks the store's version; when it
changed, the analysis is recomputed in the background while requests go on getting the
snapshot they had, so a busy ingest never stalls the readers. Only the first snapshot is
waited for. Filters by period,
state or type are applied to the snapshot in memory.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from bilateral.analyse import (
    CurrentValue,
    Dispute,
    IndicatorHistory,
    Revision,
    TimelineEntry,
    current_values,
    differences,
    histories,
    timeline,
)
from bilateral.analyse.periods import overlaps
from bilateral.dossier import Dossier
from bilateral.report.negotiations import Outlook, outlook
from bilateral.store import Store, StoreStats


@dataclass(frozen=True)
class Snapshot:
    version: tuple[Any, ...]
    histories: list[IndicatorHistory]
    disputes: list[Dispute]
    revisions: list[Revision]
    current: list[CurrentValue]
    timeline: list[TimelineEntry]
    stats: StoreStats  # the store's counts when the analysis read it
    computed_at: float  # time.monotonic()

    def history(self, indicator: str) -> IndicatorHistory | None:
        return next((h for h in self.histories if h.indicator == indicator), None)

    def events(self, *, state: str | None = None, type: str | None = None,
               since: str | None = None, until: str | None = None,
               min_sources: int = 1) -> list[TimelineEntry]:
        return [e for e in self.timeline
                if (state is None or state in (e.source, e.target))
                and (type is None or e.type == type) and e.sources >= min_sources
                and overlaps(e.when, since, until)]


class Answers:
    """A shared snapshot of the store's analysis, refreshed in the background."""

    def __init__(self, store: Store, dossier: Dossier, max_age: float = 5.0) -> None:
        self.store = store
        self.dossier = dossier
        self.max_age = max_age
        self._snapshot: Snapshot | None = None
        self._checked = 0.0  # time.monotonic() of the last version check or analysis
        self._lock = threading.Lock()  # held while a snapshot is computed
        self._refresher: threading.Thread | None = None
        self._took = 0.0  # seconds the last analysis took

    def get(self) -> Snapshot:
        """The newest snapshot there is; the first call waits for it to be computed."""
        snapshot = self._snapshot
        if snapshot is None:
            with self._lock:
                if self._snapshot is None:
                    self._snapshot = self._compute(self.store.version())
                return self._snapshot
        now = time.monotonic()
        # Never busier than half the time: after a refresh of 30 s, wait 30 s before the next.
        if now - self._checked >= max(self.max_age, self._took):
            self._checked = now
            version = self.store.version()
            if version != snapshot.version:
                self._refresh(version)
        return snapshot

    def wait(self) -> Snapshot:
        """The snapshot once any refresh under way is done (for tests and benchmarks)."""
        refresher = self._refresher
        if refresher is not None:
            refresher.join()
        return self.get()

    def _refresh(self, version: tuple[Any, ...]) -> None:
        if not self._lock.acquire(blocking=False):
            return  # a refresh is under way; it will be checked again after max_age

        def run() -> None:
            try:
                self._snapshot = self._compute(version)
            finally:
                self._lock.release()

        self._refresher = threading.Thread(target=run, name="bilateral-answers", daemon=True)
        self._refresher.start()

    def _compute(self, version: tuple[Any, ...]) -> Snapshot:
        started = time.monotonic()
        try:
            return self._analyse(version)
        finally:
            # the version was just read; the next check comes max_age, or as long as this
            # analysis took, after it ended
            self._checked = time.monotonic()
            self._took = self._checked - started

    def _analyse(self, version: tuple[Any, ...]) -> Snapshot:
        stories = histories(self.store, self.dossier)
        found, revised = differences(stories)
        return Snapshot(version=version, histories=stories, disputes=found, revisions=revised,
                        current=current_values(stories, found), timeline=timeline(self.store),
                        stats=self.store.stats(), computed_at=time.monotonic())


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
