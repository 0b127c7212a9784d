"""SIGKILL ``tracker collect`` at random moments, resume each time, end equal to the ground truth.

The kill moment is random but seeded: before each attempt a target is drawn, "k pages committed
by this invocation, then a further delay of up to 250 ms", so kills land anywhere — during
start-up, between requests, inside a page's transaction, between platforms. The killer watches
progress through the database itself (another process reading while the collector writes).
After the kills an uninterrupted ``tracker collect`` must finish every platform, and the file
must be intact: ``PRAGMA integrity_check`` ok, no duplicate rows under any natural key, one
snapshot per work (every invocation captures at the same virtual instant).
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tracker.config import load_config
from tracker.services.database import init_database
from tracker.sim.api import SimServer
from tracker.store.engine import make_engine

from ..helpers.cli import clean_env, collect_args, run_tracker, tracker_cmd
from ..helpers.config import write_test_config
from ..helpers.database import duplicate_keys, init_db, integrity, run_rows, snapshot_counts
from ..helpers.simulator import LIVE, assert_equal_to_truth, collect_until_done, sim_options

POLL_S = 0.02


def _full_run_pages(tmp: Path, config_path: Path, sim: SimServer) -> int:
    """Pages one uninterrupted collection takes (the range kill targets are drawn from)."""
    url = f"sqlite:///{tmp / 'calibrate.db'}"
    config = load_config(config_path)
    init_database(url, config, [])
    engine = make_engine(url)
    try:
        history = collect_until_done(engine, config, lambda: sim_options(sim), max_runs=1)
    finally:
        engine.dispose()
    return sum(r.counts.pages for r in history[0])


def _pages_since(engine: Engine, run_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT coalesce(sum(pages), 0) FROM run WHERE id > :id"), {"id": run_id}
            ).scalar_one()
        )


def _runs_left_running(engine: Engine, run_id: int) -> int:
    """Runs of the killed process still marked running: platforms it had not finished."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM run WHERE id > :id AND status = 'running'"),
                {"id": run_id},
            ).scalar_one()
        )


def _last_run_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM run")).scalar_one())


def kill_and_resume(tmp: Path, *, seed: int, scale: int, kills: int, rng_seed: int) -> dict:
    config_path = write_test_config(tmp, page_size=5)
    db_path = tmp / "tracker.db"
    init_db(db_path, config_path)
    rng = random.Random(rng_seed)
    engine = make_engine(f"sqlite:///{db_path}")
    moments: Counter[str] = Counter()
    attempts = 0
    try:
        with SimServer(seed=seed, scale=scale, faults="none") as sim:
            full_pages = _full_run_pages(tmp, config_path, sim)
            assert full_pages > 10
            cmd = tracker_cmd(db_path, config_path, *collect_args(sim))
            done = 0
            while done < kills:
                attempts += 1
                assert attempts <= kills * 3, f"only {done} kills landed in {attempts} attempts"
                target = rng.randrange(full_pages)
                delay = rng.uniform(0, 0.05)  # platforms run side by side: pages come fast
                before = _last_run_id(engine)
                log = tmp / f"collect-{attempts}.err"
                with log.open("wb") as err:  # a file, not a pipe: a full pipe would stall it
                    proc = subprocess.Popen(
                        cmd, stdout=subprocess.DEVNULL, stderr=err, env=clean_env(), cwd=tmp
                    )
                deadline = time.monotonic() + 120
                pages = 0
                try:
                    while proc.poll() is None and pages < target:
                        assert time.monotonic() < deadline, "the collector made no progress"
                        time.sleep(POLL_S)
                        pages = _pages_since(engine, before)
                except BaseException:
                    proc.kill()
                    proc.wait(timeout=30)
                    raise
                time.sleep(delay)
                if proc.poll() is not None:  # finished before the kill moment: not a kill
                    assert proc.returncode == 0, log.read_text(encoding="utf-8", errors="replace")
                    moments["finished first"] += 1
                    continue
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                assert proc.returncode == -signal.SIGKILL
                done += 1
                committed = _pages_since(engine, before)
                unfinished = _runs_left_running(engine, before)
                moments[
                    "before any page"
                    if committed == 0
                    else "mid-collection"
                    if unfinished
                    else "after the last page"  # every platform done; killed while exiting
                ] += 1
                assert integrity(db_path) == ["ok"], f"after kill {done}"
            final = run_tracker(db_path, config_path, *collect_args(sim))
            assert final.returncode == 0, final.stderr
            assert_equal_to_truth(engine, sim)
            assert duplicate_keys(engine) == {}
            total, works = snapshot_counts(engine)
            assert total == works, f"{total} snapshots for {works} works at one capture time"
            runs = run_rows(engine)
    finally:
        engine.dispose()
    assert integrity(db_path) == ["ok"]
    latest = {}
    for r in sorted(runs, key=lambda r: r["id"]):
        latest[r["platform"]] = r
    assert {p: r["status"] for p, r in latest.items()} == dict.fromkeys(LIVE, "ok")
    # Every killed run was picked up: it is marked interrupted and a later run resumed from it.
    by_id = {r["id"]: r for r in runs}
    resumed = [r["detail"].get("resumed_from_run") for r in runs if r["detail"]]
    resumed = [i for i in resumed if i]
    assert all(by_id[i]["status"] == "interrupted" for i in resumed)
    assert not [r for r in runs if r["status"] == "running"], "a killed run was never resumed"
    if moments["mid-collection"]:
        assert resumed, "kills landed mid-collection but no run resumed from a cursor"
    return {
        "kills": kills,
        "attempts": attempts,
        "moments": dict(moments),
        "resumed_runs": len(resumed),
        "runs": len(runs),
        "full_run_pages": full_pages,
    }


def test_random_sigkills_then_resume(tmp_path: Path) -> None:
    stats = kill_and_resume(tmp_path, seed=31, scale=120, kills=3, rng_seed=7)
    print(f"\nKILLS: {stats}")
    assert stats["moments"].get("mid-collection", 0) >= 1, stats


@pytest.mark.long
def test_random_sigkills_then_resume_long(tmp_path: Path) -> None:
    stats = kill_and_resume(tmp_path, seed=32, scale=200, kills=20, rng_seed=2024)
    print(f"\nKILLS: {stats}")
    assert stats["moments"].get("mid-collection", 0) >= 10, stats
