"""The import service as a whole: dry runs, runs, cross-source identity, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.helpers.cli import cli
from tests.helpers.config import CONFIG as CONFIG_PATH
from tests.helpers.config import REPO_ROOT as REPO
from tests.helpers.database import count, one, post, rows, snapshots
from tests.helpers.real import IMPORT_FIXTURES as FIXTURES
from tests.helpers.real import REAL
from tests.imports.har_builder import entry, write_har
from tests.imports.test_submissions import write_csv
from tracker.config import TrackerConfig
from tracker.errors import ImportFormatError, TrackerError
from tracker.imports.detect import detect_format
from tracker.imports.service import import_paths
from tracker.membership.page_store import PageStore

FEED = REAL / "zhihu" / "zhihu_api_v3_feed_topstory_recommend.json"
ANSWER_URL = "https://www.zhihu.com/question/49502870/answer/162040459"


def _tables(engine: Engine) -> dict[str, int]:
    names = ("post", "account", "metric_snapshot", "post_campaign", "run", "reject", "account_unit")
    return {n: count(engine, n) for n in names}


def test_dry_run_writes_nothing(tmp_path: Path, engine: Engine, config: TrackerConfig) -> None:
    before = _tables(engine)
    csv_path = write_csv(
        tmp_path / "list.csv",
        [["中山大学", "知乎", "科普老师", "x", ANSWER_URL, None, None, 10, None, None]],
        encoding="utf-8",
        header=[
            "单位",
            "平台",
            "作者/账号",
            "作品名称",
            "作品链接",
            "发布时间",
            "阅读量/播放量",
            "点赞",
            "评论",
            "转发",
        ],
    )
    paths = [REAL, FIXTURES / "mediacrawler", csv_path]
    report = import_paths(engine, paths, config=config, dry_run=True)
    assert report.dry_run and report.run_id is None
    # MediaCrawler's two Bilibili videos and the listed zhihu answer are among the real 203
    # (the Weibo long text in tests/fixtures/real completes a post, it is not one)
    assert report.counts.new == 203 + 11 - 2
    # 2 Bilibili error bodies and the Kuaishou comment page (tests/fixtures/real) + 2
    # MediaCrawler rows
    assert report.counts.rejected == 5
    assert _tables(engine) == before
    # the same import for real gives the same counts
    real = import_paths(engine, paths, config=config)
    assert (real.counts.new, real.counts.rejected, real.counts.items_read) == (
        report.counts.new,
        report.counts.rejected,
        report.counts.items_read,
    )
    # and a dry run now sees nothing new
    again = import_paths(engine, paths, config=config, dry_run=True)
    assert again.counts.new == 0


def test_dry_run_without_a_database(tmp_path: Path, config: TrackerConfig) -> None:
    report = import_paths(None, [FEED], config=config, dry_run=True)
    assert report.counts.new == 5
    with pytest.raises(TrackerError, match="--dry-run"):
        import_paths(None, [FEED], config=config)


def test_cli_dry_run_on_a_missing_database(tmp_path: Path) -> None:
    env = {**os.environ}
    env.pop("TRACKER_DATABASE_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker",
            "--db",
            str(tmp_path / "none.db"),
            "--config",
            str(CONFIG_PATH),
            "import",
            "--dry-run",
            "--format",
            "json",
            str(FEED),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["counts"]["new"] == 5
    assert "数据库不存在" in done.stderr
    assert not (tmp_path / "none.db").exists()


def test_same_work_from_capture_submission_and_live_is_one_post(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    # 1. a capture (HAR) at 2024-09-15 02:00 UTC
    har = write_har(
        tmp_path / "capture.har",
        [
            entry(
                "https://www.zhihu.com/api/v3/feed/topstory/recommend?page_number=3",
                json.loads(FEED.read_text()),
                started="2024-09-15T02:00:00.000Z",
            )
        ],
    )
    import_paths(engine, [har], config=config)
    # 2. the unit's submission of the same answer (file time 2024-09-20 04:00 UTC)
    listing = write_csv(
        tmp_path / "中山大学.csv",
        [
            [
                "中山大学",
                "知乎",
                "阿潘館長",
                "圈子里的小秘密 #千万IP创科普#",
                ANSWER_URL,
                None,
                "160万",
                "3.3万",
                1000,
                None,
            ]
        ],
        encoding="gbk",
        header=[
            "单位",
            "平台",
            "作者/账号",
            "作品名称",
            "作品链接",
            "发布时间",
            "阅读量/播放量",
            "点赞",
            "评论",
            "转发",
        ],
    )
    sub = import_paths(engine, [listing], config=config)
    assert sub.counts.new == 0 and sub.counts.updated == 1
    reported = post(engine, "zhihu", "162040459")
    assert reported["source"] == "submission" and reported["likes"] == 33000
    assert reported["context"]["reported_by_unit"] == "中山大学"
    assert reported["account_uid"] == "apanguanzhang"  # kept from the capture
    # 3. a live run at 2024-09-21 00:00 UTC through the same ingest service
    from connectors.zhihu.parse import parse_feed

    live_at = datetime(2024, 9, 21, tzinfo=UTC)
    page = parse_feed(json.loads(FEED.read_text()), captured_at=live_at, source="live")
    with engine.begin() as conn:
        PageStore.for_connection(conn, config.campaigns, source="live", run_id=None).store(
            conn, page, seen_at=live_at
        )
    assert count(engine, "post", "platform='zhihu' AND platform_post_id='162040459'") == 1
    snaps = snapshots(engine, "zhihu", "162040459")
    assert [s["source"] for s in snaps] == ["capture", "submission", "live"]
    assert [s["likes"] for s in snaps] == [32116, 33000, 32116]
    assert snaps[1]["views"] == 1600000
    row = post(engine, "zhihu", "162040459")
    assert row["source"] == "live" and row["account_uid"] == "apanguanzhang"
    # one campaign link; the title carries the tag, so the tag match is the one kept
    link = one(engine, "SELECT matched_by FROM post_campaign WHERE platform_post_id='162040459'")
    assert link["matched_by"] == "tag"
    # the unit's row named no account; the capture had: the account is now the unit's
    unit = one(
        engine,
        "SELECT u.name FROM account_unit au JOIN unit u ON u.id = au.unit_id "
        "WHERE au.platform='zhihu' AND au.platform_uid='apanguanzhang'",
    )
    assert unit["name"] == "中山大学"


def test_runs_record_counts_and_files(engine: Engine, config: TrackerConfig) -> None:
    report = import_paths(engine, [FIXTURES / "mediacrawler"], config=config)
    run = one(engine, "SELECT * FROM run WHERE id = :i", i=report.run_id)
    assert run["kind"] == "import" and run["status"] == "ok"
    assert (run["items_read"], run["new"], run["updated"], run["rejected"], run["skipped"]) == (
        16,
        11,
        0,
        2,
        0,  # the two Douyin comment rows are comments now, not skipped
    )
    detail = json.loads(run["detail"])
    assert len(detail["files"]) == 8 and detail["campaign_posts"] == 9
    assert (detail["comments"], detail["comments_new"]) == (2, 2)
    rejects = rows(engine, "SELECT run_id, source FROM reject")
    assert {(r["run_id"], r["source"]) for r in rejects} == {(report.run_id, "import:mediacrawler")}


def test_single_platform_run_is_labelled(engine: Engine, config: TrackerConfig) -> None:
    report = import_paths(engine, [FEED], config=config)
    assert (
        one(engine, "SELECT platform FROM run WHERE id = :i", i=report.run_id)["platform"]
        == "zhihu"
    )


def test_unknown_format_and_bad_options(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("这不是导入文件\n只是一些笔记\n", encoding="utf-8")
    # one unreadable file among good ones is skipped and reported, not the end of the import
    mixed = import_paths(engine, [odd, FEED], config=config)
    (skipped,) = mixed.failed_files
    assert skipped.path == str(odd) and "无法识别的文件格式" in (skipped.error or "")
    assert mixed.status == "partial" and mixed.exit_code == 3
    with pytest.raises(ImportFormatError) as info:  # nothing importable: an error, no run
        import_paths(engine, [odd], config=config)
    assert str(odd) in str(info.value) and "无法识别的文件格式" in str(info.value)
    assert count(engine, "run") == 1
    with pytest.raises(ImportFormatError, match="找不到文件"):
        import_paths(engine, [tmp_path / "missing.har"], config=config)
    with pytest.raises(TrackerError, match="未知平台"):
        import_paths(engine, [FEED], config=config, platform="wechat")
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    with pytest.raises(ImportFormatError, match="文件是空的"):
        detect_format(empty)


def test_broken_json_body_names_line_and_column(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    broken = tmp_path / "saved.json"
    broken.write_text('{\n  "ok": 1,\n  "data": {"user": }\n}\n', encoding="utf-8")
    result = cli(db_url, "import", str(broken))
    assert result.exit_code == 1
    assert f"{broken}:3:20: JSON 格式错误" in result.stderr
    assert one(engine, "SELECT status FROM run")["status"] == "failed"


def test_cli_subprocess_end_to_end(tmp_path: Path, config: TrackerConfig) -> None:
    """The real console entry point (``python -m tracker import``) into a SQLite file."""
    from tracker.services.database import init_database
    from tracker.store.engine import make_engine

    env = {**os.environ}
    env.pop("TRACKER_DATABASE_URL", None)
    db = tmp_path / "t.db"
    init_database(f"sqlite:///{db}", config, [])
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker",
            "--db",
            str(db),
            "--config",
            str(CONFIG_PATH),
            "import",
            str(REAL / "zeeschuimer" / "tiktok-test.ndjson"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "新作品 96" in done.stdout and "TikTok 96" in done.stdout
    engine = make_engine(f"sqlite:///{db}")
    try:
        assert count(engine, "post", "platform = 'tiktok' AND source = 'capture'") == 96
        assert one(engine, "SELECT status, new FROM run") == {"status": "ok", "new": 96}
    finally:
        engine.dispose()


def test_capture_and_submission_on_any_database(
    any_engine: Engine, tmp_path: Path, config: TrackerConfig
) -> None:
    """The same import on SQLite and, when configured, PostgreSQL."""
    from tracker.services.database import campaign_rows
    from tracker.store.registry import sync_campaigns

    with any_engine.begin() as conn:
        sync_campaigns(conn, campaign_rows(config.campaigns))
    har = write_har(
        tmp_path / "capture.har",
        [
            entry(
                "https://www.zhihu.com/api/v3/feed/topstory/recommend",
                json.loads(FEED.read_text()),
                started="2024-09-15T02:00:00Z",
            )
        ],
    )
    listing = write_csv(
        tmp_path / "list.csv",
        [["中山大学", ANSWER_URL, "3.3万"]],
        encoding="utf-8",
        header=["单位", "作品链接", "点赞"],
    )
    report = import_paths(any_engine, [har, listing], config=config)
    assert report.counts.new == 5 and report.counts.updated == 0  # new in this run: counted once
    assert [s["source"] for s in snapshots(any_engine, "zhihu", "162040459")] == [
        "capture",
        "submission",
    ]
    assert count(any_engine, "account_unit", "platform_uid = 'apanguanzhang'") == 1
