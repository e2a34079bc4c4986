"""Fuzz the readers and the extractor with generated and mutated inputs, and count what breaks.

Every input goes through one of the doors an article comes in by (a text or Markdown file with
front matter, a JSONL line, a Document handed to the extractor's Python API), and what comes
out is held to the contract:

- readers never raise: every input is a Document or a typed Rejection (``from_text`` says
  "reject" with BadField, as ``read`` expects);
- the extractor returns records or raises ExtractionError for what it refuses (at its input
  check, or over its time budget); any other exception is counted;
- hangs: an input that takes longer than ``--hang`` seconds (over-budget stops count here too);
- non-finite values: an observation whose value is NaN or infinite;
- span mismatches: a record whose quote is not the text at its span, an empty or
  out-of-range span, or a ``when`` that is no real YYYY[-MM[-DD]] period.

Inputs come from a seeded generator: token soups drawn from the words, numbers, dates, names,
punctuation and odd characters the extractor reacts to, and mutations (flips, inserts,
deletions, repeats, splices, truncation) of the example corpus's paragraphs. The same
``--seed`` and ``--inputs`` give the same inputs.

    python bench/fuzz.py                        # 1,000,000 inputs on every core
    python bench/fuzz.py --inputs 20000 --workers 1 --failures failures.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import time
from collections import Counter
from multiprocessing import Pool
from pathlib import Path
from typing import Any

from bilateral.dossier import load_dossier
from bilateral.errors import ExtractionError, OverBudget
from bilateral.extract import Extractor
from bilateral.ingest.readers import BadField, from_text, read_jsonl_line
from bilateral.records import Document, Rejection

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
KINDS = ("inputs", "documents", "rejections", "refused", "exceptions", "hangs", "non-finite",
         "span mismatches")
_PERIOD = re.compile(r"\d{4}(?:-(\d{2})(?:-(\d{2}))?)?")

WORDS = [
    # numbers and units
    "15%", "24 percent", "25 per cent", "2.5%", "27.5%", "$550 billion", "$1 trillion",
    "550bn", "¥5 trillion", "211 billion yen", "1.6% of GDP", "2% of gross domestic product",
    "55,000 troops", "about 50,000", "twenty-five", "a quarter", "3.5 percent", "10 to 20 percent",
    "from 25% to 15%", "$8 billion", "¥", "$", "%", "billion", "trillion", "million", "pct",
    "9" * 40, "9" * 400, "1e309", "0.000001%", "-15%", "1,2,3,4,5", "15.5.5%", "٣٥٪", "𝟏𝟓%",
    # times
    "July 22", "on July 22, 2025", "last April", "by 2027", "fiscal 2026", "Jan. 2", "2025-07-23",
    "Monday", "next week", "in 2024", "by the end of the year", "earlier this month", "Feb. 30",
    "2999", "0999", "in the year 10000", "Q3", "the 1990s", "since 1951", "April 2",
    # actors and states
    "Japan", "the United States", "the U.S.", "Washington", "Tokyo", "Trump", "Ishiba",
    "Takaichi", "Kishida", "China", "Beijing", "South Korea", "Seoul", "Japan's", "the EU",
    "Poland", "the Pentagon", "the White House", "METI", "Nippon Steel", "U.S. Steel",
    # triggers, statuses and cues
    "agreed", "met", "imposed tariffs on", "threatened", "urged", "criticised", "pledged",
    "signed", "announced", "demanded", "proposed", "target", "tariff", "tariffs", "duty",
    "investment", "defence spending", "defense budget", "host-nation support", "troops",
    "did not", "may", "if", "would", "said", "talks", "deal", "visit", "summit", "sanctions",
    "steel", "autos", "cars", "rice", "reciprocal", "baseline", "which", "it", "he", "they",
    # punctuation and layout
    "(", ")", "[", "]", "“", "”", "‘", "’", '"', "'s", ",", ".", ";", ":", "—", "-", "/",
    "...", "!", "?", "\n", "\n\n", "\t", "  ", "---", "*", "#", "|",
    # characters that have broken readers and extractors elsewhere
    "\x00", "\x1b[31m", "\x07", "\ud800", "\udfff", "\u202e", "\ufeff", "\u00a0", "\u200b",
    "ﬁ", "Ⅻ", "\r", "\r\n", "\u2028", "é", "日本", "🇯🇵", "\U0010ffff",
]
FRONT_MATTER_KEYS = ["title", "source", "published", "url", "doc_id", "other"]
FRONT_MATTER_VALUES = ["2025-07-23", "2025-02-30", "2999-01-01", "0999", "2025-13", "2025",
                       "July 23, 2025", "&a [1, 2]", "*a", "[[[[[[[[[[]]]]]]]]]]", "{a: {b: c}}",
                       "!!python/object:os.system x", "2025-07-23T25:99:00", "'quoted'", "",
                       "~", "1e309", "- a\n- b", "|\n  block", "9" * 50]


def load_seeds() -> list[str]:
    """Paragraphs of the project's own example articles: realistic text to mutate."""
    seeds = []
    for path in sorted(EXAMPLES.iterdir()):
        if path.suffix in (".md", ".txt"):
            seeds += [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return seeds


def soup(rng: random.Random) -> str:
    """Tokens from the vocabulary, joined by spaces or nothing; now and then a long run."""
    parts = [rng.choice(WORDS) for _ in range(rng.randint(1, 60))]
    if rng.random() < 0.003:
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(WORDS[-40:]) * rng.randint(
            1000, 30_000))
    glue = rng.choice([" ", " ", " ", "", "\n"])
    return glue.join(parts)


