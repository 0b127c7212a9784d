"""Options every command shares (database, config, debug), resolved once per invocation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import typer

from tracker.config import TrackerConfig, UnitRow, default_units_path, load_config, load_units
from tracker.settings import Settings
from tracker.store.engine import describe_url, resolve_database_url


@dataclass
class CliState:
    db: str | None
    config_path: Path
    units_path: Path | None
    debug: bool

    @cached_property
    def config(self) -> TrackerConfig:
        return load_config(self.config_path)

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


def make_state(db: str | None, config: Path | None, units: Path | None, debug: bool) -> CliState:
    settings = Settings()
    return CliState(
        db=db or settings.database_url,
        config_path=config or settings.config,
        units_path=units or settings.units,
        debug=debug or settings.debug,
    )


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj
