"""The word lists of dossiers and the lexicon as one regex each: a trie that finds what an
alternation of the phrases, longest first, finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bilateral.extract.context import word_pattern

PHRASES = ["deal*", "deal with", "sanction*", "sanctions on", "meet", "meeting*", "trade-off",
           "trade*", "agree", "agreed to", "talks", "talks with", "ban", "bans on"]


def alternation(words: list[str]) -> re.Pattern[str]:
    """The plain alternation, longest phrase first, that the trie stands in for."""
    parts = [re.escape(w[:-1]) + r"[\w-]*" if w.endswith("*") else re.escape(w)
             for w in sorted(set(words), key=len, reverse=True)]
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])")


def test_the_longest_phrase_that_ends_at_a_word_end_wins():
    pattern = word_pattern(PHRASES)
    found = [m.group() for m in pattern.finditer(
        "After dealings with Seoul, a deal with Tokyo; sanctions on rice, trade-offs, "
        "meetings and an agreement they agreed to.")]
    assert found == ["dealings", "deal with", "sanctions on", "trade-offs", "meetings",
                     "agreed to"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["deal", "with", "sanctions", "on", "meetings", "meet", "trade",
                                 "-off", "s", "agree", "agreed", "to", "talks", "bans", "ban",
                                 ",", "x"]), max_size=12))
def test_the_trie_finds_what_the_alternation_finds(tokens):
    text = " ".join(tokens).replace(" -", "-").replace(" s ", "s ")
    assert [m.span() for m in word_pattern(PHRASES).finditer(text)] == \
        [m.span() for m in alternation(PHRASES).finditer(text)]


LISTS = [["deal*", "talks with", "meet"], ["sanction*", "tariffs on", "deal with"],
         ["meetings", "agree", "agreed to"]]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["deal", "dealings", "with", "talks", "sanctions", "tariffs",
                                 "on", "meetings", "meet", "agree", "agreed", "to", ",", "x"]),
                max_size=12))
def test_one_scan_finds_what_each_list_finds_alone(tokens):
    """The events stage scans a sentence once for all its trigger lists: each list's matches
    are those of its own pattern."""
    from bilateral.extract.events import _one_scan, matches_per_list

    text = " ".join(tokens)
    together: list[list[tuple[int, int]]] = [[] for _ in LISTS]
    for i, start, end in matches_per_list(_one_scan(LISTS), len(LISTS), text):
        together[i].append((start, end))
    assert together == [[m.span() for m in word_pattern(words).finditer(text)]
                        for words in LISTS]
