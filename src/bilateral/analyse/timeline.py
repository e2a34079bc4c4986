"""The timeline: coded events merged across documents into one entry per real-world event.

Reports of the same type between the same pair of states at the same date, at the precision
available, are one event ("the summit on February 7" in five articles, and "the February
summit" in a sixth). A coarser date joins the one finer date inside it; when two finer dates
lie inside it, it stays an entry of its own. Undated events have no place on a timeline and are
left out. The order of a symmetric type's sides carries no meaning (a meeting of Japan and the
U.S. is one meeting), so those merge whichever side the text named first.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from bilateral.analyse.claims import (
    Report,
    Sentences,
    Tally,
    first_report,
    sentences_of,
    to_report,
)
from bilateral.analyse.periods import by_time, merge_precisions, overlaps, sort_key
from bilateral.records import PLOVER_TYPES, Event, dyad
from bilateral.store import Citation, Store


@dataclass(frozen=True)
class TimelineEntry:
    id: str
    when: str
    type: str
    source: str
    target: str
    reports: tuple[Report, ...]
    tally: Tally | None = None  # when only the first reports are kept (analyse.kept)

    @property
    def sources(self) -> int:
        """Distinct original documents reporting the event."""
        return self.tally.sources if self.tally else len({r.doc.original for r in self.reports})

    @property
    def reports_total(self) -> int:
        return self.tally.reports if self.tally else len(self.reports)

    @property
    def quote(self) -> Report:
        return first_report(self.reports)


def entry_id(kind: str, source: str, target: str, when: str) -> str:
    """A short stable id of a timeline entry, for links."""
    return hashlib.blake2b(f"{kind}|{source}|{target}|{when}".encode(), digest_size=6).hexdigest()


def merge_events(events: Iterable[Event], citations: dict[str, Citation],
                 sentences: Sentences | None = None) -> list[TimelineEntry]:
    """Dated events merged into timeline entries, in time order; ``sentences`` as in
    ``merge_claims``."""
    groups: dict[tuple[str, str, str], list[Event]] = defaultdict(list)
    for e in events:
        if e.when:
            groups[(e.type, *dyad(e.type, e.source, e.target))].append(e)
    entries = []
    for (kind, source, target), reported in groups.items():
        for when, reports in merge_precisions(by_time(reported, lambda e: e.when)).items():
            assert when is not None  # undated events never reach the groups
            entries.append(TimelineEntry(
                id=entry_id(kind, source, target, when), when=when, type=kind, source=source,
                target=target,
                reports=tuple(to_report(e, citations, sentences) for e in reports)))
    entries.sort(key=lambda e: (sort_key(e.when), PLOVER_TYPES.index(e.type)
                                if e.type in PLOVER_TYPES else 99, e.source, e.target))
    return entries


def timeline(store: Store, *, state: str | None = None, type: str | None = None,
             since: str | None = None, until: str | None = None,
             min_sources: int = 1) -> list[TimelineEntry]:
    """Merged events whose date overlaps [since, until], optionally only those involving
    ``state`` (ISO3), of one PLOVER ``type``, or reported by at least ``min_sources``."""
    events = store.events(type=type, state=state, since=since, until=until)
    dated = [e for e in events if e.when]
    entries = merge_events(dated, store.citations(e.doc_id for e in dated),
                           sentences_of(store, dated))
    return [e for e in entries
            if e.sources >= min_sources and overlaps(e.when, since, until)]
