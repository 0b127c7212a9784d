"""The Bilibili simulator module: real shapes, exact WBI check, and the parser reading it back."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from connectors.bilibili import wbi
from connectors.bilibili.parse import parse_search_type, parse_view
from connectors.bilibili.signals import VoucherBlocked, check_body
from tracker.errors import LoginRequired, RateLimited
from tracker.normalize.tags import tag_key
from tracker.sim.model import SimMetrics, SimRequest
from tracker.sim.platforms.bilibili import SIM, wbi_keys

SEARCH = "/x/web-interface/wbi/search/type"
COOKIE = {"Cookie": "buvid3=ABCDEF01-2345-4678-9ABC-DEF012345678123456infoc"}


def route(path: str):
    for r in SIM.routes():
        if r.method == "GET" and r.pattern.match(path):
            return r.handler
    raise AssertionError(f"no route for {path}")


def search(ctx, *, keys=None, headers=COOKIE, **params):
    img, sub = keys or wbi_keys(ctx)
    query = wbi.sign(
        {"search_type": "video", "order": "pubdate", **params}, img, sub, wts=1726833600
    )
    return route(SEARCH)(SimRequest("GET", SEARCH, query, headers), ctx)


def world(kit, n: int = 3):
    t0 = datetime(2024, 9, 18, 2, 30, tzinfo=UTC)
    posts = [kit.make_post(113000000000001 + i * 7, t0 + timedelta(hours=5 * i)) for i in range(n)]
    return posts, kit.FakeContext(posts, kit.NOW)


def test_nav_serves_the_days_keys(kit):
    _, ctx = world(kit)
    body = route("/x/web-interface/nav")(
        SimRequest("GET", "/x/web-interface/nav", {}, {}), ctx
    ).body
    assert body["code"] == -101 and body["data"]["isLogin"] is False
    assert wbi.keys_from_nav(body) == wbi_keys(ctx)
    tomorrow = kit.FakeContext([], kit.NOW + timedelta(days=1))
    assert wbi_keys(tomorrow) != wbi_keys(ctx)  # keys rotate with the virtual day


def test_search_round_trip_reads_back_the_sim_posts(kit):
    posts, ctx = world(kit, 3)
    response = search(ctx, keyword="千万IP创科普", page=1)
    assert response.status == 200
    body = response.body
    assert body["code"] == 0
    item = body["data"]["result"][0]
    assert '<em class="keyword">' not in item["title"]  # the keyword is not in this title
    assert item["duration"] == "12:34" and isinstance(item["pubdate"], int)
    page = parse_search_type(body, captured_at=kit.NOW)
    assert page.claimed_total == 3 and page.has_more is False and not page.rejects
    newest_first = sorted(posts, key=lambda p: p.published_at, reverse=True)
    assert [p.platform_post_id for p in page.posts] == [p.post_id for p in newest_first]
    for record, sim in zip(page.posts, newest_first, strict=True):
        assert record.title == sim.title  # escaped in the body, unescaped by the parser
        assert record.text == sim.text
        assert record.published_at == sim.published_at
        assert record.duration_s == sim.duration_s
        assert record.account_uid == sim.account.uid
        m = sim.metrics
        assert (
            record.metrics.views,
            record.metrics.likes,
            record.metrics.comments,
            record.metrics.favorites,
        ) == (
            m.views,
            m.likes,
            m.comments,
            m.favorites,
        )
        assert record.metrics.shares is None  # search has no share count
        assert {tag_key(h) for h in record.hashtags} >= {tag_key(h) for h in sim.hashtags}
    assert page.accounts[0].name == "广东科普君"


def test_keyword_is_highlighted_like_the_real_search(kit):
    posts, ctx = world(kit, 1)
    ctx.posts[0] = kit.make_post(113000000000001, posts[0].published_at, title="千万IP创科普：台风")
    body = search(ctx, keyword="千万IP创科普", page=1).body
    assert body["data"]["result"][0]["title"] == '<em class="keyword">千万IP创科普</em>：台风'
    assert parse_search_type(body, captured_at=kit.NOW).posts[0].title == "千万IP创科普：台风"


def test_wrong_or_missing_signature_gets_the_disguised_block(kit):
    _, ctx = world(kit)
    bad = search(ctx, keys=("0" * 32, "1" * 32), keyword="千万IP创科普", page=1)
    assert bad.status == 200
    assert bad.body["code"] == 0 and bad.body["data"]["v_voucher"].startswith("voucher_")
    assert "result" not in bad.body["data"]
    with pytest.raises(VoucherBlocked):
        check_body(bad.body)
    unsigned = route(SEARCH)(
        SimRequest("GET", SEARCH, {"keyword": "x", "search_type": "video"}, COOKIE), ctx
    )
    assert "v_voucher" in unsigned.body["data"]
    # a signature hashed over form encoding ('+' for a space: the %20 trap) is refused too
    img, sub = wbi_keys(ctx)
    params = {"search_type": "video", "keyword": "千万 IP 创科普", "wts": "1726833600"}
    form = urlencode(sorted(params.items()))
    trap = {**params, "w_rid": hashlib.md5((form + wbi.mixin_key(img, sub)).encode()).hexdigest()}
    assert "v_voucher" in route(SEARCH)(SimRequest("GET", SEARCH, trap, COOKIE), ctx).body["data"]
    right = wbi.sign(
        {"search_type": "video", "keyword": "千万 IP 创科普"}, img, sub, wts=1726833600
    )
    assert "result" in route(SEARCH)(SimRequest("GET", SEARCH, right, COOKIE), ctx).body["data"]


def test_yesterdays_keys_still_work(kit):
    _, ctx = world(kit)
    yesterday = wbi_keys(ctx, -1)
    assert (
        search(ctx, keys=yesterday, keyword="千万IP创科普", page=1).body["data"].get("result")
        is not None
    )


def test_no_buvid3_is_intercepted(kit):
    _, ctx = world(kit)
    response = search(ctx, headers={}, keyword="千万IP创科普", page=1)
    assert response.status == 412 and response.body["code"] == -412
    with pytest.raises(RateLimited):
        check_body(response.body)


def test_cap_of_1000_and_50_pages(kit):
    t0 = datetime(2024, 9, 1, tzinfo=UTC)
    posts = [kit.make_post(113000000000001 + i, t0 + timedelta(minutes=i)) for i in range(1030)]
    ctx = kit.FakeContext(posts, kit.NOW)
    first = search(ctx, keyword="千万IP创科普", page=1).body["data"]
    assert (first["numResults"], first["numPages"], len(first["result"])) == (1000, 50, 20)
    last = search(ctx, keyword="千万IP创科普", page=50).body["data"]
    assert len(last["result"]) == 20 and "next" not in last
    beyond = search(ctx, keyword="千万IP创科普", page=51).body["data"]
    assert beyond["result"] == []
    page = parse_search_type(search(ctx, keyword="千万IP创科普", page=50).body, captured_at=kit.NOW)
    assert page.has_more is False


def test_pubtime_window_is_inclusive_and_filters(kit):
    posts, ctx = world(kit, 3)  # 02:30, 07:30, 12:30 on 2024-09-18 UTC
    begin = int(posts[1].published_at.timestamp())
    end = int(posts[2].published_at.timestamp())
    body = search(
        ctx, keyword="千万IP创科普", page=1, pubtime_begin_s=begin, pubtime_end_s=end
    ).body
    ids = [r["bvid"] for r in body["data"]["result"]]
    assert ids == [posts[2].post_id, posts[1].post_id]
    assert ctx.searches[-1]["since"] == posts[1].published_at
    assert ctx.searches[-1]["until"] == posts[2].published_at


def test_page_size_is_honoured(kit):
    t0 = datetime(2024, 9, 1, tzinfo=UTC)
    ctx = kit.FakeContext(
        [kit.make_post(113000000000001 + i, t0 + timedelta(minutes=i)) for i in range(45)], kit.NOW
    )
    body = search(ctx, keyword="千万IP创科普", page=2, page_size=42).body["data"]
    assert (body["pagesize"], body["numPages"], len(body["result"])) == (42, 2, 3)


def test_view_detail_round_trip_with_followers(kit):
    posts, ctx = world(kit, 1)
    sim = posts[0]
    path = "/x/web-interface/view/detail"
    body = route(path)(SimRequest("GET", path, {"bvid": sim.post_id}, COOKIE), ctx).body
    assert body["data"]["Card"]["card"]["fans"] == 123456
    page = parse_view(body, captured_at=kit.NOW)
    post, account = page.posts[0], page.accounts[0]
    assert post.platform_post_id == sim.post_id
    assert post.title == sim.title and post.text == sim.text
    assert post.published_at == sim.published_at and post.duration_s == sim.duration_s
    m = sim.metrics
    assert (
        post.metrics.views,
        post.metrics.likes,
        post.metrics.comments,
        post.metrics.shares,
        post.metrics.favorites,
    ) == (
        m.views,
        m.likes,
        m.comments,
        m.shares,
        m.favorites,
    )
    assert post.followers_at_capture == sim.account.followers
    assert (account.platform_uid, account.name, account.followers) == (
        sim.account.uid,
        sim.account.name,
        123456,
    )
    assert (account.verified, account.verify_type) == (True, "organization")
    assert {tag_key(h) for h in post.hashtags} >= {tag_key("千万IP创科普"), tag_key("科普")}
    by_aid = route(path)(SimRequest("GET", path, {"aid": sim.extra["aid"]}, COOKIE), ctx).body
    assert by_aid["data"]["View"]["bvid"] == sim.post_id


def test_view_unverified_person_and_missing_metrics(kit):
    t0 = datetime(2024, 9, 18, tzinfo=UTC)
    person = kit.make_account("99", verified=False, verify_type=None, followers=7)
    sim = kit.make_post(
        113000000000009,
        t0,
        account=person,
        metrics=SimMetrics(views=5, likes=None, comments=0, shares=None, favorites=1),
    )
    ctx = kit.FakeContext([sim], kit.NOW)
    body = route("/x/web-interface/view")(
        SimRequest("GET", "/x/web-interface/view", {"bvid": sim.post_id}, COOKIE), ctx
    ).body
    page = parse_view(body, captured_at=kit.NOW)
    assert page.posts[0].metrics.likes is None and page.posts[0].metrics.shares is None
    assert page.posts[0].metrics.views == 5
    search_page = parse_search_type(
        search(ctx, keyword="千万IP创科普", page=1).body, captured_at=kit.NOW
    )
    assert search_page.posts[0].metrics.likes is None


def test_deleted_and_unknown_works_are_not_found(kit):
    posts, ctx = world(kit, 2)
    ctx.posts[0] = kit.make_post(113000000000001, posts[0].published_at, deleted=True)
    path = "/x/web-interface/view/detail"
    gone = route(path)(SimRequest("GET", path, {"bvid": posts[0].post_id}, COOKIE), ctx).body
    assert gone["code"] == -404 and gone["data"] is None
    unknown = route(path)(SimRequest("GET", path, {"bvid": "BV1xx411c7mD"}, COOKIE), ctx).body
    assert unknown["code"] == -404
    body = search(ctx, keyword="千万IP创科普", page=1).body
    assert [r["bvid"] for r in body["data"]["result"]] == [posts[1].post_id]


def test_failure_signals(kit):
    assert SIM.throttle_response().body["code"] == -412
    wall = SIM.login_wall_response()
    with pytest.raises(LoginRequired) as info:
        check_body(wall.body, cookie_variable="TRACKER_BILIBILI_COOKIE")
    assert info.value.variable == "TRACKER_BILIBILI_COOKIE"
    block = SIM.block_response()
    assert block.status == 200 and block.body["code"] == 0
    assert block.headers["x-bili-gaia-vvoucher"] == block.body["data"]["v_voucher"]
