"""The simulator over real HTTP: mounts, clock, article pages, truth agreement and every fault."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from tracker.sim.api import SimServer
from tracker.sim.names import XSS_PAYLOAD
from tracker.sim.truth import iter_world_truth
from tracker.sim.world import DEFAULT_NOW, World

MakeServer = Callable[..., SimServer]
CAMPAIGN = "#千万IP创科普#"
_SH = DEFAULT_NOW.tzinfo  # Asia/Shanghai, how the sites print times


class Fault(Exception):
    """A response the client must retry; ``kind`` names what it saw."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def classify(resp: httpx.Response) -> dict:
    """The example double's JSON, or :class:`Fault` naming the failure the client observed."""
    if resp.status_code == 429:
        assert resp.headers["Retry-After"] == "1"
        raise Fault("429")
    if resp.status_code == 418:
        raise Fault("throttle")
    if resp.status_code >= 500:
        raise Fault("5xx")
    if resp.headers["content-type"].startswith("text/html"):
        raise Fault("html")
    try:
        body = resp.json()
    except (json.JSONDecodeError, UnicodeDecodeError):  # cut mid-character, too
        raise Fault("truncated") from None
    if body.get("ok") == -100:
        raise Fault("login_wall")
    if "v_voucher" in body.get("data", {}):
        raise Fault("block")
    return body


def get_json(
    client: httpx.Client,
    url: str,
    seen: Counter[str],
    *,
    params: dict | None = None,
    attempts: int = 10,
    streak: list[int],
) -> dict:
    """GET with retries on every transient fault; records kinds and the longest fault streak."""
    run = 0
    for _ in range(attempts):
        try:
            body = classify(client.get(url, params=params))
        except httpx.ReadTimeout:
            seen["slow"] += 1
        except Fault as fault:
            seen[fault.kind] += 1
        else:
            streak.append(run)
            return body
        run += 1
    raise AssertionError(f"no success after {attempts} attempts: {url}")


def crawl(client: httpx.Client, base: str, seen: Counter[str], streak: list[int]) -> list[dict]:
    """Every search page of the campaign tag, then every item's detail (10 per page)."""
    items: list[dict] = []
    page = 1
    while True:
        query = {"q": CAMPAIGN, "page": page, "limit": 10}
        body = get_json(client, f"{base}/search", seen, params=query, streak=streak)
        items.extend(body["data"]["items"])
        if page * 10 >= body["data"]["total"]:
            break
        page += 1
    for item in {i["id"]: i for i in items}.values():
        detail = get_json(client, f"{base}/post/{item['id']}", seen, streak=streak)["data"]
        assert detail == item
    return items


def truth_matches(world: World, platform: str = "weibo") -> dict[str, dict]:
    return {
        r["post_id"]: r
        for r in iter_world_truth(world, DEFAULT_NOW, platforms=[platform])
        if r["matches_campaign"]
    }


# --- mounts, control, clock -----------------------------------------------------------------------


def test_mounts_health_and_unknown_paths(make_server: MakeServer, client: httpx.Client) -> None:
    sim = make_server(seed=5, scale=100)
    assert sim.base_urls == {
        "kepuchina": f"{sim.url}/kepuchina",
        "qqnews": f"{sim.url}/qqnews",
        "xuexi": f"{sim.url}/xuexi",
        "example": f"{sim.url}/example",
    }
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", sim.url)
    health = client.get(f"{sim.url}/_sim/health").json()
    assert health["ok"] and health["seed"] == 5 and health["scale"] == 100
    assert health["platforms"] == ["kepuchina", "qqnews", "xuexi", "example"]
    assert client.get(f"{sim.url}/nowhere/x").status_code == 404
    missing = client.get(f"{sim.base_urls['example']}/no/such/route")
    assert missing.status_code == 404 and "no route" in missing.json()["error"]
    assert client.get(f"{sim.base_urls['example']}/post/123").status_code == 404


def test_all_existing_platform_modules_mount() -> None:
    with SimServer(seed=1, scale=50) as sim:
        assert {"kepuchina", "qqnews", "xuexi"} <= set(sim.platforms)
        for platform, url in sim.base_urls.items():
            assert url == f"{sim.url}/{platform}"


