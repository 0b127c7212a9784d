"""Fixtures for end-to-end runs against the simulator on loopback and a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tracker.config import TrackerConfig, load_config
from tracker.services.database import init_database
from tracker.store.engine import make_engine

from ..simtools import (  # noqa: F401 - re-exported for the tests of this directory
    LIVE,
    collect_until_done,
    sim_options,
    stored_campaign_works,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config() -> TrackerConfig:
    return load_config(REPO_ROOT / "config" / "campaign.toml")


@pytest.fixture
def db(tmp_path: Path, config: TrackerConfig) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    init_database(url, config, [])
    engine = make_engine(url)
    yield engine
    engine.dispose()
