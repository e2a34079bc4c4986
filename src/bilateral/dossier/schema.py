"""The dossier: everything bilateral knows about one relationship, as validated data.

A dossier names the states (ISO3 codes, names, adjectives, capitals used as metonyms), the
actors who act for them (with dated roles) and the indicator catalogue with the words that signal
each indicator. Code holds general rules; facts about one relationship live here. How English
marks a status, an event, a negation or a hypothesis is a ``Lexicon`` shared by every dossier
(``data/lexicon/en.yaml``), merged under each when it is loaded; a dossier adds words to it.
Every other state of the world is known from the gazetteer shipped with bilateral
(``bilateral.dossier.world``); the dossier's own ``states`` add to it and override it.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bilateral.dossier.negotiations import Negotiation
from bilateral.limits import check_date, parse_period
from bilateral.records import PLOVER_TYPES, STATUSES, UNITS

ISO3 = re.compile(r"^[A-Z]{3}$")
#: A placeholder in a vocabulary word, expanded when the dossier is loaded: ``{party}`` stands
#: for every name, alias, adjective and capital of either state of the dyad.
PLACEHOLDER = re.compile(r"\{(\w*)\}")
PLACEHOLDERS = ("party",)
#: The sections of the vocabulary a lexicon gives and a dossier extends.
LexiconSection = Literal["statuses", "events", "negations", "hypotheticals"]


def _one_of(allowed: tuple[str, ...], what: str) -> AfterValidator:
    """A validator for a closed vocabulary whose message lists what is allowed."""
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"{what} must be one of {', '.join(allowed)}, got {value!r}")
        return value
    return AfterValidator(check)


PloverType = Annotated[str, _one_of(PLOVER_TYPES, "type (a PLOVER type)")]
StatusName = Annotated[str, _one_of(STATUSES, "status")]
UnitName = Annotated[str, _one_of(UNITS, "unit")]


def _name(value: str) -> str:
    """A name or alias is matched as written; a blank one or one without a letter or digit
    would match in every sentence (or never), so it is refused."""
    if not value.strip():
        raise ValueError("an empty name or alias matches everywhere; remove it or write the name")
    if not any(ch.isalnum() for ch in value):
        raise ValueError(f"the name or alias {value!r} has no letter or digit and would match "
                         f"punctuation; remove it or write the name")
    return value


def _word(value: str) -> str:
    """A vocabulary word: an empty one, or a ``*`` with no word before it, matches at every
    place and would turn every sentence into a hit (or, as a negation, veto them all)."""
    word = value.strip()
    if not word:
        raise ValueError("an empty word matches everywhere; remove it")
    for name in PLACEHOLDER.findall(word):
        if name not in PLACEHOLDERS:
            raise ValueError(f"{value!r} names the placeholder {{{name}}}, which is not one of "
                             f"{', '.join('{' + p + '}' for p in PLACEHOLDERS)}; write the word "
                             f"itself")
    if word.endswith("*"):
        stem = word[:-1]
        if not stem or stem[-1].isspace() or not any(ch.isalnum() for ch in stem):
            raise ValueError(f"the wildcard {value!r} has no word before its '*' and matches "
                             f"every word; write a stem such as 'tariff*'")
    return value


#: A name or alias of a state or actor.
Name = Annotated[str, AfterValidator(_name)]
#: A word or phrase of the vocabulary (triggers, cues, negations, ...); ``*`` ends a prefix.
Word = Annotated[str, AfterValidator(_word)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class State(_Strict):
    """A state, and the words that stand for its government in text."""

    name: Name
    aliases: list[Name] = Field(default_factory=list, description="other names: U.S., America")
    adjectives: list[Name] = Field(default_factory=list, description="American, Japanese")
    capitals: list[Name] = Field(default_factory=list, description="metonyms: Washington, Tokyo")


class Role(_Strict):
    """What an actor is, for which state, between two dates (inclusive; open when null)."""

    state: str
    title: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    @field_validator("state")
    @classmethod
    def _iso3(cls, value: str) -> str:
        if not ISO3.match(value):
            raise ValueError(f"state must be an ISO 3166-1 alpha-3 code like USA, got {value!r}")
        return value

    @field_validator("start", "end", mode="before")
    @classmethod
    def _real_date(cls, value: object, info: ValidationInfo) -> object:
        """A date written as text must name a real day (2025-02-30 does not)."""
        if isinstance(value, str):
            try:
                parse_period(value.strip(), f"role {info.field_name}")
            except ValueError as exc:
                raise ValueError(f"{exc}; write a date that exists, as YYYY-MM-DD") from exc
            if len(value.strip()) != 10:
                raise ValueError(f"role {info.field_name} {value!r} is not a day; write it as "
                                 f"YYYY-MM-DD")
            return dt.date.fromisoformat(value.strip())
        return value

    @field_validator("start", "end")
    @classmethod
    def _plausible(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        if value is not None:
            try:
                check_date(value, f"role {info.field_name}")
            except ValueError as exc:
                raise ValueError(f"{exc}; correct the year") from exc
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Role:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"role ends ({self.end}) before it starts ({self.start})")
        return self

    def covers(self, day: dt.date | None) -> bool:
        if day is None:
            return True
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class Actor(_Strict):
    """A person or body that acts for a state; ``acts_for`` says whether it speaks for it."""

    id: str
    name: Name
    kind: Literal["person", "ministry", "agency", "legislature", "company", "organisation",
                  "party", "military"] = "person"
    aliases: list[Name] = Field(default_factory=list)
    roles: list[Role] = Field(min_length=1)
    acts_for_state: bool = Field(
        default=True, description="false for companies and others whose acts are not the state's")

    def role_on(self, day: dt.date | None) -> Role | None:
        """The role in force on ``day``; with no date, the latest role."""
        for role in sorted(self.roles, key=lambda r: r.start or dt.date.min, reverse=True):
            if role.covers(day):
                return role
        return None


class ImpliedEvent(_Strict):
    """The event a value of an indicator reports: a pledged investment is aid from one state to
    another, an imposed tariff a sanction. Only values with one of ``statuses`` imply it; an
    actual value only when one of ``acts`` set its status (a tariff "imposed", not one that
    Japanese cars "already face"), if ``acts`` are given."""

    type: PloverType
    source: str
    target: str
    statuses: list[StatusName] = Field(min_length=1)
    acts: list[Word] = Field(default_factory=list)


class Indicator(_Strict):
    """One catalogue entry and the cues that let a number in a sentence be assigned to it.

    ``cues`` is a list of word groups: every group must have a word near the number. ``exclude``
    vetoes the assignment. Among candidates, higher ``priority`` wins (specific before general).
    ``statuses`` narrows what a value can be when the indicator's meaning does: the agreed price
    of a takeover stays the agreed price whatever verb surrounds it (``[agreed]``), a pledge is
    never a measured value (no ``actual``). The first is taken when no cue says otherwise.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    unit: UnitName
    description: str = ""
    cues: list[list[Word]] = Field(min_length=1)
    exclude: list[Word] = Field(default_factory=list)
    priority: int = 0
    key: bool = Field(default=False, description="shown first in tables and briefs")
    event: ImpliedEvent | None = None
    statuses: list[StatusName] = Field(
        default_factory=list, description="the statuses a value can have, the default first; "
                                          "empty: any, actual by default")

    @field_validator("cues")
    @classmethod
    def _groups(cls, value: list[list[str]]) -> list[list[str]]:
        for i, group in enumerate(value):
            if not group:
                raise ValueError(f"cue group {i} is empty; give it a word or remove it")
        return value


