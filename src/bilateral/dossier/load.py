"""Read a dossier from YAML or TOML and turn validation failures into messages that name the
file, the entry and what is wrong."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bilateral.dossier.schema import Dossier
from bilateral.errors import DossierError

BUILTIN = "us-japan"


def available() -> list[str]:
    """Names of the dossiers that ship with bilateral."""
    data = resources.files("bilateral.dossier") / "data"
    return sorted(p.name.rsplit(".", 1)[0] for p in data.iterdir() if p.name.endswith(".yaml"))


def load_dossier(spec: str | Path = BUILTIN) -> Dossier:
    """Load a built-in dossier by name (``us-japan``) or a user's file by path."""
    if isinstance(spec, str) and spec in available():
        return _builtin(spec)
    path = Path(spec)
    if not path.exists():
        raise DossierError(
            f"dossier {str(spec)!r} is neither a file nor a built-in dossier "
            f"({', '.join(available())}); give a path to a .yaml or .toml file")
    return _from_file(path)


@lru_cache(maxsize=8)
def _builtin(name: str) -> Dossier:
    source = resources.files("bilateral.dossier") / "data" / f"{name}.yaml"
    text = source.read_text(encoding="utf-8")
    return _validate(_parse(text, f"{name}.yaml"), f"<built-in {name}>")


def _from_file(path: Path) -> Dossier:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DossierError(f"{path}: cannot read the dossier ({exc})") from exc
    return _validate(_parse(text, str(path)), str(path))


def _parse(text: str, where: str) -> Any:
    try:
        if where.endswith(".toml"):
            return tomllib.loads(text)
        return yaml.safe_load(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise DossierError(f"{where}: not valid {'TOML' if where.endswith('.toml') else 'YAML'}: "
                           f"{exc}") from exc


def _validate(data: Any, where: str) -> Dossier:
    if not isinstance(data, dict):
        raise DossierError(f"{where}: a dossier is a mapping with id, name, dyad, states, "
                           f"indicators and events; got {type(data).__name__}")
    try:
        return Dossier.model_validate(data)
    except ValidationError as exc:
        lines = [f"{where}: {len(exc.errors())} problem(s) in the dossier"]
        for error in exc.errors():
            lines.append(f"  - {_entry(data, error['loc'])}: {error['msg']}")
        raise DossierError("\n".join(lines)) from exc


def _entry(data: Any, loc: tuple[Any, ...]) -> str:
    """Render a pydantic location as ``actors[3] (id=trump).roles[0].state``."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int):
            parts.append(f"[{key}]")
            node = node[key] if isinstance(node, list) and key < len(node) else None
            if isinstance(node, dict) and "id" in node:
                parts.append(f" (id={node['id']})")
        else:
            parts.append(f".{key}" if parts else str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"
