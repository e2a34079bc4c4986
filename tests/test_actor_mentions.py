"""Actor mentions: the name matcher finds what a word-bounded regex over the names would, the
longest name first, and with tens of thousands of names it still builds and matches."""

from __future__ import annotations

import random
import re

import pytest

from bilateral.dossier import Dossier, load_dossier
from bilateral.extract import Extractor
from bilateral.extract.actors import NameMatcher
from bilateral.extract.patterns import literal_trie
from bilateral.records import Document

NAMES = {
    "Japan": "state:JPN", "Japanese": "state:JPN", "U.S.": "state:USA", "U.S": "state:USA",
    "United States": "state:USA", "Mr. Placeholder": "actor:p", "Placeholder": "actor:p",
    "Vice Minister Placeholder": "actor:p", "F-9": "actor:plane", "(Group)": "actor:group",
}


def regex_matches(names: dict[str, str], text: str) -> list[tuple[int, int, str]]:
    pattern = re.compile(r"(?<![\w])(?:" + literal_trie(names) + r")(?![\w])")
    return [(m.start(), m.end(), names[" ".join(m.group().split())])
            for m in pattern.finditer(text)]


@pytest.mark.parametrize("text, found", [
    ("Vice Minister Placeholder met Japanese envoys.",
     [("Vice Minister Placeholder", "actor:p"), ("Japanese", "state:JPN")]),
    ("Mr.  Placeholder\nand the United\n  States", [("Mr.  Placeholder", "actor:p"),
                                                   ("United\n  States", "state:USA")]),
    ("U.S.A. and U.S.-Japan talks", [("U.S", "state:USA"), ("U.S.", "state:USA"),
                                     ("Japan", "state:JPN")]),
    ("Japanese-made F-9s, not F-9 jets; Japan's",
     [("Japanese", "state:JPN"), ("F-9", "actor:plane"), ("Japan", "state:JPN")]),
    ("japan, JAPAN, Japanned, xJapan, _Japan", []),
    ("a(Group) and (Group)s and (Group).", [("(Group)", "actor:group")]),
])
@pytest.mark.parametrize("regex_up_to", [0, 5_000], ids=["by-dict", "by-regex"])
def test_longest_whole_names_are_found_as_written(text, found, regex_up_to):
    matches = list(NameMatcher(NAMES, regex_up_to=regex_up_to).finditer(text))
    assert [(text[s:e], ref) for s, e, ref in matches] == found
    assert matches == regex_matches(NAMES, text)


def test_the_matcher_agrees_with_the_regex_on_shuffled_names_and_marks():
    rng = random.Random(7)
    pieces = [*NAMES, "the", ",", ".", "-", "'s", "_", "x", "(", ")", "2025"]
    matcher = NameMatcher(NAMES, regex_up_to=0)  # the dict lookup, whatever the size
    for _ in range(2000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", "\n", "-", "."])
                       for _ in range(rng.randint(1, 10)))
        assert list(matcher.finditer(text)) == regex_matches(NAMES, text), text


def test_tens_of_thousands_of_actors_are_found_by_name():
    base = load_dossier("us-japan").model_dump()
    base["actors"] += [{"id": f"made_up_{i}", "name": f"Envoy Number{i}",
                        "aliases": [f"Number{i}"], "roles": [{"state": "JPN"}]}
                       for i in range(20_000)]
    dossier = Dossier.model_validate(base)
    extractor = Extractor(dossier)
    doc = extractor.annotate(Document(
        id="x", published="2025-06-01",
        text="Envoy Number19999 met Number17 in Tokyo, and the U.S. said so."))
    assert [m.ref for m in doc._.actors] == ["actor:made_up_19999", "actor:made_up_17",
                                             "state:JPN", "state:USA"]
