"""Ingest throughput: the example corpus repeated to N documents, into a fresh store.

Each copy gets a distinct first line, so every copy is a new document (and a near-duplicate of
its original, which exercises the duplicate lookup as real syndicated news does).

    python bench/ingest_throughput.py                 # 2,100 documents into a temporary SQLite
    python bench/ingest_throughput.py --docs 5000 --db postgresql://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from bilateral.demo import example_corpus
from bilateral.dossier import load_dossier
from bilateral.extract import Extractor
from bilateral.ingest.readers import discover, read
from bilateral.ingest.run import ingest
from bilateral.records import Document
from bilateral.store import open_store, resolve_url


def example_documents() -> list[Document]:
    documents = []
    for path in discover([example_corpus()]):
        documents += [i.result for i in read(path) if isinstance(i.result, Document)]
    return documents


def write_corpus(folder: Path, total: int) -> int:
    """A JSONL corpus of ``total`` documents; returns its size in bytes."""
    originals = example_documents()
    path = folder / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(total):
            base = originals[i % len(originals)]
            handle.write(json.dumps({
                "doc_id": f"bench-{i:06d}", "title": base.title, "source": base.source,
                "published": base.published,
                "text": f"Bench copy {i} of {base.label}.\n{base.text}"}) + "\n")
    return path.stat().st_size


@contextmanager
def fresh_store_url(url: str | None, folder: Path, *,
                    application_name: str | None = None) -> Iterator[str]:
    """A temporary SQLite file, or a schema of its own in the given PostgreSQL database that
    is dropped afterwards, so the benchmark never mixes with stored data; its PostgreSQL
    connections carry ``application_name`` when one is given, for a watcher to find them."""
    if url is None or not url.startswith("postgresql"):
        yield url or f"sqlite:///{folder / 'bench.db'}"
        return
    admin = create_engine(resolve_url(url))
    schema = f"bilateral_bench_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        query = {"options": f"-csearch_path={schema}"}
        if application_name:
            query["application_name"] = application_name
        scoped = admin.url.update_query_dict(query)
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2100, help="documents to ingest")
    parser.add_argument("--db", help="store URL (default: a temporary SQLite file)")
    parser.add_argument("--batch-size", type=int, default=200)
    args = parser.parse_args()

    dossier = load_dossier("us-japan")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        size = write_corpus(folder, args.docs)
        documents = [i.result for i in read(folder / "corpus.jsonl")]

        extractor = Extractor(dossier)
        started = time.perf_counter()
        records = sum(len(e.observations) + len(e.events) for e in extractor.pipe(documents))
        extract_seconds = time.perf_counter() - started

        with fresh_store_url(args.db, folder) as url:
            store = open_store(url)
            started = time.perf_counter()
            report = ingest([folder / "corpus.jsonl"], store, dossier, batch_size=args.batch_size)
            ingest_seconds = time.perf_counter() - started
            store.close()

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"corpus              {args.docs:,} documents, {size / 1e6:.1f} MB "
          f"({len(example_documents())} originals repeated)")
    print(f"extract only        {args.docs / extract_seconds:,.0f} docs/s "
          f"({extract_seconds:.2f} s, {records:,} records)")
    print(f"ingest into store   {report.documents_new / ingest_seconds:,.0f} docs/s "
          f"({ingest_seconds:.2f} s, {report.documents_new:,} new, "
          f"{report.near_duplicates:,} near-duplicates, {store.dialect})")
    print(f"peak memory         {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
