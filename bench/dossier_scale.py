"""Dossier scale: how checking a dossier and extracting with it grow with its number of actors.

The large dossier is the built-in one plus N synthetic actors with made-up names (three
aliases each, so 50,000 actors add 200,000 names), written to a temporary YAML file. Nothing
in the articles names them, so extraction must give the same records with either dossier; only
the time may differ.

    check       ``bilateral dossier check FILE`` as a user runs it (a subprocess, wall time)
    build       loading the dossier and building the extractor, in this process
    extract     Extractor.pipe over the example corpus repeated to --docs articles

    python bench/dossier_scale.py                     # 50,000 actors, 300 articles
    python bench/dossier_scale.py --actors 200000 --docs 100
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from ingest_throughput import example_documents

from bilateral.dossier import load_dossier
from bilateral.extract import Extractor
from bilateral.limits import load_yaml
from bilateral.records import Document

SYLLABLES = ("ka", "ro", "mi", "ten", "su", "vel", "do", "ran", "pe", "lo",
             "zu", "har", "ni", "bo", "tes", "qua", "li", "mar", "fe", "gu")


def made_up(number: int, length: int) -> str:
    """A pronounceable name unique to ``number`` (its digits in base 20, as syllables)."""
    parts = []
    for _ in range(length):
        number, digit = divmod(number, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    return "".join(parts).capitalize()


def synthetic_actors(count: int, states: list[str]) -> list[dict[str, Any]]:
    actors = []
    for i in range(count):
        first, last = made_up(i * 7 + 3, 3), made_up(i, 5) + "x"
        actors.append({
            "id": f"synthetic_{i}", "name": f"{first} {last}",
            "aliases": [last, f"Minister {last}", f"{first[0]}. {last}"],
            "roles": [{"state": states[i % len(states)], "title": f"Delegate {i}"}]})
    return actors


def write_dossier(folder: Path, actors: int) -> Path:
    source = resources.files("bilateral.dossier") / "data" / "us-japan.yaml"
    data = load_yaml(source.read_text(encoding="utf-8"))
    data["id"] = "us-japan-large"
    data["actors"] += synthetic_actors(actors, sorted(data["states"]))
    path = folder / "large.yaml"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def check_seconds(spec: str) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bilateral", "dossier", "check", spec],
                          capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done.returncode


def extract(spec: str | Path, documents: list[Document]) -> dict[str, float]:
    started = time.perf_counter()
    extractor = Extractor(load_dossier(spec))
    built = time.perf_counter()
    records = sum(len(e.observations) + len(e.events) for e in extractor.pipe(documents))
    return {"build": built - started, "seconds": time.perf_counter() - built,
            "records": records}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=50_000, help="synthetic actors to add")
    parser.add_argument("--docs", type=int, default=300, help="articles to extract")
    args = parser.parse_args()

    originals = example_documents()
    documents = [originals[i % len(originals)] for i in range(args.docs)]
    with tempfile.TemporaryDirectory() as tmp:
        path = write_dossier(Path(tmp), args.actors)
        size = path.stat().st_size
        small_check, small_rc = check_seconds("us-japan")
        large_check, large_rc = check_seconds(str(path))
        small = extract("us-japan", documents)
        large = extract(path, documents)

    print(f"dossier             built-in + {args.actors:,} synthetic actors "
          f"({size / 1e6:.1f} MB of YAML)")
    print(f"dossier check       built-in {small_check:.2f} s (exit {small_rc}), "
          f"large {large_check:.2f} s (exit {large_rc})")
    print(f"load + build        built-in {small['build']:.2f} s, large {large['build']:.2f} s")
    for name, run in (("built-in", small), ("large", large)):
        print(f"extract {name:<11} {args.docs / run['seconds']:,.1f} articles/s "
              f"({run['seconds']:.2f} s, {run['records']:,} records)")
    print(f"slowdown            large is {large['seconds'] / small['seconds']:.2f}x the "
          f"extraction time of the built-in dossier"
          + ("" if large["records"] == small["records"] else "; RECORDS DIFFER"))


if __name__ == "__main__":
    main()
