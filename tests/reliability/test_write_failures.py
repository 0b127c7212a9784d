"""Write failures under every command: one clear line, no SQL or row data, a non-zero exit, and
no temporary file left behind.

The database side: a read-only file (``import``, ``review approve``/``reject``, ``campaign
include``/``exclude``) and a full disk; each produced for real by SQLite, in-process (``PRAGMA
query_only`` and ``max_page_count`` on every connection the CLI opens) and through a real
subprocess that lacks write permission (root loses ``CAP_DAC_OVERRIDE`` via setpriv, since root
ignores file modes). The output side: a folder where the file should go, a folder without
write permission, a read-only file system and a full disk (a real tmpfs where the test may
mount one, a write that raises ``ENOSPC`` otherwise), for the text writers and for xlsx, whose
writer keeps scratch files of its own.

Every error line is also checked for the data being written: the reviewer's name, the note and
the work id are sentinels that must not appear.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event

from tracker.services.demo import capture_sample_path

from ..helpers.cli import (
    IS_ROOT,
    NO_DAC,
    clean_env,
    final_error_line,
    run_here,
    run_in_process,
    tracker_cmd,
)
from ..helpers.config import write_test_config
from ..helpers.database import init_db

REVIEWER = "审核员Sentinel甲"
NOTE = "备注Sentinel乙"
NOISE = ("[SQL:", "[parameters:", "INSERT", "UPDATE ", "sqlalche.me", "Traceback")


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config, and a database holding the shipped TikTok capture (96 works), made once per
    module: every test gets a copy of the folder."""
    root = tmp_path_factory.mktemp("imported")
    config_path = write_test_config(root)
    data = root / "data"
    data.mkdir()
    db = data / "tracker.db"
    init_db(db, config_path)
    done = run_here(_args(db, config_path, "import", str(capture_sample_path())), root)
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture
def world(imported: Path, tmp_path: Path) -> dict[str, Any]:
    """A private copy of ``imported``."""
    shutil.copytree(imported, tmp_path, dirs_exist_ok=True)
    db = tmp_path / "data" / "tracker.db"
    return {
        "root": tmp_path,
        "config": tmp_path / "campaign.toml",
        "db": db,
        "work": _first_work(db),
    }


def _first_work(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        (work,) = conn.execute("SELECT platform || ':' || platform_post_id FROM post").fetchone()
    finally:
        conn.close()
    return str(work)


def _page_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("PRAGMA page_count").fetchone()[0])
    finally:
        conn.close()


def _args(db: Path, config_path: Path, *command: str) -> list[str]:
    return ["--db", str(db), "--config", str(config_path), *command]


def _writes(work: str) -> dict[str, list[str]]:
    """Commands that write to the database, each with sentinel data of its own."""
    return {
        "import": ["import", str(capture_sample_path())],
        "review approve": ["review", "approve", work, "--by", REVIEWER, "--note", NOTE],
        "review reject": ["review", "reject", work, "--by", REVIEWER, "--note", NOTE],
        "campaign include": ["campaign", "include", work, "--by", REVIEWER, "--note", NOTE],
        "campaign exclude": ["campaign", "exclude", work, "--by", REVIEWER, "--note", NOTE],
    }


WRITE_COMMANDS = list(_writes("x:1"))


def _clean_line(err: str, work: str) -> str:
    line = final_error_line(err)
    for noise in (*NOISE, REVIEWER, NOTE, work.split(":")[1]):
        assert noise not in err, f"{noise!r} shown to staff:\n{err}"
    return line


@contextmanager
def engine_hook(name: str, fn: Callable[..., None]) -> Iterator[None]:
    """Listen on every engine the product creates (the CLI makes its own)."""
    event.listen(Engine, name, fn)
    try:
        yield
    finally:
        event.remove(Engine, name, fn)


