"""api tokens: the credentials a team server accepts for ingest and other writes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21

Only a SHA-256 digest of each token is kept: a token is 32 random bytes, so a plain digest is
as hard to invert as the token is to guess, and a stolen database gives no usable credential.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("digest", sa.Text, nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("api_tokens")
