"""The extractor: a spaCy ``Doc`` passed through rule-based stages, then turned into records.

Each stage declares what it needs and what it adds (as spaCy components do with
``requires``/``assigns``); the pipeline checks the order when it is built, so a misordered
pipeline fails at once with a clear message instead of producing empty results.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

import spacy
from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc

from bilateral.dossier import Dossier, load_dossier
from bilateral.errors import ExtractionError, OverBudget
from bilateral.extract.model import Model, load_model
from bilateral.extract.tokenizer import BoundedTokenizer
from bilateral.limits import (
    EXTRACTION_SECONDS,
    MAX_TEXT_CHARS,
    LimitExceeded,
    check_text,
    first_surrogate,
    parse_period,
)
from bilateral.records import Document, Extraction, Rejection

# Typed stage outputs live in Doc extensions (lists of frozen values); ``doc.spans`` holds the
# same places as spans for display. Span extensions are not used: spaCy keys them by character
# offsets, so two values at the same place would overwrite each other.
for _name in ("document", "deadline", "layout", "actors", "times", "quantities", "observations",
              "events"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def mark_line_breaks(doc: Doc, text: str) -> None:
    """A line break ends a sentence: headlines, datelines and list items carry no full stop."""
    if "\n" not in text or len(doc) < 2:
        return
    starts = doc.to_array(IDX).tolist()
    for match in _LINE_BREAK.finditer(text):
        i = bisect_left(starts, match.end())
        if 0 < i < len(doc) and not doc[i].is_space:
            doc[i].is_sent_start = True


_LINE_BREAK = re.compile(r"\n\s*")


class Stage(Protocol):
    """One extraction stage: reads what ``requires`` names, adds what ``assigns`` names."""

    name: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]

    def __call__(self, doc: Doc) -> Doc: ...


def build_stages(dossier: Dossier, model: Model | None = None) -> list[Stage]:
    """The default stages, in order, with the decisions of ``model`` (rules when None)."""
    from bilateral.extract.actors import ActorStage
    from bilateral.extract.events import EventStage
    from bilateral.extract.numbers import QuantityStage, TimeStage
    from bilateral.extract.observations import ObservationStage

    return [ActorStage(dossier), TimeStage(), QuantityStage(),
            ObservationStage(dossier, status=model.status if model else None,
                             when=model.when if model else None,
                             indicator=model.indicator if model else None),
            EventStage(dossier, when=model.event_when if model else None,
                       event_type=model.event_type if model else None,
                       pair=model.pair if model else None,
                       factuality=model.factuality if model else None)]


def check_order(stages: list[Stage], provided: Iterable[str] = ("sents", "layout")) -> None:
    """Fail early when a stage would run before the stage that provides what it needs."""
    have = set(provided)
    for stage in stages:
        missing = [need for need in stage.requires if need not in have]
        if missing:
            raise ExtractionError(
                f"stage {stage.name!r} needs {', '.join(missing)}, which no earlier stage "
                f"assigns; put the stage that assigns it before {stage.name!r}")
        have.update(stage.assigns)


class Extractor:
    """Document + dossier in, records out; ``model`` chooses how each contextual decision is
    made (a model directory, ``default`` or ``rules``; see ``bilateral.extract.model``).

    A document the extractor cannot take (a text over ``MAX_TEXT_CHARS``, a character no
    encoding can store, a publication date that is no date) raises ``ExtractionError`` before
    any work; one that runs past ``budget`` seconds raises ``OverBudget`` at the next stage.
    """

    def __init__(self, dossier: Dossier | str = "us-japan",
                 stages: list[Stage] | None = None, *,
                 model: Model | str | Path | None = None,
                 budget: float = EXTRACTION_SECONDS) -> None:
        self.dossier = load_dossier(dossier) if isinstance(dossier, str) else dossier
        self.model = model if isinstance(model, Model) else load_model(model)
        self.nlp: Language = spacy.blank("en")
        self.nlp.tokenizer = BoundedTokenizer(self.nlp.tokenizer, self.nlp.vocab)
        self.nlp.max_length = MAX_TEXT_CHARS
        self.nlp.add_pipe("sentencizer")
        self.stages = stages if stages is not None else build_stages(self.dossier, self.model)
        self.budget = budget
        check_order(self.stages)

    @property
    def version(self) -> str:
        """Which code and which model make this extractor's records:
        ``<package>+<code digest>/<model>@<weights digest>``."""
        from bilateral.extract.provenance import extractor_version

        return f"{extractor_version()}/{self.model.name}@{self.model.digest[:12]}"

    def annotate(self, document: Document) -> Doc:
        """The document as a spaCy Doc carrying every stage's annotations."""
        deadline = time.monotonic() + self.budget
        _check_document(document)
        return self._run(self.nlp(document.text), document, deadline)

    def extract(self, document: Document) -> Extraction:
        from bilateral.extract.records import to_extraction

        return to_extraction(self.annotate(document), document)

    def pipe(self, documents: Iterable[Document], *,
             on_error: Callable[[Document, ExtractionError], None] | None = None
             ) -> Iterator[Extraction]:
        """Extract many documents. With ``on_error``, a document that fails is handed to it
        and the rest go on (as spaCy's ``nlp.pipe`` error handler does); without, the error
        is raised."""
        for document in documents:
            try:
                yield self.extract(document)
            except ExtractionError as exc:
                if on_error is None:
                    raise
                on_error(document, exc)

    def _run(self, doc: Doc, document: Document, deadline: float) -> Doc:
        from bilateral.extract.context import Layout, check_budget

        doc._.document = document
        doc._.deadline = deadline
        mark_line_breaks(doc, document.text)
        doc._.layout = Layout(doc, document.text)
        for stage in self.stages:
            check_budget(doc, stage.name)
            try:
                doc = stage(doc)
            except ExtractionError:
                raise
            except Exception as exc:
                raise ExtractionError(f"{type(exc).__name__}: {exc}", doc_id=document.label,
                                      stage=stage.name) from exc
        return doc


def rejection(document: Document, exc: ExtractionError) -> Rejection:
    """How a batch reports a document the extractor refused or failed on, and goes on."""
    code = "over-budget" if isinstance(exc, OverBudget) else "extraction-failed"
    return Rejection(document.origin or document.id, exc.message, code)


def _check_document(document: Document) -> None:
    """Refuse what no stage can take, with the reason, before any work."""
    label = getattr(document, "label", None)
    if not isinstance(document, Document) or not isinstance(document.text, str):
        raise ExtractionError(f"expected a Document with a text, got {type(document).__name__}",
                              doc_id=label, stage="input")
    try:
        check_text(document.text)
        if (at := first_surrogate(document.text)) is not None:
            raise LimitExceeded(f"the text holds a lone surrogate (U+{ord(document.text[at]):04X}"
                                f" at character {at}), which is no character; replace it "
                                f"(e.g. with U+FFFD) first")
        if document.published is not None:
            parse_period(str(document.published), "published", publication=True)
    except LimitExceeded as exc:
        raise ExtractionError(str(exc), doc_id=label, stage="input") from exc
