"""Every stored publish time equals the simulator's truth, however the connector got it.

Weibo's realtime channel shows a post under an hour old as ``N分钟前``; the connector then dates
it by its mid (``(mid >> 22) + 515483463``), Xiaohongshu search cards by the note id. The
simulator's ids encode the true second, so no derived time may differ from the truth.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from tracker.sim.api import SimServer
from tracker.sim.layout import BLOCK
from tracker.sim.truth import iter_world_truth
from tracker.sim.world import World
from tracker.store.models import Post

from ..helpers.simulator import LIVE, collect_until_done, sim_options

SEED, SCALE = 8, 60


def _recent_campaign_weibo(world: World) -> tuple[str, datetime]:
    """The last campaign Weibo post of the campaign month and its publish time."""
    pw = world.platform("weibo")
    lo, hi = pw.layout.campaign_blocks
    for i in reversed(range(lo * BLOCK, hi * BLOCK)):
        seed = pw.post_seed(i)
        if seed.matches_key and seed.repost_index is None and seed.deleted_at is None:
            return seed.post_id, seed.published_at
    raise AssertionError("no campaign Weibo post")


def _stored(db: Engine) -> dict[tuple[str, str], tuple[datetime | None, str | None]]:
    post = Post.__table__
    with db.connect() as conn:
        rows = conn.execute(
            select(
                post.c.platform,
                post.c.platform_post_id,
                post.c.published_at,
                post.c.published_at_source,
            )
        ).all()
    out: dict[tuple[str, str], tuple[datetime | None, str | None]] = {}
    for platform, post_id, published_at, source in rows:
        if published_at is not None and published_at.tzinfo is None:
            published_at = published_at.replace(tzinfo=UTC)  # stored as UTC
        out[(platform, post_id)] = (published_at, source)
    return out


def test_no_stored_publish_time_differs_from_the_truth(db, config) -> None:
    recent_id, recent_at = _recent_campaign_weibo(World(seed=SEED, scale=SCALE))
    # The realtime channel writes "5分钟前" for it: only the mid can give the second.
    now = recent_at + timedelta(minutes=5, seconds=37)
    with SimServer(seed=SEED, scale=SCALE, faults="none", clock=now) as sim:
        history = collect_until_done(db, config, lambda: sim_options(sim), max_runs=1)
        assert all(r.status == "ok" for r in history[0])
        truth = {
            (t["platform"], t["post_id"]): datetime.fromisoformat(t["published_at"])
            for t in iter_world_truth(sim.world, sim.now, platforms=LIVE)
        }
    stored = _stored(db)
    assert {p for p, _ in stored} == set(LIVE)
    wrong = {
        key: (got, source, truth.get(key))
        for key, (got, source) in stored.items()
        if got is None or key not in truth or abs((got - truth[key]).total_seconds()) >= 1
    }
    assert not wrong, f"{len(wrong)} stored publish times differ from the truth: {wrong}"
    # The relative display time was exercised: the body said only "5分钟前", the mid dated it.
    assert stored[("weibo", recent_id)] == (recent_at, "id")
