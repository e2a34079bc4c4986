"""Analysis and brief timings on a large store: the example corpus grown to N documents.

Each document joins thirds of three examples and is published some days after the first (so
relative dates resolve to other days and the store holds many distinct claims and events, as a
year of coverage does). The store is built once and kept with --keep; every step is then timed
on it.

    python bench/brief_timing.py                          # 10,000 documents, temporary SQLite
    python bench/brief_timing.py --keep /tmp/big.db       # build once, reuse on the next run
    python bench/brief_timing.py --db postgresql://postgres@127.0.0.1/test --docs 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from ingest_throughput import example_documents, fresh_store_url

from bilateral.analyse import disputes, histories, relations_index, timeline
from bilateral.dossier import load_dossier
from bilateral.ingest.run import ingest
from bilateral.records import Document
from bilateral.report import build_brief, render_html, render_markdown, write_pdf
from bilateral.store import open_store


def write_mixed_corpus(path: Path, total: int) -> None:
    """``total`` distinct documents, each the first third of one example, the middle third of
    a second and the last third of a third, published some days after the first: every
    document is new (no two share more than a third), and each figure and event recurs across
    hundreds of documents and dates, as it does in a year of coverage."""
    originals = example_documents()
    count = len(originals)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(total):
            first, middle, last = (originals[i % count], originals[(i // count) % count],
                                   originals[(i // count ** 2) % count])
            published = first.published
            if published and len(published) == 10:
                published = (dt.date.fromisoformat(published)
                             + dt.timedelta(days=i // count)).isoformat()
            text = "\n".join([*_third(first, 0), *_third(middle, 1), *_third(last, 2)])
            handle.write(json.dumps({
                "doc_id": f"bench-{i:06d}", "title": first.title, "source": first.source,
                "published": published, "text": text}) + "\n")


def _third(document: Document, part: int) -> list[str]:
    lines = [line for line in document.text.splitlines() if line.strip()]
    size = max(1, -(-len(lines) // 3))
    return lines[part * size:(part + 1) * size]


def timed(label: str, action: Callable[[], Any], repeat: int = 3) -> Any:
    """Run ``action`` ``repeat`` times; print the best and the median wall time."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    times.sort()
    print(f"{label:<34} best {times[0]:7.2f} s   median {times[len(times) // 2]:7.2f} s")
    return result


def measure(url: str, out: Path) -> None:
    store = open_store(url)
    dossier = load_dossier("us-japan")
    stats = store.stats()
    print(f"store               {stats.documents:,} documents ({stats.duplicates:,} "
          f"near-duplicates), {stats.observations:,} observations, {stats.events:,} events, "
          f"{store.dialect}")
    stories = timed("histories (all indicators)", lambda: histories(store, dossier))
    timed("disputes", lambda: disputes(stories))
    entries = timed("timeline (merged)", lambda: timeline(store))
    timed("relations index", lambda: relations_index(store, dossier))
    brief = timed("build brief (all of the above)", lambda: build_brief(store, dossier))
    timed("render HTML", lambda: render_html(brief))
    timed("render Markdown", lambda: render_markdown(brief))
    timed("write PDF (headless Chromium)", lambda: write_pdf(brief, out / "brief.pdf"), 1)
    print(f"brief               {len(brief.headline)} headline rows, {len(stories)} indicators, "
          f"{sum(len(h.claims) for h in stories):,} claims, {len(entries):,} timeline entries, "
          f"{len(brief.disputes)} disputes, {len(brief.sources)} sources cited")
    command = [str(Path(sys.executable).with_name("bilateral")), "brief", "--db", url,
               "--out", str(out / "brief.html")]
    timed("bilateral brief --out brief.html", lambda: subprocess.run(command, check=True,
                                                                     capture_output=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="documents in the store")
    parser.add_argument("--db", help="PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--keep", type=Path, help="SQLite file to build once and reuse")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.keep and args.keep.exists():
            measure(f"sqlite:///{args.keep}", folder)
            return
        corpus = folder / "corpus.jsonl"
        write_mixed_corpus(corpus, args.docs)
        target = f"sqlite:///{args.keep}" if args.keep else args.db
        with fresh_store_url(target, folder) as url:
            started = time.perf_counter()
            report = ingest([corpus], open_store(url), load_dossier("us-japan"))
            print(f"ingest              {report.documents_new:,} documents in "
                  f"{time.perf_counter() - started:.0f} s")
            measure(url, folder)


if __name__ == "__main__":
    main()
