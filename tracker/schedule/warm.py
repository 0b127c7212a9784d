"""Rankings made ahead of the day's commands, so nobody waits for a big campaign's ranking.

A kept ranking (``tracker.services.ranking_cache``) serves every command while the store is
unchanged, but the first command after a write ranks in full: 10-15 s at a million works, and
after the morning's collections that first command is a person's. The ``keep_rankings`` job
runs after the collections and ranks each big campaign the three ways the day's commands ask
for, each then kept:

- the lists (``tracker rank``, ``tracker export``): approved works;
- the dashboard and the lists with ``--include-unreviewed``: every work;
- the report (``tracker report``): its own counted ranking of every work.

Each is made through the very function the command calls, so the kept entry is the one the
command looks up. A campaign below ``ranking_cache.MIN_WORKS`` works (one grouped count of its
links) is left alone: its commands rank in well under a second and keep nothing. Nothing is
kept while a write is under way: the job first waits for the collections, refreshes, comment
readings and imports still running (their run rows) to end, then for the store to settle, and
reports which rankings are kept.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dashboards.leaderboards import COUNTED_KIND, counted_key, rank_and_count
from dashboards.report_inputs import campaign_id
from tracker.config import CampaignConfig, TrackerConfig
from tracker.ranking import RankingSettings
from tracker.services import ranking_cache
from tracker.services.rank import HANDOFF_KIND, handoff_key, rank_for_handoff
from tracker.store.queries import Engine
from tracker.store.queries.membership import membership_counts
from tracker.store.queries.runs import writing_runs
from tracker.store.queries.version import storage_version

__all__ = ["WarmedCampaign", "keep_day_rankings", "wait_for_writers", "wait_until_settled"]

log = logging.getLogger("tracker.schedule.warm")

SCOPES_ZH = ("名单（审核通过的作品）", "看板与待审名单（全部作品）", "报告")

MAX_SETTLE_WAIT_S = 60.0
"""How long to wait for writes to stop before giving up this run: nothing ranked while writes
go on could be kept."""

MAX_WRITERS_WAIT_S = 3 * 3600.0
"""How long to wait for running collections to end: a morning's collections that overrun the
job's time by hours are left to the next day's job (the commands rank meanwhile)."""

WRITERS_POLL_S = 30.0

STALE_RUN_S = 6 * 3600.0
"""A run row still ``running`` that started longer ago than this is taken for one left by a
killed process, not waited for."""


@dataclass(slots=True)
class WarmedCampaign:
    campaign: str
    works: int = 0
    kept: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def incomplete(self) -> bool:
        """A big campaign whose rankings are not all kept (writes went on): the job's time
        should move after the day's collections."""
        return self.works >= ranking_cache.MIN_WORKS and len(self.kept) < len(SCOPES_ZH)


def wait_for_writers(
    engine: Engine,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    max_wait_s: float | None = None,
) -> list[tuple[str, str | None]]:
    """Wait while runs that write works (collections, refreshes, comment readings, imports)
    are running; [] once none is, else the (kind, platform) of those still running when
    ``max_wait_s`` (default :data:`MAX_WRITERS_WAIT_S`) ran out or a stop was asked for."""
    deadline = clock() + (MAX_WRITERS_WAIT_S if max_wait_s is None else max_wait_s)
    while True:
        since = datetime.fromtimestamp(clock() - STALE_RUN_S, UTC)
        with engine.connect() as conn:
            running = writing_runs(conn, since)
        if not running or should_stop() or clock() >= deadline:
            return running
        sleep(min(WRITERS_POLL_S, max(deadline - clock(), 0.0)))


def wait_until_settled(
    engine: Engine,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    max_wait_s: float = MAX_SETTLE_WAIT_S,
) -> bool:
    """Wait until the store's newest write lies ``SETTLE_S`` back (``ranking_cache`` keeps no
    ranking read sooner); False when writes went on for ``max_wait_s``."""
    deadline = clock() + max_wait_s
    while True:
        with engine.connect() as conn:
            version = storage_version(conn)
        if version is None or version.settled_at is None:
            return True
        due = version.settled_at + ranking_cache.SETTLE_S - clock()
        if due <= 0:
            return True
        if clock() + due > deadline:
            return False
        sleep(due + 0.05)


def keep_day_rankings(
    engine: Engine,
    config: TrackerConfig,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> list[WarmedCampaign]:
    """Rank every configured campaign the three ways of :data:`SCOPES_ZH` and keep each (see
    the module docstring); one :class:`WarmedCampaign` per campaign reached, naming the
    scopes whose ranking is kept for the store as it now is."""
    if ranking_cache.cache_dir(engine) is None:
        return [
            WarmedCampaign(c.name, note="排名缓存已关闭或此数据库无处存放（见 TRACKER_CACHE_DIR）")
            for c in config.campaigns
        ]
    done: list[WarmedCampaign] = []
    for camp in config.campaigns:
        if should_stop():
            break
        done.append(_warm(engine, config, camp, should_stop, sleep, clock))
    return done


def _warm(
    engine: Engine,
    config: TrackerConfig,
    camp: CampaignConfig,
    should_stop: Callable[[], bool],
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> WarmedCampaign:
    warmed = WarmedCampaign(camp.name)
    with engine.connect() as conn:
        links = membership_counts(conn, camp.name)
    warmed.works = sum(n for _, _, excluded, n in links if not excluded)
    if warmed.works < ranking_cache.MIN_WORKS:
        warmed.note = f"作品少于 {ranking_cache.MIN_WORKS:,} 件，命令直接排名即可"
        return warmed
    running = wait_for_writers(engine, should_stop=should_stop, sleep=sleep, clock=clock)
    if running:
        names = "、".join(f"{platform or '全部平台'} {kind}" for kind, platform in running)
        warmed.note = f"采集等写入任务仍在运行（{names}），本次未排名"
        return warmed
    if not wait_until_settled(engine, sleep=sleep, clock=clock):
        warmed.note = "数据库一直在写入，本次未保留排名"
        return warmed
    settings = RankingSettings.from_mapping(config.ranking)
    with engine.connect() as conn:
        cid = campaign_id(conn, camp.name)

    def approved() -> None:
        rank_for_handoff(engine, config, camp.name, include_unreviewed=False)

    def every_work() -> None:
        rank_for_handoff(engine, config, camp.name, include_unreviewed=True)

    def report() -> None:
        with engine.connect() as conn:
            rank_and_count(conn, cid, settings)

    scopes: tuple[tuple[str, tuple[Any, ...], Callable[[], None]], ...] = (
        (HANDOFF_KIND, handoff_key(camp, settings, False, True), approved),
        (HANDOFF_KIND, handoff_key(camp, settings, True, True), every_work),
        (COUNTED_KIND, counted_key(cid, settings, False), report),
    )
    for _, _, make in scopes:
        if not should_stop():
            make()
    # asked at the end: a write during the later rankings makes the earlier ones another state's
    warmed.kept = [
        name
        for name, (kind, key, _) in zip(SCOPES_ZH, scopes, strict=True)
        if ranking_cache.is_kept(engine, kind, key)
    ]
    if len(warmed.kept) < len(SCOPES_ZH):
        warmed.note = "排名期间数据库有写入的，不保留（下一条命令会重新排名）"
    log.info(
        "活动 %s：%s 件作品，已保留 %d/%d 份排名",
        camp.name,
        f"{warmed.works:,}",
        len(warmed.kept),
        len(SCOPES_ZH),
    )
    return warmed
