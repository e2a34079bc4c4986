"""Contextual decisions as components: one name, one declared input and output, and a rule
implementation and a trained one that are interchangeable under that name.

Candidates (numbers, dates, mentions, triggers) are found by rules; what depends on context
is decided here. A decision reads a typed candidate and returns a typed answer with the
evidence it used, so the stage that calls it never parses a string back.

    status   ObservationCandidate -> StatusDecision   which of the seven statuses a figure has
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bilateral.extract.linear import Features, LinearModel

#: Words either side of a figure that the status decision reads, within its sentence.
LEFT_WORDS, RIGHT_WORDS = 12, 8
#: Words nearest the figure, which weigh more than the rest of the window.
NEAR_WORDS = 4
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:\.\d+)?%?|\$")


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
    rule_evidence: str  # how the rules chose: "cue:<words>", "default", "context:...", ...


@dataclass(frozen=True)
class StatusDecision:
    status: str
    evidence: str  # the rule evidence when the rules decided, else "model"
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
    choice as one more feature), restricted to the statuses the indicator admits."""

    name = "trained"

    def __init__(self, model: LinearModel, *, with_rules: bool) -> None:
        self.model = model
        self.with_rules = with_rules

    def predict(self, candidates: Sequence[ObservationCandidate]) -> list[StatusDecision]:
        decisions = []
        for candidate in candidates:
            status, confidence = self.model.best(
                status_features(candidate, with_rules=self.with_rules), candidate.allowed)
            evidence = candidate.rule_evidence if status == candidate.rule_status else "model"
            decisions.append(StatusDecision(status, evidence, confidence))
        return decisions


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
        features[f"rule_how={candidate.rule_evidence.split(':')[0]}"] = 1.0
        features[f"rule|unit={candidate.rule_status}|{candidate.unit}"] = 1.0
    before = words(text[s_start:start])[-LEFT_WORDS:]
    after = words(text[end:s_end])[:RIGHT_WORDS]
    for i, word in enumerate(reversed(before)):
        features[f"before={word}"] = features.get(f"before={word}", 0.0) + 1.0
        if i < NEAR_WORDS:
            features[f"just_before={word}"] = 1.0
    for i, word in enumerate(after):
        features[f"after={word}"] = features.get(f"after={word}", 0.0) + 1.0
        if i < NEAR_WORDS:
            features[f"just_after={word}"] = 1.0
    for word in set(words(text[s_start:s_end])):
        features[f"sentence={word}"] = 1.0
    return features
