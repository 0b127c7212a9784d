"""The Douyin connector against the running simulator over real HTTP, checked against the truth."""

from __future__ import annotations

from datetime import datetime

import pytest

from connectors.base import CollectRequest
from connectors.douyin.client import DouyinConnector
from tracker.errors import Blocked, LoginRequired
from tracker.http import HttpClient, HttpSettings
from tracker.normalize.tags import CampaignMatcher
from tracker.services.signers import choose_signer
from tracker.sim.api import SimServer
from tracker.sim.truth import iter_world_truth

MATCHER = CampaignMatcher({"千万IP创科普": ["千万IP创科普"]})
ENV = {"TRACKER_DOUYIN_COOKIE": "sessionid=abc; msToken=t0k"}


def make_http(sim: SimServer, *, signer: str | None = "dev") -> HttpClient:
    settings = HttpSettings(
        max_attempts=8,
        backoff_initial_s=0.0,
        backoff_max_s=0.0,
        timeout_s=5.0,
        cookie_env="TRACKER_DOUYIN_COOKIE",
        empty_body_blocked=True,
        signer=signer,
    )
    return HttpClient(
        "douyin",
        sim.base_urls["douyin"],
        settings=settings,
        signer=choose_signer(signer),
        sleep=lambda s: None,
        env=ENV,
    )


def collect(sim: SimServer, **kw):
    with make_http(sim, **kw) as http:
        connector = DouyinConnector(http, now=lambda: sim.now)
        return list(connector.collect(CollectRequest(tags=["#千万IP创科普", "＃千万ＩＰ创科普"])))


@pytest.mark.parametrize("faults", ["none", "flaky"])
def test_collected_campaign_works_equal_the_truth(faults):
    with SimServer(seed=12, scale=200, faults=faults, platforms=["douyin"]) as sim:
        pages = collect(sim)
        expected = {
            r["post_id"]: r
            for r in iter_world_truth(sim.world, sim.now, platforms=["douyin"])
            if r["matches_campaign"]
        }
    posts = {}
    for page in pages:
        for post in page.parsed.posts:
            posts[post.platform_post_id] = post
    # a challenge lists its own tag only: every work collected is a campaign work
    assert all(MATCHER.match(p.hashtags, p.text) for p in posts.values())
    assert expected and set(posts) == set(expected)
    for post_id, record in expected.items():
        post = posts[post_id]
        m = post.metrics
        assert {
            "views": m.views,
            "likes": m.likes,
            "comments": m.comments,
            "shares": m.shares,
            "favorites": m.favorites,
        } == record["metrics"]
        assert post.account_uid == record["account"]
        assert post.followers_at_capture == record["followers"]
        assert post.published_at == datetime.fromisoformat(record["published_at"])
        assert post.content_type == record["content_type"]


def test_refresh_over_http_matches_the_truth():
    with SimServer(seed=12, scale=200, faults="none", platforms=["douyin"]) as sim:
        truth = [r for r in iter_world_truth(sim.world, sim.now, platforms=["douyin"])][:30]
        with make_http(sim) as http:
            pages = list(
                DouyinConnector(http, now=lambda: sim.now).refresh([r["post_id"] for r in truth])
            )
    records = {p.platform_post_id: p for page in pages for p in page.parsed.posts}
    assert set(records) == {r["post_id"] for r in truth}
    for r in truth:
        assert records[r["post_id"]].deleted == r["deleted"]
        if not r["deleted"]:
            assert records[r["post_id"]].metrics.likes == r["metrics"]["likes"]


def test_login_wall_stops_with_the_variable_named():
    with SimServer(
        seed=12,
        scale=200,
        faults="login-wall",
        platforms=["douyin"],
        fault_options={"login_after": 2},
    ) as sim:
        with pytest.raises(LoginRequired) as info:
            collect(sim)
    assert info.value.variable == "TRACKER_DOUYIN_COOKIE"


def test_without_a_valid_signature_the_simulator_blocks():
    class WrongSigner:
        def sign(self, request):
            return {"params": {"a_bogus": "0" * 32}, "headers": {}}

    with SimServer(seed=12, scale=200, faults="none", platforms=["douyin"]) as sim:
        settings = HttpSettings(
            cookie_env="TRACKER_DOUYIN_COOKIE", empty_body_blocked=True, max_attempts=2
        )
        http = HttpClient(
            "douyin",
            sim.base_urls["douyin"],
            settings=settings,
            signer=WrongSigner(),
            sleep=lambda s: None,
            env=ENV,
        )
        with http, pytest.raises(Blocked, match="verify_check"):
            list(
                DouyinConnector(http, now=lambda: sim.now).collect(
                    CollectRequest(tags=["千万IP创科普"])
                )
            )
