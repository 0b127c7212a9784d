"""Process settings from environment variables (``TRACKER_*``), never from files.

Secrets (cookies, tokens, webhook URLs) are only ever read from the environment by *name*
(the config names the variable, e.g. ``cookie_env = "TRACKER_WEIBO_COOKIE"``); they are never
written to the database or logs.
"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRACKER_", extra="ignore")

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
    return Settings()
