"""The database remembers its campaign: ``tracker --db PATH <command>`` from any folder.

``tracker init`` / ``config apply`` / ``demo`` store the config and units texts in the
database; with no ``--config``/``TRACKER_CONFIG`` and no ``./config/campaign.toml``, commands
read them (and say so on stderr). ``--db``/``--config``/``--units`` work after the subcommand.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tracker.cli import main
from tracker.cli.argv import hoist_global_options

from ..helpers.cli import Finished, run_here
from ..helpers.config import REPO_ROOT
from ..helpers.ports import free_port

STORED_LINE = "使用数据库中保存的活动配置"
NOT_FOUND = "找不到配置文件 (config file not found)"


def _tracker(args: list[str], cwd: Path) -> Finished:
    """``tracker ARGS`` in ``cwd`` with no ``TRACKER_*`` from the caller's shell, in this
    process: what these tests watch (the working folder, the stored config, the messages)
    shows the same in-process; only the dashboard below needs a real process to serve."""
    return run_here(args, cwd)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Finished]:
    """A demo database, built once: (the folder it ran in, the demo's output)."""
    root = tmp_path_factory.mktemp("demo-run")
    done = _tracker(["demo", "--out", "demo-output", "--scale", "40"], root)
    assert done.returncode == 0, done.stderr[-2000:]
    return root, done


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """An empty folder with no ``config/``: only the database can say what the campaign is."""
    folder = tmp_path / "别处 folder"
    folder.mkdir()
    return folder


def _db(demo: tuple[Path, Finished]) -> str:
    return str(demo[0] / "demo-output" / "tracker.db")


@pytest.mark.parametrize(
    "order", ["before", "after"], ids=["db-before-command", "db-after-command"]
)
def test_status_from_another_folder(demo, elsewhere: Path, order: str) -> None:  # type: ignore[no-untyped-def]
    db = ["--db", _db(demo)]
    args = [*db, "status", "--format", "json"] if order == "before" else ["status", *db]
    done = _tracker(args, elsewhere)
    assert done.returncode == 0, done.stderr
    assert STORED_LINE in done.stderr and "tracker.db" in done.stderr
    assert len([line for line in done.stderr.splitlines() if STORED_LINE in line]) == 1
    assert NOT_FOUND not in done.stderr
    assert list(elsewhere.iterdir()) == []


def test_report_and_export_from_another_folder(demo, elsewhere: Path) -> None:  # type: ignore[no-untyped-def]
    report = _tracker(["report", "-o", "x.html", "--db", _db(demo)], elsewhere)
    assert report.returncode == 0, report.stderr
    assert (elsewhere / "x.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    export = _tracker(
        ["export", "works", "--db", _db(demo), "-o", "x.xlsx", "--include-unreviewed"], elsewhere
    )
    assert export.returncode == 0, export.stderr
    sheets = load_workbook(elsewhere / "x.xlsx", read_only=True).sheetnames
    assert "作品" in sheets


def test_dashboard_from_another_folder(demo, elsewhere: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("flask", reason="the dashboard extra is not installed")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker", "dashboard", "--port", str(port), "--db", _db(demo)],
        cwd=elsewhere, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        status = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as resp:
                    status = resp.status
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        assert status == 200, proc.stderr.read() if proc.poll() is not None else "no answer"
    finally:
        proc.terminate()
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert STORED_LINE in err


def test_the_demo_prints_next_commands_that_run(demo) -> None:  # type: ignore[no-untyped-def]
    root, done = demo
    commands = [
        shlex.split(line.strip())
        for line in done.stdout.splitlines()
        if line.strip().startswith("tracker --db ")
    ]
    names = [" ".join(c[3:5]) for c in commands]
    assert names[0] == "status" and "rank works" in names and "export works" in names
    assert "pack --as-of" in names  # the 9-27 deadline pack, which the demo's collections cut
    assert commands[-1][-1] == "dashboard"
    assert all(c[:3] == ["tracker", "--db", "demo-output/tracker.db"] for c in commands)
    for command in commands:
        if "dashboard" in command:
            continue
        ran = _tracker(command[1:], root)
        assert ran.returncode == 0, (command, ran.stderr[-2000:])
        assert STORED_LINE in ran.stderr
    assert (root / "优质作品.xlsx").exists()
    assert (root / "截止9月27日" / "manifest.json").exists()


def _make_config(folder: Path) -> Path:
    shutil.copytree(REPO_ROOT / "config", folder / "config")
    return folder / "config" / "campaign.toml"


def test_config_apply_updates_what_later_commands_read(tmp_path: Path, elsewhere: Path) -> None:
    config = _make_config(tmp_path)
    db = str(tmp_path / "t.db")
    init = _tracker(["--db", db, "init"], tmp_path)
    assert init.returncode == 0, init.stderr
    before = _tracker(["config", "check", "--db", db], elsewhere)
    assert before.returncode == 0, before.stderr
    assert STORED_LINE in before.stderr and "数据库中保存的 campaign.toml" in before.stdout
    assert "新别名甲" not in before.stdout

    text = config.read_text(encoding="utf-8")
    assert "aliases = [" in text
    config.write_text(text.replace("aliases = [", 'aliases = ["新别名甲", ', 1), encoding="utf-8")
    units = config.parent / "units.csv"
    rows_before = len([r for r in units.read_text(encoding="utf-8-sig").splitlines() if r.strip()])
    with units.open("a", encoding="utf-8") as fh:
        fh.write("新增测试单位,other,广州,,,\n")

    # Not applied yet: commands elsewhere still read what init stored.
    assert "新别名甲" not in _tracker(["--db", db, "config", "check"], elsewhere).stdout
    applied = _tracker(["config", "apply", "--db", db], tmp_path)
    assert applied.returncode == 0, applied.stderr
    assert "已把配置写入数据库" in applied.stdout

    after = _tracker(["--db", db, "config", "check"], elsewhere)
    assert after.returncode == 0, after.stderr
    assert "新别名甲" in after.stdout
    assert f"单位名册: {rows_before} 行" in after.stdout  # header + old rows + the new one - header

    # An explicit --config still wins over the stored copy, and says nothing about it.
    other = tmp_path / "other.toml"
    other.write_text(text.replace("aliases = [", 'aliases = ["别的别名乙", ', 1), encoding="utf-8")
    explicit = _tracker(["config", "check", "--config", str(other), "--db", db], elsewhere)
    assert explicit.returncode == 0, explicit.stderr
    assert "别的别名乙" in explicit.stdout and "新别名甲" not in explicit.stdout
    assert STORED_LINE not in explicit.stderr


def test_config_apply_needs_the_files(tmp_path: Path, elsewhere: Path) -> None:
    _make_config(tmp_path)
    db = str(tmp_path / "t.db")
    assert _tracker(["--db", db, "init"], tmp_path).returncode == 0
    done = _tracker(["--db", db, "config", "apply"], elsewhere)
    assert done.returncode == 1
    assert NOT_FOUND in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_database_without_stored_config_keeps_the_not_found_error(
    tmp_path: Path, elsewhere: Path
) -> None:
    import sqlite3

    _make_config(tmp_path)
    db = tmp_path / "t.db"
    assert _tracker(["--db", str(db), "init"], tmp_path).returncode == 0
    with sqlite3.connect(db) as conn:  # as a database made before revision 0006
        conn.execute("DELETE FROM stored_config")
    done = _tracker(["rank", "works", "--db", str(db)], elsewhere)
    assert done.returncode == 1 and NOT_FOUND in done.stderr and STORED_LINE not in done.stderr


def test_a_global_option_twice_with_different_values_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", "a.db", "status", "--db", "b.db"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--db 给了两次且值不同" in err and "Usage: tracker" in err
    assert "内部错误" not in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["dashboard", "--db", "x.db"], ["--db", "x.db", "dashboard"]),
        (["status", "--db=x.db"], ["--db=x.db", "status"]),
        (
            ["export", "works", "-o", "y.xlsx", "--config", "c.toml", "--units", "u.csv"],
            ["--config", "c.toml", "--units", "u.csv", "export", "works", "-o", "y.xlsx"],
        ),
        # a value of the command's own option stays a value, even when it reads "--db"
        (
            ["export", "works", "-o", "--db", "--db", "x"],
            ["--db", "x", "export", "works", "-o", "--db"],
        ),
        # between a command group and its command
        (["export", "--db", "x", "works", "-o", "y"], ["--db", "x", "export", "works", "-o", "y"]),
        # nothing after "--" moves
        (["status", "--", "--db", "x"], ["status", "--", "--db", "x"]),
        # the same value twice is not a conflict
        (["--db", "x", "status", "--db", "x"], ["--db", "x", "--db", "x", "status"]),
        # nothing to move, or nothing click would take: left alone
        (["--db", "x", "status"], ["--db", "x", "status"]),
        (["no-such-command", "--db", "x"], ["no-such-command", "--db", "x"]),
        (["status", "--db"], ["status", "--db"]),
    ],
)
def test_hoisting_global_options(argv: list[str], expected: list[str]) -> None:
    assert hoist_global_options(argv) == expected


def test_a_command_option_of_the_same_name_is_not_moved() -> None:
    import typer
    import typer.main

    app = typer.Typer()

    @app.callback()
    def root(db: str = typer.Option(None, "--db")) -> None:
        pass

    @app.command()
    def own(db: str = typer.Option(None, "--db")) -> None:
        pass

    @app.command()
    def other() -> None:
        pass

    group = typer.main.get_command(app)
    assert hoist_global_options(["own", "--db", "x"], group) == ["own", "--db", "x"]
    assert hoist_global_options(["other", "--db", "x"], group) == ["--db", "x", "other"]
