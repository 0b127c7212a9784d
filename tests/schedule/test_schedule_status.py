"""The schedule part of ``tracker status``: next runs, last results, warnings staff can act on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from schedule_helpers import bj, config_text, new_database, repo_config, write_config
from sqlalchemy import Engine

from tracker.schedule.status import schedule_status
from tracker.store.runs import RunCounts, finish_run, start_run

ALL_COOKIES = {
    f"TRACKER_{p.upper()}_COOKIE": "x=1"
    for p in ("weibo", "bilibili", "zhihu", "douyin", "kuaishou", "xiaohongshu")
}


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = new_database(tmp_path / "tracker.db", repo_config())
    yield eng
    eng.dispose()


def add_run(
    engine: Engine,
    *,
    kind: str,
    status: str,
    started: datetime,
    platform: str | None = None,
    job: str | None = None,
    scheduled_for: datetime | None = None,
    error: str | None = None,
) -> int:
    run_id = start_run(
        engine, kind=kind, platform=platform, job=job, scheduled_for=scheduled_for, now=started
    )
    finish_run(engine, run_id, status=status, counts=RunCounts(), error=error, now=started)
    return run_id


def test_next_run_and_last_result_per_job(engine: Engine) -> None:
    add_run(
        engine,
        kind="job",
        job="collect:weibo",
        status="ok",
        started=bj("2024-09-10 06:36"),
        scheduled_for=bj("2024-09-10 06:30"),
    )
    add_run(
        engine,
        kind="job",
        job="refresh",
        status="failed",
        started=bj("2024-09-09 12:01"),
        scheduled_for=bj("2024-09-09 12:00"),
        error="RuntimeError: x",
    )
    status = schedule_status(engine, repo_config(), now=bj("2024-09-10 10:00"), env=ALL_COOKIES)
    body = status.as_json()
    jobs = {j["id"]: j for j in body["jobs"]}
    assert body["timezone"] == "Asia/Shanghai"
    assert jobs["collect:weibo"]["next_run"] == "2024-09-11T06:30:00+08:00"
    assert jobs["collect:weibo"]["last_status"] == "ok"
    assert jobs["collect:weibo"]["last_scheduled_for"] == "2024-09-10T06:30:00+08:00"
    assert jobs["collect:weibo"]["last_success"] == "2024-09-10T06:36:00+08:00"
    assert jobs["refresh"]["next_run"] == "2024-09-10T12:00:00+08:00"
    assert jobs["refresh"]["last_status"] == "failed"
    assert jobs["refresh"]["last_error"] == "RuntimeError: x"
    assert jobs["refresh"]["last_success"] is None
    assert jobs["weekly"]["next_run"] == "2024-09-16T09:00:00+08:00"
    assert jobs["report"]["last_status"] is None
    # Nothing is two days overdue yet; all cookies set: no warnings.
    assert body["warnings"] == []


def test_missing_cookie_variables_are_named(engine: Engine) -> None:
    env = dict(ALL_COOKIES)
    del env["TRACKER_DOUYIN_COOKIE"]
    env["TRACKER_ZHIHU_COOKIE"] = "  "
    status = schedule_status(engine, repo_config(), now=bj("2024-09-10 10:00"), env=env)
    assert status.warnings == [
        "知乎：未设置 Cookie 环境变量 TRACKER_ZHIHU_COOKIE",
        "抖音：未设置 Cookie 环境变量 TRACKER_DOUYIN_COOKIE",
    ]


def test_platform_blocked_since_its_first_blocked_run_in_a_row(engine: Engine) -> None:
    add_run(engine, kind="collect", platform="douyin", status="ok", started=bj("2024-09-08 07:00"))
    add_run(
        engine, kind="collect", platform="douyin", status="blocked", started=bj("2024-09-09 07:02")
    )
    add_run(
        engine, kind="refresh", platform="douyin", status="blocked", started=bj("2024-09-09 12:00")
    )
    add_run(
        engine, kind="collect", platform="douyin", status="blocked", started=bj("2024-09-10 07:01")
    )
    add_run(
        engine,
        kind="collect",
        platform="weibo",
        status="login_required",
        started=bj("2024-09-10 06:31"),
    )
    add_run(
        engine, kind="collect", platform="zhihu", status="blocked", started=bj("2024-09-09 06:51")
    )
    add_run(engine, kind="collect", platform="zhihu", status="ok", started=bj("2024-09-10 06:51"))
    status = schedule_status(engine, repo_config(), now=bj("2024-09-10 10:00"), env=ALL_COOKIES)
    assert status.warnings == [
        "微博：自 2024-09-10 06:31 起登录失效（请更新 TRACKER_WEIBO_COOKIE）",
        "抖音：自 2024-09-09 07:02 起被平台拦截",
    ]


def test_no_successful_run_for_two_days(engine: Engine) -> None:
    add_run(
        engine,
        kind="job",
        job="collect:weibo",
        status="ok",
        started=bj("2024-09-08 06:35"),
        scheduled_for=bj("2024-09-08 06:30"),
    )
    for day in ("2024-09-09", "2024-09-10", "2024-09-11"):
        add_run(
            engine,
            kind="job",
            job="collect:weibo",
            status="failed",
            started=bj(f"{day} 06:35"),
            scheduled_for=bj(f"{day} 06:30"),
        )
    add_run(
        engine,
        kind="job",
        job="weekly",
        status="ok",
        started=bj("2024-09-09 09:05"),
        scheduled_for=bj("2024-09-09 09:00"),
    )
    # 2024-09-10 10:00: weibo's 09-08 run succeeded, nothing is overdue by two days yet.
    early = schedule_status(engine, repo_config(), now=bj("2024-09-10 10:00"), env=ALL_COOKIES)
    assert not [w for w in early.warnings if "collect:weibo" in w]
    # 2024-09-11 10:00: the 09-09 run (two days ago) and every later one failed.
    late = schedule_status(engine, repo_config(), now=bj("2024-09-11 10:00"), env=ALL_COOKIES)
    assert (
        "任务 collect:weibo（采集微博）已超过 2 天没有成功运行（最近一次成功：2024-09-08 06:35）"
        in late.warnings
    )
    assert not [
        w for w in late.warnings if "weekly" in w
    ]  # weekly ran on Monday: fine on Wednesday
    assert (
        "任务 refresh（刷新 14 天内作品的指标）已超过 2 天没有成功运行（从未成功）" in late.warnings
    )


def test_no_overdue_warnings_when_the_scheduler_never_ran(engine: Engine) -> None:
    add_run(engine, kind="collect", platform="weibo", status="ok", started=bj("2024-09-01 10:00"))
    status = schedule_status(engine, repo_config(), now=bj("2024-09-11 10:00"), env=ALL_COOKIES)
    assert status.warnings == []


def test_tracker_status_shows_the_schedule(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    engine = new_database(db, repo_config())
    add_run(
        engine,
        kind="job",
        job="report",
        status="ok",
        started=bj("2024-09-10 08:01"),
        scheduled_for=bj("2024-09-10 08:00"),
    )
    engine.dispose()
    cfg = write_config(tmp_path, config_text())
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_DATABASE_URL" and "COOKIE" not in k}
    base = [sys.executable, "-m", "tracker", "--db", str(db), "--config", str(cfg), "status"]
    result = subprocess.run(
        [*base, "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    schedule = json.loads(result.stdout)["schedule"]
    assert [j["id"] for j in schedule["jobs"]][-4:] == [
        "refresh",
        "report",
        "weekly",
        "keep_rankings",
    ]
    assert all(j["next_run"].endswith("+08:00") for j in schedule["jobs"])
    report = next(j for j in schedule["jobs"] if j["id"] == "report")
    assert (
        report["last_status"] == "ok"
        and report["last_scheduled_for"] == "2024-09-10T08:00:00+08:00"
    )
    assert "微博：未设置 Cookie 环境变量 TRACKER_WEIBO_COOKIE" in schedule["warnings"]
    table = subprocess.run(base, cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert table.returncode == 0, table.stderr
    assert "定时任务" in table.stdout and "collect:weibo" in table.stdout
    assert "未设置 Cookie 环境变量 TRACKER_WEIBO_COOKIE" in table.stdout
