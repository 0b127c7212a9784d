"""The plan: jobs from campaign.toml fire at the configured Beijing times (fake ``now``, no waiting)."""

from __future__ import annotations

import inspect
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.util import ref_to_obj
from schedule_helpers import FakeClock, FakeJobs, RecordingAlerts, bj, new_database, repo_config

from tracker.config import TrackerConfig
from tracker.errors import ConfigError
from tracker.schedule import jobs as jobs_module
from tracker.schedule.plan import build_plan, cron_weekdays, latest_fire_time
from tracker.schedule.runner import FIRE_REF, Runner, StopToken

EIGHT_HOURS = timedelta(hours=8)


def _config(**schedule: object) -> TrackerConfig:
    cfg = repo_config()
    return cfg.model_copy(update={"schedule": cfg.schedule.model_copy(update=schedule)})


def test_jobs_built_from_config_in_stable_order() -> None:
    plan = build_plan(repo_config())
    assert [j.id for j in plan.jobs] == [
        "collect:weibo",
        "collect:bilibili",
        "collect:zhihu",
        "collect:douyin",
        "collect:kuaishou",
        "collect:xiaohongshu",
        "refresh",
        "report",
        "weekly",
        "keep_rankings",
    ]
    assert plan.timezone.key == "Asia/Shanghai"
    assert plan.jitter_s == 600
    assert plan.misfire_grace_time_s == 21600
    # Textual references to module-level functions (what survives a refactor or a restart).
    for spec in plan.jobs:
        func = ref_to_obj(spec.func)
        assert inspect.getmodule(func) is jobs_module
        assert spec.func == f"tracker.schedule.jobs:{func.__name__}"
    assert plan.job("collect:douyin").kwargs == {"platform": "douyin"}


def test_next_fire_times_are_the_configured_beijing_times() -> None:
    plan = build_plan(repo_config())
    now = bj("2024-09-10 00:00")  # a Tuesday
    expected = {
        "collect:weibo": "2024-09-10T06:30:00+08:00",
        "collect:bilibili": "2024-09-10T06:40:00+08:00",
        "collect:zhihu": "2024-09-10T06:50:00+08:00",
        "collect:douyin": "2024-09-10T07:00:00+08:00",
        "collect:kuaishou": "2024-09-10T07:10:00+08:00",
        "collect:xiaohongshu": "2024-09-10T07:20:00+08:00",
        "refresh": "2024-09-10T12:00:00+08:00",
        "report": "2024-09-10T08:00:00+08:00",
        "weekly": "2024-09-16T09:00:00+08:00",
        "keep_rankings": "2024-09-10T07:45:00+08:00",
    }
    got = {spec.id: plan.next_fire_time(spec, now) for spec in plan.jobs}
    assert {k: v.isoformat() for k, v in got.items()} == expected
    assert all(v.utcoffset() == EIGHT_HOURS for v in got.values())
    # The same instant given in UTC gives the same answers (06:30 Beijing is 22:30 UTC the day before).
    weibo = plan.job("collect:weibo")
    nxt = plan.next_fire_time(weibo, datetime(2024, 9, 9, 16, 0, tzinfo=UTC))
    assert nxt == datetime(2024, 9, 9, 22, 30, tzinfo=UTC)
    assert nxt.isoformat() == "2024-09-10T06:30:00+08:00"


def test_next_fire_time_is_strictly_after_now() -> None:
    plan = build_plan(repo_config())
    weibo = plan.job("collect:weibo")
    assert plan.next_fire_time(weibo, bj("2024-09-10 06:30")) == bj("2024-09-11 06:30")
    assert plan.next_fire_time(weibo, bj("2024-09-10 06:29:59")) == bj("2024-09-10 06:30")


def test_jitter_delays_each_fire_by_at_most_the_configured_seconds() -> None:
    plan = build_plan(repo_config())
    trigger = plan.trigger(plan.job("collect:weibo"), jitter=True)
    assert trigger.jitter == 600
    now = bj("2024-09-10 00:00")
    fires = [trigger.get_next_fire_time(None, now) for _ in range(60)]
    nominal = bj("2024-09-10 06:30")
    assert all(nominal <= f <= nominal + timedelta(seconds=600) for f in fires)
    assert len({f for f in fires}) > 1  # really random, not a constant offset
    assert plan.trigger(plan.job("collect:weibo")).jitter is None


