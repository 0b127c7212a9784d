"""MediaCrawler output: all six content tables (JSONL, CSV, JSON array, xlsx), comments, creators.

Comment tables in detail: ``test_mediacrawler_comments.py``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.helpers.database import count, one, post, rows, snapshots
from tests.helpers.real import IMPORT_FIXTURES as FIXTURES
from tracker.config import TrackerConfig
from tracker.imports.mediacrawler import detect_table, map_row, platform_from_path
from tracker.imports.service import import_paths

MC = FIXTURES / "mediacrawler"
T0 = datetime(2024, 9, 20, tzinfo=UTC)


@pytest.fixture
def imported(engine: Engine, config: TrackerConfig):
    return import_paths(engine, [MC], config=config)


def test_folder_of_all_tables(imported, engine: Engine) -> None:
    c = imported.counts
    assert {f.format for f in imported.files} == {"mediacrawler"}
    # 3 weibo + 2 douyin + 2 comments + 1 kuaishou + 2 bilibili + 1 creator + 3 zhihu + 2 xhs
    assert c.items_read == 16
    assert c.new == 11 and c.skipped == 0 and c.rejected == 2
    assert imported.comments == 2 and count(engine, "comment") == 2  # the Douyin comment table
    assert imported.platforms == {
        "weibo": 2,
        "douyin": 2,
        "kuaishou": 1,
        "bilibili": 2,
        "zhihu": 2,
        "xiaohongshu": 2,
    }
    assert count(engine, "post", "source = 'import'") == 11
    rejects = {Path(r["location"]).name: r["reason"] for r in rows(engine, "SELECT * FROM reject")}
    assert rejects["search_contents_2024-09-15.jsonl:3:74"].startswith("JSON 格式错误")
    assert "pin" in rejects["search_contents_2024-09-15.jsonl:3"]


def test_weibo_note(imported, engine: Engine) -> None:
    masked = post(engine, "weibo", "5078123456789012")
    assert (masked["likes"], masked["comments"], masked["shares"]) == (12000, 356, 88)  # "1.2万"
    assert masked["views"] is None and masked["favorites"] is None
    assert masked["published_at"].startswith("2024-09-14 02:00:00")  # create_time 1726279200
    assert masked["last_collected_at"].startswith("2024-09-14 08:00:00")  # last_modify_ts
    assert masked["account_uid"] is None  # creator_hash is not a platform id
    assert masked["context"]["mediacrawler_creator_hash"] == "4b1f0c9e7a2d"
    assert masked["context"]["author_name"] == "科普**"
    assert masked["text"] == "#千万IP创科普# 秋分到了，一起来看看昼夜平分背后的天文知识"
    assert count(engine, "post_campaign", "platform_post_id = '5078123456789012'") == 1
    older = post(engine, "weibo", "5078123456789999")
    assert older["account_uid"] == "1959830294"
    assert (
        one(engine, "SELECT name FROM account WHERE platform_uid = '1959830294'")["name"] == "汪有"
    )
    (snap,) = snapshots(engine, "weibo", "5078123456789999")
    assert snap["likes"] == 523 and snap["source"] == "import"


def test_douyin_aweme_csv(imported, engine: Engine) -> None:
    video = post(engine, "douyin", "7414000000000000001")
    assert (video["likes"], video["comments"], video["shares"], video["favorites"]) == (
        34000,
        1203,
        856,
        2401,
    )
    assert video["content_type"] == "video" and video["views"] is None
    assert video["text"] == "显微镜下的一滴水 #千万IP创科普#" and video["title"] is None
    note = post(engine, "douyin", "7414000000000000002")
    assert note["content_type"] == "image"  # aweme_type 68
    assert note["hashtags"] == ["#千万IP创科普#", "#科普"]
    assert count(engine, "post", "platform_post_id LIKE '74141%'") == 0  # comment ids
    masked = one(engine, "SELECT * FROM comment WHERE platform_comment_id = '7414100000000000001'")
    assert masked["platform_post_id"] == "7414000000000000001" and masked["likes"] == 15
    assert masked["commenter_uid"] is None and masked["commenter_name"] == "网友**"  # no real id


def test_kuaishou_video_json_array(imported, engine: Engine) -> None:
    video = post(engine, "kuaishou", "3xk5mnw2abc4def")
    assert (video["views"], video["likes"]) == (86000, 2356)  # viewd_count "8.6万"
    assert video["comments"] is None and video["shares"] is None
    assert video["published_at"].startswith("2024-09-13 04:00:00")  # ms timestamp
    assert video["account_uid"] == "3xuserabc123"


def test_bilibili_video_aid_becomes_bvid_and_creator_followers(imported, engine: Engine) -> None:
    video = post(engine, "bilibili", "BV117411r7R1")  # video_id 85440373 is its aid
    assert (
        video["views"],
        video["likes"],
        video["comments"],
        video["shares"],
        video["favorites"],
    ) == (
        2404179,
        161270,
        2676,
        9620,
        58329,
    )
    assert video["context"]["aid"] == "85440373"
    blank = post(engine, "bilibili", "BV1KJ411C7Un")
    assert blank["likes"] is None and blank["shares"] is None and blank["views"] == 2915520
    up = one(engine, "SELECT * FROM account WHERE platform='bilibili' AND platform_uid='66606350'")
    assert up["followers"] == 812345 and up["name"] == "陈楒潼桶桶桶"


def test_zhihu_content(imported, engine: Engine) -> None:
    answer = post(engine, "zhihu", "3600001234")
    assert answer["content_type"] == "answer" and answer["account_uid"] == "kepu-laoshi"
    assert (answer["likes"], answer["comments"]) == (1520, 86)
    assert answer["context"]["question_id"] == "650001234"
    assert answer["text"].startswith("因为空气中的水滴") and "<p>" not in answer["text"]
    article = post(engine, "zhihu", "720001234")
    assert article["content_type"] == "article" and article["likes"] == 31000


def test_xhs_note_csv(imported, engine: Engine) -> None:
    note = post(engine, "xiaohongshu", "66e5a1b2000000001e02c3d4")
    assert (note["likes"], note["favorites"], note["comments"], note["shares"]) == (
        11000,
        2345,
        178,
        96,
    )
    assert note["content_type"] == "image"
    assert note["context"]["xsec_token"] == "ABcd123"
    assert note["published_at"].startswith("2024-09-14 07:46:40")  # time 1726300000000 ms
    assert note["hashtags"] == ["千万IP创科普", "小实验"]
    video = post(engine, "xiaohongshu", "66e5a1b2000000001e02c3d5")
    assert video["content_type"] == "video" and video["text"] is None


def test_mappings_are_pure_and_strict() -> None:
    row = {"aweme_id": "7", "desc": "x", "liked_count": "很多", "last_modify_ts": 1726391000000}
    with pytest.raises(ValueError, match="liked_count"):
        map_row("douyin_aweme", row, fallback_time=T0)
    ok = map_row("douyin_aweme", {"aweme_id": "7", "desc": "x"}, fallback_time=T0)
    assert ok.post is not None and ok.post.captured_at == T0 and ok.account is None
    with pytest.raises(ValueError, match="平台"):
        map_row("creator", {"user_id": "1", "fans": "10"}, fallback_time=T0)
    creator = map_row(
        "creator", {"user_id": "1", "fans": "1.5万"}, fallback_time=T0, platform="douyin"
    )
    assert creator.account is not None and creator.account.followers == 15000


def test_tables_are_told_apart_by_columns() -> None:
    assert detect_table(["note_id", "content", "comments_count", "shared_count"]) == "weibo_note"
    assert detect_table(["note_id", "title", "collected_count", "xsec_token"]) == "xhs_note"
    assert detect_table(["video_id", "viewd_count"]) == "kuaishou_video"
    assert detect_table(["video_id", "video_play_count", "video_coin_count"]) == "bilibili_video"
    assert detect_table(["content_id", "content_type", "voteup_count"]) == "zhihu_content"
    assert detect_table(["aweme_id", "liked_count"]) == "douyin_aweme"
    assert detect_table(["comment_id", "aweme_id", "content"]) == "comment"
    assert detect_table(["user_id", "nickname", "fans"]) == "creator"
    assert detect_table(["foo", "bar"]) is None
    assert platform_from_path(Path("data/xhs/jsonl/creator_creators_2024.jsonl")) == "xiaohongshu"


def test_excel_export_with_contents_and_comments(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    contents = wb.active
    contents.title = "Contents"
    contents.append(
        [
            "note_id",
            "type",
            "title",
            "desc",
            "time",
            "liked_count",
            "collected_count",
            "comment_count",
            "share_count",
            "note_url",
            "last_modify_ts",
        ]
    )
    contents.append(
        [
            "66e5a1b2000000001e02c3e0",
            "normal",
            "标题",
            "正文 #千万IP创科普#",
            1726300000000,
            "10",
            "2",
            "1",
            "0",
            "https://www.xiaohongshu.com/explore/66e5a1b2000000001e02c3e0",
            1726395000000,
        ]
    )
    comments = wb.create_sheet("Comments")
    comments.append(["comment_id", "note_id", "content", "like_count"])
    comments.append(["c1", "66e5a1b2000000001e02c3e0", "好", 1])
    path = tmp_path / "xhs_export.xlsx"
    wb.save(path)
    report = import_paths(engine, [path], config=config)
    assert report.files[0].format == "mediacrawler"
    assert report.counts.new == 1 and report.counts.skipped == 0 and report.comments == 1
    assert post(engine, "xiaohongshu", "66e5a1b2000000001e02c3e0")["likes"] == 10
