"""The Zhihu connector against the running simulator over real loopback HTTP, signed with the
development signer the simulator verifies: search and roundtable pages equal the world."""

from __future__ import annotations

import pytest

from connectors.base import CollectRequest
from connectors.zhihu.client import ZhihuConnector
from tracker.errors import Blocked, SignerMissing
from tracker.http import HttpClient, HttpSettings
from tracker.services.signers import choose_signer
from tracker.sim.api import SimServer
from tracker.sim.world import ZHIHU_ROUNDTABLE_ID

TAG = "#千万IP创科普#"


@pytest.fixture(scope="module")
def sim():
    with SimServer(seed=7, scale=200, platforms=["zhihu"]) as server:
        yield server


def connector(sim, signer: str | None = "dev", **kwargs) -> ZhihuConnector:
    http = HttpClient(
        "zhihu",
        sim.base_urls["zhihu"],
        settings=HttpSettings(signer=signer, max_attempts=5),
        signer=choose_signer(signer),
        sleep=lambda s: None,
        env={},
    )
    return ZhihuConnector(http, now=lambda: sim.now, **kwargs)


def everything(sim, query: str):
    posts, total = sim.world.search("zhihu", query, offset=0, limit=10_000, now=sim.now)
    assert len(posts) == total > 0
    return posts


def test_search_over_http_equals_the_world(sim):
    expected = everything(sim, TAG)
    pages = list(connector(sim).collect(CollectRequest(tags=[TAG])))
    got = {p.platform_post_id: p for page in pages for p in page.parsed.posts}
    assert set(got) == {p.post_id for p in expected}
    assert {p.content_type for p in expected} == {"answer", "article", "video"}
    for sim_post in expected:
        record = got[sim_post.post_id]
        assert record.account_uid == sim_post.account.uid
        assert record.title == sim_post.title
        assert record.text == sim_post.text
        assert record.published_at == sim_post.published_at
        assert record.duration_s == sim_post.duration_s
        m = sim_post.metrics
        assert (record.metrics.likes, record.metrics.comments, record.metrics.views) == (
            m.likes,
            m.comments,
            m.views,
        )
        assert record.followers_at_capture == sim_post.account.followers
    accounts = {a.platform_uid: a for page in pages for a in page.parsed.accounts}
    for sim_post in expected:
        acc = accounts[sim_post.account.uid]
        assert (acc.name, acc.verified, acc.verify_type) == (
            sim_post.account.name,
            sim_post.account.verified,
            sim_post.account.verify_type,
        )


def test_roundtable_over_http_equals_the_world(sim):
    expected = everything(sim, "__roundtable__:" + ZHIHU_ROUNDTABLE_ID)
    request = CollectRequest(tags=[], extra={"zhihu_roundtables": [ZHIHU_ROUNDTABLE_ID]})
    pages = list(connector(sim, page_size=10).collect(request))
    got = {p.platform_post_id: p for page in pages for p in page.parsed.posts}
    assert set(got) == {p.post_id for p in expected}
    for sim_post in expected:
        record = got[sim_post.post_id]
        assert record.context == {
            "roundtable_id": ZHIHU_ROUNDTABLE_ID,
            "question_id": sim_post.extra["question_id"],
        }
        assert record.title == sim_post.title
        assert record.metrics.likes == sim_post.metrics.likes
    assert pages[-1].cursor == {"done": True}


def test_refresh_over_http(sim):
    expected = everything(sim, TAG)[:6]
    pages = list(connector(sim).refresh([p.post_id for p in expected]))
    got = {p.platform_post_id: p for page in pages for p in page.parsed.posts}
    for sim_post in expected:
        assert got[sim_post.post_id].metrics.likes == sim_post.metrics.likes
        assert got[sim_post.post_id].content_type == sim_post.content_type


def test_unsigned_requests_fail_clearly(sim):
    with pytest.raises(SignerMissing):
        list(connector(sim, signer=None).collect(CollectRequest(tags=[TAG])))


def test_wrong_signature_is_blocked_by_the_simulator(sim):
    class Forger:
        def sign(self, request):
            return {"params": {}, "headers": {"x-zse-96": "2.0_0000"}}

    http = HttpClient(
        "zhihu", sim.base_urls["zhihu"], signer=Forger(), sleep=lambda s: None, env={}
    )
    with pytest.raises(Blocked, match="10003"):
        list(ZhihuConnector(http, now=lambda: sim.now).collect(CollectRequest(tags=[TAG])))


def test_flaky_profile_still_reaches_the_world():
    with SimServer(seed=7, scale=200, faults="flaky", platforms=["zhihu"]) as server:
        expected = {p.post_id for p in everything(server, TAG)}
        pages = list(connector(server).collect(CollectRequest(tags=[TAG])))
    assert expected <= {p.platform_post_id for page in pages for p in page.parsed.posts}
