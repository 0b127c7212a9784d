"""Platforms collected side by side: same result as one after another, and a stop is clean."""

from __future__ import annotations

import threading

from sqlalchemy import select

import tracker.services.collect as service
from tracker.services.collect import collect
from tracker.sim.api import SimServer
from tracker.sim.faults import FaultConfig
from tracker.store.engine import make_engine
from tracker.store.models import Run

from ..helpers.simulator import LIVE, assert_equal_to_truth, collect_until_done, sim_options

SLOW_ANSWERS = FaultConfig(
    profile="flaky", rate=1.0, kinds=("slow",), slow_s=0.05, max_consecutive=10**6,
    page_fault_rate=0.0,
)  # fmt: skip
"""Every answer 50 ms late and nothing else: a platform's page then takes as long as a network
round trip, so platforms fetched at once interleave whatever the scheduler does. Without it, on
a busy machine one thread could finish its few pages before the next thread's first answer."""


def _collect_platforms(engine, config, platforms, options):  # noqa: ANN001, ANN202
    """The listing stage side by side, calling whatever ``collect_platform`` is patched in."""

    def run(platform, opts, on_page):  # noqa: ANN001, ANN202
        return service.collect_platform(engine, config, platform, opts, on_page)

    return service.side_by_side(engine, platforms, options, None, run, name="collect")


def test_platforms_run_side_by_side_and_equal_truth(db, config) -> None:
    """Pages of different platforms interleave (they are fetched at once), and the store ends
    equal to the ground truth exactly as a one-at-a-time run does."""
    order: list[str] = []
    threads: set[str] = set()

    def on_page(platform: str, _page, _counts) -> None:  # type: ignore[no-untyped-def]
        order.append(platform)
        threads.add(threading.current_thread().name)

    with SimServer(seed=4, scale=40, faults=SLOW_ANSWERS) as sim:
        results = collect(db, config, sim_options(sim), on_page)
        assert [r.platform for r in results] == list(LIVE)  # results keep the asked order
        assert all(r.status == "ok" for r in results), [(r.platform, r.message) for r in results]
        assert_equal_to_truth(db, sim)
    runs = [p for i, p in enumerate(order) if i == 0 or order[i - 1] != p]
    # One after another, each platform's pages form one run; side by side, some platform's
    # pages come in two runs or more, another platform's pages between them.
    assert len(runs) > len(set(order)), order
    assert len(threads) > 1


def test_one_worker_is_one_platform_after_another(db, config) -> None:
    order: list[str] = []
    with SimServer(seed=4, scale=20, faults="none") as sim:
        options = sim_options(sim, workers=1)
        collect(db, config, options, lambda p, _page, _c: order.append(p))
        assert_equal_to_truth(db, sim)
    switches = sum(1 for a, b in zip(order, order[1:], strict=False) if a != b)
    assert switches == len(LIVE) - 1


def test_a_stop_mid_run_saves_every_platforms_cursor_and_the_next_run_finishes(db, config) -> None:
    """The stop flag (Ctrl-C or SIGTERM in the CLI) reaches every platform thread: each ends
    its page, records the run as interrupted with its cursor, and the next run resumes."""
    pages = 0
    stop = threading.Event()

    def on_page(_platform: str, _page, _counts) -> None:  # type: ignore[no-untyped-def]
        nonlocal pages
        pages += 1
        if pages >= 8:
            stop.set()

    with SimServer(seed=6, scale=60, faults="none") as sim:
        first = collect(db, config, sim_options(sim, should_stop=stop.is_set), on_page)
        assert {r.status for r in first} <= {"interrupted", "ok"}
        assert any(r.status == "interrupted" for r in first)
        with db.connect() as conn:
            interrupted = conn.execute(
                select(Run.__table__.c.platform, Run.__table__.c.cursor).where(
                    Run.__table__.c.status == "interrupted"
                )
            ).all()
        assert interrupted and all(row.cursor for row in interrupted)
        collect_until_done(db, config, lambda: sim_options(sim))
        assert_equal_to_truth(db, sim)


def test_an_in_memory_database_collects_one_platform_at_a_time(
    config, monkeypatch, tmp_path
) -> None:
    """Threads cannot share the single connection of an in-memory database: sequential."""

    seen: list[str] = []

    def fake(engine, config, platform, options, on_page):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread().name)
        return service.PlatformResult(platform, "ok", None, service.RunCounts())

    monkeypatch.setattr(service, "collect_platform", fake)
    memory, on_disk = make_engine("sqlite://"), make_engine(f"sqlite:///{tmp_path / 't.db'}")
    try:
        options = service.CollectOptions(platforms=["weibo", "zhihu", "douyin"])
        _collect_platforms(memory, config, ["weibo", "zhihu", "douyin"], options)
        assert set(seen) == {threading.current_thread().name}
        seen.clear()
        _collect_platforms(on_disk, config, ["weibo", "zhihu", "douyin"], options)
        assert threading.current_thread().name not in seen and len(seen) == 3
    finally:
        memory.dispose()
        on_disk.dispose()


def test_cli_workers_flag(tmp_path) -> None:
    """``tracker collect --workers 1`` runs one platform after another, end to end."""
    from ..helpers.cli import collect_args, run_tracker
    from ..helpers.config import write_test_config
    from ..helpers.database import init_db

    config_path = write_test_config(tmp_path, page_size=5)
    db = tmp_path / "tracker.db"
    init_db(db, config_path)
    engine = make_engine(f"sqlite:///{db}")
    try:
        with SimServer(seed=4, scale=10, faults="none") as sim:
            args = collect_args(sim, ["weibo", "zhihu"])
            done = run_tracker(db, config_path, *args, "--workers", "1", timeout=240)
            assert done.returncode == 0, done.stderr
            bad = run_tracker(db, config_path, *args, "--workers", "0", timeout=240)
            assert bad.returncode != 0 and "--workers" in bad.stderr
            assert_equal_to_truth(engine, sim, ("weibo", "zhihu"))
        with engine.connect() as conn:
            runs = conn.execute(
                select(Run.__table__.c.started_at, Run.__table__.c.finished_at)
            ).all()
    finally:
        engine.dispose()
    ordered = sorted(runs)
    assert all(a.finished_at <= b.started_at for a, b in zip(ordered, ordered[1:], strict=False))


def test_platforms_waiting_for_a_worker_do_not_start_after_a_stop(
    config, monkeypatch, tmp_path
) -> None:
    """With fewer workers than platforms, a stop leaves the queued ones unstarted (no run row,
    no result), exactly as one-by-one collection does."""

    stop = threading.Event()
    started: list[str] = []

    def fake(engine, config, platform, options, on_page):  # type: ignore[no-untyped-def]
        started.append(platform)
        stop.set()  # Ctrl-C arrives while the first platforms run
        return service.PlatformResult(platform, "interrupted", None, service.RunCounts())

    monkeypatch.setattr(service, "collect_platform", fake)
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    platforms = ["weibo", "zhihu", "douyin", "kuaishou"]
    try:
        for workers in (1, 2):
            started.clear()
            stop.clear()
            options = service.CollectOptions(should_stop=stop.is_set, workers=workers)
            results = _collect_platforms(engine, config, platforms, options)
            assert [r.platform for r in results] == started
            assert 1 <= len(started) <= workers < len(platforms)
    finally:
        engine.dispose()
