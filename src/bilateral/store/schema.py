"""The store's tables as SQLAlchemy Core, shared by SQLite and PostgreSQL.

This module describes the schema the code expects; the migrations in ``migrations/versions``
create it (a test compares the two). Full-text search objects are dialect-specific and live only
in the migrations: on SQLite an FTS5 table ``documents_fts`` (with ``documents_fts_map`` and the
view ``documents_fts_source``), on PostgreSQL the generated column ``documents.search``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator

#: Names for every constraint and index, so migrations can refer to them on both dialects.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

RUN_STATUSES: tuple[str, ...] = ("running", "completed", "failed")

#: Names the store creates outside this metadata (full-text search), for autogenerate filters.
FTS_OBJECTS: frozenset[str] = frozenset({"documents_fts", "documents_fts_map",
                                         "documents_fts_source"})
FTS_COLUMN = "search"  # PostgreSQL: documents.search tsvector, generated


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                   compare_to: Any) -> bool:
    """Alembic filter: leave the dialect-specific objects out of comparisons (the full-text
    search objects, and the PostgreSQL-only newest-first index of migration 0003)."""
    if name is None:
        return True
    if type_ == "table" and (name in FTS_OBJECTS or name.startswith("documents_fts_")):
        return False
    if type_ == "column" and name == FTS_COLUMN and obj.table.name == "documents":
        return False
    return not (type_ == "index" and name in ("ix_documents_search", "ix_documents_newest"))


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the dialect stores.

    SQLite has no time zones: values are stored as naive UTC text and read back as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store only takes aware timestamps")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(naming_convention=NAMING_CONVENTION)

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("dossier", Text),
    Column("config", Text, nullable=False),  # JSON object
    Column("counts", Text),  # JSON object, set by finish_run
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    # Refreshed while the run works; a running run silent for longer than the store's lease
    # was killed, and is marked failed.
    Column("heartbeat_at", UTCDateTime),
    Column("reason", Text),  # why a run failed, e.g. "abandoned: no heartbeat since ..."
    CheckConstraint("status IN ('running', 'completed', 'failed')", name="status"),
)

documents = Table(
    "documents", metadata,
    Column("id", Text, primary_key=True),  # content hash, given by ingest
    Column("text", Text, nullable=False),
    Column("title", Text),
    Column("url", Text),
    Column("source", Text, index=True),
    Column("published", Text, index=True),  # YYYY, YYYY-MM or YYYY-MM-DD
    Column("published_from", Text),
    Column("external_id", Text, index=True),
    Column("origin", Text),
    # Deferred so a batch may hold a copy before its original.
    Column("duplicate_of", Text,
           ForeignKey("documents.id", ondelete="SET NULL", deferrable=True,
                      initially="DEFERRED"),
           index=True),
    Column("similarity", Float),
    Column("char_count", Integer, nullable=False),
    Column("ingested_at", UTCDateTime, nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="SET NULL"), index=True),
)

document_sketches = Table(
    "document_sketches", metadata,
    Column("doc_id", Text, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("hash", BigInteger, nullable=False),  # signed 64-bit
    PrimaryKeyConstraint("doc_id", "hash"),
    # (hash, doc_id) answers Store.sketch_postings from the index alone.
    Index("ix_document_sketches_hash", "hash", "doc_id"),
)

observations = Table(
    "observations", metadata,
    Column("id", Text, primary_key=True),  # observation_id(): stable hash of the record
    Column("doc_id", Text, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("indicator", Text, nullable=False, index=True),
    Column("value", Float, nullable=False),
    Column("unit", Text, nullable=False),
    Column("status", Text, nullable=False, index=True),
    Column("when_at", Text),  # Observation.when: YYYY, YYYY-MM or YYYY-MM-DD
    Column("quote", Text, nullable=False),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("rule", Text, nullable=False),
    Column("actor", Text, index=True),
    Column("note", Text),
    # What made the record (migration 0005): NULL when an older version did and did not say.
    Column("extractor_version", Text),
    Column("dossier_sha256", Text),
    # Listings' order (migration 0007): a page is read in index order, not sorted.
    Index("ix_observations_listing", "when_at", "doc_id", "span_start", "id"),
    Index("ix_observations_indicator_listing", "indicator", "when_at", "doc_id", "span_start",
          "id"),
)

events = Table(
    "events", metadata,
    Column("id", Text, primary_key=True),  # event_id(): stable hash of the record
    Column("doc_id", Text, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("type", Text, nullable=False, index=True),
    Column("source", Text, nullable=False, index=True),
    Column("target", Text, nullable=False, index=True),
    Column("when_at", Text),
    Column("quote", Text, nullable=False),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("rule", Text, nullable=False),
    Column("source_actor", Text),
    Column("target_actor", Text),
    Column("trigger", Text),
    Column("extractor_version", Text),
    Column("dossier_sha256", Text),
    Index("ix_events_listing", "when_at", "doc_id", "span_start", "id"),
)

rejections = Table(
    "rejections", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("origin", Text, nullable=False),
    Column("code", Text, nullable=False),
    Column("reason", Text, nullable=False),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("name", Text, primary_key=True),  # who holds it, e.g. "ingest-bot"
    Column("digest", Text, nullable=False, unique=True),  # SHA-256 of the token, hex
    Column("created_at", DateTime(timezone=True), nullable=False),
)

#: What ``bilateral watch --feed`` decided about each article link it met, so a restart
#: fetches no page twice (migration 0006).
FEED_ENTRY_STATUSES: tuple[str, ...] = ("ingested", "duplicate", "rejected", "robots", "gave-up")

feed_entries = Table(
    "feed_entries", metadata,
    Column("url", Text, primary_key=True),  # the entry's link, without its #fragment
    Column("feed", Text, nullable=False),  # the feed it was first met in
    Column("status", Text, nullable=False),
    Column("doc_id", Text),  # the stored document, when one was made (no key: may be removed)
    Column("reason", Text),  # why there is no document, when there is none
    Column("entry_updated", Text),  # the entry's date as the feed gave it: a change refetches
    Column("etag", Text),  # the page's validators, sent back when it is fetched again
    Column("last_modified", Text),
    Column("seen_at", UTCDateTime, nullable=False),
    CheckConstraint("status IN ('ingested', 'duplicate', 'rejected', 'robots', 'gave-up')",
                    name="status"),
)

# --- kept answers (migration 0007) --------------------------------------------------------------
# What the analysis makes of the records (``bilateral.analyse.kept``), kept so that a server
# reads its answers instead of computing them. Bodies are JSON written and read by the analysis;
# the other columns are what listings filter and sort by. ``sort`` columns are text whose order
# is the listing's order, so a page ends at a key and the next starts after it.

answer_histories = Table(
    "answer_histories", metadata,
    Column("indicator", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("key", Integer, nullable=False),  # 1 for a key indicator of the dossier
    Column("claims", Integer, nullable=False),
)

answer_claims = Table(
    "answer_claims", metadata,
    Column("id", Text, primary_key=True),  # claim_id()
    Column("indicator", Text, nullable=False),
    Column("position", Integer, nullable=False),  # in the indicator's history, from 0
    Column("when_at", Text),
    Column("body", Text, nullable=False),
    Index("ix_answer_claims_indicator_position", "indicator", "position", unique=True),
)

#: Which answer each record's key belongs to: "indicator|status|value|when" to a claim,
#: "type|source|target|when" to a timeline entry, so a document's page links its records.
answer_members = Table(
    "answer_members", metadata,
    Column("kind", Text, nullable=False),  # "claim" or "entry"
    Column("key", Text, nullable=False),
    Column("answer_id", Text, nullable=False),
    Column("grp", Text, nullable=False),  # the indicator, or "type|source|target"
    PrimaryKeyConstraint("kind", "key"),
    Index("ix_answer_members_kind_grp", "kind", "grp"),
)

answer_current = Table(
    "answer_current", metadata,
    Column("indicator", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("claim_id", Text, nullable=False),
    Column("disputed", Integer, nullable=False),
    PrimaryKeyConstraint("indicator", "status"),
)

answer_differences = Table(
    "answer_differences", metadata,
    Column("id", Text, primary_key=True),
    Column("kind", Text, nullable=False),  # "dispute" or "revision"
    Column("indicator", Text, nullable=False),
    Column("sort", Text, nullable=False),
    Column("body", Text, nullable=False),
    Index("ix_answer_differences_kind_sort", "kind", "sort"),
    Index("ix_answer_differences_kind_indicator_sort", "kind", "indicator", "sort"),
)

answer_entries = Table(
    "answer_entries", metadata,
    Column("id", Text, primary_key=True),
    Column("sort", Text, nullable=False),  # time (coarser first), type, source, target, id
    Column("when_at", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("sources", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Index("ix_answer_entries_sort", "sort", unique=True),
    Index("ix_answer_entries_type_sort", "type", "sort"),
    Index("ix_answer_entries_source_sort", "source", "sort"),
    Index("ix_answer_entries_target_sort", "target", "sort"),
)

#: The relations index by directed dyad and month (``bilateral.analyse.relations``).
answer_index = Table(
    "answer_index", metadata,
    Column("source", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("month", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("events", Integer, nullable=False),
    Column("cooperation", Float, nullable=False),
    Column("conflict", Float, nullable=False),
    PrimaryKeyConstraint("source", "target", "month"),
)

#: What a write changed and the kept answers do not show yet: an indicator, an event group
#: ("type|source|target"), a dyad's index ("source|target"), or everything ("all"). Each write
#: adds rows of its own stamp, so writers never wait for each other here; the refresh deletes
#: the rows it has answered.
answer_marks = Table(
    "answer_marks", metadata,
    Column("kind", Text, nullable=False),  # "indicator", "events", "index" or "all"
    Column("key", Text, nullable=False),
    Column("stamp", Text, nullable=False),
    PrimaryKeyConstraint("kind", "key", "stamp"),
)

#: One row: who is refreshing the kept answers (a lease, so one process at a time), with
#: which dossier they were made, and when they were last brought up to date.
answer_state = Table(
    "answer_state", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("holder", Text),
    Column("lease_until", UTCDateTime),
    Column("dossier", Text),  # the dossier's id and content hash, "us-japan:ab12..."
    Column("refreshed_at", UTCDateTime),
    # one more with every transaction that changes a kept answer: a reader's counts of the
    # answers are good while it stays the same (migration 0008)
    Column("changes", Integer, nullable=False, server_default="0"),
)
