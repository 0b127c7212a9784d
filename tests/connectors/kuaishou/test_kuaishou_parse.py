"""Kuaishou parse half on hand-built bodies (no real Kuaishou body is public; see PROVENANCE.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.kuaishou.parse import (
    ENDPOINTS,
    parse_graphql,
    parse_search_feed,
    parse_vision_profile,
    parse_vision_search_photo,
    parse_vision_video_detail,
    unwrap,
)
from tracker.errors import ParseError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "kuaishou"
CAPTURED = datetime(2024, 9, 20, 4, 0, tzinfo=UTC)


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_rest_search_feed_fields_read_by_hand():
    page = parse_search_feed(load("rest_search_feed_page1.json"), captured_at=CAPTURED)
    assert [p.platform_post_id for p in page.posts] == ["3xa7hvqbt9rg9my", "3xq5w8e2r7t1y4u"]
    first, second = page.posts
    assert first.platform == "kuaishou"
    assert first.account_uid == "3x27q2f82gnxn4e"
    assert first.url == "https://www.kuaishou.com/short-video/3xa7hvqbt9rg9my"
    assert first.title is None
    assert first.text == "秋分到了，昼夜平分的秘密是什么？#千万IP创科普 #科普"
    assert first.content_type == "video"
    assert first.published_at == datetime(2024, 9, 14, 4, 57, 14, 478000, tzinfo=UTC)
    assert first.duration_s == 10  # 9800 ms
    assert first.metrics.likes == 7610
    assert first.metrics.views == 154028
    assert first.metrics.comments == 86
    assert first.metrics.shares is None and first.metrics.favorites is None
    assert first.followers_at_capture is None  # never in search results
    # structured tag first, then tags written in the caption, one spelling per key
    assert first.hashtags == ["千万IP创科普", "#科普"]
    assert first.source == "live"
    assert first.captured_at == CAPTURED


def test_display_counts_and_untruncated_caption():
    page = parse_search_feed(load("rest_search_feed_page1.json"), captured_at=CAPTURED)
    second = page.posts[1]
    assert second.metrics.likes == 12000  # likeCount "1.2w", no realLikeCount
    assert second.metrics.views == 86000  # viewCount "8.6万"
    assert second.metrics.comments is None  # commentCount absent: unknown, not 0
    assert second.text.endswith("防御要点 #千万ip创科普 #防灾减灾")  # originCaption wins
    assert second.hashtags == ["#千万ip创科普", "#防灾减灾"]
    assert second.duration_s == 62  # 61500 ms, half up
    assert second.published_at == datetime(2024, 9, 15, 0, 50, tzinfo=UTC)


def test_malformed_items_are_rejected_and_the_rest_parses():
    page = parse_search_feed(load("rest_search_feed_page1.json"), captured_at=CAPTURED)
    assert len(page.posts) == 2
    assert len(page.rejects) == 2
    live, bad = page.rejects
    assert "no photo object" in live.reason and "type=6" in live.reason
    assert live.location == "feeds[2]" and live.platform == "kuaishou"
    assert json.loads(live.payload)["liveStream"]["id"] == "live_3x27q2f82gnxn4e"
    assert "很多" in bad.reason and bad.location == "feeds[3]"
    assert json.loads(bad.payload)["photo"]["id"] == "3xbadviewcount01"


def test_accounts_and_pagination():
    page = parse_search_feed(load("rest_search_feed_page1.json"), captured_at=CAPTURED)
    assert {a.platform_uid: a.name for a in page.accounts} == {
        "3x27q2f82gnxn4e": "广州科普君",
        "3xk9m2p7a4s6d8f": "深圳气象科普",
    }
    assert page.accounts[0].url == "https://www.kuaishou.com/profile/3x27q2f82gnxn4e"
    assert page.accounts[0].followers is None
    assert page.has_more is True and page.cursor == "2"
    last = parse_search_feed(load("rest_search_feed_last.json"), captured_at=CAPTURED)
    assert last.has_more is False and last.cursor == "no_more"
    assert last.posts[0].published_at == datetime(2024, 9, 16, 3, 0, 0, 123000, tzinfo=UTC)
    assert last.posts[0].hashtags == ["#千万IP创科普#"]


def test_graphql_search_reads_the_same_feeds():
    body = load("graphql_vision_search_photo.json")
    rest = parse_search_feed(load("rest_search_feed_page1.json"), captured_at=CAPTURED)
    for page in (
        parse_vision_search_photo(body, captured_at=CAPTURED),
        parse_graphql(body, captured_at=CAPTURED),
    ):
        assert [p.platform_post_id for p in page.posts] == [p.platform_post_id for p in rest.posts]
        assert page.posts[0].metrics == rest.posts[0].metrics
        assert page.has_more is True and page.cursor == "2"


def test_vision_profile_follower_string():
    page = parse_vision_profile(load("graphql_vision_profile.json"), captured_at=CAPTURED)
    (account,) = page.accounts
    assert account.platform_uid == "3x27q2f82gnxn4e"
    assert account.name == "广州科普君"
    assert account.followers == 1_698_000  # "169.8w"
    assert account.seen_at == CAPTURED
    assert parse_graphql(load("graphql_vision_profile.json"), captured_at=CAPTURED).accounts


def test_vision_profile_unknown_user_and_bad_fan():
    empty = {"data": {"visionProfile": {"result": 1, "userProfile": None}}}
    assert parse_vision_profile(empty, captured_at=CAPTURED).accounts == []
    bad = load("graphql_vision_profile.json")
    bad["data"]["visionProfile"]["userProfile"]["ownerCount"]["fan"] = "好多"
    page = parse_vision_profile(bad, captured_at=CAPTURED)
    assert page.accounts[0].followers is None
    assert "好多" in page.rejects[0].reason


def test_video_detail_and_deleted_detail():
    page = parse_vision_video_detail(load("graphql_vision_video_detail.json"), captured_at=CAPTURED)
    (post,) = page.posts
    assert post.platform_post_id == "3xa7hvqbt9rg9my"
    assert post.metrics.likes == 7610 and post.metrics.views == 154028
    gone = {"data": {"visionVideoDetail": {"status": 1, "photo": None, "author": None}}}
    assert parse_graphql(gone, captured_at=CAPTURED).posts == []


def test_odd_time_and_html_caption():
    body = load("rest_search_feed_last.json")
    photo = body["feeds"][0]["photo"]
    photo["timestamp"] = "1726455600"  # seconds, as a digit string
    photo["originCaption"] = '蓝天<em class="keyword">千万IP创科普</em> &amp; 光的散射<br>'
    page = parse_search_feed(body, captured_at=CAPTURED)
    post = page.posts[0]
    assert post.published_at == datetime(2024, 9, 16, 3, 0, tzinfo=UTC)
    assert post.text == "蓝天千万IP创科普 & 光的散射"
    photo["timestamp"] = "上周"
    page = parse_search_feed(body, captured_at=CAPTURED)
    assert page.posts == [] and "上周" in page.rejects[0].reason


def test_missing_metrics_stay_none():
    body = {
        "result": 1,
        "pcursor": "no_more",
        "feeds": [{"type": 1, "author": {"id": "3xabc"}, "photo": {"id": "3xnometrics"}}],
    }
    (post,) = parse_search_feed(body, captured_at=CAPTURED).posts
    assert post.metrics.views is None and post.metrics.likes is None
    assert post.metrics.comments is None
    assert post.published_at is None and post.duration_s is None and post.text is None


def test_third_party_envelope_is_unwrapped():
    inner = load("rest_search_feed_last.json")
    wrapped = {"code": 200, "router": "/api/v1/kuaishou/web/search", "data": inner}
    assert unwrap(wrapped) is inner
    page = parse_search_feed(wrapped, captured_at=CAPTURED, source="import")
    assert page.posts[0].platform_post_id == "3xz1x2c3v4b5n6m"
    assert page.posts[0].source == "import"
    gql = {"code": 200, "data": load("graphql_vision_profile.json")}
    assert parse_graphql(gql, captured_at=CAPTURED).accounts[0].followers == 1_698_000


@pytest.mark.parametrize(
    "body, message",
    [
        ({"result": 2, "error_msg": "请求太频繁"}, "result=2 (rate limited)"),
        ({"result": 50}, "result=50"),
        ({"result": 1, "feeds": {"not": "a list"}}, "feeds is not a list"),
        ({"hello": "world"}, "no 'feeds'"),
        (["not", "an", "object"], "expected a JSON object"),
    ],
)
def test_bodies_of_the_wrong_shape_raise_parse_error(body, message):
    with pytest.raises(ParseError, match="kuaishou") as info:
        parse_search_feed(body, captured_at=CAPTURED)
    assert message in str(info.value)


def test_graphql_errors_and_unknown_operation_raise():
    with pytest.raises(ParseError, match="errors"):
        parse_graphql({"errors": [{"message": "boom"}], "data": None}, captured_at=CAPTURED)
    with pytest.raises(ParseError, match="unknown operation"):
        parse_graphql({"data": {"visionSomethingElse": {}}}, captured_at=CAPTURED)
    with pytest.raises(ParseError, match="null"):
        parse_vision_search_photo({"data": {"visionSearchPhoto": None}}, captured_at=CAPTURED)


@pytest.mark.parametrize(
    "url, name",
    [
        ("https://www.kuaishou.com/rest/v/search/feed?__NS_hxfalcon=abc&caver=2", "search_feed"),
        ("https://www.kuaishou.com/graphql", "graphql"),
        ("http://127.0.0.1:8765/kuaishou/rest/v/search/feed?caver=2", "search_feed"),
        ("http://127.0.0.1:8765/kuaishou/graphql", "graphql"),
    ],
)
def test_endpoints_route_real_and_simulator_urls(url, name):
    assert [e.name for e in ENDPOINTS if e.matches(url)] == [name]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.kuaishou.com/short-video/3xa7hvqbt9rg9my",
        "https://api.github.com/graphql",
        "https://www.kuaishou.com/rest/v/search/feedback",
    ],
)
def test_endpoints_ignore_other_urls(url):
    assert not any(e.matches(url) for e in ENDPOINTS)
