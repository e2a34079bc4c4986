"""The kept answers' rows: what a write marks as changed, and the tables a refresh fills.

The store does not know what an answer means: bodies are JSON text that
``bilateral.analyse.kept`` writes and reads. What it does know is how to keep them consistent:
a refresh replaces all rows of one indicator, or of one group of events, in one transaction
together with the marks it answered, so a reader sees either the old answer or the new one,
never half of each; and a write that lands while a refresh works leaves its own mark behind,
which the next refresh takes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, delete, func, or_, select, tuple_, update

from bilateral.records import dyad
from bilateral.store import schema as t

if TYPE_CHECKING:
    from bilateral.store.store import Store

ALL = "all"
INDICATOR = "indicator"
EVENTS = "events"
INDEX = "index"  # a directed dyad ("source|target") whose months must be summed again
_CHUNK = 500


@dataclass(frozen=True)
class Mark:
    kind: str  # INDICATOR, EVENTS, INDEX or ALL
    key: str  # the indicator, or "type|source|target" of an event group (dyad order)
    stamp: str


def event_group(event_type: str, source: str, target: str) -> str:
    """The key of the timeline group an event belongs to (see ``analyse.timeline``)."""
    return "|".join((event_type, *dyad(event_type, source, target)))


def mark_changes(conn: Connection, indicators: Iterable[str], groups: Iterable[str]) -> None:
    """Mark, inside a write's transaction, what its records change. Rows carry the write's own
    stamp, so concurrent writers insert different rows and never wait for one another."""
    stamp = uuid.uuid4().hex
    rows = ([{"kind": INDICATOR, "key": k, "stamp": stamp} for k in sorted(set(indicators))]
            + [{"kind": EVENTS, "key": k, "stamp": stamp} for k in sorted(set(groups))])
    if rows:
        conn.execute(t.answer_marks.insert(), rows)


class KeptRows:
    """The kept answers' tables of one store (``store.kept``)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- the refresh's lease and marks

    def take_lease(self, holder: str, lease: timedelta, now: datetime) -> bool:
        """Become the one process refreshing, for ``lease`` from ``now``; False when another
        holds a lease that has not run out."""
        s = t.answer_state
        with self.store._write("taking the kept answers' lease") as conn:
            done = conn.execute(update(s).where(s.c.id == 1, or_(
                s.c.holder.is_(None), s.c.holder == holder, s.c.lease_until < now))
                .values(holder=holder, lease_until=now + lease))
            return done.rowcount == 1

    def release_lease(self, holder: str, refreshed_at: datetime | None) -> None:
        s = t.answer_state
        values: dict[str, Any] = {"holder": None, "lease_until": None}
        if refreshed_at is not None:
            values["refreshed_at"] = refreshed_at
        with self.store._write("releasing the kept answers' lease") as conn:
            conn.execute(update(s).where(s.c.id == 1, s.c.holder == holder).values(**values))

    def state(self) -> dict[str, Any]:
        """The lease holder, the dossier the answers were made with, and when they were last
        brought up to date."""
        s = t.answer_state
        with self.store._read("reading the kept answers' state") as conn:
            row = conn.execute(select(s).where(s.c.id == 1)).first()
        return dict(row._mapping) if row is not None else {}

    def set_dossier(self, dossier: str) -> None:
        """Record which dossier the answers are made with; everything is marked for a refresh,
        since names, key indicators and index weights come from it."""
        with self.store._write("recording the kept answers' dossier") as conn:
            conn.execute(update(t.answer_state).where(t.answer_state.c.id == 1)
                         .values(dossier=dossier))
            conn.execute(t.answer_marks.insert(),
                         [{"kind": ALL, "key": "", "stamp": uuid.uuid4().hex}])

    def marks(self, limit: int | None = None) -> list[Mark]:
        m = t.answer_marks
        with self.store._read("reading what the kept answers miss") as conn:
            return [Mark(*row) for row in conn.execute(
                select(m.c.kind, m.c.key, m.c.stamp).order_by(m.c.kind, m.c.key).limit(limit))]

    def changes(self) -> int:
        """How many transactions have changed the kept answers: while it stays the same, so
        do they."""
        s = t.answer_state
        with self.store._read("reading how often the kept answers changed") as conn:
            return int(conn.execute(select(s.c.changes).where(s.c.id == 1)).scalar() or 0)

    def pending(self) -> int:
        """How many changes the kept answers do not show yet."""
        with self.store._read("counting what the kept answers miss") as conn:
            return int(conn.execute(select(func.count()).select_from(t.answer_marks)).scalar()
                       or 0)

    # -- what the records hold

    def indicators(self) -> list[str]:
        o = t.observations
        with self.store._read("listing the indicators observed") as conn:
            return list(conn.execute(select(o.c.indicator).distinct()).scalars())

    def event_groups(self) -> list[str]:
        e = t.events
        with self.store._read("listing the event groups") as conn:
            rows = conn.execute(select(e.c.type, e.c.source, e.c.target).distinct()
                                .where(e.c.when_at.is_not(None))).all()
        return sorted({event_group(*row) for row in rows})

    # -- replacing answers

    def replace_all(self, done: Sequence[Mark], indicators: Iterable[str],
                    groups: Iterable[str]) -> None:
        """Empty every answer table and mark every indicator and event group instead of the
        ``done`` marks: one transaction, so a refresh stopped half-way leaves the rest marked."""
        with self.store._write("clearing the kept answers") as conn:
            for table in (t.answer_histories, t.answer_claims, t.answer_members,
                          t.answer_current, t.answer_differences, t.answer_entries,
                          t.answer_index):
                conn.execute(delete(table))
            _forget(conn, done)
            mark_changes(conn, indicators, groups)
            _changed(conn)

    def replace_indicator(self, indicator: str, *, history: dict[str, Any] | None,
                          claims: list[dict[str, Any]], members: list[dict[str, Any]],
                          current: list[dict[str, Any]], differences: list[dict[str, Any]],
                          done: Sequence[Mark]) -> None:
        """The indicator's history, claims, current values, disputes and revisions, replaced
        by these rows (none: the store holds no value of it any more)."""
        with self.store._write(f"keeping the answers about {indicator}") as conn:
            for table, column in ((t.answer_histories, t.answer_histories.c.indicator),
                                  (t.answer_claims, t.answer_claims.c.indicator),
                                  (t.answer_current, t.answer_current.c.indicator),
                                  (t.answer_differences, t.answer_differences.c.indicator)):
                conn.execute(delete(table).where(column == indicator))
            m = t.answer_members
            conn.execute(delete(m).where(m.c.kind == "claim", m.c.grp == indicator))
            for table, rows in ((t.answer_histories, [history] if history else []),
                                (t.answer_claims, claims), (t.answer_members, members),
                                (t.answer_current, current), (t.answer_differences, differences)):
                _insert(conn, table, rows)
            _forget(conn, done)
            _changed(conn)

    def replace_events(self, group: str, *, entries: list[dict[str, Any]],
                       dyads: Iterable[str], done: Sequence[Mark]) -> None:
        """The timeline entries of one event group, replaced by these rows; the ``dyads``
        ("source|target") whose index they count towards are marked to be summed again."""
        event_type, source, target = group.split("|")
        a = t.answer_entries
        with self.store._write(f"keeping the timeline of {group}") as conn:
            conn.execute(delete(a).where(a.c.type == event_type, a.c.source == source,
                                         a.c.target == target))
            _insert(conn, a, entries)
            stamp = uuid.uuid4().hex
            _insert(conn, t.answer_marks, [{"kind": INDEX, "key": dyad, "stamp": stamp}
                                           for dyad in sorted(set(dyads))])
            _forget(conn, done)
            _changed(conn)

    def entries_between(self, source: str, target: str, symmetric: Sequence[str]
                        ) -> list[tuple[str, str, str, str]]:
        """(when, type, source, target) of every entry that counts towards the directed dyad
        source→target: its own, and the symmetric types' from target to source."""
        a = t.answer_entries
        query = (select(a.c.when_at, a.c.type, a.c.source, a.c.target)
                 .where(or_(and_(a.c.source == source, a.c.target == target),
                            and_(a.c.source == target, a.c.target == source,
                                 a.c.type.in_(list(symmetric))))))
        with self.store._read(f"reading the timeline of {source}→{target}") as conn:
            return [tuple(row) for row in conn.execute(query)]  # type: ignore[misc]

    def replace_index(self, source: str, target: str, months: list[dict[str, Any]],
                      done: Sequence[Mark]) -> None:
        """The monthly index of the directed dyad source→target."""
        i = t.answer_index
        with self.store._write(f"keeping the index of {source}→{target}") as conn:
            conn.execute(delete(i).where(i.c.source == source, i.c.target == target))
            _insert(conn, i, months)
            _forget(conn, done)
            _changed(conn)

    # -- reading answers

    def histories(self) -> list[dict[str, Any]]:
        with self.store._read("reading the kept histories") as conn:
            return [dict(r._mapping) for r in conn.execute(select(t.answer_histories))]

    def claims(self, indicator: str, *, after: int = -1, limit: int | None = None,
               since: str | None = None, until: str | None = None) -> list[tuple[int, str]]:
        """(position, body) of the indicator's claims in history order, after position
        ``after``; since/until keep claims whose time overlaps [since, until] (undated ones
        are left out then)."""
        c = t.answer_claims
        conditions = [c.c.indicator == indicator, c.c.position > after,
                      *_period_filter(c.c.when_at, since, until)]
        query = (select(c.c.position, c.c.body).where(*conditions).order_by(c.c.position)
                 .limit(limit))
        with self.store._read(f"reading the kept claims of {indicator}") as conn:
            return [tuple(row) for row in conn.execute(query)]  # type: ignore[misc]

    def count_claims(self, indicator: str, since: str | None = None,
                     until: str | None = None) -> int:
        c = t.answer_claims
        query = select(func.count()).select_from(c).where(
            c.c.indicator == indicator, *_period_filter(c.c.when_at, since, until))
        with self.store._read(f"counting the kept claims of {indicator}") as conn:
            return int(conn.execute(query).scalar() or 0)

    def current(self, indicator: str | None = None) -> list[dict[str, Any]]:
        """Every indicator's (or one's) current claim per status, with its body."""
        k, c = t.answer_current, t.answer_claims
        query = (select(k.c.indicator, k.c.status, k.c.disputed, c.c.body)
                 .join(c, c.c.id == k.c.claim_id))
        if indicator is not None:
            query = query.where(k.c.indicator == indicator)
        with self.store._read("reading the kept current values") as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def differences(self, kind: str, *, indicator: str | None = None, after: str | None = None,
                    offset: int = 0, limit: int | None = None, descending: bool = False
                    ) -> list[tuple[str, str]]:
        """(sort, body) of disputes or revisions by their sort key (``descending``, or not),
        continuing after the key ``after``."""
        d = t.answer_differences
        conditions = [d.c.kind == kind]
        if indicator is not None:
            conditions.append(d.c.indicator == indicator)
        if after is not None:
            conditions.append(d.c.sort < after if descending else d.c.sort > after)
        order = d.c.sort.desc() if descending else d.c.sort
        query = (select(d.c.sort, d.c.body).where(*conditions).order_by(order).limit(limit)
                 .offset(offset or None))
        with self.store._read(f"reading the kept {kind}s") as conn:
            return [tuple(row) for row in conn.execute(query)]  # type: ignore[misc]

    def count(self, what: str, **where: Any) -> int:
        table = {"claims": t.answer_claims, "differences": t.answer_differences,
                 "entries": t.answer_entries}[what]
        query = select(func.count()).select_from(table).where(
            *(table.c[column] == value for column, value in where.items()))
        with self.store._read(f"counting the kept {what}") as conn:
            return int(conn.execute(query).scalar() or 0)

    def entries(self, *, state: str | None = None, type: str | None = None,
                since: str | None = None, until: str | None = None, min_sources: int = 1,
                after: str | None = None, offset: int = 0, newest: bool = True,
                limit: int | None = None) -> list[tuple[str, str]]:
        """(sort, body) of timeline entries matching every filter, newest (or oldest) first,
        continuing after the sort key ``after``."""
        a = t.answer_entries
        conditions = _entry_filters(state, type, since, until, min_sources)
        if after is not None:
            conditions.append(a.c.sort < after if newest else a.c.sort > after)
        order = a.c.sort.desc() if newest else a.c.sort
        query = (select(a.c.sort, a.c.body).where(*conditions).order_by(order).limit(limit)
                 .offset(offset or None))
        with self.store._read("reading the kept timeline") as conn:
            return [tuple(row) for row in conn.execute(query)]  # type: ignore[misc]

    def count_entries(self, *, state: str | None = None, type: str | None = None,
                      since: str | None = None, until: str | None = None,
                      min_sources: int = 1) -> int:
        a = t.answer_entries
        query = select(func.count()).select_from(a).where(
            *_entry_filters(state, type, since, until, min_sources))
        with self.store._read("counting the kept timeline") as conn:
            return int(conn.execute(query).scalar() or 0)

    def entry_states(self) -> set[str]:
        """Every state a timeline entry involves."""
        i = t.answer_index
        with self.store._read("listing the states of the timeline") as conn:
            return {s for row in conn.execute(select(i.c.source, i.c.target).distinct())
                    for s in row}

    def index_dyads(self, state: str | None = None, since: str | None = None,
                    until: str | None = None) -> list[tuple[str, str, int, str, str]]:
        """(source, target, events, first month, last month) of every directed dyad (involving
        ``state``) over its kept months that overlap [since, until]."""
        i = t.answer_index
        query = (select(i.c.source, i.c.target, func.sum(i.c.events), func.min(i.c.month),
                        func.max(i.c.month))
                 .where(*_index_filter(state, since, until)).group_by(i.c.source, i.c.target))
        with self.store._read("reading the kept index's dyads") as conn:
            return [(row[0], row[1], int(row[2] or 0), row[3], row[4])
                    for row in conn.execute(query)]

    def index(self, dyads: Sequence[tuple[str, str]], since: str | None = None,
              until: str | None = None) -> list[tuple[Any, ...]]:
        """(source, target, month, score, events, cooperation, conflict) of the kept months of
        ``dyads`` that overlap [since, until], by month."""
        i = t.answer_index
        found: list[tuple[Any, ...]] = []
        wanted = sorted(set(dyads))
        with self.store._read("reading the kept index") as conn:
            for n in range(0, len(wanted), _CHUNK):
                found.extend(tuple(row) for row in conn.execute(
                    select(i.c.source, i.c.target, i.c.month, i.c.score, i.c.events,
                           i.c.cooperation, i.c.conflict)
                    .where(tuple_(i.c.source, i.c.target).in_(wanted[n:n + _CHUNK]),
                           *_index_filter(None, since, until))))
        return sorted(found, key=lambda row: row[2])

    def members(self, kind: str, keys: Iterable[str]) -> dict[str, str]:
        """The answer id each record key belongs to (see ``answer_members``)."""
        wanted = sorted(set(keys))
        m = t.answer_members
        found: dict[str, str] = {}
        with self.store._read("linking records to the kept answers") as conn:
            for i in range(0, len(wanted), _CHUNK):
                found.update({row.key: row.answer_id for row in conn.execute(
                    select(m.c.key, m.c.answer_id).where(
                        m.c.kind == kind, m.c.key.in_(wanted[i:i + _CHUNK])))})
        return found


