"""From an annotated Doc to records: a pure function, testable without a database."""

from __future__ import annotations

from spacy.tokens import Doc

from bilateral.records import Document, Event, Extraction, Observation


def to_extraction(doc: Doc, document: Document) -> Extraction:
    """The observations and events the stages found, each with its quote and span."""
    text = document.text
    observations = tuple(
        Observation(doc_id=document.id, indicator=m.indicator, value=m.value, unit=m.unit,
                    status=m.status, when=m.when, quote=text[m.start:m.end], start=m.start,
                    end=m.end, rule=m.rule, actor=m.actor, note=m.note)
        for m in doc._.observations or ())
    events = tuple(
        Event(doc_id=document.id, type=m.type, source=m.source, target=m.target, when=m.when,
              quote=text[m.start:m.end], start=m.start, end=m.end, rule=m.rule,
              source_actor=m.source_actor, target_actor=m.target_actor, trigger=m.trigger)
        for m in doc._.events or ())
    return Extraction(document=document, observations=observations, events=events)
