"""How far back the refresh's listing pass reads for the old top works: pages where they are
cheaper than a detail per work, details where they are not (counted by hand below)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracker.services.refresh_plan import is_top, listing_reach

START = datetime(2024, 9, 1, tzinfo=UTC)  # the refresh window's start


def days_before(*days: float) -> list[datetime]:
    return [START - timedelta(days=d) for d in days]


def test_no_old_candidate_keeps_the_window():
    assert listing_reach(START, [], days_before(1, 2, 3), 10) == START


def test_old_top_works_among_few_listed_works_are_read_from_the_listing():
    # 30 works a page apart from each other in the 3 days before the window; 5 top works among
    # them. Down to the oldest: 3 pages instead of 5 details.
    shown = days_before(*[i / 10 for i in range(1, 31)])
    old = days_before(0.5, 1.0, 1.5, 2.5, 3.0)
    assert listing_reach(START, old, shown, 10) == START - timedelta(days=3.0)


def test_one_old_top_work_behind_many_pages_gets_a_detail_instead():
    # 200 works before the one old top work: 20 pages against 1 detail.
    shown = days_before(*[i / 100 for i in range(1, 201)])
    assert listing_reach(START, days_before(2.0), shown, 10) == START


def test_the_reach_stops_where_the_next_pages_cost_more_than_the_details_they_spare():
    # Two old works close to the window (10 works before them: 1 page spares 2 details), then
    # one far back behind 100 more works (10 pages to spare 1 detail).
    near = days_before(*[i / 100 for i in range(1, 11)])
    far = days_before(*[1 + i / 100 for i in range(1, 101)])
    old = days_before(0.05, 0.1, 2.0)
    assert listing_reach(START, old, near + far, 10) == START - timedelta(days=0.1)


def test_the_top_is_200_and_a_margin():
    assert is_top(1) and is_top(200) and is_top(220)
    assert not is_top(221) and not is_top(None)
