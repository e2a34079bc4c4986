"""Forecasts of pending negotiations: where the actors' positions are heading.

Inputs (files, the dossier's ``negotiations:`` and the store) become a ``Scenario``; models
(``bdm``, ``smp`` and the ``mean``/``median`` baselines) are pure functions from a scenario to
a ``ModelRun``. Names are imported on first use, so the command line does not load the store
to list its options.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Actor": "bilateral.forecast.scenario", "Dimension": "bilateral.forecast.scenario",
    "ModelRun": "bilateral.forecast.scenario", "Round": "bilateral.forecast.scenario",
    "Scenario": "bilateral.forecast.scenario",
    "Baselines": "bilateral.forecast.baselines", "baselines": "bilateral.forecast.baselines",
    "read_scenario": "bilateral.forecast.files",
    "forecast_issue": "bilateral.forecast.issues",
    "MODELS": "bilateral.forecast.models", "Forecast": "bilateral.forecast.models",
    "forecast": "bilateral.forecast.models",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'bilateral.forecast' has no attribute {name!r}")


if TYPE_CHECKING:
    from bilateral.forecast.baselines import Baselines, baselines
    from bilateral.forecast.files import read_scenario
    from bilateral.forecast.issues import forecast_issue
    from bilateral.forecast.models import MODELS, Forecast, forecast
    from bilateral.forecast.scenario import Actor, Dimension, ModelRun, Round, Scenario
