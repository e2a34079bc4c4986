"""Contextual decisions as components: one name, one declared input and output, and a rule
implementation and a trained one that are interchangeable under that name.

Candidates (numbers, dates, mentions, triggers) are found by rules; what depends on context
is decided here. A decision reads a typed candidate and returns a typed answer with the
evidence it used, so the stage that calls it never parses a string back.

    status   ObservationCandidate -> StatusDecision   which of the seven statuses a figure has
    when     WhenCandidate -> WhenDecision                which stated time a figure, or an
                                                          event, refers to
    event_type  EventCandidate -> EventTypeDecision       which PLOVER type an event the
                                                          trigger rules propose has, or none
    indicator   IndicatorCandidate -> IndicatorDecision   which indicator of the catalogue a
                                                          number measures, or none
    pair        PairCandidate -> PairDecision             which state acts and which it acts on
    factuality  FactualityCandidate -> FactualityDecision whether an event is reported as
                                                          done or scheduled (not negated,
                                                          hypothetical or possible only)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bilateral.extract.linear import Features, LinearModel, most_probable

#: Words either side of a figure that the status decision reads, within its sentence.
LEFT_WORDS, RIGHT_WORDS = 12, 8
#: Words nearest the figure, which weigh more than the rest of the window.
NEAR_WORDS = 4
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:\.\d+)?%?|\$")


@dataclass(frozen=True)
class StatusEvidence:
    """How a figure's status was set: ``how`` names the rule ("cue", "default", "context",
    "indicator", "future-change", "condition", "transition-from", "part", ...; "model" for the
    trained decision), ``cue`` is where the words that set it stand in the document's text,
    when words did, and ``deal`` says a deal word before an announcement made it agreed."""

    how: str
    cue: tuple[int, int] | None = None
    deal: bool = False

    def describe(self, text: str) -> str:
        """The rule with its cue's words, as a record's rule id shows it ("cue:threatened",
        "cue:will cut+deal")."""
        words = f":{text[self.cue[0]:self.cue[1]].lower()}" if self.cue else ""
        return f"{self.how}{words}{'+deal' if self.deal else ''}"


#: The evidence of a status the trained decision chose.
BY_MODEL = StatusEvidence("model")


@dataclass(frozen=True)
class ObservationCandidate:
    """A figure the rules tied to an indicator: where it sits and what the rules read."""

    text: str  # the document's text as the rules match it (typographic quotes folded)
    sentence: tuple[int, int]
    value: tuple[int, int]  # the figure's span
    figure: float  # the number, in the indicator's unit
    indicator: str
    unit: str  # the indicator's unit: percent, percent_gdp, usd, usd_per_year, count
    allowed: tuple[str, ...]  # statuses the indicator admits; empty: all
    role: str | None  # "from"/"to" of a transition, "low"/"high" of a range
    rule_status: str
    rule_evidence: StatusEvidence  # how the rules chose, and the span of their cue


@dataclass(frozen=True)
class StatusDecision:
    status: str
    evidence: StatusEvidence  # the rules' evidence when the rules decided, else BY_MODEL
    confidence: float


class StatusComponent(Protocol):
    """Decides the status of each candidate; ``name`` says which implementation it is."""

    name: str

    def predict(self, candidates: Sequence[ObservationCandidate]) -> list[StatusDecision]: ...


class RuleStatus:
    """The status the cue rules of the language lexicon and dossier chose."""

    name = "rules"

    def predict(self, candidates: Sequence[ObservationCandidate]) -> list[StatusDecision]:
        return [StatusDecision(c.rule_status, c.rule_evidence, 1.0) for c in candidates]


class TrainedStatus:
    """A logistic model over the words around the figure (and, when trained so, the rules'
    choice as one more feature), restricted to the statuses the indicator admits.

    The model overrules the rules only when its choice is more probable than theirs by more
    than ``margin`` (chosen by cross-validation when it is trained): where the two nearly
    agree, the rules' reading of a plain sentence stands."""

    name = "trained"

    def __init__(self, model: LinearModel, *, with_rules: bool, margin: float = 0.0) -> None:
        self.model = model
        self.with_rules = with_rules
        self.margin = margin

    def predict(self, candidates: Sequence[ObservationCandidate]) -> list[StatusDecision]:
        decisions = []
        for candidate in candidates:
            probabilities = self.model.probabilities(
                status_features(candidate, with_rules=self.with_rules))
            status, confidence = most_probable(probabilities, candidate.allowed)
            rule = probabilities.get(candidate.rule_status, 0.0)
            if status == candidate.rule_status or confidence - rule <= self.margin:
                decisions.append(StatusDecision(candidate.rule_status, candidate.rule_evidence,
                                                rule))
            else:
                decisions.append(StatusDecision(status, BY_MODEL, confidence))
        return decisions