def _query_only(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA query_only=ON")


@pytest.mark.parametrize("command", WRITE_COMMANDS)
def test_read_only_database_is_one_clear_line(
    command: str, world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    args = _args(world["db"], world["config"], *_writes(world["work"])[command])
    with engine_hook("connect", _query_only):
        code, _, err = run_in_process(args, capsys)
    assert code == 1, err
    line = _clean_line(err, world["work"])
    assert "只读" in line and "read-only" in line, line
    assert str(world["db"]) in line, "the line names the database"


def test_full_database_disk_is_one_clear_line(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite's own ``SQLITE_FULL``: a fresh database that may not grow by a single page."""
    db = world["root"] / "fresh.db"
    init_db(db, world["config"])
    pages = _page_count(db)

    def cap(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    args = _args(db, world["config"], "import", str(capture_sample_path()))
    with engine_hook("connect", cap):
        code, _, err = run_in_process(args, capsys)
    assert code == 1, err
    line = _clean_line(err, world["work"])
    assert "磁盘已满" in line and "full" in line, line


def _as_unprivileged(cmd: list[str]) -> list[str]:
    """Root ignores file modes; without ``CAP_DAC_OVERRIDE`` it obeys them like anyone."""
    return ["setpriv", *NO_DAC, *cmd] if IS_ROOT else cmd


needs_modes = pytest.mark.skipif(
    IS_ROOT and shutil.which("setpriv") is None, reason="root without setpriv ignores file modes"
)


@needs_modes
@pytest.mark.parametrize("command", ["import", "review approve", "campaign include"])
@pytest.mark.parametrize("folder_writable", [True, False], ids=["file-ro", "file-and-folder-ro"])
def test_read_only_file_for_real(
    command: str, folder_writable: bool, world: dict[str, Any]
) -> None:
    db: Path = world["db"]
    before = db.read_bytes()
    db.chmod(0o444)
    if not folder_writable:
        db.parent.chmod(0o555)
    try:
        cmd = tracker_cmd(db, world["config"], *_writes(world["work"])[command])
        result = subprocess.run(
            _as_unprivileged(cmd),
            capture_output=True,
            text=True,
            env=clean_env({"PYTHONDONTWRITEBYTECODE": "1"}),
            timeout=300,
        )
    finally:
        db.parent.chmod(0o755)
        db.chmod(0o644)
    assert result.returncode == 1, result.stderr
    line = _clean_line(result.stderr, world["work"])
    assert "只读" in line or "无法打开" in line, line
    assert db.read_bytes() == before


# --- outputs ------------------------------------------------------------------------------------

OUTPUTS: dict[str, list[str]] = {
    "export posts": ["export", "posts", "-o", "{out}"],
    "report": ["report", "-o", "{out}"],
    "export works xlsx": ["export", "works", "--include-unreviewed", "-o", "{out}"],
    "export works csv": [
        "export",
        "works",
        "--include-unreviewed",
        "--format",
        "csv",
        "-o",
        "{out}",
    ],
    "participation csv": ["campaign", "participation", "--format", "csv", "-o", "{out}"],
}


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The process's temporary folder, watched: writers must not leave files there either."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _output_args(world: dict[str, Any], output: str, out: Path) -> list[str]:
    command = [part.replace("{out}", str(out)) for part in OUTPUTS[output]]
    return _args(world["db"], world["config"], *command)


def _assert_no_litter(*folders: Path) -> None:
    for folder in folders:
        left = [p for p in folder.rglob("*") if p.is_file()]
        assert not left, f"left behind: {left}"


@pytest.mark.parametrize("output", list(OUTPUTS))
def test_output_path_that_is_a_folder(
    output: str, world: dict[str, Any], scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = world["root"] / "reports"
    out.mkdir()
    code, _, err = run_in_process(_output_args(world, output, out), capsys)
    assert code == 1, err
    line = _clean_line(err, world["work"])
    assert "文件夹" in line and str(out) in line, line
    _assert_no_litter(out, scratch)
    assert not list(world["root"].glob(".*.part"))


class _FullDisk(io.TextIOWrapper):
    """A text file on a disk without a byte left."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC from every file the writers open: text files, and xlsxwriter's zip."""
    real_fdopen = os.fdopen

    def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        fh = real_fdopen(fd, mode, *args, **kwargs)
        if "w" in mode and isinstance(fh, io.TextIOWrapper):
            raw = fh.detach()
            return _FullDisk(raw, encoding=kwargs.get("encoding"), newline=kwargs.get("newline"))
        return fh

    def zip_write(self: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("tracker.safe_files.os.fdopen", fdopen)
    monkeypatch.setattr("zipfile.ZipFile.write", zip_write)


@pytest.mark.parametrize("output", list(OUTPUTS))
def test_output_disk_full_simulated(
    output: str,
    world: dict[str, Any],
    scratch: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out_dir = world["root"] / "out"
    out_dir.mkdir()
    out = out_dir / "file.out"
    previous = "the previous export\n"
    out.write_text(previous, encoding="utf-8")
    _full_disk(monkeypatch)
    code, _, err = run_in_process(_output_args(world, output, out), capsys)
    assert code == 1, err
    line = _clean_line(err, world["work"])
    assert "磁盘已满" in line and "disk full" in line and str(out) in line, line
    assert out.read_text(encoding="utf-8") == previous, "the previous file was damaged"
    assert sorted(p.name for p in out_dir.iterdir()) == ["file.out"]
    _assert_no_litter(scratch)


@needs_modes
@pytest.mark.parametrize("output", ["export posts", "export works xlsx", "report"])
def test_output_folder_without_write_permission(output: str, world: dict[str, Any]) -> None:
    out_dir = world["root"] / "locked"
    out_dir.mkdir()
    out_dir.chmod(0o555)
    try:
        command = [part.replace("{out}", str(out_dir / "f.out")) for part in OUTPUTS[output]]
        result = subprocess.run(
            _as_unprivileged(tracker_cmd(world["db"], world["config"], *command)),
            capture_output=True,
            text=True,
            env=clean_env({"PYTHONDONTWRITEBYTECODE": "1"}),
            timeout=300,
        )
    finally:
        out_dir.chmod(0o755)
    assert result.returncode == 1, result.stderr
    line = _clean_line(result.stderr, world["work"])
    assert "没有写权限" in line and "permission denied" in line, line
    assert list(out_dir.iterdir()) == []


@contextmanager
def tmpfs(where: Path, *options: str) -> Iterator[Path]:
    where.mkdir()
    opts = ",".join(("size=1m", *options))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(where)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


needs_mount = pytest.mark.skipif(
    not IS_ROOT or shutil.which("mount") is None, reason="needs root to mount a tmpfs"
)


@needs_mount
@pytest.mark.parametrize("output", ["export posts", "export works xlsx", "report"])
def test_output_on_a_really_full_disk(
    output: str, world: dict[str, Any], scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with tmpfs(world["root"] / "disk") as disk:
        filler = disk / "filler"
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        filler.write_bytes(b"\0" * max(0, free - 8 * 1024))
        out = disk / "f.out"
        code, _, err = run_in_process(_output_args(world, output, out), capsys)
        assert code == 1, err
        line = _clean_line(err, world["work"])
        assert "磁盘已满" in line and str(out) in line, line
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]
    _assert_no_litter(scratch)


@needs_mount
@pytest.mark.parametrize("output", ["export posts", "export works xlsx"])
def test_output_on_a_read_only_file_system(
    output: str, world: dict[str, Any], scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with tmpfs(world["root"] / "ro", "ro") as disk:
        out = disk / "f.out"
        code, _, err = run_in_process(_output_args(world, output, out), capsys)
        assert code == 1, err
        line = _clean_line(err, world["work"])
        assert "只读" in line and "read-only" in line, line
    _assert_no_litter(scratch)


# --- the class: no database error is shown with its statement or row -----------------------------

_SQLITE_ERRORS = [
    ("attempt to write a readonly database", "SQLITE_READONLY", "read-only"),
    ("database or disk is full", "SQLITE_FULL", "disk full"),
    ("disk I/O error", "SQLITE_IOERR_WRITE", "I/O"),
    ("unable to open database file", "SQLITE_CANTOPEN", "unable to open"),
    ("database is locked", "SQLITE_BUSY", "locked"),
    ("file is not a database", "SQLITE_NOTADB", "not a database"),
    ("UNIQUE constraint failed: post.platform", "SQLITE_CONSTRAINT_UNIQUE", "constraint"),
    ("something new", "SQLITE_WHATEVER", "database error"),
]


@settings(max_examples=60, deadline=None)
@given(
    case=st.sampled_from(_SQLITE_ERRORS),
    row=st.text(max_size=40).map(lambda t: f"ROW<{t}>"),
    kind=st.sampled_from(["OperationalError", "IntegrityError", "DatabaseError"]),
)
def test_any_database_error_is_one_line_without_statement_or_row(
    case: tuple[str, str, str], row: str, kind: str
) -> None:
    """Whatever SQLite says and whatever was being written, staff see one fixed sentence."""
    from sqlalchemy import exc as sa_exc

    from tracker.failure_text import failure_text

    message, code, expected = case
    orig = sqlite3.OperationalError(message)
    orig.sqlite_errorname = code  # type: ignore[attr-defined]
    statement = f"INSERT INTO review (note) VALUES ('{row}')"
    error = getattr(sa_exc, kind)(statement, (row, "sentinel-parameter"), orig)
    line = failure_text(error)
    assert "\n" not in line
    assert expected in line, line
    for leaked in ("INSERT", "ROW<", "sentinel-parameter", "[SQL", "sqlalche.me"):
        assert leaked not in line, line
