"""Write what the extractor finds in the interchange format (spec v1), without a store."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bilateral.dossier import Dossier
from bilateral.errors import ExtractionError, InputError
from bilateral.extract.pipeline import Extractor, rejection
from bilateral.ingest.readers import discover, read
from bilateral.records import Document, Rejection


@dataclass
class ExtractReport:
    documents: int = 0
    observations: int = 0
    events: int = 0
    rejections: list[Rejection] = field(default_factory=list)


def extract_paths(paths: Iterable[str | Path], dossier: Dossier, *,
                  model: str | Path | None = None,
                  report: ExtractReport | None = None,
                  progress: Callable[[int, int], None] | None = None) -> Iterator[dict[str, Any]]:
    """Interchange records for every readable document under ``paths``, in input order."""
    report = report if report is not None else ExtractReport()
    extractor = Extractor(dossier, model=model)
    sources = list(discover(paths))
    total = sum(s.stat().st_size for s in sources if isinstance(s, Path))
    done = 0
    for source in sources:
        if isinstance(source, Rejection):
            report.rejections.append(source)
            continue
        for item in read(source):
            done += item.size
            if isinstance(item.result, Rejection):
                report.rejections.append(item.result)
                continue
            record = _record(extractor, item.result, report)
            if record is not None:
                yield record
            if progress:
                progress(min(done, total), total)


def write_interchange(paths: Iterable[str | Path], out: Path, dossier: Dossier, *,
                      model: str | Path | None = None,
                      progress: Callable[[int, int], None] | None = None) -> ExtractReport:
    """Extract and write one JSON line per document; the file appears whole or not at all."""
    report = ExtractReport()
    out = Path(out)
    temporary = out.with_name(out.name + ".partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("w", encoding="utf-8") as handle:
            for record in extract_paths(paths, dossier, model=model, report=report,
                                        progress=progress):
                # no NaN or Infinity: they are not JSON, and a figure is always finite
                handle.write(json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n")
        os.replace(temporary, out)
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        temporary.unlink(missing_ok=True)
    return report


def _record(extractor: Extractor, document: Document,
            report: ExtractReport) -> dict[str, Any] | None:
    """The document's interchange record; None, with the rejection reported, when the
    extractor refused it (over its budget, or a stage failed)."""
    try:
        extraction = extractor.extract(document)
    except ExtractionError as exc:
        report.rejections.append(rejection(document, exc))
        return None
    report.documents += 1
    report.observations += len(extraction.observations)
    report.events += len(extraction.events)
    return extraction.interchange()
