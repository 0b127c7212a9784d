"""``parse_user_info``: the ``user/otherinfo`` profile body -> the author with its follower count."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.xiaohongshu.parse import parse_user_info
from tracker.errors import ParseError

CAPTURED = datetime(2024, 9, 20, 4, 0, tzinfo=UTC)
UID = "5c557081000000001b03e335"


def profile(fans: Any = "3401", **data: Any) -> dict:
    """A found profile in the shape public web client code reads."""
    body: dict[str, Any] = {
        "code": 0,
        "success": True,
        "msg": "成功",
        "data": {
            "basic_info": {
                "nickname": "广东科普小红薯",
                "red_id": "95412836",
                "desc": "每天一个科学小知识",
                "ip_location": "广东",
                "gender": 0,
                "images": "https://sns-avatar-qc.xhscdn.com/avatar/a.jpg",
                "imageb": "https://sns-avatar-qc.xhscdn.com/avatar/b.jpg",
            },
            "interactions": [
                {"type": "follows", "name": "关注", "count": "12"},
                {"type": "fans", "name": "粉丝", "count": fans},
                {"type": "interaction", "name": "获赞与收藏", "count": "5.6万"},
            ],
            "tags": [{"tagType": "location", "name": "广东"}],
            "extra_info": {"fstatus": "none"},
            "result": {"success": True, "code": 0, "message": "success"},
        },
    }
    body["data"].update(data)
    return body


def parse(body: Any):
    return parse_user_info(body, user_id=UID, captured_at=CAPTURED)


def test_plain_count():
    page = parse(profile("3401"))
    (account,) = page.accounts
    assert account.platform == "xiaohongshu" and account.platform_uid == UID
    assert account.name == "广东科普小红薯"
    assert account.followers == 3401
    assert account.url == f"https://www.xiaohongshu.com/user/profile/{UID}"
    assert account.seen_at == CAPTURED
    assert page.posts == [] and page.rejects == []


@pytest.mark.parametrize(
    ("shown", "followers"), [("1.2万", 12_000), ("10万+", 100_000), ("0", 0), (987, 987)]
)
def test_abbreviated_and_numeric_counts(shown, followers):
    assert parse(profile(shown)).accounts[0].followers == followers


def test_missing_fans_entry_leaves_followers_unknown():
    body = profile()
    body["data"]["interactions"] = [i for i in body["data"]["interactions"] if i["type"] != "fans"]
    (account,) = parse(body).accounts
    assert account.followers is None and account.name == "广东科普小红薯"
    del body["data"]["interactions"]
    assert parse(body).accounts[0].followers is None


@pytest.mark.parametrize(
    "body",
    [
        {
            "code": 0,
            "success": True,
            "data": {"result": {"success": False, "code": -100, "message": "用户不存在"}},
        },
        {"code": -1002, "success": False, "msg": "用户不存在", "data": {}},
        {"code": 0, "success": True, "data": {"result": {"success": True, "code": 10001}}},
    ],
    ids=["result-false", "nonzero-code", "result-code"],
)
def test_user_missing_is_an_empty_page(body):
    page = parse(body)
    assert page.accounts == [] and page.posts == [] and page.rejects == []


def test_proxy_envelope_is_unwrapped():
    wrapped = {"code": 200, "router": "/api/v1/xiaohongshu/web/get_user_info", "data": profile()}
    assert parse(wrapped).accounts[0].followers == 3401


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "JSON object"),
        ({"code": "0", "data": {}}, "code is not a number"),
        ({"code": 0, "success": True, "data": {}}, "basic_info"),
        ({"code": 0, "success": True}, "basic_info"),
        (profile(interactions={"fans": 3}), "interactions is not a list"),
        (profile("很多"), "fans count"),
        (profile("-5"), "fans count"),
        (profile("99999999999999999999"), "larger than any real count"),
    ],
)
def test_malformed_bodies_raise_parse_error(body, message):
    with pytest.raises(ParseError, match=message) as info:
        parse(copy.deepcopy(body))
    assert info.value.platform == "xiaohongshu"
