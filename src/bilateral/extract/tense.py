"""Which way a date without a year points: the tense of the clause it stands in.

"The talks ended in July" means the last July; "he will visit in April" the next April; "they
met on Thursday" the last Thursday and "they will meet on Thursday" the next. As HeidelTime's
``ContextAnalyzer.getLastTense`` does, the verb group nearest before the time in its clause
decides, and when there is none before it (a time that opens the sentence: "In July, the two
agreed ...") the first one after it. Only past and future matter here: a present tense says
nothing about the direction, and the caller keeps its own default.

A compact English lexicon stands in for a tagger, since this runs for every month or weekday
named without a year: auxiliaries and modals, "to" after a verb of planning or a form of "be",
past forms ("-ed" and the common irregular ones), a progressive after "is"/"are", and words that
mark a thing as scheduled ("upcoming", "is set to", "planned").
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["FUTURE", "PAST", "UNKNOWN", "dates_the_report", "direction_at"]

PAST: Final = -1
UNKNOWN: Final = 0
FUTURE: Final = 1

#: Characters either side of a time that are read for its clause.
REACH_CHARS: Final = 200
#: Words either side of a time within which its verb is looked for (punctuation not counted).
REACH_WORDS: Final = 20

_TOKEN: Final = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*|\d[\d.,]*%?|[;:()\u2014\u2013!?\"\n]|,|\.")
_FOLD: Final = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
#: Punctuation that closes a clause; a comma does too, except right after the time itself.
_BREAKS: Final = frozenset({";", ":", "(", ")", "\u2014", "\u2013", "!", "?", '"', ",", "\n"})
#: Words that open a clause of their own: the scan back stops there ("the rates will rise
#: following the ruling on Friday": the ruling is not what will happen).
_OPENERS: Final = frozenset({"that", "which", "who", "whom", "whose", "when", "while", "after",
                             "before", "following", "since", "because", "although", "though",
                             "if", "unless", "until", "where", "amid", "despite", "as"})
#: Words before a time that make it a starting or end point, whose direction a past verb does
#: not give ("paused them until July", "postponed to August 1", "starting April 3").
_BOUNDS: Final = frozenset({"until", "till", "through", "to", "from", "starting", "beginning",
                            "effective"})
#: Participles that, followed by "for", put a thing on the calendar ("arranged for July 1").
_SCHEDULED_FOR: Final = frozenset({"scheduled", "set", "planned", "arranged", "slated", "timed",
                                   "expected", "penciled", "pencilled", "booked"})
#: Contractions read as the auxiliary they hold.
_CONTRACTED: Final = {"won't": "will", "it's": "is", "he's": "is", "she's": "is", "that's": "is",
                      "there's": "is", "what's": "is"}

_MODAL_FUTURE: Final = frozenset({"will", "shall", "would", "can", "could", "may", "might",
                                  "must", "should"})
_BE_PRESENT: Final = frozenset({"is", "are", "am"})
_BE_PAST: Final = frozenset({"was", "were"})
_PAST_AUX: Final = frozenset({"was", "were", "had", "did", "has", "have"})
#: Verbs and participles that, followed by "to", announce what is still to come.
_PLAN_TO: Final = frozenset({
    "plan", "plans", "planned", "planning", "intend", "intends", "intended", "intending",
    "expect", "expects", "expected", "schedule", "scheduled", "set", "due", "slated", "poised",
    "prepare", "prepares", "preparing", "going", "aim", "aims", "aiming", "hope", "hopes",
    "likely", "about", "ready",
})
#: Words that mark what they qualify as still to come ("the upcoming summit in April").
_SCHEDULED: Final = frozenset({"upcoming", "forthcoming", "scheduled", "slated", "planned",
                               "expected", "anticipated", "next", "coming"})
#: Common irregular past forms (regular ones end in "-ed").
_IRREGULAR_PAST: Final = frozenset({
    "met", "held", "said", "told", "made", "took", "gave", "went", "came", "began", "saw",
    "won", "left", "sent", "struck", "spoke", "led", "brought", "bought", "sought", "thought",
    "fell", "rose", "paid", "sold", "kept", "wrote", "became", "ran", "drew", "grew", "chose",
    "stood", "lost", "forged", "unveiled", "signed", "agreed", "froze", "felt", "meant",
    "found", "heard", "spent", "built", "knew", "withdrew", "undertook", "oversaw", "swore",
})
#: "-ed" words that are no past forms.
_NOT_PAST: Final = frozenset({"hundred", "shed", "sacred", "naked", "wicked", "hatred",
                              "kindred", "rugged", "beloved", "embed", "red", "bed", "wed",
                              "need", "speed", "seed", "feed", "breed", "proceed", "exceed",
                              "succeed", "heed", "indeed", "steed", "weed", "greed", "deed",
                              "united", "based", "related", "limited", "advanced", "detailed",
                              "proposed", "so-called", "skilled", "armed"})
#: What may stand between an auxiliary and its verb ("will also be", "has not yet").
_BETWEEN: Final = frozenset({"not", "also", "still", "now", "then", "yet", "already", "be",
                             "been", "being", "just", "soon", "again", "reportedly",
                             "finally", "jointly", "formally", "officially", "later", "n't"})
_DETERMINERS: Final = frozenset({"a", "an", "the", "this", "that", "its", "his", "her",
                                 "their", "our", "these", "those"})


def direction_at(text: str, start: int, end: int) -> int:
    """``PAST``, ``FUTURE`` or ``UNKNOWN`` for the time expression at [start, end) of
    ``text``, from the verbs of its clause."""
    before = _tokens(text, max(0, start - REACH_CHARS), start)
    lead = before[-1].lower() if before else ""
    if lead == "since":
        return PAST  # "since July": a starting point already passed
    found = _scan_back(before)
    if found is None:
        found = _scan_ahead(_tokens(text, end, min(len(text), end + REACH_CHARS)))
    if (lead in _BOUNDS and found == PAST) or lead == "from":
        return UNKNOWN
    return found or UNKNOWN


def _tokens(text: str, lo: int, hi: int) -> list[str]:
    return _TOKEN.findall(text[lo:hi].translate(_FOLD))


def _scan_back(words: list[str]) -> int | None:
    """The direction given by the verb group nearest before the time; None when the clause
    has none within reach."""
    return _scan(words, range(len(words) - 1, -1, -1), openers=True)


def _scan_ahead(words: list[str]) -> int | None:
    first = 1 if words[:1] == [","] else 0  # "On Thursday, the two will meet ..."
    return _scan(words, range(first, len(words)), openers=False)


def _scan(words: list[str], order: range, *, openers: bool) -> int | None:
    """The first verdict over ``words`` in ``order``, within ``REACH_WORDS`` words and the
    clause; looking back, a clause opener also ends the search."""
    lowered = _lower(words)
    seen = 0
    for i in order:
        seen += words[i][0].isalnum()
        if seen > REACH_WORDS:
            return None
        if _is_break(words, i):
            return None
        verdict = _verdict(lowered, words, i)
        if verdict is not None:
            return verdict
        if openers and lowered[i] in _OPENERS:
            return None
    return None


def _lower(words: list[str]) -> list[str]:
    """Lower-case words, contractions spelt out ("he'll" -> "will")."""
    out = []
    for word in words:
        low = word.lower()
        if low.endswith("'ll"):
            low = "will"
        elif low.endswith("'re"):
            low = "are"
        elif low.endswith("'ve"):
            low = "have"
        out.append(_CONTRACTED.get(low, low))
    return out


def _is_break(words: list[str], i: int) -> bool:
    """Clause punctuation, or a full stop after a word that is no abbreviation ("U.S.", "Mr.",
    "Feb." do not end a sentence)."""
    word = words[i]
    if word in _BREAKS:
        return True
    if word != ".":
        return False
    last = words[i - 1] if i > 0 else ""
    return len(last) > 3 or last.islower()


def _verdict(lowered: list[str], words: list[str], i: int) -> int | None:
    """What word ``i`` says of the tense of its group, reading the words around it; None
    when it is no verb the lexicon knows (the scan goes on)."""
    word = lowered[i]
    after = lowered[i + 1] if i + 1 < len(lowered) else ""
    if word in _MODAL_FUTURE:
        return PAST if after == "have" else FUTURE  # "would have met" is past
    if word == "to":
        if not after.isalpha() or after in _DETERMINERS or not words[i + 1].islower():
            return None  # "due to the tariffs", "to Japan", "to 15%": no infinitive
        j = _head_index(lowered, i)
        head = lowered[j] if j >= 0 else ""
        if head in _PLAN_TO:
            if _head_before(lowered, j) in _BE_PAST:
                return UNKNOWN  # "was set to refile": a plan told in the past, kept or not
            return FUTURE  # "plans to visit", "is expected to meet"
        if head in _BE_PRESENT or head in ("has", "have"):
            return FUTURE  # "is to visit", "has to decide"
        return None
    if word in _SCHEDULED_FOR and after == "for":
        return FUTURE  # "arranged for July 1", "set for Tuesday"
    if word in _SCHEDULED and after != "to":
        return FUTURE
    if word.endswith("ing") and len(word) > 4:
        head = _head_before(lowered, i)
        if head in _BE_PRESENT:
            return FUTURE  # "is visiting Japan on Thursday": an arrangement
        if head in _BE_PAST:
            return PAST
        return None
    if word in _BE_PRESENT:
        return UNKNOWN  # a present tense: no direction, and no earlier verb decides
    if word in _PAST_AUX:
        return FUTURE if after == "to" else PAST
    if word in _IRREGULAR_PAST or _regular_past(word, words[i]):
        j = _head_index(lowered, i)
        head = lowered[j] if j >= 0 else ""
        if head == "to":
            return _verdict(lowered, words, j)  # "expected to be held": the "to" decides
        if head in _MODAL_FUTURE:
            return FUTURE  # "will be signed"
        if head in _BE_PRESENT:
            return UNKNOWN  # "are imposed": a present passive
        if head in _DETERMINERS:
            return None  # "the combined total": an adjective
        return PAST
    return None


def _head_index(lowered: list[str], i: int) -> int:
    """Where the auxiliary or verb that word ``i`` depends on stands: the word before it, past
    adverbs and the non-finite parts of the group ("will also be signed" -> "will"); -1 when
    the group opens the text read."""
    j = i - 1
    while j >= 0 and (lowered[j] in _BETWEEN or lowered[j].endswith("ly")):
        j -= 1
    return j


def _head_before(lowered: list[str], i: int) -> str:
    j = _head_index(lowered, i)
    return lowered[j] if j >= 0 else ""


def _regular_past(word: str, original: str) -> bool:
    """A lower-case word in "-ed" that is no adjective or noun from the stop list."""
    if len(word) < 4 or not word.endswith("ed") or original[0].isupper() or word in _NOT_PAST:
        return False
    return not word.endswith("eed") or word in ("agreed", "guaranteed", "freed", "decreed")


#: A reporting verb right before a time: "said Tuesday", "told reporters on Friday".
_REPORTED_AT: Final = re.compile(
    r"\b(?:said|says|told\s+(?:\w+\s+){0,2}?|tells\s+(?:\w+\s+){0,2}?|added|stated|noted)"
    r"\s+(?:on\s+)?$", re.IGNORECASE)


def dates_the_report(text: str, start: int) -> bool:
    """Whether the time at ``start`` follows a reporting verb, and so dates the report rather
    than what is reported ("said Tuesday he will meet her on Sunday": the meeting is Sunday)."""
    return bool(_REPORTED_AT.search(text, max(0, start - 40), start))
