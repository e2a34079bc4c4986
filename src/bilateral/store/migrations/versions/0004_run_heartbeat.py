"""run heartbeats: a run killed mid-way can be told from one still at work

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

A process killed with SIGKILL never calls finish_run, so its run would stay ``running`` for
ever. ``runs.heartbeat_at`` is refreshed by the process while it works; a running run whose
heartbeat is older than the store's lease is marked failed, with ``runs.reason`` saying why.
Existing runs take their finish (or start) time as their last heartbeat, so a run left running
by an older version is judged by when it started. Both columns are plain nullable ADD COLUMNs:
no table is rebuilt, nothing is copied, on either dialect.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("runs", sa.Column("reason", sa.Text(), nullable=True))
    op.execute("UPDATE runs SET heartbeat_at = COALESCE(finished_at, started_at)")


def downgrade() -> None:
    # Native DROP COLUMN (SQLite 3.35+, which the store requires): a rebuilt runs table would
    # cascade-delete the rejections that reference it.
    op.execute("ALTER TABLE runs DROP COLUMN reason")
    op.execute("ALTER TABLE runs DROP COLUMN heartbeat_at")
