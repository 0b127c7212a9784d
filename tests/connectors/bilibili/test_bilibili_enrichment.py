"""``view/detail`` reads are an enrichment step that cannot lose the page (Bilibili): a detail
that fails keeps the search card, a session failure stops only after the page is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from connectors.base import CollectRequest
from connectors.bilibili.client import BilibiliConnector
from tracker.errors import Blocked
from tracker.http import HttpClient, HttpSettings
from tracker.sim.platforms.bilibili import SIM

BASE = "https://api.bilibili.com"
DETAIL = "/x/web-interface/view/detail"
SINCE = datetime(2024, 9, 15, 16, 0, tzinfo=UTC)
UNTIL = datetime(2024, 9, 16, 16, 0, tzinfo=UTC)  # one Shanghai day
VOUCHER = {"code": 0, "message": "0", "ttl": 1, "data": {"v_voucher": "voucher_84a8c3ce"}}


def serve(kit, router, detail):
    """Five works of one day on the simulator module; ``detail(n)`` may replace the n-th
    ``view/detail`` answer."""
    posts = [
        kit.make_post(
            113000000000001 + 3 * k,
            SINCE + timedelta(hours=1 + 2 * k),
            account=kit.make_account(str(1000 + k % 2), followers=10 * (k % 2 + 1)),
        )
        for k in range(5)
    ]
    bridge = kit.SimBridge(SIM, kit.FakeContext(posts, kit.NOW))
    reads: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == DETAIL:
            reads.append(request.url.params["bvid"])
            answer = detail(len(reads))
            if answer is not None:
                return answer
        return bridge(request)

    router.route(host="api.bilibili.com").mock(side_effect=handle)
    return posts, reads


def connector(kit) -> BilibiliConnector:
    settings = HttpSettings(
        max_attempts=2, backoff_initial_s=0, cookie_env="TRACKER_BILIBILI_COOKIE"
    )
    http = HttpClient("bilibili", BASE, settings=settings, sleep=lambda s: None, env={})
    return BilibiliConnector(http, now=lambda: kit.NOW, page_size=5)


@pytest.fixture
def router():
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


def test_a_failed_detail_keeps_the_search_card_and_counts_the_gap(kit, router):
    posts, reads = serve(kit, router, lambda n: httpx.Response(404) if n == 1 else None)
    conn = connector(kit)
    pages = list(conn.collect(CollectRequest(tags=["千万IP创科普"], since=SINCE, until=UNTIL)))
    got = {p.platform_post_id: p for page in pages for p in page.parsed.posts}
    assert set(got) == {p.post_id for p in posts}
    card = got[reads[0]]
    assert card.metrics.shares is None  # search has no share count: the card as listed
    assert all(got[b].metrics.shares is not None for b in reads[1:])
    assert sum(page.parsed.incomplete.get("detail", 0) for page in pages) == 1
    assert conn.http.stats.by_purpose["detail"] == 5


def test_a_block_on_a_detail_stops_after_the_page(kit, router):
    posts, reads = serve(kit, router, lambda n: httpx.Response(200, json=VOUCHER))
    pages = connector(kit).collect(CollectRequest(tags=["千万IP创科普"], since=SINCE, until=UNTIL))
    first = next(pages)
    assert {p.platform_post_id for p in first.parsed.posts} == {p.post_id for p in posts}
    assert first.parsed.incomplete == {"detail": 5}
    with pytest.raises(Blocked):
        next(pages)
    # the first detail's block outlived the HTTP layer's pauses; no other detail was read
    assert len(reads) == 1 + HttpSettings().block_retries
