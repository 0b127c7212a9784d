"""Fixtures for the reliability suite (short variants by default, ``-m long`` for the long ones)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tracker.config import TrackerConfig, load_config
from tracker.services.database import init_database
from tracker.store.engine import make_engine
from tracker.store.registry import sync_campaigns

from .clitools import CONFIG


@pytest.fixture
def config() -> TrackerConfig:
    return load_config(CONFIG)


@pytest.fixture
def db(tmp_path: Path, config: TrackerConfig) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    init_database(url, config, [])
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(any_engine: Engine, config: TrackerConfig) -> Engine:
    """A migrated database with the campaigns in it, on SQLite and (when configured) PostgreSQL."""
    with any_engine.begin() as conn:
        sync_campaigns(conn, config.campaigns)
    return any_engine
