"""Backtests: forecast each concluded negotiation from what was reported before it ended,
and set the forecast, the baselines and the outcome side by side.

Only reports published before the issue's ``backtest_as_of`` are read (the store's by their
publication date, the dossier's fallbacks by their source's date), so the known outcome cannot
leak into the inputs. The result is reported whatever it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bilateral.forecast.issues import forecast_issue
from bilateral.forecast.models import Forecast

if TYPE_CHECKING:
    from bilateral.dossier import Dossier
    from bilateral.store import Store


@dataclass(frozen=True)
class Backtest:
    """One issue's forecast as of a date before its outcome, and the outcome."""

    issue_id: str
    forecast: Forecast
    actual: float
    outcome_date: str

    def errors(self) -> dict[str, float]:
        """Absolute error of the model and of each baseline (first dimension)."""
        found = {"model": abs(self.forecast.run.forecast[0] - self.actual)}
        for name, value in self.forecast.baselines.as_dict().items():
            found[name] = abs(value[0] - self.actual)
        return found

    def as_json(self) -> dict[str, Any]:
        return {**self.forecast.as_json(), "actual": self.actual,
                "outcome_date": self.outcome_date,
                "absolute_error": {k: round(v, 6) for k, v in self.errors().items()}}


def backtests(dossier: Dossier, store: Store | None, *, model: str = "bdm",
              rounds: int | None = None, runs: int = 0, seed: int | None = None,
              issues: list[str] | None = None,
              progress: Callable[[str], None] | None = None) -> list[Backtest]:
    """Every dossier issue with an outcome and a backtest date (or those named)."""
    found = []
    for issue in dossier.negotiations:
        if issue.outcome is None or issue.backtest_as_of is None:
            continue
        if issues and issue.id not in issues:
            continue
        if progress is not None:
            progress(issue.id)
        made = forecast_issue(dossier, issue.id, store, as_of=issue.backtest_as_of,
                              model=model, rounds=rounds, runs=runs, seed=seed)
        found.append(Backtest(issue.id, made, issue.outcome.value,
                              issue.outcome.date.isoformat()))
    return found
