"""Fixtures for the security checks: the shipped config and a fresh SQLite file per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tracker.config import TrackerConfig, load_config
from tracker.services.database import init_database
from tracker.store.engine import make_engine

from ..reliability.clitools import CONFIG


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
