"""The quality gate: the extractor's scores on the shared corpora must not fall below the floors
pinned in quality.json (by more than a small tolerance).

Three corpora live beside the repository, in ../shared/corpus: ``dev`` (the U.S.–Japan articles
rules are written against), ``check`` (U.S.–Japan articles only ever scored) and ``dev-kor``
(U.S.–South Korea, extracted with the us-korea dossier); CI always has them. A missing corpus
is a failure that says where it was looked for, never a skip. After an improvement,
`make quality` raises the floors (it never lowers them).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bilateral.extract.score import (
    FLOOR_FIGURES,
    GATED_FIGURES,
    QUALITY_SETS,
    below_floor,
    evaluate,
)

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpus"
FLOOR = ROOT / "quality.json"
SETS = tuple(QUALITY_SETS)
TOLERANCE = 0.02


def recorded_floors() -> dict[str, dict[str, float]]:
    return json.loads(FLOOR.read_text(encoding="utf-8"))["sets"]


def test_the_floor_records_every_figure_of_every_set():
    floors = recorded_floors()
    assert set(floors) == set(SETS)
    for floor in floors.values():
        assert set(floor) == set(FLOOR_FIGURES)
        assert all(0.0 < value <= 1.0 for value in floor.values()), floor


@pytest.mark.parametrize("name", SETS)
def test_scores_stay_above_the_recorded_floor(name):
    folder = CORPORA / name
    gold, corpus = folder / "gold.jsonl", folder / "corpus.jsonl"
    missing = [str(p) for p in (gold, corpus) if not p.is_file()]
    if missing:
        pytest.fail(f"the quality gate needs the {name} corpus beside the repository, "
                    f"and {', '.join(missing)} does not exist (looked in {folder})",
                    pytrace=False)
    floor = recorded_floors()[name]
    scores = evaluate(gold, corpus=corpus, dossier=QUALITY_SETS[name])
    measured = scores.figures()
    problems = below_floor(floor, measured, gated=GATED_FIGURES, tolerance=TOLERANCE)
    figures = "\n".join(f"  {figure:<24} floor {floor[figure]:.4f}  measured "
                        f"{measured[figure]:.4f}" for figure in FLOOR_FIGURES)
    assert not problems, (
        f"{name}-set quality fell below the floor in quality.json:\n  " + "\n  ".join(problems)
        + f"\nall figures:\n{figures}")
    assert scores.tallies["observations.strict"].gold > 0  # the gold was read and scored
