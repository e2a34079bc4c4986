"""Learn the trainable decisions from a corpus annotated in the interchange format.

The rules find the candidates; each candidate is matched to the gold record it stands for
(same indicator and value, the gold quote over or nearest the figure), and the gold answer
becomes its label. The model directory written records the data's hash, the seed, the
examples and, per decision, the accuracy of the rules and of the trained model measured by
cross-validation over documents (no document is scored by a model that saw it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bilateral.dossier import Dossier, load_dossier
from bilateral.errors import ExtractionError, ModelError
from bilateral.extract.context import fold
from bilateral.extract.decisions import (
    ObservationCandidate,
    RuleStatus,
    StatusDecision,
    status_features,
)
from bilateral.extract.linear import fit
from bilateral.extract.model import (
    FORMAT,
    DecisionConfig,
    Decisions,
    Model,
    ModelConfig,
    write_model,
)
from bilateral.extract.pipeline import Extractor
from bilateral.extract.score import read_interchange, value_close
from bilateral.ingest.readers import discover, read
from bilateral.records import Document

#: Folds of the cross-validation that measures each decision.
FOLDS = 5
#: Inverse regularisation strength of the status model.
STATUS_C = 3.0


@dataclass(frozen=True)
class Example:
    document: str
    candidate: ObservationCandidate
    label: str


@dataclass
class TrainReport:
    documents: int = 0
    examples: int = 0
    skipped: list[str] = field(default_factory=list)  # documents with no gold, or refused
    accuracy: dict[str, dict[str, float]] = field(default_factory=dict)  # decision -> impl
    data_sha256: str = ""


class _Recorder(RuleStatus):
    """The rule status, remembering every candidate it was asked about."""

    def __init__(self) -> None:
        self.seen: list[ObservationCandidate] = []

    def predict(self, candidates: Sequence[ObservationCandidate]) -> list[StatusDecision]:
        self.seen.extend(candidates)
        return super().predict(candidates)


@dataclass(frozen=True)
class AnnotatedSet:
    """A corpus, its gold annotations and the dossier whose catalogue the gold uses."""

    corpus: tuple[Path, ...]
    gold: Path
    dossier: str = "us-japan"


def train(sets: Sequence[AnnotatedSet], out: str | Path, *, seed: int = 0,
          with_rules: bool = True,
          progress: Callable[[int, int], None] | None = None) -> TrainReport:
    """Train the status decision from annotated ``sets`` (one relationship or several) and
    write a model directory."""
    if not sets:
        raise ModelError("training needs at least one annotated corpus")
    files = [path for s in sets for path in (*s.corpus, s.gold)]
    report = TrainReport(data_sha256=_hash(files))
    examples: list[Example] = []
    for n, annotated in enumerate(sets):
        found = status_examples(_documents(list(annotated.corpus)),
                                read_interchange(annotated.gold),
                                load_dossier(annotated.dossier), report, progress)
        # a document is held out whole in cross-validation; ids may repeat across sets
        examples += [replace(e, document=f"{n}/{e.document}") for e in found]
    report.examples = len(examples)
    if not examples:
        raise ModelError("no training example: no figure the rules find matches a gold "
                         "observation of " + ", ".join(str(s.gold) for s in sets)
                         + " (do the doc_ids agree?)")
    report.accuracy["status"] = _cross_validate(examples, seed=seed, with_rules=with_rules)
    model = fit([status_features(e.candidate, with_rules=with_rules) for e in examples],
                [e.label for e in examples], c=STATUS_C, seed=seed)
    config = ModelConfig(
        format=FORMAT,
        decisions=Decisions(status=DecisionConfig(use="trained", weights="status.json",
                                                  with_rules=with_rules)),
        meta={"trained_on": [{"corpus": [p.name for p in s.corpus], "gold": s.gold.name,
                              "dossier": s.dossier} for s in sets],
              "data_sha256": report.data_sha256, "seed": seed,
              "documents": report.documents, "examples": {"status": len(examples)},
              "cross_validated_accuracy": report.accuracy})
    write_model(Path(out), config, {"status": model})
    return report


def status_examples(documents: Iterable[Document], gold: dict[str, Any], dossier: Dossier,
                    report: TrainReport | None = None,
                    progress: Callable[[int, int], None] | None = None) -> list[Example]:
    """Every candidate figure of the rules that stands for a gold observation, labelled with
    the gold status."""
    report = report if report is not None else TrainReport()
    recorder = _Recorder()
    extractor = Extractor(dossier, model=Model("rules", recorder))
    examples: list[Example] = []
    documents = list(documents)
    for done, document in enumerate(documents, 1):
        annotated = gold.get(document.label)
        if annotated is None:
            report.skipped.append(f"{document.label}: no gold record")
            continue
        recorder.seen.clear()
        try:
            extractor.annotate(document)
        except ExtractionError as exc:
            report.skipped.append(f"{document.label}: {exc.message}")
            continue
        report.documents += 1
        for candidate in recorder.seen:
            label = _gold_status(candidate, annotated.get("observations") or [])
            if label is not None:
                examples.append(Example(document.label, candidate, label))
        if progress:
            progress(done, len(documents))
    return examples


def _gold_status(candidate: ObservationCandidate, observations: list[dict[str, Any]]
                 ) -> str | None:
    """The status of the gold observation the candidate stands for: same indicator and value,
    its quote over the figure; failing that, the one status all such observations share."""
    same = [o for o in observations if o.get("indicator") == candidate.indicator
            and isinstance(o.get("value"), int | float)
            and value_close(float(o["value"]), candidate.figure)]
    if not same:
        return None
    text = candidate.text
    start, end = candidate.value
    for observation in same:
        quote = fold(str(observation.get("quote") or ""))
        at = text.find(quote) if quote else -1
        while at >= 0:
            if at < end and start < at + len(quote):
                return str(observation["status"])
            at = text.find(quote, at + 1)
    statuses = {str(o["status"]) for o in same}
    return statuses.pop() if len(statuses) == 1 else None


def _cross_validate(examples: list[Example], *, seed: int, with_rules: bool
                    ) -> dict[str, float]:
    """Accuracy of the rules and of the trained status on documents held out in turn."""
    documents = sorted({e.document for e in examples})  # ids are unique across sets
    fold_of = {d: hashlib.sha256(f"{seed}:{d}".encode()).digest()[0] % FOLDS
               for d in documents}
    right = 0
    for held_out in range(FOLDS):
        train_set = [e for e in examples if fold_of[e.document] != held_out]
        test_set = [e for e in examples if fold_of[e.document] == held_out]
        if not test_set or len({e.label for e in train_set}) < 2:
            continue
        model = fit([status_features(e.candidate, with_rules=with_rules) for e in train_set],
                    [e.label for e in train_set], c=STATUS_C, seed=seed)
        right += sum(model.best(status_features(e.candidate, with_rules=with_rules),
                                e.candidate.allowed)[0] == e.label for e in test_set)
    rules = sum(e.candidate.rule_status == e.label for e in examples)
    return {"rules": round(rules / len(examples), 4),
            "trained": round(right / len(examples), 4)}


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
