"""The quality gate: the extractor's scores on the development corpus must not fall below the
floor pinned in quality.json (by more than a small tolerance).

The development corpus lives beside the repository, in ../shared/corpus/dev; CI always has it.
A missing corpus is a failure that says where it was looked for, never a skip. After an
improvement, `make quality` raises the floor (it never lowers it).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bilateral.extract.score import FLOOR_FIGURES, GATED_FIGURES, below_floor, evaluate

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "corpus" / "dev"
FLOOR = ROOT / "quality.json"
TOLERANCE = 0.02


def recorded_floor() -> dict[str, float]:
    return json.loads(FLOOR.read_text(encoding="utf-8"))["figures"]


def test_the_floor_records_every_figure():
    floor = recorded_floor()
    assert set(floor) == set(FLOOR_FIGURES)
    assert all(0.0 < value <= 1.0 for value in floor.values()), floor


def test_dev_set_scores_stay_above_the_recorded_floor():
    gold, corpus = DEV / "gold.jsonl", DEV / "corpus.jsonl"
    missing = [str(p) for p in (gold, corpus) if not p.is_file()]
    if missing:
        pytest.fail(f"the quality gate needs the development corpus beside the repository, "
                    f"and {', '.join(missing)} does not exist (looked in {DEV})",
                    pytrace=False)
    floor = recorded_floor()
    scores = evaluate(gold, corpus=corpus)
    measured = scores.figures()
    problems = below_floor(floor, measured, gated=GATED_FIGURES, tolerance=TOLERANCE)
    figures = "\n".join(f"  {name:<24} floor {floor[name]:.4f}  measured {measured[name]:.4f}"
                        for name in FLOOR_FIGURES)
    assert not problems, (
        "dev-set quality fell below the floor in quality.json:\n  " + "\n  ".join(problems)
        + f"\nall figures:\n{figures}")
    assert scores.tallies["observations.strict"].gold > 0  # the gold was read and scored
