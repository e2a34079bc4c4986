"""Time expressions and quantities as Doc spans, each carrying its resolved value.

The parsing itself lives in ``times`` and ``quantities`` (pure functions over text); these
stages only place their results on the Doc.
"""

from __future__ import annotations

from spacy.tokens import Doc

from bilateral.extract.quantities import find_quantities
from bilateral.extract.times import find_times


class TimeStage:
    name = "times"
    requires = ("layout",)
    assigns = ("times",)

    def __call__(self, doc: Doc) -> Doc:
        published = doc._.document.published if doc._.document else None
        doc._.times = find_times(doc._.layout.text, published)
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


def _spans(doc: Doc, found: list) -> list:
    spans = (doc.char_span(i.start, i.end, alignment_mode="expand") for i in found)
    return [s for s in spans if s is not None]
