"""Weibo comment parser on hand-built bodies (tests/fixtures/comments/weibo.json, not real)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.weibo.comments import parse_comments
from tracker.errors import ParseError
from tracker.imports.routing import find_endpoint, parse_captured

BUILT = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "comments" / "weibo.json").read_text("utf-8")
)
CAPTURED = datetime(2026, 9, 25, tzinfo=UTC)
MID = "5000000000000001"


def test_hotflow_page_html_tags_and_inline_replies() -> None:
    page = parse_comments(BUILT["top"], captured_at=CAPTURED, post_id=MID)
    first, preview, second = page.comments
    assert (first.platform_comment_id, first.platform_post_id) == ("5001000000000001", MID)
    assert (first.parent_comment_id, first.root_comment_id) == (None, None)  # rootid == id
    assert first.text == "太棒了 #千万IP创科普# [笑cry]"  # link and emoji image stripped
    assert first.hashtags == ["#千万IP创科普#"]
    assert first.published_at == datetime(2026, 9, 20, 2, 12, 1, tzinfo=UTC)
    assert (first.likes, first.reply_count) == (12, 2)
    assert (preview.parent_comment_id, preview.root_comment_id) == (
        "5001000000000001",
        "5001000000000001",
    )
    assert second.platform_comment_id == "5001000000000003"  # an int id, as text
    followers = {a.platform_uid: a.followers for a in page.accounts}
    assert followers == {"7001": 12000, "7002": 3, "7003": 40}  # "1.2万" read as a count
    assert (page.has_more, page.cursor, page.claimed_total) == (True, "139000000000", 40)
    (bad,) = page.rejects
    assert bad.location == "data[2]" and "like_count" in bad.reason


def test_hot_flow_child_page_parent_and_end() -> None:
    page = parse_comments(BUILT["replies"], captured_at=CAPTURED, post_id=MID)
    answer, direct = page.comments
    assert (answer.parent_comment_id, answer.root_comment_id) == (
        "5001000000000002",  # reply_comment names the reply it answers
        "5001000000000001",
    )
    assert answer.text == "回复@路人甲:是的"
    assert (direct.parent_comment_id, direct.root_comment_id) == (
        "5001000000000001",
        "5001000000000001",
    )
    assert (page.has_more, page.cursor, page.claimed_total) == (False, None, 2)


def test_without_the_post_the_body_is_one_reject() -> None:
    page = parse_comments(BUILT["top"], captured_at=CAPTURED)
    assert not page.comments and len(page.rejects) == 1
    assert "names no post" in page.rejects[0].reason


def test_empty_end_and_error_bodies() -> None:
    page = parse_comments({"ok": 0, "msg": "快来发表你的评论吧"}, captured_at=CAPTURED, post_id=MID)
    assert page.has_more is False and not page.comments and not page.rejects
    with pytest.raises(ParseError):
        parse_comments({"ok": -100, "data": {"x": 1}}, captured_at=CAPTURED, post_id=MID)
    with pytest.raises(ParseError):
        parse_comments([1, 2], captured_at=CAPTURED, post_id=MID)


def test_captured_urls_route_with_post_and_thread() -> None:
    url = f"https://m.weibo.cn/comments/hotflow?id={MID}&mid={MID}&max_id_type=0"
    endpoint = find_endpoint(url)
    assert endpoint is not None and endpoint.name == "comments/hotflow"
    page = parse_captured(endpoint, BUILT["top"], url=url, captured_at=CAPTURED, source="capture")
    assert len(page.comments) == 3 and {c.platform_post_id for c in page.comments} == {MID}
    child = "https://m.weibo.cn/comments/hotFlowChild?cid=5001000000000001&max_id=0&max_id_type=0"
    endpoint = find_endpoint(child)
    assert endpoint is not None and endpoint.name == "comments/hotFlowChild"
    body = json.loads(json.dumps(BUILT["replies"]))
    for item in body["data"]:
        del item["rootid"]
    page = parse_comments(
        body, captured_at=CAPTURED, post_id=MID, root_comment_id="5001000000000001"
    )
    assert {c.root_comment_id for c in page.comments} == {"5001000000000001"}
    # through the capture door the child page has no post: one reject, with the reason
    page = parse_captured(endpoint, body, url=child, captured_at=CAPTURED, source="capture")
    assert not page.comments and "names no post" in page.rejects[0].reason
