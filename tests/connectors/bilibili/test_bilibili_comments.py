"""Bilibili comment parser: the real reply page (tests/fixtures/real/bilibili, see PROVENANCE.md)
and hand-built bodies (tests/fixtures/comments/bilibili.json, not real)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.bilibili.comments import parse_comments, work_id
from connectors.bilibili.ids import aid_to_bvid
from tracker.errors import ParseError
from tracker.imports.routing import find_endpoint, parse_captured

FIXTURES = Path(__file__).parents[2] / "fixtures"
REAL = FIXTURES / "real" / "bilibili" / "reply_reply_av201022189_root3030790837.json"
BUILT = json.loads((FIXTURES / "comments" / "bilibili.json").read_text(encoding="utf-8"))
CAPTURED = datetime(2026, 9, 25, tzinfo=UTC)
VIDEO = aid_to_bvid(201022189)


def _real() -> dict:
    return json.loads(REAL.read_text(encoding="utf-8"))


def test_real_reply_page_threads_and_values() -> None:
    page = parse_comments(_real(), captured_at=CAPTURED)
    assert not page.rejects
    got = [(c.platform_comment_id, c.parent_comment_id, c.root_comment_id) for c in page.comments]
    assert got == [
        ("3030790837", None, None),  # data.root: the thread's first comment
        ("3030802207", "3030790837", "3030790837"),
        ("3030810089", "3030802207", "3030790837"),  # answers a reply, not the root
        ("3030843245", "3030790837", "3030790837"),
        ("3030881609", "3030802207", "3030790837"),
        ("3030978856", "3030790837", "3030790837"),
    ]
    assert {c.platform_post_id for c in page.comments} == {VIDEO}  # oid 201022189 -> bvid
    root = page.comments[0]
    assert (root.commenter_uid, root.commenter_name) == ("342581997", "VAN样斯基")
    assert root.text == "去P站当然只是为了学习啊[doge]"
    assert (root.likes, root.reply_count) == (8018, 230)
    assert root.published_at == datetime(2020, 6, 13, 3, 11, 49, tzinfo=UTC)  # ctime 1592017909
    assert page.comments[3].likes == 588 and page.comments[3].commenter_name == "浪潮工作室"
    # page{count 230, num 1, size 5}: more pages, the next is 2
    assert (page.has_more, page.cursor, page.claimed_total) == (True, "2", 230)


def test_real_reply_page_commenters_once_each() -> None:
    page = parse_comments(_real(), captured_at=CAPTURED)
    uids = [a.platform_uid for a in page.accounts]
    assert uids == ["342581997", "172604528", "92586428", "393121222", "11814633"]
    lab = page.accounts[2]
    assert (lab.name, lab.verified, lab.verify_type) == ("浪潮工作室", True, "personal")
    assert lab.url == "https://space.bilibili.com/92586428" and lab.followers is None


def test_post_id_wins_over_the_oid() -> None:
    page = parse_comments(_real(), captured_at=CAPTURED, post_id="BV1xx411c7mD")
    assert {c.platform_post_id for c in page.comments} == {"BV1xx411c7mD"}
    assert work_id("av170001") == work_id(170001) == aid_to_bvid(170001)


def test_built_top_level_page() -> None:
    page = parse_comments(BUILT["top"], captured_at=CAPTURED)
    first, preview, plain = page.comments
    assert (first.platform_comment_id, first.parent_comment_id, first.root_comment_id) == (
        "90000000001",
        None,
        None,
    )
    assert first.hashtags == ["#千万IP创科普#"]
    assert (first.likes, first.reply_count) == (33, 2)
    assert (preview.platform_comment_id, preview.parent_comment_id, preview.root_comment_id) == (
        "90000000002",
        "90000000001",
        "90000000001",
    )
    assert plain.text == "a <b> c"  # plain text: never HTML-stripped
    assert first.platform_post_id == aid_to_bvid(170001)
    assert (page.has_more, page.cursor, page.claimed_total) == (True, "2", 120)
    assert len(page.rejects) == 1 and page.rejects[0].location == "data.replies[2]"
    assert "rpid" in page.rejects[0].reason


def test_built_reply_page_is_the_last() -> None:
    page = parse_comments(BUILT["replies"], captured_at=CAPTURED)
    (reply,) = page.comments
    assert (reply.parent_comment_id, reply.root_comment_id) == ("90000000002", "90000000001")
    assert (page.has_more, page.cursor, page.claimed_total) == (False, None, 2)


def test_error_and_malformed_bodies_raise_parse_error() -> None:
    with pytest.raises(ParseError, match="12002"):
        parse_comments({"code": 12002, "message": "评论区已关闭"}, captured_at=CAPTURED)
    body = copy.deepcopy(BUILT["top"])
    body["data"]["replies"] = "x"
    with pytest.raises(ParseError, match="not a list"):
        parse_comments(body, captured_at=CAPTURED)


def test_a_comment_outside_a_video_needs_the_post_id() -> None:
    body = copy.deepcopy(BUILT["replies"])
    body["data"]["replies"][0]["type"] = 17  # a dynamic's comment area: oid is no aid
    page = parse_comments(body, captured_at=CAPTURED)
    assert not page.comments and "type 17" in page.rejects[0].reason


@pytest.mark.parametrize(
    "url",
    [
        "https://api.bilibili.com/x/v2/reply/reply?type=1&oid=201022189&root=3030790837&ps=5&pn=1",
        "https://api.bilibili.com/x/v2/reply/wbi/main?oid=201022189&type=1&mode=3&w_rid=x&wts=1",
        "https://api.bilibili.com/x/v2/reply/main?oid=201022189&type=1&next=0",
    ],
)
def test_captured_comment_urls_route_to_the_comment_parser(url: str) -> None:
    endpoint = find_endpoint(url)
    assert endpoint is not None and endpoint.platform == "bilibili"
    body = _real()
    for item in [body["data"]["root"], *body["data"]["replies"]]:
        del item["oid"]  # the URL's oid alone names the work
    page = parse_captured(endpoint, body, url=url, captured_at=CAPTURED, source="capture")
    assert len(page.comments) == 6 and not page.rejects
    assert {c.platform_post_id for c in page.comments} == {VIDEO}
    assert {c.source for c in page.comments} == {"capture"}


def test_saved_reply_page_imports_as_comments() -> None:
    from connectors.bilibili.parse import parse_any

    page = parse_any(_real(), captured_at=CAPTURED)
    assert len(page.comments) == 6 and not page.posts and len(page.accounts) == 5
