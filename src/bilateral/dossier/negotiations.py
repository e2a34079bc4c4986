"""The ``negotiations:`` section of a dossier: the pending issues a forecast is made for.

Each issue is a scale tied to one indicator of the catalogue (the reciprocal tariff from 0 to
25%, defence spending from 1 to 5% of GDP), its status quo, and the bodies that bargain over
it, each with a capability, a salience and how uncertain both are. Positions come from the
store's reporting; the position written here is the fallback, and it must say which dated
report it rests on, so a forecast never holds a number nobody can trace. An issue whose outcome
is known says so, with the date a backtest must stay before.
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bilateral.records import STATUSES

#: What an actor's stated position on an issue can be, by default: the value it asks for.
POSITION_STATUSES = ("demanded", "threatened", "proposed", "target")

ISO3 = re.compile(r"^[A-Z]{3}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Report(_Strict):
    """A dated report a value rests on: cited by outlet, title and address, with the analyst's
    own summary of what it said (never its sentences)."""

    date: dt.date
    outlet: str | None = None
    title: str | None = None
    url: str | None = None
    summary: str = Field(min_length=1, description="what the report says, in your own words")


class Spread(_Strict):
    """How far each input may be off, as a half-width: a draw takes capability ± capability,
    salience ± salience and position ± position, uniformly, within their bounds."""

    capability: float = Field(default=0.0, ge=0)
    salience: float = Field(default=0.0, ge=0, le=1)
    position: float = Field(default=0.0, ge=0)


class Bargainer(_Strict):
    """A body that bargains over an issue for one state (White House, USTR, METI, ...)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    state: str
    capability: float = Field(ge=0, description="its power to shape the result, any scale")
    salience: float = Field(ge=0, le=1, description="how much the issue matters to it, 0-1")
    position: float | None = Field(
        default=None, description="fallback position on the issue's scale when the store has "
                                  "none; needs a source")
    source: Report | None = None
    uncertainty: Spread = Field(default_factory=Spread)
    speakers: list[str] = Field(
        default_factory=list, description="ids of dossier actors whose reported statements "
                                          "are this body's")
    voice_of_state: bool = Field(
        default=False, description="reports that name no speaker of its state are this "
                                   "body's (one per state and issue)")

    @field_validator("state")
    @classmethod
    def _iso3(cls, value: str) -> str:
        if not ISO3.match(value):
            raise ValueError(f"state must be an ISO3 code like USA, got {value!r}")
        return value

    @model_validator(mode="after")
    def _sourced(self) -> Bargainer:
        if self.position is not None and self.source is None:
            raise ValueError(f"{self.id}: a fallback position needs a source (the dated "
                             f"report it rests on)")
        return self


class Scale(_Strict):
    """The issue's scale: positions from ``low`` to ``high``, in the indicator's unit divided
    by ``per`` (``per: 1e9`` writes U.S. dollars as billions)."""

    low: float
    high: float
    label: str = Field(min_length=1, description="how a value reads: '% tariff', '$bn a year'")
    per: float = Field(default=1.0, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.low >= self.high:
            raise ValueError(f"scale low ({self.low:g}) must be below high ({self.high:g})")
        return self


class Outcome(_Strict):
    """How a concluded negotiation ended, for backtests."""

    value: float
    date: dt.date
    source: Report


class Negotiation(_Strict):
    """One pending (or concluded) issue and the bodies bargaining over it."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str = Field(min_length=1)
    indicator: str = Field(description="the catalogue indicator the scale measures")
    scale: Scale
    status_quo: float = Field(description="the value in force, on the scale, when no store "
                                          "report says otherwise")
    status_quo_source: Report
    position_statuses: list[str] = Field(
        default_factory=lambda: list(POSITION_STATUSES),
        description="statuses of the store's observations that count as a position")
    unattributed: dict[str, str] = Field(
        default_factory=dict, description="status -> ISO3: whose voice a report with this "
                                          "status is when it names no bargainer's speaker")
    actors: list[Bargainer] = Field(min_length=2)
    outcome: Outcome | None = None
    backtest_as_of: dt.date | None = Field(
        default=None, description="the date a backtest forecasts from (before the outcome)")

    @field_validator("position_statuses")
    @classmethod
    def _statuses(cls, value: list[str]) -> list[str]:
        bad = [s for s in value if s not in STATUSES]
        if bad:
            raise ValueError(f"unknown status {', '.join(bad)}; use {', '.join(STATUSES)}")
        return value

    @field_validator("unattributed")
    @classmethod
    def _unattributed(cls, value: dict[str, str]) -> dict[str, str]:
        for status, state in value.items():
            if status not in STATUSES:
                raise ValueError(f"unattributed: unknown status {status!r}")
            if not ISO3.match(state):
                raise ValueError(f"unattributed: {status} must map to an ISO3 code like USA, "
                                 f"got {state!r}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Negotiation:
        ids = [a.id for a in self.actors]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"actor id {', '.join(twice)} given twice")
        for actor in self.actors:
            if actor.position is not None and not (
                    self.scale.low <= actor.position <= self.scale.high):
                raise ValueError(f"{actor.id}: position {actor.position:g} is outside the "
                                 f"scale {self.scale.low:g}-{self.scale.high:g}")
        voices: dict[str, list[str]] = {}
        for actor in self.actors:
            if actor.voice_of_state:
                voices.setdefault(actor.state, []).append(actor.id)
        for state, holders in voices.items():
            if len(holders) > 1:
                raise ValueError(f"{state} has two voices of state ({', '.join(holders)}); "
                                 f"mark one")
        if self.backtest_as_of is not None:
            if self.outcome is None:
                raise ValueError("backtest_as_of needs an outcome to compare with")
            if self.backtest_as_of >= self.outcome.date:
                raise ValueError(f"backtest_as_of {self.backtest_as_of} must be before the "
                                 f"outcome's date {self.outcome.date}")
        return self

    def actor(self, actor_id: str) -> Bargainer | None:
        return next((a for a in self.actors if a.id == actor_id), None)
