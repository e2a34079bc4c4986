"""feed entries: the article links a feed watcher met, and what it made of each

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

``bilateral watch --feed`` polls RSS and Atom feeds; each link it decided about (stored,
already stored, rejected, refused by robots.txt, given up after failures) is kept here, with the
page's validators, so a restarted watcher fetches no page twice. A new table on both dialects.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feed_entries",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("feed", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("doc_id", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("entry_updated", sa.Text(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('ingested', 'duplicate', 'rejected', 'robots', 'gave-up')",
            name="ck_feed_entries_status"),
        sa.PrimaryKeyConstraint("url", name="pk_feed_entries"),
    )


def downgrade() -> None:
    op.drop_table("feed_entries")
