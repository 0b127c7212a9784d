"""Follower reads are an enrichment step that cannot lose the page (Kuaishou)."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from ks_world import FakeContext, live_connector, make_posts, sim_request, to_httpx

from connectors.base import CollectRequest
from connectors.kuaishou.client import KuaishouConnector
from tracker.errors import Blocked
from tracker.sim.platforms.kuaishou import SIM

TAGS = ["#千万IP创科普#"]


class Platform:
    """The simulator module on the real base URL; ``profile`` may replace profile answers."""

    def __init__(self, profile) -> None:
        self.ctx = FakeContext(make_posts())
        self.profile = profile
        self.profiles: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body.get("operationName") == "visionProfile":
            uid = body["variables"]["userId"]
            self.profiles.append(uid)
            answer = self.profile(uid, len(self.profiles))
            if answer is not None:
                return answer
        sim = sim_request(request)
        for route in SIM.routes():
            if route.method == request.method and route.pattern.match(sim.path):
                return to_httpx(route.handler(sim, self.ctx))
        return httpx.Response(404, json={"result": 404})


def serve(profile) -> tuple[Platform, respx.MockRouter]:
    platform = Platform(profile)
    mock = respx.mock(assert_all_called=False)
    mock.post(url__regex=r"^https://www\.kuaishou\.com/.*").mock(side_effect=platform.handle)
    return platform, mock


def connector() -> KuaishouConnector:
    return live_connector()


def test_a_failed_profile_read_keeps_the_page_with_that_authors_followers_unknown():
    platform, mock = serve(
        lambda uid, n: httpx.Response(404, json={"result": 404}) if n == 1 else None
    )
    with mock:
        conn = connector()
        pages = list(conn.collect(CollectRequest(tags=TAGS)))
    failed = platform.profiles[0]
    posts = [p for page in pages for p in page.parsed.posts]
    assert len(posts) == len(
        {p.post_id for p in platform.ctx.posts if p.matches_campaign and not p.deleted}
    )
    assert {p.followers_at_capture for p in posts if p.account_uid == failed} == {None}
    assert all(p.followers_at_capture is not None for p in posts if p.account_uid != failed)
    assert platform.profiles.count(failed) == 1
    assert sum(page.parsed.incomplete.get("followers", 0) for page in pages) == 1
    assert conn.http.stats.by_purpose["profile"] == len(set(platform.profiles))


def test_a_captcha_on_a_profile_read_stops_after_the_page():
    platform, mock = serve(lambda uid, n: to_httpx(SIM.block_response()))
    with mock:
        pages = connector().collect(CollectRequest(tags=TAGS))
        first = next(pages)
        assert len(first.parsed.posts) > 10
        assert first.parsed.incomplete == {"followers": 3}  # the failed read and the two not sent
        with pytest.raises(Blocked):
            next(pages)
    assert len(platform.profiles) == 1
