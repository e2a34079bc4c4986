"""Scenarios from the files other negotiation-model tools write.

Three formats, each read into a validated ``Scenario`` whose ``rows`` map every actor to its
line, so a bad value is reported by file, line and field wherever it is found:

- ``bdm``: a table ``actor,capability,position,salience`` (the expected-utility literature);
- ``ktab``: the CSV of KAPSARC's Spatial Model of Politics (a line of counts, a header, actors);
- ``decide``: the tab-separated ``#A``/``#P``/``#M``/``#D`` rows of the exchange model.

Reading is the only I/O here; what the models get is the ``Scenario``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bilateral.errors import ScenarioError
from bilateral.forecast.scenario import Actor, Dimension, Scenario

FORMATS = ("bdm", "ktab", "decide")
BDM_COLUMNS = ("actor", "capability", "position", "salience")
DECIDE_KINDS = ("#A", "#P", "#M", "#D")
# Rows the exchange model's own reader accepts and we have no use for: comments and
# descriptions of issue positions.
_DECIDE_IGNORED = ("#/", "#O")
# KTAB scales positions and saliences from 0 to 100.
KTAB_SCALE = 100.0


# --- reading text ---------------------------------------------------------------------------


def _read_text(path: str | Path) -> tuple[str, Path]:
    """The file's text (UTF-8, a BOM dropped), or a ScenarioError that names the file."""
    p = Path(path)
    if not p.exists():
        raise ScenarioError(f"{p}: no such file")
    if p.is_dir():
        raise ScenarioError(f"{p}: is a folder, expected a scenario file")
    data = p.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ScenarioError(
            f"{p}, row {line}: byte 0x{data[exc.start]:02x} is not UTF-8; save the file as "
            f"UTF-8") from exc
    if not text.strip():
        raise ScenarioError(f"{p}: the file is empty; expected a scenario "
                            f"(one row per actor)")
    return text, p


def _rows(text: str, **dialect: object) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each non-blank row; the number is the line the row starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), **dialect)  # type: ignore[arg-type]
    last = 0
    for row in reader:
        start, last = last + 1, reader.line_num
        if any(cell.strip() for cell in row):
            yield start, row


def _number(text: str, at: str, what: str, expected: str, *, low: float | None = None,
            high: float | None = None) -> float:
    """``text`` as a finite float within [low, high], or a ScenarioError saying what was
    expected; ``at`` is "file, row N"."""
    raw = text.strip()
    try:
        value = float(raw)
    except ValueError:
        shown = f"{raw!r} is not a number" if raw else "the value is missing"
        raise ScenarioError(f"{at}, field {what}: {shown}; expected {expected}") from None
    if not math.isfinite(value):
        raise ScenarioError(f"{at}, field {what}: {raw!r} is not a finite number; "
                            f"expected {expected}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ScenarioError(f"{at}, field {what}: {value:g} is out of range; expected "
                            f"{expected}")
    return value


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"a number from {low:g} to {high:g}"
    if low is not None:
        return f"a number of at least {low:g}"
    return "a number"


def _scenario(name: str, dimensions: Sequence[Dimension], actors: Sequence[Actor],
              source: Path, rows: dict[str, int]) -> Scenario:
    return Scenario(name=name, dimensions=tuple(dimensions), actors=tuple(actors),
                    source=str(source), rows=rows)


def _check_unique(name: str, line: int, seen: dict[str, int], at: str, what: str) -> None:
    if not name:
        raise ScenarioError(f"{at}, field {what}: the name is empty; expected a name")
    if name in seen:
        raise ScenarioError(f"{at}, field {what}: {name!r} appears twice (rows {seen[name]} "
                            f"and {line}); expected each {what} once")
    seen[name] = line


# --- bdm ------------------------------------------------------------------------------------


def read_bdm_table(path: str | Path) -> Scenario:
    """A table ``actor,capability,position,salience`` (any column order, header names in any
    case, extra columns ignored): one dimension named after the file, bounds unknown."""
    text, p = _read_text(path)
    return _parse_bdm(text, p)


