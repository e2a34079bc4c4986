"""Where the negotiations are heading: each of the dossier's negotiations forecast as of a date,
as typed values that the brief, the dashboard and the API all show.

An ``Outlook`` is one issue: the inputs (each bargainer's capability, salience and position
with the quote or report it came from), the model's run round by round, its forecast and 80%
interval over draws of the uncertain inputs, the three baselines and the status quo. An issue
that cannot be forecast as of the date (fewer than two bargainers with a position, say) is an
outlook with the reason instead, so one such issue never stops a brief.

Briefs are reproducible: by default the interval comes from ``DEFAULT_RUNS`` draws with the
fixed seed ``DEFAULT_SEED``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bilateral.errors import ForecastError
from bilateral.forecast.baselines import BASELINES
from bilateral.forecast.issues import Evidence, IssueInputs, forecast_inputs, issue_inputs
from bilateral.forecast.models import MODELS, Forecast

if TYPE_CHECKING:
    from bilateral.dossier import Dossier
    from bilateral.dossier.negotiations import Negotiation, Outcome, Scale
    from bilateral.forecast.scenario import Round
    from bilateral.store import Store

DEFAULT_MODEL = "bdm"
#: Monte Carlo runs behind a brief's interval, and their seed: the same brief every time.
DEFAULT_RUNS = 200
DEFAULT_SEED = 1
#: Most runs a caller may ask for (a forecast of many rounds takes about 20 ms a run).
MAX_RUNS = 1000

#: What each model is, in a phrase.
MODEL_NAMES = {
    "bdm": "Bueno de Mesquita's expected-utility model",
    "smp": "KTAB's spatial model of politics",
    "mean": "the capability × salience weighted mean",
    "median": "the capability × salience weighted median",
}
BASELINE_NAMES = {"weighted_mean": "weighted mean", "weighted_median": "weighted median",
                  "capability_mean": "capability mean"}


@dataclass(frozen=True)
class Band:
    """The median and the 80% interval of one quantity over the Monte Carlo runs."""

    median: float
    low: float
    high: float


@dataclass(frozen=True)
class Baseline:
    name: str  # weighted_mean, weighted_median, capability_mean
    label: str
    value: float
    band: Band | None


@dataclass(frozen=True)
class InputRow:
    """One bargainer as the forecast takes it, with where its position came from."""

    actor: str
    id: str
    state: str
    capability: float
    salience: float
    position: float
    source: Evidence


@dataclass(frozen=True)
class Outlook:
    """One negotiation forecast as of a date, or the reason it could not be."""

    issue: Negotiation
    as_of: dt.date | None
    model: str
    inputs: IssueInputs | None = None
    forecast: Forecast | None = None
    reason: str | None = None
    concluded: Outcome | None = None  # known by the date asked for: the forecast is its backtest

    @property
    def scale(self) -> Scale:
        return self.issue.scale

    @property
    def value(self) -> float | None:
        return self.forecast.run.forecast[0] if self.forecast else None

    @property
    def interval(self) -> Band | None:
        if self.forecast is None or self.forecast.interval is None:
            return None
        return _band(self.forecast.interval.forecast)

    @property
    def runs(self) -> int:
        interval = self.forecast.interval if self.forecast else None
        return interval.runs if interval else 0

    @property
    def seed(self) -> int | None:
        interval = self.forecast.interval if self.forecast else None
        return interval.seed if interval else None

    @property
    def level(self) -> float | None:
        interval = self.forecast.interval if self.forecast else None
        return interval.level if interval else None

    @property
    def baselines(self) -> list[Baseline]:
        if self.forecast is None:
            return []
        values = self.forecast.baselines.as_dict()
        bands = self.forecast.interval.baselines if self.forecast.interval else {}
        return [Baseline(name, BASELINE_NAMES[name], values[name][0],
                         _band(bands[name]) if name in bands else None)
                for name in BASELINES]

    @property
    def status_quo(self) -> Evidence | None:
        return self.inputs.status_quo if self.inputs else None

    @property
    def rows(self) -> list[InputRow]:
        if self.inputs is None:
            return []
        bargainers = {b.name: b for b in self.issue.actors}
        return [InputRow(actor=a.name, id=bargainers[a.name].id, state=bargainers[a.name].state,
                         capability=a.capability, salience=a.saliences[0],
                         position=a.positions[0], source=self.inputs.evidence[a.name])
                for a in self.inputs.scenario.actors]

    @property
    def without_position(self) -> tuple[str, ...]:
        return self.inputs.left_out if self.inputs else ()

    @property
    def rounds(self) -> tuple[Round, ...]:
        return self.forecast.run.rounds if self.forecast else ()

    @property
    def evidence(self) -> list[Evidence]:
        """Every source the outlook cites: the status quo's, then each input's."""
        found = [self.status_quo] if self.status_quo else []
        return found + [row.source for row in self.rows]

    @property
    def documents(self) -> list[str]:
        """The ids of the stored documents whose quotes the outlook cites, each once."""
        return list(dict.fromkeys(e.doc_id for e in self.evidence
                                  if e.kind == "store" and e.doc_id))

    def as_json(self) -> dict[str, Any]:
        """The forecast's published JSON (``Forecast.as_json``); only for a forecast made."""
        if self.forecast is None:
            raise ForecastError(self.reason or f"{self.issue.id} has no forecast")
        return self.forecast.as_json()


