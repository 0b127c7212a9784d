"""Fixtures: one simulator-filled database per session, and private copies for tests that write."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker.store.engine import make_engine

from .simdb import SimDB, build_sim_db


@pytest.fixture(scope="session")
def sim_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimDB]:
    db = build_sim_db(tmp_path_factory.mktemp("simdb"))
    yield db
    db.engine.dispose()


@pytest.fixture
def sim_db_copy(sim_db: SimDB, tmp_path: Path) -> Iterator[SimDB]:
    """A private copy (SQLite backup API, so the WAL is included) for tests that write."""
    path = tmp_path / "copy.db"
    src = sqlite3.connect(sim_db.path)
    dst = sqlite3.connect(path)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    yield SimDB(url, path, sim_db.config, engine)
    engine.dispose()
