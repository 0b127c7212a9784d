"""End to end: the scheduler runs the campaign against the simulator for a virtual week.

The test is the clock: each virtual day it moves the simulator and the scheduler's fake clock
to 23:00 Beijing and calls the runner's "run due jobs" step (the same step the start-up catch-up
and ``--once`` use). At the end every live campaign work has one snapshot per day while it is inside the refresh window, every day has
its report folder, and every job has its run row for every scheduled time.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from schedule_helpers import (
    SHANGHAI,
    FakeClock,
    RecordingAlerts,
    bj,
    job_rows,
    new_database,
    repo_config,
)
from sqlalchemy import select

from tracker.schedule.runner import Runner
from tracker.services.collect import CollectOptions
from tracker.store.models import MetricSnapshot

sim_api = pytest.importorskip(
    "tracker.sim.api", reason="needs the simulator (tracker.sim.api.SimServer)"
)
truth_mod = pytest.importorskip("tracker.sim.truth", reason="needs the simulator's ground truth")

LIVE = ("weibo", "bilibili", "zhihu", "douyin", "kuaishou", "xiaohongshu")
FIRST_DAY = date(2024, 9, 9)  # a Monday, so the weekly summary falls in the week
DAYS = [FIRST_DAY + timedelta(days=i) for i in range(7)]
SNAP = MetricSnapshot.__table__
WINDOW_DAYS = 14
"""The refresh window of the shipped schedule (`[schedule] refresh_younger_than_days`)."""


def local_date(iso: str) -> date:
    return datetime.fromisoformat(iso).astimezone(SHANGHAI).date()


def campaign_truth(sim, at) -> list[dict]:  # noqa: ANN001
    """Campaign works live at ``at``: the tag, or (Zhihu) the campaign's roundtable."""
    records = truth_mod.iter_world_truth(sim.world, at, platforms=LIVE)
    return [r for r in records if r["matches_campaign"] or (r["roundtable"] and not r["deleted"])]


def test_a_virtual_week_of_unattended_running(tmp_path: Path) -> None:
    config = repo_config()
    engine = new_database(tmp_path / "tracker.db", config)
    alerts = RecordingAlerts()
    clock = FakeClock(bj(f"{FIRST_DAY} 23:00"))
    expected_new: dict[str, int] = {}
    with sim_api.SimServer(seed=11, scale=10, clock=clock()) as sim:
        runner = Runner(
            engine,
            config,
            now=clock,
            alerts=alerts,
            reports_dir=tmp_path / "reports",
            collect_options=CollectOptions(
                base_urls=sim.base_urls, signer="dev", env={}, sleep=lambda _s: None
            ),
        )
        for day in DAYS:
            clock.set(bj(f"{day} 23:00"))
            sim.set_clock(clock())
            results = runner.run_due()
            assert results, day
            assert all(r.status == "ok" for r in results), [(r.job_id, r.error) for r in results]
            # The report written tonight covers yesterday: count yesterday's works in the world now.
            yesterday = day - timedelta(days=1)
            expected_new[yesterday.isoformat()] = sum(
                1
                for r in campaign_truth(sim, clock())
                if local_date(r["published_at"]) == yesterday
            )
        end_truth = campaign_truth(sim, clock())

    # Run rows: one successful row per job per scheduled time, nothing twice.
    rows = job_rows(engine)
    assert all(r.status == "ok" for r in rows)
    by_job: dict[str, list] = defaultdict(list)
    for r in rows:
        by_job[r.job].append(r.scheduled_for)
    crons = {
        "collect:weibo": "06:30",
        "collect:bilibili": "06:40",
        "collect:zhihu": "06:50",
        "collect:douyin": "07:00",
        "collect:kuaishou": "07:10",
        "collect:xiaohongshu": "07:20",
        "report": "08:00",
        "refresh": "12:00",
    }
    for job, hhmm in crons.items():
        assert by_job[job] == [bj(f"{d} {hhmm}") for d in DAYS], job
    assert by_job["weekly"] == [bj(f"{FIRST_DAY} 09:00")]

    # A report folder per day (the 08:00 report covers the day before).
    for day in DAYS:
        covered = day - timedelta(days=1)
        folder = tmp_path / "reports" / covered.isoformat()
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert summary["day"] == covered.isoformat()
        assert (folder / "posts.jsonl").stat().st_size > 0
        assert summary["new_works"] == expected_new[covered.isoformat()], covered
    assert (tmp_path / "reports" / "weekly" / "2024-09-02" / "summary.json").exists()
    assert [a.title for a in alerts.sent if a.kind == "digest"] == [
        f"日报 {d - timedelta(days=1)}" for d in DAYS
    ]

    # Daily snapshots for every live work while it is inside the refresh window (the daily
    # collection reads only what is new since its last run; the refresh keeps young works and
    # the works near the commendation cut fresh, not every old one).
    snaps: dict[tuple[str, str], set[date]] = defaultdict(set)
    with engine.connect() as conn:
        for platform, post_id, captured in conn.execute(
            select(SNAP.c.platform, SNAP.c.platform_post_id, SNAP.c.captured_at)
        ):
            snaps[(platform, post_id)].add(local_date(captured.isoformat()))
    assert len(end_truth) >= 20 and {r["platform"] for r in end_truth} == set(LIVE)
    for work in end_truth:
        key = (work["platform"], work["post_id"])
        published = local_date(work["published_at"])
        appeared = max(FIRST_DAY, published)
        wanted = {d for d in DAYS if d >= appeared and (d - published).days < WINDOW_DAYS}
        assert wanted <= snaps[key], (key, sorted(wanted - snaps[key]))
    engine.dispose()
