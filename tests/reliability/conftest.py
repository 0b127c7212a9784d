"""Fixtures for the reliability suite (short variants by default, ``-m long`` for the long ones)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tracker.config import TrackerConfig
from tracker.services.database import campaign_rows
from tracker.store.registry import sync_campaigns


@pytest.fixture
def store(any_engine: Engine, config: TrackerConfig) -> Engine:
    """A migrated database with the campaigns in it, on SQLite and (when configured) PostgreSQL."""
    with any_engine.begin() as conn:
        sync_campaigns(conn, campaign_rows(config.campaigns))
    return any_engine