def _add_window(features: dict[str, float], text: str, sentence: tuple[int, int],
                span: tuple[int, int], left: int, right: int) -> None:
    """Count the words of ``sentence`` up to ``left`` before ``span`` and ``right`` after it,
    and mark the nearest few on each side apart."""
    before = words(text[sentence[0]:span[0]])[-left:]
    after = words(text[span[1]:sentence[1]])[:right]
    for side, near in (("before", reversed(before)), ("after", after)):
        for i, word in enumerate(near):
            features[f"{side}={word}"] = features.get(f"{side}={word}", 0.0) + 1.0
            if i < NEAR_WORDS:
                features[f"just_{side}={word}"] = 1.0


def words(text: str) -> list[str]:
    """Lower-case words, numbers and dollar signs: what the features are made of."""
    return _WORD.findall(text.lower())


def status_features(candidate: ObservationCandidate, *, with_rules: bool) -> Features:
    """Bags of the words before the figure, after it and in its sentence, the nearest few
    apart; the indicator's unit and the figure's role; with ``with_rules``, the rules' status.

    The indicator's id is left out on purpose: words and units carry over to another
    relationship's catalogue, ids do not."""
    text = candidate.text
    s_start, s_end = candidate.sentence
    start, end = candidate.value
    features: dict[str, float] = {f"unit={candidate.unit}": 1.0}
    if candidate.role:
        features[f"role={candidate.role}"] = 1.0
    if with_rules:
        features[f"rule={candidate.rule_status}"] = 1.0
        # a deal word tells a change to come apart (it is all the rules read there); beside a
        # cue it adds nothing the cue does not say
        evidence = candidate.rule_evidence
        how = f"{evidence.how}+deal" if evidence.deal and evidence.cue is None else evidence.how
        features[f"rule_how={how}"] = 1.0
        features[f"rule|unit={candidate.rule_status}|{candidate.unit}"] = 1.0
    _add_window(features, text, (s_start, s_end), (start, end), LEFT_WORDS, RIGHT_WORDS)
    for word in set(words(text[s_start:s_end])):
        features[f"sentence={word}"] = 1.0
    return features


# --- when ----------------------------------------------------------------------------------------

#: Characters between a figure and a time expression, in the steps the when decision tells apart.
DISTANCE_STEPS = (12, 40, 100)
#: Words between a figure and a time expression that the when decision reads, nearest first.
BETWEEN_WORDS = 6


@dataclass(frozen=True)
class TimeOption:
    """A time a figure may refer to, and where it was stated."""

    value: str | None  # "YYYY", "YYYY-MM", "YYYY-MM-DD"; None: no time
    source: str  # "sentence", "paragraph" (earlier in it), "report" (publication), "rules", "none"
    kind: str | None = None  # the time expression's kind: date, deadline, fiscal, relative
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class WhenCandidate:
    """A figure (with its decided status) or an event (with its type), the times it may refer
    to and the rules' choice."""

    text: str
    span: tuple[int, int]  # the figure, or the event's trigger
    what: str  # the figure's status ("agreed") or the event's type ("CONSULT")
    unit: str  # the figure's indicator unit; "event" for an event
    published: str | None
    options: tuple[TimeOption, ...]
    rule_when: str | None
    figure: ObservationCandidate | None = None  # what training matches to gold
    event: tuple[str, str, str] | None = None  # type, source, target