#: The word lists of an event rule, merged and checked alike.
TRIGGER_FIELDS = ("triggers", "dated_triggers", "not_triggers", "said_triggers",
                  "passive_triggers")


class EventRule(_Strict):
    """Words that signal one PLOVER event type; ``*`` at the end of a word matches a prefix.

    ``dated_triggers`` are nouns that name an event only when the sentence says when ("the
    agreement with Japan on July 22"); undated, they describe a relationship ("the alliance
    agreement") and are not coded. ``not_triggers`` are phrases holding a trigger that do not
    report the act ("seeks to balance", "a threat to exports"); where one matches, it wins.
    ``said_triggers`` report the act only as what a speaker of one state says another should
    do ("the Pentagon said Japan should spend more"): the speaker is the source.
    ``passive_triggers`` have the state that undergoes the act before them ("Japan would face
    tariffs", "Tokyo drew criticism from Beijing"): the state after them acts.
    """

    type: PloverType
    triggers: list[Word] = Field(min_length=1)
    dated_triggers: list[Word] = Field(default_factory=list)
    not_triggers: list[Word] = Field(default_factory=list)
    said_triggers: list[Word] = Field(default_factory=list)
    passive_triggers: list[Word] = Field(default_factory=list)
    unordered: bool | None = None



class StatusCues(_Strict):
    """Words that set an observation's status.

    A ``frame`` (a threat, a demand, a proposal) governs every number in its clause ("urged
    Japan to raise spending to 3%"), so frames are tried first, in dossier order. Otherwise the
    cue nearest the number wins ("under the agreement, Japan pays $2 billion": pays). ``weak``
    cues ("was", "now") say a value is in force only when no other cue is near.
    """

    status: StatusName
    words: list[Word] = Field(min_length=1)
    frame: bool = False
    weak: bool = False


