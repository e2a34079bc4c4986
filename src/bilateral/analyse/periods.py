"""Times at the precision the text gave them: "2025", "2025-07" or "2025-07-22".

A record's time is a period, not a point. Two reports of one thing often state its time at
different precisions ("in July" and "on July 22"); merging them is the job of
``merge_precisions``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import TypeVar

T = TypeVar("T")

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def check(period: str, what: str = "date") -> str:
    """``period`` if it is YYYY, YYYY-MM or YYYY-MM-DD, else a ValueError saying so."""
    match = _PERIOD.match(period or "")
    try:
        if match:
            first_day(period)
            return period
    except ValueError:
        pass
    raise ValueError(f"{what} {period!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")


def first_day(period: str) -> date:
    year, month, day = _parts(period)
    return date(year, month or 1, day or 1)


def last_day(period: str) -> date:
    year, month, day = _parts(period)
    if day:
        return date(year, month, day)
    if month:
        return date(year, month, calendar.monthrange(year, month)[1])
    return date(year, 12, 31)


def _parts(period: str) -> tuple[int, int | None, int | None]:
    match = _PERIOD.match(period)
    if not match:
        raise ValueError(f"{period!r} is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    return int(year), int(month) if month else None, int(day) if day else None


def within(inner: str, outer: str) -> bool:
    """True when ``inner`` lies inside ``outer`` ("2025-07-22" within "2025-07" and "2025")."""
    return inner.startswith(outer)


def month(period: str | None) -> str | None:
    """The month a period names (YYYY-MM), or None when it names only a year."""
    return period[:7] if period and len(period) >= 7 else None


def months(first: str, last: str) -> Iterator[str]:
    """Every month from ``first`` to ``last`` (YYYY-MM), both included."""
    year, mon = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{mon:02d}" <= last:
        yield f"{year:04d}-{mon:02d}"
        year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)


def overlaps(period: str, since: str | None, until: str | None) -> bool:
    """True when ``period`` shares a day with [start of since, end of until]."""
    return ((since is None or last_day(period) >= first_day(since))
            and (until is None or first_day(period) <= last_day(until)))


def merge_precisions(groups: dict[str | None, list[T]], *,
                     undated_joins: bool = False) -> dict[str | None, list[T]]:
    """Reports of one thing keyed by their time, merged across precisions.

    Two days in a row are one day seen from two time zones (a summit on the evening of the 7th
    in Washington is on the 8th in Tokyo): they join the day more reports give. Then a coarser
    time joins the one finer time inside it ("July" joins "July 22"); when several finer times
    lie inside it ("July 7" and "July 22"), it cannot say which and stays apart.
    With ``undated_joins``, undated reports join the one dated group in the same way.
    """
    groups = _join_next_days(groups)
    merged: dict[str | None, list[T]] = {}
    for when in sorted((w for w in groups if w), key=lambda w: (-len(w), w)):
        finer = [m for m in merged if m and within(m, when)]
        if len(finer) == 1:
            merged[finer[0]].extend(groups[when])
        else:
            merged[when] = list(groups[when])
    undated = groups.get(None)
    if undated:
        if undated_joins and len(merged) == 1:
            next(iter(merged.values())).extend(undated)
        else:
            merged[None] = list(undated)
    return merged


def _join_next_days(groups: dict[str | None, list[T]]) -> dict[str | None, list[T]]:
    days = sorted(w for w in groups if w and len(w) == 10)
    joined = dict(groups)
    start = 0
    while start < len(days):
        end = start + 1
        if end < len(days) and (first_day(days[end]) - first_day(days[start])).days == 1:
            end += 1
        if end - start == 2:
            keep, drop = sorted(days[start:end], key=lambda d: (-len(groups[d]), d))
            joined[keep] = groups[min(keep, drop)] + groups[max(keep, drop)]
            del joined[drop]
        start = end
    return joined


def by_time(items: Iterable[T], when: Callable[[T], str | None]) -> dict[str | None, list[T]]:
    """Items grouped by their time, for ``merge_precisions``."""
    groups: dict[str | None, list[T]] = {}
    for item in items:
        groups.setdefault(when(item), []).append(item)
    return groups


def sort_key(period: str | None) -> tuple[int, str, int]:
    """Time order with undated last; a coarser period sorts before the finer ones inside it."""
    return (period is None, period or "", len(period or ""))
