"""Fixtures of the import tests: ``engine`` is the root ``db`` (a fresh, initialised SQLite file)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine


@pytest.fixture
def engine(db: Engine) -> Engine:
    return db
