"""Extraction: a spaCy pipeline of rule-based stages that turns a Document into records."""

from bilateral.extract.pipeline import Extractor

__all__ = ["Extractor"]
