"""The language a dossier's words are read in, apart from the relationship it describes.

Status cues, event triggers, negations and hypotheticals are English, the same for U.S.–Japan
as for any other pair of states; they ship once, as ``data/lexicon/en.yaml``, and every dossier
is merged over them when it is loaded: a dossier's own words are added to the lexicon's (an
event type's triggers to that type's, a status's cues to the entry of the same status and
tier), and a section named under ``lexicon.replace`` is the dossier's alone. ``{party}`` in a
word is then written out once for every name of the dyad's two states.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import yaml
from pydantic import ValidationError

from bilateral.dossier.schema import TRIGGER_FIELDS, Dossier, EventRule, Lexicon, StatusCues
from bilateral.errors import DossierError
from bilateral.limits import LimitExceeded, bounded, load_yaml

DEFAULT_LEXICON = "en"
_PARTY = "{party}"


def available_lexicons() -> list[str]:
    """Names of the lexicons that ship with bilateral."""
    folder = resources.files("bilateral.dossier") / "data" / "lexicon"
    return sorted(p.name.rsplit(".", 1)[0] for p in folder.iterdir() if p.name.endswith(".yaml"))


@lru_cache(maxsize=4)
def load_lexicon(name: str = DEFAULT_LEXICON) -> Lexicon:
    """A shipped lexicon by name, validated; a ``DossierError`` names the file and the entry."""
    if name not in available_lexicons():
        raise DossierError(f"no lexicon {name!r}; the lexicons are "
                           f"{', '.join(available_lexicons())}: name one of them under "
                           f"lexicon.name, or null for none")
    source = f"<lexicon {name}>"
    text = (resources.files("bilateral.dossier") / "data" / "lexicon" / f"{name}.yaml") \
        .read_text(encoding="utf-8")
    try:
        data = load_yaml(text)
    except (yaml.YAMLError, LimitExceeded) as exc:
        raise DossierError(bounded(f"{source}: not a readable lexicon ({exc})")) from exc
    try:
        return Lexicon.model_validate(data)
    except ValidationError as exc:
        problems = [f"  - {'.'.join(str(k) for k in e['loc'])}: "
                    f"{e['msg'].removeprefix('Value error, ')}" for e in exc.errors()]
        raise DossierError("\n".join([f"{source}: {len(problems)} problem(s) in the lexicon",
                                      *problems])) from exc


def with_lexicon(dossier: Dossier, lexicon: Lexicon | None = None) -> Dossier:
    """``dossier`` with its lexicon's vocabulary under its own, placeholders written out.

    ``lexicon`` defaults to the one the dossier names (``lexicon.name``)."""
    if lexicon is None and dossier.lexicon.name is not None:
        lexicon = load_lexicon(dossier.lexicon.name)
    base = lexicon or Lexicon()
    replaced = set(dossier.lexicon.replace)

    def under(section: str) -> list:  # type: ignore[type-arg]
        return [] if section in replaced else list(getattr(base, section))

    names = party_names(dossier)
    statuses = [cues.model_copy(update={"words": _expand(cues.words, names)})
                for cues in _merged_statuses(under("statuses"), dossier.statuses)]
    events = [rule.model_copy(update={field: _expand(getattr(rule, field), names)
                                      for field in TRIGGER_FIELDS})
              for rule in _merged_events(under("events"), dossier.events)]
    return dossier.model_copy(update={
        "statuses": statuses, "events": events,
        "negations": _expand(_union(under("negations"), dossier.negations), names),
        "hypotheticals": _expand(_union(under("hypotheticals"), dossier.hypotheticals), names)})


def party_names(dossier: Dossier) -> list[str]:
    """What ``{party}`` stands for: the names, aliases, adjectives and capitals of the dyad's
    states, lowercased as the vocabulary is. A name in capitals only ("US") is an acronym
    matched by its case elsewhere; lowercased it is an ordinary word ("us"), so it is left out."""
    names: list[str] = []
    for code in dossier.dyad:
        state = dossier.states.get(code)
        if state is None:
            continue
        for name in (state.name, *state.aliases, *state.adjectives, *state.capitals):
            if not (name.isupper() and "." not in name):
                names.append(" ".join(name.split()).lower())
    return list(dict.fromkeys(names))


def _expand(words: Iterable[str], names: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        out += [word.replace(_PARTY, name) for name in names] if _PARTY in word else [word]
    return list(dict.fromkeys(out))


def _union(first: Iterable[str], second: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def _merged_events(base: list[EventRule], own: list[EventRule]) -> list[EventRule]:
    """One rule per PLOVER type, in the lexicon's order, the dossier's words added to it."""
    rules = {rule.type: rule for rule in base}
    for rule in own:
        known = rules.get(rule.type)
        rules[rule.type] = rule if known is None else known.model_copy(update={
            **{field: _union(getattr(known, field), getattr(rule, field))
               for field in TRIGGER_FIELDS},
            "unordered": known.unordered if rule.unordered is None else rule.unordered})
    return list(rules.values())


def _merged_statuses(base: list[StatusCues], own: list[StatusCues]) -> list[StatusCues]:
    """The lexicon's status entries in their order (frames are tried in it), each with the
    dossier's words of the same status and tier added; the dossier's other entries after."""
    entries = {(c.status, c.frame, c.weak): c for c in base}
    merged = list(base)
    for cues in own:
        key = (cues.status, cues.frame, cues.weak)
        if key in entries:
            known = entries[key]
            updated = known.model_copy(update={"words": _union(known.words, cues.words)})
            merged[merged.index(known)] = entries[key] = updated
        else:
            merged.append(cues)
            entries[key] = cues
    return merged
