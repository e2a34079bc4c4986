"""Score predicted records against gold, exactly as the interchange spec describes.

Per document, each gold record is matched to at most one prediction (greedy, in gold order).
Observations match leniently on indicator and value (0.5% relative), strictly also on status
and a compatible ``when``; events leniently on type and state pair (unordered for symmetric
types), strictly also on ``when``. Counts are summed over documents (micro-average); a gold
document the prediction leaves out predicts nothing, and predicted documents that are not in
the gold file are not scored (``Scores.unscored`` names them).

Everything is computed from one greedy pass per document, kind and mode (a ``Matching``): the
totals, the breakdown per indicator or event type, and the details (misses and false hits).

    scores = evaluate("gold.jsonl", corpus="corpus.jsonl")     # or pred="predictions.jsonl"
    scores.tallies["observations.strict"].f1
    scores.breakdown("events", "lenient")["CONSULT"].recall
    for doc in scores.details("strict"): print(doc.doc_id, doc.misses, doc.false_hits)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilateral.errors import EvaluationError
from bilateral.records import SYMMETRIC_TYPES

if TYPE_CHECKING:
    from bilateral.dossier import Dossier
    from bilateral.extract.interchange import ExtractReport

Record = dict[str, Any]

KINDS: tuple[str, ...] = ("observations", "events")
MODES: tuple[str, ...] = ("lenient", "strict")
#: The field a breakdown groups by: observations per indicator, events per PLOVER type.
BREAKDOWN_FIELD: dict[str, str] = {"observations": "indicator", "events": "type"}


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

    def add(self, gold: int, predicted: int, matched: int) -> None:
        self.gold += gold
        self.predicted += predicted
        self.matched += matched

    def as_dict(self) -> dict[str, float | int]:
        return {"gold": self.gold, "predicted": self.predicted, "matched": self.matched,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4)}


@dataclass(frozen=True)
class Matching:
    """One document's records of one kind, under one mode, and the pairs the greedy pass made."""

    doc_id: str
    kind: str  # observations or events
    mode: str  # lenient or strict
    gold: tuple[Record, ...]
    predicted: tuple[Record, ...]
    pairs: tuple[tuple[int, int], ...]  # (gold index, predicted index)

    def missed(self) -> list[int]:
        """Indexes of the gold records no prediction matched."""
        taken = {g for g, _ in self.pairs}
        return [i for i in range(len(self.gold)) if i not in taken]

    def false_hits(self) -> list[int]:
        """Indexes of the predicted records that matched no gold record."""
        taken = {p for _, p in self.pairs}
        return [i for i in range(len(self.predicted)) if i not in taken]


@dataclass(frozen=True)
class Outcome:
    """A miss (a gold record) or a false hit (a predicted record) in one document.

    ``lenient`` is, for a strict-mode outcome, the record the lenient pass paired it with (same
    indicator and value, or same type and states): the status or time is what went wrong."""

    kind: str
    record: Record
    lenient: Record | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "record": self.record}
        if self.lenient is not None:
            out["lenient_match"] = self.lenient
        return out


@dataclass(frozen=True)
class DocumentDetails:
    """What one gold document's prediction missed and what it predicted wrongly."""

    doc_id: str
    predicted: bool  # False when the prediction left the document out
    misses: list[Outcome]
    false_hits: list[Outcome]

    def as_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "predicted": self.predicted,
                "misses": [o.as_dict() for o in self.misses],
                "false_hits": [o.as_dict() for o in self.false_hits]}


