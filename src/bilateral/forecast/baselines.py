"""The baselines every forecast is shown beside: where the actors would settle if nobody
bargained, by three simple rules.

- ``weighted_mean``: the compromise model, Σ cᵢsᵢxᵢ / Σ cᵢsᵢ;
- ``weighted_median``: the median voter with capability × salience as votes;
- ``capability_mean``: Σ cᵢxᵢ / Σ cᵢ, salience ignored.

A model that cannot beat these on past negotiations has not earned its complexity.
"""

from __future__ import annotations

from dataclasses import dataclass

from bilateral.forecast.scenario import (
    ModelRun,
    Scenario,
    initial_round,
    weighted_mean,
    weighted_median,
    weights,
)

BASELINES = ("weighted_mean", "weighted_median", "capability_mean")


@dataclass(frozen=True)
class Baselines:
    """The three baselines, one value per dimension each."""

    weighted_mean: tuple[float, ...]
    weighted_median: tuple[float, ...]
    capability_mean: tuple[float, ...]

    def as_dict(self) -> dict[str, tuple[float, ...]]:
        return {name: getattr(self, name) for name in BASELINES}


def baselines(scenario: Scenario) -> Baselines:
    dims = range(len(scenario.dimensions))
    caps = [a.capability for a in scenario.actors]

    def xs(d: int) -> list[float]:
        return [a.positions[d] for a in scenario.actors]

    return Baselines(
        weighted_mean=tuple(weighted_mean(xs(d), weights(scenario, d)) for d in dims),
        weighted_median=tuple(weighted_median(xs(d), weights(scenario, d)) for d in dims),
        capability_mean=tuple(weighted_mean(xs(d), caps) for d in dims))


def run_mean(scenario: Scenario) -> ModelRun:
    """The compromise model as a one-round 'model', so it runs wherever a model does."""
    return ModelRun("mean", scenario, (initial_round(scenario),),
                    baselines(scenario).weighted_mean)


def run_median(scenario: Scenario) -> ModelRun:
    """The weighted median voter as a one-round 'model'."""
    return ModelRun("median", scenario, (initial_round(scenario),),
                    baselines(scenario).weighted_median)
