"""answer changes: a count of the kept answers' changes, for readers' caches

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Every transaction that changes a kept answer adds one to ``answer_state.changes``. A reader
that counts a listing (every timeline entry, every claim of an indicator) keeps the count while
the number stays the same, instead of counting tens of thousands of rows for every page.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answer_state") as batch:
        batch.add_column(sa.Column("changes", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("answer_state") as batch:
        batch.drop_column("changes")