@dataclass
class Scores:
    """Every matching of one evaluation, and the totals, breakdowns and details drawn from it."""

    matchings: list[Matching] = field(default_factory=list)
    documents: int = 0  # gold documents scored
    missing: list[str] = field(default_factory=list)  # gold documents with no prediction
    unscored: list[str] = field(default_factory=list)  # predicted documents not in the gold

    @cached_property
    def tallies(self) -> dict[str, Tally]:
        """Micro-averaged counts per ``kind.mode``: observations.lenient, ..., events.strict."""
        totals = {f"{kind}.{mode}": Tally() for kind in KINDS for mode in MODES}
        for m in self.matchings:
            totals[f"{m.kind}.{m.mode}"].add(len(m.gold), len(m.predicted), len(m.pairs))
        return totals

    def breakdown(self, kind: str, mode: str) -> dict[str, Tally]:
        """Counts per indicator (observations) or event type (events), largest gold first.

        A gold record counts under its own label, a predicted one under its own; a match counts
        under the gold's label, which is also the prediction's (matching requires it). So the
        rows of a breakdown add up to the total of its kind and mode."""
        if kind not in KINDS or mode not in MODES:
            raise EvaluationError(f"no breakdown for {kind!r} in mode {mode!r}; kinds are "
                                  f"{', '.join(KINDS)} and modes {', '.join(MODES)}")
        key = BREAKDOWN_FIELD[kind]
        rows: dict[str, Tally] = {}

        def row(record: Record) -> Tally:
            return rows.setdefault(str(record.get(key)), Tally())

        for m in self.matchings:
            if m.kind != kind or m.mode != mode:
                continue
            for g in m.gold:
                row(g).gold += 1
            for p in m.predicted:
                row(p).predicted += 1
            for gi, _ in m.pairs:
                row(m.gold[gi]).matched += 1
        return dict(sorted(rows.items(), key=lambda kv: (-kv[1].gold, -kv[1].predicted, kv[0])))

    def details(self, mode: str = "strict") -> list[DocumentDetails]:
        """Per gold document (in gold order), the misses and false hits under ``mode``; documents
        with neither are left out."""
        if mode not in MODES:
            raise EvaluationError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
        lenient = {(m.doc_id, m.kind): m for m in self.matchings if m.mode == "lenient"}
        missing = set(self.missing)
        by_doc: dict[str, DocumentDetails] = {}
        for m in self.matchings:
            if m.mode != mode:
                continue
            partner = lenient.get((m.doc_id, m.kind)) if mode == "strict" else None
            gold_to_pred = dict(partner.pairs) if partner else {}
            pred_to_gold = {p: g for g, p in partner.pairs} if partner else {}
            doc = by_doc.setdefault(m.doc_id, DocumentDetails(
                m.doc_id, m.doc_id not in missing, [], []))
            for gi in m.missed():
                near = gold_to_pred.get(gi)
                doc.misses.append(Outcome(m.kind, m.gold[gi],
                                          m.predicted[near] if near is not None else None))
            for pi in m.false_hits():
                near = pred_to_gold.get(pi)
                doc.false_hits.append(Outcome(m.kind, m.predicted[pi],
                                              m.gold[near] if near is not None else None))
        return [d for d in by_doc.values() if d.misses or d.false_hits]

    def figures(self) -> dict[str, float]:
        """The four F1 figures, rounded as in ``as_dict``: ``observations.strict.f1``, ..."""
        return {f"{key}.f1": round(tally.f1, 4) for key, tally in self.tallies.items()}

    def as_dict(self, details: str | None = None) -> dict[str, Any]:
        """Totals (one key per ``kind.mode``, as before), breakdowns, and the details under
        mode ``details`` when given."""
        out: dict[str, Any] = {"documents": self.documents,
                               **{k: t.as_dict() for k, t in self.tallies.items()}}
        out["breakdown"] = {f"{kind}.{mode}": {label: t.as_dict() for label, t in
                                               self.breakdown(kind, mode).items()}
                            for kind in KINDS for mode in MODES}
        out["missing_predictions"] = list(self.missing)
        out["unscored_predictions"] = list(self.unscored)
        if details is not None:
            out["details"] = {"mode": details,
                              "documents": [d.as_dict() for d in self.details(details)]}
        return out


