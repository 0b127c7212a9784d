"""One scheduler per database: a second lock, a second process, a second ``tracker schedule``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from schedule_helpers import (
    REPO_ROOT,
    config_text,
    job_rows,
    new_database,
    repo_config,
    write_config,
)
from sqlalchemy import Engine

from tracker.schedule.lock import (
    AdvisoryLock,
    FileLock,
    NoLock,
    SchedulerLocked,
    instance_lock,
    lock_path_for,
)
from tracker.store.engine import make_engine


def test_second_lock_object_is_refused_until_the_first_is_released(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db.scheduler.lock"
    first = FileLock(path).acquire()
    with pytest.raises(SchedulerLocked) as info:
        FileLock(path).acquire()
    message = str(info.value)
    assert "另一个 tracker schedule 已在使用此数据库" in message
    assert f"PID {os.getpid()}" in message
    assert str(path) in message
    first.release()
    with FileLock(path):
        assert f"PID {os.getpid()}" in path.read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8") == ""  # released: no stale holder shown


def test_lock_for_sqlite_sits_next_to_the_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'tracker.db'}")
    lock = instance_lock(engine)
    assert isinstance(lock, FileLock)
    assert lock.path == tmp_path / "data" / "tracker.db.scheduler.lock"
    assert lock_path_for("data/t.db") == Path("data/t.db.scheduler.lock")
    assert isinstance(instance_lock(make_engine("sqlite://")), NoLock)
    engine.dispose()


HOLDER = """
import sys
from tracker.schedule.lock import FileLock
lock = FileLock(sys.argv[1]).acquire()
print("locked", flush=True)
sys.stdin.read()
lock.release()
"""


def test_second_process_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db.scheduler.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(SchedulerLocked, match=f"PID {holder.pid}"):
            FileLock(path).acquire()
    finally:
        holder.communicate("", timeout=20)
    assert holder.returncode == 0
    FileLock(path).acquire().release()  # the holder is gone: free again


def test_killed_holder_releases_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "tracker.db.scheduler.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait(20)
    holder.stdin.close()  # type: ignore[union-attr]
    holder.stdout.close()
    FileLock(path).acquire().release()  # no stale lock file to clean up by hand


def test_second_tracker_schedule_refuses_to_start(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    engine = new_database(db, repo_config())
    cfg = write_config(tmp_path, config_text())  # platforms point nowhere, never contacted
    with instance_lock(engine):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "tracker",
                "--db",
                str(db),
                "--config",
                str(cfg),
                "schedule",
                "--once",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env={k: v for k, v in os.environ.items() if k != "TRACKER_DATABASE_URL"},
        )
    assert result.returncode == 1
    assert "另一个 tracker schedule 已在使用此数据库" in result.stderr
    assert f"PID {os.getpid()}" in result.stderr
    assert "Traceback" not in result.stderr
    assert job_rows(engine) == []
    engine.dispose()


@pytest.mark.postgres
def test_postgres_advisory_lock(pg_engine: Engine) -> None:
    first = AdvisoryLock(pg_engine).acquire()
    try:
        with pytest.raises(SchedulerLocked, match="另一个 tracker schedule"):
            AdvisoryLock(pg_engine).acquire()
    finally:
        first.release()
    with instance_lock(pg_engine) as lock:
        assert isinstance(lock, AdvisoryLock)
