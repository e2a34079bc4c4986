"""Alembic environment for the bilateral store.

At run time open_store calls Alembic in code (``bilateral.store.store._prepare``) and hands
over an open connection in ``config.attributes["connection"]``, already inside a transaction;
no alembic.ini is needed. For development (``alembic revision --autogenerate``), a config
with ``script_location`` pointing at this folder and ``sqlalchemy.url`` (or ``BILATERAL_DB``)
works too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from bilateral.store.schema import include_object, metadata

config = context.config


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite has little ALTER TABLE
    )


def run_offline() -> None:
    from bilateral.store.store import resolve_url

    context.configure(url=config.get_main_option("sqlalchemy.url") or resolve_url(None),
                      target_metadata=metadata, literal_binds=True,
                      include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        # The store owns the transaction (and its lock); Alembic joins it.
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from bilateral.store.store import make_engine, resolve_url

    engine = make_engine(config.get_main_option("sqlalchemy.url") or resolve_url(None))
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
