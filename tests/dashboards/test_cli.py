"""``tracker report``, ``tracker dashboard`` and ``tracker dashboard-passwd`` through the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("flask", reason="the dashboard extra is not installed")

from dashboards.auth import parse_users, verify_password  # noqa: E402

from ..helpers.cli import Finished, run_here  # noqa: E402
from .handmade import REPO_ROOT, XSS, build_handmade  # noqa: E402

TRACKER = [sys.executable, "-m", "tracker"]
CONFIG_ARGS = ["--config", str(REPO_ROOT / "config" / "campaign.toml")]


def run(args: list[str], cwd: Path) -> Finished:
    """``tracker --config CONFIG ARGS`` in this process (see ``helpers.cli``)."""
    return run_here([*CONFIG_ARGS, *args], cwd)


def run_process(
    args: list[str], cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The same as a real process: for a password read from a pipe, and for a server that
    must refuse to start (had it started, a process times out where this one would hang)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    return subprocess.run(
        [*TRACKER, *CONFIG_ARGS, *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, input=stdin,
    )  # fmt: skip


def test_report_command_writes_one_file(tmp_path: Path) -> None:
    engine, _ = build_handmade(tmp_path / "hand.db")
    engine.dispose()
    out = tmp_path / "out" / "报告.html"
    done = run(
        ["--db", str(tmp_path / "hand.db"), "report", "-o", str(out), "--date", "2024-09-02"],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "已生成报告" in done.stderr and "作品 3 件" in done.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and XSS not in page
    assert not (tmp_path / "out" / "报告.html.part").exists()


def test_report_command_rejects_a_bad_date(tmp_path: Path) -> None:
    engine, _ = build_handmade(tmp_path / "hand.db")
    engine.dispose()
    done = run(["--db", str(tmp_path / "hand.db"), "report", "--date", "9/2"], tmp_path)
    assert done.returncode == 1 and "--date 应写作 YYYY-MM-DD" in done.stderr


def test_report_command_city_report_and_unknown_city(tmp_path: Path) -> None:
    engine, _ = build_handmade(tmp_path / "hand.db")
    engine.dispose()
    db = ["--db", str(tmp_path / "hand.db")]
    out = tmp_path / "gz.html"
    done = run([*db, "report", "--city", "广州", "-o", str(out)], tmp_path)
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    for part in ("广州市各单位参与情况", 'id="weekly"', 'id="unreported-list"', "优秀作品"):
        assert part in page
    bad = run([*db, "report", "--city", "火星市", "-o", str(tmp_path / "x.html")], tmp_path)
    assert bad.returncode == 1
    lines = [ln for ln in bad.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and "未知城市 '火星市'" in lines[0] and "广州市" in lines[0]
    assert not (tmp_path / "x.html").exists()


def test_dashboard_refuses_a_public_bind_without_users(tmp_path: Path) -> None:
    engine, _ = build_handmade(tmp_path / "hand.db")
    engine.dispose()
    done = run_process(
        ["--db", str(tmp_path / "hand.db"), "dashboard", "--host", "0.0.0.0"], tmp_path
    )
    assert done.returncode == 1
    assert "必须配置登录用户" in done.stderr


def test_dashboard_passwd_prints_a_verifiable_line(tmp_path: Path) -> None:
    done = run_process(["dashboard-passwd", "lisi"], tmp_path, "long-password\nlong-password\n")
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip().splitlines()[-1]
    users = parse_users(line)
    assert list(users) == ["lisi"] and verify_password("long-password", users["lisi"])
    short = run_process(["dashboard-passwd", "lisi"], tmp_path, "short\nshort\n")
    assert short.returncode == 1 and "至少 8 位" in short.stderr


def test_report_print_cities_writes_one_page_per_city(tmp_path: Path) -> None:
    engine, _ = build_handmade(tmp_path / "hand.db")
    engine.dispose()
    db = ["--db", str(tmp_path / "hand.db")]
    out = tmp_path / "各市简报.html"
    done = run([*db, "report", "--print-cities", "-o", str(out)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "已生成各市简报" in done.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count('<section class="city-page"') >= 1 and XSS not in page
    one = tmp_path / "gz.html"
    done = run([*db, "report", "--print-cities", "--city", "广州", "-o", str(one)], tmp_path)
    assert done.returncode == 0, done.stderr
    page = one.read_text(encoding="utf-8")
    assert page.count('<section class="city-page"') == 1 and "第 1 页 / 共 1 页" in page
    helped = run(["report", "--help"], tmp_path)
    assert "--print-cities" in helped.stdout and "--city" in helped.stdout
