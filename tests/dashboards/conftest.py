"""Fixtures: one simulator-filled database per session, and private copies for tests that write."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ..helpers.worlds import SimDB, build_sim_db


@pytest.fixture(scope="session")
def sim_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimDB]:
    db = build_sim_db(tmp_path_factory.mktemp("simdb"))
    yield db
    db.engine.dispose()


@pytest.fixture
def sim_db_copy(sim_db: SimDB, tmp_path: Path) -> Iterator[SimDB]:
    """A private copy (SQLite backup API, so the WAL is included) for tests that write."""
    copy = sim_db.copy_to(tmp_path / "copy.db")
    yield copy
    copy.engine.dispose()
