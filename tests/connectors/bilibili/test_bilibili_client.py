"""The Bilibili connector over respx: signing, day slices past the cap, resume, every failure signal."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from connectors.base import CollectRequest
from connectors.bilibili import wbi
from connectors.bilibili.client import BilibiliConnector, day_windows
from connectors.bilibili.ids import aid_to_bvid
from tracker.errors import Blocked, LoginRequired, RateLimited
from tracker.http import HttpClient, HttpSettings
from tracker.sim.platforms.bilibili import SIM, wbi_keys

BASE = "https://api.bilibili.com"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "bilibili"
NAV = json.loads((FIXTURES / "nav_unlogged_wbi_img.json").read_text(encoding="utf-8"))
VOUCHER_352 = json.loads((FIXTURES / "error_352_v_voucher.json").read_text(encoding="utf-8"))
SEARCH_PAGE = json.loads(
    (FIXTURES / "search_type_video_keyword_shaonian.json").read_text(encoding="utf-8")
)
IMG, SUB = "7cd084941338484aae1ad9425b84077c", "4932caff0ff746eab6f01bf08b70ac45"
DISGUISED = {"code": 0, "message": "0", "ttl": 1, "data": {"v_voucher": "voucher_84a8c3ce"}}
SINCE = datetime(2024, 9, 15, 16, 0, tzinfo=UTC)  # 2024-09-16 00:00 Asia/Shanghai
UNTIL = datetime(2024, 9, 18, 16, 0, tzinfo=UTC)  # three Shanghai days


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


def make_http(
    clock: Clock, env: dict[str, str] | None = None, *, block_retries: int = 0
) -> HttpClient:
    # a block stands here unless asked (no pause): the HTTP layer's pause has its own tests
    settings = HttpSettings(
        block_retries=block_retries,
        block_pause_s=90,
        max_attempts=3,
        backoff_initial_s=0.5,
        cookie_env="TRACKER_BILIBILI_COOKIE",
    )
    return HttpClient(
        "bilibili", BASE, settings=settings, sleep=clock.sleep, clock=clock.clock, env=env or {}
    )


def sim_world(kit, per_day: int = 7):
    posts = []
    aid = 113000000000001
    for day in range(3):
        start = SINCE + timedelta(days=day, hours=1)
        for k in range(per_day):
            account = kit.make_account(str(1000 + (aid % 4)), followers=10 * (aid % 4 + 1))
            posts.append(kit.make_post(aid, start + timedelta(hours=2 * k), account=account))
            aid += 3
    outside = kit.make_post(aid + 50, SINCE - timedelta(hours=3))  # before the window
    return posts, kit.FakeContext([*posts, outside], kit.NOW)


def bridge(kit, router, ctx):
    b = kit.SimBridge(SIM, ctx)
    router.route(host="api.bilibili.com").mock(side_effect=b)
    return b


def collect_all(connector, request):
    return list(connector.collect(request))


def test_day_windows_are_shanghai_days_newest_first():
    windows = day_windows(SINCE, UNTIL)
    assert len(windows) == 3
    assert windows[0] == (int(UNTIL.timestamp()) - 86400, int(UNTIL.timestamp()))
    assert windows[-1][0] == int(SINCE.timestamp())
    assert day_windows(None, UNTIL) == [(0, 0)]
    assert day_windows(UNTIL, SINCE) == []


def test_collect_through_the_simulator(kit, router):
    posts, ctx = sim_world(kit)
    b = bridge(kit, router, ctx)
    clock = Clock()
    connector = BilibiliConnector(make_http(clock), now=lambda: kit.NOW, page_size=5)
    pages = collect_all(
        connector, CollectRequest(tags=["#千万IP创科普#", "千万ip创科普"], since=SINCE, until=UNTIL)
    )
    got = [p.platform_post_id for page in pages for p in page.parsed.posts]
    assert sorted(got) == sorted(p.post_id for p in posts)  # all, once, and none outside the window
    assert len(got) == len(set(got))
    # one search per tag key: the two spellings are the same tag
    searches = [r for r in b.requests if r.path.endswith("/search/type")]
    assert {r.query["keyword"] for r in searches} == {"千万IP创科普"}
    # every search is signed with the keys nav served, sorted by day and slice
    for r in searches:
        assert wbi.verify(r.query, *wbi_keys(ctx))
        assert r.query["order"] == "pubdate" and r.query["page_size"] == "5"
        assert int(r.query["pubtime_end_s"]) - int(r.query["pubtime_begin_s"]) == 86399
        assert r.headers["cookie"].startswith("buvid3=") and r.headers["cookie"].endswith("infoc")
    assert b.paths().count("/x/web-interface/nav") == 1
    # full stats and followers come from view/detail
    by_id = {p.post_id: p for p in posts}
    for page in pages:
        for record in page.parsed.posts:
            sim = by_id[record.platform_post_id]
            assert record.metrics.shares == sim.metrics.shares
            assert record.followers_at_capture == sim.account.followers
        for account in page.parsed.accounts:
            assert account.followers == 10 * (int(account.platform_uid) - 1000 + 1)
    assert pages[-1].cursor["done"] is True
    assert pages[0].task == "search:#千万IP创科普#"
    assert pages[0].url.startswith(f"{BASE}/x/web-interface/wbi/search/type?search_type=video")


def test_authors_mode_reads_one_detail_per_author(kit, router):
    posts, ctx = sim_world(kit)
    b = bridge(kit, router, ctx)
    connector = BilibiliConnector(make_http(Clock()), now=lambda: kit.NOW, details="authors")
    pages = collect_all(connector, CollectRequest(tags=["千万IP创科普"], since=SINCE, until=UNTIL))
    details = [r for r in b.requests if r.path.endswith("/view/detail")]
    assert len(details) == len({p.account.uid for p in posts}) == 4
    records = [p for page in pages for p in page.parsed.posts]
    assert all(r.metrics.shares is None for r in records)  # search alone has no shares
    assert all(r.followers_at_capture is not None for r in records)


def test_a_capped_day_is_split_until_everything_is_read(kit, router):
    day = SINCE + timedelta(hours=1)
    posts = [
        kit.make_post(113000000000001 + i, day + timedelta(seconds=60 * i)) for i in range(1030)
    ]
    ctx = kit.FakeContext(posts, kit.NOW)
    b = bridge(kit, router, ctx)
    connector = BilibiliConnector(make_http(Clock()), now=lambda: kit.NOW, details="none")
    until = SINCE + timedelta(days=1)
    pages = collect_all(connector, CollectRequest(tags=["千万IP创科普"], since=SINCE, until=until))
    got = [p.platform_post_id for page in pages for p in page.parsed.posts]
    assert len(got) == 1030 == len(set(got))
    windows = {
        (r.query.get("pubtime_begin_s"), r.query.get("pubtime_end_s"))
        for r in b.requests
        if "search" in r.path
    }
    assert len(windows) >= 3  # the day, then its halves


def test_resume_from_a_cursor_gives_the_same_set(kit, router):
    posts, ctx = sim_world(kit)
    bridge(kit, router, ctx)
    request = CollectRequest(tags=["千万IP创科普", "科普"], since=SINCE, until=UNTIL)
    full = collect_all(
        BilibiliConnector(make_http(Clock()), now=lambda: kit.NOW, page_size=4, details="none"),
        request,
    )
    first = collect_all(
        BilibiliConnector(make_http(Clock()), now=lambda: kit.NOW, page_size=4, details="none"),
        CollectRequest(tags=request.tags, since=SINCE, until=UNTIL, max_pages=3),
    )
    assert len(first) == 3
    cursor = json.loads(json.dumps(first[-1].cursor))  # JSON-able
    rest = collect_all(
        BilibiliConnector(make_http(Clock()), now=lambda: kit.NOW, page_size=4, details="none"),
        CollectRequest(tags=request.tags, since=SINCE, until=UNTIL, cursor=cursor),
    )
    ids = lambda pages: Counter(p.platform_post_id for page in pages for p in page.parsed.posts)  # noqa: E731
    assert ids(first) + ids(rest) == ids(full)
    assert sum(ids(full).values()) == 2 * len(posts)  # both tags find every post
    done = collect_all(
        BilibiliConnector(make_http(Clock()), now=lambda: kit.NOW, details="none"),
        CollectRequest(tags=request.tags, since=SINCE, until=UNTIL, cursor=full[-1].cursor),
    )
    assert done == []


def test_spaces_in_keywords_are_signed_as_percent_20_end_to_end(kit, router):
    t0 = SINCE + timedelta(hours=2)
    ctx = kit.FakeContext(
        [kit.make_post(113000000000001, t0, hashtags=("千万 IP 创科普",))], kit.NOW
    )
    b = bridge(kit, router, ctx)
    connector = BilibiliConnector(make_http(Clock()), now=lambda: kit.NOW, details="none")
    pages = collect_all(
        connector, CollectRequest(tags=["#千万 IP 创科普#"], since=SINCE, until=UNTIL)
    )
    assert sum(len(p.parsed.posts) for p in pages) == 1
    assert any(r.query.get("keyword") == "千万 IP 创科普" for r in b.requests)


def test_wts_comes_from_the_injected_clock(kit, router):
    _, ctx = sim_world(kit, per_day=1)
    b = bridge(kit, router, ctx)
    connector = BilibiliConnector(make_http(Clock()), now=lambda: kit.NOW, details="none")
    collect_all(
        connector, CollectRequest(tags=["千万IP创科普"], since=SINCE, until=UNTIL, max_pages=1)
    )
    search = next(r for r in b.requests if "search" in r.path)
    assert search.query["wts"] == str(int(kit.NOW.timestamp()))


def test_configured_buvid3_is_kept(kit, router):
    _, ctx = sim_world(kit, per_day=1)
    b = bridge(kit, router, ctx)
    env = {"TRACKER_BILIBILI_COOKIE": "buvid3=MINE-123infoc; SESSDATA=secret"}
    connector = BilibiliConnector(make_http(Clock(), env), now=lambda: kit.NOW, details="none")
    collect_all(
        connector, CollectRequest(tags=["千万IP创科普"], since=SINCE, until=UNTIL, max_pages=1)
    )
    assert "buvid3=MINE-123infoc" in b.requests[-1].headers["cookie"]


# --- failure signals (real base URL, scripted answers) ---------------------------------------------


def scripted(router, *answers, nav=None):
    nav_route = router.get(f"{BASE}/x/web-interface/nav").mock(
        return_value=httpx.Response(200, json=nav or NAV)
    )
    search = router.get(f"{BASE}/x/web-interface/wbi/search/type").mock(side_effect=list(answers))
    return nav_route, search


def run_one(clock=None, *, block_retries: int = 0, **kw):
    connector = BilibiliConnector(
        make_http(clock or Clock(), block_retries=block_retries),
        now=lambda: datetime(2024, 9, 20, tzinfo=UTC),
        **kw,
    )
    return list(connector.collect(CollectRequest(tags=["千万IP创科普"], max_pages=1)))


def test_signature_uses_the_nav_keys_exactly(router):
    _, search = scripted(router, httpx.Response(200, json=SEARCH_PAGE))
    run_one(details="none")
    query = dict(parse_qsl(search.calls[0].request.url.query.decode()))
    assert wbi.verify(query, IMG, SUB)
    assert (
        query["w_rid"]
        == wbi.sign(
            {k: v for k, v in query.items() if k not in ("w_rid", "wts")},
            IMG,
            SUB,
            wts=int(query["wts"]),
        )["w_rid"]
    )


def test_v_voucher_refreshes_the_keys_once_then_succeeds(router):
    nav, search = scripted(
        router, httpx.Response(200, json=DISGUISED), httpx.Response(200, json=SEARCH_PAGE)
    )
    pages = run_one(details="none")
    assert len(pages[0].parsed.posts) == 20
    assert nav.call_count == 2 and search.call_count == 2


def test_persistent_v_voucher_under_code_0_is_blocked(router):
    nav, search = scripted(router, *[httpx.Response(200, json=DISGUISED)] * 3)
    with pytest.raises(Blocked, match="v_voucher"):
        run_one(details="none")
    assert search.call_count == 2 and nav.call_count == 2


def test_a_voucher_fresh_keys_did_not_lift_is_paused_over_and_the_first_is_not(router):
    """Fresh keys first (no pause for a voucher that may be stale keys); a voucher that outlives
    them is risk control, which the HTTP layer's pause may lift."""
    nav, search = scripted(
        router,
        httpx.Response(200, json=DISGUISED),
        httpx.Response(200, json=DISGUISED),
        httpx.Response(200, json=SEARCH_PAGE),
    )
    clock = Clock()
    pages = run_one(clock, block_retries=2, details="none")
    assert len(pages[0].parsed.posts) == 20
    assert nav.call_count == 2 and search.call_count == 3
    assert clock.sleeps == [90]


