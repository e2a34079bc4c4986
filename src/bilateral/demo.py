"""The demo: the bundled example corpus into a fresh SQLite store, and what it says."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from bilateral.analyse.kept import refresh
from bilateral.dossier import load_dossier
from bilateral.errors import InputError
from bilateral.ingest.run import IngestReport, ingest
from bilateral.report import Brief, build_brief, write_brief
from bilateral.store import open_store


@dataclass(frozen=True)
class DemoResult:
    db: Path
    report: IngestReport
    brief: Brief
    brief_path: Path


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


def run_demo(db: Path, progress_factory=None, brief_path: Path | None = None) -> DemoResult:
    """Ingest the example corpus into ``db`` (replaced if it exists) and write its brief to
    ``brief_path`` (by default brief.html beside ``db``)."""
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = open_store(f"sqlite:///{db}")
    dossier = load_dossier("us-japan")
    if progress_factory is None:
        report = ingest([example_corpus()], store, dossier)
    else:
        with progress_factory("Ingesting examples") as (progress, task):
            report = ingest([example_corpus()], store, dossier,
                            progress=lambda done, total: progress.update(
                                task, completed=done, total=total))
    refresh(store, dossier)  # so that `bilateral serve` over it answers at once
    brief = build_brief(store, dossier)
    written = write_brief(brief, brief_path or db.with_name("brief.html"))
    return DemoResult(db=db, report=report, brief=brief, brief_path=written)
