"""Bilibili parsers on the real captured bodies (values read by hand from the files)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.bilibili.parse import (
    ENDPOINTS,
    parse_any,
    parse_duration,
    parse_search_item,
    parse_search_type,
    parse_view,
    parse_zeeschuimer_item,
    unwrap,
)
from tracker.errors import ParseError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "bilibili"
CAPTURED = datetime(2026, 2, 5, 8, 0, tzinfo=UTC)


def load(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# --- search/type (the old unsigned path; the wbi path answers the same shape) --------------------


def test_search_type_page():
    page = parse_search_type(load("search_type_video_keyword_shaonian.json"), captured_at=CAPTURED)
    assert len(page.posts) == 20 and not page.rejects
    assert page.claimed_total == 1000  # numResults, capped by the platform
    assert page.has_more is True and page.cursor == "2"
    first = page.posts[0]
    assert first.platform_post_id == "BV1De411p77r"
    assert first.context == {"aid": "243082173"}
    assert first.url == "https://www.bilibili.com/video/BV1De411p77r"
    assert first.title == "梦然-《少年》官方版"  # <em class="keyword"> stripped
    assert first.text.startswith("https://www.ixigua.com/i6822128361129640462/")
    assert first.account_uid == "178932626"
    assert first.published_at == datetime(2020, 5, 2, 8, 10, 50, tzinfo=UTC)
    assert first.duration_s == 4 * 60 + 18
    assert first.content_type == "video"
    assert first.metrics.views == 1037655
    assert first.metrics.favorites == 27341
    assert first.metrics.comments == 1265
    assert first.metrics.likes is None  # this older response has no "like"
    assert first.metrics.shares is None  # search never shows shares
    assert first.hashtags == ["华语MV", "国语MV", "梦然", "少年", "梦想", "成长", "循环", "热歌"]
    assert first.followers_at_capture is None
    account = page.accounts[0]
    assert (account.platform_uid, account.name) == ("178932626", "大橘爱吃猫")
    assert account.url == "https://space.bilibili.com/178932626"
    assert account.followers is None
    # two highlights in one title
    assert page.posts[1].title == "你还是从前的那个少年吗？来自元气少女超甜的《少年》"
    assert page.posts[1].duration_s == 4 * 60 + 1  # "4:1"
    last = page.posts[-1]
    assert (last.platform_post_id, last.account_uid) == ("BV1Xt4y127bX", "178366933")


def test_tikhub_envelope_is_unwrapped():
    raw = load("tikhub_wrapped_web_general_search.json")
    assert raw["code"] == 200 and unwrap(raw)["code"] == 0
    page = parse_search_type(raw, captured_at=CAPTURED, source="import")
    assert len(page.posts) == 42 and not page.rejects
    assert page.claimed_total == 1000 and page.has_more is True and page.cursor == "2"
    first = page.posts[0]
    assert first.platform_post_id == "BV19wFGzzEPZ"
    assert first.context["aid"] == "116004801741275"
    assert first.account_uid == "3691001075993433"
    assert first.title == "【火-影-忍-者】全720集 4K超清未删减完整版 reaction"
    assert first.text is None  # empty description
    assert first.duration_s == 14150 * 60 + 36  # minutes past 59, not hours
    assert first.published_at == datetime(2026, 2, 3, 5, 23, 29, tzinfo=UTC)
    assert (
        first.metrics.views,
        first.metrics.likes,
        first.metrics.comments,
        first.metrics.favorites,
    ) == (
        47660,
        782,
        46,
        1832,
    )
    assert first.hashtags == ["合集"]
    assert first.source == "import"
    assert page.accounts[0].name == "b站耐补王三世"
    second = page.posts[1]
    assert second.platform_post_id == "BV1dh411i7kK"
    assert second.duration_s == 361 * 60 + 22
    assert second.metrics.likes == 514803
    assert page.posts[-1].title == "天道佩恩的一生"


def test_single_search_item_fixture():
    item = load("search_result_item_video_only.json")
    page = parse_search_item(item, captured_at=CAPTURED)
    post = page.posts[0]
    assert post.platform_post_id == "BV1KJ411C7Un"
    assert post.title == "【Mitchie M】初音未来《买买买》【2020拜年祭单品】"
    assert post.published_at == datetime(2020, 1, 24, 14, 54, 38, tzinfo=UTC)
    assert post.duration_s == 242  # "4:2"
    assert (post.metrics.views, post.metrics.favorites, post.metrics.comments) == (
        2915520,
        114102,
        6124,
    )
    assert post.hashtags == ["2020拜年祭单品", "买买买", "初音未来"]
    assert page.accounts[0].name == "MitchieM" and page.accounts[0].platform_uid == "5669526"
    assert parse_any(item, captured_at=CAPTURED).posts[0].platform_post_id == "BV1KJ411C7Un"


def test_view_fixture():
    page = parse_view(load("view_BV117411r7R1.json"), captured_at=CAPTURED)
    assert not page.rejects
    post = page.posts[0]
    assert post.platform_post_id == "BV117411r7R1"
    assert post.title == "当我给拜年祭的快板加了电音配乐…"
    assert post.text.startswith("【CB想说的】看完拜年祭之后最爱的一个节目！")
    assert post.published_at == datetime(2020, 1, 30, 9, 40, 55, tzinfo=UTC)
    assert post.duration_s == 486
    m = post.metrics
    assert (m.views, m.likes, m.comments, m.shares, m.favorites) == (
        2404179,
        161270,
        2676,
        9620,
        58329,
    )
    # tags from the synced dynamic text "#全民音乐UP主##CB##warma#..."
    assert "#全民音乐UP主#" in post.hashtags and "#Remix#" in post.hashtags
    assert len(post.hashtags) == 9
    # the uploader's followers come from the cooperation staff list
    assert post.followers_at_capture == 616428
    account = page.accounts[0]
    assert (account.platform_uid, account.name, account.followers) == (
        "66606350",
        "陈楒潼桶桶桶",
        616428,
    )
    assert (account.verified, account.verify_type) == (True, "personal")


def test_view_detail_card_gives_fans_and_tags():
    body = load("view_BV117411r7R1.json")
    view = body["data"]
    view.pop("staff")
    detail = {
        "code": 0,
        "message": "0",
        "ttl": 1,
        "data": {
            "View": view,
            "Card": {
                "card": {
                    "mid": "66606350",
                    "name": "陈楒潼桶桶桶",
                    "fans": 620001,
                    "Official": {"role": 3, "title": "某机构", "desc": "", "type": 1},
                },
                "follower": 620001,
            },
            "Tags": [{"tag_id": 1, "tag_name": "千万IP创科普"}, {"tag_id": 2, "tag_name": "电音"}],
        },
    }
    page = parse_view(detail, captured_at=CAPTURED)
    assert page.posts[0].followers_at_capture == 620001
    assert page.posts[0].hashtags[:2] == ["千万IP创科普", "电音"]
    assert page.accounts[0].followers == 620001
    assert (page.accounts[0].verified, page.accounts[0].verify_type) == (True, "organization")


# --- failure shapes ------------------------------------------------------------------------------


def test_v_voucher_is_not_an_empty_result():
    with pytest.raises(ParseError, match="v_voucher"):
        parse_search_type(load("error_352_v_voucher.json"), captured_at=CAPTURED)
    disguised = {"code": 0, "message": "0", "ttl": 1, "data": {"v_voucher": "voucher_x"}}
    with pytest.raises(ParseError, match="v_voucher"):
        parse_search_type(disguised, captured_at=CAPTURED)


@pytest.mark.parametrize("body", [[], "x", {"code": 0}, {"code": -412, "message": "请求被拦截"}])
def test_not_a_search_body(body):
    with pytest.raises(ParseError):
        parse_search_type(body, captured_at=CAPTURED)


def test_malformed_items_are_rejected_and_the_rest_parsed():
    body = load("search_type_video_keyword_shaonian.json")
    result = body["data"]["result"]
    del result[0]["bvid"], result[0]["aid"], result[0]["id"]
    result[1]["play"] = "lots"
    result[2]["pubdate"] = "not a time"
    result[3]["duration"] = "4m"
    result[4] = "not an object"
    result[5]["type"] = "bili_user"
    page = parse_search_type(body, captured_at=CAPTURED)
    assert len(page.posts) == 14
    assert len(page.rejects) == 6
    reasons = [r.reason for r in page.rejects]
    assert "neither bvid nor aid" in reasons[0]
    assert "play" in reasons[1]
    assert "duration" in reasons[3]
    assert "bili_user" in reasons[5]
    assert page.rejects[1].location == "data.result[1]"
    assert json.loads(page.rejects[1].payload)["bvid"] == "BV1B7411R7a8"
    assert all(r.platform == "bilibili" for r in page.rejects)


def test_missing_counts_stay_none_and_aid_only_items_convert():
    item = copy.deepcopy(load("search_result_item_video_only.json"))
    for name in ("play", "favorites", "review", "bvid"):
        item.pop(name)
    post = parse_search_item(item, captured_at=CAPTURED).posts[0]
    assert post.platform_post_id == "BV1KJ411C7Un"  # from aid 78977417
    assert (
        post.metrics.views is None
        and post.metrics.favorites is None
        and post.metrics.comments is None
    )


def test_count_strings_and_entities():
    item = copy.deepcopy(load("search_result_item_video_only.json"))
    item["play"] = "1.2万"
    item["title"] = '<em class="keyword">千万IP创科普</em> &amp; 台风 &lt;科普&gt;'
    item["description"] = "讲台风 #千万IP创科普# 话题"
    post = parse_search_item(item, captured_at=CAPTURED).posts[0]
    assert post.metrics.views == 12000
    assert post.title == "千万IP创科普 & 台风 <科普>"
    assert "#千万IP创科普#" in post.hashtags


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("4:2", 242),
        ("04:18", 258),
        ("14150:36", 849036),
        ("1:02:03", 3723),
        (486, 486),
        ("486", 486),
        ("", None),
        (None, None),
    ],
)
def test_parse_duration(value, seconds):
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["4m", "1:2:3:4", "-1:00", True, -5])
def test_parse_duration_garbage(value):
    with pytest.raises(ValueError):
        parse_duration(value)


def test_parse_any_routes_every_fixture():
    assert len(parse_any(load("view_BV117411r7R1.json"), captured_at=CAPTURED).posts) == 1
    assert (
        len(parse_any(load("tikhub_wrapped_web_general_search.json"), captured_at=CAPTURED).posts)
        == 42
    )
    with pytest.raises(ParseError, match="v_voucher"):
        parse_any(load("error_352_v_voucher.json"), captured_at=CAPTURED)
    with pytest.raises(ParseError):
        parse_any(load("nav_unlogged_wbi_img.json"), captured_at=CAPTURED)
    with pytest.raises(ParseError):
        parse_any({"hello": "world"}, captured_at=CAPTURED)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        (
            "https://api.bilibili.com/x/web-interface/wbi/search/type?search_type=video&keyword=x&w_rid=1",
            "search_type",
        ),
        ("https://api.bilibili.com/x/web-interface/search/type?keyword=x", "search_type"),
        ("http://127.0.0.1:8765/bilibili/x/web-interface/wbi/search/type?keyword=x", "search_type"),
        ("https://api.bilibili.com/x/web-interface/view/detail?bvid=BV117411r7R1", "view_detail"),
        ("https://api.bilibili.com/x/web-interface/wbi/view?bvid=BV117411r7R1", "view"),
        ("http://127.0.0.1:8765/bilibili/x/web-interface/view?aid=1", "view"),
    ],
)
def test_endpoints_route_real_and_simulated_urls(url, name):
    matches = [e.name for e in ENDPOINTS if e.matches(url)]
    assert matches == [name]


def test_endpoints_ignore_other_urls():
    for url in (
        "https://api.bilibili.com/x/web-interface/nav",
        "https://www.bilibili.com/video/BV117411r7R1",
    ):
        assert not any(e.matches(url) for e in ENDPOINTS)


def test_captured_feed_card_and_live_room():
    # A home-feed card (data.item[] of the recommendation API), shaped like view's video object.
    card = {
        "id": 85440373,
        "bvid": "BV117411r7R1",
        "title": "当我给拜年祭的快板加了电音配乐…",
        "duration": 486,
        "pubdate": 1580377255,
        "owner": {"mid": 66606350, "name": "陈楒潼桶桶桶"},
        "stat": {"view": 2404179, "like": 161270, "danmaku": 12348},
    }
    page = parse_zeeschuimer_item(card, captured_at=CAPTURED)
    post = page.posts[0]
    assert (post.platform_post_id, post.source, post.duration_s) == ("BV117411r7R1", "capture", 486)
    assert (post.metrics.views, post.metrics.likes, post.metrics.comments) == (
        2404179,
        161270,
        None,
    )
    assert page.accounts[0].name == "陈楒潼桶桶桶"
    searched = parse_zeeschuimer_item(
        load("search_result_item_video_only.json"), captured_at=CAPTURED
    )
    assert searched.posts[0].platform_post_id == "BV1KJ411C7Un"
    room = parse_zeeschuimer_item({"roomid": 5, "title": "直播"}, captured_at=CAPTURED)
    assert not room.posts and room.rejects[0].reason == "live-room card, not a work"
