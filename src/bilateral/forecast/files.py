"""Scenario files: KTAB's CSV layout read into a ``Scenario``.

KTAB's CSV has a first line ``name, description, number of actors, number of dimensions``, a
header ``Actor,Description,<power>,<position 1>,<salience 1>,...`` and one actor per row, every
line possibly ending in a comma. Positions and saliences are on a 0–100 scale.
"""

from __future__ import annotations

import csv
from pathlib import Path

from bilateral.errors import ScenarioError
from bilateral.forecast.scenario import Actor, Dimension, Scenario


def read_ktab_csv(path: str | Path) -> Scenario:
    """The scenario of a KTAB CSV file, each dimension bounded by KTAB's 0 and 100."""
    path = Path(path)
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{where}: cannot be read ({exc})") from exc
    lines = [(n, [f.strip() for f in row]) for n, row in enumerate(csv.reader(text.splitlines()),
                                                                   start=1)]
    lines = [(n, _trim(row)) for n, row in lines if any(row)]
    if len(lines) < 2:
        raise ScenarioError(f"{where}: a KTAB CSV needs a scenario line and a header line")
    (_, first), (header_line, header) = lines[0], lines[1]
    if len(first) < 4:
        raise ScenarioError(f"{where}, row 1: expected name, description, number of actors "
                            f"and number of dimensions, found {len(first)} field(s)")
    n_actors = _count(first[2], where, "number of actors")
    n_dims = _count(first[3], where, "number of dimensions")
    if len(header) < 3 + 2 * n_dims:
        raise ScenarioError(f"{where}, row {header_line}: the header names "
                            f"{len(header) - 3} position/salience column(s) for {n_dims} "
                            f"dimension(s)")
    dimensions = tuple(Dimension(header[3 + 2 * d], 0.0, 100.0) for d in range(n_dims))
    actors, rows = [], {}
    for line, row in lines[2:]:
        at = f"{where}, row {line}"
        if len(row) < 3 + 2 * n_dims:
            raise ScenarioError(f"{at}: expected {3 + 2 * n_dims} fields (actor, description, "
                                f"power, then position and salience per dimension), "
                                f"found {len(row)}")
        name = row[0]
        numbers = [_number(row[2], at, header[2])]
        numbers += [_number(row[c], at, header[c]) for c in range(3, 3 + 2 * n_dims)]
        actors.append(Actor(name, numbers[0], tuple(numbers[1::2]), tuple(numbers[2::2]),
                            description=row[1]))
        rows.setdefault(name, line)
    if len(actors) != n_actors:
        raise ScenarioError(f"{where}, row 1, field number of actors: says {n_actors}, "
                            f"the file has {len(actors)} actor row(s)")
    return Scenario(first[0], dimensions, tuple(actors), source=where, rows=rows)


def _trim(row: list[str]) -> list[str]:
    """The fields of a row without the empty ones its trailing commas leave."""
    while row and not row[-1]:
        row = row[:-1]
    return row


def _count(field: str, where: str, what: str) -> int:
    try:
        value = int(field)
    except ValueError:
        raise ScenarioError(f"{where}, row 1, field {what}: {field!r} is not a whole number"
                            ) from None
    if value < 1:
        raise ScenarioError(f"{where}, row 1, field {what}: {value} is below 1")
    return value


def _number(field: str, at: str, what: str) -> float:
    try:
        return float(field)
    except ValueError:
        raise ScenarioError(f"{at}, field {what}: {field!r} is not a number") from None
