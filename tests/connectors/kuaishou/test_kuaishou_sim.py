"""The Kuaishou simulator module: its pages parse back, with the real parser, to the world's posts."""

from __future__ import annotations

import json

import pytest
from ks_world import NOW, FakeContext, make_posts

from connectors.kuaishou.parse import (
    parse_graphql,
    parse_search_feed,
    parse_vision_profile,
    parse_vision_search_photo,
)
from connectors.kuaishou.signals import check_body
from tracker.errors import Blocked, LoginRequired, RateLimited
from tracker.signing.dev import dev_sign
from tracker.sim.model import SimRequest
from tracker.sim.platforms.kuaishou import SIM, KuaishouSim, display_count

PATH = "/rest/v/search/feed"


def rest_request(keyword: str, pcursor: str = "1", *, signed: bool = True) -> SimRequest:
    body = json.dumps(
        {"keyword": keyword, "pcursor": pcursor, "page": "search", "searchSessionId": ""},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    query = {"caver": "2"}
    if signed:
        query.update(dev_sign("kuaishou", query, body)["params"])
    return SimRequest("POST", PATH, query, {"content-type": "application/json"}, body)


def gql_request(operation: str, **variables) -> SimRequest:
    body = json.dumps({"operationName": operation, "variables": variables, "query": "..."}).encode()
    return SimRequest("POST", "/graphql", {}, {}, body)


def route(path: str):
    (handler,) = [r.handler for r in SIM.routes() if r.pattern.match(path)]
    return handler


def campaign_posts(ctx: FakeContext):
    return [
        p
        for p in ctx.search("kuaishou", "千万IP创科普", offset=0, limit=10_000)[0]
        if not p.deleted
    ]


def test_rest_pages_parse_back_to_the_world_exactly():
    ctx = FakeContext(make_posts())
    expected = {p.post_id: p for p in campaign_posts(ctx)}
    seen: list[str] = []
    pcursor = "1"
    pages = 0
    while pcursor != "no_more":
        response = route(PATH)(rest_request("千万IP创科普", pcursor), ctx)
        assert response.status == 200
        check_body(response.body)  # a served page is not an error
        page = parse_search_feed(response.body, captured_at=NOW)
        assert page.rejects == []
        for post in page.posts:
            sim = expected[post.platform_post_id]
            assert post.account_uid == sim.account.uid
            assert post.published_at == sim.published_at
            assert post.text == sim.text
            assert post.duration_s == sim.duration_s
            assert post.metrics.views == sim.metrics.views
            assert post.metrics.likes == sim.metrics.likes
            assert post.metrics.comments == sim.metrics.comments
            assert post.metrics.shares is None and post.metrics.favorites is None
            assert post.url == f"https://www.kuaishou.com/short-video/{sim.post_id}"
            for tag in sim.hashtags:
                assert tag in post.hashtags
        names = {a.platform_uid: a.name for a in page.accounts}
        assert all(
            names[p.account_uid] == expected[p.platform_post_id].account.name for p in page.posts
        )
        seen += [p.platform_post_id for p in page.posts]
        pcursor = page.cursor
        pages += 1
    assert pages == 3  # 46 matches (one deleted, not served) at 20 a page
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen)) == 45
    assert "3xdeleted0000001" not in seen and "3xothertopic0001" not in seen


def test_counts_are_rendered_the_kuaishou_way():
    ctx = FakeContext(make_posts())
    body = route(PATH)(rest_request("千万IP创科普"), ctx).body
    photo = body["feeds"][-1]["photo"]
    assert isinstance(photo["viewCount"], str) and photo["viewCount"].isdigit()
    assert isinstance(photo["realLikeCount"], int)
    big = next(f["photo"] for f in body["feeds"] if f["photo"]["realLikeCount"] >= 10_000)
    assert big["likeCount"].endswith("w")
    assert len(str(body["feeds"][0]["photo"]["timestamp"])) == 13  # ms
    long = next(f["photo"] for f in body["feeds"] if len(f["photo"]["originCaption"]) > 60)
    assert long["caption"].endswith("...") and len(long["caption"]) < len(long["originCaption"])


