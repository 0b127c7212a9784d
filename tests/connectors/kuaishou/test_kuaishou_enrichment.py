"""Follower reads are an enrichment step that cannot lose the page (Kuaishou)."""

from __future__ import annotations

import httpx
import pytest
from ks_world import live_connector, serve, to_httpx

from connectors.base import CollectRequest
from connectors.kuaishou.client import KuaishouConnector
from tracker.errors import Blocked
from tracker.sim.platforms.kuaishou import SIM

TAGS = ["#千万IP创科普#"]


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