@dataclass(frozen=True)
class WhenDecision:
    when: str | None
    source: str  # the option's source; "rules" when the rules' choice stands
    confidence: float


class WhenComponent(Protocol):
    """Decides the time of each figure or event; ``reads_options`` says whether it reads the
    options, so that the stage may skip gathering them."""

    name: str
    reads_options: bool

    def predict(self, candidates: Sequence[WhenCandidate]) -> list[WhenDecision]: ...


class RuleWhen:
    """The time the rules chose (the deadline of a target, the date a measure takes effect,
    the nearest time in the sentence, the deal's date, the report's month ...)."""

    name = "rules"
    reads_options = False

    def predict(self, candidates: Sequence[WhenCandidate]) -> list[WhenDecision]:
        return [WhenDecision(c.rule_when, "rules", 1.0) for c in candidates]


class TrainedWhen:
    """A logistic model that scores each option (is this the time the figure refers to?) from
    its source, kind, precision and place relative to the figure, the words between them, the
    figure's status, and whether the rules chose it; the best-scored option wins when it
    scores more than ``margin`` above the rules' choice."""

    name = "trained"
    reads_options = True

    def __init__(self, model: LinearModel, *, margin: float = 0.0) -> None:
        self.model = model
        self.margin = margin

    def predict(self, candidates: Sequence[WhenCandidate]) -> list[WhenDecision]:
        decisions = []
        for candidate in candidates:
            scored = [(self.model.probability(when_features(candidate, o), "yes"), -n, o)
                      for n, o in enumerate(candidate.options)]
            rule = max((p for p, _, o in scored if o.value == candidate.rule_when), default=0.0)
            confidence, _, option = max(scored, key=lambda s: s[:2], default=(0.0, 0, None))
            if option is None or option.value == candidate.rule_when \
                    or confidence - rule <= self.margin:
                decisions.append(WhenDecision(candidate.rule_when, "rules", rule))
            else:
                decisions.append(WhenDecision(option.value, option.source, confidence))
        return decisions


def when_features(candidate: WhenCandidate, option: TimeOption) -> Features:
    """What says whether ``option`` is the time ``candidate``'s figure refers to."""
    status = candidate.what
    precision = {4: "year", 7: "month", 10: "day"}.get(len(option.value or ""), "none")
    features: dict[str, float] = {
        f"source={option.source}": 1.0, f"precision={precision}": 1.0,
        f"status|source={status}|{option.source}": 1.0,
        f"status|precision={status}|{precision}": 1.0,
        f"unit|precision={candidate.unit}|{precision}": 1.0,
    }
    if option.kind:
        features[f"kind={option.kind}"] = 1.0
        features[f"status|kind={status}|{option.kind}"] = 1.0
    if option.value == candidate.rule_when:
        features["chosen_by_rules"] = 1.0
        features[f"chosen_by_rules|status={status}"] = 1.0
    relation = _relative_to(option.value, candidate.published)
    if relation:
        features[f"vs_report={relation}"] = 1.0
        features[f"status|vs_report={status}|{relation}"] = 1.0
    if option.span is not None:
        text = candidate.text
        start, end = candidate.span
        t_start, t_end = option.span
        after = t_start >= end
        gap = text[end:t_start] if after else text[t_end:start]
        side = "after" if after else "before"
        step = next((f"<{n}" for n in DISTANCE_STEPS if len(gap) < n), "far")
        features[f"side|distance={side}|{step}"] = 1.0
        between = words(gap)
        for word in (between[:BETWEEN_WORDS] if after else between[-BETWEEN_WORDS:]):
            features[f"between={word}"] = 1.0
        lead = words(text[max(0, t_start - 24):t_start])
        if lead:
            features[f"lead={lead[-1]}"] = 1.0
            features[f"status|lead={status}|{lead[-1]}"] = 1.0
    return features


def _relative_to(value: str | None, published: str | None) -> str | None:
    """Whether ``value`` is before, at or after ``published``, at the coarser precision."""
    if not value or not published:
        return None
    n = min(len(value), len(published))
    return "before" if value[:n] < published[:n] else "after" if value[:n] > published[:n] \
        else "same"


