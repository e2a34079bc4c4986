"""Shared fixtures.

Databases: ``db_url`` (and ``store`` on top of it) runs a test once on a fresh SQLite file and
once on a fresh PostgreSQL schema; the PostgreSQL variant carries the ``postgres`` marker, so
``pytest -m 'not postgres'`` runs without a server. PostgreSQL comes from
$BILATERAL_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/test); each test gets its
own schema ``bilateral_test_<random>``, selected through the connection's search_path and
dropped afterwards, so tests never see each other's tables or a developer's data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from bilateral.store import Store, open_store, resolve_url

PG_URL_ENV = "BILATERAL_TEST_PG_URL"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(autouse=True)
def _no_developer_db(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may fall back to the developer's $BILATERAL_DB or ./bilateral.db."""
    monkeypatch.delenv("BILATERAL_DB", raising=False)


@pytest.fixture(scope="session")
def pg_admin_engine() -> Iterator[Engine]:
    """An engine on the test server's database; fails (not skips) when there is no server."""
    raw = os.environ.get(PG_URL_ENV, DEFAULT_PG_URL)
    engine = create_engine(resolve_url(raw), connect_args={"connect_timeout": 5})
    problem = None
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        problem = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
    if problem is not None:
        engine.dispose()
        pytest.fail(
            f"PostgreSQL tests need a server, and {engine.url.render_as_string()} does not "
            f"answer: {problem}\n"
            f"Start PostgreSQL or set {PG_URL_ENV}=postgresql://USER@HOST:PORT/DBNAME (a "
            f"database where USER may CREATE SCHEMA); to run without it: pytest -m 'not postgres'",
            pytrace=False)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(pg_admin_engine: Engine) -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL schema, dropped after the test."""
    schema = f"bilateral_test_{uuid.uuid4().hex[:12]}"
    with pg_admin_engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = pg_admin_engine.url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with pg_admin_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty database: a SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An open, migrated, empty store on each backend."""
    with open_store(db_url) as opened:
        yield opened


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium for the browser tests, shared by all of them."""
    from live import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()
