"""The daily collection reads what is new, not the whole listing again.

Two scheduled collections a virtual day apart: the second reads only works published since the
first began (less a two-day overlap), so it sends far fewer listing, detail and profile requests,
and still stores every work published between the two.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from tracker.schedule import jobs
from tracker.services.collect import COLLECT_OVERLAP, incremental_since
from tracker.sim.api import SimServer
from tracker.store.models import Run
from tracker.store.queries.runs import collection_start
from tracker.store.runs import RunCounts, finish_run, start_run

from ..helpers.simulator import sim_options, stored_campaign_works, truth_campaign_works

BEIJING = ZoneInfo("Asia/Shanghai")
FIRST = datetime(2024, 9, 20, 6, 30, tzinfo=BEIJING)
RUN = Run.__table__
SECOND_RUN_SHARE = {"weibo": 0.7}
"""The second run's requests as a share of the first's, at most. Weibo's topic feed is not in
time order, so ``since`` cannot end it: only its realtime search stops early."""


class _NoAlerts:
    def send(self, alert: Any) -> list[object]:
        raise AssertionError(f"unexpected alert: {alert}")


def _collect_job(db: Engine, config: Any, sim: SimServer, platform: str, tmp: Path) -> str:
    """The scheduler's collect job for ``platform`` at the simulator's time; its status."""
    ctx = jobs.JobContext(
        engine=db,
        config=config,
        job_id=f"collect:{platform}",
        scheduled_for=sim.now,
        now=lambda: sim.now,
        should_stop=lambda: False,
        alerts=_NoAlerts(),
        reports_dir=tmp,
        collect_options=sim_options(sim, http={"rate_per_s": None}),
    )
    return jobs.collect(ctx, platform).status


def _requests(db: Engine, platform: str) -> list[dict[str, int]]:
    """Requests by purpose of each collect run of ``platform``, oldest first."""
    with db.connect() as conn:
        rows = conn.execute(
            select(RUN.c.detail)
            .where(RUN.c.kind == "collect", RUN.c.platform == platform)
            .order_by(RUN.c.id)
        ).scalars()
        return [dict(detail["requests"]) for detail in rows]


def _sent(by_purpose: dict[str, int]) -> int:
    return sum(n for k, n in by_purpose.items() if k != "retry")


@pytest.mark.parametrize(
    "platform", ["weibo", "bilibili", "zhihu", "douyin", "kuaishou", "xiaohongshu"]
)
def test_the_second_daily_collection_reads_only_what_is_new(
    db, config, tmp_path: Path, platform: str
) -> None:
    with SimServer(seed=17, scale=2000, faults="none", clock=FIRST, platforms=[platform]) as sim:
        assert _collect_job(db, config, sim, platform, tmp_path) == "ok"
        before = set(stored_campaign_works(db))
        sim.advance(86_400)
        assert _collect_job(db, config, sim, platform, tmp_path) == "ok"
        truth = truth_campaign_works(sim, (platform,))
        stored = set(stored_campaign_works(db))
    first, second = _requests(db, platform)
    # Enough works that the first run read several pages of them.
    assert first.get("listing", 0) >= 4, first
    # Every work of the truth is stored: those of the day between the runs included.
    new = set(truth) - before
    assert new, "the day between the runs brought no work"
    assert set(truth) <= stored, sorted(set(truth) - stored)[:5]
    # Far fewer requests: the second run read about three days of works, not all of them.
    share = SECOND_RUN_SHARE.get(platform, 0.5)
    assert _sent(second) <= _sent(first) * share, (first, second)
    for purpose in ("detail", "profile"):
        if first.get(purpose, 0) >= 20:
            assert second.get(purpose, 0) <= first[purpose] * share, (purpose, first, second)


def test_an_explicit_since_wins_and_the_first_run_reads_everything(db, config) -> None:
    """The rule's inputs: no successful run, no ``since``; an explicit one is kept as given."""
    from tracker.services.collect import CollectOptions, _collect_since

    options = CollectOptions(since_last_run=True)
    assert _collect_since(db, "weibo", options) == (None, None)
    start = datetime(2024, 9, 10, 0, 0, tzinfo=UTC)
    run = start_run(db, kind="collect", platform="weibo", now=start)
    finish_run(db, run, status="ok", counts=RunCounts(), now=start + timedelta(hours=1))
    assert _collect_since(db, "weibo", options) == (start - COLLECT_OVERLAP, "last_run")
    given = datetime(2024, 9, 1, tzinfo=UTC)
    options.since = given
    assert _collect_since(db, "weibo", options) == (given, "option")
    options.since, options.until = None, datetime(2024, 9, 5, tzinfo=UTC)
    assert _collect_since(db, "weibo", options) == (None, None)  # an older slice: no since


def test_a_resumed_collection_counts_from_the_run_it_resumed(db) -> None:
    """A success that finished an interrupted run began reading when that run began."""
    t0 = datetime(2024, 9, 10, tzinfo=UTC)
    with db.connect() as conn:
        assert collection_start(conn, "bilibili") is None
    for day, status in enumerate(["ok", "blocked", "interrupted", "ok"]):
        run = start_run(db, kind="collect", platform="bilibili", now=t0 + timedelta(days=day))
        finish_run(db, run, status=status, counts=RunCounts(), now=t0 + timedelta(days=day))
    with db.connect() as conn:
        started = collection_start(conn, "bilibili")
    assert started is not None
    assert started.replace(tzinfo=UTC) == t0 + timedelta(days=1)
    assert incremental_since(None) is None
    assert incremental_since(t0) == t0 - timedelta(days=2)