# --- event type ----------------------------------------------------------------------------------

#: The event type that drops a candidate: the rules' trigger reports no event here.
NO_EVENT = "none"
#: Words either side of a trigger that the event type decision reads, within its sentence.
TRIGGER_WORDS = 8


@dataclass(frozen=True)
class EventCandidate:
    """An event the trigger rules propose: where its trigger and parties stand, what the rules
    coded, and what the sentence around it says of it."""

    text: str
    sentence: tuple[int, int]
    trigger: tuple[int, int]
    lemma: str  # the trigger as the lexicon matched it, lower case
    rule_type: str
    source: str
    target: str
    source_span: tuple[int, int]  # the parties' mentions (before the sentence for a pronoun)
    target_span: tuple[int, int]
    states: tuple[str, ...]  # the states the sentence names, in order, repeats included
    cues: tuple[tuple[str, int, int], ...] = ()  # ("negation"|"hypothetical"|"modal", span)
    quoted: bool = False  # the sentence quotes someone
    tense: str = "unknown"  # "past", "future" or "unknown", from the trigger's clause


@dataclass(frozen=True)
class EventTypeDecision:
    type: str  # a PLOVER type, or NO_EVENT
    evidence: tuple[int, int]  # the trigger the type was read from
    decided_by: str  # "rules" or "model"
    confidence: float


class EventTypeComponent(Protocol):
    """Decides the type of each proposed event, or that it is none; ``reads_context`` says
    whether it reads more than the rules' type, so that the stage may skip building the rest
    of the candidate."""

    name: str
    reads_context: bool

    def predict(self, candidates: Sequence[EventCandidate]) -> list[EventTypeDecision]: ...


class RuleEventType:
    """The type the trigger lexicon gives the trigger."""

    name = "rules"
    reads_context = False

    def predict(self, candidates: Sequence[EventCandidate]) -> list[EventTypeDecision]:
        return [EventTypeDecision(c.rule_type, c.trigger, "rules", 1.0) for c in candidates]


class TrainedEventType:
    """A logistic model over the trigger, the rules' type, the words around the trigger, the
    cues and tense of its clause and where its parties stand, whose classes are the PLOVER
    types and ``NO_EVENT``. It overrules the rules only when its choice is more probable than
    theirs by more than ``margin``: a trigger the lexicon reads plainly keeps its type."""

    name = "trained"
    reads_context = True

    def __init__(self, model: LinearModel, *, margin: float = 0.0) -> None:
        self.model = model
        self.margin = margin

    def predict(self, candidates: Sequence[EventCandidate]) -> list[EventTypeDecision]:
        decisions = []
        for candidate in candidates:
            probabilities = self.model.probabilities(event_type_features(candidate))
            kind, confidence = most_probable(probabilities)
            rule = probabilities.get(candidate.rule_type, 0.0)
            if kind == candidate.rule_type or confidence - rule <= self.margin \
                    or candidate.rule_type not in probabilities:
                # a type the training data never gave is one the model knows nothing of
                decisions.append(EventTypeDecision(candidate.rule_type, candidate.trigger,
                                                   "rules", rule))
            else:
                decisions.append(EventTypeDecision(kind, candidate.trigger, "model",
                                                   confidence))
        return decisions