#: Cooperation (+) and conflict (-) weight of each PLOVER type, on a -10..+10 scale in the
#: spirit of the Goldstein scale: talk is mild, material acts weigh more, force the most.
DEFAULT_WEIGHTS: dict[str, float] = {
    "CONSULT": 1.0, "SUPPORT": 3.0, "AGREE": 4.0, "RETREAT": 4.0, "CONCEDE": 5.0,
    "COOPERATE": 6.0, "AID": 7.0, "REQUEST": -1.0, "ACCUSE": -3.0, "REJECT": -4.0,
    "PROTEST": -4.0, "THREATEN": -5.0, "MOBILIZE": -6.0, "SANCTION": -7.0, "COERCE": -8.0,
    "ASSAULT": -10.0,
}


class RelationsIndex(_Strict):
    """How the monthly cooperation–conflict index weighs events.

    Each real-world event (reports merged across documents, so a story covered by ten outlets
    counts once) adds the weight of its PLOVER type to its month's score for its directed dyad.
    Events of a symmetric type (a meeting, a deal) count for both directions. The text gives no
    reliable magnitude, so all events of a type weigh the same. Types left out keep their
    default weight.
    """

    weights: dict[PloverType, float] = Field(default_factory=dict)

    @field_validator("weights")
    @classmethod
    def _scale(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [f"{k}={v:g}" for k, v in value.items() if not -10 <= v <= 10]
        if bad:
            raise ValueError(f"weights must lie in -10..10; not {', '.join(bad)}")
        return value

    def weight(self, event_type: str) -> float:
        return self.weights.get(event_type, DEFAULT_WEIGHTS.get(event_type, 0.0))


class Lexicon(_Strict):
    """How one language says what a sentence reports: status cues, event triggers, negations
    and hypotheticals. Every dossier's vocabulary is its lexicon's with the dossier's own words
    added; ``{party}`` in a word stands for the dossier's two states."""

    statuses: list[StatusCues] = Field(default_factory=list)
    events: list[EventRule] = Field(default_factory=list)
    negations: list[Word] = Field(default_factory=list)
    hypotheticals: list[Word] = Field(default_factory=list)


class LexiconUse(_Strict):
    """Which shipped lexicon a dossier extends (``null``: none, the dossier's words only), and
    the sections the dossier states in full instead of extending."""

    name: str | None = "en"
    replace: list[LexiconSection] = Field(default_factory=list)


class Dossier(_Strict):
    """A relationship: its two principal states, the others it meets, its actors and catalogue.

    ``statuses``, ``events``, ``negations`` and ``hypotheticals`` are what the dossier adds to
    its lexicon; once loaded, they hold the lexicon's words and the dossier's together."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    dyad: tuple[str, str]
    states: dict[str, State]
    actors: list[Actor] = Field(default_factory=list)
    indicators: list[Indicator] = Field(min_length=1)
    lexicon: LexiconUse = Field(default_factory=LexiconUse)
    events: list[EventRule] = Field(default_factory=list)
    statuses: list[StatusCues] = Field(default_factory=list)
    negations: list[Word] = Field(default_factory=list)
    hypotheticals: list[Word] = Field(default_factory=list)
    index: RelationsIndex = Field(default_factory=RelationsIndex)
    negotiations: list[Negotiation] = Field(
        default_factory=list, description="pending issues to forecast, with their bargainers")
    gazetteer: bool = Field(
        default=True, description="also know every state of the shipped world gazetteer; "
                                  "false: only the states listed here")

    @cached_property
    def gazetteer_states(self) -> dict[str, State]:
        """The gazetteer's states that ``states`` does not list: a state listed there replaces
        the gazetteer's entry for its code."""
        if not self.gazetteer:
            return {}
        from bilateral.dossier.world import world_states

        return {code: state for code, state in world_states().items()
                if code not in self.states}

    def knows_state(self, code: str) -> bool:
        return code in self.states or code in self.gazetteer_states

    @field_validator("states")
    @classmethod
    def _codes(cls, value: dict[str, State]) -> dict[str, State]:
        bad = [code for code in value if not ISO3.match(code)]
        if bad:
            raise ValueError(f"state keys must be ISO3 codes like USA; not {', '.join(bad)}")
        return value

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Dossier:
        """Errors across entries (a state not under ``states``, an id or a name given to two
        actors) refuse the dossier however it is built. The loader defers them to report each
        with its entry, beside the warnings."""
        if info.context and info.context.get("defer_checks"):
            return self
        from bilateral.dossier.checks import audit

        errors = [f"{f.entry}: {f.message}" for f in audit(self) if f.severity == "error"]
        if errors:
            raise ValueError("; ".join(errors))
        return self

    def indicator(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def negotiation(self, issue_id: str) -> Negotiation | None:
        return next((n for n in self.negotiations if n.id == issue_id), None)
