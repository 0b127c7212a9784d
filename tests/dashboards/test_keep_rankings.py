"""The scheduler's ``keep_rankings`` job (``tracker.schedule.warm``): big campaigns ranked ahead
of the day's commands, so the lists, the dashboard and the report read kept rankings.

The seeded world stands in for a big campaign (``MIN_WORKS`` lowered to 0, its file dated a
minute back, as in ``test_ranking_cache``). Every ranking made is counted by caller, so a
command served from a kept ranking shows as no ranking at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from dashboards.report_build import build_report
from tracker.config import ScheduleConfig
from tracker.schedule import jobs, warm
from tracker.schedule.alerts import AlertSender
from tracker.schedule.plan import build_plan
from tracker.schedule.runner import Runner
from tracker.services import ranking_cache
from tracker.services.rank import rank_for_handoff
from tracker.store import carry
from tracker.store.queries.version import StorageVersion
from tracker.store.runs import RunCounts, finish_run, start_run

from ..helpers.worlds import SimDB
from .test_ranking_cache import _entries, store  # noqa: F401 - fixture

NOW = datetime(2024, 10, 2, 12, 0, tzinfo=UTC)


def test_the_day_s_three_rankings_are_kept_and_serve_the_commands(
    store: SimDB,  # noqa: F811
    rankings: list[str],
    tmp_path: Path,
) -> None:
    (warmed,) = warm.keep_day_rankings(store.engine, store.config)
    assert rankings == ["service", "service", "report"]
    assert warmed.kept == list(warm.SCOPES_ZH) and warmed.note == ""
    assert warmed.works > 0
    assert len(_entries(store)) == 3

    _served_without_ranking(store, rankings, tmp_path)
    _a_data_write_leaves_them_behind(store)


def _served_without_ranking(db: SimDB, rankings: list[str], tmp_path: Path) -> None:
    """The lists (approved works), the dashboard (every work) and the report: none ranks."""
    rank_for_handoff(db.engine, db.config, include_unreviewed=False, now=NOW)
    rank_for_handoff(db.engine, db.config, include_unreviewed=True, now=NOW)
    build_report(db.engine, db.config, tmp_path / "report.html", now=NOW)
    assert rankings == ["service", "service", "report"], "a command ranked again"


def _a_data_write_leaves_them_behind(db: SimDB) -> None:
    """After a write of data the kept rankings are another state's."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE post SET likes = likes + 1 WHERE rowid = 1")
    assert not any(ranking_cache.is_kept(db.engine, kind, key) for kind, key in _scopes(db))


def _scopes(db: SimDB) -> list[tuple[str, tuple[Any, ...]]]:
    from dashboards.leaderboards import COUNTED_KIND, counted_key
    from dashboards.report_inputs import campaign_id
    from tracker.ranking import RankingSettings
    from tracker.services.rank import HANDOFF_KIND, handoff_key

    settings = RankingSettings.from_mapping(db.config.ranking)
    camp = db.config.campaign()
    with db.engine.connect() as conn:
        cid = campaign_id(conn, camp.name)
    return [
        (HANDOFF_KIND, handoff_key(camp, settings, False, True)),
        (HANDOFF_KIND, handoff_key(camp, settings, True, True)),
        (COUNTED_KIND, counted_key(cid, settings, False)),
    ]


def _context(db: SimDB, reports: Path) -> jobs.JobContext:
    return jobs.JobContext(
        engine=db.engine,
        config=db.config,
        job_id="keep_rankings",
        scheduled_for=NOW,
        now=lambda: NOW,
        should_stop=lambda: False,
        alerts=AlertSender({}),
        reports_dir=reports,
    )


