"""The refresh's listing pass ends a listing at its first old page, not the whole pass.

A connector's listing is several tasks in turn (Zhihu: a search per tag word, then each
roundtable's questions). The works of a later task are as young as the first task's; ending
the pass at the first task's old page left them to a detail request each.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from connectors.base import FetchedPage
from tracker.records import ParsedPage, PostRecord
from tracker.services.collect import _young_listing

NOW = datetime(2024, 9, 20, tzinfo=UTC)
CUTOFF = NOW - timedelta(days=14)


def _page(task: str, *ages_days: int) -> FetchedPage:
    posts = [
        PostRecord("zhihu", f"{task}-{i}-{age}", NOW, published_at=NOW - timedelta(days=age))
        for i, age in enumerate(ages_days)
    ]
    return FetchedPage(parsed=ParsedPage(posts=posts), cursor={}, url="", task=task)


def _pass(pages: list[FetchedPage]) -> tuple[list[str], list[int]]:
    fetched: list[int] = []

    def listing() -> Iterator[FetchedPage]:
        for i, page in enumerate(pages):
            fetched.append(i)  # a page handed over is a request spent
            yield page

    seen: set[str] = set()
    tasks = [page.task for page in _young_listing(listing(), CUTOFF, seen)]
    return tasks, fetched


def test_a_later_listing_is_read_after_an_earlier_one_ends() -> None:
    pages = [
        _page("search", 1, 2),
        _page("search", 20, 30),  # the search is over; the connector goes on to the roundtable
        _page("roundtable", 0, 3),
        _page("roundtable", 25),
    ]
    tasks, fetched = _pass(pages)
    assert tasks == ["search", "search", "roundtable", "roundtable"]
    assert fetched == [0, 1, 2, 3]


def test_a_connector_that_keeps_paging_an_old_listing_is_stopped_at_the_next_page() -> None:
    pages = [_page("search", 1), _page("search", 20), _page("search", 40), _page("search", 50)]
    tasks, fetched = _pass(pages)
    assert tasks == ["search", "search", "search"]
    assert fetched == [0, 1, 2]  # one page past the end, never the rest of the listing


def test_an_undated_work_keeps_its_listing_open() -> None:
    undated = _page("search", 20)
    undated.parsed.posts.append(PostRecord("zhihu", "undated", NOW))
    tasks, _ = _pass([_page("search", 1), undated, _page("search", 30), _page("search", 40)])
    assert tasks == ["search", "search", "search", "search"]
