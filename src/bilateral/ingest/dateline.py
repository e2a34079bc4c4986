"""The publication date written in an article's opening, for when no metadata gives it.

News text states its own date in a few conventional places: the dateline ("TOKYO, Jan. 20 (Jiji
Press) --", "WASHINGTON, July 23, 2025 (Reuters) -"), a labelled line ("Published: 2025-07-23",
"Updated July 24, 2025"), or a short line holding only a date near the top. We look only there,
never at today's date: a wrong date is worse than none because every relative time in the article
("last April", "on Wednesday") is resolved against it.

A dateline with day and month but no year takes the latest year (1990-2100) the text mentions;
with no year in the text the date is unknown.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from bilateral.extract.times import FOREIGN_MONTH_PATTERN, MONTHS, month_number
from bilateral.limits import check_date

__all__ = ["find_publication_date"]

_MONTH: Final = (
    "(?:" + "|".join(sorted(MONTHS, key=lambda s: (-len(s), s))) + r")\b\.?|"
    + FOREIGN_MONTH_PATTERN
)
_WEEKDAY: Final = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur"
    r"|thurs|fri|sat|sun|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica|lundi|mardi"
    r"|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado"
    r"|domingo|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)\b\.?,?\s+"
)
_YEAR: Final = r"(?:19\d\d|20\d\d|2100)(?!\d)"
_DAY: Final = r"(?:3[01]|[12]\d|0?[1-9])(?!\d)(?:st|nd|rd|th|er|º|°)?\.?"

#: One date in any of the written forms; groups tell which.
_DATE: Final = rf"""
    (?:(?:{_WEEKDAY})?(?:le\s+|el\s+|den\s+)?
      (?:
        (?P<md_m>{_MONTH})\s*(?P<md_d>{_DAY})(?:,?\s+(?P<md_y>{_YEAR}))?
       |(?P<dm_d>{_DAY})\s*(?:de\s+|of\s+)?(?P<dm_m>{_MONTH}),?\s*(?:de\s+)?(?P<dm_y>{_YEAR})?
       |(?P<my_m>{_MONTH}),?\s+(?:de\s+)?(?P<my_y>{_YEAR})
      )
    |(?<![\d/.-])(?P<iso_y>{_YEAR})(?P<sep>[-/.])(?P<iso_m>1[0-2]|0?[1-9])(?P=sep)
        (?P<iso_d>3[01]|[12]\d|0?[1-9])(?!\d)
    )
"""

_LABELLED: Final = re.compile(
    rf"""(?P<label>\b(?:first\s+published|published|posted|last\s+updated|updated|release\s+date
          |dated|date))\b\s*(?:on|at)?\s*[:：\-–—|]?\s*{_DATE}""",
    re.IGNORECASE | re.VERBOSE,
)
#: A dateline: a place in capitals or title case, an optional state or country, then the date,
#: then the agency, a dash or the end of the line.
_DATELINE: Final = re.compile(
    rf"""^[ \t>*_#]*(?-i:[A-ZÀ-Þ])[\w.'’/ -]{{1,40}}?(?:\s*\([^)\n]{{1,40}}\))?,\s*
         (?:(?-i:[A-Z])[\w.]{{1,15}},\s*)?{_DATE}\s*(?:\(|[-–—|/:]|$)""",
    re.IGNORECASE | re.VERBOSE | re.MULTILINE,
)
#: Any date, for short lines that hold little else (a byline, a date line).
_ANY_DATE: Final = re.compile(_DATE, re.IGNORECASE | re.VERBOSE)
_LINE: Final = re.compile(r"[^\n]+")
_YEAR_IN_TEXT: Final = re.compile(r"(?<![\d,.$])(?:199\d|20\d\d|2100)(?!\d|[.,]\d)")
_SHORT_LINE: Final = 80


def find_publication_date(text: str, *, head_chars: int = 400) -> str | None:
    """The publication date stated in the first ``head_chars`` characters of ``text``, as
    "YYYY-MM-DD" (or "YYYY-MM" when only month and year are given); None when not stated."""
    head = text[:head_chars]
    updated: str | None = None
    for m in _LABELLED.finditer(head):
        found = _date_of(m, text)
        if found is None:
            continue
        if m.group("label").lower().endswith("updated"):
            updated = updated or found
        else:
            return found
    m = _DATELINE.search(head)
    if m and (found := _date_of(m, text)):
        return found
    if updated:
        return updated
    for line in _LINE.finditer(head):
        if len(line.group().strip()) > _SHORT_LINE:
            continue
        for m in _ANY_DATE.finditer(head, line.start(), line.end()):
            if found := _date_of(m, text, need_year=True):
                return found
    for m in _ANY_DATE.finditer(head):
        if m.group("iso_y") and (found := _date_of(m, text)):
            return found
    return None


def _date_of(m: re.Match[str], text: str, *, need_year: bool = False) -> str | None:
    """The matched date as text; a missing year is taken from the text (or the date is
    unknown); None for impossible dates."""
    g = m.group
    if g("iso_y"):
        return _fmt(int(g("iso_y")), int(g("iso_m")), int(g("iso_d")))
    if g("my_m"):
        month = month_number(g("my_m"))
        return _fmt(int(g("my_y")), month, precision=7) if month else None
    if g("md_m"):
        month, day, year = month_number(g("md_m")), g("md_d"), g("md_y")
    else:
        month, day, year = month_number(g("dm_m")), g("dm_d"), g("dm_y")
    if month is None:
        return None
    if year is None:
        if need_year:
            return None
        year = _latest_year(text)
        if year is None:
            return None
    return _fmt(int(year), month, int(re.sub(r"\D", "", day)))


def _latest_year(text: str) -> int | None:
    years = [int(y) for y in _YEAR_IN_TEXT.findall(text)]
    return max(years) if years else None


def _fmt(year: int, month: int, day: int = 1, *, precision: int = 10) -> str | None:
    """The date as text cut to ``precision`` characters; None when it is not a real date or
    not a plausible publication date."""
    try:
        return check_date(date(year, month, day), "published", publication=True
                          ).isoformat()[:precision]
    except ValueError:  # LimitExceeded among them
        return None
