"""Time expressions in English news text, resolved against the publication date.

A news article dates things in two ways: absolutely ("Jan. 20, 2025", "fiscal 2027") and relative
to the day it was written ("last April", "on Wednesday", "earlier this year"). ``find_times`` finds
both in one regex pass and resolves them at no finer precision than the text and the publication
date support. Which value a time belongs to is the caller's business.

Resolution rules (``pub`` is the publication date):

- A month or day without a year ("July 23", "in July", "this April") takes its direction from
  the tense of its clause (``tense.direction_at``, as HeidelTime does): in a past clause ("the
  talks ended in July") the latest such month on or before the publication month; in a future
  or scheduled one ("will visit in April", "is set to meet on May 2") the first on or after it.
  When the clause says neither, it takes the publication year, or the previous year when that
  would land more than six months after ``pub``.
- A deadline without a year ("by March", "no later than Aug. 1", "by Friday") looks forward: the
  next such month (day) on or after the publication month (day).
- "last April" is the latest April strictly before the publication month; "next April" the first
  strictly after it.
- "Wednesday", "on Wednesday" is the latest Wednesday on or before ``pub`` (news tells what
  happened), the first on or after it in a future clause ("will meet on Wednesday"); "last
  Wednesday" strictly before, "next Wednesday" strictly after; "starting Monday" the first
  Monday on or after ``pub`` (what begins on a day is still to come).
- Relative expressions are capped at the publication date's precision: "on Wednesday" with a
  ``2025-07`` publication gives ``2025-07``; with no publication date they resolve to ``None``.
  A year-only publication is treated as mid-year when a choice between years depends on it.
- Durations ("over the next 10 years", "for three months") are not times and are not returned.
- "this fiscal year" follows the Japanese fiscal year (April to March), named after the year it
  starts in; an explicit "fiscal 2027" / "FY2027" is returned as "2027" whatever the convention.

Kinds: ``date`` (the text names a calendar year, month or day, even when the year is inferred),
``deadline`` ("by ...", "no later than ..."), ``fiscal`` (fiscal years) and ``relative``
(deictic: last/this/next, weekdays, yesterday, "... ago").

Speed (this runs on every article): the scan starts only on the characters that can stand
before a time (spaces, brackets, quotes, dashes), then one character trie of every way a time can
begin turns an ordinary word away after a comparison or two, before any capture group is tried.
Prepositions and modifiers before a time ("by", "in", "the end of") are read backwards from each
time found, with one anchored match on the reversed text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Final, Literal

from bilateral.extract.patterns import literal_trie
from bilateral.extract.tense import direction_at

__all__ = [
    "FOREIGN_MONTHS",
    "FOREIGN_MONTH_PATTERN",
    "MONTHS",
    "MONTH_FULL_PATTERN",
    "MONTH_PATTERN",
    "WEEKDAYS",
    "WEEKDAY_PATTERN",
    "Precision",
    "TimeExpr",
    "find_times",
    "month_number",
    "parse_published",
]

Precision = Literal["year", "month", "day"]


def _cased(*phrases: str) -> list[str]:
    """Each phrase as written and with a capital first letter (sentence starts)."""
    return [f for p in phrases for f in (p, p[:1].upper() + p[1:])]


def _title_upper(names: Iterable[str]) -> list[str]:
    """Title-case and upper-case forms: month and weekday names are matched case-sensitively so
    that "may", "march" and "august" as ordinary words are never dates."""
    return [f for n in names for f in (n[:1].upper() + n[1:], n.upper())]


# --- shared name tables (also used by quantities and ingest.dateline) -----------------------------

_FULL_MONTHS: Final = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)
_ABBR_MONTHS: Final = MappingProxyType({
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
})
#: English month names and abbreviations, lower case, to month number.
MONTHS: Final = MappingProxyType(
    {**{name: i for i, name in enumerate(_FULL_MONTHS, 1)}, **_ABBR_MONTHS}
)
#: Italian, French, Spanish and German month names (with and without accents), lower case.
FOREIGN_MONTHS: Final = MappingProxyType({
    # Italian
    "gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
    # French
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "décembre": 12,
    "decembre": 12,
    # Spanish
    "enero": 1, "febrero": 2, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    # German
    "januar": 1, "jänner": 1, "jaenner": 1, "februar": 2, "märz": 3, "maerz": 3, "juni": 6,
    "juli": 7, "oktober": 10, "dezember": 12,
})
#: English weekday names, lower case, to ``date.weekday()`` numbers.
WEEKDAYS: Final = MappingProxyType({
    name: i for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
})

#: Full English month names (Title or UPPER case).
MONTH_FULL_PATTERN: Final = rf"(?:{literal_trie(_title_upper(_FULL_MONTHS))})(?!\w)"
#: Full or abbreviated English month names ("Jan.", "Jan", "Sept."), Title or UPPER case.
MONTH_PATTERN: Final = (
    "(?:" + literal_trie(_title_upper([*_FULL_MONTHS, *_ABBR_MONTHS,
                                       *(a + "." for a in _ABBR_MONTHS)])) + r")(?!\w)"
)
#: Weekday names (Title or UPPER case).
WEEKDAY_PATTERN: Final = rf"(?:{literal_trie(_title_upper(WEEKDAYS))})(?!\w)"
#: Foreign month names; compile with ``re.IGNORECASE``.
FOREIGN_MONTH_PATTERN: Final = (
    "(?:" + "|".join(sorted(FOREIGN_MONTHS, key=lambda s: (-len(s), s))) + r")\b"
)


def month_number(name: str) -> int | None:
    """Month number of an English or foreign month name or abbreviation, any case."""
    key = name.strip().rstrip(".").lower()
    return MONTHS.get(key) or FOREIGN_MONTHS.get(key)


# --- records --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeExpr:
    """One time expression: its span, and its value at the precision the text supports."""

    start: int
    end: int
    text: str
    value: str | None  # "YYYY", "YYYY-MM" or "YYYY-MM-DD"; None when it cannot be resolved
    kind: str  # "date" | "deadline" | "fiscal" | "relative"


_PUB_RE: Final = re.compile(r"\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?!\d)")


def parse_published(value: str | None) -> tuple[date, Precision] | None:
    """Parse "YYYY", "YYYY-MM" or "YYYY-MM-DD" (a longer ISO timestamp is cut to its date).

    Missing parts of the date are 1; the precision says which parts are real.
    Returns None for None, empty or unparsable values.
    """
    if not value:
        return None
    m = _PUB_RE.match(value)
    if not m:
        return None
    y, mo, d = int(m[1]), m[2], m[3]
    try:
        if d is not None:
            return date(y, int(mo), int(d)), "day"
        if mo is not None:
            return date(y, int(mo), 1), "month"
        return date(y, 1, 1), "year"
    except ValueError:
        return None


@dataclass(frozen=True)
class _Anchor:
    """The publication date as a point to count from; a year-only date is taken as mid-year and
    a month-only date as mid-month, and ``prec`` caps what may be derived from it."""

    day: date
    prec: int  # 1 year, 2 month, 3 day

    @classmethod
    def of(cls, published: str | None) -> _Anchor | None:
        parsed = parse_published(published)
        if parsed is None:
            return None
        d, precision = parsed
        if precision == "year":
            return cls(date(d.year, 7, 1), 1)
        if precision == "month":
            return cls(date(d.year, d.month, 15), 2)
        return cls(d, 3)


def _fmt(y: int, m: int | None = None, d: int | None = None) -> str | None:
    """Format at the given precision; None for an impossible date (Feb. 30)."""
    if not 1 <= y <= 9999:
        return None
    if m is None:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{m:02d}"
    try:
        date(y, m, d)
    except ValueError:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


_ISO_LENGTH: Final = (0, 4, 7, 10)  # characters of an ISO date at each precision


def _fmt_date(d: date, prec: int) -> str:
    return d.isoformat()[:_ISO_LENGTH[prec]]


def _shift_month(y: int, m: int, delta: int) -> tuple[int, int]:
    k = y * 12 + (m - 1) + delta
    return k // 12, k % 12 + 1


def _year_for(a: _Anchor, month: int, day: int | None, *, lean: int) -> int:
    """Year of a month (and day) named without one; see the module docstring. ``lean`` > 0
    looks ahead (a deadline, a future tense), < 0 back (a past tense), 0 either way."""
    y, pm = a.day.year, a.day.month
    if a.prec == 1:
        return y
    if lean > 0:
        return y + 1 if month < pm else y
    if lean < 0:
        return y - 1 if month > pm else y
    diff = month - pm
    if diff > 6 or (diff == 6 and a.prec == 3 and day is not None and day > a.day.day):
        return y - 1
    return y


# --- the pattern ----------------------------------------------------------------------------------

_MON = MONTH_PATTERN
_MONF = MONTH_FULL_PATTERN
_WD = WEEKDAY_PATTERN
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d%]|[.,:]\d)"
_DAYN = r"(?:3[01]|[12]\d|0?[1-9])(?!\d)"
_YEAR = r"(?:19\d\d|20\d\d|2100)(?!\d)"
_REL = r"(?i:this\s+past|this\s+coming|this|last|next)"
_NUMW = r"(?i:\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_UNITS = (r"percent|per\s*cent|pct|percentage|thousand|million|billion|trillion|mln|bln|bn|mn|tn"
          r"|yen|dollars?|euros?|yuan|won")
_SEASON = r"(?i:spring|summer|autumn|fall|winter)"

# Words before a time that change its kind (deadline: "by"), extend its span (modifiers: "the
# end of", "mid-") or only license it (a preposition: "in July"). They are read backwards from
# the start of each time found (see _PRE_REVERSED), not scanned for in the whole text.
_DL = ("by", "no later than", "not later than")
_LIC = ("in", "on", "since", "from", "until", "till", "through", "throughout", "during", "before",
        "after", "for", "to", "between", "and", "or", "around", "as of", "starting", "beginning",
        "into", "ahead of", "at", "of", "as early as", "as late as")
#: Licensing words after which a bare weekday looks forward (reversed, as they are read).
_FORWARD_LEADS = frozenset(w[::-1] for w in ("starting", "beginning"))
_ORDINALS = ("first", "second", "third", "fourth", "final", "last", "1st", "2nd", "3rd", "4th")
_MODS = (
    *(f"{the}{very}{part} of" for the in ("the ", "") for very in ("very ", "")
      for part in ("end", "beginning", "start", "middle", "close", "turn")),
    *(f"the {n} half of" for n in ("first", "second", "latter")),
    *(f"the {n} quarter of" for n in _ORDINALS),
    "early", "late", "mid", "middle",
)
#: Read backwards from the start of a time, on the reversed text, so that it costs one anchored
#: match per time found rather than one attempt per word of the article: [dl|lic] [mod] [the].
_PRE_REVERSED: Final = re.compile(
    rf"(?P<the>\s+(?:eht|ehT)(?!\w))?"
    rf"(?P<mod>\s+(?:{literal_trie(p[::-1] for p in _cased(*_MODS))})(?!\w)"
    rf"|-(?:{literal_trie(p[::-1] for p in _cased('mid', 'end', 'start', 'middle'))})(?!\w))?"
    rf"(?:(?P<dl>\s+(?:{literal_trie(p[::-1] for p in _cased(*_DL))})(?!\w))"
    rf"|(?P<lic>\s+(?:{literal_trie(p[::-1] for p in _cased(*_LIC))})(?!\w)))?"
)

_NUMBER_WORDS = ("a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight",
                 "nine", "ten", "eleven", "twelve")
_REL_WORDS = ("this", "last", "next", "this past", "this coming", "current", "coming")
_AFTER_REL = ("year", "month", "week", "fiscal", "spring", "summer", "autumn", "fall", "winter",
              *(m[:1].upper() + m[1:3] for m in _FULL_MONTHS),
              *(w[:1].upper() + w[1:3] for w in WEEKDAYS))
#: The first words of the expressions that begin with a lower-case word, with enough of the next
#: word that an ordinary "this" or "first" is turned away before any expression is tried.
_REL_LEAD_PHRASES = (
    *(f"{r} {w}" for r in _cased(*_REL_WORDS) for w in _AFTER_REL),
    *(f"{e} {w}" for e in _cased("earlier", "later") for w in ("this", "last", "next", "in")),
    *_cased("fiscal", "yesterday", "today", "tomorrow", "year", "month"),
    *(f"{s} {x}" for s in _cased("spring", "summer", "autumn", "fall", "winter")
      for x in ("1", "2", "of")),
    *(f"{o} {u}" for o in _cased(*_ORDINALS) for u in ("quarter", "half")),
    *(f"{n} {u}" for n in _cased(*_NUMBER_WORDS) for u in ("day", "week", "month", "year")),
    "FY", "Q1", "Q2", "Q3", "Q4", "H1", "H2",
)
_REL_LEADS = literal_trie(_REL_LEAD_PHRASES)
_MONTH_LEADS = literal_trie(m[:3] for m in _title_upper(_FULL_MONTHS))
_WEEKDAY_LEADS = literal_trie(w[:3] for w in _title_upper(WEEKDAYS))
#: Every way a time expression can begin, as one character trie: an ordinary word is turned
#: away after a comparison or two.
_LEADS = "[0-9]|" + literal_trie([*(m[:3] for m in _title_upper(_FULL_MONTHS)),
                           *(w[:3] for w in _title_upper(WEEKDAYS)), *_REL_LEAD_PHRASES])
#: What may stand right before a time expression. The scan starts on these characters (a fifth
#: of the text) instead of testing every position for a word boundary.
_BEFORE = r"""[\s(\[{"'“‘«—–/-]"""

_TIME_BODY: Final = rf"""
    (?:
      (?P<url>(?:https?://|www\.)\S+)
     |(?={_LEADS})
      (?:
        (?=(?:19|20)\d\d(?!\d)|2100(?!\d)|[1-4][QH]\b
           |\d{{1,2}}(?:st|nd|rd|th)?(?:\s*[-–]\s*\d{{1,2}})?\s+(?:of\s+)?[A-Z]
           |\d{{1,3}}\s+(?i:day|week|month|year)s?\s+(?i:ago)\b)
        (?:
          (?P<iso>(?<![\d/.-])(?P<iso_y>{_YEAR})(?P<iso_s>[-/.])(?P<iso_m>1[0-2]|0?[1-9])
              (?P=iso_s)(?P<iso_d>3[01]|[12]\d|0?[1-9])(?![\d]))
         |(?P<dm>(?<![\d.,$])(?P<dm_d>{_DAY})(?:\s*[-–]\s*{_DAYN})?\s+(?:of\s+)?(?P<dm_m>{_MON})
              (?:,?\s+(?P<dm_y>{_YEAR}))?)
         |(?P<fy2>(?P<fy2_y>{_YEAR})\s+(?i:fiscal\s+year)\b)
         |(?P<q2>(?P<q2_y>{_YEAR})\s*(?:Q[1-4]|H[12])\b|[1-4]Q\s*(?P<q2_y2>{_YEAR})|[12]H\s*(?P<q2_y3>{_YEAR}))
         |(?P<ago>(?P<ago_n>\d{{1,3}})\s+(?P<ago_u>(?i:day|week|month|year))s?\s+(?i:ago)\b)
         |(?P<yr>(?<![\w$€£¥.,/:#'’-])(?P<yr_a>{_YEAR})\s*[-–/]\s*(?P<yr_b>(?:19|20)\d\d|\d\d)
              (?![\d%]|[.,]\d|\s*%|[\s-]+(?i:{_UNITS})\b))
         |(?P<y>(?:(?<![\w$€£¥.,/:#'’-])(?<!\d\s)(?<!\d,\s)|(?<=[Mm]id-)|(?<=[Ee]nd-)|(?<=[Ss]tart-)
              |(?<=[Mm]iddle-))(?P<y_y>{_YEAR})(?!s\b|[.,]\d|\s*%|[\s-]+(?i:{_UNITS})\b))
        )
       |(?={_MONTH_LEADS})
        (?:
          (?P<md>(?P<md_m>{_MON})\s+(?P<md_d>{_DAY})(?:\s*[-–]\s*{_DAYN})?
              (?:(?:,\s*|\s+)(?P<md_y>{_YEAR})
                |,?\s+(?:of\s+)?(?P<md_r>(?i:this|last|next))\s+(?i:year)\b)?)
         |(?P<my>(?P<my_m>{_MON}),?\s+(?:of\s+)?(?P<my_y>{_YEAR}))
         |(?P<mr>(?P<mr_m>{_MONF})\s+(?:of\s+)?(?P<mr_r>(?i:this|last|next))\s+(?i:year)\b)
         |(?P<mon>(?P<mon_m>{_MONF})(?!\s*\d)(?P<mon_s>['’]s\b)?)
        )
       |(?={_WEEKDAY_LEADS})
        (?P<wd>(?<!Super\s)(?<!Black\s)(?<!Good\s)(?<!Cyber\s)(?P<wd_w>{_WD})
            (?!,?\s+(?:{_MON}|\d)))
       |(?={_REL_LEADS})
        (?:
          (?P<rm>(?P<rm_r>{_REL})\s+(?P<rm_m>{_MONF}))
         |(?P<fye>(?i:fiscal\s+year\s+end(?:ing|s)?(?:\s+in)?)\s+(?P<fye_m>{_MONF}),?\s+
              (?P<fye_y>{_YEAR}))
         |(?P<fy>(?i:fiscal)(?:\s+(?i:year))?\s*(?P<fy_y>{_YEAR})
              (?:\s*[-/–]\s*(?:\d{{4}}|\d\d)(?!\d))?
            |FY\s?['’]?(?P<fy_y3>{_YEAR}|\d\d(?!\d))(?:\s*[-/–]\s*(?:\d{{4}}|\d\d)(?!\d))?)
         |(?P<fyr>(?P<fyr_r>(?i:this|last|next|current|coming))\s+(?i:fiscal\s+year)\b)
         |(?P<q>(?:Q[1-4]|H[12])\s*(?:of\s+)?(?:(?i:fiscal)\s*|FY\s?)?(?P<q_y>{_YEAR}))
         |(?P<qn>(?i:first|second|third|fourth|1st|2nd|3rd|4th|final|last)\s+
              (?i:quarter|half)\b(?!\s+of\b|-))
         |(?P<sy>{_SEASON}\s+(?:of\s+)?(?P<sy_y>{_YEAR}))
         |(?P<sr>(?P<sr_r>{_REL})\s+(?P<sr_s>{_SEASON})\b(?!\s+(?:in|of)\b))
         |(?P<ry>(?:(?P<ry_e>(?i:earlier|later))\s+)?(?<![Tt]he\s)
              (?P<ry_r>(?i:this|last|next|current))\s+(?i:year)\b(?![-–]\w)
            |(?P<ry_end>(?i:year)[-\s](?i:end))\b
            |(?P<ry_the>(?<=[Tt]he\s)(?i:year))\b(?!\s+(?:19|20)\d\d)
            |(?P<ry_in>(?i:earlier|later)\s+in\s+the\s+year)\b)
         |(?P<rmo>(?:(?i:earlier|later)\s+)?(?<![Tt]he\s)(?P<rmo_r>(?i:this|last|next))
              \s+(?i:month)\b
            |(?P<rmo_the>(?<=[Tt]he\s)(?i:month))\b
            |(?P<rmo_in>(?i:earlier|later)\s+in\s+the\s+month)\b)
         |(?P<rwk>(?<![Tt]he\s)(?P<rwk_r>(?i:this|last|next))\s+(?i:week)\b)
         |(?P<agow>(?P<agow_n>{_NUMW})\s+(?P<agow_u>(?i:day|week|month|year))s?\s+(?i:ago)\b)
         |(?P<rd>(?P<rd_w1>(?i:yesterday|today|tomorrow))\b
            |(?P<rd_r>{_REL})\s+(?P<rd_w>{_WD}))
        )
      )
    )
    """
_TIME_RE: Final = re.compile(_BEFORE + _TIME_BODY, re.VERBOSE)
_TIME_AT_START: Final = re.compile(_TIME_BODY, re.VERBOSE)

_WORD_NUMBERS: Final = MappingProxyType({
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
})
_REL_OFFSET: Final = MappingProxyType({"last": -1, "this": 0, "next": 1, "current": 0,
                                       "coming": 1, "this past": -1, "this coming": 1})
#: Season: (first month, last month); winter is December to February.
_SEASONS: Final = MappingProxyType({"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11),
                                    "fall": (9, 11), "winter": (12, 2)})
_DAYS_OFFSET: Final = MappingProxyType({"yesterday": -1, "today": 0, "tomorrow": 1})
#: Bodies that are only a time when a preposition or modifier licenses them ("in the third
#: quarter"; "in May" but not "Theresa May").
_NEEDS_LICENCE: Final = frozenset({"mon", "qn"})
#: Months that are also names or words; alone, the others are always months ("July was hot").
_NAME_MONTHS: Final = frozenset({"april", "may", "june", "august"})
_SURNAME: Final = re.compile(r"\s+[A-Z][a-z]")


def _rel(word: str) -> int:
    return _REL_OFFSET[" ".join(word.lower().split())]


def _day(text: str) -> int:
    """'23', '23rd', '1st' -> day number."""
    return int(text[:2].rstrip("snrt"))


# --- resolution -----------------------------------------------------------------------------------
# One small function per body of the pattern, looked up by the body's group name. Each returns
# (value, kind), or None when the match is not a time after all; ``a`` is the publication anchor
# (None when unknown) and ``lean`` says which way a date without a year points: ahead (> 0) after
# a deadline word ("by March") or in a future clause, back (< 0) in a past one, else 0.

_Resolved = tuple[str | None, str] | None
_Match = re.Match[str]


def _iso(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    value = _fmt(int(m["iso_y"]), int(m["iso_m"]), int(m["iso_d"]))
    return (value, "date") if value else None


def _month_day(m: _Match, a: _Anchor | None, lean: int, body: str) -> _Resolved:
    mo = MONTHS[m[body + "_m"].rstrip(".").lower()]
    day = _day(m[body + "_d"])
    year = m[body + "_y"]
    if year:
        value = _fmt(int(year), mo, day)
        return (value, "date") if value else None
    rel = m["md_r"] if body == "md" else None
    if a is None:
        return None, "relative" if rel else "date"
    if rel:
        return _fmt(a.day.year + _rel(rel), mo, day), "relative"
    return _fmt(_year_for(a, mo, day, lean=lean), mo, day), "date"


def _md(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    return _month_day(m, a, lean, "md")


def _dm(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    return _month_day(m, a, lean, "dm")


def _my(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    return _fmt(int(m["my_y"]), MONTHS[m["my_m"].rstrip(".").lower()]), "date"


def _mr(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    if a is None:
        return None, "relative"
    return _fmt(a.day.year + _rel(m["mr_r"]), MONTHS[m["mr_m"].lower()]), "relative"


def _mon(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    if a is None:
        return None, "date"
    mo = MONTHS[m["mon_m"].lower()]
    return _fmt(_year_for(a, mo, None, lean=lean), mo), "date"


def _rm(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    if a is None:
        return None, "relative"
    mo = MONTHS[m["rm_m"].lower()]
    off, pm, y = _rel(m["rm_r"]), a.day.month, a.day.year
    if off < 0:
        y = y if mo < pm else y - 1
    elif off > 0:
        y = y if mo > pm else y + 1
    else:
        y = _year_for(a, mo, None, lean=lean)
    return _fmt(y, mo), "relative"


def _fy(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    raw = m["fy_y"] or m["fy_y3"] or m["fy2_y"]
    return _fmt(int(raw) if len(raw) == 4 else 2000 + int(raw)), "fiscal"


def _fy_ending(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    """"the fiscal year ending March 2028" is fiscal 2027: a fiscal year is named after the
    calendar year holding most of its months (Japan's runs April to March, the U.S.'s October
    to September)."""
    year, month = int(m["fye_y"]), month_number(m["fye_m"]) or 12
    return _fmt(year - 1 if month <= 6 else year), "fiscal"


def _fyr(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    if a is None:
        return None, "fiscal"
    fy = a.day.year if a.prec == 1 or a.day.month >= 4 else a.day.year - 1
    return _fmt(fy + _rel(m["fyr_r"])), "fiscal"


def _quarter(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    return _fmt(int(m["q_y"] or m["q2_y"] or m["q2_y2"] or m["q2_y3"])), "date"


def _season_year(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    return _fmt(int(m["sy_y"])), "date"


def _year(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    return m["y_y"], "date"


def _quarter_this_year(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    return (_fmt(a.day.year) if a else None), "relative"


def _season(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    if a is None:
        return None, "relative"
    first, last = _SEASONS[m["sr_s"].lower()]
    off, pm, y = _rel(m["sr_r"]), a.day.month, a.day.year
    if off < 0:
        y = y if last >= first and pm > last else y - 1
    elif off > 0:
        y = y if pm < first else y + 1
    return _fmt(y), "relative"


def _rel_year(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    if a is None:
        return None, "relative"
    return _fmt(a.day.year + (_rel(m["ry_r"]) if m["ry_r"] else 0)), "relative"


def _rel_month(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    if a is None:
        return None, "relative"
    y, mo = _shift_month(a.day.year, a.day.month, _rel(m["rmo_r"]) if m["rmo_r"] else 0)
    return (_fmt(y, mo) if a.prec >= 2 else _fmt(y)), "relative"


def _rel_week(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    if a is None:
        return None, "relative"
    return _fmt_date(a.day + timedelta(weeks=_rel(m["rwk_r"])), min(2, a.prec)), "relative"


def _ago(m: _Match, a: _Anchor | None, lean: int, body: str = "ago") -> _Resolved:
    if a is None:
        return None, "relative"
    n_text = m[body + "_n"].lower()
    n = _WORD_NUMBERS[n_text] if n_text in _WORD_NUMBERS else int(n_text)
    unit = m[body + "_u"].lower()
    if unit == "year":
        return _fmt(a.day.year - n), "relative"
    if unit == "month":
        y, mo = _shift_month(a.day.year, a.day.month, -n)
        return (_fmt(y, mo) if a.prec >= 2 else _fmt(y)), "relative"
    days = n * (7 if unit == "week" else 1)
    return _fmt_date(a.day - timedelta(days=days), min(a.prec, 2 if unit == "week" else 3)), \
        "relative"


def _ago_words(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    return _ago(m, a, lean, "agow")


def _rel_day(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    if a is None:
        return None, "relative"
    word = m["rd_w1"]
    if word is not None:
        return _fmt_date(a.day + timedelta(days=_DAYS_OFFSET[word.lower()]), a.prec), "relative"
    return _weekday(a, m["rd_w"], _rel(m["rd_r"]), lean), "relative"


def _bare_weekday(m: _Match, a: _Anchor | None, lean: int) -> _Resolved:
    return (_weekday(a, m["wd_w"], 0, lean) if a else None), "relative"


_RESOLVERS: Final = MappingProxyType({
    "iso": _iso, "md": _md, "dm": _dm, "my": _my, "mr": _mr, "mon": _mon, "rm": _rm,
    "fy": _fy, "fy2": _fy, "fye": _fy_ending, "fyr": _fyr, "q": _quarter, "q2": _quarter,
    "sy": _season_year,
    "y": _year, "qn": _quarter_this_year, "sr": _season, "ry": _rel_year, "rmo": _rel_month,
    "rwk": _rel_week, "ago": _ago, "agow": _ago_words, "rd": _rel_day, "wd": _bare_weekday,
})


def _weekday(a: _Anchor, name: str, off: int, lean: int) -> str | None:
    """On or before the publication day for off == 0 (on or after for a deadline: "by Friday"),
    strictly before/after for -1/+1."""
    wd = WEEKDAYS[name.lower()]
    cur = a.day.weekday()
    if off == 0 and lean > 0:
        delta = (wd - cur) % 7
    elif off < 0:
        delta = -((cur - wd) % 7 or 7)
    elif off > 0:
        delta = (wd - cur) % 7 or 7
    else:
        delta = -((cur - wd) % 7)
    return _fmt_date(a.day + timedelta(days=delta), a.prec)


def _year_span(m: re.Match[str]) -> list[tuple[int, int, str]]:
    """'2024-25', '2024-2025' are two years; '2025-07' is a month (a second part that cannot
    be a later year reads as a month)."""
    a_txt, b_txt = m.group("yr_a"), m.group("yr_b")
    ya = int(a_txt)
    if len(b_txt) == 2:
        yb = ya // 100 * 100 + int(b_txt)
        if yb <= ya:
            mo = int(b_txt)
            sep = m.group("yr")[4]
            value = _fmt(ya, mo) if 1 <= mo <= 12 and sep == "-" else None
            return [(m.start("yr"), m.end("yr"), value)] if value else []
    else:
        yb = int(b_txt)
        if yb <= ya:
            return [(m.start("yr_a"), m.end("yr_a"), f"{ya:04d}")]
    return [(m.start("yr_a"), m.end("yr_a"), f"{ya:04d}"),
            (m.start("yr_b"), m.end("yr_b"), f"{yb:04d}")]


def find_times(text: str, published: str | None) -> list[TimeExpr]:
    """All time expressions in ``text``, sorted and non-overlapping, resolved against
    ``published`` ("YYYY", "YYYY-MM", "YYYY-MM-DD" or None)."""
    anchor = _Anchor.of(published)
    out: list[TimeExpr] = []
    reverse, n = text[::-1], len(text)
    first = _TIME_AT_START.match(text)
    rest = _TIME_RE.finditer(text, first.end() if first else 0)
    for m in ([first, *rest] if first else rest):
        body = m.lastgroup
        if body is None or body == "url":
            continue
        start = m.start(body)
        p = _PRE_REVERSED.match(reverse, n - start)
        dl_text, lic_text, mod_text = p.group("dl", "lic", "mod")
        dl, lic, mod = dl_text is not None, lic_text is not None, mod_text is not None
        if body in _NEEDS_LICENCE:
            if not (dl or lic or mod or (body == "mon" and (
                    m["mon_s"] or m["mon_m"].lower() not in _NAME_MONTHS))):
                continue
            if (body == "mon" and lic_text and lic_text.split()[0] in ("dna", "ro")
                    and m["mon_m"].lower() in _NAME_MONTHS
                    and _SURNAME.match(text, m.end("mon_m"))):
                continue  # "and April Sato": a name (the text before is read reversed)
        elif body == "ry" or body == "rmo":
            if (m["ry_the"] or m["rmo_the"]) and not (dl or mod):
                continue  # "the year" is a time only as "the end of the year" and the like
        elif body == "rd":
            if m["rd_w1"] == "Today" and _inside_name(text, start):
                continue  # "USA Today", "Japan Today": a title, not the day
        elif body == "yr":
            kind = "deadline" if dl else "date"
            out.extend(TimeExpr(s, e, text[s:e], value, kind) for s, e, value in _year_span(m))
            continue
        # "starting Monday" names the day something begins: the next one, as for a deadline
        if dl or (body == "wd" and lic_text is not None
                  and lic_text.split()[0].lower() in _FORWARD_LEADS):
            lean = 1
        elif anchor is not None and _without_year(body, m):
            lean = direction_at(text, n - p.end("mod") if mod else start, m.end(body))
        else:
            lean = 0
        resolved = _RESOLVERS[body](m, anchor, lean)
        if resolved is None:
            continue
        if dl or mod:
            start = n - p.end("dl" if dl else "mod")
        end = m.end("mon_m") if body == "mon" else m.end(body)
        out.append(TimeExpr(start, end, text[start:end], resolved[0],
                            "deadline" if dl else resolved[1]))
    return out


def _without_year(body: str, m: _Match) -> bool:
    """Whether the time names a month or weekday whose year or week only the clause's tense
    can tell ("in July", "on July 23", "on Thursday", "this Thursday")."""
    if body in ("mon", "wd"):
        return True
    if body in ("md", "dm"):
        return m[body + "_y"] is None and (body == "dm" or m["md_r"] is None)
    if body == "rm":
        return _rel(m["rm_r"]) == 0
    return body == "rd" and m["rd_r"] is not None and _rel(m["rd_r"]) == 0


def _inside_name(text: str, start: int) -> bool:
    """A capitalised word preceded by another word on the same line is part of a name."""
    return start >= 2 and text[start - 1] == " " and text[start - 2].isalpha()
