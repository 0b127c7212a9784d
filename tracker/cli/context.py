"""Options every command shares (database, config, debug), resolved once per invocation.

Every command, even ``tracker status --help``, builds this state, so the config loader and the
database layer are imported where a property first needs them, never at import: a command
pays only for what it reads (see ``tracker.cli``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tracker.safe_files import protect
from tracker.settings import Settings

if TYPE_CHECKING:
    from tracker.config import TrackerConfig, UnitRow
    from tracker.store.stored_config import StoredTexts

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
        from tracker.config import load_config, parse_config_text

        stored = self.stored
        if stored is not None:
            # only here: the module holds the table models, which reading a file never needs
            from tracker.store.stored_config import CONFIG_NAME

            return parse_config_text(stored.config_text, self.stored_label(CONFIG_NAME))
        return load_config(self.config_path)

    @cached_property
    def stored(self) -> StoredTexts | None:
        """The config texts kept in the database, when commands read those instead of files.

        Only when no config was given (``--config``, ``TRACKER_CONFIG``), the default
        ``./config/campaign.toml`` does not exist, and the database holds a stored config
        (``tracker init``, ``tracker config apply``, ``tracker demo``); says so on stderr.
        """
        if self.config_given or self.config_path.exists():
            return None
        texts = self._read_stored()
        if texts is not None:
            typer.echo(
                f"当前目录下没有 {self.config_path}，使用数据库中保存的活动配置和单位名册："
                f"{self.database_label}",
                err=True,
            )
        return texts

    def _read_stored(self) -> StoredTexts | None:
        try:
            resolved = self.database_url
        except Exception:  # noqa: BLE001 - a bad URL is reported by the command that opens it
            return None
        from tracker.services.database import read_stored_texts

        return read_stored_texts(resolved)

    def stored_label(self, name: str) -> str:
        """Where stored text came from, for messages: ``数据库中保存的 campaign.toml (db)``."""
        return f"数据库中保存的 {name} ({self.database_label})"

    def config_texts(self) -> StoredTexts:
        """The texts to store in the database: the files' (``init``), or the stored ones."""
        from tracker.config import read_units_text
        from tracker.store.stored_config import StoredTexts

        stored = self.stored
        if stored is None:
            return self.file_texts()
        if self.units_path is None:
            return stored
        # an explicit --units with the stored config: store the registry that was read
        return StoredTexts(
            stored.config_text,
            read_units_text(self.units_path),
            stored.config_source,
            str(self.units_path),
        )

    def file_texts(self) -> StoredTexts:
        """The config and units files' text, never the database's (``tracker config apply``)."""
        from tracker.config import default_units_path, read_config_text, read_units_text
        from tracker.store.stored_config import StoredTexts

        config_text = read_config_text(self.config_path)
        units_path = self.units_path or default_units_path(self.config_path)
        units_text = None
        if self.units_path is not None or units_path.exists():
            units_text = read_units_text(units_path)
        return StoredTexts(
            config_text=config_text,
            units_text=units_text,
            config_source=str(self.config_path),
            units_source=str(units_path) if units_text is not None else None,
        )

    def use_checkout_config(self) -> Path | None:
        """Switch to the checkout's own config when none was given and ``./config`` has none.

        Only ``tracker demo`` calls this, so the README's first command runs from any directory;
        every other command reads the user's config or stops with the not-found error. Returns
        the path switched to, or ``None`` when nothing changed (that error then stands).
        """
        if self.config_given or self.config_path.exists():
            return None
        from tracker.config import checkout_config_path

        fallback = checkout_config_path()
        if fallback is None:
            return None
        self.config_path = fallback
        for cached in ("config", "stored", "units"):
            self.__dict__.pop(cached, None)  # drop what was cached from the old path
        protect(self.protected_files())
        return fallback

    @cached_property
    def units(self) -> list[UnitRow]:
        from tracker.config import default_units_path, load_units, parse_units_text

        stored = self.stored
        if stored is not None and self.units_path is None:  # an explicit --units still wins
            from tracker.store.stored_config import UNITS_NAME

            if stored.units_text is None:
                return []
            return parse_units_text(stored.units_text, self.stored_label(UNITS_NAME))
        path = self.units_path or default_units_path(self.config_path)
        if self.units_path is None and not path.exists():
            return []
        return load_units(path)

    @property
    def database_url(self) -> str:
        from tracker.services.database_location import database_url

        return database_url(self.db)

    @property
    def database_label(self) -> str:
        from tracker.services.database_location import database_label

        return database_label(self.database_url)

    def protected_files(self) -> list[tuple[Path, str]]:
        """The files no output of this command may replace: the database with its journals,
        the config and the units registry (``tracker.safe_files.check_output``)."""
        from tracker.config import default_units_path
        from tracker.services.database_location import database_file

        files = [
            (self.config_path, "活动配置文件 (the config file)"),
            (
                self.units_path or default_units_path(self.config_path),
                "单位名册 (the units registry)",
            ),
        ]
        try:
            database = database_file(self.database_url)
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