def test_clock_endpoints_and_metrics_growth(make_server: MakeServer, client: httpx.Client) -> None:
    sim = make_server(seed=5, scale=100, clock="2024-09-20T12:00:00+08:00")
    assert client.get(f"{sim.url}/_sim/clock").json() == {"now": "2024-09-20T04:00:00+00:00"}
    base = sim.base_urls["example"]
    first = client.get(f"{base}/search", params={"q": CAMPAIGN, "limit": 5}).json()["data"]
    ids = [i["id"] for i in first["items"]]
    assert all(datetime.fromisoformat(i["published_at"]) <= sim.now for i in first["items"])

    moved = client.post(f"{sim.url}/_sim/clock", json={"advance_s": 86400}).json()
    assert moved == {"now": "2024-09-21T04:00:00+00:00"}
    later = {i: client.get(f"{base}/post/{i}").json()["data"] for i in ids}
    for item in first["items"]:
        assert later[item["id"]]["likes"] >= item["likes"]
    assert sum(later[i["id"]]["likes"] - i["likes"] for i in first["items"]) > 0

    sim.set_clock(datetime(2024, 10, 1, tzinfo=UTC))
    assert client.get(f"{sim.url}/_sim/clock").json()["now"] == "2024-10-01T00:00:00+00:00"
    sim.advance(60)
    set_back = client.post(f"{sim.url}/_sim/clock", json={"now": "2024-09-20T12:00:00"}).json()
    assert set_back["now"] == "2024-09-20T04:00:00+00:00"  # naive = Asia/Shanghai
    assert client.post(f"{sim.url}/_sim/clock", json={"bogus": 1}).status_code == 400
    assert client.post(f"{sim.url}/_sim/clock", json={"now": "not a time"}).status_code == 400


def test_served_pages_agree_exactly_with_truth(
    make_server: MakeServer, client: httpx.Client
) -> None:
    sim = make_server(seed=9, scale=300)
    seen: Counter[str] = Counter()
    items = crawl(client, sim.base_urls["example"], seen, [])
    assert not seen  # profile "none": not a single fault
    truth = truth_matches(sim.world)
    served = {i["id"]: i for i in items}
    matching = {k: v for k, v in served.items() if k in truth}
    assert set(matching) == set(truth)
    assert len(served) > len(matching)  # near-miss tags come back from search too
    for post_id, record in truth.items():
        item = served[post_id]
        assert item["uid"] == record["account"]
        assert item["published_at"] == record["published_at"]
        for name in ("views", "likes", "comments", "shares", "favorites"):
            assert item[name] == record["metrics"][name], (post_id, name)


# --- article pages ------------------------------------------------------------------------------


def _xss_post(world: World, platform: str):  # noqa: ANN202
    pw = world.platform(platform)
    for i in range(pw.n):
        seed = pw.post_seed(i)
        if XSS_PAYLOAD in seed.title and seed.deleted_at is None:
            return world.post(platform, seed.post_id, now=DEFAULT_NOW)
    raise AssertionError("no XSS title planted")


