"""record provenance: which extractor and which dossier made each observation and event

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

Records can now be made again from the stored texts (``bilateral reextract``), so each one says
what made it: ``extractor_version`` and ``dossier_sha256`` (the content hash of the resolved
dossier). Records written before this revision take the dossier hash their ingest run recorded
in its configuration; their extractor version is unknown and stays NULL. The columns are plain
nullable ADD COLUMNs on both dialects: no table is rebuilt.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("observations", "events")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("extractor_version", sa.Text(), nullable=True))
        op.add_column(table, sa.Column("dossier_sha256", sa.Text(), nullable=True))
    # runs.config is the JSON object ingest wrote; its dossier_sha256 names the dossier that
    # made the run's records.
    if op.get_bind().dialect.name == "postgresql":
        recorded = "(r.config::json ->> 'dossier_sha256')"
    else:
        recorded = "json_extract(r.config, '$.dossier_sha256')"
    for table in TABLES:
        op.execute(f"UPDATE {table} SET dossier_sha256 = (SELECT {recorded} FROM documents d "
                   f"JOIN runs r ON r.id = d.run_id WHERE d.id = {table}.doc_id)")


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+), as in 0004.
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN dossier_sha256")
        op.execute(f"ALTER TABLE {table} DROP COLUMN extractor_version")
