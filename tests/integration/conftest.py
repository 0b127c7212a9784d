"""Fixtures for end-to-end runs against the simulator on loopback and a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, and_, select

from tracker.config import TrackerConfig, load_config
from tracker.services.collect import CollectOptions, PlatformResult, collect
from tracker.services.database import init_database
from tracker.store.engine import make_engine
from tracker.store.models import Post, PostCampaign

REPO_ROOT = Path(__file__).resolve().parents[2]
LIVE = ("weibo", "bilibili", "zhihu", "douyin", "kuaishou", "xiaohongshu")


@pytest.fixture
def config() -> TrackerConfig:
    return load_config(REPO_ROOT / "config" / "campaign.toml")


@pytest.fixture
def db(tmp_path: Path, config: TrackerConfig) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    init_database(url, config, [])
    engine = make_engine(url)
    yield engine
    engine.dispose()


def sim_options(sim: Any, **kw: Any) -> CollectOptions:
    """Collect options pointing every connector at the simulator, with its virtual clock."""
    return CollectOptions(
        base_urls=sim.base_urls,
        signer="dev",
        clock=lambda: sim.now,
        sleep=lambda _s: None,
        http_overrides={
            "timeout_s": kw.pop("timeout_s", 5.0),
            "max_attempts": 8,
            "backoff_initial_s": 0,
        },
        **kw,
    )


def collect_until_done(
    engine: Engine,
    config: TrackerConfig,
    make_options: Callable[[], CollectOptions],
    *,
    max_runs: int = 12,
) -> list[list[PlatformResult]]:
    """Run collection again (resuming from cursors) until every platform completes."""
    history = []
    pending = list(LIVE)
    for _ in range(max_runs):
        options = make_options()
        options.platforms = pending
        results = collect(engine, config, options)
        history.append(results)
        pending = [r.platform for r in results if r.status != "ok"]
        if not pending:
            return history
    raise AssertionError(f"platforms never completed: {pending}; last: {history[-1]}")


def stored_campaign_works(
    engine: Engine, matched_by: str = "tag"
) -> dict[tuple[str, str], dict[str, Any]]:
    post, link = Post.__table__, PostCampaign.__table__
    q = (
        select(post)
        .join(
            link,
            and_(
                link.c.platform == post.c.platform,
                link.c.platform_post_id == post.c.platform_post_id,
            ),
        )
        .where(
            link.c.matched_by == matched_by, link.c.excluded.is_(False), post.c.deleted.is_(False)
        )
    )
    with engine.connect() as conn:
        return {(r.platform, r.platform_post_id): dict(r._mapping) for r in conn.execute(q)}
