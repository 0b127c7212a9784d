"""Options every command shares (database, config, debug), resolved once per invocation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import typer

from tracker.config import (
    TrackerConfig,
    UnitRow,
    checkout_config_path,
    default_units_path,
    load_config,
    load_units,
)
from tracker.safe_files import protect
from tracker.settings import Settings
from tracker.store.engine import describe_url, resolve_database_url, sqlite_path

DATABASE_COMPANIONS = ("-wal", "-shm", "-journal")
"""Files SQLite keeps beside the database; overwriting one corrupts it as surely."""


@dataclass
class CliState:
    db: str | None
    config_path: Path
    units_path: Path | None
    debug: bool
    config_given: bool = True
    """Whether ``--config`` or ``TRACKER_CONFIG`` named the config (``False``: the default)."""

    @cached_property
    def config(self) -> TrackerConfig:
        return load_config(self.config_path)

    def use_checkout_config(self) -> Path | None:
        """Switch to the checkout's own config when none was given and ``./config`` has none.

        Only ``tracker demo`` calls this, so the README's first command runs from any directory;
        every other command reads the user's config or stops with the not-found error. Returns
        the path switched to, or ``None`` when nothing changed (that error then stands).
        """
        if self.config_given or self.config_path.exists():
            return None
        fallback = checkout_config_path()
        if fallback is None:
            return None
        self.config_path = fallback
        self.__dict__.pop("config", None)  # drop a config cached from the old path
        protect(self.protected_files())
        return fallback

    @cached_property
    def units(self) -> list[UnitRow]:
        path = self.units_path or default_units_path(self.config_path)
        if self.units_path is None and not path.exists():
            return []
        return load_units(path)

    @property
    def database_url(self) -> str:
        return resolve_database_url(self.db)

    @property
    def database_label(self) -> str:
        return describe_url(self.database_url)

    def protected_files(self) -> list[tuple[Path, str]]:
        """The files no output of this command may replace: the database with its journals,
        the config and the units registry (``tracker.safe_files.check_output``)."""
        files = [
            (self.config_path, "活动配置文件 (the config file)"),
            (
                self.units_path or default_units_path(self.config_path),
                "单位名册 (the units registry)",
            ),
        ]
        try:
            database = sqlite_path(self.database_url)
        except Exception:  # noqa: BLE001 - a bad URL is reported by the command that opens it
            database = None
        if database is not None:
            files.append((Path(database), "数据库 (the database)"))
            for suffix in DATABASE_COMPANIONS:
                files.append((Path(database + suffix), "数据库日志文件 (the database journal)"))
        return files


def make_state(db: str | None, config: Path | None, units: Path | None, debug: bool) -> CliState:
    settings = Settings()
    return CliState(
        db=db or settings.database_url,
        config_path=config or settings.config,
        units_path=units or settings.units,
        debug=debug or settings.debug,
        config_given=config is not None or "config" in settings.model_fields_set,
    )


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj
