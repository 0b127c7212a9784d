"""Real samples added to ``tests/fixtures/real`` after the first corpus, one test per sample.

Each sample is imported through ``tracker import`` into a SQLite file and read back from the
``post``, ``account`` and ``metric_snapshot`` tables. The expected values were read by hand from
the raw fields (see the platform's ``PROVENANCE.md``); where the import path cannot read a real
body yet, the test is a strict xfail that names the defect.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine

from tests.helpers.cli import cli_json
from tests.helpers.database import count, one, post, snapshots
from tests.helpers.real import REAL

XHS_FEED_CUT = REAL / "xhs" / "web_v1_feed_data_note_64db49dc.json"
XHS_NOTE = "64db49dc000000000302290d"
XHS_TAGS = [
    "搞钱",
    "副业",
    "海鲜市场",
    "二手闲置",
    "闲鱼",
    "闲置",
    "实用APP安利",
    "消息提醒",
    "手机通知",
    "手机app",
    "咸鱼奇葩卖家",
    "闲鱼神仙卖家",
    "实用工具",
    "卖家",
]


def _assert_xhs_feed_note(engine: Engine) -> None:
    note = post(engine, "xiaohongshu", XHS_NOTE)
    assert note["title"] == "💥💡海鲜市场的卖家神器"
    assert note["text"].startswith("🍀今天我要种草的是朋友开发的一款“海鲜市场”的通知工具")
    assert note["content_type"] == "video"  # note_card.type "video"
    # interact_info sends strings: liked "3", collected "1", comment "2", share "0"
    assert (note["likes"], note["favorites"], note["comments"], note["shares"]) == (3, 1, 2, 0)
    assert note["views"] is None  # the web note_card has no view count
    assert note["published_at"].startswith("2023-08-15 09:48:12")  # time 1692092892000 ms
    assert note["duration_s"] == 29  # video.capa.duration
    assert note["hashtags"] == XHS_TAGS  # the 14 tag_list topics, in order
    assert note["account_uid"] == "5f827ea10000000001007b5b"
    assert note["url"] == f"https://www.xiaohongshu.com/explore/{XHS_NOTE}"
    author = one(
        engine,
        "SELECT * FROM account WHERE platform='xiaohongshu' "
        "AND platform_uid='5f827ea10000000001007b5b'",
    )
    assert author["name"] == "理想是自由" and author["followers"] is None
    (snap,) = snapshots(engine, "xiaohongshu", XHS_NOTE)
    assert (snap["likes"], snap["favorites"], snap["comments"], snap["shares"]) == (3, 1, 2, 0)
    assert count(engine, "post") == 1


def test_xhs_web_feed_data_cut_imports_alone(db_url: str, engine: Engine) -> None:
    """A saved web ``feed`` ``data`` member without its code/success/msg envelope
    ({cursor_score, items[{id, model_type, note_card}], current_time}) is recognised by its
    ``note_card`` items and parsed as the member itself."""
    report = cli_json(db_url, str(XHS_FEED_CUT))
    assert report["counts"]["new"] == 1 and report["counts"]["rejected"] == 0
    assert report["platforms"] == {"xiaohongshu": 1}
    _assert_xhs_feed_note(engine)


def test_xhs_web_feed_data_cut_with_platform_option(db_url: str, engine: Engine) -> None:
    report = cli_json(db_url, "--platform", "xiaohongshu", str(XHS_FEED_CUT))
    assert report["counts"]["new"] == 1 and report["counts"]["rejected"] == 0
    _assert_xhs_feed_note(engine)


def test_xhs_web_feed_note_card_inside_its_envelope(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    # The source lists the envelope beside the cut: code 0, success true, msg "成功".
    # Rebuilt here (not saved as a fixture) so the real note_card goes through the import door.
    body = {
        "code": 0,
        "success": True,
        "msg": "成功",
        "data": json.loads(XHS_FEED_CUT.read_text(encoding="utf-8")),
    }
    saved = tmp_path / "feed.json"
    saved.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    report = cli_json(db_url, str(saved))
    assert report["counts"]["new"] == 1 and report["counts"]["rejected"] == 0
    assert report["platforms"] == {"xiaohongshu": 1}
    _assert_xhs_feed_note(engine)


def test_a_bare_items_list_is_xiaohongshu_only_with_note_cards() -> None:
    from tracker.imports.routing import detect_body_platform

    cut = json.loads(XHS_FEED_CUT.read_text(encoding="utf-8"))
    assert detect_body_platform(cut) == "xiaohongshu"
    assert detect_body_platform({"code": 0, "success": True, "data": cut}) == "xiaohongshu"
    # "items" with only generic keys (model_type, note) says nothing about the platform
    assert detect_body_platform({"items": [{"model_type": "note", "note": {"id": "1"}}]}) is None
    assert detect_body_platform({"items": [{"id": "1"}], "data": {}}) is None
