"""The public API: what `import bilateral` offers, pinned so that it only changes on purpose."""

from __future__ import annotations

import subprocess
import sys

import bilateral

PUBLIC = [
    "BilateralError", "Document", "Dossier", "DossierError", "EvaluationError", "Event",
    "Extraction", "ExtractionError", "Extractor", "ForecastError", "IngestReport", "InputError",
    "Observation", "OverBudget", "Rejection", "ReportError", "Scenario", "Store", "StoreError",
    "build_brief", "disputes", "forecast_issue", "histories", "ingest",
    "load_dossier", "open_store", "relations_index", "timeline", "write_brief",
]


def test_all_is_pinned_and_every_name_resolves():
    assert bilateral.__all__ == sorted(PUBLIC)
    for name in PUBLIC:
        assert getattr(bilateral, name) is not None


def test_errors_form_one_tree():
    for name in ("DossierError", "InputError", "ExtractionError", "StoreError", "EvaluationError",
                 "ReportError", "ForecastError"):
        assert issubclass(getattr(bilateral, name), bilateral.BilateralError)
    assert issubclass(bilateral.OverBudget, bilateral.ExtractionError)


def test_importing_the_package_does_not_load_spacy():
    code = "import sys, bilateral, bilateral.cli; print('spacy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
