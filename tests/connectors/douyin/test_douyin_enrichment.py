"""Follower reads are an enrichment step that cannot lose the page (Douyin).

A listing page is stored even when ``user/profile/other`` fails: the works keep the listing's
data (followers unknown) and the gap is counted; a session failure stops the platform only
after the page is stored. Under the simulator's ``hostile`` faults that keeps the number of
runs a collection needs close to what ``flaky`` needs.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx
from sqlalchemy import Engine

from connectors.base import CollectRequest
from connectors.douyin.client import DouyinConnector
from tracker.config import TrackerConfig
from tracker.errors import Blocked, LoginRequired
from tracker.http import HttpClient, HttpSettings
from tracker.records import incomplete_summary
from tracker.services.collect import collect
from tracker.services.signers import choose_signer
from tracker.sim.api import SimServer
from tracker.sim.platforms.douyin import DouyinSim

from ...helpers.database import make_db
from ...helpers.simulator import sim_options, stored_campaign_works, truth_campaign_works

BASE = "https://www.douyin.com"
ENV = {"TRACKER_DOUYIN_COOKIE": "sessionid=s3cr3t; msToken=tok123"}
T0 = datetime(2024, 9, 18, 2, 30, tzinfo=UTC)
PROFILE = "/aweme/v1/web/user/profile/other/"
TAGS = ["#千万IP创科普"]


@pytest.fixture
def router():
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


def make_connector(kit) -> DouyinConnector:
    # a block stands here (no pause): the HTTP layer's pause has its own tests
    settings = HttpSettings(
        block_retries=0,
        max_attempts=3,
        backoff_initial_s=0.0,
        cookie_env="TRACKER_DOUYIN_COOKIE",
        empty_body_blocked=True,
        signer="dev",
    )
    http = HttpClient(
        "douyin",
        BASE,
        settings=settings,
        signer=choose_signer("dev"),
        sleep=lambda s: None,
        env=ENV,
    )
    return DouyinConnector(http, now=lambda: kit.NOW, page_size=3)


def serve(kit, router, profile_answer):
    """Seven works by three authors on the simulator module; ``profile_answer(sec_uid)`` may
    replace a profile answer (``None``: the simulator answers)."""
    authors = [kit.make_account(str(415618727770 + k), followers=100 * (k + 1)) for k in range(3)]
    posts = [
        kit.make_post(
            7410000010437771255 + 10_000 * i, T0 + timedelta(hours=i), account=authors[i % 3]
        )
        for i in range(7)
    ]
    bridge = kit.SimBridge(DouyinSim(), kit.FakeContext(posts, kit.NOW))
    profile_calls: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == PROFILE:
            sec_uid = request.url.params["sec_user_id"]
            profile_calls.append(sec_uid)
            answer = profile_answer(sec_uid)
            if answer is not None:
                return answer
        return bridge(request)

    router.route(host="www.douyin.com").mock(side_effect=handle)
    return posts, authors, profile_calls


def test_a_silently_blocked_profile_keeps_the_page_and_leaves_only_those_followers_unknown(
    kit, router
):
    def answer(sec_uid: str) -> httpx.Response | None:
        return httpx.Response(200, content=b"") if sec_uid == blocked else None

    posts, authors, profile_calls = serve(kit, router, answer)
    blocked = authors[0].sec_uid
    connector = make_connector(kit)
    pages = list(connector.collect(CollectRequest(tags=TAGS)))  # no stop: one account's gap
    got = [p for page in pages for p in page.parsed.posts]
    assert sorted(p.platform_post_id for p in got) == sorted(p.post_id for p in posts)
    for post in got:
        want = None if post.account_uid == authors[0].uid else 100 * (int(post.account_uid[-1]) + 1)
        assert post.followers_at_capture == want
    assert Counter(profile_calls)[blocked] == 1  # read once in the run, not once per page
    assert sum(page.parsed.incomplete.get("followers", 0) for page in pages) == 1
    assert incomplete_summary(pages[0].parsed.incomplete) == "粉丝数未读取：1 个账号"
    by_purpose = connector.http.stats.by_purpose
    assert by_purpose["profile"] == 3 and by_purpose["listing"] == 1 + 3  # search + three pages


def test_every_profile_read_of_a_page_silently_blocked_stops_after_the_page(kit, router):
    posts, authors, profile_calls = serve(kit, router, lambda _: httpx.Response(200, content=b""))
    pages = make_connector(kit).collect(CollectRequest(tags=TAGS))
    first = next(pages)  # yielded (and stored by the service) before the stop
    assert len(first.parsed.posts) == 3
    assert {p.platform_post_id for p in first.parsed.posts} <= {p.post_id for p in posts}
    assert first.parsed.incomplete == {"followers": 3}
    with pytest.raises(Blocked, match="silent block"):
        next(pages)
    assert len(profile_calls) == 3


def test_a_login_wall_on_a_profile_stops_after_the_page_without_further_reads(kit, router):
    wall = httpx.Response(200, json={"status_code": 8, "status_msg": "用户未登录"})
    posts, authors, profile_calls = serve(kit, router, lambda _: wall)
    pages = make_connector(kit).collect(CollectRequest(tags=TAGS))
    first = next(pages)
    assert len(first.parsed.posts) == 3
    assert all(p.followers_at_capture is None for p in first.parsed.posts)
    with pytest.raises(LoginRequired):
        next(pages)
    assert len(profile_calls) == 1  # the session is over: the page's other authors are not read


def test_refresh_counts_detail_and_profile_reads_under_their_purposes(kit, router):
    posts, authors, _ = serve(kit, router, lambda _: None)
    connector = make_connector(kit)
    pages = list(connector.refresh([p.post_id for p in posts]))
    assert sum(len(p.parsed.posts) for p in pages) == 7
    assert connector.http.stats.by_purpose == {"detail": 7, "profile": 3}


def _runs_to_complete(engine: Engine, config: TrackerConfig, profile: str) -> int:
    """Douyin collections (each resuming from the last cursor) until one finishes."""
    with SimServer(
        seed=6, scale=200, faults=profile, platforms=["douyin"], fault_options={"slow_s": 0.0}
    ) as sim:
        runs = 0
        while runs < 60:
            runs += 1
            options = sim_options(sim, timeout_s=5.0)
            options.platforms = ["douyin"]
            (result,) = collect(engine, config, options)
            if result.status == "ok":
                break
        truth = set(truth_campaign_works(sim, ("douyin",)))
    assert truth and set(stored_campaign_works(engine)) == truth
    return runs


def test_hostile_faults_need_at_most_twice_the_runs_of_flaky(
    tmp_path, config: TrackerConfig
) -> None:
    (tmp_path / "flaky").mkdir()
    (tmp_path / "hostile").mkdir()
    flaky = _runs_to_complete(make_db(tmp_path / "flaky", config), config, "flaky")
    hostile = _runs_to_complete(make_db(tmp_path / "hostile", config), config, "hostile")
    # Before follower reads became enrichment, this world took 11 hostile runs against 1.
    assert hostile <= 2 * flaky, (hostile, flaky)
