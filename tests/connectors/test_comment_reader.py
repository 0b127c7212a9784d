"""The paging every live comment reader shares: reply pages only for threads cut short, a page
cap per work, and a failure that never loses what was read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors._comment_reader import read_work_comments, threads_cut_short
from tracker.errors import ConnectorError, LoginRequired, ParseError
from tracker.records import CommentRecord, ParsedPage

NOW = datetime(2024, 9, 20, tzinfo=UTC)


def _comment(cid: str, root: str | None = None, replies: int | None = 0) -> CommentRecord:
    return CommentRecord(
        platform="weibo",
        platform_comment_id=cid,
        platform_post_id="p",
        captured_at=NOW,
        parent_comment_id=root,
        root_comment_id=root,
        reply_count=None if root else replies,
    )


class Fake:
    """Two top-level pages; thread a1 has 3 replies with 1 inline, a2 has 1 with 1 inline,
    b1 reports 2 replies and carries none; reply pages hold 2 replies each."""

    def __init__(self, fail: dict[tuple[str, str | None], Exception] | None = None) -> None:
        self.calls: list[tuple[str, str | None]] = []
        self.fail = fail or {}

    def _maybe_fail(self, key: tuple[str, str | None]) -> None:
        self.calls.append(key)
        if key in self.fail:
            raise self.fail[key]

    def top(self, cursor: str | None) -> ParsedPage:
        self._maybe_fail(("top", cursor))
        if cursor is None:
            comments = [_comment("a1", replies=3), _comment("r11", "a1")]
            comments += [_comment("a2", replies=1), _comment("r21", "a2")]
            return ParsedPage(comments=comments, has_more=True, cursor="2")
        return ParsedPage(comments=[_comment("b1", replies=2)], has_more=False)

    def replies(self, root: str, cursor: str | None) -> ParsedPage:
        self._maybe_fail((root, cursor))
        replies = {"a1": ["r11", "r12", "r13"], "b1": ["r31", "r32"]}[root]
        start = int(cursor or 0)
        chunk = replies[start : start + 2]
        more = start + 2 < len(replies)
        return ParsedPage(
            comments=[_comment(r, root) for r in chunk],
            has_more=more,
            cursor=str(start + 2) if more else None,
        )


def _read(fake: Fake, max_pages: int = 10) -> list[ParsedPage]:
    pages = []
    reader = read_work_comments(
        "weibo", "p", top=fake.top, replies=fake.replies, max_pages=max_pages, url="u"
    )
    for page in reader:
        pages.append(page.parsed)
    return pages


def _ids(pages: list[ParsedPage]) -> list[str]:
    return [c.platform_comment_id for p in pages for c in p.comments]


def test_only_threads_with_more_replies_than_inline_are_paged() -> None:
    first = Fake().top(None)
    assert threads_cut_short(first) == ["a1"]
    fake = Fake()
    pages = _read(fake)
    assert fake.calls == [("top", None), ("a1", None), ("a1", "2"), ("top", "2"), ("b1", None)]
    assert sorted(_ids(pages)) == sorted(
        ["a1", "r11", "r12", "r13", "a2", "r21", "b1", "r31", "r32"]
    )
    assert len(_ids(pages)) == len(set(_ids(pages)))  # the inline reply is not stored twice
    assert all(not p.incomplete for p in pages)


@pytest.mark.parametrize("cap", [1, 2, 4])
def test_the_page_cap_counts_top_and_reply_pages(cap: int) -> None:
    fake = Fake()
    pages = _read(fake, max_pages=cap)
    assert len(fake.calls) == cap
    assert "a1" in _ids(pages)  # what was read is kept


@pytest.mark.parametrize(("cap", "capped"), [(1, True), (2, True), (4, True), (5, False)])
def test_a_read_says_whether_a_page_cap_cut_it_short(cap: int, capped: bool) -> None:
    """The whole work takes five reads (two top pages, three reply pages): below that the last
    page says ``capped``, so the ranking never reads a capped work as one with hidden comments."""
    reader = read_work_comments(
        "weibo", "p", top=Fake().top, replies=Fake().replies, max_pages=cap, url="u"
    )
    last = list(reader)[-1]
    assert last.cursor["capped"] is capped


def test_a_failed_reply_page_costs_its_thread_only() -> None:
    fake = Fake({("a1", "2"): ParseError("bad body", platform="weibo")})
    pages = _read(fake)
    assert ("b1", None) in fake.calls  # the rest of the work is still read
    assert "r12" in _ids(pages) and "r13" not in _ids(pages)
    assert sum(p.incomplete.get("comments", 0) for p in pages) == 1


def test_a_session_failure_stops_after_what_was_read_is_handed_over() -> None:
    fake = Fake({("a1", "2"): LoginRequired("wall", platform="weibo", variable="X")})
    reader = read_work_comments(
        "weibo", "p", top=fake.top, replies=fake.replies, max_pages=10, url="u"
    )
    page = next(reader)  # the first page and the replies read before the wall
    assert {"a1", "r11", "r12", "a2", "r21"} <= {
        c.platform_comment_id for c in page.parsed.comments
    }
    with pytest.raises(LoginRequired):
        next(reader)
    assert ("top", "2") not in fake.calls


def test_a_failed_first_page_ends_the_work_with_a_gap() -> None:
    fake = Fake({("top", None): ConnectorError("HTTP 404", platform="weibo")})
    pages = _read(fake)
    assert fake.calls == [("top", None)]
    assert pages[0].comments == [] and pages[0].incomplete == {"comments": 1}
