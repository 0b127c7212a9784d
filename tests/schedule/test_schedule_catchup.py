"""Run rows, catch-up and "failing twice", with stand-in jobs and a fake clock."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from schedule_helpers import (
    FakeClock,
    FakeJobs,
    RecordingAlerts,
    bj,
    job_rows,
    new_database,
    repo_config,
)
from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc

from tracker.schedule.runner import MAX_FAILED_ATTEMPTS, Runner, StopToken
from tracker.store.runs import start_run


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    eng = new_database(tmp_path / "tracker.db", repo_config())
    yield eng
    eng.dispose()


def make_runner(
    engine: Engine,
    clock: FakeClock,
    fake: FakeJobs,
    alerts: RecordingAlerts | None = None,
    stop: StopToken | None = None,
) -> Runner:
    """A fresh Runner is a fresh process: it knows only what the database knows."""
    return Runner(
        engine,
        repo_config(),
        now=clock,
        alerts=alerts or RecordingAlerts(),
        reports_dir="unused",
        stop=stop,
        resolve=fake.resolve,
    )


def test_first_start_runs_every_job_once_oldest_first(engine: Engine) -> None:
    clock = FakeClock(bj("2024-09-10 10:00"))
    fake = FakeJobs()
    results = make_runner(engine, clock, fake).run_due()
    assert [(r.job_id, r.scheduled_for) for r in results] == [
        ("weekly", bj("2024-09-09 09:00")),
        ("refresh", bj("2024-09-09 12:00")),
        ("collect:weibo", bj("2024-09-10 06:30")),
        ("collect:bilibili", bj("2024-09-10 06:40")),
        ("collect:zhihu", bj("2024-09-10 06:50")),
        ("collect:douyin", bj("2024-09-10 07:00")),
        ("collect:kuaishou", bj("2024-09-10 07:10")),
        ("collect:xiaohongshu", bj("2024-09-10 07:20")),
        ("keep_rankings", bj("2024-09-10 07:45")),
        ("report", bj("2024-09-10 08:00")),
    ]
    assert all(r.status == "ok" for r in results)
    rows = job_rows(engine)
    assert len(rows) == 10
    weibo = next(r for r in rows if r.job == "collect:weibo")
    assert weibo.kind == "job"
    assert weibo.status == "ok"
    assert weibo.scheduled_for == datetime(2024, 9, 9, 22, 30, tzinfo=UTC)
    assert weibo.started_at == clock() and weibo.finished_at == clock()
    assert weibo.error is None


def test_missed_run_is_caught_up_once_and_not_twice(engine: Engine) -> None:
    clock = FakeClock(bj("2024-09-10 05:00"))
    fake = FakeJobs()
    make_runner(engine, clock, fake).run_due()  # yesterday's runs, done before going down
    fake.calls.clear()

    # Down from 05:00 to 09:00: the 06:30..07:20 collections, the 07:45 kept rankings and the
    # 08:00 report were missed.
    clock.set(bj("2024-09-10 09:00"))
    first = make_runner(engine, clock, fake)
    assert [s.id for s, _ in first.due()] == [
        "collect:weibo",
        "collect:bilibili",
        "collect:zhihu",
        "collect:douyin",
        "collect:kuaishou",
        "collect:xiaohongshu",
        "keep_rankings",
        "report",
    ]
    first.run_due()
    assert len(fake.calls) == 8
    assert ("collect:weibo", bj("2024-09-10 06:30")) in fake.calls

    # Restarted again (same minute, and later the same morning): nothing runs twice.
    for when in ("2024-09-10 09:00", "2024-09-10 11:59"):
        clock.set(bj(when))
        again = make_runner(engine, clock, fake)
        assert again.due() == []
        assert again.run_due() == []
    assert len(fake.calls) == 8
    per_time = [(r.job, r.scheduled_for) for r in job_rows(engine)]
    assert len(per_time) == len(set(per_time))

    # The next day's times are due again, once each.
    clock.set(bj("2024-09-11 07:05"))
    later = make_runner(engine, clock, fake)
    assert [s.id for s, _ in later.due()] == [
        "refresh",
        "collect:weibo",
        "collect:bilibili",
        "collect:zhihu",
        "collect:douyin",
    ]


def test_scheduler_fire_records_the_nominal_time_not_the_jittered_one(engine: Engine) -> None:
    clock = FakeClock(bj("2024-09-10 06:37:12"))  # 06:30 plus 432 s of jitter
    fake = FakeJobs()
    runner = make_runner(engine, clock, fake)
    result = runner.fire("collect:weibo")
    assert result.status == "ok"
    assert result.scheduled_for == bj("2024-09-10 06:30")
    # Already done: a second fire for the same time (or a catch-up) does not run it again.
    assert runner.fire("collect:weibo").status == "skipped"
    assert "collect:weibo" not in [s.id for s, _ in runner.due()]
    assert len(fake.calls) == 1


def test_failing_job_is_retried_a_few_times_and_alerts_once_at_two(engine: Engine) -> None:
    clock = FakeClock(bj("2024-09-10 06:45"))
    fake = FakeJobs()
    fake.fail.add("collect:weibo")
    alerts = RecordingAlerts()
    for attempt in range(1, MAX_FAILED_ATTEMPTS + 1):
        make_runner(engine, clock, fake, alerts).run_due()
        rows = job_rows(engine, "collect:weibo")
        assert [r.status for r in rows] == ["failed"] * attempt
        assert rows[-1].error == "RuntimeError: boom in collect:weibo"
        failing = [a for a in alerts.sent if a.kind == "failing"]
        assert len(failing) == (0 if attempt == 1 else 1)
    alert = failing[0]
    assert alert.data["job"] == "collect:weibo"
    assert alert.data["errors"] == ["RuntimeError: boom in collect:weibo"] * 2
    assert "连续 2 次失败" in alert.title
    # Retries for this scheduled time are used up; a dead cookie is not hammered by --once.
    assert "collect:weibo" not in [s.id for s, _ in make_runner(engine, clock, fake).due()]
    # The next day's time starts afresh; success ends the streak.
    fake.fail.clear()
    clock.set(bj("2024-09-11 06:45"))
    make_runner(engine, clock, fake, alerts).run_due()
    assert job_rows(engine, "collect:weibo")[-1].status == "ok"


def test_a_database_error_is_stored_and_alerted_as_one_line_without_sql(engine: Engine) -> None:
    """A job's error reaches the run row, ``tracker status`` and group-chat alerts: a database
    error's statement and row data must not (the same one-line text the CLI prints)."""
    clock = FakeClock(bj("2024-09-10 06:45"))
    fake = FakeJobs()
    orig = sqlite3.OperationalError("attempt to write a readonly database")
    orig.sqlite_errorname = "SQLITE_READONLY"  # type: ignore[attr-defined]
    statement = "INSERT INTO review (note) VALUES ('ROW-SENTINEL')"
    fake.raise_error["collect:weibo"] = sa_exc.OperationalError(statement, ("ROW-SENTINEL",), orig)
    alerts = RecordingAlerts()
    for _ in range(2):
        make_runner(engine, clock, fake, alerts).run_due()
    errors = [r.error for r in job_rows(engine, "collect:weibo")]
    sent = [a for a in alerts.sent if a.kind == "failing"]
    assert sent, "two failures in a row must alert"
    for text in [*errors, *sent[0].data["errors"]]:
        assert "\n" not in text and "只读" in text, text
        for leaked in ("INSERT", "ROW-SENTINEL", "[SQL"):
            assert leaked not in text, text


