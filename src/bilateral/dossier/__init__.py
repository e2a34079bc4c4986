"""Dossiers: load, validate and look up the data that describes one relationship."""

from bilateral.dossier.load import BUILTIN, available, load_dossier
from bilateral.dossier.schema import Actor, Dossier, EventRule, Indicator, Role, State

__all__ = ["BUILTIN", "Actor", "Dossier", "EventRule", "Indicator", "Role", "State",
           "available", "load_dossier"]
