"""Shared helpers for the import tests: a real SQLite file, the CLI, queries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.config import TrackerConfig, load_config
from tracker.services.database import init_database
from tracker.store.engine import make_engine

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "imports"
REAL = REPO / "tests" / "fixtures" / "real"
CONFIG_PATH = REPO / "config" / "campaign.toml"


@pytest.fixture(scope="session")
def config() -> TrackerConfig:
    return load_config(CONFIG_PATH)


@pytest.fixture
def db_url(tmp_path: Path, config: TrackerConfig) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    init_database(url, config, [])
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def cli(db_url: str, *args: str) -> Result:
    """``tracker --db URL --config campaign.toml import ...`` through typer's runner."""
    runner = CliRunner()
    return runner.invoke(app, ["--db", db_url, "--config", str(CONFIG_PATH), *args])


def cli_json(db_url: str, *args: str) -> dict[str, Any]:
    result = cli(db_url, "import", "--format", "json", *args)
    assert result.exit_code in (0, 1, 3), result.output  # 3: some files skipped or failed
    return json.loads(result.stdout)


def rows(engine: Engine, sql: str, **params: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql), params)]


def one(engine: Engine, sql: str, **params: Any) -> dict[str, Any]:
    found = rows(engine, sql, **params)
    assert len(found) == 1, found
    return found[0]


def post(engine: Engine, platform: str, post_id: str) -> dict[str, Any]:
    row = one(
        engine,
        "SELECT * FROM post WHERE platform = :p AND platform_post_id = :i",
        p=platform,
        i=post_id,
    )
    for key in ("hashtags", "context"):
        if isinstance(row.get(key), str):
            row[key] = json.loads(row[key])
    return row


def snapshots(engine: Engine, platform: str, post_id: str) -> list[dict[str, Any]]:
    return rows(
        engine,
        "SELECT * FROM metric_snapshot WHERE platform = :p AND platform_post_id = :i "
        "ORDER BY captured_at",
        p=platform,
        i=post_id,
    )


def count(engine: Engine, table: str, where: str = "1=1", **params: Any) -> int:
    return int(one(engine, f"SELECT COUNT(*) AS n FROM {table} WHERE {where}", **params)["n"])
