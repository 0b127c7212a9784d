"""Douyin parsers on the real captured search body (values read by hand) and every item shape."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.douyin.parse import (
    ENDPOINTS,
    parse_any,
    parse_aweme_detail,
    parse_aweme_list,
    parse_aweme_list_item,
    parse_challenge_search,
    parse_embedded_aweme,
    parse_general_search,
    parse_user_profile,
    unwrap,
)
from tracker.errors import ParseError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "douyin"
CAPTURED = datetime(2026, 2, 5, 9, 48, 51, tzinfo=UTC)


@pytest.fixture(scope="module")
def search_body():
    return json.loads(
        (FIXTURES / "tikhub_wrapped_app_general_search_v1_keyword_maomi.json").read_text(
            encoding="utf-8"
        )
    )


def aweme(search_body, index: int) -> dict:
    return copy.deepcopy(unwrap(search_body)["data"][index]["aweme_info"])


def test_general_search_fixture(search_body):
    assert search_body["code"] == 200 and unwrap(search_body)["status_code"] == 0
    page = parse_general_search(search_body, captured_at=CAPTURED, source="import")
    # 18 cards: 16 works and 2 related-search cards (type 6), which are skipped, not rejected
    assert len(page.posts) == 16 and not page.rejects
    assert page.has_more is True and page.cursor == "20"

    note = page.posts[0]  # an image note
    assert note.platform_post_id == "7584769166932233472"
    assert note.content_type == "image"
    assert note.url == "https://www.douyin.com/note/7584769166932233472"
    assert note.text == "好坏一看便知。#猫 #好猫 #坏猫 #十九喵 #抖音萌宠出道计划"
    assert note.title == "好坏一看便知"  # preview_title
    assert note.published_at == datetime(2025, 12, 17, 10, 18, 26, tzinfo=UTC)
    assert note.duration_s is None  # image notes have duration 0
    m = note.metrics
    assert (m.likes, m.comments, m.shares, m.favorites) == (2816, 1046, 2298, 711)
    assert m.views is None  # play_count is always 0 on Douyin: unknown, not zero
    assert note.hashtags == ["猫", "好猫", "坏猫", "十九喵", "抖音萌宠出道计划"]
    assert note.account_uid == "4457845776194612"
    assert note.context["cha_ids"] == "1553304054213633"
    assert note.context["sec_uid"].startswith("MS4wLjABAAAAKyw")
    assert note.followers_at_capture is None  # follower_count is 0 in lists
    assert note.source == "import"

    video = page.posts[2]
    assert video.platform_post_id == "7596255733810151921"
    assert video.content_type == "video"
    assert video.url == "https://www.douyin.com/video/7596255733810151921"
    assert video.duration_s == 15  # 15400 ms
    assert video.published_at == datetime(2026, 1, 17, 9, 11, 57, tzinfo=UTC)
    assert (
        video.metrics.likes,
        video.metrics.comments,
        video.metrics.shares,
        video.metrics.favorites,
    ) == (
        4275016,
        117003,
        2817643,
        207435,
    )
    assert video.hashtags == ["猫咪", "猫咪日常"]
    assert video.text == "人 咪真的超厉害\n#猫咪 #猫咪日常"

    # hashtags only in the caption text (text_extra has a search entry, no hashtag): extracted
    second = page.posts[1]
    assert second.platform_post_id == "7565738211130035491"
    assert second.duration_s == 94
    assert second.hashtags[:3] == ["#养猫人", "#猫咪", "#养猫日常"]

    accounts = {a.platform_uid: a for a in page.accounts}
    assert len(accounts) == 16
    star = accounts["101020239887"]
    assert star.name == "rem's Vicky Star"
    assert star.url.startswith("https://www.douyin.com/user/MS4wLjABAAAAoua")
    assert star.followers is None
    assert star.verified is False  # no custom/enterprise verification text
    assert page.posts[-1].platform_post_id == "7579807155093142747"


def test_parse_any_unwraps_the_envelope(search_body):
    assert len(parse_any(search_body, captured_at=CAPTURED).posts) == 16


def test_zeeschuimer_xhr_item(search_body):
    item = aweme(search_body, 3)
    item["id"] = item["aweme_id"]  # Zeeschuimer adds "id"
    page = parse_aweme_list_item(item, captured_at=CAPTURED)
    post = page.posts[0]
    assert post.platform_post_id == "7595430435636091264"
    assert post.source == "capture"
    assert post.hashtags == ["萌宠日常记录", "萌宠出道计划", "猫咪", "顺拐"]
    assert (post.metrics.likes, post.metrics.comments) == (3976, 296)
    assert page.accounts[0].name == "小老太wonderful啦"
    bad = parse_aweme_list_item({"aweme_id": "abc"}, captured_at=CAPTURED)
    assert not bad.posts and "not a numeric id" in bad.rejects[0].reason


EMBEDDED = {
    # camelCase shape of awemes embedded in the page HTML (field names as 4CAT's Douyin mapper reads them)
    "awemeId": "7410000010437771255",
    "groupId": "7410000010437771255",
    "awemeType": 0,
    "createTime": 1726783064,
    "desc": "红树林背后的科学原理 #千万ip创科普",
    "authorUserId": 415618727771,
    "authorInfo": {
        "uid": "415618727771",
        "secUid": "MS4wLjABAAAAsFone_ksIQU4y0I7dp2Vtk3eMi5X7JOyNFunsv2kT5E",
        "nickname": "天文蒲公英762",
        "followerCount": 5321,
        "customVerify": "",
        "enterpriseVerifyReason": "广州市科学技术协会",
        "avatarThumb": {"urlList": ["https://p3.douyinpic.com/a.jpeg"]},
    },
    "stats": {
        "diggCount": 120,
        "commentCount": 7,
        "shareCount": 3,
        "collectCount": 9,
        "playCount": 0,
    },
    "textExtra": [{"type": 1, "hashtagName": "千万ip创科普", "hashtagId": "1559625762930376"}],
    "video": {"duration": 11000, "bitRateList": []},
    "download": {"prevent": False},
}


def test_embedded_camel_case_item():
    page = parse_embedded_aweme(EMBEDDED, captured_at=CAPTURED)
    post = page.posts[0]
    assert post.platform_post_id == "7410000010437771255"
    assert post.account_uid == "415618727771"
    assert post.published_at == datetime(2024, 9, 19, 21, 57, 44, tzinfo=UTC)
    assert (
        post.metrics.likes,
        post.metrics.comments,
        post.metrics.shares,
        post.metrics.favorites,
    ) == (120, 7, 3, 9)
    assert post.metrics.views is None
    assert post.duration_s == 11
    assert post.hashtags == ["千万ip创科普"]
    assert post.followers_at_capture == 5321  # a non-zero count is believed
    account = page.accounts[0]
    assert (account.name, account.followers, account.verified, account.verify_type) == (
        "天文蒲公英762",
        5321,
        True,
        "organization",
    )
    assert (
        parse_any(EMBEDDED, captured_at=CAPTURED).posts[0].platform_post_id == post.platform_post_id
    )


def test_embedded_live_cell_is_rejected():
    cell = {**EMBEDDED, "cellRoom": {"rawdata": {"title": "直播中"}}}
    page = parse_embedded_aweme(cell, captured_at=CAPTURED)
    assert not page.posts and page.rejects[0].reason == "live-stream cell, not a work"


def list_body(search_body, n: int = 3, **extra):
    return {
        "status_code": 0,
        "aweme_list": [aweme(search_body, i) for i in range(n)],
        "has_more": 1,
        "cursor": 12,
        **extra,
    }


def test_challenge_aweme_list(search_body):
    page = parse_aweme_list(list_body(search_body), captured_at=CAPTURED)
    assert [p.platform_post_id for p in page.posts] == [
        "7584769166932233472",
        "7565738211130035491",
        "7596255733810151921",
    ]
    assert page.has_more is True and page.cursor == "12"
    last = parse_aweme_list(
        {"status_code": 0, "aweme_list": [], "has_more": 0, "cursor": 12}, captured_at=CAPTURED
    )
    assert last.posts == [] and last.has_more is False
    user_posts = parse_aweme_list(
        {"status_code": 0, "aweme_list": [], "has_more": 0, "max_cursor": 99}, captured_at=CAPTURED
    )
    assert user_posts.cursor == "99"


def test_malformed_awemes_become_rejects(search_body):
    body = list_body(search_body, 5)
    items = body["aweme_list"]
    del items[0]["aweme_id"]
    items[1]["statistics"]["digg_count"] = "many"
    items[2]["create_time"] = "yesterday-ish"
    items[3] = ["not", "an", "object"]
    page = parse_aweme_list(body, captured_at=CAPTURED)
    assert len(page.posts) == 1 and len(page.rejects) == 4
    assert page.rejects[0].reason == "aweme_id missing"
    assert "digg_count" in page.rejects[1].reason
    assert page.rejects[1].location == "aweme_list[1]"
    assert json.loads(page.rejects[1].payload)["aweme_id"] == "7565738211130035491"
    assert page.posts[0].platform_post_id == aweme(search_body, 4)["aweme_id"]


def test_missing_statistics_stay_none(search_body):
    item = aweme(search_body, 2)
    del item["statistics"]["share_count"], item["statistics"]["collect_count"]
    post = parse_aweme_list({"status_code": 0, "aweme_list": [item]}, captured_at=CAPTURED).posts[0]
    assert post.metrics.shares is None and post.metrics.favorites is None
    assert post.metrics.likes == 4275016


@pytest.mark.parametrize(
    "body",
    [
        {},
        [],
        {"status_code": 8, "status_msg": "用户未登录"},
        {"status_code": 0, "data": [], "search_nil_info": {"search_nil_type": "verify_check"}},
        {"status_code": 0, "hello": 1},
    ],
)
def test_blocks_and_strange_bodies_raise(body):
    with pytest.raises(ParseError):
        parse_any(body, captured_at=CAPTURED)


def test_search_with_no_result_is_empty_not_blocked():
    body = {
        "status_code": 0,
        "data": [],
        "has_more": 0,
        "search_nil_info": {"search_nil_type": "no_result"},
    }
    page = parse_general_search(body, captured_at=CAPTURED)
    assert page.posts == [] and page.has_more is False


def test_mix_cards_are_read(search_body):
    mix = {
        "type": 1,
        "aweme_mix_info": {"mix_items": [aweme(search_body, 0), aweme(search_body, 2)]},
    }
    page = parse_general_search(
        {"status_code": 0, "data": [mix], "has_more": 0}, captured_at=CAPTURED
    )
    assert [p.platform_post_id for p in page.posts] == [
        "7584769166932233472",
        "7596255733810151921",
    ]


def test_detail_and_deleted_detail(search_body):
    page = parse_aweme_detail(
        {"status_code": 0, "aweme_detail": aweme(search_body, 2)}, captured_at=CAPTURED
    )
    assert page.posts[0].platform_post_id == "7596255733810151921"
    gone = parse_aweme_detail(
        {
            "status_code": 0,
            "aweme_detail": None,
            "filter_detail": {"aweme_id": "7596255733810151921", "filter_reason": "status_deleted"},
        },
        captured_at=CAPTURED,
    )
    assert gone.posts[0].deleted is True and gone.posts[0].metrics.likes is None


def test_user_profile():
    body = {
        "status_code": 0,
        "user": {
            "uid": "101020239887",
            "sec_uid": "MS4wLjABAAAAoua",
            "nickname": "rem's Vicky Star",
            "follower_count": 0,  # profile zeros are real
            "custom_verify": "优质宠物领域创作者",
            "enterprise_verify_reason": "",
        },
    }
    account = parse_user_profile(body, captured_at=CAPTURED).accounts[0]
    assert (account.platform_uid, account.followers, account.verified, account.verify_type) == (
        "101020239887",
        0,
        True,
        "personal",
    )
    body["user"]["follower_count"] = "1.2万"
    assert parse_user_profile(body, captured_at=CAPTURED).accounts[0].followers == 12000


def test_challenge_search():
    body = {
        "status_code": 0,
        "challenge_list": [
            {
                "challenge_info": {
                    "cid": "1559968346938142",
                    "cha_name": "千万ip创科普大赛",
                    "view_count": 8000,
                    "user_count": 8,
                }
            },
            {
                "challenge_info": {
                    "cid": "1559625762930376",
                    "cha_name": "千万ip创科普",
                    "view_count": "4.1万",
                    "user_count": 40,
                }
            },
            {"challenge_info": {"cha_name": "no id"}},
        ],
        "has_more": 0,
        "cursor": 2,
    }
    challenges, more, cursor = parse_challenge_search(body)
    assert [c.cid for c in challenges] == ["1559968346938142", "1559625762930376"]
    assert challenges[1].view_count == 41000 and challenges[1].user_count == 40
    assert more is False and cursor == "2"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        (
            "https://www.douyin.com/aweme/v1/web/challenge/aweme/?ch_id=1&cursor=0&a_bogus=x",
            "challenge_aweme",
        ),
        ("http://127.0.0.1:9000/douyin/aweme/v1/web/challenge/aweme/?ch_id=1", "challenge_aweme"),
        ("https://www.douyin.com/aweme/v1/web/aweme/detail/?aweme_id=1", "aweme_detail"),
        ("https://www.douyin.com/aweme/v1/web/user/profile/other/?sec_user_id=x", "user_profile"),
        ("https://www.douyin.com/aweme/v1/web/aweme/post/?sec_user_id=x", "user_posts"),
        ("https://www.douyin.com/aweme/v1/web/general/search/single/?keyword=x", "general_search"),
        ("https://www.douyin.com/aweme/v1/web/search/item/?keyword=x", "general_search"),
    ],
)
def test_endpoints(url, name):
    assert [e.name for e in ENDPOINTS if e.matches(url)] == [name]


def test_endpoints_ignore_other_urls():
    for url in (
        "https://www.douyin.com/aweme/v1/web/challenge/search/?keyword=x",
        "https://www.douyin.com/video/1",
    ):
        assert not any(e.matches(url) for e in ENDPOINTS)
