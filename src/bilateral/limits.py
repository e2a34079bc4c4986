"""The budgets every input is held to before expensive work, and the checks that enforce them.

Hostile or broken input must end as a clear rejection, never as a traceback, a hung worker or
a store holding values no reader can use. Each limit here is checked where the input enters
(a reader, the dossier loader, the extractor's public API), so the expensive stage behind it
never sees what it cannot handle:

- text: at most ``MAX_TEXT_CHARS`` characters per document (the extractor's working size);
- structure: JSON and YAML nested at most ``MAX_NESTING`` deep; YAML aliases may not expand a
  document much beyond its written size (an "alias bomb" is refused before it is built);
- numbers: a quantity's magnitude is at most ``MAX_MAGNITUDE``, and always finite;
- dates: real calendar dates; a publication date lies between ``EARLIEST`` and two days after
  today (a date in a time zone ahead of ours), any other date between ``EARLIEST`` and
  ``LATEST``;
- time: one document's extraction stops at ``EXTRACTION_SECONDS`` and the document is rejected.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from itertools import chain
from typing import Any

import yaml

MAX_TEXT_CHARS = 1_000_000
MAX_NESTING = 64
#: Aliases may expand a YAML document to this many times its written nodes (plus a margin for
#: small documents) before it is refused: reuse is fine, exponential growth is not.
YAML_EXPANSION = 4
YAML_EXPANSION_MARGIN = 10_000
MAX_MAGNITUDE = 1e15  # no figure of a relationship comes near a quadrillion
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)
PUBLICATION_LEAD = dt.timedelta(days=2)
EXTRACTION_SECONDS = 10.0
#: Longest message kept from an error about one input: enough to say what and where.
MAX_REASON_CHARS = 500

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class LimitExceeded(ValueError):
    """An input is over one of the budgets; the message says which and by how much."""


def bounded(message: str, limit: int = MAX_REASON_CHARS) -> str:
    """``message`` cut to ``limit`` characters, so an error never carries a huge input back."""
    return message if len(message) <= limit else message[:limit - 1] + "…"


def printable(text: str) -> str:
    """``text`` with control characters (terminal escapes among them) and lone surrogates
    shown as escapes: safe to print to a terminal or to store as UTF-8."""
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def first_surrogate(text: str) -> int | None:
    """The offset of the first lone surrogate in ``text`` (not encodable as UTF-8), or None."""
    m = _SURROGATE.search(text)
    return m.start() if m else None


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (a JSON escape such as \\ud800 that pairs with
    nothing, so no character) replaced by U+FFFD, as a UTF-8 decoder replaces a broken
    sequence; offsets stay as they were."""
    return _SURROGATE.sub("\ufffd", text)


def check_text(text: str) -> None:
    """The extractor's budget for one text."""
    if len(text) > MAX_TEXT_CHARS:
        raise LimitExceeded(f"the text has {len(text):,} characters, over the limit of "
                            f"{MAX_TEXT_CHARS:,}")


def finite_magnitude(value: float) -> bool:
    """True for a number a figure can have: finite and at most ``MAX_MAGNITUDE``."""
    return math.isfinite(value) and abs(value) <= MAX_MAGNITUDE


def check_date(value: dt.date, what: str, *, publication: bool = False) -> dt.date:
    """``value`` when it lies in the plausible range for ``what``; LimitExceeded otherwise."""
    latest = dt.date.today() + PUBLICATION_LEAD if publication else LATEST
    if not EARLIEST <= value <= latest:
        raise LimitExceeded(f"{what} {value.isoformat()} is outside the plausible range "
                            f"{EARLIEST.isoformat()} to {latest.isoformat()}")
    return value


def parse_period(text: str, what: str, *, publication: bool = False) -> str:
    """``text`` as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` when it names a real period in the
    plausible range; LimitExceeded (with ``what`` in the message) otherwise."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not m:
        raise LimitExceeded(f"{what} {text!r} is not a date; use YYYY-MM-DD (or YYYY-MM, YYYY)")
    year, month, day = m.groups()
    try:
        first = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise LimitExceeded(f"{what} {text!r} is not a real date ({exc})") from exc
    check_date(first, what, publication=publication)
    return text


def load_yaml(text: str, *, max_nesting: int = MAX_NESTING) -> Any:
    """Parse YAML safely: plain data only (``yaml.safe_load``'s types), nested at most
    ``max_nesting`` deep, and refused when aliases would expand it far beyond its written
    size, before anything is built. Errors are ``yaml.YAMLError`` (an impossible date such as
    2025-02-30 among them) or ``LimitExceeded``."""
    loader = SAFE_LOADER(without_surrogates(text))  # libyaml encodes it as UTF-8
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        written, expanded, depth = _measure(node)
        if depth > max_nesting:
            raise LimitExceeded(f"nested {depth} deep; the limit is {max_nesting}")
        if expanded > YAML_EXPANSION * written + YAML_EXPANSION_MARGIN:
            raise LimitExceeded(f"aliases expand {written:,} written nodes to {expanded:,}; "
                                f"refused as an alias bomb")
        try:
            return loader.construct_document(node)
        except ValueError as exc:  # a value of a known type that is not one, e.g. 2025-02-30
            raise yaml.constructor.ConstructorError(
                None, None, f"unreadable value ({exc})", node.start_mark) from exc
    except RecursionError as exc:
        raise LimitExceeded(f"nested too deeply (the limit is {max_nesting})") from exc
    finally:
        loader.dispose()


#: PyYAML's safe loader, libyaml's when it is there (several times faster).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _measure(root: yaml.Node) -> tuple[int, int, int]:
    """Written nodes, nodes after alias expansion, and the depth of a composed YAML graph,
    level by level: a level's nodes are listed at C speed, so a large document costs a
    fraction of a node-by-node walk. Where aliases expand the levels beyond the budget (a
    bomb, a cycle), the exact walk below measures it without expanding anything."""
    seen: set[int] = set()
    level, expanded, depth = [root], 0, 0
    while level:
        depth += 1
        expanded += len(level)
        seen.update(map(id, level))
        if expanded > YAML_EXPANSION * len(seen) + YAML_EXPANSION_MARGIN:
            return _measure_exact(root)
        below: list[yaml.Node] = []
        for node in level:
            if isinstance(node.value, list):
                below.extend(chain.from_iterable(node.value)
                             if isinstance(node, yaml.MappingNode) else node.value)
        level = below
    return len(seen), expanded, depth


def _measure_exact(root: yaml.Node) -> tuple[int, int, int]:
    """What ``_measure`` returns, node by node without recursion (the graph may be deep) and
    in time linear in its written size."""
    expanded: dict[int, int] = {}
    depth_of: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        children = _children(node)
        if not children_done:
            if key in expanded:
                continue
            if key in open_nodes:
                raise LimitExceeded("an alias refers to a node that contains it (a cycle)")
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in expanded)
            continue
        open_nodes.discard(key)
        expanded[key] = 1 + sum(expanded[id(c)] for c in children)
        depth_of[key] = 1 + max((depth_of[id(c)] for c in children), default=0)
    return len(expanded), expanded[id(root)], depth_of[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []
