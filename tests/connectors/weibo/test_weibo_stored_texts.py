"""A cut post whose full text the store already holds costs no long-text read (Weibo): the
refresh's listing pass and the daily collection's overlap show the same cut posts day after
day. The record then leaves the text out, so the stored full text stays."""

from __future__ import annotations

import pytest
import respx
from weibo_fakes import TAG, FakeContext, connector, sim_handler, world

from connectors.base import CollectRequest, StoredFacts
from connectors.weibo.client import WeiboConnector
from tracker.sim.platforms.weibo import SIM

LONG_MID = "5078100000000002"


def make() -> WeiboConnector:
    return connector(channels=("realtime",))


@pytest.fixture
def cut_chars() -> int:
    """The cut post's text as the listing shows it, its long text unread (a 404)."""
    with respx.mock(assert_all_called=False) as mock:
        mock.get("https://weibo.com/ajax/statuses/longtext").respond(404)
        mock.route(host="m.weibo.cn").mock(side_effect=sim_handler(SIM, FakeContext(world())))
        cut = posts(make().collect(CollectRequest(tags=[TAG])))[LONG_MID]
    assert cut.text and cut.text.endswith("...")
    return len(cut.text)


@pytest.fixture
def ctx():
    context = FakeContext(world())
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        mock.route(host="m.weibo.cn").mock(side_effect=sim_handler(SIM, context))
        mock.route(host="weibo.com").mock(side_effect=sim_handler(SIM, context))
        context.router = mock
        yield context


def long_text_reads(ctx) -> int:
    return sum(1 for c in ctx.router.calls if c.request.url.path.endswith("/longtext"))


def posts(pages) -> dict:
    return {p.platform_post_id: p for page in pages for p in page.parsed.posts}


def test_the_connector_declares_the_texts_it_spares_requests_with():
    assert WeiboConnector.uses_stored == frozenset({"text_chars"})


def test_a_post_held_in_full_is_not_read_again_and_its_text_is_left_out(ctx):
    full = ctx.post("weibo", LONG_MID).text
    baseline = posts(make().collect(CollectRequest(tags=[TAG])))
    assert long_text_reads(ctx) == 1 and baseline[LONG_MID].text == full

    connector = make()
    connector.use_stored(StoredFacts(text_chars={LONG_MID: len(full)}))
    pages = list(connector.collect(CollectRequest(tags=[TAG])))
    assert long_text_reads(ctx) == 1  # no second read
    held = posts(pages)[LONG_MID]
    assert held.text is None and held.hashtags == [] and "super_topics" not in held.context
    assert held.metrics == baseline[LONG_MID].metrics  # the figures still come
    assert sum(page.parsed.incomplete.get("long_text", 0) for page in pages) == 0
    others = {k: v.text for k, v in posts(pages).items() if k != LONG_MID}
    assert others == {k: v.text for k, v in baseline.items() if k != LONG_MID}


def test_a_post_stored_with_only_its_excerpt_is_read_again(cut_chars, ctx):
    connector = make()
    connector.use_stored(StoredFacts(text_chars={LONG_MID: cut_chars}))
    pages = list(connector.collect(CollectRequest(tags=[TAG])))
    assert long_text_reads(ctx) == 1
    assert posts(pages)[LONG_MID].text == ctx.post("weibo", LONG_MID).text


def test_the_refresh_detail_skips_a_held_long_text_too(ctx):
    connector = make()
    connector.use_stored(StoredFacts(text_chars={LONG_MID: 10_000}))
    pages = list(connector.refresh([LONG_MID]))
    assert long_text_reads(ctx) == 0
    post = posts(pages)[LONG_MID]
    assert post.text is None and post.metrics.likes is not None


def test_both_channels_share_one_read_of_a_long_text(ctx):
    connector = make()
    connector.channels = ("realtime", "topic")
    pages = list(connector.collect(CollectRequest(tags=[TAG])))
    assert long_text_reads(ctx) == 1
    texts = {p.text for page in pages for p in page.parsed.posts if p.platform_post_id == LONG_MID}
    assert texts == {ctx.post("weibo", LONG_MID).text}
    assert connector.http.stats.by_purpose["detail"] == 1
