"""Xiaohongshu's reads while listing, by purpose. A profile read that fails on its own leaves
that author unknown and keeps the page (the next page asks again); a captcha or login wall on a
profile read keeps the page too (its notes are read in full), and stops the run once the page
is stored. A note's detail is not optional: without it a search card has no text, tags or time
and could not be matched to the campaign, so its failure fails the page and the run resumes
before it (the collection under hostile faults must still reach the simulator's truth,
followers included)."""

from __future__ import annotations

import httpx
import pytest
import respx
from xhs_world import FakeContext, live_connector, make_posts, sim_request, to_httpx

from connectors.base import CollectRequest
from connectors.xiaohongshu.client import XiaohongshuConnector
from tracker.errors import Blocked, ConnectorError
from tracker.sim.platforms.xiaohongshu import SIM

TAGS = ["#千万IP创科普#"]


def serve(feed, profile=lambda n: None):
    """The simulator module; ``feed(n)``/``profile(n)`` may replace the n-th such answer."""
    ctx = FakeContext(make_posts())
    seen = {"feed": 0, "profile": 0}

    def handle(request: httpx.Request) -> httpx.Response:
        kind = "profile" if request.url.path.endswith("/user/otherinfo") else "feed"
        if not request.url.path.endswith("/search/notes"):
            seen[kind] += 1
            answer = (feed if kind == "feed" else profile)(seen[kind])
            if answer is not None:
                return answer
        sim = sim_request(request)
        for route in SIM.routes():
            if route.pattern.match(sim.path):
                return to_httpx(route.handler(sim, ctx))
        return httpx.Response(404, json={"code": 404})

    mock = respx.mock(assert_all_called=False)
    mock.post(url__regex=r"^https://edith\.xiaohongshu\.com/.*").mock(side_effect=handle)
    mock.get(url__regex=r"^https://edith\.xiaohongshu\.com/.*").mock(side_effect=handle)
    return mock, seen


def connector() -> XiaohongshuConnector:
    return live_connector()


def first_page_ids() -> set[str]:
    """The first page's notes when nothing fails."""
    mock, _ = serve(lambda n: None)
    with mock:
        page = next(iter(connector().collect(CollectRequest(tags=TAGS, max_pages=1))))
    return {p.platform_post_id for p in page.parsed.posts}


def test_a_failed_note_detail_fails_the_page_so_the_run_resumes_before_it():
    """A search card has no text, tags or time: kept as it is, the note could not even be
    matched to the campaign, so a failed detail read is not optional enrichment."""
    # both attempts (max_attempts=2) of the first note's detail fail
    mock, _ = serve(lambda n: httpx.Response(500, json={"code": -1}) if n <= 2 else None)
    with mock:
        pages = connector().collect(CollectRequest(tags=TAGS, max_pages=1))
        with pytest.raises(ConnectorError):
            next(pages)


def test_a_failed_profile_read_keeps_the_page_with_that_author_unknown():
    want = first_page_ids()
    mock, _ = serve(
        lambda n: None, profile=lambda n: httpx.Response(500, json={"code": -1}) if n <= 2 else None
    )
    with mock:
        conn = connector()
        (page,) = list(conn.collect(CollectRequest(tags=TAGS, max_pages=1)))
    assert {p.platform_post_id for p in page.parsed.posts} == want
    assert sum(p.followers_at_capture is None for p in page.parsed.posts) >= 1
    assert conn.http.stats.by_purpose["detail"] == len(want)


def test_a_captcha_on_a_profile_read_keeps_the_page_and_stops_after_it():
    """The notes are read in full when the profiles are asked for: a captcha there costs the
    followers of the authors not yet read, never the page's works."""
    want = first_page_ids()
    mock, seen = serve(
        lambda n: None, profile=lambda n: to_httpx(SIM.block_response()) if n == 2 else None
    )
    with mock:
        conn = connector()
        pages = conn.collect(CollectRequest(tags=TAGS, max_pages=2))
        first = next(pages)  # yielded, so the service stores it, before the stop
        with pytest.raises(Blocked, match="461"):
            next(pages)
    assert {p.platform_post_id for p in first.parsed.posts} == want
    assert all(p.text for p in first.parsed.posts)  # full notes, not search cards
    read = {p.account_uid for p in first.parsed.posts if p.followers_at_capture is not None}
    unread = {p.account_uid for p in first.parsed.posts} - read
    assert len(read) == 1 and unread  # the first author was read; the captcha came next
    assert first.parsed.incomplete == {"followers": len(unread)}
    assert seen["profile"] == 2  # no profile asked after the captcha
