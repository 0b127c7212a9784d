"""End to end through the console script: init, status, config check, export posts.

The first test starts real processes (the entry point, the default database path under the
working folder); the others run the same command line in this process (``helpers.cli``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker.records import AccountRecord, CampaignLink, Metrics, PostRecord
from tracker.store.engine import make_engine
from tracker.store.registry import campaign_ids
from tracker.store.upsert import Ingestor

from ..helpers.cli import Finished, run_here

REPO_ROOT = Path(__file__).resolve().parents[2]
TRACKER = [sys.executable, "-m", "tracker"]


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env}
    full_env.pop("TRACKER_DATABASE_URL", None)
    return subprocess.run(
        [*TRACKER, *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120
    )


def here(args: list[str], cwd: Path) -> Finished:
    """``tracker ARGS`` in this process, without ``TRACKER_*`` variables."""
    return run_here(args, cwd)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(REPO_ROOT / "config", tmp_path / "config")
    return tmp_path


def test_init_then_status_on_default_database(workdir: Path) -> None:
    first = run(["init"], workdir)
    assert first.returncode == 0, first.stderr
    assert "已创建数据库" in first.stdout
    assert (workdir / "data" / "tracker.db").exists()
    again = run(["init"], workdir)
    assert "数据库已是最新" in again.stdout
    status = run(["status", "--format", "json"], workdir)
    assert status.returncode == 0, status.stderr
    body = json.loads(status.stdout)
    assert body["totals"] == {"posts": 0, "campaign_posts": 0, "accounts": 0, "rejects": 0}


def test_status_without_database_is_one_clear_line(workdir: Path) -> None:
    result = here(["--db", str(workdir / "missing.db"), "status"], workdir)
    assert result.returncode == 1
    assert "tracker init" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_config_is_reported_with_line(workdir: Path) -> None:
    cfg = workdir / "config" / "campaign.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8").replace("rate_per_s = 0.5", 'rate_per_s = "x"', 1),
        encoding="utf-8",
    )
    result = here(["config", "check"], workdir)
    assert result.returncode == 1
    assert "campaign.toml:" in result.stderr and "platforms.weibo.rate_per_s" in result.stderr
    assert "Traceback" not in result.stderr


def test_export_posts_jsonl(workdir: Path) -> None:
    db = workdir / "t.db"
    assert here(["--db", str(db), "init"], workdir).returncode == 0
    engine = make_engine(f"sqlite:///{db}")
    captured = datetime(2024, 9, 15, 4, 0, tzinfo=UTC)
    posts = [
        PostRecord(
            "weibo",
            "4998877665544332211",
            captured,
            account_uid="1959830294",
            title="科普：为什么天是蓝的",
            published_at=datetime(2024, 9, 14, 2, 0, tzinfo=UTC),
            hashtags=["#千万IP创科普#"],
            metrics=Metrics(likes=120, comments=30, shares=5),
        ),
        PostRecord("bilibili", "BV117411r7R1", captured, metrics=Metrics(views=1000)),
    ]
    with engine.begin() as conn:
        ids = campaign_ids(conn)
        Ingestor(conn).ingest(
            posts=posts,
            accounts=[AccountRecord("weibo", "1959830294", name="科普博主", followers=1520885)],
            links=[CampaignLink("weibo", "4998877665544332211", "千万IP创科普2024")],
            campaign_ids=ids,
        )
    engine.dispose()
    result = here(["--db", str(db), "export", "posts", "--format", "jsonl", "-o", "-"], workdir)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["platform_post_id"] for x in lines] == ["BV117411r7R1", "4998877665544332211"]
    weibo = lines[1]
    assert weibo["account_name"] == "科普博主"
    assert weibo["published_at"] == "2024-09-14T02:00:00+00:00"
    assert weibo["metrics"] == {
        "views": None,
        "likes": 120,
        "comments": 30,
        "shares": 5,
        "favorites": None,
    }
    assert weibo["campaigns"] == ["千万IP创科普2024"]
    assert weibo["hashtags"] == ["#千万IP创科普#"]
    assert lines[0]["campaigns"] == []
    out = workdir / "out" / "posts.jsonl"
    result = here(["--db", str(db), "export", "posts", "-o", str(out)], workdir)
    assert result.returncode == 0 and len(out.read_text(encoding="utf-8").splitlines()) == 2
