"""The analysis a server answers from, computed once per state of the store.

Histories, disputes and the merged timeline read every record, which takes seconds on a large
store, so a server keeps one snapshot and shares it between requests. The store's version (runs,
documents, records) is checked on each request; a changed store is analysed again, at most once
every ``max_age`` seconds while writes keep coming, so a busy ingest never turns every read into
a full recomputation. Filters by period, state or type are applied to the snapshot in memory.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from bilateral.analyse import (
    CurrentValue,
    Dispute,
    IndicatorHistory,
    TimelineEntry,
    current_values,
    disputes,
    histories,
    timeline,
)
from bilateral.analyse.periods import overlaps
from bilateral.dossier import Dossier
from bilateral.store import Store


@dataclass(frozen=True)
class Snapshot:
    version: tuple[int, int, int]
    histories: list[IndicatorHistory]
    disputes: list[Dispute]
    current: list[CurrentValue]
    timeline: list[TimelineEntry]
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
    """A shared, lazily refreshed snapshot of the store's analysis."""

    def __init__(self, store: Store, dossier: Dossier, max_age: float = 5.0) -> None:
        self.store = store
        self.dossier = dossier
        self.max_age = max_age
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def get(self) -> Snapshot:
        """The current snapshot; recomputed when the store changed and the last one is older
        than ``max_age`` (or there is none)."""
        current = self._snapshot
        if current is not None and time.monotonic() - current.computed_at < self.max_age:
            return current
        version = self.store.version()
        if current is not None and current.version == version:
            return current
        with self._lock:  # one recomputation at a time; the others wait and share it
            current = self._snapshot
            if current is not None and current.version == version:
                return current
            self._snapshot = self._compute(version)
            return self._snapshot

    def _compute(self, version: tuple[int, int, int]) -> Snapshot:
        stories = histories(self.store, self.dossier)
        found = disputes(stories)
        return Snapshot(version=version, histories=stories, disputes=found,
                        current=current_values(stories, found), timeline=timeline(self.store),
                        computed_at=time.monotonic())