def test_352_risk_control_is_blocked(router):
    scripted(router, *[httpx.Response(200, json=VOUCHER_352)] * 2)
    with pytest.raises(Blocked):
        run_one(details="none")
    plain_352 = {"code": -352, "message": "风控校验失败", "ttl": 1, "data": None}
    router.routes.clear()
    scripted(router, httpx.Response(200, json=plain_352))
    with pytest.raises(Blocked, match="-352"):
        run_one(details="none")


def test_412_is_throttling_retried_with_backoff(router):
    throttled = httpx.Response(
        412, json={"code": -412, "message": "请求被拦截", "ttl": 1, "data": None}
    )
    clock = Clock()
    _, search = scripted(router, throttled, httpx.Response(200, json=SEARCH_PAGE))
    pages = run_one(clock, details="none")
    assert len(pages[0].parsed.posts) == 20 and search.call_count == 2
    assert len(clock.sleeps) == 1


def test_persistent_412_ends_as_rate_limited(router):
    throttled = {"code": -412, "message": "请求被拦截", "ttl": 1, "data": None}
    _, search = scripted(router, *[httpx.Response(412, json=throttled)] * 3)
    with pytest.raises(RateLimited):
        run_one(details="none")
    assert search.call_count == 3


@pytest.mark.parametrize("code", [-799, -509])
def test_other_throttle_codes(router, code):
    body = {"code": code, "message": "请求过于频繁", "ttl": 1, "data": None}
    _, search = scripted(
        router, httpx.Response(200, json=body), httpx.Response(200, json=SEARCH_PAGE)
    )
    assert len(run_one(details="none")[0].parsed.posts) == 20
    assert search.call_count == 2


