"""Forecasts of pending negotiations: where the actors' positions are heading.

Inputs (files, the dossier's ``negotiations:`` and the store) become a ``Scenario``; models
(``bdm``, ``smp`` and the ``mean``/``median`` baselines) are pure functions from a scenario to
a ``ModelRun``.
"""

from bilateral.forecast.baselines import Baselines, baselines
from bilateral.forecast.scenario import Actor, Dimension, ModelRun, Round, Scenario

__all__ = ["Actor", "Baselines", "Dimension", "ModelRun", "Round", "Scenario", "baselines"]