def event_type_features(candidate: EventCandidate) -> Features:
    """The trigger and the rules' type, alone and together; the nearest words either side of
    the trigger; the cues, tense and quotation of its clause; and which side of the trigger
    each party stands and how many states the sentence names.

    The states' codes are left out on purpose: they do not carry over to another
    relationship."""
    s_start = candidate.sentence[0]
    start, end = candidate.trigger
    rule = candidate.rule_type
    features: dict[str, float] = {
        f"rule={rule}": 1.0, f"lemma={candidate.lemma}": 1.0,
        f"rule|lemma={rule}|{candidate.lemma}": 1.0, f"tense={candidate.tense}": 1.0,
        f"rule|tense={rule}|{candidate.tense}": 1.0,
        f"states={min(len(set(candidate.states)), 3)}": 1.0,
    }
    if candidate.quoted:
        features["quoted"] = 1.0
        features[f"rule|quoted={rule}"] = 1.0
    for role, (a, b) in (("source", candidate.source_span), ("target", candidate.target_span)):
        side = "before" if b <= start else "after" if a >= end else "around"
        if a < s_start:
            side = "earlier"  # a pronoun's antecedent
        features[f"{role}_side={side}"] = 1.0
        features[f"rule|{role}_side={rule}|{side}"] = 1.0
    for kind, a, _b in candidate.cues:
        side = "before" if a < start else "after"
        features[f"cue={kind}|{side}"] = 1.0
        features[f"rule|cue={rule}|{kind}"] = 1.0
    _add_window(features, candidate.text, candidate.sentence, candidate.trigger, TRIGGER_WORDS,
                TRIGGER_WORDS)
    return features


# --- indicator -----------------------------------------------------------------------------------

#: The answer of the indicator decision for a number that measures no indicator (the same
#: word as ``NO_EVENT``, so that one measure counts both decisions' kept answers).
NO_INDICATOR = NO_EVENT
#: Words before and after a number that the indicator decision reads, within its sentence.
INDICATOR_WORDS = (8, 6)


@dataclass(frozen=True)
class IndicatorOption:
    """An indicator whose unit a number fits, and how much of what names that indicator
    (its cue groups: "tariff" and "car", say) stands near the number."""

    indicator: str
    unit: str
    groups: int  # the indicator's cue groups
    near: int  # of them, matched in the words around the number
    sentence: int  # ... in its sentence
    before: int  # ... in the sentence before it, in the same paragraph
    reach: int | None  # how far the farthest group is, in the rules' steps; None: one is missing


@dataclass(frozen=True)
class IndicatorCandidate:
    """A number in a sentence, the indicators it could measure and the rules' choice."""

    text: str
    sentence: tuple[int, int]
    value: tuple[int, int]  # the number's span
    figure: float
    kind: str  # the quantity's kind: percent, percent_gdp, money, count
    role: str | None  # "from"/"to" of a transition, "low"/"high" of a range
    level: bool  # read as a level ("to 2%"), not a change
    options: tuple[IndicatorOption, ...]
    rule_indicator: str | None  # None: the rules tie it to no indicator
    rule_evidence: str  # "cue" (its words), "reference" (the sentence before), "none"


@dataclass(frozen=True)
class IndicatorDecision:
    indicator: str | None
    decided_by: str  # "rules" or "model"
    confidence: float


class IndicatorComponent(Protocol):
    """Decides which indicator each number measures, or none; ``reads_options`` says whether
    it reads the options, so that the stage may skip building them."""

    name: str
    reads_options: bool

    def predict(self, candidates: Sequence[IndicatorCandidate]) -> list[IndicatorDecision]: ...


class RuleIndicator:
    """The indicator whose cue groups all stand nearest the number, by the rules' ranking."""

    name = "rules"
    reads_options = False

    def predict(self, candidates: Sequence[IndicatorCandidate]) -> list[IndicatorDecision]:
        return [IndicatorDecision(c.rule_indicator, "rules", 1.0) for c in candidates]


class TrainedIndicator:
    """A logistic model that scores each option (does the number measure this indicator?)
    from how much of the indicator's cues stand near, whether the rules chose it, and the
    words around the number read against the option's unit; "none" scores one minus the best
    option. The best answer replaces the rules' when it scores more than ``margin`` above
    theirs."""

    name = "trained"
    reads_options = True

    def __init__(self, model: LinearModel, *, margin: float = 0.0) -> None:
        self.model = model
        self.margin = margin

    def predict(self, candidates: Sequence[IndicatorCandidate]) -> list[IndicatorDecision]:
        decisions = []
        for candidate in candidates:
            # the words around the number weigh the same for every option of one unit: their
            # sum is read once per unit
            around = number_window(candidate)
            shared = {unit: self.model.partial(_by_unit(around, unit))
                      for unit in {o.unit for o in candidate.options}}
            scored = {o.indicator: self.model.probability(
                option_features(candidate, o), "yes", shared[o.unit])
                for o in candidate.options}
            scored[NO_INDICATOR] = 1.0 - max(scored.values(), default=0.0)
            rule = candidate.rule_indicator or NO_INDICATOR
            choice = max(scored, key=lambda name: (scored[name], name == rule))
            if choice == rule or rule not in scored \
                    or scored[choice] - scored[rule] <= self.margin:
                decisions.append(IndicatorDecision(candidate.rule_indicator, "rules",
                                                   scored.get(rule, 1.0)))
            else:
                decisions.append(IndicatorDecision(
                    None if choice == NO_INDICATOR else choice, "model", scored[choice]))
        return decisions


