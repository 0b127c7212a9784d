"""Xiaohongshu client over respx: the simulator module answers on the real base URL, faults injected."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
import respx
from xhs_world import NOW, FakeContext, make_posts, respx_http, sim_request, to_httpx

from connectors.base import CollectRequest
from connectors.xiaohongshu.client import XiaohongshuConnector, make_search_id, search_keywords
from tracker.errors import Blocked, LoginRequired, RateLimited, SignerMissing
from tracker.http import HttpClient
from tracker.signing.dev import DevSigner
from tracker.sim.platforms.xiaohongshu import SIM, xsec_token

BASE = "https://edith.xiaohongshu.com"
TAGS = ["#千万IP创科普#", "#千万ip创科普[话题]#"]


class BadSigner:
    def sign(self, request):
        return {"params": {}, "headers": {"x-s": "XYW_outdated"}}


def _kind(path: str) -> str:
    if path.endswith("/search/notes"):
        return "search"
    return "profile" if path.endswith("/user/otherinfo") else "feed"


class Platform:
    def __init__(self, ctx: FakeContext) -> None:
        self.ctx = ctx
        self.faults: dict[str, list] = {"search": [], "feed": [], "profile": []}
        self.calls: list[tuple[str, dict, httpx.Headers]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        kind = _kind(request.url.path)
        sent = dict(request.url.params) if request.method == "GET" else json.loads(request.content)
        self.calls.append((kind, sent, request.headers))
        if self.faults[kind]:
            return to_httpx(self.faults[kind].pop(0))
        sim = sim_request(request)
        for route in SIM.routes():
            if route.pattern.match(sim.path):
                return to_httpx(route.handler(sim, self.ctx))
        return httpx.Response(404, json={"code": 404})

    def count(self, kind: str) -> int:
        return sum(1 for k, _, _ in self.calls if k == kind)


@pytest.fixture
def platform():
    served = Platform(FakeContext(make_posts()))
    with respx.mock(assert_all_called=False) as mock:
        mock.post(url__regex=r"^https://edith\.xiaohongshu\.com/.*").mock(side_effect=served.handle)
        mock.get(url__regex=r"^https://edith\.xiaohongshu\.com/.*").mock(side_effect=served.handle)
        yield served


def make_http(signer=DevSigner()) -> HttpClient:
    cookie = "a1=abc123456; web_session=secret-session"
    return respx_http("xiaohongshu", BASE, cookie, signer=signer, max_attempts=3)


def connector(http: HttpClient | None = None, **kw) -> XiaohongshuConnector:
    return XiaohongshuConnector(http or make_http(), now=lambda: NOW, **kw)


def campaign(platform: Platform) -> dict:
    return {p.post_id: p for p in platform.ctx.posts if p.matches_campaign and not p.deleted}


def test_search_keywords_and_search_id():
    assert search_keywords(TAGS + ["科普"]) == ["千万IP创科普", "科普"]
    sid = make_search_id(NOW, "千万IP创科普")
    assert sid == make_search_id(NOW, "千万IP创科普") and sid.isalnum() and sid.islower()
    ms = int(NOW.timestamp() * 1000)
    assert int(sid, 36) >> 64 == ms


def test_collect_returns_full_notes_equal_to_the_world(platform):
    pages = list(connector().collect(CollectRequest(tags=TAGS)))
    assert len(pages) == 3
    world = campaign(platform)
    posts = [p for page in pages for p in page.parsed.posts]
    assert len(posts) == len({p.platform_post_id for p in posts}) == 45
    assert {p.platform_post_id for p in posts} == set(world)
    for post in posts:
        sim = world[post.platform_post_id]
        assert post.published_at == sim.published_at
        assert post.metrics.likes == sim.metrics.likes
        assert post.metrics.favorites == sim.metrics.favorites
        assert post.metrics.comments == sim.metrics.comments
        assert post.metrics.shares == sim.metrics.shares
        assert post.context["xsec_token"] == xsec_token(sim)
        assert "xsec_token=" in post.url
    assert platform.count("search") == 3 and platform.count("feed") == 45
    searches = [b for k, b, _ in platform.calls if k == "search"]
    assert [b["page"] for b in searches] == [1, 2, 3]
    assert len({b["search_id"] for b in searches}) == 1
    assert searches[0]["sort"] == "time_descending" and searches[0]["page_size"] == 20
    headers = platform.calls[0][2]
    assert headers["x-s"].startswith("XYW_")
    assert headers["origin"] == "https://www.xiaohongshu.com"
    assert pages[0].cursor == {
        "tag_index": 0,
        "tag": "千万IP创科普",
        "page": 2,
        "search_id": searches[0]["search_id"],
    }
    assert pages[-1].cursor == {"tag_index": 1, "done": True}


def test_resume_from_cursor(platform):
    first = next(iter(connector().collect(CollectRequest(tags=TAGS))))
    rest = list(connector().collect(CollectRequest(tags=TAGS, cursor=first.cursor)))
    ids = [p.platform_post_id for page in [first, *rest] for p in page.parsed.posts]
    assert len(ids) == len(set(ids)) == 45
    searches = [b for k, b, _ in platform.calls if k == "search"]
    assert [b["page"] for b in searches] == [1, 2, 3]
    assert searches[1]["search_id"] == searches[0]["search_id"]  # same search continued


def test_since_stops_paging_by_time(platform):
    since = NOW - timedelta(hours=60)
    pages = list(connector().collect(CollectRequest(tags=TAGS, since=since)))
    posts = [p for page in pages for p in page.parsed.posts]
    assert posts and all(p.published_at >= since for p in posts)
    expected = {i for i, p in campaign(platform).items() if p.published_at >= since}
    assert {p.platform_post_id for p in posts} == expected
    # page 2 lies wholly before `since`: it ends the keyword, page 3 is never asked for
    assert len(pages) == 2 and platform.count("search") == 2


def test_until_drops_newer_notes(platform):
    until = NOW - timedelta(hours=100)
    posts = [
        p
        for page in connector().collect(CollectRequest(tags=TAGS, until=until))
        for p in page.parsed.posts
    ]
    assert posts and all(p.published_at < until for p in posts)


def test_a_note_published_at_until_is_left_out(platform):
    """``--until`` means "published before": the same edge as every other platform."""
    everything = [
        p for page in connector().collect(CollectRequest(tags=TAGS)) for p in page.parsed.posts
    ]
    until = sorted(p.published_at for p in everything)[len(everything) // 2]
    kept = {
        p.platform_post_id
        for page in connector().collect(CollectRequest(tags=TAGS, until=until))
        for p in page.parsed.posts
    }
    assert kept == {p.platform_post_id for p in everything if p.published_at < until}
    assert any(p.published_at == until for p in everything)


def test_throttle_code_is_retried(platform):
    platform.faults["search"] = [SIM.throttle_response()]
    http = make_http()
    pages = list(connector(http).collect(CollectRequest(tags=TAGS, max_pages=1)))
    # 20 listed, the deleted one not served: 19 notes
    assert len(pages[0].parsed.posts) == 19 and http.stats.retries == 1


def test_persistent_throttle_raises(platform):
    platform.faults["feed"] = [SIM.throttle_response()] * 3
    with pytest.raises(RateLimited):
        list(connector().collect(CollectRequest(tags=TAGS)))


def test_login_wall(platform):
    platform.faults["search"] = [SIM.login_wall_response()]
    with pytest.raises(LoginRequired) as info:
        list(connector().collect(CollectRequest(tags=TAGS)))
    assert info.value.variable == "TRACKER_XIAOHONGSHU_COOKIE"
    assert "secret-session" not in str(info.value)


def test_no_permission_code_is_a_login_problem(platform):
    platform.faults["search"] = [
        type(SIM.throttle_response())(
            200, {"code": -104, "success": False, "msg": "您当前登录的账号没有权限访问"}
        )
    ]
    with pytest.raises(LoginRequired, match="-104"):
        list(connector().collect(CollectRequest(tags=TAGS)))


def test_captcha_461_is_blocked(platform):
    platform.faults["search"] = [SIM.block_response()]
    with pytest.raises(Blocked, match="461"):
        list(connector().collect(CollectRequest(tags=TAGS)))


def test_ip_block_under_http_200_is_blocked(platform):
    body = dict(SIM.block_response().body)
    platform.faults["feed"] = [type(SIM.block_response())(200, body)]
    with pytest.raises(Blocked, match="300012"):
        list(connector().collect(CollectRequest(tags=TAGS)))


def test_missing_signer(platform):
    with pytest.raises(SignerMissing, match="TRACKER_XIAOHONGSHU_SIGNER"):
        list(connector(make_http(signer=None)).collect(CollectRequest(tags=TAGS)))
    assert platform.calls == []


def test_outdated_signature_is_blocked(platform):
    with pytest.raises(Blocked, match="signature"):
        list(connector(make_http(signer=BadSigner())).collect(CollectRequest(tags=TAGS)))


def test_deleted_between_listing_and_detail_keeps_the_card(platform):
    platform.faults["feed"] = [
        type(SIM.block_response())(
            200, {"code": -510000, "success": False, "msg": "笔记不存在", "data": {}}
        )
    ]
    page = next(iter(connector().collect(CollectRequest(tags=TAGS))))
    assert len(page.parsed.posts) == 19
    card = page.parsed.posts[0]
    # card only: no time field, so the time is the id's (marked as derived)
    assert card.published_at_source == "id" and card.metrics.likes is not None


def test_refresh_with_urls_tokens_and_deleted(platform):
    world = campaign(platform)
    a, b, c = list(world.values())[:3]
    url_a = f"https://www.xiaohongshu.com/explore/{a.post_id}?xsec_token={xsec_token(a)}&xsec_source=pc_search"
    conn = connector()
    conn.remember_tokens({b.post_id: xsec_token(b)})
    ids = [url_a, b.post_id, "66ffffff000000001b0dead0", "66aaaaaa000000001b000000", c.post_id]
    (page,) = list(conn.refresh(ids))
    live = {p.platform_post_id: p for p in page.parsed.posts}
    assert live[a.post_id].metrics.likes == a.metrics.likes and not live[a.post_id].deleted
    assert live[b.post_id].published_at == b.published_at
    assert live["66ffffff000000001b0dead0"].deleted is True
    assert live["66aaaaaa000000001b000000"].deleted is True  # -510000: no such note
    assert c.post_id not in live  # a note without its token is not viewable (-510001)...
    (reject,) = page.parsed.rejects  # ...and that is reported, never taken as deleted
    assert c.post_id in reject.reason and "missing" in reject.reason and "-510001" in reject.reason


# --- follower counts through user/otherinfo ---------------------------------------------------


def authors(platform: Platform) -> dict[str, int]:
    return {p.account.uid: p.account.followers for p in campaign(platform).values()}


def profile_uids(platform: Platform) -> list[str]:
    return [sent["target_user_id"] for kind, sent, _ in platform.calls if kind == "profile"]


def test_followers_read_once_per_author_onto_posts_and_accounts(platform):
    pages = list(connector().collect(CollectRequest(tags=TAGS)))
    assert len(pages) == 3  # three pages, the same three authors on each
    want = authors(platform)
    assert sorted(profile_uids(platform)) == sorted(want)  # one call per author, not per page
    for page in pages:
        assert {a.platform_uid for a in page.parsed.accounts} == set(want)
        for account in page.parsed.accounts:
            assert account.followers == want[account.platform_uid]
        for post in page.parsed.posts:
            assert post.followers_at_capture == want[post.account_uid]
    (_, _, headers) = next(c for c in platform.calls if c[0] == "profile")
    assert headers["x-s"].startswith("XYW_")  # signed like search and feed
    assert headers["referer"].startswith("https://www.xiaohongshu.com/user/profile/")


def test_followers_false_makes_no_profile_call(platform):
    pages = list(connector(followers=False).collect(CollectRequest(tags=TAGS)))
    assert platform.count("profile") == 0 and platform.count("feed") == 45
    assert all(p.followers_at_capture is None for pg in pages for p in pg.parsed.posts)
    assert all(a.followers is None for pg in pages for a in pg.parsed.accounts)


@pytest.mark.parametrize(
    "answer",
    [
        SIM.user_missing_response(),
        type(SIM.block_response())(200, {"code": -1002, "success": False, "msg": "用户状态异常"}),
    ],
    ids=["result-false", "abnormal-code"],
)
def test_missing_user_keeps_followers_none_and_is_not_asked_again(platform, answer):
    platform.faults["profile"] = [answer]
    pages = list(connector().collect(CollectRequest(tags=TAGS)))
    missing = profile_uids(platform)[0]
    assert platform.count("profile") == 3  # the answer "no such user" is cached like a count
    posts = [p for page in pages for p in page.parsed.posts]
    assert len(posts) == 45
    want = authors(platform)
    for post in posts:
        expected = None if post.account_uid == missing else want[post.account_uid]
        assert post.followers_at_capture == expected
    accounts = [a for page in pages for a in page.parsed.accounts]
    assert {a.followers for a in accounts if a.platform_uid == missing} == {None}


@pytest.mark.parametrize(
    "answer",
    [
        type(SIM.block_response())(200, {"code": 0, "success": True, "data": []}),  # malformed
        type(SIM.block_response())(404, {"code": 404}),
    ],
    ids=["malformed", "http-404"],
)
def test_failed_profile_keeps_the_page_and_asks_again_later(platform, answer):
    platform.faults["profile"] = [answer]
    pages = list(connector().collect(CollectRequest(tags=TAGS)))
    failed = profile_uids(platform)[0]
    assert len([p for page in pages for p in page.parsed.posts]) == 45
    first, later = pages[0].parsed, pages[1].parsed
    assert {p.followers_at_capture for p in first.posts if p.account_uid == failed} == {None}
    # not cached as "no followers": the next page asks again and gets the figure
    assert profile_uids(platform).count(failed) == 2
    want = authors(platform)[failed]
    assert {p.followers_at_capture for p in later.posts if p.account_uid == failed} == {want}


def test_profile_throttle_is_retried(platform):
    platform.faults["profile"] = [SIM.throttle_response()]
    http = make_http()
    page = next(iter(connector(http).collect(CollectRequest(tags=TAGS, max_pages=1))))
    assert http.stats.retries == 1
    want = authors(platform)
    assert all(p.followers_at_capture == want[p.account_uid] for p in page.parsed.posts)


@pytest.mark.parametrize(
    ("answer", "error", "match"),
    [
        (SIM.block_response(), Blocked, "461"),
        (type(SIM.block_response())(200, dict(SIM.block_response().body)), Blocked, "300012"),
        (SIM.login_wall_response(), LoginRequired, "-100"),
        (SIM.signature_rejected_response(), Blocked, "signature"),
    ],
    ids=["captcha-461", "ip-risk-300012", "login", "signature"],
)
def test_profile_session_signals_stop_the_run_like_feed(platform, answer, error, match):
    platform.faults["profile"] = [answer]
    with pytest.raises(error, match=match):
        list(connector().collect(CollectRequest(tags=TAGS)))
    assert platform.count("search") == 1  # stopped at the first page


def test_persistent_profile_throttle_raises(platform):
    platform.faults["profile"] = [SIM.throttle_response()] * 3
    with pytest.raises(RateLimited):
        list(connector().collect(CollectRequest(tags=TAGS)))


def test_refresh_rereads_followers_once_per_author_per_run(platform):
    conn = connector()
    list(conn.collect(CollectRequest(tags=TAGS, max_pages=1)))
    assert platform.count("profile") == 3
    world = list(campaign(platform).values())
    urls = [
        f"https://www.xiaohongshu.com/explore/{p.post_id}?xsec_token={xsec_token(p)}"
        for p in world[:25]
    ]  # two refresh batches (20 + 5), the same three authors in both
    pages = list(conn.refresh(urls))
    assert len(pages) == 2
    assert platform.count("profile") == 6  # collected authors are read again, once each
    want = authors(platform)
    for page in pages:
        assert all(p.followers_at_capture == want[p.account_uid] for p in page.parsed.posts)
        assert all(a.followers == want[a.platform_uid] for a in page.parsed.accounts)
    list(conn.refresh(urls[:1]))
    assert platform.count("profile") == 7  # a new refresh run reads its authors again
