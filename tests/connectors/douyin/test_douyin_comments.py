"""Douyin comment parser on hand-built bodies (tests/fixtures/comments/douyin.json, not real)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.douyin.comments import parse_comments
from tracker.errors import ParseError
from tracker.imports.routing import find_endpoint, parse_captured

BUILT = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "comments" / "douyin.json").read_text("utf-8")
)
CAPTURED = datetime(2026, 9, 25, tzinfo=UTC)
WORK = "7300000000000000001"


def test_top_level_page_with_inline_reply() -> None:
    page = parse_comments(BUILT["top"], captured_at=CAPTURED)
    first, preview, second = page.comments
    assert (first.platform_comment_id, first.platform_post_id) == ("7400000000000000001", WORK)
    assert (first.parent_comment_id, first.root_comment_id) == (None, None)
    assert (first.commenter_uid, first.commenter_name) == ("11001", "科普君")
    assert first.text == "讲得清楚 #千万IP创科普"
    assert first.hashtags == ["千万IP创科普"]  # text_extra first, the same tag in the text once
    assert first.published_at == datetime(2025, 9, 20, 2, 12, 1, tzinfo=UTC)
    assert (first.likes, first.reply_count) == (15, 2)
    assert (preview.parent_comment_id, preview.root_comment_id) == (
        "7400000000000000001",
        "7400000000000000001",
    )
    assert second.platform_comment_id == "7400000000000000003"
    assert [a.platform_uid for a in page.accounts] == ["11001", "11002", "11003"]
    assert page.accounts[0].url == "https://www.douyin.com/user/MS4wLjABAAAAsec11001"
    assert page.accounts[0].followers is None
    assert (page.has_more, page.cursor, page.claimed_total) == (True, "20", 57)
    (bad,) = page.rejects
    assert bad.location == "comments[2]" and "not-a-number" in bad.reason


def test_reply_page_parent_is_the_reply_answered() -> None:
    page = parse_comments(BUILT["replies"], captured_at=CAPTURED)
    (reply,) = page.comments
    assert (reply.parent_comment_id, reply.root_comment_id) == (
        "7400000000000000002",
        "7400000000000000001",
    )
    assert (page.has_more, page.cursor, page.claimed_total) == (False, None, 2)


def test_empty_page_and_error_body() -> None:
    empty = {"status_code": 0, "comments": None, "cursor": 0, "has_more": 0, "total": 0}
    page = parse_comments(empty, captured_at=CAPTURED, post_id=WORK)
    assert not page.comments and page.has_more is False and page.claimed_total == 0
    with pytest.raises(ParseError):
        parse_comments({"status_code": 5, "status_msg": "参数错误"}, captured_at=CAPTURED)
    with pytest.raises(ParseError, match="not a list"):
        parse_comments({"status_code": 0, "comments": {}}, captured_at=CAPTURED)


def test_comment_without_aweme_id_takes_the_request_post_id() -> None:
    body = json.loads(json.dumps(BUILT["replies"]))
    del body["comments"][0]["aweme_id"]
    assert parse_comments(body, captured_at=CAPTURED).rejects
    page = parse_comments(body, captured_at=CAPTURED, post_id=WORK)
    assert page.comments[0].platform_post_id == WORK


def test_captured_reply_url_routes_and_gives_the_thread() -> None:
    url = (
        "https://www.douyin.com/aweme/v1/web/comment/list/reply/?item_id=7300000000000000001"
        "&comment_id=7400000000000000001&cursor=0&count=20"
    )
    endpoint = find_endpoint(url)
    assert endpoint is not None and endpoint.name == "comment_replies"
    body = json.loads(json.dumps(BUILT["replies"]))
    body["comments"][0]["reply_id"] = "0"  # the thread is named only by the request
    del body["comments"][0]["aweme_id"]
    page = parse_captured(endpoint, body, url=url, captured_at=CAPTURED, source="capture")
    (reply,) = page.comments
    assert (reply.platform_post_id, reply.root_comment_id) == (WORK, "7400000000000000001")
    top = "https://www.douyin.com/aweme/v1/web/comment/list/?aweme_id=7300000000000000001&cursor=0"
    assert find_endpoint(top).name == "comments"  # type: ignore[union-attr]
