"""Spark scaling: documents per second of plain extraction (the library path of
``bilateral extract``) and of ``bilateral spark ingest`` on ``local[1]`` and ``local[2]``, on a
synthetic corpus (tests/spark_corpus.py), with the speed-up of two cores over one and what
Spark adds per document over plain extraction.

    python bench/spark_scaling.py                     # 20,000 documents
    python bench/spark_scaling.py --documents 2000

Each Spark run is a fresh session (a JVM and Python workers started, the extractor built per
worker), so the figures include Spark's start-up as a user pays it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bilateral.dossier import load_dossier
from bilateral.engines.spark import spark_ingest, start_session
from bilateral.extract.interchange import write_interchange
from spark_corpus import write_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = write_corpus(root / "corpus", args.documents)
        print(f"corpus: {corpus.articles:,} articles ({corpus.exact_copies:,} exact copies, "
              f"{corpus.near_copies:,} near copies)")
        started = time.perf_counter()
        extracted = write_interchange([corpus.folder], root / "plain.jsonl",
                                      load_dossier("us-japan"))
        plain = time.perf_counter() - started
        documents = extracted.documents
        print(f"plain extraction: {documents:,} documents in {plain:.1f} s, "
              f"{documents / plain:.1f} documents/s")
        seconds = {}
        for cores in (1, 2):
            session = start_session(f"local[{cores}]")
            started = time.perf_counter()
            report = spark_ingest([str(corpus.folder)], root / f"out-{cores}", spark=session)
            seconds[cores] = time.perf_counter() - started
            session.stop()
            rate = report.documents_read / seconds[cores]
            print(f"spark local[{cores}]: {report.documents_read:,} documents read "
                  f"({report.documents_new:,} unique, {report.near_duplicates:,} near copies) in "
                  f"{seconds[cores]:.1f} s, {rate:.1f} documents/s")
        print(f"speed-up local[2] over local[1]: {seconds[1] / seconds[2]:.2f}x")
        per_doc = (seconds[1] - plain) / documents * 1000
        print(f"Spark overhead per document (local[1] against plain extraction): "
              f"{per_doc:+.2f} ms")


if __name__ == "__main__":
    main()
