"""Zeeschuimer NDJSON: Douyin (both item shapes), Xiaohongshu, TikTok; broken lines; times."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from tests.helpers.database import count, one, post, rows, snapshots
from tests.helpers.real import REAL
from tracker.config import TrackerConfig
from tracker.imports.service import import_paths
from tracker.imports.zeeschuimer import capture_time


def _douyin_xhr_item() -> dict:
    body = json.loads(
        (REAL / "douyin" / "tikhub_wrapped_app_general_search_v1_keyword_maomi.json").read_text()
    )
    return body["data"]["data"][0]["aweme_info"]  # a real snake_case aweme


def _douyin_embedded_item() -> dict:
    """An aweme as the Douyin page embeds it (camelCase), as Zeeschuimer stores it."""
    return {
        "awemeId": "7414000000000000009",
        "awemeType": 0,
        "desc": "水为什么是透明的？#千万IP创科普# #物理",
        "createTime": 1726279200,
        "authorInfo": {
            "uid": "98765432101",
            "secUid": "MS4wLjABAAAAembedded",
            "nickname": "物理小课堂",
            "followerCount": 123456,
            "customVerify": "科普创作者",
        },
        "stats": {
            "diggCount": 4321,
            "commentCount": 210,
            "shareCount": 98,
            "collectCount": 765,
            "playCount": 0,
        },
        "textExtra": [{"hashtagName": "千万IP创科普"}, {"hashtagName": "物理"}],
        "video": {"duration": 61000},
        "ZS_collected_from_embed": True,
    }


def _xhs_item() -> dict:
    body = json.loads(
        (REAL / "xhs" / "tikhub_wrapped_search_notes_keyword_chenpi.json").read_text()
    )
    return body["data"]["data"]["items"][1]


def _line(platform: str, item_id: str, data: dict, ts: int, **extra: object) -> str:
    envelope = {
        "id": 1,
        "nav_index": "1:1:0",
        "item_id": item_id,
        "timestamp_collected": ts,
        "source_platform": platform,
        "source_platform_url": f"https://www.{platform}/search?q=%E7%A7%91%E6%99%AE",
        "source_url": f"https://www.{platform}/api/whatever?msToken=secret",
        "user_agent": "Mozilla/5.0",
        "data": data,
        **extra,
    }
    return json.dumps(envelope, ensure_ascii=False)


def test_douyin_both_shapes_xiaohongshu_and_skips(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    xhr = _douyin_xhr_item()
    xhs = _xhs_item()
    lines = [
        _line("douyin.com", xhr["aweme_id"], xhr, 1726279200000),
        _line("douyin.com", "7414000000000000009", _douyin_embedded_item(), 1726279260000),
        _line("xiaohongshu.com", xhs["note"]["id"], xhs, 1726279320000),
        _line("instagram.com", "3456", {"id": "3456"}, 1726279380000),
        '{"item_id": "broken", "data": {',
        "",
        _line("douyin.com", "1", {"no": "aweme here"}, 1726279440000),
        '\x00{"not": "an envelope"}',
    ]
    path = tmp_path / "zeeschuimer-export.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_paths(engine, [path], config=config)
    c = report.counts
    assert report.files[0].format == "zeeschuimer"
    assert c.items_read == 7 and c.skipped == 1 and c.rejected == 3 and c.new == 3
    assert report.files[0].skipped_by == {"instagram.com": 1}

    snake = post(engine, "douyin", "7584769166932233472")
    assert snake["source"] == "capture" and snake["likes"] == 2816
    assert snake["last_collected_at"].startswith("2024-09-14 02:00:00")  # 1726279200000 ms
    camel = post(engine, "douyin", "7414000000000000009")
    assert (camel["likes"], camel["comments"], camel["shares"], camel["favorites"]) == (
        4321,
        210,
        98,
        765,
    )
    assert camel["views"] is None and camel["duration_s"] == 61
    assert camel["account_uid"] == "98765432101"
    assert "千万IP创科普" in camel["hashtags"]
    assert camel["last_collected_at"].startswith("2024-09-14 02:01:00")
    (snap,) = snapshots(engine, "douyin", "7414000000000000009")
    assert snap["followers_at_capture"] == 123456 and snap["source"] == "capture"
    assert count(engine, "post_campaign", "platform_post_id = '7414000000000000009'") == 1

    note = post(engine, "xiaohongshu", xhs["note"]["id"])
    assert note["likes"] == xhs["note"]["liked_count"]
    assert note["last_collected_at"].startswith("2024-09-14 02:02:00")

    rejects = {r["location"]: r["reason"] for r in rows(engine, "SELECT * FROM reject")}
    assert rejects[f"{path}:5:32"].startswith("JSON 格式错误")
    (bad_item,) = [loc for loc in rejects if loc.startswith(f"{path}:7 ")]  # + the parser's own
    assert "aweme_id" in rejects[bad_item]
    assert "不是 Zeeschuimer 条目" in rejects[f"{path}:8"]


def test_tiktok_export_imports_as_tiktok(engine: Engine, config: TrackerConfig) -> None:
    report = import_paths(engine, [REAL / "zeeschuimer" / "tiktok-test.ndjson"], config=config)
    assert report.platforms == {"tiktok": 96} and report.counts.rejected == 0
    assert one(engine, "SELECT COUNT(DISTINCT account_uid) AS n FROM post")["n"] > 1
    assert count(engine, "post", "platform != 'tiktok'") == 0


def test_capture_time_prefers_a_later_update() -> None:
    assert capture_time({"timestamp_collected": 1697108706245}).isoformat() == (
        "2023-10-12T11:05:06.245000+00:00"
    )
    later = capture_time({"timestamp_collected": 1697108706245, "last_updated": 1697195106245})
    assert later.isoformat() == "2023-10-13T11:05:06.245000+00:00"
    assert capture_time({}) is None
