"""The Weibo connector against the running simulator over real loopback HTTP.

The world answers every page; the records the connector yields must be exactly the world's
campaign posts at the same virtual time (ids, authors, metrics, time, text).
"""

from __future__ import annotations

import pytest

from connectors.base import CollectRequest
from connectors.weibo.client import WeiboConnector
from tracker.http import HttpClient, HttpSettings
from tracker.sim.api import SimServer

TAG = "#千万IP创科普#"


@pytest.fixture(scope="module")
def sim():
    with SimServer(seed=7, scale=200, platforms=["weibo"]) as server:
        yield server


def connector(sim, **kwargs) -> WeiboConnector:
    http = HttpClient(
        "weibo",
        sim.base_urls["weibo"],
        settings=HttpSettings(throttle_statuses=frozenset({418, 432}), max_attempts=5),
        sleep=lambda s: None,
        env={},
    )
    return WeiboConnector(http, now=lambda: sim.now, **kwargs)


def world_posts(sim):
    posts, total = sim.world.search("weibo", TAG, offset=0, limit=10_000, now=sim.now)
    assert len(posts) == total > 10
    return posts


def test_collect_over_http_equals_the_world(sim):
    expected = world_posts(sim)
    pages = list(connector(sim).collect(CollectRequest(tags=[TAG])))
    got = {p.platform_post_id: p for page in pages for p in page.parsed.posts}
    assert all(page.parsed.rejects == [] for page in pages)
    originals = {p.repost_of.post_id for p in expected if p.repost_of is not None}
    assert set(got) == {p.post_id for p in expected} | originals
    assert originals, "the world has reposts"
    assert any(p.long_text for p in expected), "the world has long posts"
    for sim_post in expected:
        record = got[sim_post.post_id]
        assert record.account_uid == sim_post.account.uid
        assert record.published_at == sim_post.published_at
        assert record.text == sim_post.text
        assert record.content_type == sim_post.content_type
        m = sim_post.metrics
        assert (record.metrics.likes, record.metrics.comments, record.metrics.shares) == (
            m.likes,
            m.comments,
            m.shares,
        )
        assert record.metrics.views == m.views
        assert record.followers_at_capture == sim_post.account.followers
        if sim_post.repost_of is not None:
            assert record.repost_of == sim_post.repost_of.post_id
    accounts = {a.platform_uid: a for page in pages for a in page.parsed.accounts}
    for sim_post in expected:
        acc = accounts[sim_post.account.uid]
        assert (acc.followers, acc.verified, acc.verify_type) == (
            sim_post.account.followers,
            sim_post.account.verified,
            sim_post.account.verify_type,
        )


def test_refresh_over_http_reads_the_same_metrics(sim):
    expected = world_posts(sim)[:5]
    pages = list(connector(sim).refresh([p.post_id for p in expected]))
    got = {p.platform_post_id: p for page in pages for p in page.parsed.posts}
    for sim_post in expected:
        assert got[sim_post.post_id].metrics.likes == sim_post.metrics.likes
        assert got[sim_post.post_id].text == sim_post.text


def test_login_wall_profile_stops_with_the_variable():
    from tracker.errors import LoginRequired

    with SimServer(seed=7, scale=200, faults="login-wall", platforms=["weibo"]) as server:
        http = HttpClient(
            "weibo",
            server.base_urls["weibo"],
            settings=HttpSettings(cookie_env="TRACKER_WEIBO_COOKIE"),
            sleep=lambda s: None,
            env={"TRACKER_WEIBO_COOKIE": "SUB=x"},
        )
        with pytest.raises(LoginRequired) as info:
            list(WeiboConnector(http, now=lambda: server.now).collect(CollectRequest(tags=[TAG])))
    assert info.value.variable == "TRACKER_WEIBO_COOKIE"


def test_flaky_profile_still_reaches_the_world():
    with SimServer(seed=7, scale=200, faults="flaky", platforms=["weibo"]) as server:
        expected = {p.post_id for p in world_posts(server)}
        pages = list(connector(server).collect(CollectRequest(tags=[TAG])))
        counts = server.fault_counts()
    got = {p.platform_post_id for page in pages for p in page.parsed.posts}
    assert expected <= got
    assert sum(counts.get("weibo", {}).values()) > 0, counts
