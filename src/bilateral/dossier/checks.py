"""Checks across a dossier's entries, each finding naming the entry it is about and the fix.

Errors are what would make extraction wrong: a state that is neither under ``states`` nor in
the world gazetteer, an id used twice, a name that points to two actors or states (only the
first would ever be found).
Warnings are what is probably a mistake but can be meant: one actor acting for two states at
once, or two people holding the same dated office at once (a predecessor's term left open).
A term that ends on the day the next begins is a handover, not an overlap.

Entry checks (an empty alias, a bare ``*``, an impossible date) live in the schema's types, so
a dossier built in Python is held to them as well.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bilateral.dossier.schema import TRIGGER_FIELDS

if TYPE_CHECKING:
    from bilateral.dossier.schema import Actor, Dossier, Role

#: A wildcard stem shorter than this matches a large share of all words.
SHORT_STEM = 3


@dataclass(frozen=True)
class Finding:
    """One problem: how serious, where (``actors[3] (id=trump).roles[0]``) and what to do."""

    severity: Literal["error", "warning"]
    entry: str
    message: str

    def __str__(self) -> str:
        return f"{self.entry}: {self.message}" if self.entry else self.message


def audit(dossier: Dossier) -> list[Finding]:
    """Every cross-entry finding of ``dossier``, errors first, in dossier order."""
    findings = [*_unknown_states(dossier), *_duplicate_ids(dossier), *_shared_names(dossier),
                *_short_stems(dossier), *_overlapping_roles(dossier), *_office_holders(dossier),
                *_negotiations(dossier)]
    return sorted(findings, key=lambda f: f.severity != "error")


def normal_name(text: str) -> str:
    """The form two names are compared in: case and runs of spaces do not count."""
    return " ".join(text.split()).casefold()


def actor_entry(index: int, actor: Actor) -> str:
    return f"actors[{index}] (id={actor.id})"


def _unknown_states(dossier: Dossier) -> Iterator[Finding]:
    where = f"under states ({', '.join(dossier.states)})"
    if dossier.gazetteer:
        where = f"neither {where} nor a state of the world gazetteer (an ISO 3166-1 code)"
    else:
        where = f"not {where}"
    for i, code in enumerate(dossier.dyad):
        if not dossier.knows_state(code):
            yield Finding("error", f"dyad[{i}]", f"dyad names {code}, which is {where}; add it "
                                                f"there")
    for i, actor in enumerate(dossier.actors):
        for k, role in enumerate(actor.roles):
            if not dossier.knows_state(role.state):
                yield Finding("error", f"{actor_entry(i, actor)}.roles[{k}].state",
                              f"actor {actor.id!r} has a role for {role.state}, which is "
                              f"{where}; add it there")
    for i, indicator in enumerate(dossier.indicators):
        if indicator.event:
            for field in ("source", "target"):
                code = getattr(indicator.event, field)
                if not dossier.knows_state(code):
                    yield Finding("error", f"indicators[{i}] (id={indicator.id}).event.{field}",
                                  f"indicator {indicator.id!r} implies an event with {code}, "
                                  f"which is {where}; add it there")


def _duplicate_ids(dossier: Dossier) -> Iterator[Finding]:
    for section, items in (("actors", dossier.actors), ("indicators", dossier.indicators)):
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            if item.id in first:
                yield Finding("error", f"{section}[{i}] (id={item.id}).id",
                              f"{section[:-1]} id {item.id!r} appears twice (first at "
                              f"{section}[{first[item.id]}]); give each its own id")
            first.setdefault(item.id, i)


def _negotiations(dossier: Dossier) -> Iterator[Finding]:
    """A negotiation must measure a catalogue indicator and name states and speakers the
    dossier knows, or its positions could never be found in the store."""
    actor_ids = {a.id for a in dossier.actors}
    seen: dict[str, int] = {}
    for i, issue in enumerate(dossier.negotiations):
        entry = f"negotiations[{i}] (id={issue.id})"
        if issue.id in seen:
            yield Finding("error", f"{entry}.id", f"negotiation id {issue.id!r} appears twice "
                                                  f"(first at negotiations[{seen[issue.id]}])")
        seen.setdefault(issue.id, i)
        if dossier.indicator(issue.indicator) is None:
            yield Finding("error", f"{entry}.indicator",
                          f"no indicator {issue.indicator!r} in the catalogue; name one of "
                          f"the indicators: ids")
        if not issue.scale.low <= issue.status_quo <= issue.scale.high:
            yield Finding("error", f"{entry}.status_quo",
                          f"status quo {issue.status_quo:g} is outside the scale "
                          f"{issue.scale.low:g}-{issue.scale.high:g}")
        for j, actor in enumerate(issue.actors):
            where = f"{entry}.actors[{j}] (id={actor.id})"
            if not dossier.knows_state(actor.state):
                yield Finding("error", f"{where}.state",
                              f"{actor.state} is not a state of the dossier or the gazetteer")
            for k, speaker in enumerate(actor.speakers):
                if speaker not in actor_ids:
                    yield Finding("error", f"{where}.speakers[{k}]",
                                  f"no actor {speaker!r} under actors:; name an actor id")


def _names(dossier: Dossier) -> Iterator[tuple[str, str, str]]:
    """(owner, entry, name) for every word that stands for a state or an actor."""
    for code, state in dossier.states.items():
        yield f"state {code}", f"states.{code}.name", state.name
        for field in ("aliases", "adjectives", "capitals"):
            for j, word in enumerate(getattr(state, field)):
                yield f"state {code}", f"states.{code}.{field}[{j}]", word
    for i, actor in enumerate(dossier.actors):
        owner, entry = f"actor {actor.id}", actor_entry(i, actor)
        yield owner, f"{entry}.name", actor.name
        for j, word in enumerate(actor.aliases):
            yield owner, f"{entry}.aliases[{j}]", word


def _shared_names(dossier: Dossier) -> Iterator[Finding]:
    """A name that stands for two actors or states: the matcher can only give it one."""
    first: dict[str, tuple[str, str]] = {}
    for owner, entry, word in _names(dossier):
        key = normal_name(word)
        if key not in first:
            first[key] = (owner, entry)
            continue
        other_owner, other_entry = first[key]
        if other_owner != owner:
            yield Finding("error", entry,
                          f"{word!r} (case aside) already names {other_owner} at {other_entry}; "
                          f"a name must point to one actor or state: remove it from one of "
                          f"them, or make it longer (a title, a first name)")


def _vocabulary(dossier: Dossier) -> Iterator[tuple[str, str]]:
    """(entry, word) for every word of the vocabulary."""
    for i, rule in enumerate(dossier.events):
        for field in TRIGGER_FIELDS:
            for j, word in enumerate(getattr(rule, field)):
                yield f"events[{i}].{field}[{j}]", word
    for field in ("negations", "hypotheticals"):
        for j, word in enumerate(getattr(dossier, field)):
            yield f"{field}[{j}]", word
    for i, indicator in enumerate(dossier.indicators):
        entry = f"indicators[{i}] (id={indicator.id})"
        for g, group in enumerate(indicator.cues):
            for j, word in enumerate(group):
                yield f"{entry}.cues[{g}][{j}]", word
        for j, word in enumerate(indicator.exclude):
            yield f"{entry}.exclude[{j}]", word
        if indicator.event:
            for j, word in enumerate(indicator.event.acts):
                yield f"{entry}.event.acts[{j}]", word
    for i, cues in enumerate(dossier.statuses):
        for j, word in enumerate(cues.words):
            yield f"statuses[{i}].words[{j}]", word


def _short_stems(dossier: Dossier) -> Iterator[Finding]:
    for entry, word in _vocabulary(dossier):
        stem = word.strip()[:-1] if word.strip().endswith("*") else None
        if stem is not None and len(stem) < SHORT_STEM:
            yield Finding("warning", entry,
                          f"the wildcard {word!r} matches every word that starts with "
                          f"{stem!r}; lengthen the stem or list the words")


def _span(role: Role) -> tuple[dt.date, dt.date]:
    return role.start or dt.date.min, role.end or dt.date.max


def _overlap(a: Role, b: Role) -> bool:
    """True when two roles share more than one day (one shared day is a handover)."""
    (a_start, a_end), (b_start, b_end) = _span(a), _span(b)
    return max(a_start, b_start) < min(a_end, b_end)


def _term(role: Role) -> str:
    start = f"from {role.start}" if role.start else "from any date"
    end = f"to {role.end}" if role.end else "with no end"
    return f"{start} {end}"


def _overlapping_roles(dossier: Dossier) -> Iterator[Finding]:
    """One actor in two roles at once that contradict each other: for two states (the latest
    to start wins on the shared days), or the same role twice."""
    for i, actor in enumerate(dossier.actors):
        for k, role in enumerate(actor.roles):
            for j, earlier in enumerate(actor.roles[:k]):
                if not _overlap(role, earlier):
                    continue
                entry = f"{actor_entry(i, actor)}.roles[{k}]"
                if role.state != earlier.state:
                    yield Finding("warning", entry,
                                  f"acts for {role.state} {_term(role)}, while roles[{j}] has "
                                  f"it act for {earlier.state} {_term(earlier)}; on the shared "
                                  f"days the role that starts later wins: end one of them")
                elif (role.title or "").casefold() == (earlier.title or "").casefold():
                    yield Finding("warning", entry,
                                  f"repeats roles[{j}] ({earlier.state} {earlier.title or ''}"
                                  f"{' ' if earlier.title else ''}{_term(earlier)}) over "
                                  f"overlapping dates; merge the two")


def _office_holders(dossier: Dossier) -> Iterator[Finding]:
    """Two people holding the same dated office of the same state at once: usually the
    predecessor's term was left open. Undated roles claim no term and are left alone."""
    offices: dict[tuple[str, str], list[tuple[int, int, Role]]] = defaultdict(list)
    for i, actor in enumerate(dossier.actors):
        if actor.kind != "person":
            continue
        for k, role in enumerate(actor.roles):
            if role.title and (role.start or role.end):
                offices[(role.state, normal_name(role.title))].append((i, k, role))
    for holders in offices.values():
        if len(holders) < 2:
            continue
        holders.sort(key=lambda h: _span(h[2]))
        longest = holders[0]
        for holder in holders[1:]:
            i, k, role = holder
            j, m, before = longest
            if i != j and _overlap(role, before):
                actor, other = dossier.actors[i], dossier.actors[j]
                yield Finding("warning", f"{actor_entry(i, actor)}.roles[{k}]",
                              f"{actor.id} holds {role.state} {role.title} {_term(role)}, while "
                              f"{actor_entry(j, other)}.roles[{m}] holds it {_term(before)}; "
                              f"if the office has one holder, end the earlier term (on the day "
                              f"the next begins); if it has several, this is fine")
            if _span(role)[1] > _span(before)[1]:
                longest = holder
