"""The typed inputs and outputs every negotiation model shares.

A ``Scenario`` is what the models read: actors with a capability and, on each dimension of the
issue space, a position and a salience. A ``ModelRun`` is what they return: the positions round
by round and the forecast. Models are pure functions from one to the other; reading files, the
dossier or the store happens elsewhere and ends in a ``Scenario``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from bilateral.errors import ScenarioError


@dataclass(frozen=True)
class Dimension:
    """One issue scale, with the bounds positions must stay within when they are known."""

    name: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Actor:
    """A bargaining actor: one capability, and a position and salience per dimension."""

    name: str
    capability: float
    positions: tuple[float, ...]
    saliences: tuple[float, ...]
    description: str = ""


@dataclass(frozen=True)
class Scenario:
    """The actors of one negotiation over one or more dimensions.

    ``source`` names where the values came from (a file, a dossier issue); validation messages
    use it together with each actor's ``row`` so a user can find the bad value.
    """

    name: str
    dimensions: tuple[Dimension, ...]
    actors: tuple[Actor, ...]
    source: str = "<scenario>"
    rows: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.actors)

    def on(self, dimension: int | str) -> Scenario:
        """The one-dimensional scenario of one of this scenario's dimensions."""
        index = self.dimension_index(dimension)
        return replace(
            self,
            name=f"{self.name}: {self.dimensions[index].name}" if len(self.dimensions) > 1
            else self.name,
            dimensions=(self.dimensions[index],),
            actors=tuple(replace(a, positions=(a.positions[index],),
                                 saliences=(a.saliences[index],)) for a in self.actors))

    def dimension_index(self, dimension: int | str) -> int:
        if isinstance(dimension, int):
            if not 0 <= dimension < len(self.dimensions):
                raise ScenarioError(
                    f"{self.source}: no dimension {dimension}; it has "
                    f"{len(self.dimensions)} (0 to {len(self.dimensions) - 1})")
            return dimension
        for i, d in enumerate(self.dimensions):
            if d.name == dimension:
                return i
        known = ", ".join(d.name for d in self.dimensions)
        raise ScenarioError(f"{self.source}: no dimension named {dimension!r}; it has {known}")


def _validate(s: Scenario) -> None:
    where = s.source
    if not s.dimensions:
        raise ScenarioError(f"{where}: the scenario has no dimension")
    if len(s.actors) < 2:
        raise ScenarioError(f"{where}: a negotiation needs at least two actors, "
                            f"found {len(s.actors)}")
    seen: set[str] = set()
    for actor in s.actors:
        at = f"{where}, row {s.rows[actor.name]}" if actor.name in s.rows else where
        if not actor.name.strip():
            raise ScenarioError(f"{at}, field actor: the name is empty")
        if actor.name in seen:
            raise ScenarioError(f"{at}, field actor: {actor.name!r} appears twice")
        seen.add(actor.name)
        _finite(actor.capability, at, actor.name, "capability", low=0.0)
        if len(actor.positions) != len(s.dimensions) or len(actor.saliences) != len(
                s.dimensions):
            raise ScenarioError(
                f"{at}: actor {actor.name!r} has {len(actor.positions)} position(s) and "
                f"{len(actor.saliences)} salience(s) for {len(s.dimensions)} dimension(s)")
        for d, (pos, sal) in enumerate(zip(actor.positions, actor.saliences, strict=True)):
            dim = s.dimensions[d]
            _finite(pos, at, actor.name, f"position ({dim.name})", low=dim.low, high=dim.high)
            _finite(sal, at, actor.name, f"salience ({dim.name})", low=0.0)
    if sum(a.capability for a in s.actors) <= 0:
        raise ScenarioError(f"{where}, field capability: every actor has capability 0")


def _finite(value: float, at: str, actor: str, what: str, *, low: float | None = None,
            high: float | None = None) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(
            value):
        raise ScenarioError(f"{at}, field {what}: {value!r} for {actor!r} is not a number")
    if low is not None and value < low:
        raise ScenarioError(f"{at}, field {what}: {value:g} for {actor!r} is below {low:g}")
    if high is not None and value > high:
        raise ScenarioError(f"{at}, field {what}: {value:g} for {actor!r} is above {high:g}")


@dataclass(frozen=True)
class Round:
    """The actors' positions after one round (round 0 holds the inputs), with the
    capability×salience-weighted median and mean of those positions on each dimension."""

    number: int
    positions: Mapping[str, tuple[float, ...]]
    median: tuple[float, ...]
    mean: tuple[float, ...]


@dataclass(frozen=True)
class ModelRun:
    """What a model returns: the rounds it played and its forecast, one value per dimension."""

    model: str
    scenario: Scenario
    rounds: tuple[Round, ...]
    forecast: tuple[float, ...]
    details: Mapping[str, object] = field(default_factory=dict)


def weights(scenario: Scenario, dimension: int = 0) -> list[float]:
    """Capability × salience of each actor on one dimension: the votes it brings."""
    return [a.capability * a.saliences[dimension] for a in scenario.actors]


def weighted_mean(values: Sequence[float], weights_: Sequence[float]) -> float:
    """The compromise point: Σ wᵢxᵢ / Σ wᵢ (a plain mean when every weight is 0)."""
    total = sum(weights_)
    if total <= 0:
        return sum(values) / len(values)
    return sum(w * x for w, x in zip(weights_, values, strict=True)) / total


def weighted_median(values: Sequence[float], weights_: Sequence[float]) -> float:
    """The position no weighted majority prefers to move from: the lowest value at which the
    cumulative weight reaches half the total (in one dimension, the median voter)."""
    pairs = sorted(zip(values, weights_, strict=True))
    total = sum(w for _, w in pairs)
    if total <= 0:
        pairs = [(x, 1.0) for x, _ in pairs]
        total = float(len(pairs))
    running = 0.0
    for x, w in pairs:
        running += w
        if running >= total / 2 - 1e-12:
            return x
    return pairs[-1][0]


def make_round(scenario: Scenario, number: int,
               positions: Mapping[str, Sequence[float]]) -> Round:
    """A ``Round`` from the actors' positions, with the weighted median and mean filled in."""
    fixed = {name: tuple(float(x) for x in positions[name]) for name in scenario.names}
    medians, means = [], []
    for d in range(len(scenario.dimensions)):
        w = weights(scenario, d)
        xs = [fixed[name][d] for name in scenario.names]
        medians.append(weighted_median(xs, w))
        means.append(weighted_mean(xs, w))
    return Round(number, fixed, tuple(medians), tuple(means))


def initial_round(scenario: Scenario) -> Round:
    return make_round(scenario, 0, {a.name: a.positions for a in scenario.actors})