def test_interrupted_job_runs_again_on_next_start(engine: Engine) -> None:
    clock = FakeClock(bj("2024-09-10 06:45"))
    fake = FakeJobs()
    fake.interrupt_once.add("collect:weibo")
    make_runner(engine, clock, fake).run_due()
    assert [r.status for r in job_rows(engine, "collect:weibo")] == ["interrupted"]
    make_runner(engine, clock, fake).run_due()
    assert [r.status for r in job_rows(engine, "collect:weibo")] == ["interrupted", "ok"]
    assert [c for c in fake.calls if c[0] == "collect:weibo"] == [
        ("collect:weibo", bj("2024-09-10 06:30"))
    ] * 2


def test_row_left_running_by_a_dead_process_is_closed(engine: Engine) -> None:
    clock = FakeClock(bj("2024-09-10 06:45"))
    dead = start_run(
        engine, kind="job", job="collect:weibo", scheduled_for=bj("2024-09-10 06:30"), now=clock()
    )
    fake = FakeJobs()
    make_runner(engine, clock, fake).run_due()
    rows = {r.id: r for r in job_rows(engine, "collect:weibo")}
    assert rows[dead].status == "interrupted"
    assert [r.status for r in rows.values()] == ["interrupted", "ok"]


def test_stop_requested_runs_nothing(engine: Engine) -> None:
    stop = StopToken()
    stop.set()
    fake = FakeJobs()
    runner = make_runner(engine, FakeClock(bj("2024-09-10 10:00")), fake, stop=stop)
    assert runner.run_due() == []
    assert job_rows(engine) == []
    assert fake.calls == []


def test_stop_token_callbacks_fire_once() -> None:
    stop = StopToken()
    calls: list[int] = []
    stop.on_set(lambda: calls.append(1))
    stop.set()
    stop.set()
    stop.on_set(lambda: calls.append(2))  # registered late: called at once
    assert calls == [1, 2]
    assert stop() is True


def test_caught_up_once_on_sqlite_and_postgres(any_engine: Engine) -> None:
    """``scheduled_for`` round-trips exactly on both databases, so "already done" is found."""
    clock = FakeClock(bj("2024-09-10 09:00"))
    fake = FakeJobs()
    assert len(make_runner(any_engine, clock, fake).run_due()) == 10
    assert make_runner(any_engine, clock, fake).due() == []
    assert len(fake.calls) == 10
    rows = job_rows(any_engine, "collect:weibo")
    assert [r.scheduled_for for r in rows] == [datetime(2024, 9, 9, 22, 30, tzinfo=UTC)]
