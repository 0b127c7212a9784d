"""The README's first command: ``tracker demo`` on a fresh directory, end to end."""

from __future__ import annotations

import json
import shutil
import sqlite3
from html import escape as html_escape
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tracker.cli import main
from tracker.config import checkout_config_path
from tracker.sim.names import XSS_PAYLOAD

from ..helpers.cli import Finished, run_here
from ..helpers.demo import demo_console, demo_copy

REPO_ROOT = Path(__file__).resolve().parents[2]
LIVE = {"weibo", "bilibili", "zhihu", "douyin", "kuaishou", "xiaohongshu"}
ARTICLE_SITES = {"kepuchina", "xuexi", "qqnews"}  # join through units' submission lists
HOSTILE = ("<", "onerror", "javascript:", "&lt;")
NOT_FOUND = "找不到配置文件 (config file not found)"
FALLBACK_LINE = "使用项目自带的配置文件："


def _tracker(args: list[str], cwd: Path, **env: str) -> Finished:
    """``tracker ARGS`` in ``cwd`` with no ``TRACKER_*`` from the caller's shell (in this
    process, see ``helpers.cli``)."""
    return run_here(args, cwd, env)


def test_demo_writes_report_workbooks_and_a_database_from_every_door(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # The README's command, ``tracker demo --out out --scale 40`` in a folder holding the
    # repository's config/, as run once per test process for every module that reads a demo.
    root = demo_copy(tmp_path_factory, "readme-demo")
    stdout = demo_console(root)
    out = root / "out"
    assert "演示完成" in stdout and "report.html" in stdout

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
        texts = [
            (title or "") + "\n" + (text or "")
            for title, text in db.execute("SELECT title, text FROM post")
        ]
    # The demo looks like the campaign: only its platforms, no hostile test strings.
    assert platforms == LIVE | ARTICLE_SITES  # no TikTok sample in a campaign without TikTok
    assert {"live", "submission"} <= sources and "capture" not in sources
    assert texts and not [t for t in texts if any(h in t for h in HOSTILE)]
    assert "onerror=alert" not in html and html_escape(XSS_PAYLOAD) not in html
    assert "TikTok" not in stdout
    assert refreshed > 0  # the refresh a virtual day later appended snapshots
    assert {"collect", "import", "refresh"} <= runs


def test_demo_from_a_directory_without_config_uses_the_checkout_config(tmp_path: Path) -> None:
    checkout_config = REPO_ROOT / "config"
    config_files = sorted(p.name for p in checkout_config.iterdir())
    result = _tracker(["demo", "--scale", "40"], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stdout.splitlines() if FALLBACK_LINE in line]
    assert lines == [
        f"当前目录下没有 config/campaign.toml，{FALLBACK_LINE}{checkout_config / 'campaign.toml'}"
    ]
    # The default --out stays relative to where it was run, not to the config it found.
    out = tmp_path / "demo-output"
    for name in ("tracker.db", "report.html", "summary.json", "units.csv", "优质作品.xlsx"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["database"] == str(Path("demo-output") / "tracker.db")  # relative to cwd
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo-output"]
    assert sorted(p.name for p in checkout_config.iterdir()) == config_files


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--config", "missing.toml", "demo"], {}),
        (["demo"], {"TRACKER_CONFIG": "missing.toml"}),
    ],
    ids=["--config", "TRACKER_CONFIG"],
)
def test_demo_keeps_the_not_found_error_for_a_config_it_was_given(
    tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    result = _tracker([*args, "--scale", "40"], tmp_path, **env)
    assert result.returncode == 1
    assert NOT_FOUND in result.stderr and str(tmp_path / "missing.toml") in result.stderr
    assert FALLBACK_LINE not in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_demo_keeps_the_not_found_error_without_a_checkout_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An installed wheel has no ``config/`` beside the package: today's error stands."""
    assert checkout_config_path(tmp_path) is None
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    monkeypatch.setattr("tracker.config.checkout_config_path", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--scale", "40"])
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert NOT_FOUND in captured.err and "--config" in captured.err
    assert FALLBACK_LINE not in captured.out
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [["config", "check"], ["init"]], ids=["config-check", "init"])
def test_other_commands_do_not_fall_back_to_the_checkout_config(
    tmp_path: Path, args: list[str]
) -> None:
    result = _tracker(args, tmp_path)
    assert result.returncode == 1
    assert NOT_FOUND in result.stderr
    assert str(tmp_path / "config" / "campaign.toml") in result.stderr
    assert "--config" in result.stderr and "TRACKER_CONFIG" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # init wrote no database


def test_demo_imports_the_tiktok_capture_only_for_a_campaign_with_tiktok(tmp_path: Path) -> None:
    """The shipped Zeeschuimer capture is TikTok: shown only when the campaign lists TikTok."""
    from dashboards.report_build import build_report
    from tracker.config import load_config
    from tracker.services.demo import run_demo

    config_dir = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config_dir)
    toml = config_dir / "campaign.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + '\n[platforms.tiktok]\nenabled = true\nbase_url = "https://www.tiktok.com"\n',
        encoding="utf-8",
    )
    summary = run_demo(load_config(toml), tmp_path / "out", write_report=build_report, scale=10)
    assert "tiktok" in summary.per_platform
    assert any(step.startswith("导入") and "抓包" in result for step, result, _ in summary.steps)
