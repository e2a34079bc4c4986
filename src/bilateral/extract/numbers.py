"""Time expressions and quantities as Doc spans, each carrying its resolved value.

The parsing itself lives in ``times`` and ``quantities`` (pure functions over text); these
stages only place their results on the Doc.
"""

from __future__ import annotations

from collections import Counter

from spacy.tokens import Doc

from bilateral.extract.quantities import find_quantities
from bilateral.extract.times import TimeExpr, find_times


class TimeStage:
    name = "times"
    requires = ("layout",)
    assigns = ("times",)

    def __call__(self, doc: Doc) -> Doc:
        text = doc._.layout.text
        published = doc._.document.published if doc._.document else None
        found = find_times(text, published)
        if published is None:
            year = reference_year(found)
            if year is not None:
                found = find_times(text, year)
        doc._.times = found
        doc.spans["times"] = _spans(doc, doc._.times)
        return doc


class QuantityStage:
    name = "quantities"
    requires = ("layout",)
    assigns = ("quantities",)

    def __call__(self, doc: Doc) -> Doc:
        doc._.quantities = find_quantities(doc._.layout.text)
        doc.spans["quantities"] = _spans(doc, doc._.quantities)
        return doc


def reference_year(times: list[TimeExpr]) -> str | None:
    """For an undated article, the year its own dated statements are mostly about: "On April
    3" is then read in that year, as a reader would. Deadlines and fiscal years do not count
    (they point ahead); the most frequent year wins, the later one on a tie."""
    years = Counter(t.value[:4] for t in times if t.value and t.kind == "date")
    if not years:
        return None
    return max(years.items(), key=lambda item: (item[1], item[0]))[0]


def _spans(doc: Doc, found: list) -> list:
    spans = (doc.char_span(i.start, i.end, alignment_mode="expand") for i in found)
    return [s for s in spans if s is not None]
