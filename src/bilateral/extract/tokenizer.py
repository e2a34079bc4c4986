"""spaCy's tokenizer, kept linear on long runs without spaces.

spaCy peels prefixes and suffixes off a whitespace-delimited chunk one at a time, copying the
rest of the chunk each time, so a chunk of n punctuation marks costs n² (12,000 opening
brackets take seconds, 100 KB of quotation marks minutes). Words are short; a chunk longer than
``LONG_CHUNK`` characters is a URL, a run of symbols or garbage, and is split here in one linear
pass instead: runs of letters and digits joined by inner punctuation (a URL's host and path)
stay whole, every other character is a token of its own, as spaCy would make it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.tokens import Doc
from spacy.vocab import Vocab

LONG_CHUNK = 64
_LONG = re.compile(rf"\S{{{LONG_CHUNK + 1},}}")
_PIECE = re.compile(r"[^\W_]+(?:[./:@_'’-][^\W_]+)*|\S")


class BoundedTokenizer:
    """Wraps a spaCy tokenizer; texts without long chunks go to it unchanged."""

    def __init__(self, tokenizer: Callable[[str], Doc], vocab: Vocab) -> None:
        self.tokenizer = tokenizer
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        if _LONG.search(text) is None:
            return self.tokenizer(text)
        words: list[str] = []
        spaces: list[bool] = []
        done = 0
        for chunk in _LONG.finditer(text):
            self._tokens(text[done:chunk.start()], words, spaces)
            for piece in _PIECE.finditer(chunk.group()):
                words.append(piece.group())
                spaces.append(False)
            done = chunk.end()
        self._tokens(text[done:], words, spaces)
        return Doc(self.vocab, words=words, spaces=spaces)

    def _tokens(self, part: str, words: list[str], spaces: list[bool]) -> None:
        """Append spaCy's tokens of ``part``; a space that follows a long chunk becomes the
        chunk's trailing space, as it would have been had spaCy seen them together."""
        if part[:1] == " " and words and not spaces[-1]:
            spaces[-1] = True
            part = part[1:]
        for token in self.tokenizer(part):
            words.append(token.text)
            spaces.append(bool(token.whitespace_))
