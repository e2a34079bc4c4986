"""Storage: SQLite by default, PostgreSQL for a team server; same schema, Alembic migrations.

    from bilateral.store import open_store
    with open_store() as store:          # $BILATERAL_DB, else ./bilateral.db
        store.search('"host nation support"')
"""

from bilateral.store.search import SearchHit
from bilateral.store.store import (
    DEFAULT_URL,
    ENV_VAR,
    RUN_LEASE,
    BatchItem,
    BatchResult,
    Citation,
    FeedEntry,
    Page,
    RecordOrigin,
    ReplaceResult,
    Run,
    Store,
    StoredDocument,
    StoreStats,
    event_id,
    make_engine,
    observation_id,
    open_store,
    resolve_url,
)

__all__ = [
    "DEFAULT_URL",
    "ENV_VAR",
    "RUN_LEASE",
    "BatchItem",
    "BatchResult",
    "Citation",
    "FeedEntry",
    "Page",
    "RecordOrigin",
    "ReplaceResult",
    "Run",
    "SearchHit",
    "Store",
    "StoreStats",
    "StoredDocument",
    "event_id",
    "make_engine",
    "observation_id",
    "open_store",
    "resolve_url",
]