def test_login_wall_names_the_cookie_variable(router):
    scripted(
        router,
        httpx.Response(200, json={"code": -101, "message": "账号未登录", "ttl": 1, "data": None}),
    )
    with pytest.raises(LoginRequired) as info:
        run_one(details="none")
    assert info.value.variable == "TRACKER_BILIBILI_COOKIE"


def test_nav_minus_101_is_not_a_login_wall(router):
    nav, _ = scripted(router, httpx.Response(200, json=SEARCH_PAGE))
    run_one(details="none")
    assert nav.call_count == 1  # the -101 nav body was accepted for its keys


def test_detail_follower_lookup_and_not_found(router):
    scripted(router, httpx.Response(200, json=SEARCH_PAGE))
    found = {
        "code": 0,
        "message": "0",
        "ttl": 1,
        "data": {
            "View": SEARCH_VIEW,
            "Card": {"card": {"mid": "178932626", "fans": 4321}, "follower": 4321},
        },
    }

    def detail(request: httpx.Request) -> httpx.Response:
        if request.url.params["bvid"] == "BV1De411p77r":
            return httpx.Response(200, json=found)
        return httpx.Response(
            200, json={"code": -404, "message": "啥都木有", "ttl": 1, "data": None}
        )

    router.get(f"{BASE}/x/web-interface/view/detail").mock(side_effect=detail)
    page = run_one(details="authors")[0].parsed
    first = page.posts[0]
    assert first.followers_at_capture == 4321
    assert next(a for a in page.accounts if a.platform_uid == "178932626").followers == 4321
    assert all(
        p.followers_at_capture is None for p in page.posts[1:] if p.account_uid != "178932626"
    )


