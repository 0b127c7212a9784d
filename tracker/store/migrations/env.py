"""Alembic environment: migrations run on the connection ``tracker.store.migrate`` hands over."""

from __future__ import annotations

from alembic import context

import tracker.store.models  # noqa: F401  - every table must be imported before autogenerate
from tracker.store.models import metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # pragma: no cover - only when alembic is called directly
        from tracker.store.engine import make_engine

        url = config.get_main_option("sqlalchemy.url")
        if not url:  # never the default database by accident (a stamp meant for another file)
            raise RuntimeError("alembic: pass cfg.attributes['connection'] or sqlalchemy.url")
        engine = make_engine(url)
        with engine.begin() as conn:
            _run(conn)
        return
    _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
