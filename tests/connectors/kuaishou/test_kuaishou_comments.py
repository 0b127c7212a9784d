"""Kuaishou comment parser: hand-built bodies (tests/fixtures/comments/kuaishou.json, not real)
and the real V2 comment page in tests/fixtures/real/kuaishou (see its PROVENANCE.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.kuaishou.comments import parse_comments
from connectors.kuaishou.parse import parse_graphql
from tracker.errors import ParseError
from tracker.imports.routing import find_endpoint, parse_captured

FIXTURES = Path(__file__).parents[2] / "fixtures"
BUILT = json.loads((FIXTURES / "comments" / "kuaishou.json").read_text("utf-8"))
REAL_V2 = FIXTURES / "real" / "kuaishou" / "graphql_vision_comment_list_v2.json"
CAPTURED = datetime(2026, 9, 25, tzinfo=UTC)
PHOTO = "3xphoto0001"


def test_top_level_page() -> None:
    page = parse_comments(BUILT["top"], captured_at=CAPTURED, post_id=PHOTO)
    first, preview, second = page.comments
    assert (first.platform_comment_id, first.platform_post_id) == ("1020000000001", PHOTO)
    assert (first.parent_comment_id, first.root_comment_id) == (None, None)
    assert (first.commenter_uid, first.commenter_name) == ("3xauthor0001", "科普迷")
    assert first.likes == 12034  # realLikedCount, not the display "1.2w"
    assert (first.reply_count, first.hashtags) == (3, ["#千万IP创科普"])
    assert first.published_at == datetime(2025, 9, 20, 2, 12, 1, tzinfo=UTC)  # ms
    assert (preview.parent_comment_id, preview.root_comment_id) == (
        "1020000000001",
        "1020000000001",
    )
    assert second.likes == 0
    assert [a.platform_uid for a in page.accounts] == [
        "3xauthor0001",
        "3xauthor0002",
        "3xauthor0003",
    ]
    assert page.accounts[0].url == "https://www.kuaishou.com/profile/3xauthor0001"
    assert (page.has_more, page.cursor, page.claimed_total) == (True, "1019000000001", 88)
    (bad,) = page.rejects
    assert "commentId missing" in bad.reason and bad.location.endswith("rootComments[2]")


def test_reply_page_thread_from_the_request() -> None:
    page = parse_comments(
        BUILT["replies"], captured_at=CAPTURED, post_id=PHOTO, root_comment_id="1020000000001"
    )
    (reply,) = page.comments
    assert (reply.parent_comment_id, reply.root_comment_id) == ("1020000000001", "1020000000001")
    assert (page.has_more, page.cursor) == (False, None)


def test_real_v2_page_with_the_work_from_the_request() -> None:
    body = json.loads(REAL_V2.read_text("utf-8"))
    page = parse_comments(body, captured_at=CAPTURED, post_id="3xfg9g3udsuzi7e")
    assert len(page.comments) == 13 and not page.rejects
    first = page.comments[0]
    assert (first.platform_comment_id, first.commenter_uid, first.commenter_name) == (
        "1130296123522",
        "3xekbxzff38b4ge",
        "刚睡醒又困",
    )
    assert (first.text, first.likes) == ("体考已过", 0)  # likedCount "0", a string
    assert first.published_at == datetime(2026, 5, 9, 15, 17, 5, 133000, tzinfo=UTC)
    assert all(c.parent_comment_id is None for c in page.comments)
    assert (page.has_more, page.cursor, page.claimed_total) == (True, "1018377092626", 43295)


def test_without_the_work_the_body_is_one_reject() -> None:
    page = parse_comments(BUILT["top"], captured_at=CAPTURED)
    assert not page.comments and len(page.rejects) == 1
    assert "names no work" in page.rejects[0].reason


def test_malformed_bodies_raise_parse_error() -> None:
    with pytest.raises(ParseError, match="errors"):
        parse_comments({"errors": [{"message": "need captcha"}]}, captured_at=CAPTURED)
    with pytest.raises(ParseError, match="not a list"):
        parse_comments(
            {"data": {"visionCommentList": {"rootComments": {}}}}, captured_at=CAPTURED, post_id="x"
        )


def test_graphql_capture_routes_with_the_request_variables() -> None:
    url = "https://www.kuaishou.com/graphql"
    endpoint = find_endpoint(url)
    assert endpoint is not None
    request = json.dumps(
        {
            "operationName": "visionSubCommentList",
            "variables": {"photoId": PHOTO, "rootCommentId": "1020000000001", "pcursor": ""},
            "query": "mutation visionSubCommentList(...) {...}",
        }
    )
    page = parse_captured(
        endpoint,
        BUILT["replies"],
        url=url,
        captured_at=CAPTURED,
        source="capture",
        request_body=request,
    )
    (reply,) = page.comments
    assert (reply.platform_post_id, reply.root_comment_id) == (PHOTO, "1020000000001")
    # the other operations on the same URL are unaffected
    assert parse_graphql({"data": {"visionVideoDetail": None}}, captured_at=CAPTURED).posts == []


def test_har_entry_passes_its_request_variables(tmp_path: Path) -> None:
    from tracker.imports.har import read_har

    request = {"operationName": "commentListQuery", "variables": {"photoId": PHOTO, "pcursor": ""}}
    entry = {
        "startedDateTime": "2026-09-25T08:00:00.000Z",
        "request": {
            "method": "POST",
            "url": "https://www.kuaishou.com/graphql",
            "postData": {"mimeType": "application/json", "text": json.dumps(request)},
        },
        "response": {
            "status": 200,
            "content": {"mimeType": "application/json", "text": json.dumps(BUILT["top"])},
        },
    }
    har = tmp_path / "ks.har"
    har.write_text(json.dumps({"log": {"entries": [entry]}}), encoding="utf-8")
    (chunk,) = read_har(har, label="ks.har", fallback_time=CAPTURED)
    assert chunk.page is not None
    assert len(chunk.page.comments) == 3
    assert {c.platform_post_id for c in chunk.page.comments} == {PHOTO}