def when_compatible(gold: str | None, predicted: str | None) -> bool:
    """Agree at the coarser precision; gold null accepts anything, predicted null only null."""
    if gold is None:
        return True
    if predicted is None:
        return False
    gold, predicted = str(gold), str(predicted)
    size = min(len(gold), len(predicted))
    return gold[:size] == predicted[:size]


def value_close(gold: float, predicted: float) -> bool:
    """Within 0.5% of the gold value (relative)."""
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


MATCHERS: dict[str, Callable[[bool], Callable[[Record, Record], bool]]] = {
    "observations": observation_match, "events": event_match}


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
    scores = Scores(missing=[d for d in gold if d not in predicted],
                    unscored=[d for d in predicted if d not in gold])
    for doc_id, gold_doc in gold.items():
        pred_doc = predicted.get(doc_id, {})
        scores.documents += 1
        for kind, factory in MATCHERS.items():
            g, p = _records(gold_doc, kind), _records(pred_doc, kind)
            for mode in MODES:
                pairs = greedy(g, p, factory(mode == "strict"))
                scores.matchings.append(
                    Matching(doc_id, kind, mode, tuple(g), tuple(p), tuple(pairs)))
    return scores


def _records(document: Record, kind: str) -> list[Record]:
    return [r for r in document.get(kind) or [] if isinstance(r, dict)]


def evaluate(gold: str | Path, *, pred: str | Path | None = None,
             corpus: str | Path | Iterable[str | Path] | None = None,
             dossier: Dossier | str = "us-japan",
             model: str | Path | None = None,
             report: ExtractReport | None = None,
             progress: Callable[[int, int], None] | None = None) -> Scores:
    """Score a gold file against a prediction file (``pred``), or against what the extractor
    finds in ``corpus`` (a JSONL file, a folder or files) with ``dossier`` and ``model``.

    Documents of the corpus that cannot be read are collected in ``report.rejections``."""
    if (pred is None) == (corpus is None):
        raise EvaluationError("give exactly one of a prediction file or a corpus to extract")
    gold_docs = read_interchange(gold)
    if pred is not None:
        return score(gold_docs, read_interchange(pred))
    from bilateral.dossier import load_dossier
    from bilateral.extract.interchange import extract_paths

    paths = [corpus] if isinstance(corpus, str | Path) else list(corpus or [])
    loaded = load_dossier(dossier) if isinstance(dossier, str) else dossier
    predicted = {str(e["doc_id"]): e for e in extract_paths(paths, loaded, model=model,
                                                            report=report, progress=progress)}
    return score(gold_docs, predicted)


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


# --- the quality floor ------------------------------------------------------------------------

#: Figures a quality floor records, and those a regression of which fails the gate.
FLOOR_FIGURES: tuple[str, ...] = ("observations.strict.f1", "observations.lenient.f1",
                                  "events.lenient.f1", "events.strict.f1")
GATED_FIGURES: tuple[str, ...] = ("observations.strict.f1", "events.lenient.f1")
#: The shared corpora the floors are kept for, each with the dossier its gold is written in.
QUALITY_SETS: dict[str, str] = {"dev": "us-japan", "check": "us-japan", "dev-kor": "us-korea"}


def below_floor(floor: dict[str, float], measured: dict[str, float], *,
                gated: Iterable[str] = GATED_FIGURES, tolerance: float = 0.02) -> list[str]:
    """One line per gated figure that fell more than ``tolerance`` below its floor."""
    problems = []
    for name in gated:
        if name not in floor:
            problems.append(f"{name}: the floor records no figure")
        elif measured[name] < floor[name] - tolerance - 1e-9:
            problems.append(f"{name}: {measured[name]:.4f}, more than {tolerance} below the "
                            f"floor {floor[name]:.4f}")
    return problems


def raise_floor(floor: dict[str, float], measured: dict[str, float]) -> dict[str, float]:
    """The floor with every figure that went up replaced by the new one; none goes down."""
    return {name: max(floor.get(name, 0.0), measured[name]) for name in FLOOR_FIGURES}
