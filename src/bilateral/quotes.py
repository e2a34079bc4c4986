"""The sentence a reader sees around a record's evidence: the whole sentence that holds the
span, with the span marked inside it.

A record stores only its span (``start``/``end`` offsets into the document text) and a short
``quote``, which the interchange format keeps as it is (scoring matches on it). What a reader
needs is the sentence: "15%" means little without "under the July deal, the rate on cars falls
to". The sentence is cut from the stored text here, at display time, so a better sentence rule
changes every page without touching a record.

Sentences end at ``.``, ``!`` or ``?`` followed by a space and a capital, digit or opening
quote, and at a line break (headlines, datelines and list items carry no full stop, as the
extractor also assumes). A full stop after an initial or a common abbreviation ("U.S.", "Gen.",
"Jan.") ends nothing. A sentence longer than ``SENTENCE_CHARS`` either side of its span is cut
there, with an ellipsis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Any

#: Characters either side of a span beyond which a sentence is cut.
SENTENCE_CHARS = 400
ELLIPSIS = "…"

_BOUNDARY = re.compile(r"[.!?]+[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])|\n")
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Maj|Capt|Sgt|Adm|Gov|Sen|Rep|Rev|St|Mt|Ft|Jr"
    r"|Sr|Inc|Corp|Co|Ltd|No|Nos|vs|etc|approx|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
    r"|Fig|Vol|Art|Sec|Dept|Gov't))\.$")


@dataclass(frozen=True)
class Sentence:
    """A sentence with the evidence span inside it: ``text[start:end]`` is the span."""

    text: str
    start: int
    end: int

    @property
    def before(self) -> str:
        return self.text[:self.start]

    @property
    def marked(self) -> str:
        return self.text[self.start:self.end]

    @property
    def after(self) -> str:
        return self.text[self.end:]

    def holds(self, quote: str) -> bool:
        """Whether the marked span is ``quote`` (white space aside): a record whose offsets do
        not point at its own quote is shown by its quote, not by a wrong sentence."""
        return self.marked.split() == quote.split()

    def fit(self, width: int) -> Sentence:
        """The sentence cut to about ``width`` characters around its span, which stays whole:
        for a table cell, where the evidence section shows the whole sentence."""
        if len(self.text) <= width:
            return self
        room = max(0, width - (self.end - self.start))
        left = min(self.start, room // 2)
        right = min(len(self.text) - self.end, room - left)
        left = min(self.start, room - right)
        begin, finish = self.start - left, self.end + right
        head = ELLIPSIS if begin > 0 else ""
        tail = ELLIPSIS if finish < len(self.text) else ""
        text = head + self.text[begin:finish] + tail
        return Sentence(text, self.start - begin + len(head), self.end - begin + len(head))

    def one_line(self) -> Sentence:
        """The sentence with each run of white space (line breaks included) made one space and
        none at the span's edges, the span still marked: so copies wrapped differently read
        the same, and a marker around the span hugs its words."""
        before, marked, after = (" ".join(part.split()) for part in
                                 (self.before, self.marked, self.after))
        if before and (self.before[-1:].isspace() or self.marked[:1].isspace()):
            before += " "
        if after and (self.marked[-1:].isspace() or self.after[:1].isspace()):
            after = " " + after
        return Sentence(before + marked + after, len(before), len(before) + len(marked))

    def html(self) -> str:
        """Escaped HTML with the span in ``<mark>``."""
        return f"{escape(self.before)}<mark>{escape(self.marked)}</mark>{escape(self.after)}"

    def bracketed(self, left: str = "[", right: str = "]") -> str:
        """Plain text with the span between brackets (or other markers, e.g. ``**``)."""
        return f"{self.before}{left}{self.marked}{right}{self.after}"


def sentence_for(record: Any, sentences: dict[tuple[str, int, int], Sentence]
                 ) -> Sentence | None:
    """The sentence found for a record (anything with doc_id, start, end and quote), when its
    span holds its quote."""
    found = sentences.get((record.doc_id, record.start, record.end))
    return found if found is not None and found.holds(record.quote) else None


def sentence_around(text: str, start: int, end: int, *,
                    most: int = SENTENCE_CHARS) -> Sentence | None:
    """The whole sentence of ``text`` that holds ``text[start:end]``; None when the offsets
    lie outside the text (a record that does not belong to it)."""
    if not 0 <= start < end <= len(text):
        return None
    low, high = max(0, start - most), min(len(text), end + most)
    begin, finish = low, high
    for match in _BOUNDARY.finditer(text, low, high):
        if match.group() != "\n" and _ABBREVIATION.search(text, max(low, match.start() - 8),
                                                          match.start() + 1):
            continue
        if match.end() <= start:
            begin = match.end()
        elif match.start() >= end - 1 and match.end() >= end:
            finish = match.end() if match.group() != "\n" else max(match.start(), end)
            break
        # a boundary inside the span (a quote across a line break) ends nothing
    while begin < start and text[begin].isspace():
        begin += 1
    while finish > end and text[finish - 1].isspace():
        finish -= 1
    head = ELLIPSIS if begin == low and low > 0 else ""
    tail = ELLIPSIS if finish == high and high < len(text) else ""
    shown = head + text[begin:finish] + tail
    offset = len(head) - begin
    return Sentence(text=shown, start=start + offset, end=end + offset)
