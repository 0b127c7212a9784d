"""Xiaohongshu parse half: the real TikHub-wrapped search body, web card/detail shapes, captures."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.xiaohongshu.parse import (
    ENDPOINTS,
    parse_feed,
    parse_search_notes,
    parse_zeeschuimer_item,
    unwrap,
)
from tracker.errors import ParseError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "xiaohongshu"
REAL = "tikhub_wrapped_search_notes_keyword_chenpi.json"
CAPTURED = datetime(2026, 2, 6, 2, 5, 30, tzinfo=UTC)  # the envelope's time_stamp 1770343530


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def real_page():
    return parse_search_notes(load(REAL), captured_at=CAPTURED, source="import")


def test_real_body_parses_every_note(real_page):
    assert len(real_page.posts) == 20
    assert real_page.rejects == []
    assert real_page.has_more is None  # the app-style body does not say
    assert all(p.metrics.views is None for p in real_page.posts)  # XHS shows no views
    assert all(p.followers_at_capture is None for p in real_page.posts)
    assert all(p.source == "import" for p in real_page.posts)


def test_real_first_note_read_by_hand(real_page):
    post = real_page.posts[0]
    assert post.platform == "xiaohongshu"
    assert post.platform_post_id == "67ff2df8000000001b03ebc7"
    assert post.account_uid == "574847b76a6a691827d693cb"
    assert post.title == "【新会陈皮｜别人卷价格，我们只卷品质】"
    assert post.text.startswith("当市场在比谁更便宜 我们选择用岁月说话")
    assert post.content_type == "image"  # type "normal"
    assert post.published_at == datetime(2025, 4, 16, 4, 11, 36, tzinfo=UTC)  # timestamp (s)
    assert (post.metrics.likes, post.metrics.favorites) == (45, 28)
    assert (post.metrics.comments, post.metrics.shares) == (3, 7)
    assert post.duration_s is None
    assert post.context["xsec_token"] == "YBdbxsayeuKymsQz03Vg55RUmQrBUXHnzWaU2pu4AW6iM="
    assert post.url == (
        "https://www.xiaohongshu.com/explore/67ff2df8000000001b03ebc7"
        "?xsec_token=YBdbxsayeuKymsQz03Vg55RUmQrBUXHnzWaU2pu4AW6iM%3D&xsec_source=pc_search"
    )
    account = next(a for a in real_page.accounts if a.platform_uid == post.account_uid)
    assert account.name == "大可皮茶记"
    assert account.verified is False and account.verify_type is None
    assert account.followers is None
    assert account.url == "https://www.xiaohongshu.com/user/profile/574847b76a6a691827d693cb"


def test_real_video_note_with_topics(real_page):
    post = real_page.posts[2]
    assert post.platform_post_id == "6705f72a000000001902f1bf"
    assert post.content_type == "video"
    assert post.duration_s == 13  # video_info_v2.capa.duration
    assert post.title is None  # empty title stays empty; the text is there
    assert post.hashtags == ["#新会陈皮[话题]#", "#晒陈皮[话题]#"]
    assert post.published_at == datetime(2024, 10, 9, 3, 23, 22, tzinfo=UTC)
    assert (
        post.metrics.likes,
        post.metrics.favorites,
        post.metrics.comments,
        post.metrics.shares,
    ) == (
        45,
        19,
        2,
        28,
    )
    assert post.account_uid == "5c557081000000001b03e335"


def test_real_most_engaged_note(real_page):
    post = next(p for p in real_page.posts if p.platform_post_id == "6722f279000000003c0194b5")
    assert post.title == "中医：6种陈皮水减肥法！今天必须教会你们"
    assert (post.metrics.likes, post.metrics.favorites) == (8840, 10802)
    assert (post.metrics.comments, post.metrics.shares) == (117, 1980)
    assert post.published_at == datetime(2024, 10, 31, 2, 59, 5, tzinfo=UTC)
    account = next(a for a in real_page.accounts if a.platform_uid == post.account_uid)
    assert (account.platform_uid, account.name) == ("604e1a190000000001008008", "9in-爱养生")


def test_envelope_unwrapped():
    body = load(REAL)
    inner = unwrap(body)
    assert inner["code"] == 0 and "items" in inner["data"]
    assert unwrap(inner) is inner  # an XHS body is left alone


def test_malformed_item_rejected_rest_parsed():
    body = load(REAL)
    items = body["data"]["data"]["items"]
    items[1]["note"]["liked_count"] = "很多"
    del items[4]["note"]["id"]
    items.insert(3, {"model_type": "hot_query", "hot_query": {"queries": []}})
    page = parse_search_notes(body, captured_at=CAPTURED)
    assert len(page.posts) == 18
    assert [r.location for r in page.rejects] == ["items[1]", "items[5]"]
    assert "很多" in page.rejects[0].reason
    assert "note.id missing" in page.rejects[1].reason
    assert json.loads(page.rejects[0].payload)["note"]["id"] == "6984683d000000001a02153e"


# --- web shapes (hand-built from the documented field paths) -------------------------------

WEB_SEARCH = {
    "code": 0,
    "success": True,
    "msg": "成功",
    "data": {
        "has_more": True,
        "items": [
            {
                "id": "66f1a2b3000000001b03ebc7",
                "model_type": "note",
                "xsec_token": "ABx9kTok=",
                "note_card": {
                    "type": "video",
                    "display_title": "秋分<em>科普</em>",
                    "user": {
                        "user_id": "5c557081000000001b03e335",
                        "nickname": "广东科普小红薯",
                        "avatar": "",
                    },
                    "interact_info": {"liked": False, "liked_count": "1.2万"},
                    "cover": {"url_default": "https://sns-webpic-qc.xhscdn.com/x"},
                },
            },
            {"id": "q1#rec", "model_type": "rec_query", "rec_query": {"title": "大家都在搜"}},
        ],
    },
}

WEB_FEED = {
    "code": 0,
    "success": True,
    "msg": "成功",
    "data": {
        "cursor_score": "",
        "items": [
            {
                "id": "66f1a2b3000000001b03ebc7",
                "model_type": "note",
                "note_card": {
                    "note_id": "66f1a2b3000000001b03ebc7",
                    "type": "video",
                    "title": "秋分科普",
                    "desc": "昼夜平分的秘密 #千万IP创科普[话题]# #秋分[话题]#",
                    "time": 1726289834000,
                    "last_update_time": 1726289900000,
                    "ip_location": "广东",
                    "user": {"user_id": "5c557081000000001b03e335", "nickname": "广东科普小红薯"},
                    "interact_info": {
                        "liked_count": "2401",
                        "collected_count": "10万+",
                        "comment_count": "56",
                        "share_count": "-",
                    },
                    "tag_list": [
                        {"id": "5c0a", "name": "千万IP创科普", "type": "topic"},
                        {"id": "9d1b", "name": "广州", "type": "location"},
                    ],
                    "video": {"capa": {"duration": 75}},
                },
            }
        ],
    },
}


def test_web_search_card():
    page = parse_search_notes(WEB_SEARCH, captured_at=CAPTURED)
    (post,) = page.posts  # the rec_query suggestion is skipped, not rejected
    assert page.rejects == [] and page.has_more is True
    assert post.platform_post_id == "66f1a2b3000000001b03ebc7"
    assert post.title == "秋分科普"  # display_title, HTML stripped
    assert post.metrics.likes == 12000
    assert post.metrics.comments is None and post.metrics.favorites is None
    # cards carry no time: the ObjectId's first 8 hex digits date it (0x66f1a2b3)
    assert post.published_at == datetime(2024, 9, 23, 17, 17, 39, tzinfo=UTC)
    assert post.published_at_source == "id"
    assert post.context["xsec_token"] == "ABx9kTok="
    assert page.accounts[0].name == "广东科普小红薯"


def test_web_feed_detail():
    page = parse_feed(WEB_FEED, captured_at=CAPTURED)
    (post,) = page.posts
    assert page.has_more is False
    assert post.published_at == datetime(2024, 9, 14, 4, 57, 14, tzinfo=UTC)
    assert post.metrics.likes == 2401
    assert post.metrics.favorites == 100_000  # "10万+"
    assert post.metrics.comments == 56
    assert post.metrics.shares is None  # "-": hidden
    assert post.hashtags == ["千万IP创科普", "#秋分[话题]#"]  # topics only, then the text's
    assert post.duration_s == 75
    assert post.context == {"ip_location": "广东"}
    assert post.url == "https://www.xiaohongshu.com/explore/66f1a2b3000000001b03ebc7"


def test_feed_not_found_is_an_empty_page():
    for code in (-510000, -510001):
        body = {"code": code, "success": False, "msg": "笔记不存在", "data": {}}
        page = parse_feed(body, captured_at=CAPTURED)
        assert page.posts == [] and page.rejects == []


def test_relative_corner_time_is_read_against_capture_time():
    body = copy.deepcopy(WEB_SEARCH)
    body["data"]["items"][0]["id"] = "note-id-not-an-objectid"  # else the id dates the card
    body["data"]["items"][0]["note_card"]["corner_tag_info"] = [
        {"type": "publish_time", "text": "3小时前"}
    ]
    (post,) = parse_search_notes(body, captured_at=CAPTURED).posts
    assert post.published_at == datetime(2026, 2, 5, 23, 5, 30, tzinfo=UTC)
    assert post.published_at_source == "display"


@pytest.mark.parametrize(
    "body, message",
    [
        ({"code": 300013, "success": False, "msg": "访问频次异常"}, "code 300013"),
        ({"code": 0, "success": True, "data": {}}, "no data.items"),
        ({"code": "x"}, "not a number"),
        ("nope", "expected a JSON object"),
    ],
)
def test_wrong_shapes_raise_parse_error(body, message):
    with pytest.raises(ParseError, match="xiaohongshu") as info:
        parse_search_notes(body, captured_at=CAPTURED)
    assert message in str(info.value)


# --- Zeeschuimer "rednote" items -------------------------------------------------------------


def test_zeeschuimer_web_card_item():
    item = WEB_SEARCH["data"]["items"][0]
    page = parse_zeeschuimer_item(item, captured_at=CAPTURED)
    (post,) = page.posts
    assert post.source == "capture"
    assert post.platform_post_id == "66f1a2b3000000001b03ebc7" and post.metrics.likes == 12000


def test_zeeschuimer_embedded_note_item():
    item = {
        "id": "66f1a2b3000000001b03ebc7",
        "note": {
            "noteId": "66f1a2b3000000001b03ebc7",
            "type": "normal",
            "title": "为什么天空是蓝色的",
            "desc": "瑞利散射 #千万IP创科普[话题]#",
            "time": 1726289834000,
            "user": {"userId": "604e1a190000000001008008", "nickname": "化学老师王"},
            "interactInfo": {
                "likedCount": "1.1万",
                "collectedCount": "320",
                "commentCount": "45",
                "shareCount": "12",
            },
            "tagList": [{"id": "1", "name": "千万IP创科普", "type": "topic"}],
            "xsecToken": "ABemb=",
            "ipLocation": "广东",
        },
    }
    page = parse_zeeschuimer_item(item, captured_at=CAPTURED)
    (post,) = page.posts
    assert post.account_uid == "604e1a190000000001008008"
    assert (
        post.metrics.likes,
        post.metrics.favorites,
        post.metrics.comments,
        post.metrics.shares,
    ) == (
        11000,
        320,
        45,
        12,
    )
    assert post.published_at == datetime(2024, 9, 14, 4, 57, 14, tzinfo=UTC)
    assert post.content_type == "image"
    assert post.hashtags == ["千万IP创科普"]
    assert post.context["xsec_token"] == "ABemb="
    assert page.accounts[0].name == "化学老师王"


def test_zeeschuimer_user_tile_and_html_stub():
    tile = {
        "id": "66f1a2b3000000001b03ebc8",
        "note_id": "66f1a2b3000000001b03ebc8",
        "type": "video",
        "display_title": "小实验",
        "user": {"user_id": "6769346f0000000018015714", "nick_name": "星空观测站"},
        "interact_info": {"liked": False, "liked_count": "88"},
        "xsec_token": "ABtile=",
    }
    (post,) = parse_zeeschuimer_item(tile, captured_at=CAPTURED).posts
    assert post.content_type == "video" and post.metrics.likes == 88
    assert post.account_uid == "6769346f0000000018015714"
    stub = {
        "id": "66f1a2b3000000001b03ebc9",
        "url": "/explore/66f1a2b3000000001b03ebc9?xsec_token=ABstub",
        "author_name": "小红薯",
        "likes": "1.5万",
        "title": "只从页面读到的",
        "_zs-origin": "html",
    }
    page = parse_zeeschuimer_item(stub, captured_at=CAPTURED)
    (post,) = page.posts
    assert page.accounts == [] and post.account_uid is None
    assert post.metrics.likes == 15000 and post.published_at is None
    assert (
        post.url == "https://www.xiaohongshu.com/explore/66f1a2b3000000001b03ebc9?xsec_token=ABstub"
    )


def test_zeeschuimer_app_note_from_real_body():
    item = load(REAL)["data"]["data"]["items"][18]
    (post,) = parse_zeeschuimer_item(item, captured_at=CAPTURED).posts
    assert post.platform_post_id == "6722f279000000003c0194b5" and post.metrics.likes == 8840


def test_zeeschuimer_bad_items_become_rejects():
    page = parse_zeeschuimer_item({"hover": "stub"}, captured_at=CAPTURED)
    assert page.posts == [] and "not a RedNote note item" in page.rejects[0].reason
    page = parse_zeeschuimer_item(["x"], captured_at=CAPTURED)
    assert "not an object" in page.rejects[0].reason


@pytest.mark.parametrize(
    "url, name",
    [
        ("https://edith.xiaohongshu.com/api/sns/web/v1/search/notes", "search_notes"),
        ("https://webapi.rednote.com/api/sns/web/v1/search/notes", "search_notes"),
        ("https://edith.xiaohongshu.com/api/sns/web/v1/feed", "feed"),
        ("http://127.0.0.1:9000/xiaohongshu/api/sns/web/v1/feed", "feed"),
        ("http://127.0.0.1:9000/xiaohongshu/api/sns/web/v1/search/notes?x=1", "search_notes"),
        (
            "https://api.tikhub.io/api/v1/xiaohongshu/web/search_notes?keyword=x&page=1",
            "tikhub_search_notes",
        ),
    ],
)
def test_endpoints(url, name):
    assert [e.name for e in ENDPOINTS if e.matches(url)] == [name]


def test_endpoints_ignore_other_urls():
    for url in (
        "https://edith.xiaohongshu.com/api/sns/web/v1/homefeed",
        "https://www.xiaohongshu.com/explore/66f1a2b3000000001b03ebc7",
        "https://example.com/api/sns/web/v1/feedback",
    ):
        assert not any(e.matches(url) for e in ENDPOINTS)