def _coverage(matched: int, groups: int) -> str:
    return "all" if matched >= groups else "some" if matched else "none"


def number_window(candidate: IndicatorCandidate) -> Features:
    """The words around the number, as the indicator decision reads them for every option."""
    window: dict[str, float] = {}
    _add_window(window, candidate.text, candidate.sentence, candidate.value, *INDICATOR_WORDS)
    return window


def _by_unit(around: Features, unit: str) -> Features:
    return {f"{unit}|{name}": value for name, value in around.items()}


def indicator_features(candidate: IndicatorCandidate, option: IndicatorOption) -> Features:
    """``option_features`` and the words around the number, each paired with the option's
    unit."""
    return {**option_features(candidate, option),
            **_by_unit(number_window(candidate), option.unit)}


def option_features(candidate: IndicatorCandidate, option: IndicatorOption) -> Features:
    """What says whether the number measures ``option``, the words around it apart: the share
    of its cue groups near the number, in its sentence and in the sentence before; the rules'
    distance and choice; how many options are named as fully.

    The indicator's id is left out on purpose: cues, units and words carry over to another
    relationship's catalogue, ids do not."""
    unit = option.unit
    near = _coverage(option.near, option.groups)
    sentence = _coverage(option.sentence, option.groups)
    rivals = sum(o.near >= o.groups for o in candidate.options if o is not option)
    features: dict[str, float] = {
        f"unit={unit}": 1.0, f"kind|unit={candidate.kind}|{unit}": 1.0,
        f"near={near}": 1.0, f"sentence={sentence}": 1.0,
        f"before={_coverage(option.before, option.groups)}": 1.0,
        f"near|sentence={near}|{sentence}": 1.0,
        f"unit|near={unit}|{near}": 1.0,
        f"rivals={min(rivals, 2)}": 1.0, f"near|rivals={near}|{min(rivals, 2)}": 1.0,
    }
    if option.reach is not None:
        features[f"reach={min(option.reach, 4)}"] = 1.0
    if candidate.role:
        features[f"role={candidate.role}"] = 1.0
    if candidate.level:
        features["level"] = 1.0
    if option.indicator == candidate.rule_indicator:
        features["chosen_by_rules"] = 1.0
        features[f"chosen_by_rules|how={candidate.rule_evidence}"] = 1.0
    elif candidate.rule_indicator is not None:
        features["rules_chose_another"] = 1.0
    return features


# --- pair ----------------------------------------------------------------------------------------

#: Words between a party's mention and the trigger that the pair decision reads, nearest first.
PAIR_WORDS = 3
#: Characters between a party's mention and the trigger, in the steps the decision tells apart.
PAIR_STEPS = (3, 20, 60)


@dataclass(frozen=True)
class Party:
    """A state's mention nearest a trigger, on one side of it."""

    state: str
    span: tuple[int, int]


@dataclass(frozen=True)
class PairCandidate:
    """An event the rules coded, the states its sentence (and a pronoun's antecedent) offers as
    its parties, and the ordered pair the rules chose."""

    event: EventCandidate
    parties: tuple[Party, ...]  # one or two per state: its nearest mention before and after
    symmetric: bool  # the type has no direction (CONSULT, AGREE, COOPERATE)


@dataclass(frozen=True)
class PairDecision:
    source: Party
    target: Party
    decided_by: str  # "rules" or "model"
    confidence: float


