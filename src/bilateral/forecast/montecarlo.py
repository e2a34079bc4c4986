"""Uncertain inputs, many runs: the spread of forecasts an analyst should expect.

Each run draws every actor's capability, salience and position uniformly within its stated
half-width (narrowed near the scale's ends, zero and a salience of 1, so that every draw stays
centred on the stated value; an actor's saliences together no more than they were or 1), runs
the model and the baselines on the draw, and the runs together give a median and an 80%
interval for each. Draws come from one seeded generator, so the same seed gives the same
interval.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from bilateral.forecast.baselines import BASELINES, baselines
from bilateral.forecast.scenario import ModelRun, Scenario

#: The interval reported: from the 10th to the 90th percentile of the runs.
LEVEL = 0.8


@dataclass(frozen=True)
class Spread:
    """Half-widths of one actor's inputs: capability, salience, position (scale units)."""

    capability: float = 0.0
    salience: float = 0.0
    position: float = 0.0


@dataclass(frozen=True)
class Band:
    """The median and the 80% interval of one quantity over the runs, per dimension."""

    median: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]


@dataclass(frozen=True)
class Interval:
    runs: int
    seed: int | None
    forecast: Band
    baselines: Mapping[str, Band]
    level: float = LEVEL


def relative_spreads(scenario: Scenario, fraction: float) -> dict[str, Spread]:
    """The same relative uncertainty for every actor, for inputs that state none: capability
    and salience ± ``fraction`` of their value, position ± ``fraction`` of the scale's range
    (or of the positions' range when the scale has no bounds)."""
    spans = []
    for d, dim in enumerate(scenario.dimensions):
        xs = [a.positions[d] for a in scenario.actors]
        if dim.low is not None and dim.high is not None:
            spans.append(dim.high - dim.low)
        else:
            spans.append(max(xs) - min(xs))
    width = max(spans) if spans else 0.0
    return {a.name: Spread(capability=a.capability * fraction,
                           salience=max(a.saliences) * fraction,
                           position=width * fraction) for a in scenario.actors}


def draw(scenario: Scenario, spreads: Mapping[str, Spread], rng: random.Random) -> Scenario:
    """One scenario with every input drawn within its spread. Near a bound the half-width
    narrows on both sides alike, so a draw stays centred on the stated value: clipping would
    pile draws on the bound and move their mean away from it."""
    actors = []
    for actor in scenario.actors:
        spread = spreads.get(actor.name, Spread())
        capability = _around(rng, actor.capability, spread.capability, 0.0, None)
        saliences = tuple(_around(rng, s, spread.salience, 0.0, 1.0) if s <= 1 else s
                          for s in actor.saliences)
        total, before = sum(saliences), sum(actor.saliences)
        if total > max(1.0, before):  # shares of attention stay shares
            saliences = tuple(s * max(1.0, before) / total for s in saliences)
        positions = tuple(_around(rng, x, spread.position, dim.low, dim.high)
                          for x, dim in zip(actor.positions, scenario.dimensions, strict=True))
        actors.append(replace(actor, capability=capability, saliences=saliences,
                              positions=positions))
    if sum(a.capability for a in actors) <= 0:  # every capability drawn to 0: keep the input's
        actors = [replace(a, capability=b.capability) for a, b in zip(actors, scenario.actors,
                                                                      strict=True)]
    return replace(scenario, actors=tuple(actors))


def _around(rng: random.Random, value: float, half: float, low: float | None,
            high: float | None) -> float:
    """Uniform on value ± half, the half-width narrowed to the nearer bound."""
    if low is not None:
        half = min(half, max(0.0, value - low))
    if high is not None:
        half = min(half, max(0.0, high - value))
    return value + rng.uniform(-1, 1) * half


def simulate(scenario: Scenario, model: Callable[[Scenario], ModelRun],
             spreads: Mapping[str, Spread], *, runs: int, seed: int | None,
             progress: Callable[[int], None] | None = None) -> Interval:
    """Run ``model`` and the baselines ``runs`` times on drawn inputs."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    rng = random.Random(seed)
    forecasts: list[tuple[float, ...]] = []
    base: dict[str, list[tuple[float, ...]]] = {name: [] for name in BASELINES}
    for i in range(runs):
        drawn = draw(scenario, spreads, rng)
        forecasts.append(model(drawn).forecast)
        for name, value in baselines(drawn).as_dict().items():
            base[name].append(value)
        if progress is not None:
            progress(i + 1)
    return Interval(runs=runs, seed=seed, forecast=band(forecasts),
                    baselines={name: band(values) for name, values in base.items()})


def band(values: list[tuple[float, ...]]) -> Band:
    """Median and 10th/90th percentiles, dimension by dimension (linear interpolation)."""
    dims = range(len(values[0]))
    columns = [sorted(v[d] for v in values) for d in dims]
    return Band(median=tuple(statistics.median(c) for c in columns),
                low=tuple(_percentile(c, (1 - LEVEL) / 2) for c in columns),
                high=tuple(_percentile(c, 1 - (1 - LEVEL) / 2) for c in columns))


def _percentile(ordered: list[float], q: float) -> float:
    if len(ordered) == 1:
        return ordered[0]
    position = round(q * (len(ordered) - 1), 9)  # 0.1 × 10 is 1, not 0.9999…
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)
