"""Shared fixtures: databases (SQLite file, and PostgreSQL when TRACKER_TEST_PG_URL is set)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from tracker.store import migrate
from tracker.store.engine import make_engine

REPO_ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TRACKER_TEST_PG_URL")


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A scratch schema on the test server, dropped afterwards."""
    if not PG_URL:
        pytest.skip("TRACKER_TEST_PG_URL is not set (PostgreSQL tests run in CI)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_engine(pg_schema: str) -> Iterator[Engine]:
    assert PG_URL is not None  # pg_schema skipped otherwise
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={pg_schema}"})
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_engine(request: pytest.FixtureRequest) -> Engine:
    """The same test on SQLite and on PostgreSQL (skipped without TRACKER_TEST_PG_URL)."""
    name = "sqlite_engine" if request.param == "sqlite" else "pg_engine"
    return request.getfixturevalue(name)
