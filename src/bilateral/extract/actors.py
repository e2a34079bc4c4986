"""Actor mentions: states by name, alias, adjective or capital (the dossier's and the world
gazetteer's), and the dossier's actors by name or alias, each resolved to the state it acts for
on the document's date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from spacy.tokens import Doc

from bilateral.dossier import Dossier, State
from bilateral.extract.patterns import literal_trie

#: Up to this many names, one regex over them all finds mentions; beyond, a dict lookup per word.
REGEX_NAMES = 5_000


@dataclass(frozen=True)
class Mention:
    """Who a stretch of text names, and which state (if any) it acts for."""

    ref: str  # "state:JPN" or "actor:ishiba"
    state: str | None
    acts_for_state: bool
    start: int
    end: int


class NameMatcher:
    """Finds the longest known name at each place in a text, left to right, in time that does
    not grow with the number of names.

    A name matches as written (case counts), its spaces standing for any run of whitespace,
    where it is neither preceded nor followed by a letter, digit or underscore: what a regex
    ``(?<!\\w)(?:name|...)(?!\\w)`` finds. Such a regex over hundreds of thousands of names
    takes many seconds to build; here the text is cut into words and punctuation marks, and
    each place whose word can begin a name is looked up in a dict, for each length a name
    beginning with that word has, longest first. Up to ``REGEX_NAMES`` names (a dossier of a
    few hundred actors), that regex is built anyway: it builds in milliseconds and matches
    five times faster.
    """

    def __init__(self, names: dict[str, str], *, regex_up_to: int = REGEX_NAMES) -> None:
        #: name with single spaces -> what it refers to; the first given wins
        self.names: dict[str, str] = {}
        # first word or mark of a name -> the numbers of words and marks of the names it begins
        lengths: dict[str, set[int]] = {}
        for name, ref in names.items():
            atoms = _ATOM.findall(name)
            if atoms:
                self.names.setdefault(" ".join(name.split()), ref)
                lengths.setdefault(atoms[0], set()).add(len(atoms))
        #: first word or mark of a name -> the lengths of the names it begins, longest first
        self.lengths = {first: sorted(found, reverse=True) for first, found in lengths.items()}
        self._regex = re.compile(r"(?<![\w])(?:" + literal_trie(names) + r")(?![\w])") \
            if 0 < len(names) <= regex_up_to else None

    def finditer(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, ref) of every name found, left to right, none overlapping. The words
        after a place are cut only where a name may begin there: most words begin none."""
        if self._regex is not None:
            for m in self._regex.finditer(text):
                yield m.start(), m.end(), self.names[" ".join(m.group().split())]
            return
        resume = 0
        for atom in _ATOM.finditer(text):
            start = atom.start()
            lengths = self.lengths.get(atom.group()) if start >= resume else None
            if lengths is None:
                continue
            ends = [atom.end()]  # where the name ends after 1, 2, ... words and marks
            ends += [m.end() for m in islice(_ATOM.finditer(text, atom.end()), lengths[0] - 1)]
            for length in lengths:
                if length > len(ends):
                    continue
                end = ends[length - 1]
                ref = self.names.get(" ".join(text[start:end].split()))
                if ref is not None and self._bounded(text, start, end):
                    yield start, end, ref
                    resume = end
                    break

    @staticmethod
    def _bounded(text: str, start: int, end: int) -> bool:
        """A name that begins or ends with a mark must not touch a word there (a word at its
        edge is whole already: words are cut where letters end)."""
        return not (start > 0 and _WORD.match(text, start - 1)) and \
            not (end < len(text) and _WORD.match(text, end))


_ATOM = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w")


class ActorStage:
    name = "actors"
    requires = ("layout",)
    assigns = ("actors",)

    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier
        # The first owner of a word keeps it: the dossier's states and actors, then the world
        # gazetteer's other states, so a dossier's word is never taken by the gazetteer.
        refs: dict[str, str] = {}
        self._add_states(refs, dossier.states)
        self.actors = {a.id: a for a in dossier.actors}
        for actor in dossier.actors:
            for word in [actor.name, *actor.aliases]:
                refs.setdefault(word, f"actor:{actor.id}")
        self._add_states(refs, dossier.gazetteer_states)
        self.matcher = NameMatcher(refs)

    @staticmethod
    def _add_states(refs: dict[str, str], states: dict[str, State]) -> None:
        for code, state in states.items():
            for word in [state.name, *state.aliases, *state.adjectives, *state.capitals]:
                refs.setdefault(word, f"state:{code}")

    def __call__(self, doc: Doc) -> Doc:
        day = published_day(doc._.document.published if doc._.document else None)
        mentions, spans = [], []
        for start, end, ref in self.matcher.finditer(doc._.layout.match_text):
            mention = self.resolve(ref, start, end, day)
            mentions.append(mention)
            span = doc.char_span(start, end, label=mention.state or "",
                                 kb_id=mention.ref, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc._.actors = mentions
        doc.spans["actors"] = spans
        return doc

    def resolve(self, ref: str, start: int, end: int, day: dt.date | None) -> Mention:
        """The state ``ref`` acts for on ``day`` (a state stands for itself)."""
        kind, _, key = ref.partition(":")
        if kind == "state":
            return Mention(ref, key, True, start, end)
        actor = self.actors[key]
        role = actor.role_on(day) or actor.roles[-1]
        return Mention(ref, role.state, actor.acts_for_state, start, end)


def published_day(published: str | None) -> dt.date | None:
    """The first day of a YYYY / YYYY-MM / YYYY-MM-DD publication date."""
    if not published:
        return None
    parts = [int(p) for p in published.split("-")]
    while len(parts) < 3:
        parts.append(1)
    try:
        return dt.date(*parts[:3])
    except ValueError:
        return None
