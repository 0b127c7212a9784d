"""Long texts are an enrichment step that cannot lose the page (Weibo): a session failure on
``longtext`` stops the run only after the page with the cut post is stored."""

from __future__ import annotations

import httpx
import pytest
import respx
from weibo_fakes import TAG, FakeContext, connector, sim_handler, world

from connectors.base import CollectRequest
from connectors.weibo.client import WeiboConnector
from tracker.errors import LoginRequired
from tracker.sim.platforms.weibo import SIM

LONG_MID = "5078100000000002"


def make() -> WeiboConnector:
    return connector()


@pytest.fixture
def router():
    ctx = FakeContext(world())
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        mock.route(host="weibo.com", path="/ajax/statuses/longtext").mock(
            return_value=httpx.Response(200, json={"ok": -100, "url": "https://passport.weibo.cn"})
        )
        mock.route(host="m.weibo.cn").mock(side_effect=sim_handler(SIM, ctx))
        mock.route(host="weibo.com").mock(side_effect=sim_handler(SIM, ctx))
        yield mock


def test_a_login_wall_on_a_long_text_stops_only_after_the_page_is_yielded(router):
    connector = make()
    pages = connector.collect(CollectRequest(tags=[TAG]))
    first = next(pages)  # stored by the service before the stop
    cut = next(p for p in first.parsed.posts if p.platform_post_id == LONG_MID)
    assert cut.text and len(first.parsed.posts) > 1
    assert first.parsed.incomplete == {"long_text": 1}
    with pytest.raises(LoginRequired):
        next(pages)
    assert connector.http.stats.by_purpose == {"listing": 1, "detail": 1}
