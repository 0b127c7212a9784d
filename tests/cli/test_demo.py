"""The README's first command: ``tracker demo`` on a fresh directory, end to end."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

REPO_ROOT = Path(__file__).resolve().parents[2]
LIVE = {"weibo", "bilibili", "zhihu", "douyin", "kuaishou", "xiaohongshu"}


def test_demo_writes_report_workbooks_and_a_database_from_every_door(tmp_path: Path) -> None:
    shutil.copytree(REPO_ROOT / "config", tmp_path / "config")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    result = subprocess.run(
        [sys.executable, "-m", "tracker", "demo", "--out", "out", "--scale", "40"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = tmp_path / "out"
    assert "演示完成" in result.stdout and "report.html" in result.stdout

    html = (out / "report.html").read_text(encoding="utf-8")
    # Self-contained: plotly.js inlined (several MB), no script loaded from anywhere.
    assert len(html) > 3_000_000 and "<script src=" not in html
    for name in ("优质作品.xlsx", "创作者.xlsx", "组织单位.xlsx", "活动汇总.xlsx"):
        wb = load_workbook(out / name)
        assert wb.sheetnames[0] == "说明", name
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [s["step"] for s in summary["steps"]][0].startswith("采集")

    with sqlite3.connect(out / "tracker.db") as db:
        platforms = {p for (p,) in db.execute("SELECT DISTINCT platform FROM post")}
        sources = {s for (s,) in db.execute("SELECT DISTINCT source FROM metric_snapshot")}
        refreshed = db.execute(
            "SELECT count(*) FROM (SELECT platform, platform_post_id FROM metric_snapshot "
            "WHERE source = 'live' GROUP BY 1, 2 HAVING count(*) >= 2)"
        ).fetchone()[0]
        runs = {k for (k,) in db.execute("SELECT DISTINCT kind FROM run")}
    assert LIVE <= platforms
    assert {"tiktok", "kepuchina", "xuexi", "qqnews"} <= platforms  # capture + submissions
    assert {"live", "capture", "submission"} <= sources
    assert refreshed > 0  # the refresh a virtual day later appended snapshots
    assert {"collect", "import", "refresh"} <= runs
