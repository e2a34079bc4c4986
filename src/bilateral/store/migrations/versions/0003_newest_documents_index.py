"""newest-first index: document listings read pages in index order instead of sorting the table

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21

Listings order by ``published DESC NULLS LAST, id``. On PostgreSQL an index in exactly that
order lets a page (even one deep into a large store) be read without sorting every row. SQLite
cannot declare NULLS LAST in an index; its stores are one person's and small enough to sort.
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_documents_newest ON documents "
                   "(published DESC NULLS LAST, id)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_documents_newest")