class PairComponent(Protocol):
    """Decides who acts on whom; ``reads_options`` says whether it reads the parties, so that
    the stage may skip gathering them."""

    name: str
    reads_options: bool

    def predict(self, candidates: Sequence[PairCandidate]) -> list[PairDecision]: ...


def rule_pair(candidate: PairCandidate) -> tuple[Party, Party]:
    event = candidate.event
    return Party(event.source, event.source_span), Party(event.target, event.target_span)


class RulePair:
    """The pair the rules read: subject and object by position, prepositions, passives,
    speakers and pronouns."""

    name = "rules"
    reads_options = False

    def predict(self, candidates: Sequence[PairCandidate]) -> list[PairDecision]:
        return [PairDecision(*rule_pair(c), "rules", 1.0) for c in candidates]


class TrainedPair:
    """A logistic model that scores each ordered pair of two states' mentions (does the first
    act on the second?) from where each stands from the trigger, the words between, the
    event's type and whether the rules chose the pair; the best replaces the rules' when it
    scores more than ``margin`` above theirs."""

    name = "trained"
    reads_options = True

    def __init__(self, model: LinearModel, *, margin: float = 0.0) -> None:
        self.model = model
        self.margin = margin

    def predict(self, candidates: Sequence[PairCandidate]) -> list[PairDecision]:
        decisions = []
        for candidate in candidates:
            rule = rule_pair(candidate)
            scored = [(self.model.probability(pair_features(candidate, pair), "yes"),
                       pair == rule, pair) for pair in pair_options(candidate)]
            rule_score = max((p for p, chosen, _ in scored if chosen), default=0.0)
            best = max(scored, key=lambda s: s[:2], default=None)
            if best is None or best[1] or best[0] - rule_score <= self.margin:
                decisions.append(PairDecision(*rule, "rules", rule_score))
            else:
                decisions.append(PairDecision(*best[2], "model", best[0]))
        return decisions


def pair_options(candidate: PairCandidate) -> list[tuple[Party, Party]]:
    """Every ordered pair of two states' mentions, the rules' pair among them."""
    options = [(a, b) for a in candidate.parties for b in candidate.parties
               if a.state != b.state]
    rule = rule_pair(candidate)
    return options if rule in options else [rule, *options]


def pair_features(candidate: PairCandidate, pair: tuple[Party, Party]) -> Features:
    """Where source and target stand from the trigger (side, distance, the words between,
    the word just before each), alone and with the event's type; and whether the rules chose
    this pair, its reverse or one of its parties.

    The states' codes are left out on purpose: they do not carry over to another
    relationship."""
    event = candidate.event
    text = event.text
    start, end = event.trigger
    kind = event.rule_type
    rule = rule_pair(candidate)
    features: dict[str, float] = {}
    sides = []
    for role, party in zip(("source", "target"), pair, strict=True):
        a, b = party.span
        side = "earlier" if a < event.sentence[0] else "before" if b <= start \
            else "after" if a >= end else "around"
        sides.append(side)
        gap = text[b:start] if side in ("before", "earlier") else text[end:a]
        step = next((f"<{n}" for n in PAIR_STEPS if len(gap) < n), "far")
        features[f"{role}={side}|{step}"] = 1.0
        features[f"{role}|type={side}|{kind}"] = 1.0
        between = words(gap)
        for word in (between[-PAIR_WORDS:] if side in ("before", "earlier")
                     else between[:PAIR_WORDS]):
            features[f"{role}|{side}|between={word}"] = 1.0
        lead = words(text[max(0, a - 16):a])
        if lead:
            features[f"{role}|lead={lead[-1]}"] = 1.0
        if text.startswith("'s", b):
            features[f"{role}|possessive"] = 1.0
    features[f"sides={sides[0]}|{sides[1]}"] = 1.0
    features[f"sides|type={sides[0]}|{sides[1]}|{kind}"] = 1.0
    first = pair[0].span[0] < pair[1].span[0]
    features[f"source_first={first}"] = 1.0
    if pair == rule:
        features["chosen_by_rules"] = 1.0
    elif pair == rule[::-1]:
        features["rules_reversed"] = 1.0
    elif pair[0].state == rule[0].state or pair[1].state == rule[1].state:
        features["shares_a_party_with_rules"] = 1.0
    if candidate.symmetric:
        features["symmetric"] = 1.0
    return features