SEARCH_VIEW = {
    "bvid": "BV1De411p77r",
    "aid": 243082173,
    "title": "梦然-《少年》官方版",
    "pubdate": 1588407050,
    "desc": "",
    "duration": 258,
    "owner": {"mid": 178932626, "name": "大橘爱吃猫"},
    "stat": {"view": 1037655, "reply": 1265, "favorite": 27341, "share": 321, "like": 4567},
}


def test_refresh_reads_details_and_marks_deleted(router):
    def detail(request: httpx.Request) -> httpx.Response:
        if request.url.params["bvid"] == "BV1De411p77r":
            return httpx.Response(
                200,
                json={
                    "code": 0,
                    "message": "0",
                    "ttl": 1,
                    "data": {"View": SEARCH_VIEW, "Card": {"card": {"fans": 99}}},
                },
            )
        return httpx.Response(
            200, json={"code": -404, "message": "啥都木有", "ttl": 1, "data": None}
        )

    route = router.get(f"{BASE}/x/web-interface/view/detail").mock(side_effect=detail)
    connector = BilibiliConnector(
        make_http(Clock()), now=lambda: datetime(2024, 9, 20, tzinfo=UTC), page_size=2
    )
    pages = list(connector.refresh(["BV1De411p77r", "243082174", aid_to_bvid(85440373)]))
    assert [len(p.parsed.posts) for p in pages] == [2, 1]
    live, gone = pages[0].parsed.posts
    assert live.metrics.shares == 321 and live.followers_at_capture == 99
    assert gone.deleted and gone.platform_post_id == aid_to_bvid(243082174)
    assert pages[1].parsed.posts[0].deleted
    assert route.call_count == 3
    assert pages[-1].cursor == {"refreshed": 3}
