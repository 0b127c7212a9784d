"""The alembic migration creates exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from tracker.store import migrate
from tracker.store.models import metadata


def test_migration_matches_models(any_engine: Engine) -> None:
    with any_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_upgrade_is_idempotent(any_engine: Engine) -> None:
    before, after = migrate.upgrade(any_engine)
    assert before == after == migrate.head_revision()
    assert {
        "post",
        "account",
        "metric_snapshot",
        "post_campaign",
        "run",
        "reject",
        "review",
    } <= set(inspect(any_engine).get_table_names())


def test_sqlite_pragmas(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
