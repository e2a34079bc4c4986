"""The world gazetteer that ships with bilateral: every state of ISO 3166-1, with the names,
adjectives and capitals that stand for its government in English news.

A relationship's coverage names many states besides its two ("tariffs on Vietnam", "talks
with Chile"); a dossier should not have to list them all to have them found. The file is
written by ``scripts/world_gazetteer.py`` from pycountry and a hand-written table; words that
more often mean something else ("Georgia", "Jordan", "Chad") are left out of it.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources

from bilateral.dossier.schema import State


@lru_cache(maxsize=1)
def world_states() -> dict[str, State]:
    """ISO3 code -> the gazetteer's entry for that state, read once per process."""
    data = json.loads(_text())
    return {code: State.model_validate(entry) for code, entry in data["states"].items()}


@lru_cache(maxsize=1)
def world_sha256() -> str:
    """The gazetteer's hash, recorded beside the dossier's with each run: both decide which
    words were found."""
    return hashlib.sha256(_text().encode()).hexdigest()


def _text() -> str:
    return (resources.files("bilateral.dossier") / "data" / "world.json").read_text(
        encoding="utf-8")
