"""The demo: the bundled example corpus into a fresh SQLite store, and what it says."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from bilateral.analyse import IndicatorValue, TimelineEntry, latest_values, timeline
from bilateral.dossier import load_dossier
from bilateral.errors import InputError
from bilateral.ingest.run import IngestReport, ingest
from bilateral.store import open_store


@dataclass(frozen=True)
class DemoResult:
    db: Path
    report: IngestReport
    indicators: list[IndicatorValue]
    timeline: list[TimelineEntry]


def example_corpus() -> Path:
    """The example corpus: shipped in the wheel, or beside the sources in a checkout."""
    packaged = resources.files("bilateral") / "_examples"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "examples" / "corpus"
    if checkout.is_dir():
        return checkout
    raise InputError("the example corpus is missing: expected examples/corpus in the "
                     "checkout or bilateral/_examples in the installed package")


def run_demo(db: Path, progress_factory=None) -> DemoResult:
    """Ingest the example corpus into ``db`` (replaced if it exists) and summarise it."""
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = open_store(f"sqlite:///{db}")
    if progress_factory is None:
        report = ingest([example_corpus()], store, load_dossier("us-japan"))
    else:
        with progress_factory("Ingesting examples") as (progress, task):
            report = ingest([example_corpus()], store, load_dossier("us-japan"),
                            progress=lambda done, total: progress.update(
                                task, completed=done, total=total))
    return DemoResult(db=db, report=report, indicators=latest_values(store),
                      timeline=timeline(store, limit=40))
