"""One entry point for every model: run it, put the baselines beside it, and, with runs, the
interval over uncertain inputs. The result is one value the CLI, the brief and the API share.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bilateral.errors import ForecastError
from bilateral.forecast.baselines import Baselines, baselines, run_mean, run_median
from bilateral.forecast.montecarlo import Interval, Spread, relative_spreads, simulate
from bilateral.forecast.scenario import ModelRun, Scenario

MODELS = ("bdm", "smp", "mean", "median")

#: Rounds a model plays by default: the published BDM reconstruction plays eight, KTAB's SMP
#: stops by its own rule (``None``).
DEFAULT_ROUNDS: dict[str, int | None] = {"bdm": None, "smp": None, "mean": 1, "median": 1}


def model_function(name: str, *, rounds: int | None = None,
                   seed: int | None = None) -> Callable[[Scenario], ModelRun]:
    """The model called ``name`` as a function of the scenario alone."""
    if name == "bdm":
        from bilateral.forecast.bdm import run_bdm

        return partial(run_bdm, rounds=rounds)
    if name == "smp":
        from bilateral.forecast.smp import run_smp

        def smp(scenario: Scenario) -> ModelRun:
            # KTAB reads an actor's saliences as shares of its attention (at most 1 in all);
            # saliences stated per issue (the exchange model's) are all divided by the largest
            # total, which keeps every ratio between actors and issues
            total = max(sum(a.saliences) for a in scenario.actors)
            return run_smp(scenario, turns=rounds, seed=seed,
                           salience_scale=max(1.0, total))

        return smp
    if name == "mean":
        return run_mean
    if name == "median":
        return run_median
    raise ForecastError(f"no model {name!r}; choose one of {', '.join(MODELS)}")


@dataclass(frozen=True)
class Forecast:
    """A model's run on a scenario, its baselines and, when asked for, its interval."""

    run: ModelRun
    baselines: Baselines
    interval: Interval | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def model(self) -> str:
        return self.run.model

    def as_json(self) -> dict[str, Any]:
        """The published JSON shape: model, rounds, forecast, baselines, interval."""
        one = len(self.run.scenario.dimensions) == 1

        def value(xs: tuple[float, ...]) -> float | list[float]:
            return round(xs[0], 6) if one else [round(x, 6) for x in xs]

        rounds = [{"round": r.number, "median": value(r.median), "mean": value(r.mean),
                   "positions": {name: value(p) for name, p in r.positions.items()}}
                  for r in self.run.rounds]
        interval = None
        if self.interval is not None:
            interval = {
                "runs": self.interval.runs, "seed": self.interval.seed,
                "level": self.interval.level,
                "forecast": _band(self.interval.forecast, value),
                "baselines": {name: _band(b, value)
                              for name, b in self.interval.baselines.items()}}
        return {
            "model": self.run.model,
            "scenario": self.run.scenario.name,
            "dimensions": [d.name for d in self.run.scenario.dimensions],
            "rounds": rounds,
            "forecast": value(self.run.forecast),
            "baselines": {name: value(v) for name, v in self.baselines.as_dict().items()},
            "interval": interval,
            **self.extra,
        }


def _band(band: Any, value: Callable[[tuple[float, ...]], Any]) -> dict[str, Any]:
    return {"median": value(band.median), "low": value(band.low), "high": value(band.high)}


def forecast(scenario: Scenario, model: str = "bdm", *, rounds: int | None = None,
             runs: int = 0, seed: int | None = None,
             spreads: Mapping[str, Spread] | None = None, noise: float = 0.1,
             progress: Callable[[int], None] | None = None) -> Forecast:
    """Run ``model`` on ``scenario``; with ``runs`` > 0, also ``runs`` draws within
    ``spreads`` (or ± ``noise`` of every input when the scenario states no uncertainty)."""
    if rounds is None:
        rounds = DEFAULT_ROUNDS.get(model)
    if rounds is not None and rounds < 1:
        raise ForecastError(f"rounds must be at least 1, got {rounds}")
    run_model = model_function(model, rounds=rounds, seed=seed)
    run = run_model(scenario)
    interval = None
    if runs:
        if runs < 2:
            raise ForecastError(f"an interval needs at least 2 runs, got {runs}")
        chosen = spreads if spreads is not None else relative_spreads(scenario, noise)
        interval = simulate(scenario, run_model, chosen, runs=runs, seed=seed,
                            progress=progress)
    return Forecast(run=run, baselines=baselines(scenario), interval=interval)