def _band(band: Any) -> Band:
    return Band(median=band.median[0], low=band.low[0], high=band.high[0])


def outlook(dossier: Dossier, issue_id: str, store: Store | None, *,
            as_of: dt.date | None, model: str = DEFAULT_MODEL, runs: int = DEFAULT_RUNS,
            seed: int | None = DEFAULT_SEED, rounds: int | None = None) -> Outlook:
    """The forecast of the dossier's negotiation ``issue_id`` from the reporting published
    before ``as_of``; when it cannot be made, the outlook carries the reason. An unknown issue
    or model, or a number of runs out of range, is the caller's error (``ForecastError``)."""
    issue = dossier.negotiation(issue_id)
    if issue is None:
        known = ", ".join(n.id for n in dossier.negotiations) or "none"
        raise ForecastError(f"dossier {dossier.id!r} has no negotiation {issue_id!r}; its "
                            f"negotiations: {known}")
    if model not in MODELS:
        raise ForecastError(f"no model {model!r}; choose one of "
                            f"{', '.join(MODELS)}")
    if runs == 1 or not 0 <= runs <= MAX_RUNS:
        raise ForecastError(f"runs must be 0 (no interval) or from 2 to {MAX_RUNS:,}, got "
                            f"{runs}")
    try:
        inputs = issue_inputs(dossier, issue_id, store, as_of)
        made = forecast_inputs(inputs, model=model, rounds=rounds, runs=runs, seed=seed)
    except ForecastError as exc:
        return Outlook(issue=issue, as_of=as_of, model=model, reason=exc.message)
    return Outlook(issue=issue, as_of=as_of, model=model, inputs=inputs, forecast=made)


def outlooks(dossier: Dossier, store: Store | None, *, as_of: dt.date | None,
             model: str = DEFAULT_MODEL, runs: int = DEFAULT_RUNS,
             seed: int | None = DEFAULT_SEED) -> list[Outlook]:
    """Every negotiation of the dossier, in the dossier's order (see ``outlook``). A
    negotiation that had concluded by ``as_of`` (today when None) is forecast as of its
    backtest date instead, beside its outcome: what the reporting said before it ended."""
    found = []
    for n in dossier.negotiations:
        ended = n.outcome is not None and n.outcome.date <= (as_of or dt.date.today())
        if ended and n.outcome is not None:
            before = n.backtest_as_of or n.outcome.date
            made = outlook(dossier, n.id, store, as_of=before, model=model, runs=runs,
                           seed=seed)
            found.append(replace(made, concluded=n.outcome))
        else:
            found.append(outlook(dossier, n.id, store, as_of=as_of, model=model, runs=runs,
                                 seed=seed))
    return found


def scale_value(value: float, scale: Scale) -> str:
    """A value on the issue's scale as it reads: "12.4% tariff", "1.85% of GDP", "30 $bn a
    year"; two decimals on a short scale, one on a long one."""
    digits = 2 if scale.high - scale.low <= 10 else 1
    number = f"{value:,.{digits}f}"
    gap = "" if scale.label.startswith("%") else " "
    return f"{number}{gap}{scale.label}"


def scale_number(value: float, scale: Scale) -> str:
    """A value on the issue's scale without its unit, as a table cell shows it."""
    digits = 2 if scale.high - scale.low <= 10 else 1
    return f"{value:,.{digits}f}"
