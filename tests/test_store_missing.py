"""Opening a store only to read it: where there is none, StoreMissing, and nothing is created."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from bilateral.errors import StoreError, StoreMissing
from bilateral.store import make_engine, open_store


def _tables(url: str) -> set[str]:
    """The tables the URL's database (or PostgreSQL schema) holds, looked at from outside."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                query = "SELECT name FROM sqlite_master WHERE type = 'table'"
            else:
                query = ("SELECT table_name FROM information_schema.tables "
                         "WHERE table_schema = current_schema()")
            return set(conn.execute(text(query)).scalars())
    finally:
        engine.dispose()


def test_a_reader_gets_store_missing_and_creates_nothing(db_url):
    with pytest.raises(StoreMissing) as raised:
        open_store(db_url, create=False)
    assert isinstance(raised.value, StoreError) and raised.value.code == "B420"
    assert "no store at" in raised.value.message
    assert "bilateral ingest" in raised.value.message
    if db_url.startswith("sqlite"):
        assert not Path(db_url.removeprefix("sqlite:///")).exists()
    else:
        assert _tables(db_url) == set()  # the schema exists but stays empty


def test_a_reader_opens_a_store_that_a_writer_created(db_url):
    with open_store(db_url) as created:  # create=True, the default: writers make the store
        run = created.begin_run("ingest")
        created.finish_run(run, "completed")
    with open_store(db_url, create=False) as opened:
        assert opened.count_documents() == 0
        assert [r.id for r in opened.runs()] == [run]


def test_the_message_names_the_file_and_the_url_to_ingest_into(tmp_path):
    missing = tmp_path / "typo.db"
    with pytest.raises(StoreMissing) as raised:
        open_store(f"sqlite:///{missing}", create=False)
    assert str(missing) in raised.value.message
    assert f"--db sqlite:///{missing}" in raised.value.message


def test_a_missing_folder_is_a_missing_store_too(tmp_path):
    with pytest.raises(StoreMissing):
        open_store(f"sqlite:///{tmp_path / 'nowhere' / 'x.db'}", create=False)
    assert not (tmp_path / "nowhere").exists()


def test_a_sqlite_file_of_another_program_is_no_store_and_is_left_alone(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    with pytest.raises(StoreMissing, match="no bilateral tables"):
        open_store(f"sqlite:///{other}", create=False)
    assert _tables(f"sqlite:///{other}") == {"notes"}
