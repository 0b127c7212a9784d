"""Process settings from environment variables (``TRACKER_*``), never from files.

Secrets (cookies, tokens, webhook URLs) are only ever read from the environment by *name*
(the config names the variable, e.g. ``cookie_env = "TRACKER_WEIBO_COOKIE"``); they are never
written to the database or logs.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRACKER_", extra="ignore", frozen=True)

    database_url: str | None = None
    config: Path = Path("config/campaign.toml")
    units: Path | None = None
    log_level: str = "WARNING"
    debug: bool = False
    ranking_cache: bool = True
    """Keep rankings of big campaigns on disk per state of the store (``ranking_cache``)."""
    cache_dir: Path | None = None
    """Where kept rankings go; default ``<database>.cache/`` beside a SQLite file."""


def load_settings() -> Settings:
    """The settings the environment gives now. Every write of a run row asks where rankings are
    kept (``ranking_cache.cache_dir``), and validating the model each time cost about 0.5 ms; the
    result is reused while the ``TRACKER_*`` variables are unchanged."""
    prefix = Settings.model_config.get("env_prefix", "")
    return _settings_for(
        tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith(prefix)))
    )


@lru_cache(maxsize=8)
def _settings_for(variables: tuple[tuple[str, str], ...]) -> Settings:
    del variables  # the cache key: Settings() reads the same variables from the environment
    return Settings()