def test_a_write_while_ranking_keeps_nothing_for_that_scope(
    store: SimDB,  # noqa: F811
    rankings: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    real = warm.rank_and_count

    def written_first(conn: Any, *args: Any, **kwargs: Any) -> Any:
        with store.engine.begin() as writer:  # a review decision, say, just before it
            writer.exec_driver_sql("UPDATE post SET likes = likes + 1 WHERE rowid = 1")
        return real(conn, *args, **kwargs)

    monkeypatch.setattr(warm, "rank_and_count", written_first)
    (warmed,) = warm.keep_day_rankings(store.engine, store.config)
    assert rankings == ["service", "service", "report"]
    assert warmed.kept == []  # the two made before the write belong to the store before it
    assert "有写入" in warmed.note
    # the scheduled job says so, and what to change, in the status staff read (not waiting
    # here for the write above to settle: nothing it ranks can be kept then either)
    monkeypatch.setattr(warm, "wait_until_settled", lambda *args, **kwargs: True)
    outcome = jobs.keep_rankings(_context(store, tmp_path))
    assert outcome.status == "skipped"
    assert outcome.error and "keep_rankings" in outcome.error
    assert store.config.campaign().name in outcome.error


def test_a_small_campaign_is_counted_and_left_to_its_commands(
    store: SimDB,  # noqa: F811
    rankings: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ranking_cache, "MIN_WORKS", 10**9)
    (warmed,) = warm.keep_day_rankings(store.engine, store.config)
    assert rankings == []
    assert warmed.works == len(rank_for_handoff(store.engine, store.config).ranked.result.works)
    assert warmed.kept == [] and "作品少于" in warmed.note
    assert _entries(store) == []


def test_switched_off_keeps_nothing_and_ranks_nothing(
    store: SimDB,  # noqa: F811
    rankings: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRACKER_RANKING_CACHE", "0")
    (warmed,) = warm.keep_day_rankings(store.engine, store.config)
    assert rankings == [] and warmed.kept == [] and "排名缓存已关闭" in warmed.note


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_job_waits_for_the_store_to_settle_and_gives_up_on_endless_writes(
    store: SimDB,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = _Clock()
    last_write = {"at": clock.now - 0.5}

    def version(conn: Any) -> StorageVersion:
        return StorageVersion("db", "token", last_write["at"])

    monkeypatch.setattr(warm, "storage_version", version)
    # written half a second ago: waits out the rest of SETTLE_S, once
    assert warm.wait_until_settled(store.engine, sleep=clock.sleep, clock=clock.time)
    assert len(clock.slept) == 1
    assert clock.now - last_write["at"] >= ranking_cache.SETTLE_S

    # a write just now, and again after every wait: gives up once a wait would pass max_wait_s
    last_write["at"] = clock.now
    clock.slept.clear()

    def writer(seconds: float) -> None:
        clock.sleep(seconds)
        last_write["at"] = clock.now

    assert not warm.wait_until_settled(store.engine, sleep=writer, clock=clock.time, max_wait_s=10)
    assert 3 <= len(clock.slept) <= 8


def test_the_scheduled_job_reports_what_it_kept(
    store: SimDB,  # noqa: F811
    rankings: list[str],
    tmp_path: Path,
) -> None:
    outcome = jobs.keep_rankings(_context(store, tmp_path))
    assert outcome.status == "ok"
    (detail,) = outcome.counts.detail["campaigns"].values()
    assert detail["kept"] == list(warm.SCOPES_ZH)
    assert outcome.counts.items_read == detail["works"] > 0


def test_the_plan_holds_the_job_unless_its_time_is_empty(store: SimDB) -> None:  # noqa: F811
    plan = build_plan(store.config)
    job = plan.job("keep_rankings")
    assert job.cron == ScheduleConfig().keep_rankings == "45 7 * * *"
    quiet = store.config.model_copy(
        update={"schedule": store.config.schedule.model_copy(update={"keep_rankings": ""})}
    )
    assert "keep_rankings" not in [j.id for j in build_plan(quiet).jobs]


def _all_kept(db: SimDB) -> bool:
    return all(ranking_cache.is_kept(db.engine, kind, key) for kind, key in _scopes(db))


def test_the_scheduler_s_own_run_rows_leave_the_kept_rankings_in_place(
    store: SimDB,  # noqa: F811
    rankings: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Through the runner, as the scheduler runs it: the job's run row is closed after its
    rankings, and the 08:00 report opens and closes its own. Those writes touch nothing a
    ranking reads, so the day's commands are still served from the kept rankings; a write of
    data is another state."""
    monkeypatch.setattr(ranking_cache, "SETTLE_S", 0.3)  # the rule, on a shorter clock
    runner = Runner(
        store.engine, store.config, now=lambda: NOW, alerts=AlertSender({}), reports_dir=tmp_path
    )
    assert runner.run_job(runner.plan.job("keep_rankings"), NOW).status == "ok"
    assert rankings == ["service", "service", "report"]
    assert _all_kept(store), "closing the job's own run row left its rankings behind"

    run_id = start_run(store.engine, kind="job", job="report", scheduled_for=NOW, now=NOW)
    finish_run(store.engine, run_id, status="ok", counts=RunCounts(), now=NOW)
    assert _all_kept(store)
    _served_without_ranking(store, rankings, tmp_path)
    _a_data_write_leaves_them_behind(store)


def test_a_write_beside_a_bookkeeping_write_carries_nothing(
    store: SimDB,  # noqa: F811
    rankings: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another connection committing data between the run row's write and the carry: the kept
    rankings are of the state before both, and stay behind."""
    monkeypatch.setattr(ranking_cache, "SETTLE_S", 0.3)
    warm.keep_day_rankings(store.engine, store.config)
    assert _all_kept(store)

    def other_write() -> None:
        other = create_engine(store.url)
        try:
            with other.begin() as conn:
                conn.exec_driver_sql("UPDATE post SET likes = likes + 1 WHERE rowid = 1")
        finally:
            other.dispose()

    monkeypatch.setattr(carry, "_between", other_write)
    start_run(store.engine, kind="job", job="report", scheduled_for=NOW, now=NOW)
    assert not any(ranking_cache.is_kept(store.engine, kind, key) for kind, key in _scopes(store))


def test_the_job_waits_for_running_collections_and_not_for_a_killed_one(
    store: SimDB,  # noqa: F811
) -> None:
    clock = _Clock()

    def at(seconds_ago: float) -> datetime:
        return datetime.fromtimestamp(clock.now - seconds_ago, UTC)

    # a collection killed long ago left its row running: not waited for
    start_run(store.engine, kind="collect", platform="douyin", now=at(warm.STALE_RUN_S + 60))
    assert warm.wait_for_writers(store.engine, sleep=clock.sleep, clock=clock.time) == []
    assert clock.slept == []

    # a collection running now: waited for until it ends, poll by poll
    run_id = start_run(store.engine, kind="collect", platform="weibo", now=at(600))

    def collecting(seconds: float) -> None:
        clock.sleep(seconds)
        if len(clock.slept) == 3:
            finish_run(store.engine, run_id, status="ok", counts=RunCounts(), now=at(0))

    assert warm.wait_for_writers(store.engine, sleep=collecting, clock=clock.time) == []
    assert clock.slept == [warm.WRITERS_POLL_S] * 3

    # one that never ends: given up on after the longest wait, and named
    start_run(store.engine, kind="refresh", platform="bilibili", now=at(0))
    clock.slept.clear()
    running = warm.wait_for_writers(store.engine, sleep=clock.sleep, clock=clock.time)
    assert running == [("refresh", "bilibili")]
    assert sum(clock.slept) == pytest.approx(warm.MAX_WRITERS_WAIT_S)


def test_while_a_collection_runs_the_job_ranks_nothing_and_says_why(
    store: SimDB,  # noqa: F811
    rankings: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    start_run(store.engine, kind="collect", platform="weibo", now=datetime.now(UTC))
    monkeypatch.setattr(warm, "MAX_WRITERS_WAIT_S", 0.0)
    outcome = jobs.keep_rankings(_context(store, tmp_path))
    assert rankings == []
    assert outcome.status == "skipped"
    assert outcome.error and "weibo collect" in outcome.error and "keep_rankings" in outcome.error
