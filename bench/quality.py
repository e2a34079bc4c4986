"""The quality floor: score the extractor on the development corpus and raise quality.json.

quality.json (at the repository root) records the dev-set F1 figures that
tests/test_quality_gate.py holds the extractor to. This script re-runs the same evaluation as

    bilateral eval ../shared/corpus/dev/gold.jsonl --corpus ../shared/corpus/dev/corpus.jsonl

and writes a figure back only where it went up: the floor ratchets, it never goes down. It
exits 1 when a gated figure is already below its floor by more than the gate's tolerance.

    python bench/quality.py            # what `make quality` runs
    python bench/quality.py --check    # print the comparison, write nothing
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bilateral.extract.score import FLOOR_FIGURES, below_floor, evaluate, raise_floor

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "corpus" / "dev"
FLOOR = ROOT / "quality.json"
TOLERANCE = 0.02  # as in tests/test_quality_gate.py
ABOUT = ("Dev-set F1 floors: tests/test_quality_gate.py fails when observations.strict.f1 or "
         "events.lenient.f1 falls more than 0.02 below them. `make quality` re-measures and "
         "raises a figure when it went up; nothing lowers them.")
COMMAND = ("bilateral eval ../shared/corpus/dev/gold.jsonl "
           "--corpus ../shared/corpus/dev/corpus.jsonl --json")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; write nothing")
    args = parser.parse_args()

    gold, corpus = DEV / "gold.jsonl", DEV / "corpus.jsonl"
    missing = [str(p) for p in (gold, corpus) if not p.is_file()]
    if missing:
        print(f"the development corpus is missing: looked for {', '.join(missing)}",
              file=sys.stderr)
        return 1
    floor = json.loads(FLOOR.read_text(encoding="utf-8"))["figures"] if FLOOR.exists() else {}
    measured = evaluate(gold, corpus=corpus).figures()
    raised = raise_floor(floor, measured)

    print(f"{'figure':<26}{'floor':>8}{'measured':>10}{'new floor':>11}")
    for name in FLOOR_FIGURES:
        old = f"{floor[name]:.4f}" if name in floor else "-"
        print(f"{name:<26}{old:>8}{measured[name]:>10.4f}{raised[name]:>11.4f}"
              f"{'  up' if raised[name] != floor.get(name) else ''}")
    if raised != {name: floor.get(name) for name in FLOOR_FIGURES} and not args.check:
        FLOOR.write_text(json.dumps({"about": ABOUT, "command": COMMAND, "figures": raised},
                                    indent=2) + "\n", encoding="utf-8")
        print(f"wrote {FLOOR}")
    problems = below_floor(floor, measured, tolerance=TOLERANCE) if floor else []
    for problem in problems:
        print(f"below the floor: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
