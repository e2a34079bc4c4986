"""Read a dossier from YAML or TOML and check it, every problem a finding that names the file,
the entry and the fix.

``check_dossier`` returns all findings (errors and warnings) without raising for a dossier's
content; ``load_dossier`` refuses a dossier with errors and is what extraction uses. Both
merge the dossier over its lexicon (``lexicon.py``); findings are about the file's own
entries. Whatever the file holds (an impossible date, a 20,000-deep nesting, an alias bomb),
the result is a finding or a ``DossierError``, never a traceback.
"""

from __future__ import annotations

import gc
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bilateral.dossier.checks import Finding, audit
from bilateral.dossier.lexicon import with_lexicon
from bilateral.dossier.schema import Dossier
from bilateral.errors import DossierError
from bilateral.limits import SAFE_LOADER, LimitExceeded, bounded, load_yaml

BUILTIN = "us-japan"
#: Findings an exception message lists at most; ``bilateral dossier check`` shows them all.
MAX_LISTED = 20


@dataclass(frozen=True)
class DossierCheck:
    """A dossier file checked: the dossier when it could be built, and every finding."""

    source: str
    dossier: Dossier | None
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def error_message(self) -> str:
        """The errors as one message: the file, then one line per entry."""
        errors = self.errors
        if len(errors) == 1 and not errors[0].entry:
            return f"{self.source}: {errors[0].message}"
        lines = [f"{self.source}: {len(errors)} problem(s) in the dossier"]
        lines += [f"  - {f}" for f in errors[:MAX_LISTED]]
        if len(errors) > MAX_LISTED:
            lines.append(f"  ... and {len(errors) - MAX_LISTED} more; "
                         f"`bilateral dossier check {self.source}` lists them all")
        return "\n".join(lines)


def available() -> list[str]:
    """Names of the dossiers that ship with bilateral."""
    data = resources.files("bilateral.dossier") / "data"
    return sorted(p.name.rsplit(".", 1)[0] for p in data.iterdir() if p.name.endswith(".yaml"))


def load_dossier(spec: str | Path = BUILTIN) -> Dossier:
    """Load a built-in dossier by name (``us-japan``) or a user's file by path; a dossier with
    errors is refused with a ``DossierError`` that lists them (warnings do not stop it)."""
    if isinstance(spec, str) and spec in available():
        return _builtin(spec)
    return _usable(check_dossier(spec))


def check_dossier(spec: str | Path = BUILTIN) -> DossierCheck:
    """Every error and warning of a dossier (built-in name or path). Raises ``DossierError``
    only when there is no file to check."""
    if isinstance(spec, str) and spec in available():
        return _check(_builtin_text(spec), f"<built-in {spec}>", toml=False)
    path = Path(spec)
    if not path.exists():
        raise DossierError(
            f"dossier {str(spec)!r} is neither a file nor a built-in dossier "
            f"({', '.join(available())}); give a path to a .yaml or .toml file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DossierError(f"{path}: cannot read the dossier ({exc})") from exc
    return _check(text, str(path), toml=path.suffix.lower() == ".toml")


def _builtin_text(name: str) -> str:
    source = resources.files("bilateral.dossier") / "data" / f"{name}.yaml"
    return source.read_text(encoding="utf-8")


@lru_cache(maxsize=8)
def _builtin(name: str) -> Dossier:
    return _usable(_check(_builtin_text(name), f"<built-in {name}>", toml=False))


def _usable(checked: DossierCheck) -> Dossier:
    if checked.errors or checked.dossier is None:
        raise DossierError(checked.error_message())
    return checked.dossier


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Reading a large dossier makes a million small objects and no garbage; the collector's
    repeated passes over them cost more than the parsing itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check(text: str, source: str, *, toml: bool) -> DossierCheck:
    def failed(*findings: Finding) -> DossierCheck:
        return DossierCheck(source, None, findings)

    with _gc_paused():
        try:
            data = _parse(text, toml=toml)
        except _Unreadable as exc:
            return failed(Finding("error", exc.entry, exc.message))
        if not isinstance(data, dict):
            return failed(Finding("error", "", f"a dossier is a mapping with id, name, dyad, "
                                               f"states, indicators and events; got "
                                               f"{type(data).__name__}"))
        try:
            dossier = Dossier.model_validate(data, context={"defer_checks": True})
        except ValidationError as exc:
            return failed(*(Finding("error", _entry(data, e["loc"]),
                                    e["msg"].removeprefix("Value error, "))
                            for e in exc.errors()))
        except RecursionError:
            return failed(Finding("error", "", "nested too deeply to validate; a dossier "
                                               "needs only a few levels"))
        findings = tuple(audit(dossier))
        try:
            return DossierCheck(source, with_lexicon(dossier), findings)
        except DossierError as exc:
            return failed(*findings, Finding("error", "lexicon", str(exc)))


class _Unreadable(Exception):
    """The text is not a dossier file at all, or holds a value that cannot be read."""

    def __init__(self, message: str, entry: str = "") -> None:
        super().__init__(message)
        self.message, self.entry = message, entry


def _parse(text: str, *, toml: bool) -> Any:
    kind = "TOML" if toml else "YAML"
    try:
        return tomllib.loads(text) if toml else load_yaml(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        located = None if toml else _unreadable_value(text)
        if located:
            raise _Unreadable(located[1], located[0]) from exc
        raise _Unreadable(bounded(f"not valid {kind}: {exc}")) from exc
    except (LimitExceeded, RecursionError) as exc:
        reason = str(exc) if isinstance(exc, LimitExceeded) else "nested too deeply"
        raise _Unreadable(f"not a usable {kind} dossier: {reason}; a dossier is a few levels "
                          f"of plain mappings and lists") from exc


def _unreadable_value(text: str) -> tuple[str, str] | None:
    """The entry and message of the first value in document order that YAML cannot build
    (a date that does not exist, such as 2025-02-30), or None. Called once the loader has
    found the text's nesting and aliases within bounds."""
    loader = SAFE_LOADER(text)
    try:
        root = loader.get_single_node()
        stack: list[tuple[yaml.Node, str]] = [(root, "")] if root is not None else []
        while stack:
            node, entry = stack.pop()
            if isinstance(node, yaml.MappingNode):
                stack.extend((value, f"{entry}.{key.value}" if entry else str(key.value))
                             for key, value in reversed(node.value))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend((item, f"{entry}[{i}]{_node_id(item)}")
                             for i, item in reversed(list(enumerate(node.value))))
            else:
                try:
                    loader.construct_object(node)
                except ValueError as exc:
                    what = ("not a real date" if node.tag.endswith(":timestamp")
                            else "not a readable value")
                    return entry or "(top level)", (
                        f"{node.value!r} is {what} ({exc}); write a date that exists, as "
                        f"YYYY-MM-DD" if what == "not a real date" else
                        f"{node.value!r} is {what} ({exc}); quote it to keep it as text")
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()
    return None


def _node_id(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "id" and isinstance(value, yaml.ScalarNode):
                return f" (id={value.value})"
    return ""


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
