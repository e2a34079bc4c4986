"""Numbers in English news text: percentages, shares of GDP, money and counts.

``find_quantities`` reads how news writes numbers ("24%", "24 pct", "$550bn", "US$1.2 trillion",
"43 trillion yen", "1.6% of GDP", "55,000 troops", "10 to 20 percent", "from 25% to 15%") and
returns each with its value in plain units, its kind and, for money, its currency. It does not
decide what a number measures; that is the caller's business.

What is not a quantity: years ("in 2024", "fiscal 2027"), dates ("July 23", "23 July",
"2025-07-23"), clock times, ordinals ("7th Fleet"), numbers glued to letters ("G7", "F-35",
"5G"), labels ("Section 232", "Article 9", "No. 2"), phone numbers, numbers inside URLs, and
percentage-point or basis-point changes (a change is not a level). A bare "1 trillion" with no
currency and no noun after it is money of unknown currency; the caller decides.

Speed: the main pattern begins with a character class (a digit or a currency sign), which lets
the regex engine skip everything else in a tight loop; the words before a number (currency codes,
"about", a month name, "Section") are read with one anchored match on the reversed text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, NamedTuple

from bilateral.extract.patterns import literal_trie
from bilateral.extract.times import MONTHS
from bilateral.limits import finite_magnitude

__all__ = ["Quantity", "find_quantities"]


@dataclass(frozen=True)
class Quantity:
    """One number with its unit, as written in the text."""

    start: int  # character span of the whole quantity expression
    end: int
    text: str
    value: float  # money in plain currency units (550e9); percent as 15; counts as numbers
    kind: str  # "percent" | "percent_gdp" | "money" | "count"
    currency: str | None = None  # ISO 4217 code for money; None otherwise or when unknown
    role: str | None = None  # "low"/"high" for ranges, "from"/"to" for transitions
    head: str | None = None  # for counts: the noun after the number ("troops")
    approximate: bool = False  # "about", "some", "nearly", "more than", ... before it


# --- word tables --------------------------------------------------------------------------------

_SCALES: Final = MappingProxyType({
    "thousand": 3, "k": 3, "million": 6, "mn": 6, "mln": 6, "m": 6, "billion": 9, "bn": 9,
    "bln": 9, "b": 9, "trillion": 12, "tn": 12, "trn": 12, "trln": 12,
})
_SYMBOLS: Final = MappingProxyType({"$": "USD", "\\": "USD", "€": "EUR", "£": "GBP", "¥": "JPY",
                                    "￥": "JPY", "₩": "KRW"})
_CODES: Final = MappingProxyType({
    "USD": "USD", "JPY": "JPY", "EUR": "EUR", "GBP": "GBP", "CNY": "CNY", "RMB": "CNY",
    "KRW": "KRW", "AUD": "AUD", "CAD": "CAD", "HKD": "HKD", "SGD": "SGD", "TWD": "TWD",
})
#: Letters written before "$" to say which dollar: "US$", "A$", "HK$".
_DOLLARS: Final = MappingProxyType({"US": "USD", "U.S.": "USD", "A": "AUD", "C": "CAD",
                                    "HK": "HKD", "NT": "TWD", "S": "SGD"})
_CURRENCY_WORDS: Final = MappingProxyType({
    "dollar": "USD", "dollars": "USD", "yen": "JPY", "euro": "EUR", "euros": "EUR",
    "yuan": "CNY", "renminbi": "CNY", "won": "KRW", "pound": "GBP", "pounds": "GBP",
})
#: Which dollar a qualifier names: "Australian dollars".
_DOLLAR_QUALIFIERS: Final = MappingProxyType({
    "australian": "AUD", "canadian": "CAD", "hong kong": "HKD", "singapore": "SGD",
    "taiwan": "TWD", "new taiwan": "TWD",
})
#: Currency words that are ordinary words without a scale ("won the vote", "500 pounds of beef").
_NEEDS_SCALE: Final = frozenset({"won", "pound", "pounds"})
_WORD_NUMBERS: Final = MappingProxyType({
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
})
_APPROX: Final = ("about", "around", "roughly", "approximately", "nearly", "almost", "some",
                  "more than", "over", "close to", "an estimated", "upwards of", "just over",
                  "just under", "less than", "fewer than", "an approximate")
#: Nouns that make the number after them a name, not an amount ("Section 232").
_LABELS: Final = ("section", "article", "chapter", "title", "clause", "paragraph", "rule",
                  "resolution", "item", "part", "annex", "appendix", "figure", "table",
                  "page", "vol", "volume", "flight", "route", "highway", "unit", "type", "model",
                  "class", "series", "level", "phase", "stage", "round", "room", "gate", "line",
                  "platform", "version", "nikkei", "topix", "kospi", "dow", "ftse", "s&p",
                  "nasdaq", "code")
#: Words between a number and its noun that are not the noun: "54,000 U.S. military personnel".
_ADJECTIVES: Final = ("additional", "more", "new", "extra", "other", "foreign", "military",
                      "active-duty", "active duty", "uniformed", "armed", "civilian", "local",
                      "full-time", "permanent", "total", "rotational", "regular", "combat")
#: A "head" that is a function word means the number has no noun.
_NOT_HEADS: Final = frozenset((
    "a", "an", "the", "in", "of", "to", "and", "or", "for", "from", "on", "at", "by", "with",
    "per", "is", "was", "were", "are", "be", "been", "as", "than", "that", "this", "which", "who",
    "will", "would", "could", "should", "can", "may", "might", "has", "have", "had", "said",
    "says", "but", "if", "so", "into", "over", "under", "more", "less", "up", "down", "out",
    "after", "before", "since", "during", "each", "its", "their", "his", "her", "our", "your",
    "while", "when", "where", "whereas", "compared", "against",
))


def _reversed_words(words: Iterable[str], *, cased: bool = True) -> str:
    """A trie of the words spelled backwards (for matching on the reversed text), in lower case
    and with a capital initial."""
    forms = {f for w in words for f in ((w, w[:1].upper() + w[1:]) if cased else (w,))}
    return literal_trie(f[::-1] for f in forms)


# --- patterns -----------------------------------------------------------------------------------

_MONTH_NAMES = [*(m[:1].upper() + m[1:] for m in MONTHS),
                *(m[:1].upper() + m[1:] + "." for m in MONTHS if len(m) <= 4)]
_MONTH_AFTER = literal_trie([*_MONTH_NAMES, *(m.upper() for m in MONTHS)])

#: Words that make a four-digit number an amount rather than a year ("2000 yen").
_UNIT_WORDS = literal_trie(f for w in ("thousand", "million", "billion", "trillion", "mln", "bln",
                                        "bn", "mn", "tn", "percent", "per cent", "pct", "yen",
                                        "dollars", "dollar", "euros", "yuan", "won", "pounds",
                                        "usd", "jpy")
                    for f in (w, w.capitalize(), w.upper()))


def _cased_trie(*words: str) -> str:
    """The words in lower, title and upper case as one trie (case-insensitive groups would stop
    the engine from rejecting a branch on its first character)."""
    return literal_trie(f for w in words for f in (w, w[:1].upper() + w[1:], w.upper()))


#: Scale, unit and "of GDP" after a number; shared by the digit pass and word numbers.
_TAIL = rf"""
    (?:[\s-]?(?P<scale>{_cased_trie("thousand", "million", "billion", "trillion", "trln", "mln",
                                     "bln", "trn", "mn", "bn", "tn")})(?![a-z])
      |(?P<scale1>[kmbKMB])(?!\w))?
    (?:(?P<pp>[\s-]?{_cased_trie("percentage", "basis")}[\s-]points?\b)
      |(?P<pct>\s?%|[\s-]?{_cased_trie("percent", "per cent", "percent", "pct")}(?!\w)|pc(?!\w))
       (?P<gdp>\s+of\s+(?:(?:its|their|the|national|nominal|annual|projected|estimated|expected|forecast|(?:the\s+)?(?:country|nation|economy)['’]s
          |[A-Z][\w.]*['’]s)\s+){{0,2}}(?:GDP|(?i:gross\s+domestic\s+product))\b)?
      |[\s-]+(?:(?P<cq>U\.S\.|US|American|Japanese|Australian|Canadian|Hong\s+Kong|Singapore
          |(?:New\s+)?Taiwan)[\s-]+)?
        (?P<cword>{_cased_trie("dollars", "dollar", "yen", "euros", "euro", "yuan", "renminbi",
                               "won", "pounds", "pound")}(?:\s+sterling)?)(?!\w)
      |\s?(?P<code>USD|JPY|EUR|GBP|CNY|RMB|KRW|AUD|CAD|HKD|SGD|TWD)\b)?
    (?![\w]|[.,]\d)
"""
_NUM_RE: Final = re.compile(
    rf"""
    [0-9$€£¥￥₩\\]
    (?:
      (?:(?<=\\)\$|(?<=[$€£¥￥₩]))\s?(?P<n1>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)
     |(?<=[0-9])(?<![\w.,/#'’@=:][0-9])(?<![A-Za-z]-[0-9])
      (?:
        (?=\d*(?:[-/.:–)]|\s?[apAP]\.?[mM]|[ \t]?[\dA-Z]|\s+of\s|st|nd|rd|th)|(?<=\+[0-9]))
        (?P<skip>
          \d{{3}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}(?!\d)                  # 2025-07-23
         |\d?/\d{{1,2}}/\d{{2,4}}(?!\d)                             # 7/23/2025
         |\d?:\d\d(?::\d\d)?(?:\s?(?i:[ap]\.?m\b\.?))?               # 10:30 a.m.
         |\d?(?:\.\d\d)?\s?(?:a\.m\.|p\.m\.|(?i:am|pm)\b)            # 3 p.m.
         |\d{{3}}\s?(?:GMT|UTC|JST|EST|EDT|ET)\b                    # 0900 GMT
         |\d{{1,3}}\)?(?:[ .-]\d{{1,4}})?[ .-]\d{{3,4}}[.-]\d{{4}}(?!\d)  # 202 555-0100
         |(?<=\+[0-9])\d{{0,3}}(?:[ .-]\d{{1,4}}){{2,4}}(?!\d)          # +81 3 1234 5678
         |\d*(?:st|nd|rd|th)\b                                       # 7th
         |(?:(?<=1)9|(?<=2)0)\d\d\s?[-–/]\s?(?:(?:19|20)\d\d|\d\d)(?![\d%]|\s?(?i:%|percent|pct))
         |\d?(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_AFTER})(?![\w])    # 23 July (2025)
          (?:,?\s+\d{{4}}(?![\d/-]))?
        )
       |(?!(?:(?<=1)9\d\d|(?<=2)0\d\d|(?<=2)100)(?![\d,]|\.\d|\s?%|[\s-]?(?:{_UNIT_WORDS})\b))
        (?P<n2>(?:\d{{0,2}}(?:,\d{{3}})+|\d*)(?:\.\d+)?)           # not a bare year
      )
    )
    {_TAIL}
    """,
    re.VERBOSE,
)
_TAIL_RE: Final = re.compile(_TAIL, re.VERBOSE)
#: Word numbers are found from the scale or percent word after them ("two percent"). Each
#: pattern is a plain literal (the tail of the word, so that any capitalisation matches), which
#: the engine finds with a fast search instead of trying every position.
_WORD_SCALE_RES: Final = tuple(re.compile(rf"{w}\b") for w in ("illion", "housand", "ercent",
                                                                 "er cent"))
_WORD_SCALES: Final = frozenset({"million", "billion", "trillion", "thousand", "percent",
                                 "per cent"})
_URL_RE: Final = re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+")

#: Read on the reversed text from the start of a number: what is written just before it.
_BEFORE_RE: Final = re.compile(
    rf"""
    (?P<dollar>(?<=\$)(?:SU|\.S\.U|KH|TN|A|C|S)(?![A-Za-z.]))?
    (?P<code>\s?(?:DSU|YPJ|RUE|PBG|YNC|BMR|WRK|DUA|DAC|DKH|DGS|DWT)(?![A-Za-z]))?
    (?:(?P<approx>\s+(?:{_reversed_words(_APPROX)})(?!\w))
      |(?P<month>\s+(?:{literal_trie(m[::-1] for m in _MONTH_NAMES)})(?!\w))
      |(?P<label>\s+(?:{_reversed_words(_LABELS)})(?!\w)|\s*\.(?:oN|on|soN|son)(?!\w)|\#)
    )?
    """,
    re.VERBOSE,
)
_WORD_NUMBER_BEFORE_RE: Final = re.compile(
    rf"\s+(?P<w>(?:{_reversed_words(_WORD_NUMBERS)})(?:-(?:{_reversed_words(_WORD_NUMBERS)}))?)"
    r"(?![\w-])"
)
_HEAD_RE: Final = re.compile(
    rf"""[\s-]+(?:(?:[A-Z][\w.&'’-]*|(?i:{literal_trie(_ADJECTIVES)}))\s+){{0,3}}
         (?P<head>[a-z][a-z]+(?:-[a-z]+)*)(?:\s+(?P<more>members|personnel))?\b""",
    re.VERBOSE,
)
_MAX_GAP: Final = 12  # " through ", " from " and spaces: wider gaps join nothing
_CONNECTOR_RE: Final = re.compile(r"\s*(?:-\s+(?=to\b))?(?P<c>-|–|—|to|through|and|or)\s*")
#: "to 15% from 25%", "1.8%, up from 1.6%": the new value first, then the old one.
_FROM_GAP_RE: Final = re.compile(r",?\s+(?:(?P<dir>up|down)\s+)?(?P<c>from)\s+")
#: "to 15%, including the existing 2.5% duty, from 27.5%": an aside between the new value and
#: the old one, which holds a number of its own.
_ASIDE_FROM_RE: Final = re.compile(r",\s+(?:[^,;.()\n]|\.(?=\d)){1,80}?,\s+(?P<c>from)\s+")
#: Characters an aside may span between the two values of a transition.
_MAX_ASIDE: Final = 90
_BEFORE_PAIR_RE: Final = re.compile(
    rf"\s+(?P<w>{_reversed_words(('from', 'between', 'to'))})(?!\w)")


# --- scanning -----------------------------------------------------------------------------------


class _Raw(NamedTuple):
    """A number as first read, before ranges are joined and units shared (internal, many per
    article: a tuple is cheaper to build than a frozen dataclass)."""

    start: int
    end: int  # end of the number with its scale and unit (and "of GDP")
    match_start: int  # start including an approximating word: where the text before it ends
    value: float
    exp: int  # the power of ten of its scale word (0 without one)
    kind: str | None  # None: a bare number (a count, or a range member taking the other's unit)
    currency: str | None
    head: str | None
    head_end: int  # end of the noun; ``end`` when there is none
    approximate: bool


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in ``text``, sorted by start."""
    reverse, n = text[::-1], len(text)
    urls = ([(m.start(), m.end()) for m in _URL_RE.finditer(text)]
            if ("://" in text or "www." in text or "@" in text) else [])
    raws: list[_Raw] = []
    for m in _NUM_RE.finditer(text):
        if m["skip"] is not None:
            continue
        s = m.start()
        first = text[s]
        if first.isdigit():
            raw = _read(text, reverse, n, m, s, m.end("n2"), text[s:m.end("n2")], None, None)
        else:
            if first == "\\":
                s += 1  # "\$783 billion": the backslash is Markdown, not text
            raw = _read(text, reverse, n, m, s, m.end("n1"), m["n1"], first, None)
        if raw is not None and not (urls and _inside(urls, s)):
            raws.append(raw)
    for word_re in _WORD_SCALE_RES:
        for w in word_re.finditer(text):
            start = w.start() - 1
            while start > 0 and text[start - 1].isalpha():  # at most two letters back
                start -= 1
            if text[start:w.end()].lower() not in _WORD_SCALES:
                continue  # "pavilion", "decent"
            raw = _word_number(text, reverse, n, start - 1)
            if raw is not None and not (urls and _inside(urls, raw.start)):
                raws.append(raw)
    if not raws:
        return []
    raws.sort(key=lambda r: r.start)
    return _assemble(text, reverse, n, raws)


def _word_number(text: str, reverse: str, n: int, space: int) -> _Raw | None:
    """A number written as a word before the scale or percent word at ``space + 1``."""
    b = _WORD_NUMBER_BEFORE_RE.match(reverse, n - space - 1) if space > 0 else None
    if b is None:
        return None
    word = b["w"][::-1].lower()
    if word in ("a", "an") and text[space + 1] in "pP":
        return None  # "a percent" is not a number
    num_end = n - b.start("w")
    t = _TAIL_RE.match(text, num_end)
    if t is None:
        return None
    return _read(text, reverse, n, t, n - b.end("w"), num_end, None, None, _word_value(word))


def _word_value(word: str) -> float:
    """'twenty-five' -> 25."""
    return float(sum(_WORD_NUMBERS[p] for p in word.split("-")))


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    """Whether ``pos`` falls in one of the sorted, disjoint ``spans``."""
    i = bisect_right(spans, (pos + 1,)) - 1
    return i >= 0 and pos < spans[i][1]


def _read(text: str, reverse: str, n: int, m: re.Match[str], start: int, num_end: int,
          digits: str | None, symbol: str | None, word_value: float | None) -> _Raw | None:
    """One number from its match: value, scale, unit and the words around it; None when it is
    not a quantity (a year, a label, a date, a percentage-point change)."""
    pp, scale_word, scale1, code, word, qualifier, pct, gdp = m.group(
        "pp", "scale", "scale1", "code", "cword", "cq", "pct", "gdp")
    if pp is not None:
        return None
    if scale1 is not None and symbol is None:
        return None  # "5m": metres or millions? Only "$5m" is surely money.
    scale = scale_word or scale1
    b = _BEFORE_RE.match(reverse, n - start)
    dollar, code_before, approx, month, label = b.group(
        "dollar", "code", "approx", "month", "label")
    currency = None
    span_start = start
    if symbol is not None:
        currency = _SYMBOLS[symbol]
        if dollar and symbol == "$":
            currency = _DOLLARS[dollar[::-1]]
            span_start = n - b.end("dollar")
    elif code_before:
        currency = _CODES[code_before.strip()[::-1]]
        span_start = n - b.end("code")
    if code:
        currency = _CODES[code]
    end = m.end()
    if word is not None:
        key = word.split()[0].lower()
        if key in _NEEDS_SCALE and scale is None and "sterling" not in word.lower():
            end = num_end  # "won", "pounds" without a scale are ordinary words
        else:
            currency = _CURRENCY_WORDS[key]
            if currency == "USD" and qualifier:
                currency = _DOLLAR_QUALIFIERS.get(" ".join(qualifier.lower().split()), "USD")
    exp = _SCALES[scale.lower()] if scale else 0
    if word_value is not None:
        value = word_value * 10 ** exp
    else:
        assert digits is not None
        clean = digits.replace(",", "")
        value = float(f"{clean}e{exp}") if exp else float(clean)
    if not finite_magnitude(value):
        return None  # a run of digits, not a figure: no relationship counts in quadrillions
    if pct is not None:
        kind: str | None = "percent_gdp" if gdp else "percent"
    elif currency is not None:
        kind = "money"
    else:
        kind = None
        if not scale:
            if month and value <= 31:
                return None  # "July 23", "Jan. 2"
            if label:
                return None  # "Section 232", "No. 2"
            if digits is not None and len(digits) == 4 and 1900 <= value <= 2100 \
                    and digits.isdigit():
                return None  # a year
    head, head_end = None, end
    if kind is None:
        h = _HEAD_RE.match(text, end)
        if h is not None and h["head"] not in _NOT_HEADS:
            head = f"{h['head']} {h['more']}" if h["more"] else h["head"]
            head_end = h.end()
    match_start = span_start
    if approx:
        match_start = n - b.end("approx")
    return _Raw(span_start, end, match_start, value, exp, kind, currency, head, head_end,
                approx is not None)


def _assemble(text: str, reverse: str, n: int, raws: list[_Raw]) -> list[Quantity]:
    """Join ranges and transitions ("10 to 20 percent", "from 25% to 15%") and build the
    records."""
    out: list[Quantity] = []
    i = 0
    while i < len(raws):
        if i + 1 < len(raws) and raws[i + 1].match_start - raws[i].head_end <= _MAX_GAP:
            pair = _pair(text, reverse, n, raws[i], raws[i + 1])
            if pair is not None:
                out.extend(pair)
                i += 2
                continue
        if i + 2 < len(raws) and raws[i + 2].match_start - raws[i].head_end <= _MAX_ASIDE:
            pair = _pair(text, reverse, n, raws[i], raws[i + 2], aside=True)
            if pair is not None:
                middle = raws[i + 1]
                out.extend((pair[0], _quantity(text, middle, middle.kind, middle.value,
                                               middle.currency, middle.head, None,
                                               middle.approximate), pair[1]))
                i += 3
                continue
        a = raws[i]
        out.append(_quantity(text, a, a.kind, a.value, a.currency, a.head, None, a.approximate))
        i += 1
    return out


def _quantity(text: str, r: _Raw, kind: str | None, value: float, currency: str | None,
              head: str | None, role: str | None, approximate: bool) -> Quantity:
    """The record; a number without a unit is a count, or money of unknown currency when it has
    a scale word and no noun ("1 trillion")."""
    if kind is None:
        kind = "money" if r.exp and head is None else "count"
    end = r.head_end if kind == "count" and r.head is not None else r.end
    return Quantity(r.start, end, text[r.start:end], value, kind,
                    currency if kind == "money" else None, role,
                    head if kind == "count" else None, approximate)


def _pair(text: str, reverse: str, n: int, a: _Raw, b: _Raw, *,
          aside: bool = False) -> list[Quantity] | None:
    """Two numbers joined by "to", "-", "and" or "from" into a range or a transition; with
    ``aside``, a new value and an old one with a clause between them ("to 15%, including the
    2.5% duty, from 27.5%")."""
    gap_start = a.head_end  # the end of its noun, or of the number when it has none
    c = None if aside else _CONNECTOR_RE.fullmatch(text, gap_start, b.match_start)
    backwards = False  # "to 15% from 25%"
    if c is None:
        c = (_ASIDE_FROM_RE if aside else _FROM_GAP_RE).fullmatch(text, gap_start,
                                                                  b.match_start)
        if c is None:
            return None
        backwards = True
    before = _BEFORE_PAIR_RE.match(reverse, n - a.match_start)
    word = before["w"][::-1].lower() if before else None
    conn = c["c"].lower()
    a_bare = a.kind is None and a.head is None
    b_bare = b.kind is None and b.head is None
    if backwards and word != "to" and not (c.groupdict().get("dir") and a.kind and b.kind):
        return None  # "rose to 1.8%, up from 1.6%" or "is 1.8%, up from 1.6%"
    if conn in ("and", "or") and word != "between" and not (a_bare and not b_bare):
        return None  # two numbers in a list, each with its own unit
    if a_bare and b_bare and a.exp == b.exp:
        return None  # two bare numbers: no unit to share
    if a.exp and not b.exp and b.kind is None:
        return None  # "550 billion to 10 firms": not one range
    a_value = a.value * 10 ** b.exp if (not a.exp and b.exp and a.kind in (None, "money")) \
        else a.value
    a_kind, b_kind = a.kind, b.kind
    if a_bare:
        a_kind = b_kind
    elif b_bare:
        b_kind = a_kind
    if "percent_gdp" in (a_kind, b_kind) and {a_kind, b_kind} <= {"percent", "percent_gdp"}:
        a_kind = b_kind = "percent_gdp"  # "from 1% to 2% of GDP"
    if a_kind != b_kind:
        return None
    if a.currency and b.currency and a.currency != b.currency:
        return None
    if a.head is not None and b.head is not None and a.head != b.head:
        return None
    currency = a.currency or b.currency
    head = a.head or b.head
    roles: tuple[str | None, str | None]
    if backwards:
        roles = ("to", "from")
    elif word == "from":
        roles = ("from", "to")
    elif conn in ("and", "or") and word != "between":
        roles = (None, None)
    elif conn == "to" and a_value > b.value:
        roles = ("from", "to")  # "cut 25% to 15%": a change, not a range
    else:
        roles = ("low", "high")
    approximate = a.approximate or b.approximate
    return [_quantity(text, a, a_kind, a_value, currency, head, roles[0], approximate),
            _quantity(text, b, b_kind, b.value, currency, head, roles[1], approximate)]
