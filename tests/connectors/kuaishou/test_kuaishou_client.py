"""Kuaishou client over respx: the simulator module answers on the real base URL, faults injected."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from ks_world import NOW, FakeContext, make_posts, respx_http, sim_request, to_httpx

from connectors.base import CollectRequest
from connectors.kuaishou.client import KuaishouConnector, search_keywords
from tracker.errors import Blocked, ConnectorError, LoginRequired, RateLimited, SignerMissing
from tracker.http import HttpClient
from tracker.signing.dev import DevSigner
from tracker.sim.platforms.kuaishou import SIM

BASE = "https://www.kuaishou.com"
TAGS = ["#千万IP创科普#", "千万ip创科普"]


class BadSigner:
    def sign(self, request):
        return {"params": {"__NS_hxfalcon": "0" * 32}, "headers": {}}


class Platform:
    """Serves the Kuaishou simulator module through respx, with scripted faults per path."""

    def __init__(self, ctx: FakeContext) -> None:
        self.ctx = ctx
        self.faults: dict[str, list] = {"rest": [], "graphql": []}
        self.calls: list[tuple[str, dict]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        kind = "rest" if request.url.path.startswith("/rest/") else "graphql"
        body = json.loads(request.content)
        self.calls.append((kind, body))
        if self.faults[kind]:
            fault = self.faults[kind].pop(0)
            if isinstance(fault, httpx.Response):
                return fault
            return to_httpx(fault)
        sim = sim_request(request)
        for route in SIM.routes():
            if route.method == request.method and route.pattern.match(sim.path):
                return to_httpx(route.handler(sim, self.ctx))
        return httpx.Response(404, json={"result": 404})

    def operations(self, kind: str = "graphql") -> list[str]:
        return [b.get("operationName", "rest") for k, b in self.calls if k == kind]


@pytest.fixture
def platform():
    ctx = FakeContext(make_posts())
    served = Platform(ctx)
    with respx.mock(assert_all_called=False) as mock:
        mock.post(url__regex=r"^https://www\.kuaishou\.com/.*").mock(side_effect=served.handle)
        yield served


def make_http(signer=DevSigner(), **settings) -> HttpClient:
    cookie = "did=web_test; kpn=KUAISHOU_VISION"
    return respx_http("kuaishou", BASE, cookie, signer=signer, max_attempts=3, **settings)


def connector(http: HttpClient | None = None, **kw) -> KuaishouConnector:
    return KuaishouConnector(http or make_http(), now=lambda: NOW, **kw)


def expected_ids(platform: Platform) -> set[str]:
    hits, _ = platform.ctx.search("kuaishou", "千万IP创科普", offset=0, limit=10_000)
    return {p.post_id for p in hits if not p.deleted}


def test_search_keywords_fold_spellings():
    assert search_keywords(
        ["#千万IP创科普#", "千万ip创科普", "＃千万ＩＰ创科普＃", "#科普[话题]#"]
    ) == [
        "千万IP创科普",
        "科普",
    ]


def test_collect_pages_through_rest_with_followers(platform):
    pages = list(connector().collect(CollectRequest(tags=TAGS)))
    assert len(pages) == 3
    ids = [p.platform_post_id for page in pages for p in page.parsed.posts]
    assert len(ids) == len(set(ids)) == 45
    assert set(ids) == expected_ids(platform)
    assert all(page.task == "search:千万IP创科普" for page in pages)
    assert pages[0].url == f"{BASE}/rest/v/search/feed"
    assert pages[0].cursor == {
        "tag_index": 0,
        "tag": "千万IP创科普",
        "pcursor": "2",
        "search_session_id": pages[0].cursor["search_session_id"],
        "via": "rest",
    }
    assert pages[0].cursor["search_session_id"].startswith("MTRf")
    assert pages[-1].cursor == {"tag_index": 1, "done": True}
    # followers: one visionProfile call per author, then cached
    assert platform.operations().count("visionProfile") == 3
    world = {p.post_id: p for p in platform.ctx.posts}
    for page in pages:
        for post in page.parsed.posts:
            assert post.followers_at_capture is not None
        for account in page.parsed.accounts:
            true = next(p.account for p in world.values() if p.account.uid == account.platform_uid)
            assert account.followers is not None
            assert abs(account.followers - true.followers) < max(1_000, true.followers // 1_000)
    # every REST request was signed with the dev scheme and carried caver=2 and the cookie
    rest_bodies = [b for k, b in platform.calls if k == "rest"]
    assert [b["pcursor"] for b in rest_bodies] == ["1", "2", "3"]


def test_resume_from_a_cursor_reaches_the_same_set(platform):
    first = next(iter(connector().collect(CollectRequest(tags=TAGS))))
    rest = list(connector().collect(CollectRequest(tags=TAGS, cursor=first.cursor)))
    ids = [p.platform_post_id for page in [first, *rest] for p in page.parsed.posts]
    assert len(rest) == 2
    assert len(ids) == len(set(ids)) == 45
    assert set(ids) == expected_ids(platform)
    done = list(connector().collect(CollectRequest(tags=TAGS, cursor=rest[-1].cursor)))
    assert done == []


def test_max_pages_limits_each_tag(platform):
    pages = list(connector().collect(CollectRequest(tags=TAGS, max_pages=1)))
    assert len(pages) == 1 and pages[0].cursor["pcursor"] == "2"


def test_throttle_is_retried_then_succeeds(platform):
    platform.faults["rest"] = [SIM.throttle_response()]
    http = make_http()
    pages = list(connector(http).collect(CollectRequest(tags=TAGS)))
    assert sum(len(p.parsed.posts) for p in pages) == 45
    assert http.stats.retries == 1


def test_persistent_throttle_raises_rate_limited(platform):
    platform.faults["rest"] = [SIM.throttle_response()] * 3
    with pytest.raises(RateLimited):
        list(connector().collect(CollectRequest(tags=TAGS)))


def test_http_429_with_retry_after_is_retried(platform):
    platform.faults["rest"] = [httpx.Response(429, headers={"Retry-After": "2"}, json={})]
    slept: list[float] = []
    http = respx_http("kuaishou", BASE, None, sleep=slept.append, max_attempts=3)
    pages = list(connector(http).collect(CollectRequest(tags=TAGS)))
    assert len(pages) == 3 and slept[0] >= 2


def test_login_wall_names_the_cookie_variable(platform):
    platform.faults["rest"] = [SIM.login_wall_response()]
    with pytest.raises(LoginRequired) as info:
        list(connector().collect(CollectRequest(tags=TAGS)))
    assert info.value.variable == "TRACKER_KUAISHOU_COOKIE"
    assert "did=web_test" not in str(info.value)


def test_captcha_disguised_as_success_is_blocked(platform):
    platform.faults["rest"] = [SIM.block_response()]
    with pytest.raises(Blocked, match="captcha"):
        list(connector().collect(CollectRequest(tags=TAGS)))
    assert platform.operations("graphql") == []  # a block is never a reason to fall back


def test_missing_signer_stops_with_a_clear_message(platform):
    with pytest.raises(SignerMissing, match="TRACKER_KUAISHOU_SIGNER"):
        list(connector(make_http(signer=None)).collect(CollectRequest(tags=TAGS)))
    assert platform.calls == []


def test_rejected_signature_is_blocked(platform):
    with pytest.raises(Blocked, match="result 50"):
        list(connector(make_http(signer=BadSigner())).collect(CollectRequest(tags=TAGS)))


def test_rest_unavailable_falls_back_to_graphql(platform):
    platform.faults["rest"] = [httpx.Response(404, json={"result": 404})]
    pages = list(connector().collect(CollectRequest(tags=TAGS)))
    ids = {p.platform_post_id for page in pages for p in page.parsed.posts}
    assert ids == expected_ids(platform)
    assert pages[0].url == f"{BASE}/graphql"
    assert pages[0].cursor["via"] == "graphql"
    assert platform.operations().count("visionSearchPhoto") == 3
    assert len([1 for k, _ in platform.calls if k == "rest"]) == 1  # not retried after switching


def test_graphql_can_be_chosen_outright(platform):
    request = CollectRequest(tags=TAGS, extra={"kuaishou_search": "graphql"})
    pages = list(connector().collect(request))
    assert len(pages) == 3
    assert [k for k, _ in platform.calls if k == "rest"] == []


def test_graphql_errors_are_connector_errors(platform):
    platform.faults["graphql"] = [
        type(SIM.throttle_response())(200, {"data": None, "errors": [{"message": "boom"}]})
    ]
    with pytest.raises(ConnectorError, match="boom"):
        list(connector(search_via="graphql").collect(CollectRequest(tags=TAGS)))


def test_refresh_reads_details_and_marks_deleted(platform):
    sim = platform.ctx.posts[5]
    pages = list(connector().refresh([sim.post_id, "3xdeleted0000001"]))
    (page,) = pages
    live, gone = page.parsed.posts
    assert live.platform_post_id == sim.post_id and not live.deleted
    assert live.metrics.likes == sim.metrics.likes and live.metrics.views == sim.metrics.views
    assert live.followers_at_capture is not None
    assert gone.platform_post_id == "3xdeleted0000001" and gone.deleted
    assert gone.metrics.likes is None
    assert page.task == "refresh"


def test_window_drops_works_outside_since_until_one_by_one(platform):
    """Search is by relevance, so every page is read and each work is judged on its own date."""
    everything = [
        p for page in connector().collect(CollectRequest(tags=TAGS)) for p in page.parsed.posts
    ]
    times = sorted({p.published_at for p in everything})
    since, until = times[len(times) // 4], times[3 * len(times) // 4]
    pages = list(connector().collect(CollectRequest(tags=TAGS, since=since, until=until)))
    kept = {p.platform_post_id for page in pages for p in page.parsed.posts}
    assert kept == {p.platform_post_id for p in everything if since <= p.published_at < until}
    assert len(pages) == 3  # no early stop: the later pages may still hold works in the window
    for page in pages:  # an author stays only with a work of theirs on the page
        uids = {p.account_uid for p in page.parsed.posts}
        assert {a.platform_uid for a in page.parsed.accounts} <= uids
