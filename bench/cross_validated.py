"""The development corpora scored as if unseen: k-fold cross-validation of the whole extraction.

The default model is trained on dev and dev-kor, so `bilateral eval` on them is partly
in-sample: a trained decision has seen every sentence it is scored on. Here each set is cut into
folds of documents; for each fold a model is trained (by `bilateral train`'s own rules, on both
sets) from the other folds, and the held-out fold is extracted with it. The counts are summed
over folds and printed per set beside the rules alone, so a change can be judged on documents
no trained part of the model saw. (The rules were written reading these documents; only the
check set is free of that.)

    python bench/cross_validated.py                       # dev and dev-kor, 5 folds
    python bench/cross_validated.py --ship-trained factuality   # ship that decision trained
                                                                # in every fold, as train does
    python bench/cross_validated.py --folds 3 --json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

from bilateral.extract.score import Scores, evaluate
from bilateral.extract.train import AnnotatedSet, train

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpus"
SETS = {"dev": "us-japan", "dev-kor": "us-korea"}
FIGURES = ("observations.lenient", "observations.strict", "events.lenient", "events.strict")


def fold_of(doc_id: str, folds: int, seed: int) -> int:
    return hashlib.sha256(f"{seed}:{doc_id}".encode()).digest()[0] % folds


def split(rows: list[dict], fold: int, folds: int, seed: int) -> tuple[list[dict], list[dict]]:
    """The rows outside ``fold`` and those in it."""
    inside = [r for r in rows if fold_of(str(r["doc_id"]), folds, seed) == fold]
    return [r for r in rows if r not in inside], inside


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ship-trained", action="append", default=[], metavar="DECISION",
                        help="ship this decision trained in every fold, as `bilateral train "
                             "--ship-trained` does (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    data = {name: (read(CORPORA / name / "corpus.jsonl"), read(CORPORA / name / "gold.jsonl"))
            for name in SETS}
    scored: dict[tuple[str, str], Scores] = {}
    shipped: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for fold in range(args.folds):
            sets, held_out = [], {}
            for name, dossier in SETS.items():
                corpus, gold = data[name]
                train_corpus, test_corpus = split(corpus, fold, args.folds, args.seed)
                train_gold, test_gold = split(gold, fold, args.folds, args.seed)
                sets.append(AnnotatedSet(
                    corpus=(write(work / f"{name}.train.corpus.jsonl", train_corpus),),
                    gold=write(work / f"{name}.train.gold.jsonl", train_gold), dossier=dossier))
                held_out[name] = (write(work / f"{name}.test.corpus.jsonl", test_corpus),
                                  write(work / f"{name}.test.gold.jsonl", test_gold))
            model = work / f"model-{fold}"
            report = train(sets, model, seed=args.seed, force=args.ship_trained)
            shipped.append(report.shipped)
            for name, (corpus, gold) in held_out.items():
                for variant, chosen in (("rules", "rules"), ("trained", str(model))):
                    scores = evaluate(gold, corpus=corpus, dossier=SETS[name], model=chosen)
                    total = scored.setdefault((name, variant), Scores())
                    total.matchings += scores.matchings
                    total.documents += scores.documents
            print(f"fold {fold + 1}/{args.folds} done", file=sys.stderr)
    figures = {f"{name}/{variant}": {key: round(s.tallies[key].f1, 3) for key in FIGURES}
               for (name, variant), s in sorted(scored.items())}
    trained_in = {decision: sum(r.get(decision) == "trained" for r in shipped)
                  for decision in shipped[0]}
    if args.json:
        print(json.dumps({"folds": args.folds, "figures": figures,
                          "folds_shipping_trained": trained_in}, indent=2))
        return 0
    print(f"{args.folds}-fold cross-validation over documents; F1")
    print(f"{'set / model':20} {'obs lenient':>12} {'obs strict':>11} {'ev lenient':>11} "
          f"{'ev strict':>10}")
    for label, row in figures.items():
        print(f"{label:20} " + " ".join(f"{row[key]:>{w}.3f}" for key, w in zip(
            FIGURES, (12, 11, 11, 10), strict=True)))
    print("folds shipping each decision trained: "
          + ", ".join(f"{d} {n}/{args.folds}" for d, n in trained_in.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
