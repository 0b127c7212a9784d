"""The shipped campaign config and the test variants of it.

Tests read the repository's own ``config/campaign.toml`` so a change to the shipped file is
exercised everywhere; the variants below rewrite only what a test must control.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from tracker.config import TrackerConfig, load_config

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO_ROOT / "config"
CONFIG = CONFIG_DIR / "campaign.toml"
CAMPAIGN = "千万IP创科普2024"
TOPIC_URL = "https://news.qq.com/zt/qianwanip"


@cache
def _shipped() -> TrackerConfig:
    return load_config(CONFIG)


def load_repo_config() -> TrackerConfig:
    """The shipped config, parsed once per process; each caller gets its own deep copy."""
    return _shipped().model_copy(deep=True)


@pytest.fixture
def config() -> TrackerConfig:
    """The shipped config; a private copy, so a test may change it."""
    return load_repo_config()


def write_config(tmp_path: Path, *, topics: list[str] | None = None) -> Path:
    """A copy of the shipped campaign.toml in ``tmp_path/config``, with ``qqnews_topics`` set
    when given."""
    body = CONFIG.read_text(encoding="utf-8")
    if topics is not None:
        listed = ", ".join(f'"{t}"' for t in topics)
        assert "qqnews_topics = []" in body
        body = body.replace("qqnews_topics = []", f"qqnews_topics = [{listed}]")
    folder = tmp_path / "config"
    folder.mkdir(exist_ok=True)
    path = folder / "campaign.toml"
    path.write_text(body, encoding="utf-8")
    return path


def load_test_config(tmp_path: Path, *, topics: list[str] | None = None) -> TrackerConfig:
    return load_config(write_config(tmp_path, topics=topics))


UNLIMITED_RATE = 1000.0
"""Requests per second that never make a client wait on the simulator (one every millisecond).

A platform table without ``rate_per_s`` takes the platform's own rate from its spec, and TOML
has no null, so "no limit" is written as a rate no test reaches."""


def write_test_config(directory: Path, *, page_size: int = 5, timeout_s: float = 5.0) -> Path:
    """The shipped config with no effective rate limit, no pause after a block and
    ``page_size`` on every platform.

    No client-side rate limit and no block pause because the simulator is local and a
    subprocess's waits are real seconds (a block standing through its two pauses would cost
    four minutes); a small page size means more pages, so more places for a kill or a fault to
    land.
    """
    body = CONFIG.read_text(encoding="utf-8")
    body = re.sub(r"(?m)^rate_per_s\s*=.*\n", "", body)
    body = re.sub(
        r"(?m)^(\[platforms\.[a-z]+\]\n)",
        rf"\1page_size = {page_size}\ntimeout_s = {timeout_s}\nrate_per_s = {UNLIMITED_RATE}\n"
        "block_pause_s = 0\n",
        body,
    )
    path = directory / "campaign.toml"
    path.write_text(body, encoding="utf-8")
    load_config(path)  # fail here, not in a subprocess, if the rewrite broke the file
    return path
