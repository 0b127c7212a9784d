"""Xiaohongshu comment parser on hand-built bodies (tests/fixtures/comments/xiaohongshu.json,
not real)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.xiaohongshu.comments import parse_comments
from connectors.xiaohongshu.parse import parse_any
from tracker.errors import ParseError
from tracker.imports.routing import detect_body_platform, find_endpoint, parse_captured

BUILT = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "comments" / "xiaohongshu.json").read_text("utf-8")
)
CAPTURED = datetime(2026, 9, 25, tzinfo=UTC)
NOTE = "66bb00000000000000000001"
ROOT = "66aa00000000000000000001"


def test_comment_page() -> None:
    page = parse_comments(BUILT["top"], captured_at=CAPTURED)
    first, preview, second = page.comments
    assert (first.platform_comment_id, first.platform_post_id) == (ROOT, NOTE)
    assert (first.parent_comment_id, first.root_comment_id) == (None, None)
    assert first.text == "收藏了 #千万IP创科普[话题]#"
    assert first.hashtags == ["#千万IP创科普[话题]#"]
    assert (first.likes, first.reply_count) == (12, 3)  # strings "12", "3"
    assert first.published_at == datetime(2025, 9, 20, 2, 12, 1, tzinfo=UTC)  # ms
    assert (preview.parent_comment_id, preview.root_comment_id) == (ROOT, ROOT)
    assert second.likes == 12000  # "1.2万"
    assert [a.name for a in page.accounts] == ["小红薯A", "小红薯B", "小红薯C"]
    assert page.accounts[0].url.endswith("/user/profile/5f0000000000000000000001")
    assert (page.has_more, page.cursor) == (True, "66aa00000000000000000004")
    (bad,) = page.rejects
    assert "create_time" in bad.reason and bad.location == "data.comments[2]"


def test_sub_page_parent_is_the_target_comment() -> None:
    page = parse_comments(BUILT["replies"], captured_at=CAPTURED, root_comment_id=ROOT)
    (reply,) = page.comments
    assert (reply.parent_comment_id, reply.root_comment_id) == ("66aa00000000000000000002", ROOT)
    assert (page.has_more, page.cursor) == (False, None)


def test_error_codes_raise_parse_error() -> None:
    with pytest.raises(ParseError, match="-100"):
        parse_comments({"code": -100, "success": False, "msg": "登录已过期"}, captured_at=CAPTURED)
    with pytest.raises(ParseError, match="not a list"):
        parse_comments({"code": 0, "data": {"comments": "x"}}, captured_at=CAPTURED)


def test_captured_sub_page_gets_note_and_thread_from_the_url() -> None:
    url = (
        f"https://edith.xiaohongshu.com/api/sns/web/v2/comment/sub/page?note_id={NOTE}"
        f"&root_comment_id={ROOT}&num=10&cursor="
    )
    endpoint = find_endpoint(url)
    assert endpoint is not None and endpoint.name == "comment_replies"
    body = json.loads(json.dumps(BUILT["replies"]))
    del body["data"]["comments"][0]["note_id"]
    page = parse_captured(endpoint, body, url=url, captured_at=CAPTURED, source="capture")
    (reply,) = page.comments
    assert (reply.platform_post_id, reply.root_comment_id) == (NOTE, ROOT)
    top = f"https://edith.xiaohongshu.com/api/sns/web/v2/comment/page?note_id={NOTE}&cursor="
    assert find_endpoint(top).name == "comments"  # type: ignore[union-attr]


def test_saved_comment_page_is_recognised_and_parsed() -> None:
    assert detect_body_platform(BUILT["top"]) == "xiaohongshu"
    page = parse_any(BUILT["top"], captured_at=CAPTURED)
    assert len(page.comments) == 3 and not page.posts