def _insert(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), _CHUNK):
        conn.execute(table.insert(), rows[i:i + _CHUNK])


def _changed(conn: Connection) -> None:
    """Count one more change of the kept answers, in the transaction that makes it."""
    s = t.answer_state
    conn.execute(update(s).where(s.c.id == 1).values(changes=s.c.changes + 1))


def _forget(conn: Connection, done: Sequence[Mark]) -> None:
    """Delete the marks answered; a write's newer mark (another stamp) stays for next time."""
    m = t.answer_marks
    rows = [(d.kind, d.key, d.stamp) for d in done]
    for i in range(0, len(rows), _CHUNK):
        conn.execute(delete(m).where(tuple_(m.c.kind, m.c.key, m.c.stamp).in_(rows[i:i + _CHUNK])))


def _period_filter(column: Any, since: str | None, until: str | None) -> list[Any]:
    """Rows whose period overlaps [since, until], as the store's records listings filter."""
    from bilateral.store.store import _period_filter as records_filter

    return records_filter(column, since, until)


def _index_filter(state: str | None, since: str | None, until: str | None) -> list[Any]:
    """Months (YYYY-MM) of dyads involving ``state`` that share a day with [since, until]
    (YYYY, YYYY-MM or a day): a month counts whole."""
    i = t.answer_index
    conditions: list[Any] = []
    if state is not None:
        conditions.append(or_(i.c.source == state, i.c.target == state))
    if since is not None:
        conditions.append(i.c.month >= since[:7])
    if until is not None:
        conditions.append(i.c.month <= (until[:7] if len(until) >= 7 else until[:4] + "-12"))
    return conditions


def _entry_filters(state: str | None, type: str | None, since: str | None,
                   until: str | None, min_sources: int) -> list[Any]:
    a = t.answer_entries
    conditions: list[Any] = []
    if state is not None:
        conditions.append(or_(a.c.source == state, a.c.target == state))
    if type is not None:
        conditions.append(a.c.type == type)
    if min_sources > 1:
        conditions.append(a.c.sources >= min_sources)
    conditions.extend(_period_filter(a.c.when_at, since, until))
    return conditions
