"""Kuaishou connector against the running simulator over real loopback HTTP."""

from __future__ import annotations

from datetime import datetime

import pytest

from connectors.base import CollectRequest
from connectors.kuaishou.client import KuaishouConnector
from tracker.errors import LoginRequired
from tracker.http import HttpClient, HttpSettings
from tracker.signing.dev import DevSigner
from tracker.sim.api import SimServer
from tracker.sim.truth import iter_world_truth

PLATFORM = "kuaishou"


def run(sim: SimServer, **settings) -> tuple[dict, HttpClient]:
    http = HttpClient(
        PLATFORM,
        sim.base_urls[PLATFORM],
        settings=HttpSettings(cookie_env="TRACKER_KUAISHOU_COOKIE", **settings),
        signer=DevSigner(),
        sleep=lambda s: None,
        env={},
    )
    connector = KuaishouConnector(http, now=lambda: sim.now)
    pages = list(connector.collect(CollectRequest(tags=["#千万IP创科普#", "千万ip创科普"])))
    posts: dict = {}
    for page in pages:
        assert page.parsed.rejects == []
        for post in page.parsed.posts:
            posts[post.platform_post_id] = post
    return posts, http


def assert_matches_truth(sim: SimServer, posts: dict) -> int:
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
        assert post.metrics.views == record["metrics"]["views"]
        assert post.metrics.likes == record["metrics"]["likes"]
        assert post.metrics.comments == record["metrics"]["comments"]
        assert post.metrics.shares is None and post.metrics.favorites is None
        # followers come as Kuaishou shows them: "169.8w" is exact only to 0.1 万
        assert abs(post.followers_at_capture - record["followers"]) < 1_000
    return len(truth)


def test_collect_over_http_equals_ground_truth():
    with SimServer(seed=5, scale=200, platforms=[PLATFORM]) as sim:
        posts, http = run(sim, max_attempts=2)
        assert assert_matches_truth(sim, posts) > 20
        assert http.stats.retries == 0


def test_flaky_faults_are_retried_to_the_same_truth():
    with SimServer(seed=1, scale=200, faults="flaky", platforms=[PLATFORM]) as sim:
        posts, http = run(sim, max_attempts=8, timeout_s=0.2, backoff_initial_s=0)
        assert_matches_truth(sim, posts)
        assert http.stats.retries > 0
        assert sum(sim.fault_counts()[PLATFORM].values()) > 0


def test_login_wall_stops_the_platform_naming_the_variable():
    with SimServer(seed=1, scale=200, faults="login-wall", platforms=[PLATFORM]) as sim:
        with pytest.raises(LoginRequired) as info:
            run(sim, max_attempts=2)
    assert info.value.variable == "TRACKER_KUAISHOU_COOKIE"
