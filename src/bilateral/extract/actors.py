"""Actor mentions: states by name, alias, adjective or capital, and the dossier's actors by
name or alias, each resolved to the state it acts for on the document's date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from spacy.tokens import Doc

from bilateral.dossier import Dossier
from bilateral.extract.patterns import literal_trie


@dataclass(frozen=True)
class Mention:
    """Who a stretch of text names, and which state (if any) it acts for."""

    ref: str  # "state:JPN" or "actor:ishiba"
    state: str | None
    acts_for_state: bool
    start: int
    end: int


class ActorStage:
    name = "actors"
    requires = ("layout",)
    assigns = ("actors",)

    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier
        self.refs: dict[str, list[str]] = {}
        for code, state in dossier.states.items():
            for word in [state.name, *state.aliases, *state.adjectives, *state.capitals]:
                self.refs.setdefault(word, []).append(f"state:{code}")
        self.actors = {a.id: a for a in dossier.actors}
        for actor in dossier.actors:
            for word in [actor.name, *actor.aliases]:
                self.refs.setdefault(word, []).append(f"actor:{actor.id}")
        self.pattern = re.compile(r"(?<![\w])(?:" + literal_trie(self.refs) + r")(?![\w])")

    def __call__(self, doc: Doc) -> Doc:
        day = published_day(doc._.document.published if doc._.document else None)
        mentions, spans = [], []
        for match in self.pattern.finditer(doc._.layout.match_text):
            name = " ".join(match.group().split())  # a name may break across lines
            mention = self.resolve(self.refs[name][0], match.start(), match.end(), day)
            mentions.append(mention)
            span = doc.char_span(match.start(), match.end(), label=mention.state or "",
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
