"""kept answers: the analysis of the records kept in the store, and the listings' indexes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

A server used to compute histories, disputes, the timeline and the index in every worker, from
every record, each time the store changed. The refresh of ``bilateral.analyse.kept`` now keeps
them in tables of their own, redoing only what a write changed (``answer_marks``), so every
worker reads the same answers and a new one is ready at once. A store with records is marked
for a whole refresh ("all"), which the next refresh does. Records listings get indexes in
their order, so a page is read from the index instead of sorting every match.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer_histories",
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("key", sa.Integer(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("indicator", name="pk_answer_histories"),
    )
    op.create_table(
        "answer_claims",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("when_at", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_answer_claims"),
    )
    op.create_index("ix_answer_claims_indicator_position", "answer_claims",
                    ["indicator", "position"], unique=True)
    op.create_table(
        "answer_members",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("answer_id", sa.Text(), nullable=False),
        sa.Column("grp", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name="pk_answer_members"),
    )
    op.create_index("ix_answer_members_kind_grp", "answer_members", ["kind", "grp"])
    op.create_table(
        "answer_current",
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("claim_id", sa.Text(), nullable=False),
        sa.Column("disputed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("indicator", "status", name="pk_answer_current"),
    )
    op.create_table(
        "answer_differences",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("sort", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_answer_differences"),
    )
    op.create_index("ix_answer_differences_kind_sort", "answer_differences", ["kind", "sort"])
    op.create_index("ix_answer_differences_kind_indicator_sort", "answer_differences",
                    ["kind", "indicator", "sort"])
    op.create_table(
        "answer_entries",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("sort", sa.Text(), nullable=False),
        sa.Column("when_at", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("sources", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_answer_entries"),
    )
    op.create_index("ix_answer_entries_sort", "answer_entries", ["sort"], unique=True)
    for column in ("type", "source", "target"):
        op.create_index(f"ix_answer_entries_{column}_sort", "answer_entries", [column, "sort"])
    op.create_table(
        "answer_index",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("month", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("cooperation", sa.Float(), nullable=False),
        sa.Column("conflict", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("source", "target", "month", name="pk_answer_index"),
    )
    op.create_table(
        "answer_marks",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("stamp", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", "stamp", name="pk_answer_marks"),
    )
    state = op.create_table(
        "answer_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holder", sa.Text(), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dossier", sa.Text(), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_answer_state"),
    )
    op.bulk_insert(state, [{"id": 1}])
    # a store with records has answers to make; a new one has none
    op.execute("INSERT INTO answer_marks (kind, key, stamp) SELECT 'all', '', 'migration' "
               "WHERE EXISTS (SELECT 1 FROM observations) OR EXISTS (SELECT 1 FROM events)")
    op.create_index("ix_observations_listing", "observations",
                    ["when_at", "doc_id", "span_start", "id"])
    op.create_index("ix_observations_indicator_listing", "observations",
                    ["indicator", "when_at", "doc_id", "span_start", "id"])
    op.create_index("ix_events_listing", "events", ["when_at", "doc_id", "span_start", "id"])


def downgrade() -> None:
    op.drop_index("ix_events_listing", "events")
    op.drop_index("ix_observations_indicator_listing", "observations")
    op.drop_index("ix_observations_listing", "observations")
    for table in ("answer_state", "answer_marks", "answer_index", "answer_entries",
                  "answer_differences", "answer_current", "answer_members", "answer_claims",
                  "answer_histories"):
        op.drop_table(table)
