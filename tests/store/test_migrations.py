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


def test_a_current_database_is_upgraded_without_starting_alembic(
    any_engine: Engine, monkeypatch
) -> None:
    def started(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("alembic started on a database already at head")

    monkeypatch.setattr(migrate.command, "upgrade", started)
    head = migrate.head_revision()
    assert migrate.upgrade(any_engine) == (head, head)


def test_sqlite_pragmas(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_upgrade_from_first_schema_keeps_rows_and_widens_counts(any_engine: Engine) -> None:
    """0001 stored counts as 32-bit INTEGER on Postgres; 0002 widens them without losing rows."""
    from alembic import command
    from sqlalchemy import select, text

    from tracker.store.models import Post

    cfg = migrate.alembic_config(any_engine)
    with any_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    with any_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO post (platform, platform_post_id, likes, source, deleted) "
                "VALUES ('weibo', '1', 7, 'live', false)"
            )
        )
    migrate.upgrade(any_engine)
    big = 5_000_000_000  # a view count past 2**31
    with any_engine.begin() as conn:
        conn.execute(Post.__table__.update().values(views=big))
        row = conn.execute(select(Post.__table__.c.likes, Post.__table__.c.views)).one()
    assert tuple(row) == (7, big)


def test_one_head_and_stored_config_round_trip(any_engine: Engine) -> None:
    """0006 adds ``stored_config``; the texts a database keeps come back as written."""
    from alembic.script import ScriptDirectory

    from tracker.store.stored_config import StoredTexts, read_stored, write_stored

    assert len(ScriptDirectory.from_config(migrate.alembic_config()).get_heads()) == 1
    assert read_stored(any_engine) is None
    texts = StoredTexts(
        "[campaigns]\n# 活动\n", "unit,kind\n中山大学,university\n", "a.toml", "u.csv"
    )
    with any_engine.begin() as conn:
        write_stored(conn, texts)
    assert read_stored(any_engine) == texts
    with any_engine.begin() as conn:
        write_stored(conn, StoredTexts("x = 1\n", None))
    assert read_stored(any_engine) == StoredTexts("x = 1\n", None)


def test_downgrade_below_stored_config_and_back(any_engine: Engine) -> None:
    from alembic import command

    from tracker.store.stored_config import read_stored

    cfg = migrate.alembic_config(any_engine)
    with any_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005_lower_bounds")
    assert "stored_config" not in inspect(any_engine).get_table_names()
    assert read_stored(any_engine) is None  # a database from before 0006: no stored config
    migrate.upgrade(any_engine)
    assert "stored_config" in inspect(any_engine).get_table_names()
