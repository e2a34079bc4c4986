"""Score predicted records against gold, exactly as the interchange spec describes.

Per document, each gold record is matched to at most one prediction (greedy, in gold order).
Observations match leniently on indicator and value (0.5% relative), strictly also on status
and a compatible ``when``; events leniently on type and state pair (unordered for symmetric
types), strictly also on ``when``. Counts are summed over documents (micro-average).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bilateral.errors import EvaluationError
from bilateral.records import SYMMETRIC_TYPES

Record = dict[str, Any]


@dataclass
class Tally:
    gold: int = 0
    predicted: int = 0
    matched: int = 0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"gold": self.gold, "predicted": self.predicted, "matched": self.matched,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4)}


@dataclass
class Scores:
    """Lenient and strict tallies for observations and events."""

    tallies: dict[str, Tally] = field(default_factory=lambda: {
        k: Tally() for k in ("observations.lenient", "observations.strict",
                             "events.lenient", "events.strict")})
    documents: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.documents,
                **{k: t.as_dict() for k, t in self.tallies.items()}}


def when_compatible(gold: str | None, predicted: str | None) -> bool:
    """Agree at the coarser precision; gold null accepts anything, predicted null only null."""
    if gold is None:
        return True
    if predicted is None:
        return False
    size = min(len(gold), len(predicted))
    return gold[:size] == predicted[:size]


def value_close(gold: float, predicted: float) -> bool:
    if gold == 0:
        return predicted == 0
    return abs(predicted - gold) <= 0.005 * abs(gold)


def observation_match(strict: bool) -> Callable[[Record, Record], bool]:
    def match(gold: Record, pred: Record) -> bool:
        if gold.get("indicator") != pred.get("indicator"):
            return False
        try:
            if not value_close(float(gold["value"]), float(pred["value"])):
                return False
        except (KeyError, TypeError, ValueError):
            return False
        if strict:
            return gold.get("status") == pred.get("status") and \
                when_compatible(gold.get("when"), pred.get("when"))
        return True
    return match


def event_match(strict: bool) -> Callable[[Record, Record], bool]:
    def match(gold: Record, pred: Record) -> bool:
        if gold.get("type") != pred.get("type"):
            return False
        g, p = (gold.get("source"), gold.get("target")), (pred.get("source"), pred.get("target"))
        if gold.get("type") in SYMMETRIC_TYPES:
            same = sorted(map(str, g)) == sorted(map(str, p))
        else:
            same = g == p
        if not same:
            return False
        return when_compatible(gold.get("when"), pred.get("when")) if strict else True
    return match


def greedy(gold: list[Record], predicted: list[Record],
           match: Callable[[Record, Record], bool]) -> list[tuple[int, int]]:
    """Pairs (gold index, predicted index): each gold takes the first free matching prediction."""
    used: set[int] = set()
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            if pi not in used and match(g, p):
                used.add(pi)
                pairs.append((gi, pi))
                break
    return pairs


def score(gold: dict[str, Record], predicted: dict[str, Record]) -> Scores:
    """Micro-averaged scores over the gold documents; a missing prediction predicts nothing."""
    scores = Scores()
    matchers = {"observations": observation_match, "events": event_match}
    for doc_id, gold_doc in gold.items():
        pred_doc = predicted.get(doc_id, {})
        scores.documents += 1
        for kind, factory in matchers.items():
            g, p = gold_doc.get(kind) or [], pred_doc.get(kind) or []
            for mode in ("lenient", "strict"):
                tally = scores.tallies[f"{kind}.{mode}"]
                tally.gold += len(g)
                tally.predicted += len(p)
                tally.matched += len(greedy(g, p, factory(mode == "strict")))
    return scores


def read_interchange(path: str | Path) -> dict[str, Record]:
    """An interchange JSONL file as {doc_id: record}; errors name the file and line."""
    path = Path(path)
    records: dict[str, Record] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationError(f"{path}: cannot read ({exc})") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvaluationError(f"{path}:{number}: malformed JSON ({exc.msg})") from exc
        if not isinstance(record, dict) or "doc_id" not in record:
            raise EvaluationError(f"{path}:{number}: each line must be an object with a doc_id")
        records[str(record["doc_id"])] = record
    return records
