"""Learn the trainable decisions from a corpus annotated in the interchange format.

The rules find the candidates; each candidate is matched to the gold record it stands for
(a figure: same indicator and value, the gold quote over it; an event: same type and pair,
the gold quote at its trigger), and the gold answer becomes its label. A number is labelled
with the indicator of the gold figure quoted over it, or "none" when gold has no figure of
its value; a coded event with the pair of the gold event of its type quoted at it, and as
reported when gold has an event of its pair (of any type: the type is decided next) in its
sentence, or of its type and pair elsewhere in the document (a repeat of an event gold
records once is no error), else not. An event
the trigger rules propose is labelled with the type of the gold event of its pair quoted in
its sentence, or "none" when gold has no such event; its decision is measured by the F1 of
the events kept (as the scoring counts them), and ships only if it also beats the rules on
each annotated set held out whole, since its errors are the trigger lexicon's, which differ
most between one relationship's articles and another's; the indicator and factuality
decisions are measured and shipped the same way. The model directory
written records the data's hash, the seed, the examples and, per decision, the accuracy of
the rules and of the trained model measured by cross-validation over documents (no document
is scored by a model that saw it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from bilateral.dossier import Dossier, load_dossier
from bilateral.errors import ExtractionError, ModelError
from bilateral.extract.context import fold
from bilateral.extract.decisions import (
    NO_EVENT,
    NO_INDICATOR,
    NOT_REPORTED,
    REPORTED,
    EventCandidate,
    IndicatorCandidate,
    ObservationCandidate,
    PairCandidate,
    RuleEventType,
    RuleFactuality,
    RuleIndicator,
    RulePair,
    RuleStatus,
    RuleWhen,
    TrainedEventType,
    TrainedFactuality,
    TrainedIndicator,
    TrainedPair,
    TrainedStatus,
    TrainedWhen,
    WhenCandidate,
    event_type_features,
    factuality_features,
    indicator_features,
    pair_features,
    pair_options,
    status_features,
    when_features,
)
from bilateral.extract.linear import LinearModel, fit
from bilateral.extract.model import (
    FORMAT,
    DecisionConfig,
    Decisions,
    Model,
    ModelConfig,
    write_model,
)
from bilateral.extract.pipeline import Extractor
from bilateral.extract.score import read_interchange, value_close, when_compatible
from bilateral.extras import require
from bilateral.ingest.readers import discover, read
from bilateral.records import Document, dyad

#: Folds of the cross-validation that measures each decision.
FOLDS = 5
#: Inverse regularisation strength of each decision's model.
STATUS_C = 3.0
WHEN_C = 1.0
EVENT_TYPE_C = 1.0
INDICATOR_C = 1.0
PAIR_C = 1.0
FACTUALITY_C = 1.0
#: The decisions learnt, in the order they are trained.
DECISIONS = ("status", "when", "event_when", "event_type", "indicator", "pair", "factuality")
#: The decisions that ship only if they also beat the rules on each annotated set held out
#: whole: those whose errors are a relationship's own wording (which events and figures its
#: articles report, and how).
ACROSS_SETS = ("event_type", "indicator", "factuality")
#: How much likelier than the rules' choice a trained choice must be to replace it: tried in
#: cross-validation, the best one ships. Never less than 0.1: a model that overrules the rules
#: whenever it leans the other way at all misreads plain sentences the rules read right
#: ("met ... on February 7" dated to the month), at a cost of a held-out example or two.
MARGINS = (0.1, 0.2, 0.3, 0.4, 0.5)


@dataclass(frozen=True)
class Example:
    """A candidate of one decision and the gold answer it should get."""

    document: str
    candidate: Any  # ObservationCandidate for status, WhenCandidate for when,
    # EventCandidate for event_type, IndicatorCandidate for indicator, PairCandidate for pair,
    # FactualityCandidate for factuality
    label: str


@dataclass
class TrainReport:
    documents: int = 0
    examples: dict[str, int] = field(default_factory=dict)  # decision -> examples
    skipped: list[str] = field(default_factory=list)  # documents with no gold, or refused
    accuracy: dict[str, dict[str, Any]] = field(default_factory=dict)  # decision -> impl
    shipped: dict[str, str] = field(default_factory=dict)  # decision -> "trained" | "rules"
    data_sha256: str = ""


class _Recorded:
    """A rule decision that remembers every candidate it was asked about."""

    reads_context = True  # the event candidates it records are read in full
    reads_options = True  # ... and the indicator, pair and time candidates with their options

    def __init__(self, rules: RuleStatus | RuleWhen | RuleEventType | RuleIndicator | RulePair
                 | RuleFactuality) -> None:
        self.rules = rules
        self.name = rules.name
        self.seen: list[Any] = []

    def predict(self, candidates: Sequence[Any]) -> list[Any]:
        self.seen.extend(candidates)
        return self.rules.predict(candidates)


@dataclass(frozen=True)
class AnnotatedSet:
    """A corpus, its gold annotations and the dossier whose catalogue the gold uses."""

    corpus: tuple[Path, ...]
    gold: Path
    dossier: str = "us-japan"


def train(sets: Sequence[AnnotatedSet], out: str | Path, *, seed: int = 0,
          with_rules: bool = True, force: Collection[str] = (),
          progress: Callable[[int, int], None] | None = None) -> TrainReport:
    """Train the contextual decisions from annotated ``sets`` (one relationship or several)
    and write a model directory. The decisions named in ``force`` ship trained whatever the
    cross-validation says, to measure what they do to the extraction."""
    require("train", "Training a model")  # before the corpus is read, not after
    if not sets:
        raise ModelError("training needs at least one annotated corpus")
    files = [path for s in sets for path in (*s.corpus, s.gold)]
    report = TrainReport(data_sha256=_hash(files))
    gathered: dict[str, list[Example]] = {name: [] for name in DECISIONS}
    for n, annotated in enumerate(sets):
        found = examples(_documents(list(annotated.corpus)), read_interchange(annotated.gold),
                         load_dossier(annotated.dossier), report, progress)
        # a document is held out whole in cross-validation; ids may repeat across sets
        for name, items in found.items():
            gathered[name] += [replace(e, document=f"{n}/{e.document}") for e in items]
    status = gathered["status"]
    report.examples = {name: len(items) for name, items in gathered.items()}
    if not status:
        raise ModelError("no training example: no figure the rules find matches a gold "
                         "observation of " + ", ".join(str(s.gold) for s in sets)
                         + " (do the doc_ids agree?)")
    status_fit = partial(_fit_status, seed=seed, with_rules=with_rules)
    status_decide = partial(_decide_status, with_rules=with_rules)
    when_fit = partial(_fit_when, seed=seed)
    report.accuracy["status"] = _cross_validate(status, status_fit, status_decide, seed)
    weights = {"status": status_fit(status)}
    decisions = Decisions(status=DecisionConfig(
        use="trained", weights="status.json", with_rules=with_rules,
        margin=report.accuracy["status"]["margin"]))
    report.shipped["status"] = "trained"
    learners = {"when": (when_fit, _decide_when, _accuracy),
                "event_when": (when_fit, _decide_when, _accuracy),
                "event_type": (partial(_fit_event_type, seed=seed), _decide_event_type,
                               _kept_f1),
                "indicator": (partial(_fit_indicator, seed=seed), _decide_indicator,
                              _kept_f1),
                "pair": (partial(_fit_pair, seed=seed), _decide_pair, _accuracy),
                "factuality": (partial(_fit_factuality, seed=seed), _decide_factuality,
                               _kept_f1)}
    for name, (fit_items, decide, measure) in learners.items():
        items = gathered[name]
        if len({e.document for e in items}) < FOLDS:
            continue
        scores = _cross_validate(items, fit_items, decide, seed, measure)
        beaten = scores["trained"] > scores["rules"]
        if name in ACROSS_SETS and len(sets) > 1:
            held_out = _held_out_sets(items, fit_items, decide, measure, scores["margin"])
            scores["held_out_sets"] = {f"{n}:{sets[int(n)].dossier}": s
                                       for n, s in held_out.items()}
            beaten = beaten and all(s["trained"] > s["rules"]
                                    for s in scores["held_out_sets"].values())
        report.accuracy[name] = scores
        # ship the trained decision only where it beats the rules on held-out documents
        if name in force and not beaten:
            scores["forced"] = True  # shipped trained on other evidence than these scores
        if beaten or name in force:
            try:
                weights[name] = fit_items(items)
            except ModelError as exc:
                raise ModelError(f"the {name} decision cannot be trained: {exc}") from exc
            setattr(decisions, name, DecisionConfig(
                use="trained", weights=f"{name}.json", margin=report.accuracy[name]["margin"]))
        report.shipped[name] = getattr(decisions, name).use
    config = ModelConfig(
        format=FORMAT, decisions=decisions,
        meta={"trained_on": [{"corpus": [p.name for p in s.corpus], "gold": s.gold.name,
                              "dossier": s.dossier} for s in sets],
              "data_sha256": report.data_sha256, "seed": seed,
              "documents": report.documents, "examples": report.examples,
              "cross_validated_accuracy": report.accuracy})
    write_model(Path(out), config, weights)
    return report


def examples(documents: Iterable[Document], gold: dict[str, Any], dossier: Dossier,
             report: TrainReport | None = None,
             progress: Callable[[int, int], None] | None = None) -> dict[str, list[Example]]:
    """Every candidate of the rules that stands for a gold record, per decision: for
    ``status`` labelled with the gold status; for ``when`` (with the gold status in place of
    the rules', as the trained status gives it) and ``event_when`` with the gold time, where
    gold states one; for ``event_type``, every event the trigger rules propose, with the type
    gold gives it or "none"; for ``indicator``, every number, with the indicator gold gives
    it or "none"; for ``pair``, every coded event gold quotes, with its "SOURCE>TARGET"; for
    ``factuality``, every coded event (those a negation or hypothetical guards included),
    "reported" or "none"."""
    report = report if report is not None else TrainReport()
    statuses, times, event_times, event_types, indicators, pairs, facts = (
        _Recorded(RuleStatus()), _Recorded(RuleWhen()), _Recorded(RuleWhen()),
        _Recorded(RuleEventType()), _Recorded(RuleIndicator()), _Recorded(RulePair()),
        _Recorded(RuleFactuality()))
    extractor = Extractor(dossier, model=Model("rules", statuses, times, event_times,
                                               event_types, indicators, pairs, facts))
    found: dict[str, list[Example]] = {name: [] for name in DECISIONS}
    documents = list(documents)
    for done, document in enumerate(documents, 1):
        annotated = gold.get(document.label)
        if annotated is None:
            report.skipped.append(f"{document.label}: no gold record")
            continue
        for recorded in (statuses, times, event_times, event_types, indicators, pairs, facts):
            recorded.seen.clear()
        try:
            extractor.annotate(document)
        except ExtractionError as exc:
            report.skipped.append(f"{document.label}: {exc.message}")
            continue
        report.documents += 1
        observations = annotated.get("observations") or []
        events = annotated.get("events") or []
        for figure in statuses.seen:
            match = _gold_for(figure, observations)
            if match is not None:
                found["status"].append(Example(document.label, figure, str(match["status"])))
        for candidate in times.seen:
            match = _gold_for(candidate.figure, observations) if candidate.figure else None
            if match is not None and match.get("when"):
                found["when"].append(Example(
                    document.label, replace(candidate, what=str(match["status"])),
                    str(match["when"])))
        for candidate in event_times.seen:
            match = _gold_event_for(candidate, events)
            if match is not None and match.get("when"):
                found["event_when"].append(Example(document.label, candidate,
                                                   str(match["when"])))
        # an event the guard drops is recorded by the factuality decision and goes no further
        found["event_type"] += [Example(document.label, c, _gold_type_for(c, events))
                                for c in event_types.seen]
        found["factuality"] += [Example(document.label, c, REPORTED if _gold_type_for(
            c.event, events) != NO_EVENT else NO_EVENT) for c in facts.seen]
        for number in indicators.seen:
            label = _gold_indicator_for(number, observations)
            if label is not None:
                found["indicator"].append(Example(document.label, number, label))
        for coded in pairs.seen:
            parties = _gold_pair_for(coded, events)
            if parties is not None:
                found["pair"].append(Example(document.label, coded, parties))
        if progress:
            progress(done, len(documents))
    return found


def _gold_for(candidate: ObservationCandidate, observations: list[dict[str, Any]]
              ) -> dict[str, Any] | None:
    """The gold observation the candidate stands for: same indicator and value, its quote
    over the figure; failing that, the only such observation, or one of several that agree
    on status and time."""
    same = [o for o in observations if o.get("indicator") == candidate.indicator
            and isinstance(o.get("value"), int | float)
            and value_close(float(o["value"]), candidate.figure)]
    if not same:
        return None
    text = candidate.text
    start, end = candidate.value
    for observation in same:
        if any(a < end and start < b for a, b in _quoted(text, observation)):
            return observation
    readings = {(o.get("status"), o.get("when")) for o in same}
    return same[0] if len(readings) == 1 else None


def _quoted(text: str, record: dict[str, Any]) -> Iterator[tuple[int, int]]:
    """Where a gold record's quote stands in ``text`` (as the rules match it), each time."""
    quote = fold(str(record.get("quote") or ""))
    at = text.find(quote) if quote else -1
    while at >= 0:
        yield at, at + len(quote)
        at = text.find(quote, at + 1)


def _gold_event_for(candidate: WhenCandidate, events: list[dict[str, Any]]
                    ) -> dict[str, Any] | None:
    """The gold event a coded event stands for: same type and pair of states (in either order
    for the unordered types), its quote at the trigger; failing that, the only such event,
    or one of several that agree on the time."""
    if candidate.event is None:
        return None
    kind, source, target = candidate.event
    pair = dyad(kind, source, target)
    same = [e for e in events if e.get("type") == kind
            and dyad(kind, str(e.get("source")), str(e.get("target"))) == pair]
    if not same:
        return None
    text = candidate.text
    start, end = candidate.span
    for event in same:
        if any(a <= end and start <= b for a, b in _quoted(text, event)):
            return event
    return same[0] if len({e.get("when") for e in same}) == 1 else None


def _gold_type_for(candidate: EventCandidate, events: list[dict[str, Any]]) -> str:
    """The type gold gives the event the rules propose: that of a gold event of the same
    pair, in the same direction for a directed type, quoted at the trigger or else in its
    sentence (the rules' type where it is one of them); the rules' type where gold has that
    event elsewhere in the document; otherwise none."""
    source, target = candidate.source, candidate.target
    rule = candidate.rule_type
    same = [e for e in events if isinstance(e.get("type"), str)
            and dyad(e["type"], str(e.get("source")), str(e.get("target")))
            == dyad(e["type"], source, target)]
    text = candidate.text
    for start, end in (candidate.trigger, candidate.sentence):
        here = [e for e in same if any(a <= end and start <= b for a, b in _quoted(text, e))]
        if here:
            return rule if any(e["type"] == rule for e in here) else str(here[0]["type"])
    return rule if any(e["type"] == rule for e in same) else NO_EVENT


def _gold_indicator_for(candidate: IndicatorCandidate, observations: list[dict[str, Any]]
                        ) -> str | None:
    """The indicator gold gives the number: that of a gold figure of its value quoted over
    it; failing that, the indicator of its value's figures when they have one and none of
    their quotes is found in the text; "none" when gold has no figure of its value. None (no
    example) when gold has a figure of its value quoted elsewhere: a repeat of a figure gold
    records once is neither right nor wrong."""
    same = [o for o in observations if isinstance(o.get("value"), int | float)
            and value_close(float(o["value"]), candidate.figure)]
    if not same:
        return NO_INDICATOR
    text = candidate.text
    start, end = candidate.value
    over = [o for o in same if any(a < end and start < b for a, b in _quoted(text, o))]
    if over:
        return str(over[0].get("indicator"))
    indicators = {str(o.get("indicator")) for o in same}
    if len(indicators) == 1 and all(next(_quoted(text, o), None) is None for o in same):
        return indicators.pop()
    return None


def _fit_indicator(examples: list[Example], *, seed: int) -> LinearModel:
    """One yes/no example per option of each number: is it the indicator gold gives?"""
    features, labels = [], []
    for example in examples:
        for option in example.candidate.options:
            features.append(indicator_features(example.candidate, option))
            labels.append("yes" if option.indicator == example.label else "no")
    return fit(features, labels, c=INDICATOR_C, seed=seed)


def _decide_indicator(model: LinearModel, example: Example, margin: float) -> str:
    return TrainedIndicator(model, margin=margin).predict([example.candidate])[0].indicator \
        or NO_INDICATOR


def _gold_pair_for(candidate: PairCandidate, events: list[dict[str, Any]]) -> str | None:
    """"SOURCE>TARGET" of the gold event of the coded type quoted at the trigger, or else in
    its sentence, when gold gives it one pair there; None (no example) otherwise."""
    event = candidate.event
    text = event.text
    same = [e for e in events if e.get("type") == event.rule_type]
    for start, end in (event.trigger, event.sentence):
        here = {f"{e.get('source')}>{e.get('target')}" for e in same
                if any(a <= end and start <= b for a, b in _quoted(text, e))}
        if here:
            return here.pop() if len(here) == 1 else None
    return None


def _same_pair(candidate: PairCandidate, label: str, source: str, target: str) -> bool:
    """Whether ``source`` acting on ``target`` is the gold pair (in either order for a type
    with no direction)."""
    gold = tuple(label.split(">", 1))
    return (source, target) == gold or (candidate.symmetric and (target, source) == gold)


def _fit_pair(examples: list[Example], *, seed: int) -> LinearModel:
    """One yes/no example per ordered pair of mentions: is it the gold pair?"""
    features, labels = [], []
    for example in examples:
        for pair in pair_options(example.candidate):
            features.append(pair_features(example.candidate, pair))
            labels.append("yes" if _same_pair(example.candidate, example.label, pair[0].state,
                                              pair[1].state) else "no")
    return fit(features, labels, c=PAIR_C, seed=seed)


def _decide_pair(model: LinearModel, example: Example, margin: float) -> bool:
    decided = TrainedPair(model, margin=margin).predict([example.candidate])[0]
    return _same_pair(example.candidate, example.label, decided.source.state,
                      decided.target.state)


def _fit_factuality(examples: list[Example], *, seed: int) -> LinearModel:
    return fit([factuality_features(e.candidate) for e in examples],
               [REPORTED if e.label == REPORTED else NOT_REPORTED for e in examples],
               c=FACTUALITY_C, seed=seed)


def _decide_factuality(model: LinearModel, example: Example, margin: float) -> str:
    """"reported" when the decision keeps the event, else "none" (for ``_kept_f1``)."""
    kept = TrainedFactuality(model, margin=margin).predict([example.candidate])[0].reported
    return REPORTED if kept else NO_EVENT


def _fit_event_type(examples: list[Example], *, seed: int) -> LinearModel:
    return fit([event_type_features(e.candidate) for e in examples],
               [e.label for e in examples], c=EVENT_TYPE_C, seed=seed)


def _decide_event_type(model: LinearModel, example: Example, margin: float) -> str:
    return TrainedEventType(model, margin=margin).predict([example.candidate])[0].type


def _kept_f1(examples: Sequence[Example], answers: Sequence[Any]) -> float:
    """F1 of the events (or figures) kept, as the scoring counts them: a kept event of the
    wrong type is a false positive, a true one dropped or retyped a miss; dropping a false
    one costs nothing. (Accuracy would count a dropped true event no worse than a kept false
    one.) ``NO_INDICATOR`` is the same word as ``NO_EVENT``."""
    right = sum(a == e.label != NO_EVENT for e, a in zip(examples, answers, strict=True))
    kept = sum(a not in (None, NO_EVENT) for a in answers)
    true = sum(e.label != NO_EVENT for e in examples)
    return 2 * right / (kept + true) if kept + true else 0.0


def _accuracy(examples: Sequence[Example], answers: Sequence[Any]) -> float:
    return sum(bool(a) for a in answers) / len(examples)


def _fit_status(examples: list[Example], *, seed: int, with_rules: bool) -> LinearModel:
    return fit([status_features(e.candidate, with_rules=with_rules) for e in examples],
               [e.label for e in examples], c=STATUS_C, seed=seed)


def _decide_status(model: LinearModel, example: Example, margin: float, *,
                   with_rules: bool) -> bool:
    decided = TrainedStatus(model, with_rules=with_rules, margin=margin).predict(
        [example.candidate])[0]
    return decided.status == example.label


def _fit_when(examples: list[Example], *, seed: int) -> LinearModel:
    """One yes/no example per option of each figure: is it compatible with the gold time?"""
    features, labels = [], []
    for example in examples:
        for option in example.candidate.options:
            features.append(when_features(example.candidate, option))
            labels.append("yes" if when_compatible(example.label, option.value) else "no")
    return fit(features, labels, c=WHEN_C, seed=seed)


def _decide_when(model: LinearModel, example: Example, margin: float) -> bool:
    return when_compatible(example.label,
                           TrainedWhen(model, margin=margin).predict([example.candidate])[0].when)


Decide = Callable[[LinearModel, Example, float], Any]
Measure = Callable[[Sequence[Example], Sequence[Any]], float]


def _cross_validate(examples: list[Example], fit_fold: Callable[[list[Example]], LinearModel],
                    decide: Decide, seed: int, measure: Measure = _accuracy) -> dict[str, Any]:
    """``measure`` (accuracy unless told) of the rules and of the trained decision on
    documents held out in turn, at each of ``MARGINS``; the margin with the best score (the
    smallest of equals) is the one the trained decision ships with. The rules' score is that
    of margin 1, where they are never overruled."""
    documents = sorted({e.document for e in examples})
    fold_of = {d: hashlib.sha256(f"{seed}:{d}".encode()).digest()[0] % FOLDS
               for d in documents}
    folds = [([e for e in examples if fold_of[e.document] != k],
              [e for e in examples if fold_of[e.document] == k]) for k in range(FOLDS)]
    scores = _scores(folds, fit_fold, decide, measure, (*MARGINS, 1.0))
    margin = max(MARGINS, key=lambda m: (scores[m], -m))
    return {"rules": scores[1.0], "trained": scores[margin], "margin": margin}


def _held_out_sets(examples: list[Example], fit_set: Callable[[list[Example]], LinearModel],
                   decide: Decide, measure: Measure, margin: float) -> dict[str, dict[str, float]]:
    """Per annotated set, ``measure`` of the rules and of the decision trained on the other
    sets at ``margin``: how it does on another relationship's articles."""
    def set_of(example: Example) -> str:
        return example.document.split("/", 1)[0]

    held_out = {}
    for name in sorted({set_of(e) for e in examples}):
        split = ([e for e in examples if set_of(e) != name],
                 [e for e in examples if set_of(e) == name])
        scores = _scores([split], fit_set, decide, measure, (margin, 1.0))
        held_out[name] = {"rules": scores[1.0], "trained": scores[margin]}
    return held_out


def _scores(splits: list[tuple[list[Example], list[Example]]],
            fit_split: Callable[[list[Example]], LinearModel], decide: Decide,
            measure: Measure, margins: Sequence[float]) -> dict[float, float]:
    """``measure`` at each margin of the answers given to each split's test examples by the
    decision fitted to its training examples."""
    tested: list[Example] = []
    answers: dict[float, list[Any]] = {m: [] for m in margins}
    for train_set, test_set in splits:
        if not test_set:
            continue
        tested += test_set
        try:
            model = fit_split(train_set)
        except ModelError:
            for margin in margins:  # a split with one class only: its examples count as wrong
                answers[margin] += [None] * len(test_set)
            continue
        for margin in margins:
            answers[margin] += [decide(model, e, margin) for e in test_set]
    return {m: round(measure(tested, answers[m]), 4) if tested else 0.0 for m in margins}


def _documents(paths: list[Path]) -> Iterable[Document]:
    for source in discover(paths):
        if isinstance(source, Path):
            for item in read(source):
                if isinstance(item.result, Document):
                    yield item.result


def _hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()
