"""``tracker schedule`` as a process: --dry-run, --once, SIGTERM mid-collection, the long-running loop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from schedule_helpers import bj, config_text, job_rows, new_database, repo_config, write_config
from sqlalchemy import Engine, func, select

from tracker.config import load_config
from tracker.services.collect import CollectOptions, collect_platform
from tracker.sim.api import SimServer
from tracker.store.models import Post
from tracker.store.runs import RUN

TRACKER = [sys.executable, "-m", "tracker"]
POST = Post.__table__


def clean_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if k != "TRACKER_DATABASE_URL"
        and not k.startswith(("TRACKER_WECOM", "TRACKER_DINGTALK", "TRACKER_ALERT"))
    }


def tracker(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TRACKER, *args], cwd=cwd, capture_output=True, text=True, timeout=180, env=clean_env()
    )


def test_dry_run_prints_each_job_with_its_next_beijing_time(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, config_text())
    result = tracker(
        ["--config", str(cfg), "schedule", "--dry-run", "--now", "2024-09-10T00:00:00+08:00"],
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [(job, when) for job, when, *_ in lines] == [
        ("collect:weibo", "2024-09-10T06:30:00+08:00"),
        ("collect:bilibili", "2024-09-10T06:40:00+08:00"),
        ("collect:zhihu", "2024-09-10T06:50:00+08:00"),
        ("collect:douyin", "2024-09-10T07:00:00+08:00"),
        ("collect:kuaishou", "2024-09-10T07:10:00+08:00"),
        ("collect:xiaohongshu", "2024-09-10T07:20:00+08:00"),
        ("refresh", "2024-09-10T12:00:00+08:00"),
        ("report", "2024-09-10T08:00:00+08:00"),
        ("weekly", "2024-09-16T09:00:00+08:00"),
        ("keep_rankings", "2024-09-10T07:45:00+08:00"),
    ]
    assert lines[0][2:] == ["采集微博", "30 6 * * *"]
    assert "随机延迟 0–600 秒" in result.stderr
    assert not (tmp_path / "data").exists()  # a dry run touches no database


def test_dry_run_with_the_real_clock_is_in_the_future(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, config_text())
    before = datetime.now(UTC)
    result = tracker(["--config", str(cfg), "schedule", "--dry-run"], tmp_path)
    assert result.returncode == 0, result.stderr
    for line in result.stdout.splitlines():
        when = datetime.fromisoformat(line.split("\t")[1])
        assert when.utcoffset().total_seconds() == 8 * 3600
        assert when > before


@pytest.fixture
def sim() -> Iterator[SimServer]:
    with SimServer(
        seed=7, scale=200, clock=bj("2024-09-20 06:45"), platforms=["weibo", "bilibili"]
    ) as server:
        yield server


def scalar(engine: Engine, query) -> int:  # noqa: ANN001
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def test_once_runs_what_is_due_then_nothing(tmp_path: Path, sim: SimServer) -> None:
    db = tmp_path / "tracker.db"
    engine = new_database(db, repo_config())
    cfg = write_config(tmp_path, config_text(sim.base_urls, enabled=["weibo", "bilibili"]))
    args = [
        "--db",
        str(db),
        "--config",
        str(cfg),
        "schedule",
        "--once",
        "--now",
        "2024-09-20T06:45:00+08:00",
    ]
    first = tracker(args, tmp_path)
    assert first.returncode == 0, first.stderr
    rows = job_rows(engine)
    # 06:45 on Friday the 20th: weibo (06:30) is due, bilibili (06:40) too; report, refresh,
    # weekly and the kept rankings (a small campaign: ranked once, nothing kept) for their
    # latest past times.
    assert {(r.job, r.scheduled_for.astimezone(UTC)) for r in rows} == {
        ("weekly", bj("2024-09-16 09:00").astimezone(UTC)),
        ("report", bj("2024-09-19 08:00").astimezone(UTC)),
        ("refresh", bj("2024-09-19 12:00").astimezone(UTC)),
        ("keep_rankings", bj("2024-09-19 07:45").astimezone(UTC)),
        ("collect:weibo", bj("2024-09-20 06:30").astimezone(UTC)),
        ("collect:bilibili", bj("2024-09-20 06:40").astimezone(UTC)),
    }
    assert all(r.status == "ok" for r in rows), [(r.job, r.status, r.error) for r in rows]
    assert scalar(engine, select(func.count()).select_from(POST)) > 0
    assert (tmp_path / "reports" / "2024-09-18" / "summary.json").exists()
    assert "调度任务结果" in first.stdout
    again = tracker(args, tmp_path)
    assert again.returncode == 0, again.stderr
    assert "没有到期的任务" in again.stderr
    assert len(job_rows(engine)) == 6
    engine.dispose()


def wait_for(predicate, timeout: float = 60.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_sigterm_during_collection_leaves_a_resumable_cursor_and_no_partial_page(
    tmp_path: Path, sim: SimServer
) -> None:
    db = tmp_path / "tracker.db"
    engine = new_database(db, repo_config())
    # A rate limit of 3 requests/s makes the collection slow enough to be caught mid-way.
    cfg = write_config(tmp_path, config_text(sim.base_urls, enabled=["weibo"], rate_per_s=3.0))
    proc = subprocess.Popen(
        [
            *TRACKER,
            "--db",
            str(db),
            "--config",
            str(cfg),
            "schedule",
            "--once",
            "--now",
            "2024-09-20T06:45:00+08:00",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    collecting = (
        select(func.count())
        .select_from(RUN)
        .where(RUN.c.kind == "collect", RUN.c.status == "running", RUN.c.pages >= 1)
    )
    try:
        wait_for(lambda: scalar(engine, collecting) == 1)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "收到停止信号" in err and "已按请求停止" in err

    with engine.connect() as conn:
        (run,) = conn.execute(select(RUN).where(RUN.c.kind == "collect")).all()
        posts = conn.execute(select(func.count()).select_from(POST)).scalar_one()
    assert run.status == "interrupted"
    assert run.error == "stopped"
    assert run.cursor, "the cursor of the last committed page is saved"
    assert 1 <= run.pages < 8
    # Every stored work came with a committed page: the page and its counts went in together.
    assert posts == run.new > 0
    (job,) = job_rows(engine, "collect:weibo")
    assert job.status == "interrupted"

    # Resuming picks up after the last committed page and ends where an uninterrupted run ends.
    config = load_config(cfg)
    now = bj("2024-09-20 06:45").astimezone(UTC)
    options = CollectOptions(
        base_urls=sim.base_urls, env={}, sleep=lambda _s: None, clock=lambda: now
    )
    resumed = collect_platform(engine, config, "weibo", options)
    assert resumed.status == "ok"
    assert resumed.counts.detail["resumed_from_run"] == run.id
    clean_engine = new_database(tmp_path / "clean.db", repo_config())
    clean = collect_platform(clean_engine, config, "weibo", options)
    assert run.pages + resumed.counts.pages == clean.counts.pages

    def ids(e: Engine) -> set[str]:
        with e.connect() as conn:
            return set(conn.execute(select(POST.c.platform_post_id)).scalars())

    assert ids(engine) == ids(clean_engine)
    engine.dispose()
    clean_engine.dispose()


def test_long_running_scheduler_catches_up_then_stops_cleanly_on_sigterm(
    tmp_path: Path, sim: SimServer
) -> None:
    db = tmp_path / "tracker.db"
    engine = new_database(db, repo_config())
    cfg = write_config(tmp_path, config_text(sim.base_urls, enabled=["weibo"]))
    proc = subprocess.Popen(
        [
            *TRACKER,
            "--db",
            str(db),
            "--config",
            str(cfg),
            "schedule",
            "--now",
            "2024-09-20T06:45:00+08:00",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    try:
        wait_for(lambda: len([r for r in job_rows(engine) if r.status == "ok"]) == 4)
        # The catch-up is over; the process is now waiting in the scheduler for the next time.
        time.sleep(0.3)
        assert proc.poll() is None
        lock = tmp_path / "tracker.db.scheduler.lock"
        assert re.search(rf"PID {proc.pid}", lock.read_text(encoding="utf-8"))
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "调度已启动" in err and "调度已停止" in err
    assert "collect:weibo\t" in out  # the plan is printed at start-up
    assert lock.read_text(encoding="utf-8") == ""
    engine.dispose()