def test_kepuchina_page(make_server: MakeServer, client: httpx.Client) -> None:
    sim = make_server(seed=5, scale=300, hostile_titles=True)
    post = _xss_post(sim.world, "kepuchina")
    path = post.extra["path"]
    assert re.fullmatch(r"/more/2024\d{2}/t2024\d{4}_3\d{6}\.shtml", path)
    page = client.get(sim.base_urls["kepuchina"] + path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert XSS_PAYLOAD not in text and html.escape(XSS_PAYLOAD) in text
    assert f"<h1>{html.escape(post.title)}</h1>" in text
    stamp = post.published_at.astimezone(_SH).strftime("%Y-%m-%d %H:%M:%S")
    assert f'<p class="tips"><span>作者：{html.escape(post.account.name)}</span>' in text
    assert f"<span>发布时间：{stamp}</span>" in text
    assert '<div class="TRS_Editor"><p>' in text
    assert sim.world.post_url(post) == "https://www.kepuchina.cn" + path
    gone = client.get(sim.base_urls["kepuchina"] + "/more/202409/t20240901_9999999.shtml")
    assert gone.status_code == 404 and "页面不存在" in gone.text


def test_qqnews_page(make_server: MakeServer, client: httpx.Client) -> None:
    sim = make_server(seed=5, scale=300, hostile_titles=True)
    post = _xss_post(sim.world, "qqnews")
    assert re.fullmatch(r"2024\d{4}A[0-9A-Z]{5}00", post.post_id)
    text = client.get(f"{sim.base_urls['qqnews']}/rain/a/{post.post_id}").text
    data = json.loads(re.search(r"window\.DATA = (\{.*?\});</script>", text).group(1))
    assert data["title"] == post.title and data["media"] == post.account.name
    assert data["pubtime"] == post.published_at.astimezone(_SH).strftime("%Y-%m-%d %H:%M:%S")
    assert data["originContent"]["text"] == post.text
    assert "<img src=x" not in text  # not in markup, not inside the script either
    assert f'<a class="media-name">{html.escape(post.account.name)}</a>' in text


def test_xuexi_page_and_data(make_server: MakeServer, client: httpx.Client) -> None:
    sim = make_server(seed=5, scale=300, hostile_titles=True)
    post = _xss_post(sim.world, "xuexi")
    base = sim.base_urls["xuexi"]
    text = client.get(
        f"{base}/lgpage/detail/index.html", params={"id": post.post_id, "item_id": post.post_id}
    ).text
    assert f'<div class="render-detail-title">{html.escape(post.title)}</div>' in text
    assert f"来源：{html.escape(post.account.name)}" in text
    assert post.published_at.astimezone(_SH).strftime("%Y-%m-%d") in text
    js = client.get(f"{base}/data/app/{post.post_id}.js").text
    payload = json.loads(js.removeprefix("callback(").removesuffix(")"))
    assert payload["title"] == post.title and payload["identity"]["item_id"] == post.post_id
    assert payload["publish_time"] == post.published_at.astimezone(_SH).strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    assert client.get(f"{base}/lgpage/detail/index.html", params={"id": "1"}).status_code == 404


# --- faults -------------------------------------------------------------------------------------


def test_flaky_shows_every_transient_fault_and_truth_is_still_reached(
    make_server: MakeServer,
) -> None:
    sim = make_server(seed=9, scale=300, faults="flaky", fault_options={"rate": 0.6, "slow_s": 0.5})
    seen: Counter[str] = Counter()
    streak: list[int] = []
    # The client tells "slow" by its timeout, so a plain answer must never take that long, even
    # on a loaded machine (0.1 s did once, counted as a third fault in a row).
    with httpx.Client(timeout=0.25) as c:
        items = crawl(c, sim.base_urls["example"], seen, streak)
    assert {"429", "throttle", "5xx", "slow", "truncated", "html"} <= set(seen)
    assert "block" not in seen and "login_wall" not in seen
    assert max(streak) <= 2  # flaky: at most two faults in a row for one request
    assert set(truth_matches(sim.world)) <= {i["id"] for i in items}
    served = sim.fault_counts()["example"]
    assert served["429"] == seen["429"] and served["slow"] == seen["slow"]


def test_default_flaky_profile(make_server: MakeServer) -> None:
    sim = make_server(seed=9, scale=300, faults="flaky")
    seen: Counter[str] = Counter()
    streak: list[int] = []
    with httpx.Client(timeout=0.1) as c:
        items = crawl(c, sim.base_urls["example"], seen, streak)
    assert sum(seen.values()) >= 5 and max(streak) <= 2
    assert set(truth_matches(sim.world)) <= {i["id"] for i in items}


def test_hostile_blocks_duplicates_and_reorders(make_server: MakeServer) -> None:
    sim = make_server(seed=9, scale=300, faults="hostile", fault_options={"slow_s": 0.2})
    seen: Counter[str] = Counter()
    streak: list[int] = []
    pages: list[list[dict]] = []
    base = sim.base_urls["example"]
    with httpx.Client(timeout=0.1) as c:
        page = 1
        while True:
            query = {"q": CAMPAIGN, "page": page, "limit": 10}
            body = get_json(c, f"{base}/search", seen, params=query, streak=streak)
            pages.append(body["data"]["items"])
            if page * 10 >= body["data"]["total"]:
                break
            page += 1
    assert "block" in seen and max(streak) <= 4 and max(streak) >= 2
    ids = [i["id"] for p in pages for i in p]
    assert len(ids) > len(set(ids))  # the same item on two pages
    flat = [datetime.fromisoformat(i["published_at"]) for p in pages for i in p]
    assert flat != sorted(flat, reverse=True)  # items out of order across/within pages
    assert set(truth_matches(sim.world)) <= set(ids)  # nothing lost
    counts = sim.fault_counts()["weibo"]  # paging faults count under the data's platform
    assert counts.get("page_overlap", 0) + counts.get("page_swap", 0) > 0


def test_paging_faults_keep_the_union_when_clients_advance_by_items_received(
    make_server: MakeServer, client: httpx.Client
) -> None:
    """A client that advances by ``len(items)`` (a cursor) must not lose items either."""
    sim = make_server(seed=4, scale=400, faults="hostile", fault_options={"rate": 0.0})
    ctx = sim.app.context()
    got: list[str] = []
    offset = 0
    total = ctx.search("weibo", CAMPAIGN, offset=0, limit=1)[1]
    while offset < total:
        posts, _ = ctx.search("weibo", CAMPAIGN, offset=offset, limit=10)
        got.extend(p.post_id for p in posts)
        offset += len(posts)
    every, _ = sim.world.search("weibo", CAMPAIGN, offset=0, limit=10_000, now=sim.now)
    assert {p.post_id for p in every} <= set(got)


def test_login_wall_starts_after_n_requests_and_stays(
    make_server: MakeServer, client: httpx.Client
) -> None:
    sim = make_server(seed=9, scale=100, faults="login-wall", fault_options={"login_after": 3})
    base = sim.base_urls["example"]
    kinds = []
    for page in range(1, 9):
        body = client.get(f"{base}/search", params={"q": CAMPAIGN, "page": page, "limit": 5}).json()
        kinds.append("wall" if body["ok"] == -100 else "ok")
    assert kinds == ["ok"] * 3 + ["wall"] * 5
    post_id = sim.world.search("weibo", CAMPAIGN, offset=0, limit=1, now=sim.now)[0][0].post_id
    assert client.get(f"{base}/post/{post_id}").json()["ok"] == -100  # every path, for good
    # Other platforms count their own requests.
    article = sim.world.search("kepuchina", CAMPAIGN, offset=0, limit=1, now=sim.now)[0][0]
    assert client.get(sim.base_urls["kepuchina"] + article.extra["path"]).status_code == 200
    assert client.get(f"{sim.url}/_sim/health").status_code == 200  # control is never walled


def test_no_faults_in_profile_none(make_server: MakeServer, client: httpx.Client) -> None:
    sim = make_server(seed=9, scale=100)
    for page in range(1, 30):
        resp = client.get(
            f"{sim.base_urls['example']}/search", params={"q": CAMPAIGN, "page": page}
        )
        assert resp.status_code == 200 and resp.json()["ok"] == 1
    assert sim.fault_counts() == {}


def test_fault_sequence_is_deterministic(make_server: MakeServer) -> None:
    def statuses(seed: int) -> list[tuple[int, int]]:
        sim = make_server(
            seed=seed,
            scale=100,
            faults="hostile",
            fault_options={"kinds": ("429", "5xx", "truncated", "throttle")},
        )
        out = []
        with httpx.Client(timeout=2) as c:
            for page in range(1, 15):
                for _attempt in range(3):
                    r = c.get(
                        f"{sim.base_urls['example']}/search", params={"q": CAMPAIGN, "page": page}
                    )
                    out.append((r.status_code, len(r.content)))
        return out

    first = statuses(21)
    assert first == statuses(21)
    assert first != statuses(22)
    assert any(code != 200 for code, _ in first)


def test_a_handler_crash_is_a_500_not_a_dead_server(
    make_server: MakeServer, client: httpx.Client
) -> None:
    from tracker.sim.model import Route, SimResponse

    class Broken:
        platform = "broken"

        def routes(self) -> list[Route]:
            def boom(req, ctx):  # noqa: ANN001, ANN202
                raise RuntimeError("bug in a platform module")

            return [Route("GET", re.compile(r"/x"), boom)]

        def throttle_response(self) -> SimResponse:
            return SimResponse(429)

        login_wall_response = block_response = throttle_response

    sim = make_server(seed=1, scale=50, extra_sims={"broken": Broken()})
    resp = client.get(f"{sim.url}/broken/x")
    assert resp.status_code == 500 and "bug in a platform module" in resp.json()["detail"]
    assert client.get(f"{sim.url}/_sim/health").status_code == 200


@pytest.mark.parametrize("profile", ["bogus", "Hostile"])
def test_unknown_profile_is_rejected(profile: str) -> None:
    with pytest.raises(ValueError, match="unknown fault profile"):
        SimServer(faults=profile)
