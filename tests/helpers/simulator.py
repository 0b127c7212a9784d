"""The simulator as ground truth: pointing collection at it, and comparing the store with it.

A test points every connector at a running :class:`~tracker.sim.api.SimServer`, collects, and
compares what the store holds with :func:`tracker.sim.truth.iter_world_truth`. One module, so
every suite judges "equals the ground truth" by the very same rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, and_, select

from tracker.config import TrackerConfig, UnitRow, load_units
from tracker.services.collect import CollectOptions, PlatformResult, collect
from tracker.sim.api import SimServer
from tracker.sim.truth import iter_world_truth
from tracker.sim.units import write_units_csv
from tracker.sim.world import World
from tracker.store.models import Post, PostCampaign

from .database import duplicate_keys

LIVE = ("weibo", "bilibili", "zhihu", "douyin", "kuaishou", "xiaohongshu")
METRICS = ("views", "likes", "comments", "shares", "favorites")


class InProcessSim(httpx.BaseTransport):
    """The simulator answering in this process: the same app and bytes as over its socket.

    A world built for the ranking, the exports or the dashboards spends most of its time in the
    loopback socket (writes, reads, the server's handler threads), which no such test is
    about; collection over the real socket keeps its own tests (``tests/integration``,
    ``tests/reliability``). Fault-free worlds only: a ``slow`` fault needs a real timeout.
    """

    def __init__(self, sim: SimServer) -> None:
        if sim.injector.active:
            raise ValueError("an in-process simulator serves fault-free worlds only")
        self.app = sim.app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        target = request.url.raw_path.decode("ascii")
        raw = self.app.handle(request.method, target, request.headers.items(), request.read())
        return httpx.Response(raw.status, headers=raw.headers, content=raw.body)


def sim_options(
    sim: Any,
    *,
    timeout_s: float = 5.0,
    http: Mapping[str, Any] | None = None,
    in_process: bool = False,
    **kw: Any,
) -> CollectOptions:
    """Collect options pointing every connector at the simulator, on its virtual clock.

    Nothing really waits (``sleep`` is a no-op on the virtual clock); ``http`` overrides more
    client settings (``{"rate_per_s": None}`` drops the configured rate limit), ``kw`` go to
    :class:`CollectOptions`. ``in_process`` skips the socket (:class:`InProcessSim`).
    """
    if in_process:
        kw["transport"] = InProcessSim(sim)
    return CollectOptions(
        base_urls=sim.base_urls,
        signer="dev",
        clock=lambda: sim.now,
        sleep=lambda _s: None,
        http_overrides={
            "timeout_s": timeout_s,
            "max_attempts": 8,
            "backoff_initial_s": 0,
            **(http or {}),
        },
        **kw,
    )


def sim_units(world: World, tmp_path: Path) -> list[UnitRow]:
    """The simulator's units.csv, read back through the real registry loader."""
    path = tmp_path / "units.csv"
    write_units_csv(world, path)
    return load_units(path)


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


def truth_campaign_works(
    sim: SimServer, platforms: tuple[str, ...] = LIVE
) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (t["platform"], t["post_id"]): t
        for t in iter_world_truth(sim.world, sim.now, platforms=platforms)
        if t["matches_campaign"]
    }


def assert_equal_to_truth(db: Engine, sim: SimServer, platforms: tuple[str, ...] = LIVE) -> None:
    """Stored tag-matched campaign works are exactly the truth's: same keys, metrics, authors."""
    truth = truth_campaign_works(sim, platforms)
    stored = {k: v for k, v in stored_campaign_works(db).items() if k[0] in platforms}
    missing = sorted(set(truth) - set(stored))
    extra = sorted(set(stored) - set(truth))
    assert not missing, f"{len(missing)} campaign works not stored, e.g. {missing[:5]}"
    assert not extra, f"{len(extra)} works stored that the truth does not hold, e.g. {extra[:5]}"
    for key, t in truth.items():
        row = stored[key]
        got = {m: row[m] for m in METRICS}
        want = dict(t["metrics"])
        # A metric the platform does not expose stays unknown; all others must be exact.
        want = {m: v for m, v in want.items() if got[m] is not None or v is None}
        assert {m: got[m] for m in want} == want, f"{key}: {got} != {t['metrics']}"
        assert row["account_uid"] == t["account"], key
    assert duplicate_keys(db) == {}
