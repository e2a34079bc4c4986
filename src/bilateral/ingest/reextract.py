"""Re-extraction: the current extractor and dossier applied again to the documents already
stored, their observations and events replaced.

Documents are read in batches (in id order); each batch's records are replaced in one
transaction, with the run's rejections and heartbeat, so a process killed mid-way leaves every
document with either its old records or its new ones, never a mix and never none. Running it
again re-extracts everything and, with the same extractor and dossier, writes the same rows:
record ids are content hashes. A document the extractor refuses or fails on keeps its old
records and is reported as a rejection with the reason; the batch goes on.

Analyses are computed from the records on demand; the server's cached answers are keyed by the
store's version, which a replacing run changes with every batch it writes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bilateral import __version__
from bilateral.dossier import Dossier
from bilateral.errors import ExtractionError, InputError
from bilateral.extract import Extractor
from bilateral.extract.pipeline import rejection
from bilateral.extract.provenance import provenance
from bilateral.ingest.run import _Heartbeat
from bilateral.limits import bounded
from bilateral.records import Document, Extraction, Provenance, Rejection
from bilateral.store import Store
from bilateral.store.store import REPLACING_KIND

#: Documents whose records are replaced in one transaction.
BATCH_SIZE = 100

Progress = Callable[[int, int], None]  # (documents done, documents total)


@dataclass
class ReextractReport:
    """What one re-extraction did; the CLI prints it and ``--json`` gives it whole."""

    run_id: int | None = None
    extractor_version: str | None = None
    dossier_sha256: str | None = None
    documents: int = 0  # documents read
    replaced: int = 0  # documents whose records were replaced
    observations: int = 0  # observations they have now
    events: int = 0
    removed_observations: int = 0  # observations they had before
    removed_events: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.rejections)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "extractor_version": self.extractor_version,
            "dossier_sha256": self.dossier_sha256, "documents": self.documents,
            "replaced": self.replaced, "observations": self.observations, "events": self.events,
            "removed_observations": self.removed_observations,
            "removed_events": self.removed_events,
            "rejections": [{"origin": r.origin, "code": r.code, "reason": r.reason}
                           for r in self.rejections],
        }


def make_extractor(dossier: Dossier, model: str | Path | None = None) -> Extractor:
    """The extractor for ``dossier`` with ``model`` (a model directory, a built-in model's
    name, or None for the default)."""
    return Extractor(dossier, model=model)


def reextract(store: Store, dossier: Dossier, *, batch_size: int = BATCH_SIZE,
              model: str | Path | None = None, extractor: Extractor | None = None,
              progress: Progress | None = None) -> ReextractReport:
    """Re-extract every stored document with ``dossier`` and replace its records.

    ``model`` is passed to the extractor's constructor (see ``make_extractor``); ``extractor``,
    an extractor already built from ``dossier``, is used as it is. A store error stops the
    run (marked failed, with its reason); the batches written before it stay written."""
    if batch_size < 1:
        raise InputError(f"batch_size must be at least 1, not {batch_size}")
    extractor = extractor or make_extractor(dossier, model)
    stamp = provenance(extractor, dossier)
    report = ReextractReport(extractor_version=stamp.extractor_version,
                             dossier_sha256=stamp.dossier_sha256)
    total = store.count_documents()
    report.run_id = store.begin_run(REPLACING_KIND, dossier.id, {
        "batch_size": batch_size, "model": None if model is None else str(model),
        "extractor_version": stamp.extractor_version, "dossier_sha256": stamp.dossier_sha256,
        "version": __version__})
    beat = _Heartbeat(store, report.run_id)
    status, reason = "failed", None
    try:
        for batch in store.document_batches(batch_size):
            _replace([doc.as_document() for doc in batch], store, extractor, stamp, report, beat)
            beat.last = time.monotonic()  # the batch written was a heartbeat
            if progress:
                progress(report.documents, total)
        status = "completed"
    except BaseException as exc:
        reason = bounded(f"{type(exc).__name__}: {exc}".rstrip(": "))
        raise
    finally:
        store.finish_run(report.run_id, status,
                         {k: v for k, v in report.as_dict().items() if isinstance(v, int)},
                         reason=reason)
    return report


def _replace(documents: list[Document], store: Store, extractor: Extractor, stamp: Provenance,
             report: ReextractReport, beat: Callable[[], None]) -> None:
    failed: list[Rejection] = []

    def reject(document: Document, exc: ExtractionError) -> None:
        failed.append(rejection(document, exc))
        beat()

    extractions: list[Extraction] = []
    for extraction in extractor.pipe(documents, on_error=reject):
        extractions.append(extraction)
        beat()
    assert report.run_id is not None
    result = store.replace_records(report.run_id, extractions, failed, stamp)
    report.documents += len(documents)
    report.replaced += result.documents
    report.observations += result.observations
    report.events += result.events
    report.removed_observations += result.removed_observations
    report.removed_events += result.removed_events
    report.rejections.extend(failed)
