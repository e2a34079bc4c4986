"""Re-extraction: stored documents extracted again with the current extractor and dossier,
their records replaced batch by batch, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from bilateral.cli import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, app
from bilateral.dossier import Dossier, load_dossier
from bilateral.errors import ExtractionError, StoreError
from bilateral.extract import Extractor
from bilateral.extract.provenance import dossier_sha256, extractor_version
from bilateral.ingest.reextract import reextract
from bilateral.ingest.run import ingest
from bilateral.records import Document, Extraction
from bilateral.store import Store, observation_id, open_store
from bilateral.store import schema as t
from bilateral.store import store as store_module

DOCUMENTS = [
    {"doc_id": "goal-may", "published": "2025-05-02",
     "text": "Tokyo said on Friday that military outlays are to climb to 2% of GDP by 2027, "
             "a goal the cabinet set last year."},
    {"doc_id": "goal-june", "published": "2025-06-10",
     "text": "Officials in Tokyo confirmed that the defense spending goal of 2% of GDP will now "
             "be reached by 2025, two years ahead of the earlier plan."},
    {"doc_id": "support-deal", "published": "2025-06-11",
     "text": "Japan agreed on Wednesday to pay 1.9 billion dollars a year in host nation support "
             "for American troops stationed in the country."},
]
DROPPED = "host_nation_support_usd"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in DOCUMENTS), encoding="utf-8")
    return path


@pytest.fixture
def narrower(tmp_path: Path) -> Path:
    """The built-in dossier without one indicator: its figures are no longer extracted."""
    builtin = Path(__file__).resolve().parents[1] / "src/bilateral/dossier/data/us-japan.yaml"
    data = yaml.safe_load(builtin.read_text(encoding="utf-8"))
    data["indicators"] = [i for i in data["indicators"] if i["id"] != DROPPED]
    path = tmp_path / "narrower.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def ingested(store: Store, corpus: Path) -> Store:
    report = ingest([corpus], store, load_dossier("us-japan"))
    assert report.documents_new == len(DOCUMENTS) and not report.rejections
    return store


def indicators(store: Store) -> set[str]:
    return {o.indicator for o in store.observations()}


def origins(store: Store) -> set[tuple[str | None, str | None]]:
    return {(o.extractor_version, o.dossier_sha256) for o in store.record_origins()}


def default_version() -> str:
    """What the default extractor stamps: the code's version and the shipped model's."""
    version = Extractor("us-japan").version
    assert version.startswith(extractor_version() + "/default@")
    return version


def test_ingest_stamps_records_with_the_extractor_and_dossier(ingested: Store) -> None:
    assert origins(ingested) == {(default_version(),
                                  dossier_sha256(load_dossier("us-japan")))}


def test_a_changed_dossier_changes_the_records_and_stamps_its_hash(ingested: Store,
                                                                   narrower: Path) -> None:
    assert DROPPED in indicators(ingested)
    dossier = load_dossier(str(narrower))
    report = reextract(ingested, dossier, batch_size=2)
    assert (report.documents, report.replaced, report.rejections) == (3, 3, [])
    assert DROPPED not in indicators(ingested)
    assert "japan_defense_spending_gdp" in indicators(ingested)
    assert report.removed_observations == report.observations + 1
    assert origins(ingested) == {(default_version(), dossier_sha256(dossier))}
    assert dossier_sha256(dossier) != dossier_sha256(load_dossier("us-japan"))
    run = ingested.get_run(report.run_id)
    assert (run.kind, run.status, run.counts["replaced"]) == ("reextract", "completed", 3)
    assert ingested.count_documents() == len(DOCUMENTS)  # texts untouched


def test_re_extracting_again_is_idempotent(ingested: Store) -> None:
    def rows() -> list[tuple[str, str]]:
        with ingested.engine.connect() as conn:
            return sorted((*conn.execute(select(t.observations.c.id, t.observations.c.doc_id)),
                           *conn.execute(select(t.events.c.id, t.events.c.doc_id))))

    before = rows()
    dossier = load_dossier("us-japan")
    for _ in range(2):
        reextract(ingested, dossier, batch_size=1)
        assert rows() == before
    assert len({row_id for row_id, _ in before}) == len(before)  # no duplicates
    assert {observation_id(o) for o in ingested.observations()} <= {r for r, _ in before}


class FailsOn(Extractor):
    """An extractor that refuses one document, as a real one refuses a bad input."""

    def __init__(self, dossier: Dossier, refused: str) -> None:
        super().__init__(dossier)
        self.refused = refused

    def extract(self, document: Document) -> Extraction:
        if document.external_id == self.refused:
            raise ExtractionError("the stage could not read it", doc_id=document.label,
                                  stage="quantities")
        return super().extract(document)


def test_a_document_that_fails_is_rejected_keeps_its_records_and_the_batch_goes_on(
        ingested: Store, narrower: Path) -> None:
    kept = ingested.records_for("support-deal").observations
    dossier = load_dossier(str(narrower))
    report = reextract(ingested, dossier, extractor=FailsOn(dossier, "support-deal"))
    assert report.replaced == 2
    assert [(r.code, "could not read it" in r.reason) for r in report.rejections] == [
        ("extraction-failed", True)]
    assert ingested.rejections(report.run_id) == report.rejections
    assert ingested.records_for("support-deal").observations == kept  # old records stay
    assert DROPPED in indicators(ingested)
    assert ingested.records_for("goal-may").observations  # the others were replaced


def test_a_failing_batch_rolls_back_only_that_batch(ingested: Store, narrower: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    first_hash = dossier_sha256(load_dossier("us-japan"))
    before = {d["doc_id"]: ingested.records_for(d["doc_id"]) for d in DOCUMENTS}
    order = sorted(before, key=lambda label: before[label].document.id)
    insert_many = ingested._insert_many
    inserted: list[str] = []

    def fail_on_the_second_batch(conn, table, rows, returning=None):
        # Every batch replaces observations before events: the second batch's events fail
        # after its observations were deleted and written again.
        if table is t.events:
            inserted.append(table.name)
            if len(inserted) == 2:
                raise OperationalError("INSERT INTO events", {}, Exception("disk I/O error"))
        return insert_many(conn, table, rows, returning)

    monkeypatch.setattr(ingested, "_insert_many", fail_on_the_second_batch)
    dossier = load_dossier(str(narrower))
    with pytest.raises(StoreError, match="disk I/O error"):
        reextract(ingested, dossier, batch_size=1)

    with ingested.engine.connect() as conn:
        stamps = dict(conn.execute(select(t.documents.c.external_id,
                                          t.observations.c.dossier_sha256)
                                   .join(t.observations)).all())
    assert stamps[order[0]] == dossier_sha256(dossier)  # committed before the failure
    for label in order[1:]:  # the failed batch rolled back, the last never ran
        assert ingested.records_for(label) == before[label]
        assert stamps[label] == first_hash
    (run, *_) = ingested.runs()
    assert run.status == "failed" and "disk I/O error" in (run.reason or "")

    monkeypatch.undo()
    again = reextract(ingested, dossier, batch_size=1)  # a second run completes the rest
    assert again.replaced == 3 and origins(ingested) == {(default_version(),
                                                          dossier_sha256(dossier))}


def test_a_model_stamps_its_records_and_a_missing_one_is_refused(ingested: Store) -> None:
    from bilateral.errors import ModelError

    with pytest.raises(ModelError, match="no model directory"):
        reextract(ingested, load_dossier("us-japan"), model="models/none")
    assert [r.kind for r in ingested.runs()] == ["ingest"]  # refused before any run began
    reextract(ingested, load_dossier("us-japan"), model="rules")
    assert {v for v, _ in origins(ingested)} == {f"{extractor_version()}/rules@rules"}


def test_older_records_take_the_dossier_hash_their_ingest_recorded(db_url: str,
                                                                   corpus: Path) -> None:
    with open_store(db_url) as store:
        ingest([corpus], store, load_dossier("us-japan"))
        with store.engine.begin() as conn:
            command.downgrade(store_module._alembic_config(conn), "0004")
            columns = conn.execute(text("SELECT * FROM events")).keys()
            assert "dossier_sha256" not in columns
    with open_store(db_url) as upgraded:
        assert upgraded.schema_revision() == "0008"
        assert origins(upgraded) == {(None, dossier_sha256(load_dossier("us-japan")))}


def test_the_command_reports_and_exits_as_the_others(tmp_path: Path, corpus: Path,
                                                     narrower: Path) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    assert runner.invoke(app, ["ingest", str(corpus), "--db", db]).exit_code == EXIT_OK
    result = runner.invoke(app, ["reextract", "--db", db, "--dossier", str(narrower),
                                 "--json"])
    assert result.exit_code == EXIT_OK, result.output
    report = json.loads(result.output)
    assert (report["replaced"], report["dossier_sha256"]) == (
        3, dossier_sha256(load_dossier(str(narrower))))
    refused = runner.invoke(app, ["reextract", "--db", db, "--model", str(tmp_path)])
    assert refused.exit_code == EXIT_ERROR
    assert "no model directory" in " ".join(refused.output.split())
    # a document that cannot be extracted any more: its publication date is no date
    with open_store(db) as store, store.engine.begin() as conn:
        conn.execute(t.documents.update().where(t.documents.c.external_id == "goal-may")
                     .values(published="2025-13"))
    partial = runner.invoke(app, ["reextract", "--db", db])
    assert partial.exit_code == EXIT_PARTIAL and "extraction-failed" in partial.output


def test_each_replaced_batch_changes_the_store_version(ingested: Store) -> None:
    """The server's cached analyses are keyed by the version: they must follow a replacement,
    though it adds no document."""
    run = ingested.begin_run("reextract")
    started = ingested.version()
    kept = ingested.records_for("goal-may")
    ingested.replace_records(run, [Extraction(kept.document, kept.observations[:0], ())])
    assert ingested.version() != started
    assert ingested.records_for("goal-may").observations == ()
    ingested.finish_run(run, "completed")
