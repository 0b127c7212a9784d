"""The live Weibo connector over respx: paging, resume, long texts, refresh and every failure
signal the platform notes list (ok:-100 login wall, 418/432 and ok:0 throttles, verification)."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
import pytest
import respx
from weibo_fakes import NOW, RECENT_MID, TAG, FakeContext, sim_handler, world

from connectors.base import CollectRequest
from connectors.weibo.client import WeiboConnector, check_body, topic_query
from tracker.errors import Blocked, LoginRequired, RateLimited
from tracker.http import HttpClient, HttpSettings
from tracker.sim.ids import mid_to_mblogid
from tracker.sim.platforms.weibo import SIM

M = "https://m.weibo.cn"
COOKIE = "SUB=_2A25secret; _T_WM=abc"
CAMPAIGN_IDS = {p.post_id for p in world() if not p.deleted and TAG in p.hashtags}


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def make(
    base: str = M, *, throttle=frozenset({418, 432}), **kwargs
) -> tuple[WeiboConnector, Sleeps]:
    sleeps = Sleeps()
    http = HttpClient(
        "weibo",
        base,
        # a block stands here (no pause): the HTTP layer's pause has its own tests
        settings=HttpSettings(
            block_retries=0,
            cookie_env="TRACKER_WEIBO_COOKIE",
            cookie_domains=("weibo.com",),
            throttle_statuses=throttle,
            max_attempts=3,
            backoff_initial_s=1,
        ),
        env={"TRACKER_WEIBO_COOKIE": COOKIE},
        sleep=sleeps.sleep,
        clock=sleeps.clock,
    )
    return WeiboConnector(http, now=lambda: NOW, **kwargs), sleeps


@pytest.fixture
def router():
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture
def sim_world(router):
    ctx = FakeContext(world())
    router.route(host="m.weibo.cn").mock(side_effect=sim_handler(SIM, ctx))
    router.route(host="weibo.com").mock(side_effect=sim_handler(SIM, ctx))
    return ctx


def ids(pages) -> set[str]:
    return {p.platform_post_id for page in pages for p in page.parsed.posts}


def test_collect_pages_both_channels_with_long_texts(router, sim_world):
    connector, _ = make()
    tags = [TAG, "千万IP创科普", "＃千万ＩＰ创科普＃", "#千万 ip 创科普#"]
    pages = list(connector.collect(CollectRequest(tags=tags)))
    assert [p.task for p in pages] == [f"search:{TAG}"] * 3 + [f"topic:{TAG}"] * 3
    assert [p.cursor for p in pages] == [
        {"task": f"realtime:{TAG}", "page": 2},
        {"task": f"realtime:{TAG}", "page": 3},
        {"task": f"topic:{TAG}", "page": 1},
        {"task": f"topic:{TAG}", "page": 2},
        {"task": f"topic:{TAG}", "page": 3},
        {"done": True},
    ]
    assert ids(pages) == CAMPAIGN_IDS
    assert ids(pages[:3]) == CAMPAIGN_IDS
    long_post = next(
        p for page in pages for p in page.parsed.posts if p.platform_post_id == "5078100000000002"
    )
    assert long_post.text == sim_world.post("weibo", "5078100000000002").text
    assert TAG in long_post.hashtags
    assert pages[0].url.startswith("https://m.weibo.cn/api/container/getIndex?containerid=")
    assert pages[0].parsed.claimed_total == len(CAMPAIGN_IDS)

    search_calls = [c.request for c in router.calls if c.request.url.path.endswith("getIndex")]
    assert len(search_calls) == 6
    first = search_calls[0]
    assert first.url.params["containerid"] == f"100103type=61&q={TAG}"
    assert first.url.params["page"] == "1"
    assert first.headers["cookie"] == COOKIE
    assert first.headers["mweibo-pwa"] == "1"
    assert first.headers["referer"].startswith("https://m.weibo.cn/search?containerid=100103type")
    long_calls = [c.request for c in router.calls if c.request.url.path.endswith("longtext")]
    assert len(long_calls) == 1  # the one long post, read once though both channels show it
    assert long_calls[0].url.host == "weibo.com"
    assert long_calls[0].url.params["id"] == mid_to_mblogid("5078100000000002")


def test_resume_from_a_cursor_reaches_the_same_set(router, sim_world):
    connector, _ = make()
    request = CollectRequest(tags=[TAG])
    first_two = []
    for page in connector.collect(request):
        first_two.append(page)
        if len(first_two) == 2:
            break  # killed after the second page was committed
    resumed = list(connector.collect(CollectRequest(tags=[TAG], cursor=first_two[-1].cursor)))
    assert [p.cursor for p in resumed][0] == {"task": f"topic:{TAG}", "page": 1}
    assert len(resumed) == 4
    assert ids(first_two + resumed) == CAMPAIGN_IDS
    # resuming inside the second task skips the first one entirely
    mid_topic = list(
        connector.collect(CollectRequest(tags=[TAG], cursor={"task": f"topic:{TAG}", "page": 3}))
    )
    assert len(mid_topic) == 1 and mid_topic[0].cursor == {"done": True}
    # a finished or foreign cursor starts over
    again = list(connector.collect(CollectRequest(tags=[TAG], cursor={"done": True})))
    assert len(again) == 6
    other = list(connector.collect(CollectRequest(tags=[TAG], cursor={"task": "realtime:#x#"})))
    assert len(other) == 6


def test_max_pages_and_channels(router, sim_world):
    connector, _ = make(channels=("all",))
    pages = list(connector.collect(CollectRequest(tags=[TAG], max_pages=2)))
    assert len(pages) == 2 and pages[-1].cursor == {"done": True}
    with pytest.raises(ValueError, match="unknown weibo channel"):
        make(channels=("hot",))


def test_since_stops_the_realtime_channel_and_filters_old_posts(router, sim_world):
    connector, _ = make(channels=("realtime",))
    since = NOW - timedelta(days=2, hours=1)
    pages = list(connector.collect(CollectRequest(tags=[TAG], since=since)))
    got = ids(pages)
    assert RECENT_MID in got and "5078100000000004" in got
    assert not any(pid.startswith("50781000000000") and int(pid[-2:]) >= 10 for pid in got)
    assert len(pages) == 2  # the second page is all older than since: stop there
    assert pages[-1].cursor == {"done": True}
    # the repost is recent but its original is older: the original is kept with it
    assert "5078100000000001" in got
    until = NOW - timedelta(days=1)
    pages = list(connector.collect(CollectRequest(tags=[TAG], until=until)))
    assert RECENT_MID not in ids(pages)


def test_login_wall_names_the_cookie_variable(router):
    router.get(f"{M}/api/container/getIndex").respond(200, json=SIM.login_wall_response().body)
    connector, sleeps = make()
    with pytest.raises(LoginRequired) as info:
        list(connector.collect(CollectRequest(tags=[TAG])))
    assert info.value.variable == "TRACKER_WEIBO_COOKIE"
    assert "TRACKER_WEIBO_COOKIE" in str(info.value)
    assert "_2A25secret" not in str(info.value)
    assert sleeps.calls == [] and router.calls.call_count == 1


@pytest.mark.parametrize("status", [418, 432])
def test_throttle_statuses_are_retried_then_succeed(router, status):
    ok = {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}
    router.get(f"{M}/api/container/getIndex").mock(
        side_effect=[httpx.Response(status), httpx.Response(200, json=ok)] * 2
    )
    connector, sleeps = make()
    pages = list(connector.collect(CollectRequest(tags=[TAG])))
    assert len(pages) == 2 and all(p.parsed.has_more is False for p in pages)
    assert len(sleeps.calls) == 2


def test_persistent_throttle_raises_rate_limited(router):
    router.get(f"{M}/api/container/getIndex").respond(432)
    connector, sleeps = make()
    with pytest.raises(RateLimited):
        list(connector.collect(CollectRequest(tags=[TAG])))
    assert router.calls.call_count == 3 and len(sleeps.calls) == 2


def test_throttle_message_under_ok_0_is_retried(router):
    ok = {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}
    router.get(f"{M}/api/container/getIndex").mock(
        side_effect=[
            httpx.Response(200, json={"ok": 0, "msg": "请求过于频繁，请稍后再试"}),
            httpx.Response(200, json=ok),
            httpx.Response(200, json=ok),
        ]
    )
    connector, sleeps = make()
    assert len(list(connector.collect(CollectRequest(tags=[TAG])))) == 2
    assert len(sleeps.calls) == 1


def test_verification_block_is_not_retried(router):
    router.get(f"{M}/api/container/getIndex").respond(200, json=SIM.block_response().body)
    connector, sleeps = make()
    with pytest.raises(Blocked, match="需要验证"):
        list(connector.collect(CollectRequest(tags=[TAG])))
    assert router.calls.call_count == 1 and sleeps.calls == []


def test_missing_throttle_statuses_are_warned_about(caplog):
    with caplog.at_level(logging.WARNING, logger="connectors.weibo.client"):
        make(throttle=frozenset())
    assert "418/432" in caplog.text


def test_long_text_failure_keeps_the_cut_text(router):
    router.get("https://weibo.com/ajax/statuses/longtext").respond(404)  # before the sim routes
    router.route(host="m.weibo.cn").mock(side_effect=sim_handler(SIM, FakeContext(world())))
    connector, _ = make(channels=("topic",))
    pages = list(connector.collect(CollectRequest(tags=[TAG])))
    long_post = next(
        p for page in pages for p in page.parsed.posts if p.platform_post_id == "5078100000000002"
    )
    assert long_post.text.endswith("...")
    assert ids(pages) == CAMPAIGN_IDS


def test_refresh_reads_show_and_marks_deleted(router, sim_world):
    connector, _ = make(page_size=2)
    wanted = ["5078100000000004", "5078100000000002", "5078100000000007"]
    pages = list(connector.refresh(wanted))
    assert [p.cursor for p in pages] == [{"refresh_index": 2}, {"done": True}]
    posts = {p.platform_post_id: p for page in pages for p in page.parsed.posts}
    assert posts["5078100000000004"].metrics.likes == 10
    assert posts["5078100000000004"].metrics.views == 123_456
    assert posts["5078100000000002"].text == sim_world.post("weibo", "5078100000000002").text
    assert posts["5078100000000007"].deleted is True
    shows = [c.request for c in router.calls if c.request.url.path == "/ajax/statuses/show"]
    assert shows[0].url.host == "weibo.com" and shows[0].headers["cookie"] == COOKIE


def test_refresh_turns_a_failed_detail_into_a_reject(router):
    router.get("https://weibo.com/ajax/statuses/show").respond(404)
    connector, _ = make()
    (page,) = list(connector.refresh(["1"]))
    assert page.parsed.posts == []
    assert page.parsed.rejects[0].reason.startswith("refresh failed")


def test_simulator_base_url_serves_long_texts_too(router):
    ctx = FakeContext(world())
    router.route(host="127.0.0.1").mock(side_effect=sim_handler(SIM, ctx, prefix="/weibo"))
    connector, _ = make("http://127.0.0.1:8123/weibo", channels=("topic",))
    assert connector.longtext_base_url == "http://127.0.0.1:8123/weibo"
    pages = list(connector.collect(CollectRequest(tags=[TAG])))
    assert ids(pages) == CAMPAIGN_IDS
    assert make()[0].longtext_base_url == "https://weibo.com"
    assert make(longtext_base_url="https://x.test/")[0].longtext_base_url == "https://x.test"


def test_check_body_and_topic_query_directly():
    class R:
        status_code = 200

    check_body({"ok": 1, "data": {}}, R())
    check_body({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}, R())
    check_body([], R())
    with pytest.raises(LoginRequired):
        check_body({"ok": "-100"}, R(), variable="X")
    assert topic_query("千万IP创科普") == "#千万IP创科普#"
    assert topic_query(" ＃千万IP创科普＃ ") == "#千万IP创科普#"
    assert topic_query("##") == ""
    connector, _ = make()
    tasks = connector._tasks(["#千万IP创科普#", "#千万ip创科普", "千萬IP創科普"])
    assert [key for key, _, _ in tasks] == [
        "realtime:#千万IP创科普#",
        "topic:#千万IP创科普#",
        "realtime:#千萬IP創科普#",
        "topic:#千萬IP創科普#",
    ]
