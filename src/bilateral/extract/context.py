"""Where things sit in a Doc: sentence bounds and word windows, in character offsets."""

from __future__ import annotations

import re
import time
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from spacy.attrs import IDX, SENT_START
from spacy.tokens import Doc

from bilateral.extract.decisions import TimeOption
from bilateral.extract.patterns import literal_trie

WINDOW_WORDS = 12
#: How far back "earlier in the paragraph" reaches at most: a text without blank lines is not
#: one paragraph, and context that far away no longer speaks of the same thing.
MAX_PARAGRAPH_CHARS = 4_000
_BLANK_LINE = re.compile(r"(?=\n\n)")
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                       "\u00a0": " "})


class Layout:
    """Sentence and token boundaries of one Doc, for fast lookups by character offset.

    Built once per Doc from spaCy's arrays (no Token objects), then shared by the stages.
    """

    def __init__(self, doc: Doc, text: str) -> None:
        self.doc = doc
        self.text = text  # the Doc's text, passed in: spaCy rebuilds Doc.text on every access
        # What word rules match against: typographic quotes folded to ASCII, one character for
        # one, so every offset in it is an offset in ``text``.
        self.match_text = fold(text)
        if len(doc) == 0:
            self._token_starts: list[int] = []
            self.sentences = [(0, len(text))]
        else:
            starts, sent_flags = doc.to_array([IDX, SENT_START]).T.tolist()
            self._token_starts = starts
            firsts = [i for i, flag in enumerate(sent_flags) if flag == 1 or i == 0]
            ends = [*firsts[1:], len(doc)]
            self.sentences = [(starts[a], _token_end(doc, b - 1))
                              for a, b in zip(firsts, ends, strict=True)]
        self._sent_starts = [s for s, _ in self.sentences]
        self._paragraph_starts = [m.start() + 2 for m in _BLANK_LINE.finditer(text)]

    def paragraph_start(self, offset: int) -> int:
        """Where the paragraph holding ``offset`` begins (after the last blank line), at most
        ``MAX_PARAGRAPH_CHARS`` back."""
        i = bisect_right(self._paragraph_starts, offset) - 1
        return max(self._paragraph_starts[i] if i >= 0 else 0, offset - MAX_PARAGRAPH_CHARS)

    def sentence(self, offset: int) -> tuple[int, int]:
        """Character bounds of the sentence holding ``offset``."""
        return self.sentences[max(0, bisect_right(self._sent_starts, offset) - 1)]

    def window(self, start: int, end: int, words: int = WINDOW_WORDS,
               after: int | None = None) -> tuple[int, int]:
        """Up to ``words`` tokens before [start, end) and ``after`` (default: as many) after
        it, inside the sentence and not across a semicolon."""
        after = words if after is None else after
        s_start, s_end = self.sentence(start)
        doc = self.doc
        first = max(0, bisect_right(self._token_starts, start) - 1)
        last = max(first, bisect_right(self._token_starts, max(start, end - 1)) - 1)
        lo = first
        while lo > 0 and first - lo < words and doc[lo - 1].idx >= s_start \
                and doc[lo - 1].text != ";":
            lo -= 1
        while lo < first and (doc[lo].is_punct or doc[lo].is_space):
            lo += 1  # a quote starts at a word, not at the comma before it
        hi = last
        while hi + 1 < len(doc) and hi - last < after and doc[hi + 1].idx < s_end \
                and doc[hi + 1].text != ";":
            hi += 1
        return doc[lo].idx, doc[hi].idx + len(doc[hi].text)


def fold(text: str) -> str:
    """``text`` as the rules match it: typographic quotes folded to ASCII, offsets kept."""
    return text.translate(_FOLD)


def report_month(published: str | None) -> str | None:
    """The month a document was published: when a claim or event with no time of its own
    was made, as far as the report says."""
    return published[:7] if published else None


#: Kinds of time that point ahead (a deadline, a fiscal year) rather than say when a thing was.
AHEAD = ("deadline", "fiscal")


def times_in(times, start: int, end: int, *, ahead: bool = True) -> list:
    """The resolved times that start in [start, end); with ``ahead`` false, without deadlines
    and fiscal years. ``times`` is sorted by start, as the time stage leaves it."""
    first = bisect_left(times, start, key=_start)
    last = bisect_left(times, end, lo=first, key=_start)
    return [t for t in times[first:last] if t.value and (ahead or t.kind not in AHEAD)]


def span_gap(a: int, b: int, start: int, end: int) -> int:
    """Characters between the spans [a, b) and [start, end); 0 when they overlap."""
    return start - b if b <= start else max(0, a - end)


def starting_in(items: list, start: int, end: int) -> list:
    """The items (mentions, quantities: anything sorted by ``start``) starting in [start, end)."""
    first = bisect_left(items, start, key=_start)
    return items[first:bisect_left(items, end, lo=first, key=_start)]


def check_budget(doc: Doc, stage: str | None = None) -> None:
    """Stop a document whose extraction has run past its deadline (set by the extractor);
    the extractor calls it before each stage, stages once per candidate, so no single
    document holds a worker for long."""
    deadline = doc._.deadline
    if deadline is not None and time.monotonic() > deadline:
        from bilateral.errors import OverBudget

        document = doc._.document
        where = f" before stage {stage!r}" if stage else ""
        raise OverBudget(f"extraction took longer than its time budget and was stopped{where}",
                         doc_id=document.label if document else None, stage=stage)


def _start(item) -> int:
    return item.start


def time_earlier_in_paragraph(times, layout: Layout, s_start: int) -> str | None:
    """The latest point in time stated earlier in the paragraph of the sentence at ``s_start``
    ("On April 2 Trump set out his tariffs. Japan's rate was 24%."); deadlines and fiscal
    years point ahead and do not count."""
    earlier = times_in(times, layout.paragraph_start(s_start), s_start, ahead=False)
    return earlier[-1].value if earlier else None


def time_options(offset: int, times, layout: Layout, reported: str | None,
                 chosen: str | None) -> tuple[TimeOption, ...]:
    """The times what stands at ``offset`` (a figure, an event's trigger) may refer to: those
    stated in its sentence, the latest stated earlier in its paragraph, the report's month,
    the rules' ``chosen`` one and none; what the when decision chooses from."""
    s_start, s_end = layout.sentence(offset)
    options = [TimeOption(t.value, "sentence", t.kind, (t.start, t.end))
               for t in times_in(times, s_start, s_end)]
    earlier = times_in(times, layout.paragraph_start(s_start), s_start, ahead=False)
    if earlier:
        options.append(TimeOption(earlier[-1].value, "paragraph", earlier[-1].kind,
                                  (earlier[-1].start, earlier[-1].end)))
    if reported:
        options.append(TimeOption(reported, "report"))
    if chosen is not None and all(o.value != chosen for o in options):
        options.append(TimeOption(chosen, "rules"))
    options.append(TimeOption(None, "none"))
    return tuple(options)


def _token_end(doc: Doc, i: int) -> int:
    token = doc[i]
    return token.idx + len(token.text)


def word_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One regex for a list of lowercase words and phrases; ``*`` at the end matches a prefix.
    The longest phrase that ends at a word's end wins; built as a trie, since the lists run to
    hundreds of phrases and each is tried at every word of every sentence."""
    return re.compile(r"(?<![\w])(?:" + word_trie(words) + r")(?![\w])")


def word_trie(words: Iterable[str]) -> str:
    """The trie of ``word_pattern`` without its anchors, for a regex that joins several."""
    phrases = {word.strip().lower() for word in words}
    return literal_trie(phrases, space=" ", prefix=r"[\w-]*")