@pytest.mark.parametrize(
    ("job", "now", "latest"),
    [
        ("collect:weibo", "2024-09-10 06:29:59", "2024-09-09 06:30"),
        ("collect:weibo", "2024-09-10 06:30", "2024-09-10 06:30"),
        ("collect:weibo", "2024-09-10 23:59", "2024-09-10 06:30"),
        ("weekly", "2024-09-11 10:00", "2024-09-09 09:00"),
        ("weekly", "2024-09-09 08:59", "2024-09-02 09:00"),
        ("refresh", "2024-09-10 11:00", "2024-09-09 12:00"),
    ],
)
def test_latest_fire_time(job: str, now: str, latest: str) -> None:
    plan = build_plan(repo_config())
    assert plan.latest_fire_time(plan.job(job), bj(now)) == bj(latest)


def test_latest_fire_time_of_sparse_crons() -> None:
    plan = build_plan(repo_config())
    monthly = plan.trigger(plan.job("report")).__class__(
        minute="0", hour="3", day="1", timezone=plan.timezone
    )
    assert latest_fire_time(monthly, bj("2024-09-20 10:00")) == bj("2024-09-01 03:00")
    yearly = monthly.__class__(minute="0", hour="0", day="1", month="1", timezone=plan.timezone)
    assert latest_fire_time(yearly, bj("2024-09-20 10:00")) == bj("2024-01-01 00:00")


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("1", "mon"),
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("0,6", "sun,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("*", "*"),
        ("mon", "mon"),
        ("mon-fri", "mon-fri"),
    ],
)
def test_crontab_weekday_numbers(field: str, expected: str) -> None:
    assert cron_weekdays(field) == expected


@pytest.mark.parametrize("field", ["8", "5-2", "1/0", ""])
def test_bad_weekday_numbers(field: str) -> None:
    with pytest.raises(ValueError):
        cron_weekdays(field)


def test_numeric_weekday_means_what_crontab_means() -> None:
    plan = build_plan(_config(weekly_summary="0 9 * * 1"))
    # APScheduler alone would read "1" as Tuesday; crontab (and staff) mean Monday.
    assert plan.next_fire_time(plan.job("weekly"), bj("2024-09-10 00:00")) == bj("2024-09-16 09:00")


def test_bad_cron_names_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"\[schedule\] refresh"):
        build_plan(_config(refresh="0 25 * * *"))
    cfg = repo_config()
    cfg.platforms["weibo"].schedule = "61 6 * * *"
    with pytest.raises(ConfigError, match=r"\[platforms.weibo\] schedule"):
        build_plan(cfg)


def test_disabled_platform_has_no_job() -> None:
    cfg = repo_config()
    cfg.platforms["douyin"].enabled = False
    assert "collect:douyin" not in [j.id for j in build_plan(cfg).jobs]


def test_blocking_scheduler_wiring(tmp_path: Path) -> None:
    """The real BlockingScheduler: settings from config, jobs by textual reference, clean stop."""
    config = repo_config()
    engine = new_database(tmp_path / "t.db", config)
    fake = FakeJobs()
    stop = StopToken()
    runner = Runner(
        engine,
        config,
        now=FakeClock(bj("2024-09-10 10:00")),
        alerts=RecordingAlerts(),
        reports_dir=tmp_path / "reports",
        stop=stop,
        resolve=fake.resolve,
    )
    seen: dict[str, object] = {}
    started = threading.Event()

    def on_ready(scheduler: object) -> None:
        seen["scheduler"] = scheduler
        scheduler.add_listener(lambda _e: started.set(), 1)  # EVENT_SCHEDULER_STARTED

    thread = threading.Thread(target=lambda: seen.update(caught=runner.serve(on_ready)))
    thread.start()
    try:
        assert started.wait(5)
        scheduler = seen["scheduler"]
        assert scheduler.timezone.key == "Asia/Shanghai"
        assert isinstance(scheduler._lookup_jobstore("default"), MemoryJobStore)
        jobs = {j.id: j for j in scheduler.get_jobs()}
        assert set(jobs) == {s.id for s in runner.plan.jobs}
        for job in jobs.values():
            assert job.func_ref == FIRE_REF
            assert job.coalesce is True
            assert job.max_instances == 1
            assert job.misfire_grace_time == 21600
            assert job.trigger.jitter == 600
            nominal = runner.plan.latest_fire_time(runner.plan.job(job.id), job.next_run_time)
            assert nominal is not None
            assert nominal <= job.next_run_time <= nominal + timedelta(seconds=600)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    # The start-up catch-up ran before the scheduler took over: one call per job.
    assert sorted(c[0] for c in fake.calls) == sorted(s.id for s in runner.plan.jobs)
    engine.dispose()
