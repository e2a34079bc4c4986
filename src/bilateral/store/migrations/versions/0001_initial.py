"""initial schema: runs, documents, sketches, observations, events, rejections, full-text search

Revision ID: 0001
Revises:
Create Date: 2025-11-21

Full-text search differs by dialect:

* SQLite: an FTS5 table ``documents_fts`` (porter stemming) whose content is read through the
  view ``documents_fts_source``. FTS5 needs a stable integer rowid, and the implicit rowid of
  ``documents`` (a TEXT primary key) may be renumbered by VACUUM, so ``documents_fts_map`` gives
  each document a permanent integer. Triggers on ``documents`` keep map and index in sync, so no
  writer has to remember the index.
* PostgreSQL: a STORED generated ``tsvector`` column ``documents.search`` (title weighted A,
  text B) with a GIN index. The text is cut at 250,000 characters for the index only, because a
  tsvector is limited to 1 MB and one giant file must not make a whole batch fail.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)

SQLITE_FTS = [
    """CREATE TABLE documents_fts_map (
        rid INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL UNIQUE
    )""",
    """CREATE VIEW documents_fts_source AS
        SELECT m.rid AS rid, d.title AS title, d.text AS text
        FROM documents_fts_map AS m JOIN documents AS d ON d.id = m.doc_id""",
    """CREATE VIRTUAL TABLE documents_fts USING fts5(
        title, text,
        content='documents_fts_source', content_rowid='rid',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER documents_fts_ai AFTER INSERT ON documents BEGIN
        INSERT OR IGNORE INTO documents_fts_map(doc_id) VALUES (new.id);
        INSERT INTO documents_fts(rowid, title, text)
            SELECT rid, new.title, new.text FROM documents_fts_map WHERE doc_id = new.id;
    END""",
    """CREATE TRIGGER documents_fts_ad AFTER DELETE ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, text)
            SELECT 'delete', rid, old.title, old.text FROM documents_fts_map
            WHERE doc_id = old.id;
        DELETE FROM documents_fts_map WHERE doc_id = old.id;
    END""",
    """CREATE TRIGGER documents_fts_au AFTER UPDATE OF id, title, text ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, text)
            SELECT 'delete', rid, old.title, old.text FROM documents_fts_map
            WHERE doc_id = old.id;
        UPDATE documents_fts_map SET doc_id = new.id WHERE doc_id = old.id;
        INSERT INTO documents_fts(rowid, title, text)
            SELECT rid, new.title, new.text FROM documents_fts_map WHERE doc_id = new.id;
    END""",
]

POSTGRES_FTS = [
    """ALTER TABLE documents ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, left(text, 250000)), 'B')
    ) STORED""",
    "CREATE INDEX ix_documents_search ON documents USING gin (search)",
]


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("dossier", sa.Text(), nullable=True),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.CheckConstraint("status IN ('running', 'completed', 'failed')",
                           name="ck_runs_status"),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("published", sa.Text(), nullable=True),
        sa.Column("published_from", sa.Text(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("origin", sa.Text(), nullable=True),
        sa.Column("duplicate_of", sa.Text(), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("char_count", sa.Integer(), nullable=False),
        sa.Column("ingested_at", TS, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["duplicate_of"], ["documents.id"],
                                name="fk_documents_duplicate_of_documents",
                                ondelete="SET NULL", deferrable=True, initially="DEFERRED"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_documents_run_id_runs",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
    )
    for column in ("source", "published", "external_id", "duplicate_of", "run_id"):
        op.create_index(f"ix_documents_{column}", "documents", [column])

    op.create_table(
        "document_sketches",
        sa.Column("doc_id", sa.Text(), nullable=False),
        sa.Column("hash", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["doc_id"], ["documents.id"],
                                name="fk_document_sketches_doc_id_documents",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("doc_id", "hash", name="pk_document_sketches"),
    )
    op.create_index("ix_document_sketches_hash", "document_sketches", ["hash", "doc_id"])

    op.create_table(
        "observations",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("doc_id", sa.Text(), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("when_at", sa.Text(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["doc_id"], ["documents.id"],
                                name="fk_observations_doc_id_documents", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_observations"),
    )
    for column in ("doc_id", "indicator", "status", "actor"):
        op.create_index(f"ix_observations_{column}", "observations", [column])

    op.create_table(
        "events",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("doc_id", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("when_at", sa.Text(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("source_actor", sa.Text(), nullable=True),
        sa.Column("target_actor", sa.Text(), nullable=True),
        sa.Column("trigger", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["doc_id"], ["documents.id"],
                                name="fk_events_doc_id_documents", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
    )
    for column in ("doc_id", "type", "source", "target"):
        op.create_index(f"ix_events_{column}", "events", [column])

    op.create_table(
        "rejections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_rejections_run_id_runs",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_rejections"),
    )
    op.create_index("ix_rejections_run_id", "rejections", ["run_id"])

    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_FTS, "postgresql": POSTGRES_FTS}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("documents_fts_au", "documents_fts_ad", "documents_fts_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS documents_fts")
        op.execute("DROP VIEW IF EXISTS documents_fts_source")
        op.execute("DROP TABLE IF EXISTS documents_fts_map")
    for table in ("rejections", "events", "observations", "document_sketches", "documents",
                  "runs"):
        op.drop_table(table)
