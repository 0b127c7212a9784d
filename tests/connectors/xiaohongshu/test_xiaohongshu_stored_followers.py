"""An author the store read in the last 24 hours is not read again (Xiaohongshu): profiles are
read once per account per day at most, and a refresh re-read every refreshed note's author."""

from __future__ import annotations

import httpx
import respx
from xhs_world import FakeContext, accounts, live_connector, make_posts, sim_request, to_httpx

from connectors.base import CollectRequest, StoredFacts
from connectors.xiaohongshu.client import XiaohongshuConnector
from tracker.sim.platforms.xiaohongshu import SIM

TAGS = ["#千万IP创科普#"]


def serve() -> tuple[list[str], respx.MockRouter]:
    """The simulator module; records each profile read's user id."""
    ctx = FakeContext(make_posts())
    profiles: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/user/otherinfo"):
            profiles.append(request.url.params["target_user_id"])
        sim = sim_request(request)
        for route in SIM.routes():
            if route.pattern.match(sim.path):
                return to_httpx(route.handler(sim, ctx))
        return httpx.Response(404, json={"code": 404})

    mock = respx.mock(assert_all_called=False)
    mock.post(url__regex=r"^https://edith\.xiaohongshu\.com/.*").mock(side_effect=handle)
    mock.get(url__regex=r"^https://edith\.xiaohongshu\.com/.*").mock(side_effect=handle)
    return profiles, mock


def connector() -> XiaohongshuConnector:
    return live_connector()


def test_the_connector_declares_the_followers_it_spares_requests_with():
    assert XiaohongshuConnector.uses_stored == frozenset({"followers"})


def test_refresh_reads_only_the_profiles_of_authors_the_store_did_not_read_today():
    known = accounts()[0]
    profiles, mock = serve()
    with mock:
        conn = connector()
        listed = [p for page in conn.collect(CollectRequest(tags=TAGS)) for p in page.parsed.posts]
        assert set(profiles) == {p.account_uid for p in listed}  # collect read every author
        profiles.clear()
        conn.use_stored(StoredFacts(followers={known.uid: 1_000}))
        pages = list(conn.refresh([p.platform_post_id for p in listed]))
    posts = [p for page in pages for p in page.parsed.posts if not p.deleted]
    authors = {p.account_uid for p in posts}
    assert known.uid in authors and len(authors) > 1
    assert sorted(profiles) == sorted(authors - {known.uid})  # the others once each
    assert {p.followers_at_capture for p in posts if p.account_uid == known.uid} == {None}
    truth = {a.uid: a.followers for a in accounts()}
    assert all(
        p.followers_at_capture == truth[p.account_uid] for p in posts if p.account_uid != known.uid
    )


def test_collect_skips_the_known_authors_too():
    known = {a.uid for a in accounts()[1:]}
    profiles, mock = serve()
    with mock:
        conn = connector()
        conn.use_stored(StoredFacts(followers=dict.fromkeys(known, 5)))
        pages = list(conn.collect(CollectRequest(tags=TAGS)))
    authors = {p.account_uid for page in pages for p in page.parsed.posts}
    assert known <= authors
    assert set(profiles) == authors - known
