"""Create or upgrade a database to the current schema with alembic.

Migrations live inside the package (``tracker/store/migrations``) so an installed tool can
upgrade a user's database without a checkout; no ``alembic.ini`` is needed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    """The alembic config for the packaged migrations.

    The database URL is deliberately *not* put in: ``set_main_option`` goes through
    configparser, whose ``%`` interpolation broke on any escaped URL (a path ``数据 目录`` is
    ``%E6%95%B0...`` in URL form, a password ``p%40ss``) and then quoted the URL, password and
    all, in its error. The migrations run on the connection passed in ``cfg.attributes``
    (``env.py``), so the URL is not needed; ``engine`` is accepted for existing callers.
    """
    del engine  # the connection travels in cfg.attributes, never as text
    cfg = Config()
    cfg.set_main_option("script_location", _ini_escape(str(MIGRATIONS_DIR)))
    return cfg


def _ini_escape(value: str) -> str:
    """``value`` for configparser: an install path may hold ``%`` too (``C:\\用户\\100%``)."""
    return value.replace("%", "%%")


@cache
def head_revision() -> str:
    """The newest migration's revision, read once per process: reading it loads every
    migration script (about 0.2 s), and the packaged scripts do not change while it runs."""
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Upgrade to head; returns (revision before, revision after).

    A database already at head is left alone without starting alembic, which would load every
    migration script again only to find nothing to do (every ``tracker init`` of a current
    database, and every test database made from the migrated template)."""
    before = current_revision(engine)
    if before == head_revision():
        return before, before
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return before, head_revision()