# --- factuality ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FactualityCandidate:
    """An event the rules coded and the word of its clause that, by the rules, says it did not
    happen or may only happen ("did not meet", "could impose", "may visit"), if any."""

    event: EventCandidate
    guard: tuple[str, int, int] | None  # ("negation"|"hypothetical"|"modal", span)

    @property
    def rule_reported(self) -> bool:
        return self.guard is None


@dataclass(frozen=True)
class FactualityDecision:
    reported: bool
    decided_by: str  # "rules" or "model"
    confidence: float


class FactualityComponent(Protocol):
    """Decides whether each coded event is reported as done or scheduled; ``reads_context``
    says whether it reads more than the rules' guard word, so that the stage may drop a
    guarded event before building its candidate."""

    name: str
    reads_context: bool

    def predict(self, candidates: Sequence[FactualityCandidate]
                ) -> list[FactualityDecision]: ...


class RuleFactuality:
    """No negation, hypothetical or lower-case "may" in the trigger's clause before it."""

    name = "rules"
    reads_context = False

    def predict(self, candidates: Sequence[FactualityCandidate]
                ) -> list[FactualityDecision]:
        return [FactualityDecision(c.rule_reported, "rules", 1.0) for c in candidates]


class TrainedFactuality:
    """A logistic model over the guard word and where it stands, the trigger, the event's type,
    the tense and quotation of its clause and the words around the trigger: "reported" or
    "not". It overrules the rules only when its answer is more probable than theirs by more
    than ``margin``."""

    name = "trained"
    reads_context = True

    def __init__(self, model: LinearModel, *, margin: float = 0.0) -> None:
        self.model = model
        self.margin = margin

    def predict(self, candidates: Sequence[FactualityCandidate]
                ) -> list[FactualityDecision]:
        decisions = []
        for candidate in candidates:
            reported = self.model.probabilities(factuality_features(candidate)).get(
                REPORTED, 0.0)
            rule = reported if candidate.rule_reported else 1.0 - reported
            model = 1.0 - rule
            if model - rule > self.margin:
                decisions.append(FactualityDecision(not candidate.rule_reported, "model", model))
            else:
                decisions.append(FactualityDecision(candidate.rule_reported, "rules", rule))
        return decisions


#: The classes of the factuality model.
REPORTED, NOT_REPORTED = "reported", "not"


def factuality_features(candidate: FactualityCandidate) -> Features:
    """The guard word, its kind and how far before the trigger it stands, with the trigger;
    the trigger, the event's type, tense and quotation; the sentence's other cues; and the
    words around the trigger."""
    event = candidate.event
    start = event.trigger[0]
    kind = event.rule_type
    features: dict[str, float] = {
        f"type={kind}": 1.0, f"lemma={event.lemma}": 1.0, f"tense={event.tense}": 1.0,
        f"guarded={candidate.guard is not None}": 1.0,
    }
    if candidate.guard is not None:
        cue, a, b = candidate.guard
        word = event.text[a:b].lower()
        gap = len(words(event.text[b:start]))
        features[f"guard={cue}"] = 1.0
        features[f"guard_word={word}"] = 1.0
        features[f"guard|tense={cue}|{event.tense}"] = 1.0
        features[f"guard|gap={cue}|{min(gap, 4)}"] = 1.0
        features[f"guard_word|lemma={word}|{event.lemma}"] = 1.0
    if event.quoted:
        features["quoted"] = 1.0
    for cue, a, _b in event.cues:
        if candidate.guard is None or a != candidate.guard[1]:
            features[f"other_cue={cue}|{'before' if a < start else 'after'}"] = 1.0
    _add_window(features, event.text, event.sentence, event.trigger, TRIGGER_WORDS,
                TRIGGER_WORDS)
    return features
