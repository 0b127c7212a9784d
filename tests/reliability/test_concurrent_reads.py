"""Dashboard reads (and a second writer) while ``tracker collect`` writes: nobody sees "locked".

SQLite in WAL mode lets readers and one writer proceed together; the busy timeout makes any
brief lock wait instead of failing. This checks it end to end with real processes: a reader
looping over dashboard and status queries, a ``tracker status`` started mid-collection, and the
collector itself. Each must finish without an error, the reader must have overlapped the writer
(it saw the number of works grow), and the collection must still equal the ground truth.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from tracker.sim.api import SimServer
from tracker.store.engine import make_engine

from ..helpers.cli import clean_env, collect_args, run_tracker, tracker_cmd
from ..helpers.config import write_test_config
from ..helpers.database import init_db
from ..helpers.simulator import assert_equal_to_truth
from .reader import ready_file

READER = Path(__file__).with_name("reader.py")


def _pages(db: Path) -> int:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT coalesce(sum(pages), 0) FROM run")).scalar_one())
    finally:
        engine.dispose()


def read_while_collecting(tmp: Path, *, seed: int, scale: int, readers: int) -> list[dict]:
    config_path = write_test_config(tmp, page_size=5)
    db = tmp / "tracker.db"
    init_db(db, config_path)
    url = f"sqlite:///{db}"
    stop = tmp / "stop"
    outs = [tmp / f"reader{i}.json" for i in range(readers)]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with SimServer(seed=seed, scale=scale, faults="none") as sim:
            reader_procs = [
                subprocess.Popen(
                    [sys.executable, str(READER), url, str(stop), str(out)], env=clean_env()
                )
                for out in outs
            ]
            procs += reader_procs
            deadline = time.monotonic() + 120
            while not all(ready_file(out).exists() for out in outs):
                assert time.monotonic() < deadline, "a reader never finished its first round"
                assert all(p.poll() is None for p in reader_procs), "a reader exited early"
                time.sleep(0.05)
            log = tmp / "collect.err"
            with log.open("wb") as err:  # a file, not a pipe nobody reads while we wait
                collector = subprocess.Popen(
                    tracker_cmd(db, config_path, *collect_args(sim)),
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    env=clean_env(),
                    cwd=tmp,
                )
            procs.append(collector)
            deadline = time.monotonic() + 120
            while collector.poll() is None and _pages(db) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            status = run_tracker(db, config_path, "status", "--format", "json", timeout=120)
            collector.wait(timeout=300)
            collect_err = log.read_text(encoding="utf-8", errors="replace")
            stop.touch()
            for proc in reader_procs:
                assert proc.wait(timeout=60) == 0
            assert collector.returncode == 0, collect_err
            assert "locked" not in collect_err.lower(), collect_err
            assert status.returncode == 0, status.stderr
            assert "locked" not in (status.stdout + status.stderr).lower()
            assert json.loads(status.stdout)["totals"]["posts"] >= 0
            engine = make_engine(url)
            try:
                assert_equal_to_truth(engine, sim)
            finally:
                engine.dispose()
    finally:
        stop.touch()
        for proc in procs:  # never leave a reader or collector behind a failed assertion
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
    reports = [json.loads(out.read_text(encoding="utf-8")) for out in outs]
    for report in reports:
        assert report["errors"] == [], report["errors"][:5]
        # It really overlapped the writer: it saw the store at three or more different sizes.
        assert len(report["distinct_post_counts"]) >= 3, report
        assert report["slowest_round_s"] < 10, report
    return reports


def test_reads_during_collection_never_locked(tmp_path: Path) -> None:
    reports = read_while_collecting(tmp_path, seed=41, scale=60, readers=1)
    print(f"\nREADS: {reports}")


@pytest.mark.long
def test_reads_during_collection_never_locked_long(tmp_path: Path) -> None:
    reports = read_while_collecting(tmp_path, seed=42, scale=200, readers=3)
    print(f"\nREADS: {reports}")


def test_two_collectors_at_once_never_locked(tmp_path: Path) -> None:
    """Two writers (the scheduler's run and a person's, each on its own platforms) take turns.

    A page's transaction reads before it writes; begun deferred, it could not take the write
    lock after the other process committed and failed at once with "database is locked".
    """
    config_path = write_test_config(tmp_path, page_size=5)
    db = tmp_path / "tracker.db"
    init_db(db, config_path)
    halves = (["weibo", "zhihu", "kuaishou"], ["bilibili", "douyin", "xiaohongshu"])
    procs: list[subprocess.Popen[bytes]] = []
    logs = [tmp_path / f"collect{i}.err" for i in range(len(halves))]
    try:
        with SimServer(seed=43, scale=100, faults="none") as sim:
            for platforms, log in zip(halves, logs, strict=True):
                with log.open("wb") as err:
                    procs.append(
                        subprocess.Popen(
                            tracker_cmd(db, config_path, *collect_args(sim, platforms)),
                            stdout=subprocess.DEVNULL,
                            stderr=err,
                            env=clean_env(),
                            cwd=tmp_path,
                        )
                    )
            for proc in procs:
                proc.wait(timeout=300)
            for proc, log in zip(procs, logs, strict=True):
                err = log.read_text(encoding="utf-8", errors="replace")
                assert proc.returncode == 0, err
                assert "locked" not in err.lower(), err
            engine = make_engine(f"sqlite:///{db}")
            try:
                assert_equal_to_truth(engine, sim)
            finally:
                engine.dispose()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
