"""Regular expressions built from word lists, shared by the stages that match words."""

from __future__ import annotations

import re
from collections.abc import Iterable


def literal_trie(phrases: Iterable[str], *, space: str = r"\s+",
                 prefix: str | None = None) -> str:
    """A regex for any of the literal ``phrases`` (a space stands for ``space``), branching one
    character at a time, longest first. Python's engine tries the branches of an alternation one
    by one; as a trie, an ordinary word is rejected after a few comparisons instead of one per
    phrase. With ``prefix`` (a regex), a phrase ending in ``*`` matches any continuation that
    ``prefix`` matches, tried after every longer literal phrase."""
    root: dict[str, dict] = {}
    for phrase in phrases:
        node = root
        wild = prefix is not None and phrase.endswith("*")
        for ch in phrase[:-1] if wild else phrase:
            node = node.setdefault(ch, {})
        node[_PREFIX if wild else ""] = {}

    def emit(node: dict[str, dict]) -> str:
        alts = [(space if ch == " " else re.escape(ch)) + emit(child)
                for ch, child in sorted(node.items()) if ch and ch != _PREFIX]
        if _PREFIX in node:
            alts.append(prefix or "")
        if not alts:
            return ""
        if len(alts) == 1 and "" not in node:
            return alts[0]
        return "(?:" + "|".join(alts) + (")?" if "" in node else ")")

    return emit(root)


#: The trie's mark for a phrase ending in ``*`` (no character of a phrase is the empty string
#: and this one is not a single character, so it cannot collide).
_PREFIX = "**"
