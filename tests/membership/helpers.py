"""Shared helpers for the membership tests: configs, databases, simulator options, registry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from tracker.config import TrackerConfig, UnitRow, load_config, load_units
from tracker.services.collect import CollectOptions
from tracker.services.database import init_database
from tracker.sim.units import write_units_csv
from tracker.sim.world import World
from tracker.store.engine import make_engine

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO_ROOT / "config"
CAMPAIGN = "千万IP创科普2024"
TOPIC_URL = "https://news.qq.com/zt/qianwanip"


def write_config(tmp_path: Path, *, topics: list[str] | None = None) -> Path:
    """A copy of the project's campaign.toml, with ``qqnews_topics`` set when given."""
    body = (CONFIG_DIR / "campaign.toml").read_text(encoding="utf-8")
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


def sim_units(world: World, tmp_path: Path) -> list[UnitRow]:
    """The simulator's units.csv, read back through the real registry loader."""
    path = tmp_path / "units.csv"
    write_units_csv(world, path)
    return load_units(path)


def make_db(tmp_path: Path, config: TrackerConfig, units: list[UnitRow] | None = None) -> Engine:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    init_database(url, config, units or [])
    return make_engine(url)


def sim_options(sim: Any, **kw: Any) -> CollectOptions:
    """Collect options pointing every connector at the simulator, with its virtual clock."""
    return CollectOptions(
        base_urls=sim.base_urls,
        signer="dev",
        clock=lambda: sim.now,
        sleep=lambda _s: None,
        http_overrides={"timeout_s": 5.0, "max_attempts": 4, "backoff_initial_s": 0},
        **kw,
    )


def rows(engine: Engine, sql: str, **params: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql), params)]


def links(engine: Engine, platform: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    """post_campaign rows by key (one campaign in these tests)."""
    sql = "SELECT * FROM post_campaign" + (" WHERE platform = :p" if platform else "")
    return {(r["platform"], r["platform_post_id"]): r for r in rows(engine, sql, p=platform)}