def _parse_bdm(text: str, p: Path) -> Scenario:
    rows = _rows(text)
    header_line, header = next(rows)
    columns: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = cell.strip().lower()
        if key in BDM_COLUMNS and key in columns:
            raise ScenarioError(f"{p}, row {header_line}, field {key}: the column appears "
                                f"twice in the header; expected it once")
        columns.setdefault(key, i)
    for name in BDM_COLUMNS:
        if name not in columns:
            raise ScenarioError(
                f"{p}, row {header_line}, field {name}: the header has no {name!r} column; "
                f"expected the columns {', '.join(BDM_COLUMNS)} (in any order)")
    actors: list[Actor] = []
    lines: dict[str, int] = {}
    for line, row in rows:
        at = f"{p}, row {line}"
        cells = {}
        for name in BDM_COLUMNS:
            index = columns[name]
            if index >= len(row):
                raise ScenarioError(f"{at}, field {name}: the row has {len(row)} field(s) and "
                                    f"no {name}; expected a value in column {index + 1}")
            cells[name] = row[index].strip()
        _check_unique(cells["actor"], line, lines, at, "actor")
        capability = _number(cells["capability"], at, "capability", _range(0, None), low=0)
        position = _number(cells["position"], at, "position", "a number")
        salience = _number(cells["salience"], at, "salience", _range(0, None), low=0)
        actors.append(Actor(cells["actor"], capability, (position,), (salience,)))
    return _scenario(p.stem, [Dimension(p.stem)], actors, p, lines)


# --- ktab -----------------------------------------------------------------------------------


def read_ktab_csv(path: str | Path) -> Scenario:
    """KTAB's scenario CSV: ``name, description, actors, dimensions`` on line 1, a header
    ``Actor,Description,<power>,<position>,<salience>,...`` on line 2, then one row per actor.

    Positions stay on KTAB's 0–100 scale (the dimensions' bounds). Saliences are shares of an
    actor's attention, which KTAB writes as percentages (at most 100 in all): they are divided
    by 100, so that every format gives saliences from 0 to 1.
    """
    text, p = _read_text(path)
    return _parse_ktab(text, p)


