"""Regular expressions built from word lists, shared by the stages that match words."""

from __future__ import annotations

import re
from collections.abc import Iterable


def literal_trie(phrases: Iterable[str]) -> str:
    """A regex for any of the literal ``phrases`` (a space stands for ``\\s+``), branching one
    character at a time, longest first. Python's engine tries the branches of an alternation one
    by one; as a trie, an ordinary word is rejected after a few comparisons instead of one per
    phrase."""
    root: dict[str, dict] = {}
    for phrase in phrases:
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + emit(child)
                for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        if len(alts) == 1 and "" not in node:
            return alts[0]
        return "(?:" + "|".join(alts) + (")?" if "" in node else ")")

    return emit(root)
