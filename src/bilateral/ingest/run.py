"""The ingest job: discover files, read them, skip what is stored, link near-duplicates,
extract records and write them in transactional batches.

Each batch is written in one transaction, so a crash leaves whole batches only; running the same
job again skips the documents already stored and completes the rest. The run's heartbeat is
refreshed with every batch and while a batch is extracted, so a killed ingest is told from a
slow one (see ``bilateral.store.RUN_LEASE``).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bilateral import __version__
from bilateral.dossier import Dossier
from bilateral.dossier.world import world_sha256
from bilateral.errors import ExtractionError
from bilateral.extract import Extractor
from bilateral.extract.pipeline import rejection
from bilateral.extract.provenance import dossier_sha256, provenance
from bilateral.ingest.identity import SKETCH_SIZE, similarity, sketch
from bilateral.ingest.readers import (
    DEFAULT_MAX_BYTES,
    SKIPPED,
    Item,
    discover,
    display_path,
    read,
)
from bilateral.limits import bounded
from bilateral.records import Document, Provenance, Rejection
from bilateral.store import RUN_LEASE, Store

#: Estimated Jaccard similarity of word shingles above which a text is a copy of another.
NEAR_DUPLICATE = 0.6
#: Sketch hashes two texts must share before their similarity is computed at all.
CANDIDATE_SHARED = SKETCH_SIZE // 4

Progress = Callable[[int, int], None]  # (bytes done, bytes total)

#: Seconds between heartbeats while a batch is being extracted: well inside the lease, rare
#: enough to cost nothing (a batch written beats as well).
HEARTBEAT_SECONDS = RUN_LEASE.total_seconds() / 5


class _Heartbeat:
    """Keeps a run alive while its batch is extracted, which can take long on huge texts."""

    def __init__(self, store: Store, run_id: int) -> None:
        self.store, self.run_id = store, run_id
        self.last = time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self.last >= HEARTBEAT_SECONDS:
            self.store.heartbeat(self.run_id)
            self.last = time.monotonic()


@dataclass
class IngestReport:
    """What one ingest run did; the CLI prints it and ``--report`` writes it as JSON."""

    run_id: int | None = None
    documents_read: int = 0
    documents_new: int = 0
    documents_existing: int = 0
    near_duplicates: int = 0
    observations: int = 0
    events: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when an input could not be used (files merely skipped in a folder do not count)."""
        return any(r.code != SKIPPED for r in self.rejections)

    def as_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id, "documents_read": self.documents_read,
            "documents_new": self.documents_new, "documents_existing": self.documents_existing,
            "near_duplicates": self.near_duplicates, "observations": self.observations,
            "events": self.events,
            "rejections": [{"origin": r.origin, "code": r.code, "reason": r.reason}
                           for r in self.rejections],
        }


def ingest(paths: Iterable[str | Path], store: Store, dossier: Dossier, *,
           batch_size: int = 200, max_bytes: int = DEFAULT_MAX_BYTES,
           progress: Progress | None = None,
           extractor: Extractor | None = None,
           model: str | Path | None = None) -> IngestReport:
    """Ingest files and folders into ``store``; bad inputs are reported, never fatal.

    ``extractor`` lets a long-running caller (a server, a folder watcher) build the pipeline
    once instead of per call; it must have been made from ``dossier``. ``model`` is the model
    directory (or built-in name) of the extractor made here."""
    extractor = extractor or Extractor(dossier, model=model)
    paths = list(paths)
    sources = list(discover(paths))
    total = sum(s.stat().st_size for s in sources if isinstance(s, Path))
    return _run(_items(sources), store, dossier, extractor, total=total, progress=progress,
                config={"paths": [display_path(Path(p)) for p in paths],
                        "batch_size": batch_size, "max_bytes": max_bytes},
                batch_size=batch_size)


def ingest_documents(results: Iterable[Document | Rejection], store: Store, dossier: Dossier, *,
                     config: dict[str, object] | None = None, batch_size: int = 200,
                     extractor: Extractor | None = None) -> IngestReport:
    """Ingest documents read elsewhere (a web page, a feed) as ``ingest`` does files: the same
    identity, near-duplicate links, run record and report; ``config`` is recorded with the
    run, to say where they came from."""
    extractor = extractor or Extractor(dossier)
    items = (Item(r, len(r.text.encode()) if isinstance(r, Document) else 0) for r in results)
    return _run(items, store, dossier, extractor, total=0, progress=None,
                config={**(config or {}), "batch_size": batch_size}, batch_size=batch_size)


