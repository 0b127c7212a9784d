"""Zhihu lists complete works (no enrichment read while collecting); a refresh's detail reads
are counted under their purpose."""

from __future__ import annotations

import respx
from zhihu_fakes import NOW, TAG, FakeContext, sim_handler, world

from connectors.base import CollectRequest
from connectors.zhihu.client import ZhihuConnector
from tracker.http import HttpClient, HttpSettings
from tracker.services.signers import choose_signer
from tracker.sim.platforms.zhihu import SIM


def make() -> ZhihuConnector:
    http = HttpClient(
        "zhihu",
        "https://www.zhihu.com",
        settings=HttpSettings(cookie_env="TRACKER_ZHIHU_COOKIE", signer="dev", max_attempts=2),
        signer=choose_signer("dev"),
        env={"TRACKER_ZHIHU_COOKIE": 'd_c0="AADx|1700000000"; z_c0=2|1:0|x'},
        sleep=lambda s: None,
    )
    return ZhihuConnector(http, now=lambda: NOW)


def test_collect_sends_listing_reads_only_and_refresh_counts_detail_reads():
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        router.route(host="www.zhihu.com").mock(side_effect=sim_handler(SIM, FakeContext(world())))
        connector = make()
        list(connector.collect(CollectRequest(tags=[TAG])))
        assert set(connector.http.stats.by_purpose) == {"listing"}
        listing = connector.http.stats.by_purpose["listing"]
        pages = list(connector.refresh(["1001", "1002"]))
    assert {p.platform_post_id for page in pages for p in page.parsed.posts} == {"1001", "1002"}
    # answers/1001; answers/1002 not found, then articles/1002
    assert connector.http.stats.by_purpose == {"listing": listing, "detail": 3}
