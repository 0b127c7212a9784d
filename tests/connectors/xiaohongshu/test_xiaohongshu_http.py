"""Xiaohongshu connector against the running simulator over real loopback HTTP."""

from __future__ import annotations

from datetime import datetime

import pytest

from connectors.base import CollectRequest
from connectors.xiaohongshu.client import XiaohongshuConnector
from tracker.errors import LoginRequired
from tracker.http import HttpClient, HttpSettings
from tracker.signing.dev import DevSigner
from tracker.sim.api import SimServer
from tracker.sim.truth import iter_world_truth

PLATFORM = "xiaohongshu"


def run(sim: SimServer, **settings) -> tuple[dict, dict, HttpClient]:
    http = HttpClient(
        PLATFORM,
        sim.base_urls[PLATFORM],
        settings=HttpSettings(cookie_env="TRACKER_XIAOHONGSHU_COOKIE", **settings),
        signer=DevSigner(),
        sleep=lambda s: None,
        env={},
    )
    connector = XiaohongshuConnector(http, now=lambda: sim.now)
    pages = list(connector.collect(CollectRequest(tags=["#千万IP创科普#", "千万ip创科普"])))
    posts: dict = {}
    accounts: dict = {}
    for page in pages:
        assert page.parsed.rejects == []
        for post in page.parsed.posts:
            posts[post.platform_post_id] = post
        for account in page.parsed.accounts:
            accounts[account.platform_uid] = account
    return posts, accounts, http


def assert_matches_truth(sim: SimServer, posts: dict, accounts: dict) -> int:
    truth = [
        r
        for r in iter_world_truth(sim.world, sim.now, platforms=[PLATFORM])
        if r["matches_campaign"]
    ]
    assert truth
    for record in truth:
        post = posts[record["post_id"]]
        assert post.account_uid == record["account"]
        assert post.published_at == datetime.fromisoformat(record["published_at"])
        assert post.metrics.views is None  # Xiaohongshu shows no view count
        for name in ("likes", "comments", "shares", "favorites"):
            assert getattr(post.metrics, name) == record["metrics"][name]
        assert post.content_type == record["content_type"]
        assert post.followers_at_capture == record["followers"]  # from user/otherinfo
        assert accounts[record["account"]].followers == record["followers"]
    return len(truth)


def test_collect_over_http_equals_ground_truth():
    with SimServer(seed=5, scale=200, platforms=[PLATFORM]) as sim:
        posts, accounts, http = run(sim, max_attempts=2)
        assert assert_matches_truth(sim, posts, accounts) > 20
        assert http.stats.retries == 0


def test_flaky_faults_are_retried_to_the_same_truth():
    with SimServer(seed=1, scale=200, faults="flaky", platforms=[PLATFORM]) as sim:
        posts, accounts, http = run(sim, max_attempts=8, timeout_s=0.2, backoff_initial_s=0)
        assert_matches_truth(sim, posts, accounts)
        assert http.stats.retries > 0
        assert sum(sim.fault_counts()[PLATFORM].values()) > 0


def test_login_wall_stops_the_platform_naming_the_variable():
    with SimServer(seed=1, scale=200, faults="login-wall", platforms=[PLATFORM]) as sim:
        with pytest.raises(LoginRequired) as info:
            run(sim, max_attempts=2)
    assert info.value.variable == "TRACKER_XIAOHONGSHU_COOKIE"
