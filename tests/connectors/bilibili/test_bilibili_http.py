"""The Bilibili connector against the running simulator over real HTTP, checked against the truth."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from connectors.base import CollectRequest
from connectors.bilibili.client import BilibiliConnector
from tracker.http import HttpClient, HttpSettings
from tracker.normalize.tags import CampaignMatcher
from tracker.sim.api import SimServer
from tracker.sim.layout import WORLD_END, WORLD_START
from tracker.sim.truth import iter_world_truth

MATCHER = CampaignMatcher({"千万IP创科普": ["千万IP创科普"]})


def run(sim: SimServer, **connector_kw):
    settings = HttpSettings(max_attempts=8, backoff_initial_s=0.0, backoff_max_s=0.0, timeout_s=5.0)
    http = HttpClient(
        "bilibili", sim.base_urls["bilibili"], settings=settings, sleep=lambda s: None, env={}
    )
    connector = BilibiliConnector(http, now=lambda: sim.now, **connector_kw)
    request = CollectRequest(
        tags=["#千万IP创科普#"], since=WORLD_START, until=WORLD_END + timedelta(days=1)
    )
    with http:
        return list(connector.collect(request))


def truth(sim: SimServer) -> dict[str, dict]:
    return {
        r["post_id"]: r
        for r in iter_world_truth(sim.world, sim.now, platforms=["bilibili"])
        if r["matches_campaign"]
    }


@pytest.mark.parametrize("faults", ["none", "flaky"])
def test_collected_campaign_works_equal_the_truth(faults):
    with SimServer(seed=11, scale=200, faults=faults, platforms=["bilibili"]) as sim:
        pages = run(sim)
        expected = truth(sim)
        if faults == "flaky":
            assert sum(sim.fault_counts().get("bilibili", {}).values()) > 0
    matched = {}
    for page in pages:
        for post in page.parsed.posts:
            if MATCHER.match(post.hashtags, post.text):
                matched[post.platform_post_id] = post
    assert expected and set(matched) == set(expected)
    for post_id, record in expected.items():
        post = matched[post_id]
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


def test_login_wall_stops_with_the_variable_named():
    from tracker.errors import LoginRequired

    with SimServer(
        seed=11,
        scale=200,
        faults="login-wall",
        platforms=["bilibili"],
        fault_options={"login_after": 3},
    ) as sim:
        settings = HttpSettings(cookie_env="TRACKER_BILIBILI_COOKIE", max_attempts=2)
        http = HttpClient(
            "bilibili", sim.base_urls["bilibili"], settings=settings, sleep=lambda s: None, env={}
        )
        connector = BilibiliConnector(http, now=lambda: sim.now)
        with http, pytest.raises(LoginRequired) as info:
            list(
                connector.collect(
                    CollectRequest(tags=["千万IP创科普"], since=WORLD_START, until=WORLD_END)
                )
            )
    assert info.value.variable == "TRACKER_BILIBILI_COOKIE"


def test_refresh_over_http_matches_the_truth():
    with SimServer(seed=11, scale=200, faults="none", platforms=["bilibili"]) as sim:
        records = [r for r in iter_world_truth(sim.world, sim.now, platforms=["bilibili"])][:60]
        http = HttpClient("bilibili", sim.base_urls["bilibili"], settings=HttpSettings(), env={})
        with http:
            pages = list(
                BilibiliConnector(http, now=lambda: sim.now).refresh(
                    [r["post_id"] for r in records]
                )
            )
    got = {p.platform_post_id: p for page in pages for p in page.parsed.posts}
    assert set(got) == {r["post_id"] for r in records}
    assert any(r["deleted"] for r in records)
    for r in records:
        post = got[r["post_id"]]
        assert post.deleted == r["deleted"]
        if not r["deleted"]:
            assert post.metrics.shares == r["metrics"]["shares"]
            assert post.followers_at_capture == r["followers"]
