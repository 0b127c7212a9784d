"""MediaCrawler comment tables into the comment table: Weibo JSONL, Douyin CSV, Xiaohongshu JSON
(hand-built files in ``tests/fixtures/imports/mediacrawler-comments``), the other three
platforms' layouts row by row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.helpers.database import count, one, rows, run_rows
from tests.helpers.real import IMPORT_FIXTURES
from tracker.config import TrackerConfig
from tracker.imports.mediacrawler import COMMENT_TABLE, map_row
from tracker.imports.service import ImportReport, import_paths

COMMENTS = IMPORT_FIXTURES / "mediacrawler-comments"
T0 = datetime(2024, 9, 20, tzinfo=UTC)


@pytest.fixture
def imported(engine: Engine, config: TrackerConfig) -> ImportReport:
    return import_paths(engine, [COMMENTS], config=config)


def _comment(engine: Engine, platform: str, cid: str) -> dict[str, Any]:
    return one(
        engine,
        "SELECT * FROM comment WHERE platform = :p AND platform_comment_id = :c",
        p=platform,
        c=cid,
    )


def test_the_files_import_as_comments_not_skipped(imported: ImportReport, engine: Engine) -> None:
    c = imported.counts
    # rows: 5 Weibo (one a second capture, one without its work) + 3 Douyin + 2 Xiaohongshu
    assert (c.items_read, c.skipped, c.rejected, c.new) == (10, 0, 1, 0)
    assert (imported.comments, imported.comments_new) == (9, 8)
    assert imported.exit_code == 0 and imported.status == "ok"
    by_file = {f.path.rsplit("/", 3)[-3]: f.comments for f in imported.files}
    assert by_file == {"weibo": 4, "douyin": 3, "xhs": 2}
    assert count(engine, "comment") == 8
    assert count(engine, "comment", "source = 'import'") == 8
    assert count(engine, "post") == 0  # a comment is never a work
    (run,) = run_rows(engine)
    assert (run["detail"]["comments"], run["detail"]["comments_new"]) == (9, 8)
    (reject,) = rows(engine, "SELECT * FROM reject")
    assert reject["location"].endswith("search_comments_2024-09-16.jsonl:5")
    assert "note_id" in reject["reason"] and reject["platform"] == "weibo"


def test_weibo_comments(imported: ImportReport, engine: Engine) -> None:
    top = _comment(engine, "weibo", "5078200000000001")
    assert top["platform_post_id"] == "5078123456789999"
    assert top["parent_comment_id"] is None  # rootid is the comment's own id
    assert (top["likes"], top["reply_count"]) == (35, 2)  # the later capture of the file
    assert top["first_seen_at"].startswith("2024-09-15 06:00:00")  # last_modify_ts, first row
    assert top["last_seen_at"].startswith("2024-09-16 06:00:00")
    assert top["published_at"].startswith("2024-09-15 04:00:00")  # create_time 1726372800
    assert (top["commenter_uid"], top["commenter_name"]) == ("6001000001", "广州科普君")
    reply = _comment(engine, "weibo", "5078200000000002")
    assert (reply["parent_comment_id"], reply["root_comment_id"]) == (
        "5078200000000001",
        "5078200000000001",
    )
    tagged = _comment(engine, "weibo", "5078200000000003")
    assert tagged["hashtags"] == '["#千万IP创科普#"]' and tagged["platform_post_id"] == (
        "5078100000009999"
    )
    account = one(
        engine, "SELECT * FROM account WHERE platform='weibo' AND platform_uid='6001000001'"
    )
    assert account["name"] == "广州科普君" and account["url"] == "https://weibo.com/u/6001000001"


def test_douyin_comments(imported: ImportReport, engine: Engine) -> None:
    top = _comment(engine, "douyin", "7415000000000000001")
    assert (top["platform_post_id"], top["commenter_uid"], top["likes"], top["reply_count"]) == (
        "7414000000000000001",
        "88000000001",
        20,
        1,
    )
    assert top["parent_comment_id"] is None  # "0"
    reply = _comment(engine, "douyin", "7415000000000000002")
    assert (reply["parent_comment_id"], reply["root_comment_id"]) == (
        "7415000000000000001",
        "7415000000000000001",
    )
    assert _comment(engine, "douyin", "7415000000000000003")["likes"] == 11000
    account = one(
        engine, "SELECT * FROM account WHERE platform='douyin' AND platform_uid='88000000001'"
    )
    assert account["url"] == "https://www.douyin.com/user/MS4wLjABAAAAkepugz001"


def test_xiaohongshu_comments(imported: ImportReport, engine: Engine) -> None:
    top = _comment(engine, "xiaohongshu", "66e6b0c1000000001f00a001")
    assert top["published_at"].startswith("2024-09-15 07:00:00")  # create_time in ms
    assert (top["likes"], top["reply_count"], top["parent_comment_id"]) == (5, 1, None)
    assert top["text"] == "收藏了，周末带孩子试试[赞R]"
    reply = _comment(engine, "xiaohongshu", "66e6b0c1000000001f00a002")
    assert reply["parent_comment_id"] == "66e6b0c1000000001f00a001"
    assert reply["root_comment_id"] is None  # MediaCrawler's row does not say the thread's root
    assert count(engine, "account", "platform = 'xiaohongshu'") == 2


def test_importing_again_changes_nothing(
    imported: ImportReport, engine: Engine, config: TrackerConfig
) -> None:
    before = rows(engine, "SELECT * FROM comment ORDER BY platform, platform_comment_id")
    again = import_paths(engine, [COMMENTS], config=config)
    assert (again.comments, again.comments_new) == (9, 0)
    assert rows(engine, "SELECT * FROM comment ORDER BY platform, platform_comment_id") == before


def test_a_comment_file_beside_the_contents_reaches_stored_works(
    engine: Engine, config: TrackerConfig
) -> None:
    report = import_paths(
        engine, [COMMENTS / "weibo", IMPORT_FIXTURES / "mediacrawler" / "weibo"], config=config
    )
    assert report.counts.new == 2 and report.comments == 4
    on_stored = count(
        engine,
        "comment c",
        "EXISTS (SELECT 1 FROM post p WHERE p.platform = c.platform "
        "AND p.platform_post_id = c.platform_post_id)",
    )
    assert on_stored == 2  # the tagged one is on a work the folder does not hold


def test_dry_run_counts_comments_and_writes_nothing(engine: Engine, config: TrackerConfig) -> None:
    report = import_paths(engine, [COMMENTS], config=config, dry_run=True)
    assert (report.comments, report.comments_new) == (9, 0)
    assert count(engine, "comment") == 0


@pytest.mark.parametrize(
    ("hint", "row", "expected"),
    [
        (
            "kuaishou",
            {  # store/kuaishou/__init__.py update_ks_video_comment
                "comment_id": "912345",
                "create_time": 1726383600000,
                "video_id": "3xk5mnw2abc4def",
                "content": "讲得清楚",
                "user_id": "3xuserabc999",
                "nickname": "快手观众",
                "avatar": "",
                "sub_comment_count": "4",
                "last_modify_ts": 1726390000000,
            },
            ("kuaishou", "3xk5mnw2abc4def", "3xuserabc999", None, None, 4),
        ),
        (
            None,  # told by its columns and the numeric aid
            {  # store/bilibili/__init__.py update_bilibili_video_comment
                "comment_id": "230000000001",
                "parent_comment_id": "230000000000",
                "create_time": 1726383600,
                "video_id": "85440373",
                "content": "UP 主辛苦了",
                "user_id": 12345,
                "nickname": "B站网友",
                "sex": "保密",
                "sign": "",
                "avatar": "",
                "sub_comment_count": "0",
                "like_count": 7,
                "last_modify_ts": 1726390000000,
            },
            ("bilibili", "BV117411r7R1", "12345", "230000000000", 7, 0),
        ),
        (
            "zhihu",
            {  # model/m_zhihu.py ZhihuComment
                "comment_id": "10800000001",
                "parent_comment_id": "",
                "content": "<p>补充一点</p>",
                "publish_time": 1726383600,
                "ip_location": "广东",
                "sub_comment_count": 2,
                "like_count": 9,
                "dislike_count": 0,
                "content_id": "3600001234",
                "content_type": "answer",
                "user_id": "a1b2c3d4e5f6",
                "user_link": "https://www.zhihu.com/people/kepu-abc",
                "user_nickname": "科普老师",
                "user_avatar": "",
                "last_modify_ts": 1726390000000,
            },
            ("zhihu", "3600001234", "kepu-abc", None, 9, 2),
        ),
    ],
)
def test_other_platforms_layouts(
    hint: str | None, row: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    mapped = map_row(COMMENT_TABLE, row, fallback_time=T0, platform=hint)
    c = mapped.comment
    assert c is not None and mapped.post is None
    got = (c.platform, c.platform_post_id, c.commenter_uid, c.parent_comment_id, c.likes)
    assert (*got, c.reply_count) == expected
    assert c.published_at == datetime(2024, 9, 15, 7, 0, tzinfo=UTC)
    assert mapped.account is not None and mapped.account.platform_uid == expected[2]


def test_bad_comment_rows_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="平台"):
        map_row(COMMENT_TABLE, {"comment_id": "1", "content": "?"}, fallback_time=T0)
    with pytest.raises(ValueError, match="comment_like_count"):
        map_row(
            COMMENT_TABLE,
            {"comment_id": "1", "note_id": "5078123456789999", "comment_like_count": "很多"},
            fallback_time=T0,
        )
    with pytest.raises(ValueError, match="aweme_id"):
        map_row(
            COMMENT_TABLE, {"comment_id": "1", "content": "x"}, fallback_time=T0, platform="douyin"
        )
