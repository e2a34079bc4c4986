"""Dossiers: load, validate and look up the data that describes one relationship."""

from bilateral.dossier.checks import Finding
from bilateral.dossier.load import BUILTIN, DossierCheck, available, check_dossier, load_dossier
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

__all__ = ["BUILTIN", "DEFAULT_WEIGHTS", "Actor", "Dossier", "DossierCheck", "EventRule",
           "Finding", "Indicator", "RelationsIndex", "Role", "State",
           "available", "check_dossier", "load_dossier"]
