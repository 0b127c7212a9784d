"""The refresh's listing pass reads the whole window, however many pages that is.

It ends at the first page with no work younger than the window, not at the collection's
``max_pages``: a young work beyond those pages would otherwise cost a detail request.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tracker.services.collect import collect, refresh_listing_cap, refresh_platform
from tracker.services.refresh_plan import listing_page_size
from tracker.sim.api import SimServer

from ..helpers.simulator import sim_options

WINDOW = timedelta(days=30)
NO_LIMIT = {"rate_per_s": None}
MAX_PAGES = 2


@pytest.fixture(scope="module")
def world() -> SimServer:
    with SimServer(seed=31, scale=1000, faults="none") as sim:
        yield sim


@pytest.mark.parametrize("platform", ["douyin", "weibo", "zhihu"])
def test_the_listing_pass_reads_past_max_pages(db, config, world: SimServer, platform: str) -> None:
    sim = world
    start = sim.now
    try:
        every_page = sim_options(sim, http=NO_LIMIT, platforms=[platform], max_pages=10_000)
        assert [r.status for r in collect(db, config, every_page)] == ["ok"]
        config.platforms[platform].max_pages = MAX_PAGES
        sim.advance(86_400)
        result = refresh_platform(db, config, platform, sim_options(sim, http=NO_LIMIT), WINDOW)
    finally:
        sim.set_clock(start)
    assert result.status == "ok", result.message
    candidates = result.counts.detail["candidates"]
    by_purpose = result.counts.http.by_purpose
    size = listing_page_size(platform, config.platforms[platform].page_size)
    # The window's young works fill more pages than the collection's cap...
    assert candidates > 2 * MAX_PAGES * size, (candidates, size)
    assert by_purpose["listing"] > MAX_PAGES, by_purpose
    # ...and the listing pass read them all: a detail only for the few it cannot show.
    listed = result.counts.detail["listed"]
    assert listed >= candidates - 30, (listed, candidates)
    if platform != "weibo":  # Weibo's listing pages also read cut posts' long texts
        assert by_purpose.get("detail", 0) <= 0.15 * candidates, by_purpose
    assert by_purpose["listing"] / candidates <= 0.15, by_purpose


def test_the_safety_cap_is_generous() -> None:
    assert refresh_listing_cap(None) == 500
    assert refresh_listing_cap(30) == 500
    assert refresh_listing_cap(100) == 1000