def mutate(rng: random.Random, text: str, seeds: list[str]) -> str:
    """A few random edits of ``text``."""
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(7)
        at = rng.randrange(len(text) + 1)
        if op == 0 and text:  # replace one character
            text = text[:at - 1] + chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x110000)
                                                   ])) + text[at:]
        elif op == 1:  # insert a token
            text = text[:at] + rng.choice(WORDS) + text[at:]
        elif op == 2:  # delete a slice
            text = text[:at] + text[at + rng.randint(1, 40):]
        elif op == 3:  # repeat a slice
            piece = text[at:at + rng.randint(1, 30)]
            text = text[:at] + piece * rng.randint(2, 50) + text[at:]
        elif op == 4:  # splice another seed in
            other = rng.choice(seeds)
            cut = rng.randrange(len(other) + 1)
            text = text[:at] + other[cut:] if rng.random() < 0.5 else other[:cut] + text[at:]
        elif op == 5:  # truncate
            text = text[:at]
        else:  # swap two halves
            text = text[at:] + text[:at]
    return text


def make_input(index: int, seed: int, seeds: list[str]) -> tuple[str, Any]:
    """Input number ``index``: (door, payload)."""
    rng = random.Random(seed * 1_000_003 + index)
    text = soup(rng) if rng.random() < 0.5 else mutate(rng, rng.choice(seeds), seeds)
    door = rng.choice(("text", "jsonl", "document"))
    if door == "text":
        if rng.random() < 0.5:
            keys = rng.sample(FRONT_MATTER_KEYS, rng.randint(1, 4))
            matter = "".join(f"{k}: {rng.choice(FRONT_MATTER_VALUES)}\n" for k in keys)
            text = f"---\n{matter}---\n{text}"
        return door, text
    if door == "jsonl":
        record: dict[str, Any] = {"text": text}
        if rng.random() < 0.7:
            record["published"] = rng.choice([*FRONT_MATTER_VALUES, 2025, 99999, None, [1]])
        line = json.dumps(record, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
        if rng.random() < 0.3:  # damage the bytes themselves
            data = bytearray(line)
            for _ in range(rng.randint(1, 4)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            line = bytes(data)
        return door, line
    published = rng.choice([None, "2025", "2025-07", "2025-07-23", "2025-13", "1850", "2025-02-30"])
    return door, Document(id=f"fuzz-{index}", text=text, published=published)


class Checker:
    """One worker's extractor and the contract every input is held to."""

    def __init__(self, hang: float) -> None:
        self.extractor = Extractor(load_dossier("us-japan"))
        self.hang = hang

    def check(self, door: str, payload: Any) -> tuple[Counter, list[tuple[str, str]]]:
        counts: Counter = Counter(inputs=1)
        problems: list[tuple[str, str]] = []
        started = time.monotonic()
        try:
            if door == "text":
                try:
                    result = from_text(payload, origin="fuzz.md")
                except BadField as exc:  # how from_text says "reject", with the reason
                    result = Rejection("fuzz.md", str(exc), "bad-field")
            elif door == "jsonl":
                result = read_jsonl_line(payload, "fuzz.jsonl:1", first=True).result
            else:
                result = payload
        except Exception as exc:  # a reader must never raise
            result = None
            problems.append(("exceptions", f"reader {type(exc).__name__}: {exc}"))
        if isinstance(result, Rejection):
            counts["rejections"] += 1
        elif isinstance(result, Document):
            counts["documents"] += 1
            problems += self._extract(result, counts)
        if time.monotonic() - started > self.hang:
            problems.append(("hangs", f"{time.monotonic() - started:.1f} s"))
        for kind, _ in problems:
            counts[kind] += 1
        return counts, problems

    def _extract(self, document: Document, counts: Counter) -> list[tuple[str, str]]:
        try:
            extraction = self.extractor.extract(document)
        except OverBudget as exc:
            return [("hangs", str(exc))]
        except ExtractionError as exc:
            if exc.stage == "input":
                counts["refused"] += 1
                return []
            return [("exceptions", str(exc))]
        except Exception as exc:
            return [("exceptions", f"extractor {type(exc).__name__}: {exc}")]
        problems = []
        text = document.text
        for record in (*extraction.observations, *extraction.events):
            if not (0 <= record.start < record.end <= len(text)) \
                    or record.quote != text[record.start:record.end]:
                problems.append(("span mismatches", f"{record.rule} [{record.start}, "
                                 f"{record.end}) {record.quote[:60]!r}"))
            if record.when is not None and not _real_period(record.when):
                problems.append(("span mismatches", f"{record.rule} when={record.when!r}"))
        for observation in extraction.observations:
            if not math.isfinite(observation.value):
                problems.append(("non-finite", f"{observation.rule} {observation.value}"))
        return problems


def _real_period(when: str) -> bool:
    import datetime as dt

    m = _PERIOD.fullmatch(when)
    if not m:
        return False
    try:
        dt.date(int(when[:4]), int(m.group(1) or 1), int(m.group(2) or 1))
    except ValueError:
        return False
    return True


_checker: Checker | None = None
_seeds: list[str] = []


def _start(hang: float) -> None:
    global _checker, _seeds
    _checker, _seeds = Checker(hang), load_seeds()


def _run(job: tuple[int, int, int]) -> tuple[Counter, list[dict[str, Any]]]:
    first, last, seed = job
    assert _checker is not None
    total: Counter = Counter()
    failures = []
    for index in range(first, last):
        door, payload = make_input(index, seed, _seeds)
        counts, problems = _checker.check(door, payload)
        total.update(counts)
        for kind, detail in problems:
            failures.append({"index": index, "door": door, "kind": kind, "detail": detail[:300],
                             "input": repr(payload)[:2000]})
    return total, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--hang", type=float, default=5.0,
                        help="seconds after which one input counts as a hang")
    parser.add_argument("--failures", type=Path, help="write each failure as a JSON line here")
    args = parser.parse_args()

    chunk = 2_000
    jobs = [(i, min(i + chunk, args.inputs), args.seed) for i in range(0, args.inputs, chunk)]
    total: Counter = Counter()
    failures: list[dict[str, Any]] = []
    started = time.monotonic()
    with Pool(args.workers, initializer=_start, initargs=(args.hang,)) as pool:
        for done, (counts, found) in enumerate(pool.imap_unordered(_run, jobs), start=1):
            total.update(counts)
            failures += found
            if done % 25 == 0 or done == len(jobs):
                rate = total["inputs"] / (time.monotonic() - started)
                print(f"  {total['inputs']:>9,} inputs  {rate:,.0f}/s  "
                      f"{len(failures)} failures", file=sys.stderr, flush=True)
    elapsed = time.monotonic() - started
    print(f"{'seed':<18}{args.seed}\n{'workers':<18}{args.workers}\n{'seconds':<18}{elapsed:,.0f}")
    for kind in KINDS:
        print(f"{kind:<18}{total[kind]:,}")
    if args.failures:
        with args.failures.open("w", encoding="utf-8") as handle:
            for failure in failures:
                handle.write(json.dumps(failure) + "\n")
    for failure in failures[:10]:
        print(f"  #{failure['index']} {failure['door']} {failure['kind']}: {failure['detail']}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