def _run(items: Iterator[Item], store: Store, dossier: Dossier, extractor: Extractor, *,
         total: int, progress: Progress | None, config: dict[str, object],
         batch_size: int) -> IngestReport:
    report = IngestReport()
    report.run_id = store.begin_run("ingest", dossier.id, {
        **config,
        # which dossier, exactly, made these records: a run can be told apart and repeated
        "dossier_sha256": dossier_sha256(dossier),
        "model": extractor.model.name,
        "model_data_sha256": extractor.model.meta.get("data_sha256"),
        "gazetteer_sha256": world_sha256() if dossier.gazetteer else None,
        "version": __version__})
    beat = _Heartbeat(store, report.run_id)
    stamp = provenance(extractor, dossier)
    done = 0
    status, reason = "failed", None
    try:
        for batch in _batches(items, batch_size):
            documents = [i.result for i in batch if isinstance(i.result, Document)]
            rejections = [i.result for i in batch if isinstance(i.result, Rejection)]
            report.documents_read += len(documents)
            report.rejections.extend(rejections)
            _write(documents, rejections, store, extractor, report, beat, stamp)
            beat.last = time.monotonic()  # the batch written was a heartbeat
            done += sum(i.size for i in batch)
            if progress:
                progress(min(done, total), total)
        status = "completed"
    except BaseException as exc:
        reason = bounded(f"{type(exc).__name__}: {exc}".rstrip(": "))
        raise
    finally:
        store.finish_run(report.run_id, status, {k: v for k, v in report.as_dict().items()
                                                 if isinstance(v, int)}, reason=reason)
    return report


def _items(sources: list[Path | Rejection]) -> Iterator[Item]:
    for source in sources:
        if isinstance(source, Rejection):
            yield Item(source, 0)
        else:
            yield from read(source)


def _batches(items: Iterator[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write(documents: list[Document], rejections: list[Rejection], store: Store,
           extractor: Extractor, report: IngestReport,
           beat: Callable[[], None] = lambda: None,
           stamp: Provenance | None = None) -> None:
    stored = store.has_documents([d.id for d in documents])
    fresh: dict[str, Document] = {}
    for document in documents:
        if document.id in stored or document.id in fresh:
            report.documents_existing += 1
        else:
            fresh[document.id] = document
    failed: list[Rejection] = []

    def reject(document: Document, exc: ExtractionError) -> None:
        failed.append(rejection(document, exc))
        beat()

    extractions = []
    for extraction in extractor.pipe(fresh.values(), on_error=reject):
        extractions.append(extraction)
        beat()
    report.rejections.extend(failed)
    rejections = [*rejections, *failed]
    hashes = {doc_id: sketch(document.text) for doc_id, document in fresh.items()}
    stored_originals = _candidates(hashes, store)
    batch_originals: dict[str, list[int]] = {}  # originals of this batch, not yet stored
    items = []
    for extraction in extractions:
        doc_id = extraction.document.id
        candidates = {**stored_originals.get(doc_id, {}),
                      **{other: own for other, own in batch_originals.items()
                         if len(set(own) & set(hashes[doc_id])) >= CANDIDATE_SHARED}}
        original, score = _original_of(hashes[doc_id], candidates)
        if original is None:
            batch_originals[doc_id] = hashes[doc_id]
        items.append((extraction, hashes[doc_id], original, score))
        report.near_duplicates += original is not None
        report.observations += len(extraction.observations)
        report.events += len(extraction.events)
    result = store.write_batch(report.run_id, items, rejections, stamp)
    report.documents_new += result.new_documents
    report.documents_existing += result.skipped_existing


def _candidates(hashes: dict[str, list[int]], store: Store) -> dict[str, dict[str, list[int]]]:
    """Per new text, the stored originals that share enough sketch hashes, with their sketches;
    two queries for the whole batch."""
    holders: dict[int, list[str]] = defaultdict(list)  # hash -> stored originals holding it
    for other, held in store.sketch_postings({h for hs in hashes.values() for h in hs}).items():
        for h in held:
            holders[h].append(other)
    # A text is never its own original: another ingest of the same files may have stored it
    # since this batch looked (write_batch then skips it as stored).
    shared = {doc_id: [other for other, count in
                       Counter(o for h in own for o in holders.get(h, ())).items()
                       if count >= CANDIDATE_SHARED and other != doc_id]
              for doc_id, own in hashes.items()}
    needed = {other for others in shared.values() for other in others}
    stored = store.sketches(needed) if needed else {}
    return {doc_id: {other: stored[other] for other in others}
            for doc_id, others in shared.items() if others}


def _original_of(hashes: list[int],
                 candidates: dict[str, list[int]]) -> tuple[str | None, float | None]:
    """The candidate original this text nearly copies, if any: the most similar above the bar."""
    best: tuple[str | None, float] = (None, 0.0)
    for doc_id, other in candidates.items():
        score = similarity(hashes, other)
        if score >= NEAR_DUPLICATE and score > best[1]:
            best = (doc_id, score)
    return (best[0], round(best[1], 3)) if best[0] else (None, None)