@pytest.mark.parametrize(
    "n, shown, parsed",
    [
        (9_999, "9999", 9_999),
        (10_000, "1w", 10_000),
        (16_999, "1.6w", 16_000),
        (1_698_123, "169.8w", 1_698_000),
    ],
)
def test_display_count(n, shown, parsed):
    from tracker.normalize.counts import parse_count

    assert display_count(n) == shown
    assert parse_count(shown) == parsed


def test_unsigned_or_wrongly_signed_search_is_answered_result_50():
    ctx = FakeContext(make_posts())
    unsigned = route(PATH)(rest_request("千万IP创科普", signed=False), ctx)
    assert unsigned.status == 200 and unsigned.body["result"] == 50
    with pytest.raises(Blocked, match="result 50"):
        check_body(unsigned.body)
    good = rest_request("千万IP创科普")
    tampered = SimRequest(
        good.method, good.path, good.query, good.headers, good.body.replace(b'"1"', b'"2"')
    )
    assert route(PATH)(tampered, ctx).body["result"] == 50
    assert ctx.search_calls == 0  # rejected before any work


def test_graphql_search_profile_and_detail():
    ctx = FakeContext(make_posts())
    gql = route("/graphql")
    body = gql(gql_request("visionSearchPhoto", keyword="千万ip创科普", pcursor="2"), ctx).body
    page = parse_vision_search_photo(body, captured_at=NOW)
    rest = parse_search_feed(
        route(PATH)(rest_request("千万IP创科普", "2"), ctx).body, captured_at=NOW
    )
    assert [p.platform_post_id for p in page.posts] == [p.platform_post_id for p in rest.posts]
    assert page.cursor == "3"

    account = make_posts()[0].account
    profile = gql(gql_request("visionProfile", userId=account.uid), ctx).body
    assert profile["data"]["visionProfile"]["userProfile"]["ownerCount"]["fan"] == "169.8w"
    (acc,) = parse_vision_profile(profile, captured_at=NOW).accounts
    assert acc.followers == 1_698_000 and acc.name == account.name
    exact = KuaishouSim(abbreviate_followers=False).graphql(
        gql_request("visionProfile", userId=account.uid), ctx
    )
    assert parse_graphql(exact.body, captured_at=NOW).accounts[0].followers == 1_698_123
    nobody = gql(gql_request("visionProfile", userId="3xnobody"), ctx).body
    assert parse_graphql(nobody, captured_at=NOW).accounts == []

    sim = make_posts()[4]
    detail = gql(gql_request("visionVideoDetail", photoId=sim.post_id), ctx).body
    (post,) = parse_graphql(detail, captured_at=NOW).posts
    assert post.metrics.likes == sim.metrics.likes and post.published_at == sim.published_at
    gone = gql(gql_request("visionVideoDetail", photoId="3xdeleted0000001"), ctx).body
    assert parse_graphql(gone, captured_at=NOW).posts == []

    unknown = gql(gql_request("visionNope"), ctx).body
    assert unknown["errors"] and unknown["data"] is None


def test_failure_signals_map_to_typed_errors():
    with pytest.raises(RateLimited):
        check_body(SIM.throttle_response().body)
    with pytest.raises(LoginRequired) as info:
        check_body(SIM.login_wall_response().body, cookie_variable="TRACKER_KUAISHOU_COOKIE")
    assert info.value.variable == "TRACKER_KUAISHOU_COOKIE"
    block = SIM.block_response()
    assert block.status == 200  # disguised as success
    with pytest.raises(Blocked, match="captcha"):
        check_body(block.body)
    # the same signals nested under a GraphQL operation are caught too
    with pytest.raises(RateLimited):
        check_body({"data": {"visionSearchPhoto": {"result": 2, "feeds": []}}})


def test_end_of_results_and_empty_keyword():
    ctx = FakeContext(make_posts())
    done = route(PATH)(rest_request("千万IP创科普", "no_more"), ctx).body
    assert done["feeds"] == [] and done["pcursor"] == "no_more"
    nothing = route(PATH)(rest_request("没有这个话题"), ctx).body
    page = parse_search_feed(nothing, captured_at=NOW)
    assert page.posts == [] and page.has_more is False