def _trimmed(row: list[str]) -> list[str]:
    """The fields stripped, without the empty ones a trailing comma leaves."""
    cells = [cell.strip() for cell in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _count(text: str, at: str, what: str) -> int:
    value = _number(text, at, what, "a whole number of at least 1", low=1)
    if value != int(value):
        raise ScenarioError(f"{at}, field {what}: {text.strip()!r} is not a whole number; "
                            f"expected a whole number of at least 1")
    return int(value)


def _dimension_name(column: str) -> str:
    """The position column's header as written (``Pstn1``, ``Policy Position``): the name
    KTAB's own outputs give the dimension."""
    return column.strip()


def _parse_ktab(text: str, p: Path) -> Scenario:
    rows = list(_rows(text))
    first_line, first = rows[0]
    at = f"{p}, row {first_line}"
    cells = _trimmed(first)
    if len(cells) < 4:
        raise ScenarioError(
            f"{at}: the line has {len(cells)} field(s); expected 'scenario name, description, "
            f"number of actors, number of dimensions'")
    name = cells[0]
    n_actors = _count(cells[-2], at, "number of actors")
    n_dims = _count(cells[-1], at, "number of dimensions")
    if len(rows) < 2:
        raise ScenarioError(f"{p}: no header after row {first_line}; expected "
                            f"'Actor,Description,Power,<position>,<salience>,...'")
    header_line, header_row = rows[1]
    header = _trimmed(header_row)
    hat = f"{p}, row {header_line}"
    if not header or header[0].lower() != "actor":
        raise ScenarioError(
            f"{hat}, field actor: the header starts with {header[0] if header else ''!r}; "
            f"expected 'Actor,Description,Power,<position>,<salience>,...'")
    pairs = header[3:]
    if len(header) < 5 or len(pairs) % 2:
        raise ScenarioError(
            f"{hat}: the header has {len(header)} column(s); expected Actor, Description, a "
            f"power column, then a position and a salience column per dimension")
    if len(pairs) // 2 != n_dims:
        raise ScenarioError(
            f"{at}, field number of dimensions: says {n_dims}, but the header on row "
            f"{header_line} has {len(pairs) // 2} position/salience pair(s); expected the two "
            f"to agree")
    power = header[2]
    dim_names = [_dimension_name(pairs[2 * d]) for d in range(n_dims)]
    seen_dims: dict[str, int] = {}
    for d, dim in enumerate(dim_names):
        if dim in seen_dims:
            raise ScenarioError(f"{hat}, field {pairs[2 * d]}: dimension {dim!r} appears twice; "
                                f"expected distinct position columns")
        seen_dims[dim] = d
    actor_rows = rows[2:]
    if len(actor_rows) != n_actors:
        raise ScenarioError(
            f"{at}, field number of actors: says {n_actors}, but the file has "
            f"{len(actor_rows)} actor row(s); expected the two to agree")
    dimensions = [Dimension(dim, 0.0, KTAB_SCALE) for dim in dim_names]
    actors: list[Actor] = []
    lines: dict[str, int] = {}
    width = len(header)
    for line, row in actor_rows:
        at = f"{p}, row {line}"
        cells = _trimmed(row)
        if len(cells) < width:
            missing = header[len(cells)]
            raise ScenarioError(
                f"{at}, field {missing}: the row has {len(cells)} field(s) and no {missing}; "
                f"expected {width} as in the header")
        if len(cells) > width:
            raise ScenarioError(
                f"{at}: the row has {len(cells)} fields; expected {width} as in the header "
                f"on row {header_line}")
        _check_unique(cells[0], line, lines, at, "actor")
        capability = _number(cells[2], at, power, _range(0, None), low=0)
        positions, saliences = [], []
        for d in range(n_dims):
            pos_col, sal_col = pairs[2 * d], pairs[2 * d + 1]
            positions.append(_number(cells[3 + 2 * d], at, pos_col, _range(0, KTAB_SCALE),
                                     low=0, high=KTAB_SCALE))
            saliences.append(_number(cells[4 + 2 * d], at, sal_col, _range(0, KTAB_SCALE),
                                     low=0, high=KTAB_SCALE))
        if sum(saliences) > KTAB_SCALE + 1e-9:
            raise ScenarioError(
                f"{at}, field {pairs[1]}: the saliences add up to {sum(saliences):g}; expected "
                f"at most {KTAB_SCALE:g} (an actor's attention shared among the dimensions)")
        actors.append(Actor(cells[0], capability, tuple(positions),
                            tuple(round(s / KTAB_SCALE, 10) for s in saliences),
                            description=cells[1]))
    return _scenario(name, dimensions, actors, p, lines)


# --- decide ---------------------------------------------------------------------------------


@dataclass
class _Issue:
    id: str
    name: str
    line: int
    bounds: list[tuple[int, float]] = field(default_factory=list)


@dataclass(frozen=True)
class _Entry:
    actor: str
    issue: str
    position: float
    salience: float
    power: float
    line: int


def read_decide(path: str | Path, issues: Sequence[str] | None = None) -> Scenario:
    """The exchange model's input: ``#A`` actor (id, name, description), ``#P`` issue (id,
    name, description), ``#M`` issue bound (a low and a high row per issue), ``#D`` actor,
    issue, position, salience (0–1), power.

    The dimensions are the chosen ``issues`` (ids or names; all by default) with their bounds,
    and an actor's capability is its power. The exchange model lets an actor sit out an issue
    and weigh differently on each; a scenario cannot, so an actor with rows on some chosen
    issues but not others, or with different powers on them, is an error that says which
    issues to choose. Actors with no row on any chosen issue are left out.
    """
    text, p = _read_text(path)
    return _parse_decide(text, p, issues)


def _decide_cell(cell: str) -> str:
    cell = cell.strip()
    if len(cell) >= 2 and cell[0] == cell[-1] and cell[0] in "'\"":
        cell = cell[1:-1]
    return cell.strip()


def _decide_dialect(text: str) -> dict[str, object]:
    first = next(line for line in text.splitlines() if line.strip())
    delimiter = "\t" if "\t" in first else (";" if ";" in first else ",")
    return {"delimiter": delimiter, "quotechar": "'"}


def _parse_decide(text: str, p: Path, issues: Sequence[str] | None) -> Scenario:
    actors: dict[str, tuple[str, str, int]] = {}  # id -> (name, description, line)
    actor_lines: dict[str, int] = {}
    found: dict[str, _Issue] = {}
    issue_lines: dict[str, int] = {}
    bounds: list[tuple[int, str, str]] = []
    entries: list[tuple[int, list[str]]] = []
    for line, row in _rows(text, **_decide_dialect(text)):
        cells = [_decide_cell(c) for c in row]
        kind, values = cells[0], cells[1:]
        at = f"{p}, row {line}"
        if kind == "#A":
            actor_id = values[0] if values else ""
            _check_unique(actor_id, line, actor_lines, at, "actor")
            name = values[1] if len(values) > 1 and values[1] else actor_id
            actors[actor_id] = (name, values[2] if len(values) > 2 else "", line)
        elif kind == "#P":
            issue_id = values[0] if values else ""
            _check_unique(issue_id, line, issue_lines, at, "issue")
            name = values[1] if len(values) > 1 and values[1] else issue_id
            found[issue_id] = _Issue(issue_id, name, line)
        elif kind == "#M":
            if len(values) < 2:
                raise ScenarioError(f"{at}, field position: the row has no bound; expected "
                                    f"'#M, issue, position'")
            bounds.append((line, values[0], values[1]))
        elif kind == "#D":
            entries.append((line, values))
        elif kind not in _DECIDE_IGNORED:
            raise ScenarioError(f"{at}, field type: {kind!r} is not a row type of the exchange "
                                f"model; expected one of {', '.join(DECIDE_KINDS)}")
    for line, issue_id, value in bounds:
        at = f"{p}, row {line}"
        if issue_id not in found:
            raise ScenarioError(f"{at}, field issue: {issue_id!r} is not an issue of the file; "
                                f"expected an issue declared in a #P row")
        found[issue_id].bounds.append((line, _number(value, at, "position", "a number")))
    for issue in found.values():
        if len(issue.bounds) != 2:
            raise ScenarioError(
                f"{p}, row {issue.line}, field bounds: issue {issue.id!r} has "
                f"{len(issue.bounds)} #M row(s); expected exactly two (its low and its high "
                f"end)")
        (_, low), (high_line, high) = issue.bounds
        if low >= high:
            raise ScenarioError(
                f"{p}, row {high_line}, field position: the high end {high:g} of issue "
                f"{issue.id!r} is not above its low end {low:g}; expected the low bound's row "
                f"first, then a higher one")
    data = _decide_entries(p, entries, actors, found)
    chosen = _choose_issues(p, found, issues)
    return _decide_scenario(p, actors, found, data, chosen)


def _decide_entries(p: Path, entries: list[tuple[int, list[str]]],
                    actors: dict[str, tuple[str, str, int]],
                    found: dict[str, _Issue]) -> dict[tuple[str, str], _Entry]:
    data: dict[tuple[str, str], _Entry] = {}
    names = ("actor", "issue", "position", "salience", "power")
    for line, values in entries:
        at = f"{p}, row {line}"
        if len(values) < len(names):
            missing = names[len(values)]
            raise ScenarioError(
                f"{at}, field {missing}: the row has no {missing}; expected '#D, actor, issue, "
                f"position, salience, power'")
        actor, issue_id = values[0], values[1]
        if actor not in actors:
            raise ScenarioError(f"{at}, field actor: {actor!r} is not an actor of the file; "
                                f"expected an actor declared in a #A row")
        if issue_id not in found:
            raise ScenarioError(f"{at}, field issue: {issue_id!r} is not an issue of the file; "
                                f"expected an issue declared in a #P row")
        if (actor, issue_id) in data:
            raise ScenarioError(
                f"{at}, field issue: actor {actor!r} has a second row on issue {issue_id!r} "
                f"(the first is row {data[actor, issue_id].line}); expected one")
        (_, low), (_, high) = found[issue_id].bounds
        position = _number(values[2], at, "position",
                           f"{_range(low, high)} (the bounds of issue {issue_id!r})",
                           low=low, high=high)
        salience = _number(values[3], at, "salience", _range(0, 1), low=0, high=1)
        power = _number(values[4], at, "power", _range(0, None), low=0)
        data[actor, issue_id] = _Entry(actor, issue_id, position, salience, power, line)
    return data


def _choose_issues(p: Path, found: dict[str, _Issue],
                   issues: Sequence[str] | None) -> list[_Issue]:
    if not found:
        raise ScenarioError(f"{p}: the file has no #P row; expected at least one issue")
    if issues is None:
        return list(found.values())
    if isinstance(issues, str):
        issues = [issues]
    by_name = {i.name: i for i in found.values()}
    chosen: list[_Issue] = []
    for wanted in issues:
        issue = found.get(wanted) or by_name.get(wanted)
        if issue is None:
            known = ", ".join(i.id for i in found.values())
            raise ScenarioError(f"{p}: no issue named {wanted!r}; the file has {known}")
        if issue not in chosen:
            chosen.append(issue)
    if not chosen:
        raise ScenarioError(f"{p}: no issue chosen; the file has "
                            f"{', '.join(i.id for i in found.values())}")
    return chosen


def _decide_scenario(p: Path, actors: dict[str, tuple[str, str, int]],
                     found: dict[str, _Issue], data: dict[tuple[str, str], _Entry],
                     chosen: list[_Issue]) -> Scenario:
    ids = [i.id for i in chosen]
    gaps: list[tuple[str, list[str], int]] = []
    members: list[tuple[str, list[_Entry]]] = []
    for actor_id, (_, _, line) in actors.items():
        rows = [data.get((actor_id, issue)) for issue in ids]
        present = [r for r in rows if r is not None]
        if not present:
            continue
        if len(present) < len(ids):
            gaps.append((actor_id, [i for i, r in zip(ids, rows, strict=True) if r is None],
                         line))
        else:
            members.append((actor_id, present))
    if gaps:
        active = {a for a, _ in data}
        complete = [i for i in found if all((a, i) in data for a in active)]
        missing = "; ".join(f"{a!r} has no row on {', '.join(repr(i) for i in lacks)}"
                            for a, lacks, _ in gaps)
        advice = (f"choose issues every actor has a row on ({', '.join(complete)})"
                  if complete else "choose issues")
        raise ScenarioError(
            f"{p}, row {gaps[0][2]}, field issue: {missing}. A scenario needs each actor on "
            f"every chosen issue or on none: {advice} with issues=[...], or --dimension NAME "
            f"on the command line")
    result: list[Actor] = []
    lines: dict[str, int] = {}
    for actor_id, present in members:
        powers = {e.power for e in present}
        if len(powers) > 1:
            listed = ", ".join(f"{e.power:g} on {e.issue!r} (row {e.line})" for e in present)
            raise ScenarioError(
                f"{p}, row {present[0].line}, field power: actor {actor_id!r} has different "
                f"powers on the chosen issues: {listed}. A scenario gives an actor one "
                f"capability; choose issues on which its power is the same (issues=[...], or "
                f"--dimension NAME on the command line)")
        name, description, line = actors[actor_id]
        result.append(Actor(name, present[0].power, tuple(e.position for e in present),
                            tuple(e.salience for e in present), description=description))
        lines[name] = line
    dimensions = [Dimension(i.name, i.bounds[0][1], i.bounds[1][1]) for i in chosen]
    return _scenario(p.stem, dimensions, result, p, lines)


# --- choosing the reader --------------------------------------------------------------------


def read_scenario(path: str | Path, *, format: str | None = None,
                  issues: Sequence[str] | None = None) -> Scenario:
    """A scenario from a file of any of the ``FORMATS``, told by ``format`` or, when it is
    None, by the file's content. ``issues`` chooses the issues of a decide file."""
    if format is not None and format not in FORMATS:
        raise ScenarioError(f"{path}: unknown scenario format {format!r}; expected one of "
                            f"{', '.join(FORMATS)}")
    text, p = _read_text(path)
    kind = format or sniff_format(text, p)
    if issues is not None and kind != "decide":
        raise ScenarioError(f"{p}: choosing issues needs a decide file; this is a {kind} file")
    if kind == "bdm":
        return _parse_bdm(text, p)
    if kind == "ktab":
        return _parse_ktab(text, p)
    return _parse_decide(text, p, issues)


def sniff_format(text: str, source: str | Path = "<text>") -> str:
    """Which of the ``FORMATS`` a file's text is written in: a first field ``#A``, ``#P``,
    ``#M`` or ``#D`` is decide; a header naming actor, capability, position and salience is a
    bdm table; a line of counts then a header starting with Actor is KTAB."""
    lines = [line for line in text.splitlines() if line.strip()]
    if lines:
        first = _decide_cell(re.split(r"[\t;,]", lines[0], maxsplit=1)[0])
        if first in DECIDE_KINDS or first in _DECIDE_IGNORED:
            return "decide"
        header = {cell.strip().lower() for cell in next(csv.reader([lines[0]]))}
        if set(BDM_COLUMNS) <= header:
            return "bdm"
        if len(lines) > 1:
            second = next(csv.reader([lines[1]]))
            if second and second[0].strip().lower() == "actor":
                return "ktab"
    raise ScenarioError(
        f"{source}: cannot tell the scenario format; expected a decide file (rows starting "
        f"#A, #P, #M, #D), a bdm table (a header with actor, capability, position, salience) "
        f"or a KTAB CSV (a line 'name, description, actors, dimensions', then a header "
        f"'Actor,Description,Power,...'); or name the format ({', '.join(FORMATS)})")
