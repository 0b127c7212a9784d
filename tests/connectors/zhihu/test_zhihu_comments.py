"""Zhihu comment parser on hand-built bodies (tests/fixtures/comments/zhihu.json, not real)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.zhihu.comments import parse_comments
from connectors.zhihu.parse import parse_any
from tracker.errors import ParseError
from tracker.imports.routing import find_endpoint, parse_captured

BUILT = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "comments" / "zhihu.json").read_text("utf-8")
)
CAPTURED = datetime(2026, 9, 25, tzinfo=UTC)
ANSWER = "3300000001"


def test_root_comment_page() -> None:
    page = parse_comments(BUILT["top"], captured_at=CAPTURED, post_id=ANSWER)
    first, preview, second = page.comments
    assert (first.platform_comment_id, first.platform_post_id) == ("11000000001", ANSWER)
    assert first.text == "说得好 #千万IP创科普"  # <p> stripped
    assert first.hashtags == ["#千万IP创科普"]
    assert (first.commenter_uid, first.commenter_name) == ("kepu-fan", "科普爱好者")
    assert (first.likes, first.reply_count) == (9, 2)
    assert first.published_at == datetime(2025, 9, 20, 2, 12, 1, tzinfo=UTC)
    assert (first.parent_comment_id, first.root_comment_id) == (None, None)
    assert (preview.parent_comment_id, preview.root_comment_id) == ("11000000001", "11000000001")
    # a first comment may name itself as its root: still top level
    assert (second.parent_comment_id, second.root_comment_id) == (None, None)
    assert second.commenter_uid == "c9d0e1f2"  # no url_token: the member id
    assert [a.platform_uid for a in page.accounts] == ["kepu-fan", "lu-ren", "c9d0e1f2"]
    assert (page.has_more, page.cursor, page.claimed_total) == (True, "20", 25)
    (bad,) = page.rejects
    assert bad.location == "data[2]" and "id missing" in bad.reason


def test_child_comment_page() -> None:
    page = parse_comments(
        BUILT["replies"], captured_at=CAPTURED, post_id=ANSWER, root_comment_id="11000000001"
    )
    (reply,) = page.comments
    assert (reply.parent_comment_id, reply.root_comment_id) == ("11000000002", "11000000001")
    assert (page.has_more, page.cursor, page.claimed_total) == (False, None, 2)


def test_opaque_offset_is_the_cursor() -> None:
    body = json.loads(json.dumps(BUILT["top"]))
    body["paging"]["next"] = (
        f"https://www.zhihu.com/api/v4/comment_v5/answers/{ANSWER}/root_comment"
        "?limit=10&offset=456770961_10125996085_0&order_by=score"
    )
    page = parse_comments(body, captured_at=CAPTURED, post_id=ANSWER)
    assert (page.has_more, page.cursor) == (True, "456770961_10125996085_0")


def test_the_work_comes_from_the_comment_url_when_not_given() -> None:
    page = parse_comments(BUILT["top"], captured_at=CAPTURED)
    assert page.comments[0].platform_post_id == ANSWER
    assert any("names no work" in r.reason for r in page.rejects)  # the second has no url


def test_error_bodies_raise_parse_error() -> None:
    with pytest.raises(ParseError, match="error body"):
        parse_comments({"error": {"code": 4041, "message": "资源不存在"}}, captured_at=CAPTURED)
    with pytest.raises(ParseError, match="not a list"):
        parse_comments({"data": {"x": 1}, "paging": {}}, captured_at=CAPTURED)


def test_captured_urls_route_with_the_path_ids() -> None:
    url = f"https://www.zhihu.com/api/v4/comment_v5/answers/{ANSWER}/root_comment?order_by=score&limit=20&offset="
    endpoint = find_endpoint(url)
    assert endpoint is not None and endpoint.name == "comments"
    body = json.loads(json.dumps(BUILT["top"]))
    del body["data"][0]["url"]
    page = parse_captured(endpoint, body, url=url, captured_at=CAPTURED, source="capture")
    assert len(page.comments) == 3 and {c.platform_post_id for c in page.comments} == {ANSWER}
    child = "https://www.zhihu.com/api/v4/comment_v5/comment/11000000001/child_comment?order_by=ts"
    endpoint = find_endpoint(child)
    assert endpoint is not None and endpoint.name == "comment replies"
    body = json.loads(json.dumps(BUILT["replies"]))
    body["data"][0]["reply_root_comment_id"] = "0"
    body["data"][0]["url"] = (
        f"https://www.zhihu.com/api/v4/comment_v5/answers/{ANSWER}/root_comment/x"
    )
    page = parse_captured(endpoint, body, url=child, captured_at=CAPTURED, source="capture")
    assert page.comments[0].root_comment_id == "11000000001"


def test_saved_comment_page_parses_as_comments() -> None:
    page = parse_any(BUILT["top"], captured_at=CAPTURED)
    assert len(page.comments) == 2 and not page.posts
