"""bilateral: follow the relationship between two states through the news, keeping every fact
tied to the sentence it came from.

The public API: load a dossier, extract records from documents, ingest into and query a store,
analyse what it holds, write the brief and forecast pending negotiations.

    >>> from bilateral import Extractor, load_dossier, open_store

Names are imported on first use, so ``import bilateral`` (and the CLI) stays fast and a
command that never extracts never loads spaCy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "BilateralError": "bilateral.errors", "DossierError": "bilateral.errors",
    "EvaluationError": "bilateral.errors", "ExtractionError": "bilateral.errors",
    "InputError": "bilateral.errors", "OverBudget": "bilateral.errors",
    "StoreError": "bilateral.errors",
    "ReportError": "bilateral.errors", "ForecastError": "bilateral.errors",
    "Document": "bilateral.records", "Event": "bilateral.records",
    "Extraction": "bilateral.records", "Observation": "bilateral.records",
    "Rejection": "bilateral.records",
    "Dossier": "bilateral.dossier", "load_dossier": "bilateral.dossier",
    "Extractor": "bilateral.extract",
    "IngestReport": "bilateral.ingest.run", "ingest": "bilateral.ingest.run",
    "Store": "bilateral.store", "open_store": "bilateral.store",
    "histories": "bilateral.analyse", "disputes": "bilateral.analyse",
    "timeline": "bilateral.analyse", "relations_index": "bilateral.analyse",
    "build_brief": "bilateral.report", "write_brief": "bilateral.report",
    "Scenario": "bilateral.forecast", "forecast_issue": "bilateral.forecast",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'bilateral' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


if TYPE_CHECKING:
    from bilateral.analyse import disputes, histories, relations_index, timeline
    from bilateral.dossier import Dossier, load_dossier
    from bilateral.errors import (
        BilateralError,
        DossierError,
        EvaluationError,
        ExtractionError,
        ForecastError,
        InputError,
        OverBudget,
        ReportError,
        StoreError,
    )
    from bilateral.extract import Extractor
    from bilateral.forecast import Scenario, forecast_issue
    from bilateral.ingest.run import IngestReport, ingest
    from bilateral.records import Document, Event, Extraction, Observation, Rejection
    from bilateral.report import build_brief, write_brief
    from bilateral.store import Store, open_store
