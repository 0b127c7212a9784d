"""Running ``tracker``: in this process (fast, output captured) or as a real subprocess.

Subprocesses are for what only a real process shows (a SIGKILL with open transactions, file
modes under a dropped capability, the environment a user's shell passes); everything else
runs in-process.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner as TyperRunner
from typer.testing import Result as TyperResult

from tracker.cli import app, main

from .config import CONFIG

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
NO_DAC = ["--bounding-set=-dac_override,-dac_read_search,-fowner"]
"""setpriv arguments that drop root's power to ignore file modes, so a read-only file is one."""


# --- in this process --------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Finished:
    """A finished ``tracker`` run: the fields of ``subprocess.CompletedProcess`` the tests read,
    so a test written against a real process reads this one unchanged."""

    returncode: int
    stdout: str
    stderr: str


def _text_buffer() -> io.TextIOWrapper:
    """A text stream with a byte ``buffer`` beneath, as a real stdout has (``-o -`` writers)."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="", write_through=True)


def run_here(args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> Finished:
    """``tracker ARGS`` in this process, as a user's shell would start it in ``cwd``: no
    ``TRACKER_*`` variable but those of ``env``, stdout and stderr captured apart. Restores the
    working folder, the environment and root logging (which the CLI configures for itself)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    out, err = _text_buffer(), _text_buffer()
    code = 0
    with pytest.MonkeyPatch.context() as mp:
        for name in [k for k in os.environ if k.startswith("TRACKER_")]:
            mp.delenv(name)
        for name, value in (env or {}).items():
            mp.setenv(name, value)
        mp.chdir(cwd)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            root.handlers[:] = handlers
            root.setLevel(level)
    return Finished(code, _read(out), _read(err))


def _read(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8", errors="replace")


@dataclass
class Result:
    code: int
    out: str
    err: str


class WorldCli:
    """``runner("rank", "works", ...)`` against one world's database and config."""

    def __init__(self, world: Any, capsys: pytest.CaptureFixture[str]) -> None:
        self.world = world
        self.capsys = capsys

    def __call__(self, *args: str) -> Result:
        self.capsys.readouterr()
        argv = ["--db", self.world.url, "--config", str(self.world.config_path), *args]
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)


def cli(db_url: str, *args: str) -> TyperResult:
    """``tracker --db URL --config campaign.toml ARGS`` through typer's runner."""
    return TyperRunner().invoke(app, ["--db", db_url, "--config", str(CONFIG), *args])


def cli_json(db_url: str, *args: str) -> dict[str, Any]:
    """``tracker import --format json ARGS``: the parsed report."""
    result = cli(db_url, "import", "--format", "json", *args)
    assert result.exit_code in (0, 1, 3), result.output  # 3: some files skipped or failed
    return json.loads(result.stdout)


# --- as a subprocess --------------------------------------------------------------------------


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
