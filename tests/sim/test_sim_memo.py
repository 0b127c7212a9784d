"""The simulator's memoised pieces answer exactly as the computations they stand for.

A world is collected at many virtual instants, so the simulator keeps a post built at one
instant, a parsed request target, a Weibo text's HTML and an account's ``user`` object. Each is
a pure function of its key: served again it must equal a fresh computation, and a caller that
changes what it got must not change the next answer.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.sim.api import SimServer
from tracker.sim.model import Route, SimContext, SimRequest, SimResponse
from tracker.sim.platforms import weibo
from tracker.sim.server import _split_target
from tracker.sim.world import World


def test_a_kept_post_equals_a_fresh_build(world: World) -> None:
    pw = world.platform("weibo")
    for i in range(0, pw.n, max(1, pw.n // 40)):
        t0 = pw.post_seed(i).t0
        for t in (t0 - 1, t0 + 3600, t0 + 5 * 86400):
            assert pw.build(i, t) == pw._build(i, t)
            assert pw.build(i, t) == pw.build(i, float(t))  # int and float instants agree


def test_a_kept_post_index_equals_a_fresh_lookup(world: World) -> None:
    for platform in ("weibo", "bilibili", "douyin", "zhihu"):
        pw = world.platform(platform)
        for i in range(0, pw.n, max(1, pw.n // 20)):
            seed = pw.post_seed(i)
            for alias in sorted(seed.aliases):
                assert pw.post_index(alias) == pw._post_index(alias) == i
        assert pw.post_index("no-such-post") is None


def test_parsed_targets_keep_the_first_value_of_a_name() -> None:
    assert _split_target("/weibo/api/x?a=1&b=&a=2&c=%E5%8D%83") == (
        "weibo",
        "/api/x",
        (("a", "1"), ("b", ""), ("c", "千")),
    )
    assert _split_target("/_sim/clock") == ("_sim", "/clock", ())


def test_each_request_gets_its_own_query() -> None:
    """A handler may change ``request.query``; the next request for the same URL is unaffected."""
    seen: list[dict[str, str]] = []
    target = "/weibo/api/container/getIndex?containerid=100103type%3D1&page=1"
    with SimServer(seed=3, scale=30, faults="none") as sim:
        app = sim.app
        route = app._route("weibo", "GET", "/api/container/getIndex")
        assert route is not None

        def spy(request: SimRequest, ctx: SimContext) -> SimResponse:
            seen.append(dict(request.query))
            request.query["page"] = "changed"  # type: ignore[index]
            return route.handler(request, ctx)

        app._route_cached = lambda *_key: Route(route.method, route.pattern, spy)  # type: ignore[method-assign]
        first = app.handle("GET", target, [], b"")
        second = app.handle("GET", target, [], b"")
    assert seen == [{"containerid": "100103type=1", "page": "1"}] * 2
    assert first.body == second.body


def test_weibo_user_objects_are_fresh_and_html_is_unchanged(world: World) -> None:
    account = world.platform("weibo").account(0)
    first = weibo._user(account)
    first["followers_count"] = "changed"
    assert weibo._user(account)["followers_count"] == account.followers
    text = "#千万IP创科普# 一个<测试>\n第二行 #科普#"
    assert weibo.html_text(text) == weibo.html_text.__wrapped__(text)


def test_same_instant_same_bytes() -> None:
    """Two simulators of one world answer a listing at one instant with the same bytes, whether
    the answer was computed fresh or served from what the first request kept."""
    target = "/weibo/api/container/getIndex?containerid=100103type%3D1%26q%3D%23%E5%8D%83%E4%B8%87IP%E5%88%9B%E7%A7%91%E6%99%AE%23&page_type=searchall"
    now = datetime(2024, 9, 20, 12, tzinfo=UTC)
    bodies = []
    for _ in range(2):
        with SimServer(seed=5, scale=60, faults="none") as sim:
            sim.set_clock(now)
            answers = [sim.app.handle("GET", target, [], b"") for _ in range(3)]
            assert [a.status for a in answers] == [200] * 3
            bodies.append([a.body for a in answers])
    assert b'"mblog"' in bodies[0][0]
    assert len({b for run in bodies for b in run}) == 1
