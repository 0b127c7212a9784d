"""Running the real ``tracker`` command line against a simulator, as a user or a scheduler would.

Reliability tests drive ``python -m tracker`` in a subprocess (so a SIGKILL kills a real
process with real open transactions), with a test copy of the campaign config whose only
differences are the ones a test needs: no client-side rate limit (the simulator is local) and
a small page size (more pages, so more places for a kill to land).
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from tracker.cli import main
from tracker.config import TrackerConfig, load_config
from tracker.services.database import init_database
from tracker.store.models import Run

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NO_DAC = ["--bounding-set=-dac_override,-dac_read_search,-fowner"]
"""setpriv arguments that drop root's power to ignore file modes, so a read-only file is one."""

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG = REPO_ROOT / "config" / "campaign.toml"


def write_test_config(directory: Path, *, page_size: int = 5, timeout_s: float = 5.0) -> Path:
    """The shipped campaign config without rate limits and with ``page_size`` on every platform."""
    body = CONFIG.read_text(encoding="utf-8")
    body = re.sub(r"(?m)^rate_per_s\s*=.*\n", "", body)
    body = re.sub(
        r"(?m)^(\[platforms\.[a-z]+\]\n)",
        rf"\1page_size = {page_size}\ntimeout_s = {timeout_s}\n",
        body,
    )
    path = directory / "campaign.toml"
    path.write_text(body, encoding="utf-8")
    load_config(path)  # fail here, not in a subprocess, if the rewrite broke the file
    return path


def config_and_database(directory: Path) -> tuple[Path, Path]:
    """The test config and an initialised ``tracker.db`` in ``directory``: (config, database)."""
    config_path = write_test_config(directory)
    db = directory / "tracker.db"
    init_db(db, config_path)
    return config_path, db


def init_db(db: Path, config_path: Path) -> TrackerConfig:
    config = load_config(config_path)
    init_database(f"sqlite:///{db}", config, [])
    return config


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a CLI subprocess: no TRACKER_* leaking in from the developer's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update({"PYTHONUNBUFFERED": "1", "TERM": "dumb", "COLUMNS": "160", "NO_COLOR": "1"})
    env.update(extra or {})
    return env


def tracker_cmd(db: Path | str, config_path: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "tracker", "--db", str(db), "--config", str(config_path), *args]


def sim_network_args(sim: Any) -> list[str]:
    """Every base URL pointed at the simulator, and its dev signer (``collect``, ``import``)."""
    args = ["--signer", "dev"]
    for platform, url in sim.base_urls.items():
        args += ["--base-url", f"{platform}={url}"]
    return args


def collect_args(sim: Any, platforms: Sequence[str] = ()) -> list[str]:
    """``collect`` pointed at the simulator: every base URL, the dev signer, its virtual time."""
    args = ["collect", *sim_network_args(sim), "--now", sim.now.isoformat()]
    for platform in platforms:
        args += ["--platform", platform]
    return args


def run_tracker(
    db: Path | str,
    config_path: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 300,
    user: str | None = None,
) -> subprocess.CompletedProcess[str]:
    cmd = tracker_cmd(db, config_path, *args)
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env=clean_env(env),
        timeout=timeout,
        cwd=config_path.parent,
    )


def integrity(db: Path) -> list[str]:
    """``PRAGMA integrity_check`` and ``foreign_key_check`` through a plain sqlite3 connection."""
    conn = sqlite3.connect(db)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return rows + [f"foreign key: {r}" for r in fk]


def run_rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(Run.__table__).order_by(Run.__table__.c.id)).all()
    return [dict(r._mapping) for r in rows]


def final_error_line(stderr: str) -> str:
    """The error a user sees: the last stderr line, one line, no traceback, no SQL dump.

    Progress bars share stderr, so the error is found as the last non-empty line; anything the
    error spilled onto further lines (a traceback, SQLAlchemy's ``[SQL: ...]`` block) fails.
    """
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines, "no error message on stderr"
    assert "Traceback" not in stderr, stderr
    for noise in ("[SQL:", "[parameters:", "sqlalche.me", "Background on this error"):
        assert noise not in stderr, f"{noise!r} leaked to the user:\n{stderr}"
    last = lines[-1].strip()
    assert last.startswith(("错误", "内部错误")), f"last stderr line is not an error:\n{stderr}"
    assert sum("错误" in ln for ln in lines) == 1, stderr
    return last


def run_in_process(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``tracker ARGS`` in this process: (exit code, stdout, stderr). Restores root logging,
    which the CLI configures for itself, so one test's handlers never reach the next."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
