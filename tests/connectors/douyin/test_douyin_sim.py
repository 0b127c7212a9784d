"""The Douyin simulator module: real shapes, a_bogus checked, and the parser reading it back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.douyin.parse import (
    parse_aweme_detail,
    parse_aweme_list,
    parse_challenge_search,
    parse_user_profile,
)
from connectors.douyin.signals import check_body
from tracker.errors import Blocked, LoginRequired
from tracker.normalize.tags import tag_key
from tracker.signing.dev import dev_sign
from tracker.sim.model import SimMetrics, SimRequest
from tracker.sim.platforms.douyin import SIM, DouyinSim

T0 = datetime(2024, 9, 18, 2, 30, tzinfo=UTC)


def handler(sim, path: str):
    for route in sim.routes():
        if route.pattern.match(path):
            return route.handler
    raise AssertionError(path)


def call(sim, ctx, path: str, *, signed: bool = True, **params):
    query = {k: str(v) for k, v in params.items()}
    if signed:
        query.update(dev_sign("douyin", query)["params"])
    return handler(sim, path)(SimRequest("GET", path, query, {}), ctx)


def world(kit, n: int = 5):
    posts = [
        kit.make_post(7410000010437771255 + 10_000 * i, T0 + timedelta(hours=i)) for i in range(n)
    ]
    near = kit.make_post(
        7410000010437999999, T0, text="别的比赛 #千万ip创科普大赛", hashtags=("#千万ip创科普大赛",)
    )
    return posts, kit.FakeContext([*posts, near], kit.NOW)


def resolve(sim, ctx, keyword="千万IP创科普"):
    body = call(
        sim, ctx, "/aweme/v1/web/challenge/search/", keyword=keyword, cursor=0, count=10
    ).body
    challenges, _, _ = parse_challenge_search(body)
    return next(c for c in challenges if tag_key(c.name) == tag_key(keyword)), challenges


def test_challenge_search_lists_the_tag_and_near_misses(kit):
    _, ctx = world(kit)
    sim = DouyinSim()
    exact, challenges = resolve(sim, ctx)
    assert exact.name == "千万ip创科普" and exact.user_count == 5
    assert len(exact.cid) == 16 and exact.cid.isdigit()
    names = [c.name for c in challenges]
    assert "千万ip创科普大赛" in names
    # the id is the same for every spelling of the tag
    again, _ = resolve(sim, ctx, "#千万ip创科普")
    assert again.cid == exact.cid


def test_challenge_aweme_round_trip_and_paging(kit):
    posts, ctx = world(kit, 5)
    sim = DouyinSim()
    exact, _ = resolve(sim, ctx)
    seen = []
    cursor = 0
    for _ in range(5):
        body = call(
            sim, ctx, "/aweme/v1/web/challenge/aweme/", ch_id=exact.cid, cursor=cursor, count=2
        ).body
        assert body["status_code"] == 0
        aweme = body["aweme_list"][0]
        assert aweme["author"]["follower_count"] == 0  # as on the real site
        assert aweme["statistics"]["play_count"] == 0
        page = parse_aweme_list(body, captured_at=kit.NOW)
        assert not page.rejects
        seen.extend(page.posts)
        if not page.has_more:
            break
        cursor = int(page.cursor)
    assert [p.platform_post_id for p in seen] == [
        p.post_id for p in sorted(posts, key=lambda p: p.published_at, reverse=True)
    ]
    by_id = {p.post_id: p for p in posts}
    for record in seen:
        sim_post = by_id[record.platform_post_id]
        assert record.text == sim_post.text and record.title == sim_post.title
        assert record.published_at == sim_post.published_at
        assert record.duration_s == sim_post.duration_s
        m = sim_post.metrics
        assert (
            record.metrics.views,
            record.metrics.likes,
            record.metrics.comments,
            record.metrics.shares,
            record.metrics.favorites,
        ) == (
            m.views,
            m.likes,
            m.comments,
            m.shares,
            m.favorites,
        )
        assert record.account_uid == sim_post.account.uid
        assert record.context["sec_uid"] == sim_post.account.sec_uid
        assert {tag_key(h) for h in record.hashtags} == {tag_key(h) for h in sim_post.hashtags}
        assert record.followers_at_capture is None


def test_image_note_and_missing_metric(kit):
    note = kit.make_post(
        7410000010437771256,
        T0,
        content_type="image",
        duration_s=None,
        metrics=SimMetrics(views=None, likes=5, comments=None, shares=1, favorites=0),
    )
    ctx = kit.FakeContext([note], kit.NOW)
    sim = DouyinSim()
    exact, _ = resolve(sim, ctx)
    body = call(
        sim, ctx, "/aweme/v1/web/challenge/aweme/", ch_id=exact.cid, cursor=0, count=20
    ).body
    record = parse_aweme_list(body, captured_at=kit.NOW).posts[0]
    assert record.content_type == "image" and record.url.endswith(f"/note/{note.post_id}")
    assert (
        record.duration_s is None
        and record.metrics.comments is None
        and record.metrics.favorites == 0
    )


def test_profile_gives_the_real_followers(kit):
    posts, ctx = world(kit, 1)
    account = posts[0].account
    body = call(SIM, ctx, "/aweme/v1/web/user/profile/other/", sec_user_id=account.sec_uid).body
    parsed = parse_user_profile(body, captured_at=kit.NOW).accounts[0]
    assert (parsed.platform_uid, parsed.name, parsed.followers) == (
        account.uid,
        account.name,
        123456,
    )
    assert (parsed.verified, parsed.verify_type) == (True, "organization")
    missing = call(
        SIM, ctx, "/aweme/v1/web/user/profile/other/", sec_user_id="MS4wLjABAAAAnobody"
    ).body
    assert missing["status_code"] == 5
    check_body(missing, allow_codes={5})


def test_detail_and_deleted(kit):
    posts, ctx = world(kit, 2)
    ctx.posts[1] = kit.make_post(int(posts[1].post_id), posts[1].published_at, deleted=True)
    live = call(SIM, ctx, "/aweme/v1/web/aweme/detail/", aweme_id=posts[0].post_id).body
    assert parse_aweme_detail(live, captured_at=kit.NOW).posts[0].metrics.likes == 678
    gone = call(SIM, ctx, "/aweme/v1/web/aweme/detail/", aweme_id=posts[1].post_id).body
    record = parse_aweme_detail(gone, captured_at=kit.NOW).posts[0]
    assert record.deleted and record.platform_post_id == posts[1].post_id
    # deleted works are not listed
    sim = DouyinSim()
    exact, _ = resolve(sim, ctx)
    listed = call(
        sim, ctx, "/aweme/v1/web/challenge/aweme/", ch_id=exact.cid, cursor=0, count=20
    ).body
    assert [a["aweme_id"] for a in listed["aweme_list"]] == [posts[0].post_id]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/aweme/v1/web/challenge/aweme/", {"ch_id": "1", "cursor": 0}),
        ("/aweme/v1/web/aweme/detail/", {"aweme_id": "7410000010437771255"}),
        ("/aweme/v1/web/user/profile/other/", {"sec_user_id": "x"}),
    ],
)
def test_unsigned_requests_get_the_empty_body_block(kit, path, params):
    _, ctx = world(kit, 1)
    response = call(SIM, ctx, path, signed=False, **params)
    assert response.status == 200 and response.body == b""
    tampered = {**{k: str(v) for k, v in params.items()}, "a_bogus": "0" * 32}
    response = handler(SIM, path)(SimRequest("GET", path, tampered, {}), ctx)
    assert response.body == b""


def test_unsigned_challenge_search_is_a_verify_check(kit):
    _, ctx = world(kit, 1)
    body = call(
        SIM, ctx, "/aweme/v1/web/challenge/search/", signed=False, keyword="千万IP创科普"
    ).body
    assert body["status_code"] == 0 and body["challenge_list"] == []
    with pytest.raises(Blocked, match="verify_check"):
        check_body(body)


def test_failure_signals():
    with pytest.raises(LoginRequired) as info:
        check_body(SIM.login_wall_response().body, cookie_variable="TRACKER_DOUYIN_COOKIE")
    assert info.value.variable == "TRACKER_DOUYIN_COOKIE"
    assert SIM.block_response().body == b"" and SIM.block_response().status == 200
    throttle = SIM.throttle_response()
    assert throttle.status == 429 and throttle.headers["Retry-After"] == "1"
