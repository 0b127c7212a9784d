"""Reading one work's comments live: the paging every connector's ``comments`` method shares.

The platforms differ in their endpoints, cursors and signatures (each connector passes two
functions that fetch and parse one page), but not in the order of reading, which lives here:

- top-level pages first (hot first, as the platforms serve them); after each one, the replies
  of every thread that page cut short: a top-level comment whose ``reply_count`` is above the
  replies it carried inline. A thread the page carried whole costs no request; a comment whose
  platform gives no reply count is taken as whole (nothing says it is not);
- at most ``max_pages`` requests per work, top-level and reply pages together, so a day's
  comment reading costs at most works × ``max_pages`` requests (before the HTTP layer's
  retries). A capped work keeps what was read, and its pages say so (``cursor["capped"]``):
  only a work read to its last comment can show that comments are missing;
- each top-level page and its threads' replies are yielded as one page, so the caller stores
  them together; every read is counted under the ``comments`` purpose.

A read is an enrichment read (:class:`connectors._client_common.Enrichment`): one that fails
for a reason of its own (an unreadable body, a thread that is gone) is counted in
``ParsedPage.incomplete["comments"]`` and ends that thread (or, on a top-level page, the work),
while a session failure (login wall, block, throttle given up on) is held: no further read is
sent, what was read is yielded, and only then the error stops the platform.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial

from connectors import _client_common as shared
from connectors.base import CommentWork, FetchedPage
from tracker.errors import ConnectorError
from tracker.records import ParsedPage

__all__ = ["CommentWork", "read_work_comments", "threads_cut_short"]

TopPage = Callable[[str | None], ParsedPage]
"""The top-level page at a cursor (``None``: the first page), fetched and parsed."""
ReplyPage = Callable[[str, str | None], ParsedPage]
"""The replies of one thread (its top-level comment id) at a cursor, fetched and parsed."""


def threads_cut_short(page: ParsedPage) -> list[str]:
    """Top-level comments of ``page`` with more replies than the page carried inline."""
    inline = Counter(c.root_comment_id for c in page.comments if c.root_comment_id is not None)
    return [
        c.platform_comment_id
        for c in page.comments
        if c.root_comment_id is None and (c.reply_count or 0) > inline[c.platform_comment_id]
    ]


class _Budget:
    def __init__(self, pages: int) -> None:
        self.left = max(1, pages)

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


def _replies(
    root: str,
    fetch: ReplyPage,
    enrichment: shared.Enrichment,
    budget: _Budget,
    out: ParsedPage,
) -> bool:
    """Every reply page of one thread into ``out``, while the budget lasts; False when the
    budget ran out before the thread's last reply."""
    cursor: str | None = None
    while budget.take():
        ok, page = enrichment.read(partial(fetch, root, cursor))
        if not ok or page is None:
            out.note_incomplete("comments")
            return True
        out.extend(page)
        following = page.cursor
        if not page.has_more or not following or following == cursor or not page.comments:
            return True
        cursor = following
    return False


def read_work_comments(
    platform: str,
    post_id: str,
    *,
    top: TopPage,
    replies: ReplyPage,
    max_pages: int,
    url: str,
    session_error: Callable[[ConnectorError], bool] | None = None,
) -> Iterator[FetchedPage]:
    """One work's comments and commenters, a page per top-level page (see the module doc).

    ``url`` names the work's comment endpoint in the pages yielded; ``session_error`` is the
    platform's line between a failure of the session and one of the read (the shared default
    when ``None``).
    """
    budget = _Budget(max_pages)
    cursor: str | None = None
    capped = False
    task = f"comments:{post_id}"
    while budget.take():
        enrichment = (
            shared.Enrichment(platform)
            if session_error is None
            else shared.Enrichment(platform, session_error=session_error)
        )
        out = ParsedPage()
        ok, page = enrichment.read(partial(top, cursor))
        more = False
        if not ok or page is None:
            out.note_incomplete("comments")
        else:
            out.extend(page)
            out.claimed_total = page.claimed_total
            for root in threads_cut_short(page):
                if enrichment.held is not None:
                    break
                if not _replies(root, replies, enrichment, budget, out):
                    capped = True
            following = page.cursor
            more = bool(page.has_more and following and following != cursor and page.comments)
            cursor = following
        out.has_more = more and budget.left > 0
        capped = capped or (more and budget.left <= 0)
        _dedupe(out)
        yield FetchedPage(
            parsed=out,
            cursor={"post_id": post_id, "next": cursor if more else None, "capped": capped},
            url=url,
            task=task,
        )
        enrichment.raise_held()  # what was read is stored: now a session failure may stop
        if not more:
            return


def _dedupe(page: ParsedPage) -> None:
    """One comment per id (inline replies come again on the reply pages) and one account per
    uid, the last reading kept: it is the newest."""
    comments = {c.platform_comment_id: c for c in page.comments}
    accounts = {a.platform_uid: a for a in page.accounts}
    page.comments = list(comments.values())
    page.accounts = list(accounts.values())
