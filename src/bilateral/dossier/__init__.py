"""Dossiers: load, validate and look up the data that describes one relationship."""

from bilateral.dossier.load import BUILTIN, available, load_dossier
from bilateral.dossier.schema import (
    DEFAULT_WEIGHTS,
    Actor,
    Dossier,
    EventRule,
    Indicator,
    RelationsIndex,
    Role,
    State,
)

__all__ = ["BUILTIN", "DEFAULT_WEIGHTS", "Actor", "Dossier", "EventRule", "Indicator",
           "RelationsIndex", "Role", "State",
           "available", "load_dossier"]
