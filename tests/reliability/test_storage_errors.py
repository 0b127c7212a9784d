"""Disk full and read-only databases: one clear line, a non-zero exit, no run recorded as success.

Each failure is produced for real, not mocked:

- disk full: SQLite's ``max_page_count`` lowered on every connection the CLI opens (portable),
  and, where the test may mount file systems, a 8 MiB tmpfs filled up to the last few pages;
- read-only: ``PRAGMA query_only`` switched on in the middle of a collection (the file turns
  read-only under a running collector), and a file and directory without write permission,
  opened by a process that really lacks the right (root loses ``CAP_DAC_OVERRIDE`` via setpriv,
  since root otherwise ignores file modes).

After every failure the committed pages must still be there and a later run must resume and
reach the ground truth.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, event

from tracker.sim.api import SimServer
from tracker.store.engine import make_engine

from ..helpers.cli import (
    IS_ROOT,
    NO_DAC,
    clean_env,
    collect_args,
    final_error_line,
    run_in_process,
    tracker_cmd,
)
from ..helpers.config import write_test_config
from ..helpers.database import config_and_database, init_db, integrity, run_rows
from ..helpers.simulator import LIVE, assert_equal_to_truth


@contextmanager
def engine_hook(name: str, fn: Callable[..., None]) -> Iterator[None]:
    """Listen on every engine the product creates (the CLI makes its own)."""
    event.listen(Engine, name, fn)
    try:
        yield
    finally:
        event.remove(Engine, name, fn)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``tracker ARGS`` in this process; returns (exit code, stderr)."""
    code, _, err = run_in_process(args, capsys)
    return code, err


def check_no_false_success(engine: Engine, sim: SimServer) -> list[dict]:
    """The interrupted run is not ``ok``; every run that is ``ok`` really holds its platform."""
    runs = run_rows(engine)
    assert runs, "no run row at all"
    assert runs[-1]["status"] != "ok", runs[-1]
    done = tuple(r["platform"] for r in runs if r["status"] == "ok")
    if done:
        assert_equal_to_truth(engine, sim, platforms=done)
    return runs


def resume_to_truth(db: Path, config_path: Path, sim: SimServer, capsys) -> None:  # type: ignore[no-untyped-def]
    code, err = run_cli(["--db", str(db), "--config", str(config_path), *collect_args(sim)], capsys)
    assert code == 0, err
    engine = make_engine(f"sqlite:///{db}")
    try:
        assert_equal_to_truth(engine, sim)
        latest = {r["platform"]: r["status"] for r in run_rows(engine)}
        assert latest == dict.fromkeys(LIVE, "ok")
    finally:
        engine.dispose()
    assert integrity(db) == ["ok"]


def test_disk_full_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_path, db = config_and_database(tmp_path)
    with sqlite3.connect(db) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]

    def cap(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.execute(f"PRAGMA max_page_count={pages + 4}")

    with SimServer(seed=51, scale=60) as sim:
        args = ["--db", str(db), "--config", str(config_path), *collect_args(sim)]
        with engine_hook("connect", cap):
            code, err = run_cli(args, capsys)
        assert code != 0
        line = final_error_line(err)
        assert "full" in line and "数据库" in line, line
        engine = make_engine(f"sqlite:///{db}")
        try:
            runs = check_no_false_success(engine, sim)
            assert runs[-1]["status"] == "failed" and "full" in (runs[-1]["error"] or "")
        finally:
            engine.dispose()
        assert integrity(db) == ["ok"]
        resume_to_truth(db, config_path, sim, capsys)


def test_database_turning_read_only_mid_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path, db = config_and_database(tmp_path)
    begins = {"n": 0, "switched": False}

    def read_only_after_a_while(conn) -> None:  # type: ignore[no-untyped-def]
        """Past the six platforms' run rows, and only once a page is committed.

        A fixed begin count alone is not enough: on a busy machine all six platforms can open
        their runs and read their cursors before the first page lands, and the switch then
        came before anything was committed.
        """
        begins["n"] += 1
        if not begins["switched"] and begins["n"] >= 30:
            with closing(sqlite3.connect(db)) as probe:
                (pages,) = probe.execute("SELECT COALESCE(SUM(pages), 0) FROM run").fetchone()
            begins["switched"] = pages > 0
        if begins["switched"]:
            conn.connection.dbapi_connection.execute("PRAGMA query_only=ON")

    with SimServer(seed=52, scale=60) as sim:
        args = ["--db", str(db), "--config", str(config_path), *collect_args(sim)]
        with engine_hook("begin", read_only_after_a_while):
            code, err = run_cli(args, capsys)
        assert code != 0
        assert "readonly" in final_error_line(err)
        engine = make_engine(f"sqlite:///{db}")
        try:
            runs = check_no_false_success(engine, sim)
            # The collector could no longer write, so its run is left resumable, not "ok".
            assert runs[-1]["status"] in ("running", "failed")
            assert sum(r["pages"] for r in runs) > 0, "nothing was committed before the switch"
        finally:
            engine.dispose()
        resume_to_truth(db, config_path, sim, capsys)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.skipif(not IS_ROOT or shutil.which("setpriv") is None, reason="needs root and setpriv")
def test_read_only_file_refused_clearly(tmp_path: Path) -> None:
    """A database file and directory without write permission, for a process without override."""
    config_path = write_test_config(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    db = data / "tracker.db"
    init_db(db, config_path)
    before = _sha(db)
    db.chmod(0o444)
    data.chmod(0o555)
    try:
        with SimServer(seed=53, scale=20) as sim:
            env = {"PYTHONDONTWRITEBYTECODE": "1"}
            cmd = collect_args(sim)
            result = subprocess.run(
                ["setpriv", *NO_DAC, *tracker_cmd(db, config_path, *cmd)],
                capture_output=True,
                text=True,
                env=clean_env(env),
                timeout=300,
            )
        assert result.returncode != 0
        line = final_error_line(result.stderr)
        assert "readonly" in line or "read-only" in line or "只读" in line, line
        assert sorted(p.name for p in data.iterdir()) == ["tracker.db"]
        assert _sha(db) == before, "the read-only file was modified"
    finally:
        data.chmod(0o755)
        db.chmod(0o644)


@contextmanager
def small_tmpfs(where: Path, size: str = "8m") -> Iterator[Path]:
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.mark.skipif(not IS_ROOT or shutil.which("mount") is None, reason="needs root to mount")
def test_disk_full_on_a_real_file_system(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real ENOSPC from the kernel (the WAL cannot grow), then space freed and resumed."""
    config_path = write_test_config(tmp_path)
    with small_tmpfs(tmp_path / "disk") as disk:
        db = disk / "tracker.db"
        init_db(db, config_path)
        filler = disk / "filler"
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        filler.write_bytes(b"\0" * max(0, free - 48 * 1024))
        with SimServer(seed=54, scale=100) as sim:
            args = ["--db", str(db), "--config", str(config_path), *collect_args(sim)]
            code, err = run_cli(args, capsys)
            assert code != 0, err
            line = final_error_line(err)
            assert "full" in line, line
            filler.unlink()
            engine = make_engine(f"sqlite:///{db}")
            try:
                check_no_false_success(engine, sim)
            finally:
                engine.dispose()
            assert integrity(db) == ["ok"]
            resume_to_truth(db, config_path, sim, capsys)
