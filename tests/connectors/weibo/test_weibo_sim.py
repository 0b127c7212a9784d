"""The Weibo simulator module: pages in the real shapes, read back by the real parsers.

The key property: what ``tracker.sim.platforms.weibo`` renders from a ``SimPost`` parses with
``connectors.weibo.parse`` back to exactly that post (ids, account, metrics, time, text).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from weibo_fakes import NOW, TAG, FakeContext, request, world

from connectors.weibo.parse import (
    long_text_requests,
    parse_get_index,
    parse_longtext,
    parse_profile_info,
    parse_status_show,
    status_long_text_requests,
)
from tracker.normalize.tags import tag_key
from tracker.sim.platforms.weibo import SIM, created_at_text, render_mblog

CONTAINERS = {
    "all": f"100103type=1&q={TAG}",
    "realtime": f"100103type=61&q={TAG}",
    "topic": f"231522type=1&t=10&q={TAG}",
}


def _collect(ctx: FakeContext, containerid: str):
    """Page a container to its end as the client does; return (records by id, pages, bodies)."""
    posts, accounts, bodies = {}, {}, []
    page = 1
    while True:
        response = SIM.get_index(
            request("/api/container/getIndex", containerid=containerid, page=str(page)), ctx
        )
        assert response.status == 200
        body = response.body
        bodies.append(body)
        texts = {}
        for mid, bid in long_text_requests(body):
            long_body = SIM.longtext(request("/ajax/statuses/longtext", id=bid), ctx).body
            texts[mid] = long_body["data"]["longTextContent"]
        parsed = parse_get_index(body, captured_at=ctx.now, long_texts=texts)
        assert parsed.rejects == []
        posts.update({p.platform_post_id: p for p in parsed.posts})
        accounts.update({a.platform_uid: a for a in parsed.accounts})
        if not parsed.has_more:
            return posts, accounts, bodies
        page = int(parsed.cursor)


@pytest.mark.parametrize("channel", sorted(CONTAINERS))
def test_pages_read_back_to_the_sim_posts(channel):
    sim_posts = world()
    ctx = FakeContext(sim_posts)
    records, accounts, bodies = _collect(ctx, CONTAINERS[channel])

    visible = [p for p in sim_posts if not p.deleted and TAG in p.hashtags]
    expected_ids = {p.post_id for p in visible}
    # the repost brings its original along; both are campaign posts here
    assert set(records) == expected_ids
    assert len(bodies) == 3  # 22 posts at 10 a page
    assert bodies[0]["data"]["cardlistInfo"]["total"] == len(visible)
    assert bodies[-1]["data"]["cardlistInfo"]["page"] is None

    for sim in visible:
        got = records[sim.post_id]
        assert got.account_uid == sim.account.uid
        assert got.url == f"https://m.weibo.cn/detail/{sim.post_id}"
        assert got.text == sim.text
        assert got.content_type == sim.content_type
        assert got.metrics.likes == sim.metrics.likes
        assert got.metrics.comments == sim.metrics.comments
        assert got.metrics.shares == sim.metrics.shares
        assert got.metrics.views == sim.metrics.views
        assert got.metrics.favorites is None
        assert got.duration_s == sim.duration_s
        assert got.followers_at_capture == sim.account.followers
        assert {tag_key(h) for h in sim.hashtags} <= {tag_key(h) for h in got.hashtags}
        if channel == "realtime" and NOW - sim.published_at < timedelta(hours=1):
            assert abs(got.published_at - sim.published_at) < timedelta(seconds=60)
        else:
            assert got.published_at == sim.published_at
        if sim.repost_of is not None:
            assert got.repost_of == sim.repost_of.post_id
        if sim.content_type == "video":
            assert got.title == sim.title
        acc = accounts[sim.account.uid]
        assert (acc.name, acc.followers, acc.verified) == (
            sim.account.name,
            sim.account.followers,
            sim.account.verified,
        )
        assert acc.verify_type == sim.account.verify_type


def test_long_post_is_cut_and_the_tag_only_in_the_long_text():
    ctx = FakeContext(world())
    long_post = ctx.post("weibo", "5078100000000002")
    mblog = render_mblog(long_post, NOW)
    assert mblog["isLongText"] is True
    assert "全文" in mblog["text"] and "最后才写话题" not in mblog["text"]
    cut = parse_get_index(
        {"ok": 1, "data": {"cards": [{"card_type": 9, "mblog": mblog}]}}, captured_at=NOW
    ).posts[0]
    assert not cut.text.endswith("全文")
    assert tag_key(TAG) not in {tag_key(h) for h in cut.hashtags}  # why the client fetches it
    body = SIM.longtext(request("/ajax/statuses/longtext", id=mblog["bid"]), ctx).body
    page = parse_longtext(body, captured_at=NOW, post_id="5078100000000002")
    assert page.posts == []  # a long text completes its post, it is not one
    assert page.details[0].text == long_post.text
    assert TAG in page.details[0].hashtags


def test_realtime_channel_writes_relative_times_for_recent_posts():
    assert created_at_text(NOW - timedelta(seconds=20), NOW, relative=True) == "刚刚"
    assert created_at_text(NOW - timedelta(minutes=5, seconds=30), NOW, relative=True) == "5分钟前"
    assert (
        created_at_text(NOW - timedelta(days=1), NOW, relative=True)
        == "Thu Sep 19 20:00:00 +0800 2024"
    )
    ctx = FakeContext(world())
    body = SIM.get_index(
        request("/api/container/getIndex", containerid=CONTAINERS["realtime"]), ctx
    ).body
    created = [c["mblog"]["created_at"] for c in body["data"]["cards"]]
    assert "5分钟前" in created


def test_all_channel_nests_posts_in_a_card_group():
    ctx = FakeContext(world())
    body = SIM.get_index(
        request("/api/container/getIndex", containerid=CONTAINERS["all"]), ctx
    ).body
    cards = body["data"]["cards"]
    assert cards[0]["card_type"] == 11 and cards[0]["card_group"][0]["card_type"] == 4
    assert cards[1]["card_type"] == 11
    assert [c["card_type"] for c in cards[1]["card_group"]] == [9, 9]


def test_past_the_end_is_the_empty_answer_and_deleted_posts_are_not_served():
    ctx = FakeContext(world())
    body = SIM.get_index(
        request("/api/container/getIndex", containerid=CONTAINERS["topic"], page="9"), ctx
    ).body
    assert body == {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}
    assert parse_get_index(body, captured_at=NOW).has_more is False
    unknown = SIM.get_index(request("/api/container/getIndex", containerid="999999x"), ctx).body
    assert unknown["ok"] == 0


def test_repost_carries_its_original_and_a_deleted_original_has_no_user():
    ctx = FakeContext(world())
    repost = ctx.post("weibo", "5078100000000005")
    mblog = render_mblog(repost, NOW)
    assert mblog["retweeted_status"]["id"] == "5078100000000001"
    from dataclasses import replace

    gone = replace(repost, repost_of=replace(repost.repost_of, deleted=True))
    mblog = render_mblog(gone, NOW)
    assert mblog["retweeted_status"]["user"] is None
    page = parse_get_index(
        {"ok": 1, "data": {"cards": [{"card_type": 9, "mblog": mblog}]}}, captured_at=NOW
    )
    by_id = {p.platform_post_id: p for p in page.posts}
    assert by_id["5078100000000001"].deleted is True
    assert by_id["5078100000000005"].repost_of == "5078100000000001"


def test_status_show_reads_back_and_deleted_is_not_found():
    ctx = FakeContext(world())
    sim = ctx.post("weibo", "5078100000000004")
    body = SIM.status_show(request("/ajax/statuses/show", id=sim.post_id), ctx).body
    assert body["mblogid"] == body["bid"]
    assert status_long_text_requests(body) == []
    page = parse_status_show(body, captured_at=NOW, post_id=sim.post_id)
    got = page.posts[0]
    assert (got.platform_post_id, got.metrics.likes, got.metrics.views, got.duration_s) == (
        sim.post_id,
        sim.metrics.likes,
        123_456,
        95,
    )
    by_bid = SIM.status_show(request("/ajax/statuses/show", id=body["bid"]), ctx).body
    assert by_bid["id"] == sim.post_id
    gone = SIM.status_show(request("/ajax/statuses/show", id="5078100000000007"), ctx).body
    assert gone["ok"] == 0
    deleted = parse_status_show(gone, captured_at=NOW, post_id="5078100000000007").posts[0]
    assert deleted.deleted is True
    long_body = SIM.status_show(request("/ajax/statuses/show", id="5078100000000002"), ctx).body
    assert status_long_text_requests(long_body) == [("5078100000000002", long_body["mblogid"])]


def test_profile_info_reads_back():
    ctx = FakeContext(world())
    body = SIM.profile_info(request("/ajax/profile/info", uid="2803301701"), ctx).body
    acc = parse_profile_info(body, captured_at=NOW).accounts[0]
    assert (acc.platform_uid, acc.name, acc.followers, acc.verified, acc.verify_type) == (
        "2803301701",
        "科普广东",
        88_000,
        True,
        "7",
    )
    assert body["data"]["user"]["followers_count_str"] == "8.8万"
    missing = SIM.profile_info(request("/ajax/profile/info", uid="1"), ctx).body
    assert missing["ok"] == 0


def test_longtext_of_unknown_or_deleted_post_has_no_content():
    ctx = FakeContext(world())
    for ident in ("5078100000000007", "zzzz", "ABCDEFGHIJ"):
        body = SIM.longtext(request("/ajax/statuses/longtext", id=ident), ctx).body
        assert body == {"ok": 1, "data": {}}


def test_failure_signals_are_weibos_own():
    throttle = SIM.throttle_response()
    assert throttle.status == 432
    wall = SIM.login_wall_response()
    assert wall.status == 200 and wall.body["ok"] == -100
    assert wall.body["url"].startswith("https://passport.weibo.com/")
    block = SIM.block_response()
    assert block.status == 200 and block.body["ok"] == 0 and "data" not in block.body


def test_routes_cover_the_served_paths():
    paths = {
        "/api/container/getIndex",
        "/ajax/statuses/longtext",
        "/ajax/statuses/show",
        "/ajax/profile/info",
    }
    for path in paths:
        assert any(r.pattern.match(path) for r in SIM.routes()), path
    assert SIM.platform == "weibo"
