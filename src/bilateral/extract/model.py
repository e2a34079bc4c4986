"""A model directory: which implementation each decision uses, the trained weights, and what
they were trained on.

    model/
      config.json   {"format": 1, "decisions": {"status": {"use": "trained", ...}}, "meta": {...}}
      status.json   the weights of the trained status decision
      when.json     the weights of the trained when decision for figures
      event_when.json  ... and for events
      event_type.json  the weights of the trained event type decision
      indicator.json   the weights of the trained indicator decision
      pair.json        the weights of the trained pair decision
      factuality.json  the weights of the trained factuality decision

A decision the config does not name uses its rules, so a model directory written before that
decision existed still loads.

``meta`` records the training data's hash, the seed, the number of examples and the scores
measured when the model was made, so a run can say which model produced it. The package
ships ``default`` (trained from the development corpus by ``make model``); ``rules`` uses the
rule implementation of every decision.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bilateral.errors import ModelError
from bilateral.extract.decisions import (
    EventTypeComponent,
    FactualityComponent,
    IndicatorComponent,
    PairComponent,
    RuleEventType,
    RuleFactuality,
    RuleIndicator,
    RulePair,
    RuleStatus,
    RuleWhen,
    StatusComponent,
    TrainedEventType,
    TrainedFactuality,
    TrainedIndicator,
    TrainedPair,
    TrainedStatus,
    TrainedWhen,
    WhenComponent,
)
from bilateral.extract.linear import LinearModel

FORMAT = 1
MODELS = Path(__file__).parent / "models"
BUILT_IN = ("default", "rules")


class DecisionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    use: Literal["rules", "trained"] = "rules"
    weights: str | None = None  # file in the model directory, for "trained"
    with_rules: bool = False  # whether the rules' choice is one of the model's features
    margin: float = Field(default=0.0, ge=0.0, le=1.0)  # how much likelier than the rules'
    # choice the model's must be to replace it


class Decisions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: DecisionConfig = DecisionConfig()
    when: DecisionConfig = DecisionConfig()
    event_when: DecisionConfig = DecisionConfig()
    event_type: DecisionConfig = DecisionConfig()
    indicator: DecisionConfig = DecisionConfig()
    pair: DecisionConfig = DecisionConfig()
    factuality: DecisionConfig = DecisionConfig()


class ModelConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal[1] = FORMAT
    decisions: Decisions = Decisions()
    meta: dict[str, Any] = {}


@dataclass(frozen=True)
class Model:
    """The loaded decisions, ready for the stages."""

    name: str
    status: StatusComponent
    when: WhenComponent = field(default_factory=RuleWhen)
    event_when: WhenComponent = field(default_factory=RuleWhen)
    event_type: EventTypeComponent = field(default_factory=RuleEventType)
    indicator: IndicatorComponent = field(default_factory=RuleIndicator)
    pair: PairComponent = field(default_factory=RulePair)
    factuality: FactualityComponent = field(default_factory=RuleFactuality)
    meta: dict[str, Any] = field(default_factory=dict)
    digest: str = "rules"  # sha256 of the directory's files: which weights made a record


#: Per decision, its rule implementation and how its trained one is built from its weights and
#: its entry of the config.
Trained = Callable[[LinearModel, DecisionConfig], Any]
_IMPLEMENTATIONS: dict[str, tuple[Callable[[], Any], Trained]] = {
    "status": (RuleStatus, lambda w, c: TrainedStatus(w, with_rules=c.with_rules,
                                                      margin=c.margin)),
    "when": (RuleWhen, lambda w, c: TrainedWhen(w, margin=c.margin)),
    "event_when": (RuleWhen, lambda w, c: TrainedWhen(w, margin=c.margin)),
    "event_type": (RuleEventType, lambda w, c: TrainedEventType(w, margin=c.margin)),
    "indicator": (RuleIndicator, lambda w, c: TrainedIndicator(w, margin=c.margin)),
    "pair": (RulePair, lambda w, c: TrainedPair(w, margin=c.margin)),
    "factuality": (RuleFactuality, lambda w, c: TrainedFactuality(w, margin=c.margin)),
}


def load_model(model: str | Path | None = None) -> Model:
    """A built-in model by name (``default``, ``rules``) or a model directory; ``None`` is
    ``default``. Errors name the file and what is wrong with it."""
    if model is None or str(model) == "default":
        path = MODELS / "default"
    elif str(model) == "rules":
        return Model("rules", RuleStatus(), RuleWhen(), RuleWhen(), digest="rules")
    else:
        path = Path(model)
    config_file = path / "config.json"
    if not config_file.is_file():
        raise ModelError(f"{path}: no model directory there (it needs a config.json); give "
                         f"one written by 'bilateral train' or one of {', '.join(BUILT_IN)}")
    config = _config(config_file)
    decided = {}
    for name, (rules, trained) in _IMPLEMENTATIONS.items():
        chosen: DecisionConfig = getattr(config.decisions, name)
        weights = _weights(path, config_file, name, chosen)
        decided[name] = rules() if weights is None else trained(weights, chosen)
    return Model(str(model or "default"), **decided, meta=dict(config.meta),
                 digest=_digest(path))


def _weights(path: Path, config_file: Path, name: str,
             chosen: DecisionConfig) -> LinearModel | None:
    """The trained weights of decision ``name``; None when it uses the rules."""
    if chosen.use != "trained":
        return None
    if not chosen.weights:
        raise ModelError(f"{config_file}: decisions.{name} uses 'trained' but names no "
                         f"weights file")
    weights = path / chosen.weights
    return LinearModel.from_json(_json(weights), str(weights))


def write_model(path: Path, config: ModelConfig, weights: dict[str, LinearModel]) -> None:
    """Write a model directory: each trained decision's weights and the config naming them.
    The weights a decision that now uses its rules left there before are removed, so that the
    directory (and its digest) holds only what the config uses."""
    path.mkdir(parents=True, exist_ok=True)
    for name in Decisions.model_fields:
        stale = path / f"{name}.json"
        if name not in weights and stale.is_file():
            stale.unlink()
    for name, linear in weights.items():
        (path / f"{name}.json").write_text(
            json.dumps(linear.to_json(), separators=(",", ":"), sort_keys=True) + "\n",
            encoding="utf-8")
    (path / "config.json").write_text(
        json.dumps(config.model_dump(), indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in path.iterdir() if p.is_file() and p.suffix == ".json"):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"{path}: the weights file is missing") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ModelError(f"{path}: cannot read it as JSON ({exc})") from exc


def _config(path: Path) -> ModelConfig:
    try:
        return ModelConfig.model_validate(_json(path))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}"
                             for e in exc.errors()[:5])
        raise ModelError(f"{path}: {problems}") from exc
