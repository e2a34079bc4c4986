"""The quality floor: score the extractor on the shared corpora and raise quality.json.

quality.json (at the repository root) records, per corpus (``dev``, the U.S.–Japan articles
rules are written against, ``check``, U.S.–Japan articles scored only, and ``dev-kor``,
U.S.–South Korea with the us-korea dossier), the F1 figures that
tests/test_quality_gate.py holds the extractor to. This script re-runs the same evaluation as

    bilateral eval ../shared/corpus/SET/gold.jsonl --corpus ../shared/corpus/SET/corpus.jsonl

for each set and writes a figure back only where it went up: the floor ratchets, it never goes
down. It exits 1 when a gated figure is already below its floor by more than the gate's
tolerance.

    python bench/quality.py            # what `make quality` runs
    python bench/quality.py --check    # print the comparison, write nothing
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bilateral.extract.score import (
    FLOOR_FIGURES,
    QUALITY_SETS,
    below_floor,
    evaluate,
    raise_floor,
)

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpus"
FLOOR = ROOT / "quality.json"
TOLERANCE = 0.02  # as in tests/test_quality_gate.py
ABOUT = ("F1 floors per shared corpus (dev: the U.S.-Japan articles rules are written "
         "against; check: U.S.-Japan articles scored only; dev-kor: U.S.-South Korea with the "
         "us-korea dossier): tests/test_quality_gate.py fails when observations.strict.f1 "
         "or events.lenient.f1 of a set falls more than 0.02 below its floor. `make quality` "
         "re-measures and raises a figure when it went up; nothing lowers them.")
COMMAND = ("bilateral eval ../shared/corpus/SET/gold.jsonl "
           "--corpus ../shared/corpus/SET/corpus.jsonl --dossier DOSSIER --json")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; write nothing")
    args = parser.parse_args()

    floors = json.loads(FLOOR.read_text(encoding="utf-8"))["sets"] if FLOOR.exists() else {}
    raised_sets: dict[str, dict[str, float]] = {}
    problems: list[str] = []
    print(f"{'set':<8}{'figure':<26}{'floor':>8}{'measured':>10}{'new floor':>11}")
    for name, dossier in QUALITY_SETS.items():
        gold, corpus = CORPORA / name / "gold.jsonl", CORPORA / name / "corpus.jsonl"
        missing = [str(p) for p in (gold, corpus) if not p.is_file()]
        if missing:
            print(f"the {name} corpus is missing: looked for {', '.join(missing)}",
                  file=sys.stderr)
            return 1
        floor = floors.get(name, {})
        measured = evaluate(gold, corpus=corpus, dossier=dossier).figures()
        raised = raised_sets[name] = raise_floor(floor, measured)
        for figure in FLOOR_FIGURES:
            old = f"{floor[figure]:.4f}" if figure in floor else "-"
            print(f"{name:<8}{figure:<26}{old:>8}{measured[figure]:>10.4f}"
                  f"{raised[figure]:>11.4f}{'  up' if raised[figure] != floor.get(figure) else ''}")
        if floor:
            problems += [f"{name} {p}" for p in below_floor(floor, measured, tolerance=TOLERANCE)]
    if raised_sets != floors and not args.check:
        FLOOR.write_text(json.dumps({"about": ABOUT, "command": COMMAND, "sets": raised_sets},
                                    indent=2) + "\n", encoding="utf-8")
        print(f"wrote {FLOOR}")
    for problem in problems:
        print(f"below the floor: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
