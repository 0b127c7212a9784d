"""The store's version token (``tracker.store.queries.version``): it changes with every commit
and stays put while the store is only read, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tracker.store.engine import make_engine
from tracker.store.queries import Engine
from tracker.store.queries.version import storage_version

from ..helpers.database import (  # noqa: F401 - fixtures
    PG_URL,
    any_engine,
    new_sqlite,
    pg_engine,
    pg_schema,
    sqlite_engine,
)


def _token(engine: Engine) -> str:
    with engine.connect() as conn:
        version = storage_version(conn)
    assert version is not None
    return version.token


def _write(engine: Engine, value: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS scratch_note (note TEXT)"))
        conn.execute(text("INSERT INTO scratch_note (note) VALUES (:n)"), {"n": value})


def test_a_commit_changes_the_token_and_reads_do_not(any_engine: Engine) -> None:  # noqa: F811
    start = _token(any_engine)
    with any_engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM post")).scalar_one()
    if any_engine.url.get_backend_name() == "sqlite":
        # (a PostgreSQL server's position moves with every database on it: other tests' too)
        assert _token(any_engine) == start
    _write(any_engine, "一")
    after_one = _token(any_engine)
    assert after_one != start
    _write(any_engine, "二")
    assert _token(any_engine) not in (start, after_one)


def test_sqlite_log_moved_into_the_file_still_counts(tmp_path: Path) -> None:
    engine = make_engine(new_sqlite(tmp_path / "v.db"))
    engine.dispose()
    start = _token(engine)  # no log: each connection made an empty one, which counts as none
    engine.dispose()
    assert _token(engine) == start
    _write(engine, "一")
    engine.dispose()  # the last connection moves the log into the file and removes it
    assert not Path(f"{tmp_path / 'v.db'}-wal").exists()
    assert _token(engine) != start


def test_in_memory_has_no_token() -> None:
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        assert storage_version(conn) is None


@pytest.mark.postgres
def test_postgresql_token_is_exact(pg_engine: Engine) -> None:  # noqa: F811
    with pg_engine.connect() as conn:
        version = storage_version(conn)
    assert version is not None and version.settled_at is None


@pytest.mark.postgres
def test_postgresql_stores_in_two_schemas_are_two_stores(
    pg_engine: Engine,  # noqa: F811
) -> None:
    assert PG_URL is not None
    other = create_engine(PG_URL)  # the same database, the default search path
    try:
        with other.connect() as a, pg_engine.connect() as b:
            first, second = storage_version(a), storage_version(b)
        assert first is not None and second is not None and first.store != second.store
    finally:
        other.dispose()
