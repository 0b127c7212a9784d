"""The Douyin connector over respx: challenge resolution, cursor paging, resume, every failure signal."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from connectors.base import CollectRequest
from connectors.douyin.client import COMMON_PARAMS, DouyinConnector
from tracker.errors import Blocked, LoginRequired, RateLimited, SignerMissing
from tracker.http import HttpClient, HttpSettings
from tracker.services.signers import choose_signer
from tracker.signing.dev import verify
from tracker.sim.platforms.douyin import DouyinSim

BASE = "https://www.douyin.com"
ENV = {"TRACKER_DOUYIN_COOKIE": "sessionid=s3cr3t; msToken=tok123"}
T0 = datetime(2024, 9, 18, 2, 30, tzinfo=UTC)
SEARCH = f"{BASE}/aweme/v1/web/challenge/search/"
AWEME = f"{BASE}/aweme/v1/web/challenge/aweme/"
PROFILE = f"{BASE}/aweme/v1/web/user/profile/other/"
DETAIL = f"{BASE}/aweme/v1/web/aweme/detail/"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.t += s


@pytest.fixture
def router():
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


def make_http(clock: Clock | None = None, *, signer: str | None = "dev", env=None) -> HttpClient:
    # a block stands here (no pause): the HTTP layer's pause has its own tests
    settings = HttpSettings(
        block_retries=0,
        max_attempts=3,
        backoff_initial_s=0.5,
        cookie_env="TRACKER_DOUYIN_COOKIE",
        empty_body_blocked=True,
        signer=signer,
    )
    clock = clock or Clock()
    return HttpClient(
        "douyin",
        BASE,
        settings=settings,
        signer=choose_signer(signer),
        sleep=clock.sleep,
        clock=clock.clock,
        env=ENV if env is None else env,
    )


def connector(kit, clock=None, **kw) -> DouyinConnector:
    return DouyinConnector(make_http(clock), now=lambda: kit.NOW, **kw)


def sim_world(kit, n: int = 7):
    authors = [kit.make_account(str(415618727770 + k), followers=100 * (k + 1)) for k in range(3)]
    posts = [
        kit.make_post(
            7410000010437771255 + 10_000 * i, T0 + timedelta(hours=i), account=authors[i % 3]
        )
        for i in range(n)
    ]
    old = kit.make_post(
        7400000000000000001, T0 - timedelta(days=30), account=kit.make_account("999000000001")
    )
    return posts, old, kit.FakeContext([*posts, old], kit.NOW)


def bridge(kit, router, ctx):
    b = kit.SimBridge(DouyinSim(), ctx)
    router.route(host="www.douyin.com").mock(side_effect=b)
    return b


def ids(pages) -> Counter:
    return Counter(p.platform_post_id for page in pages for p in page.parsed.posts)


def test_collect_through_the_simulator(kit, router):
    posts, old, ctx = sim_world(kit)
    b = bridge(kit, router, ctx)
    pages = list(
        connector(kit, page_size=3).collect(CollectRequest(tags=["#千万IP创科普", "千万ip创科普"]))
    )
    assert ids(pages) == Counter({p.post_id: 1 for p in [*posts, old]})
    # every request is signed (the simulator verifies a_bogus) and carries the web client params
    for r in b.requests:
        assert verify("douyin", r.query, r.headers, r.body)
        assert r.query["aid"] == COMMON_PARAMS["aid"] and r.query["msToken"] == "tok123"
        assert "sessionid=s3cr3t" in r.headers["cookie"]
    paths = Counter(r.path for r in b.requests)
    assert paths["/aweme/v1/web/challenge/search/"] == 1  # one tag key, one resolution
    assert paths["/aweme/v1/web/challenge/aweme/"] == 3  # 8 works, 3 per page
    assert paths["/aweme/v1/web/user/profile/other/"] == 4  # once per author
    aweme_requests = [r for r in b.requests if r.path.endswith("/challenge/aweme/")]
    assert [r.query["cursor"] for r in aweme_requests] == ["0", "3", "6"]
    assert (
        aweme_requests[0].headers["referer"]
        == f"https://www.douyin.com/hashtag/{aweme_requests[0].query['ch_id']}"
    )
    followers = {p.account.uid: p.account.followers for p in [*posts, old]}
    assert followers["999000000001"] == 123456
    for page in pages:
        for record in page.parsed.posts:
            assert record.followers_at_capture == followers[record.account_uid]
        for account in page.parsed.accounts:
            assert account.followers == followers[account.platform_uid]
    assert pages[-1].cursor["done"] is True
    assert pages[0].task == "challenge:#千万IP创科普"


def test_since_until_skip_items_but_not_pages(kit, router):
    posts, old, ctx = sim_world(kit)
    bridge(kit, router, ctx)
    request = CollectRequest(
        tags=["千万IP创科普"], since=T0 - timedelta(days=1), until=T0 + timedelta(hours=3)
    )
    pages = list(connector(kit, page_size=3).collect(request))
    assert set(ids(pages)) == {p.post_id for p in posts[:3]}
    assert len(pages) == 3  # the list is not in time order, so every page is read


def test_resume_from_cursor(kit, router):
    posts, old, ctx = sim_world(kit)
    bridge(kit, router, ctx)
    tags = ["千万IP创科普", "科普"]
    full = list(connector(kit, page_size=2).collect(CollectRequest(tags=tags)))
    first = list(connector(kit, page_size=2).collect(CollectRequest(tags=tags, max_pages=3)))
    cursor = json.loads(json.dumps(first[-1].cursor))
    assert cursor["ch_id"] and cursor["cursor"] == 6
    rest = list(connector(kit, page_size=2).collect(CollectRequest(tags=tags, cursor=cursor)))
    assert ids(first) + ids(rest) == ids(full)
    assert sum(ids(full).values()) == 2 * (len(posts) + 1)


def test_the_exact_challenge_is_chosen_not_the_near_miss(kit, router):
    router.get(SEARCH).mock(
        return_value=httpx.Response(
            200,
            json={
                "status_code": 0,
                "challenge_list": [
                    {"challenge_info": {"cid": "111", "cha_name": "千万ip创科普大赛"}},
                    {"challenge_info": {"cid": "222", "cha_name": "千萬IP創科普"}},
                ],
            },
        )
    )
    lists = router.get(AWEME).mock(
        return_value=httpx.Response(
            200, json={"status_code": 0, "aweme_list": [], "has_more": 0, "cursor": 0}
        )
    )
    pages = list(connector(kit).collect(CollectRequest(tags=["#千万IP创科普"])))
    assert lists.calls[0].request.url.params["ch_id"] == "222"
    assert len(pages) == 1 and pages[0].parsed.posts == []


def test_a_tag_without_challenge_yields_an_empty_finished_page(kit, router):
    router.get(SEARCH).mock(
        return_value=httpx.Response(
            200,
            json={
                "status_code": 0,
                "challenge_list": [{"challenge_info": {"cid": "1", "cha_name": "别的"}}],
            },
        )
    )
    pages = list(connector(kit).collect(CollectRequest(tags=["千万IP创科普"])))
    assert len(pages) == 1
    assert pages[0].parsed.claimed_total == 0 and pages[0].cursor["done"] is True


def test_signer_missing(kit, router):
    http = make_http(signer=None)
    with pytest.raises(SignerMissing):
        list(
            DouyinConnector(http, now=lambda: kit.NOW).collect(
                CollectRequest(tags=["千万IP创科普"])
            )
        )
    assert DouyinConnector.needs_signer and DouyinConnector.needs_cookie


def test_empty_body_is_blocked_not_no_results(kit, router):
    route = router.get(SEARCH).mock(return_value=httpx.Response(200, content=b""))
    with pytest.raises(Blocked):
        list(connector(kit).collect(CollectRequest(tags=["千万IP创科普"])))
    assert route.call_count == 1  # never retried


def test_empty_json_object_is_blocked(kit, router):
    router.get(SEARCH).mock(return_value=httpx.Response(200, json={}))
    with pytest.raises(Blocked):
        list(connector(kit).collect(CollectRequest(tags=["千万IP创科普"])))


@pytest.mark.parametrize("nil", ["verify_check", "antispam_check", "hit_shark", "params_check"])
def test_search_nil_blocks(kit, router, nil):
    body = {
        "status_code": 0,
        "challenge_list": [],
        "search_nil_info": {"search_nil_type": nil, "is_load_more": ""},
    }
    router.get(SEARCH).mock(return_value=httpx.Response(200, json=body))
    with pytest.raises(Blocked, match=nil):
        list(connector(kit).collect(CollectRequest(tags=["千万IP创科普"])))


def test_empty_body_mid_list_is_blocked(kit, router):
    router.get(SEARCH).mock(
        return_value=httpx.Response(
            200,
            json={
                "status_code": 0,
                "challenge_list": [{"challenge_info": {"cid": "9", "cha_name": "千万ip创科普"}}],
            },
        )
    )
    router.get(AWEME).mock(return_value=httpx.Response(200, content=b""))
    with pytest.raises(Blocked):
        list(connector(kit).collect(CollectRequest(tags=["千万IP创科普"])))


@pytest.mark.parametrize("code", [8, 2483])
def test_login_wall(kit, router, code):
    router.get(SEARCH).mock(
        return_value=httpx.Response(200, json={"status_code": code, "status_msg": "用户未登录"})
    )
    with pytest.raises(LoginRequired) as info:
        list(connector(kit).collect(CollectRequest(tags=["千万IP创科普"])))
    assert info.value.variable == "TRACKER_DOUYIN_COOKIE"
    assert "s3cr3t" not in str(info.value)


def test_throttle_is_retried(kit, router):
    found = {
        "status_code": 0,
        "challenge_list": [{"challenge_info": {"cid": "9", "cha_name": "千万ip创科普"}}],
    }
    clock = Clock()
    route = router.get(SEARCH).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "2"}, json={"status_code": 2154}),
            httpx.Response(200, json={"status_code": 2154, "status_msg": "请求太频繁"}),
            httpx.Response(200, json=found),
        ]
    )
    router.get(AWEME).mock(
        return_value=httpx.Response(200, json={"status_code": 0, "aweme_list": [], "has_more": 0})
    )
    pages = list(connector(kit, clock).collect(CollectRequest(tags=["千万IP创科普"])))
    assert route.call_count == 3 and len(pages) == 1
    assert clock.sleeps[0] == 2.0


def test_persistent_throttle_is_rate_limited(kit, router):
    router.get(SEARCH).mock(return_value=httpx.Response(200, json={"status_code": 2154}))
    with pytest.raises(RateLimited):
        list(connector(kit).collect(CollectRequest(tags=["千万IP创科普"])))


def test_refresh_with_deleted_work(kit, router):
    posts, old, ctx = sim_world(kit, 2)
    ctx.posts[1] = kit.make_post(
        int(posts[1].post_id), posts[1].published_at, deleted=True, account=posts[1].account
    )
    b = bridge(kit, router, ctx)
    pages = list(
        connector(kit, page_size=2).refresh([posts[0].post_id, posts[1].post_id, old.post_id])
    )
    assert [len(p.parsed.posts) for p in pages] == [2, 1]
    live, gone = pages[0].parsed.posts
    assert live.metrics.likes == 678 and live.followers_at_capture == 100
    assert gone.deleted and gone.platform_post_id == posts[1].post_id
    assert pages[1].parsed.posts[0].platform_post_id == old.post_id
    assert pages[-1].cursor == {"refreshed": 3}
    assert Counter(r.path for r in b.requests)["/aweme/v1/web/aweme/detail/"] == 3
