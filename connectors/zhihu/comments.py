"""Zhihu comment bodies (``api/v4/comment_v5``) -> comments and commenters (pure; no I/O).

Shapes (MediaCrawler ``media_platform/zhihu/client.py`` and public readers of the same API):

- top level ``comment_v5/{answers|articles|zvideos|questions}/{id}/root_comment``;
- replies ``comment_v5/comment/{root id}/child_comment``;

both ``{data[], paging{is_end, next, totals}, counts{total_counts}}``. A comment: ``id``,
``content`` (HTML), ``created_time`` (epoch s), ``like_count``, ``child_comment_count``,
``author{id, url_token, name}``, ``child_comments[]`` (first replies inline),
``reply_comment_id`` (the comment answered, ``"0"`` when none) and ``reply_root_comment_id``
(the thread's first comment; a first comment writes ``"0"`` or its own id), ``url`` (the API
address of the comment, naming the work as ``…/answers/{id}/root_comment/…``).

The work is the request path's id (``post_id``), else the one a comment's ``url`` names.
Commenters are keyed like every Zhihu author (``url_token``, else the member id).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors._comments import (
    CommentError,
    CommentPage,
    comment_count,
    comment_tags,
    comment_time,
)
from connectors._common import claimed_total, strict_id
from connectors.zhihu.parse import PLATFORM, _account, _html_text, _paging, body_error, unwrap
from tracker.errors import ParseError
from tracker.records import AccountRecord, CommentRecord, ParsedPage

__all__ = ["parse_comments", "work_of_comment_url"]

_WORK_IN_URL = re.compile(r"/comment_v5/(?:answers|articles|zvideos|questions|pins)/(\d+)/")


def work_of_comment_url(url: Any) -> str | None:
    """The work id a comment's API address names (``…/answers/{id}/root_comment…``)."""
    if not isinstance(url, str):
        return None
    m = _WORK_IN_URL.search(url)
    return m.group(1) if m else None


def _opaque_offset(paging: Any) -> str | None:
    """``offset`` of ``paging.next`` as given: comment pages write it as an opaque token
    (``456770961_10125996085_0``), not the number feeds use."""
    nxt = paging.get("next") if isinstance(paging, Mapping) else None
    if not isinstance(nxt, str):
        return None
    values = parse_qs(urlsplit(nxt).query).get("offset")
    return values[0] if values and values[0] else None


def _ref(value: Any) -> str | None:
    """A comment reference; ``"0"``/blank means "none"."""
    ref = strict_id(value)
    return None if ref in (None, "0") else ref


def _read(
    item: Mapping[str, Any],
    *,
    post_id: str | None,
    root_id: str | None,
    captured_at: datetime,
    source: str,
) -> tuple[CommentRecord, AccountRecord | None]:
    cid = strict_id(item.get("id"))
    if cid is None:
        raise CommentError("id missing")
    work = post_id or work_of_comment_url(item.get("url"))
    if work is None:
        raise CommentError("the comment names no work (pass post_id, the request path's id)")
    text = _html_text(item.get("content"), "content")
    root = _ref(item.get("reply_root_comment_id")) or root_id
    if root == cid:
        root = None
    parent = (_ref(item.get("reply_comment_id")) or root) if root is not None else None
    account = _account(item.get("author"), captured_at)
    comment = CommentRecord(
        platform=PLATFORM,
        platform_comment_id=cid,
        platform_post_id=work,
        captured_at=captured_at,
        commenter_uid=account.platform_uid if account else None,
        commenter_name=account.name if account else None,
        text=text,
        published_at=comment_time(item.get("created_time"), "created_time", captured_at),
        parent_comment_id=parent,
        root_comment_id=root,
        likes=comment_count(item, "like_count", "vote_count"),
        reply_count=comment_count(item, "child_comment_count"),
        hashtags=comment_tags(text),
        source=source,
    )
    return comment, account


def parse_comments(
    body: Any,
    *,
    captured_at: datetime,
    source: str = "live",
    post_id: str | None = None,
    root_comment_id: str | None = None,
) -> ParsedPage:
    """A ``root_comment`` or ``child_comment`` page -> comments and commenters.

    ``post_id`` is the work in the request path (``…/answers/{id}/root_comment``) and
    ``root_comment_id`` the thread in a reply request's path (``…/comment/{id}/child_comment``).
    ``cursor`` is the ``offset`` Zhihu gives in ``paging.next`` (a number on some pages, an
    opaque token on others), passed back as given.
    """
    inner = unwrap(body)
    err = body_error(inner)
    if err is not None:
        raise ParseError(f"zhihu comments: error body ({err.describe()})", platform=PLATFORM)
    items = inner.get("data")
    if not isinstance(items, list):
        raise ParseError("zhihu comments: data is not a list", platform=PLATFORM)
    root_id = _ref(root_comment_id)

    def reader(root: str | None) -> Any:
        def read(item: Any) -> tuple[CommentRecord, AccountRecord | None]:
            return _read(
                item, post_id=post_id, root_id=root, captured_at=captured_at, source=source
            )

        return read

    out = CommentPage(PLATFORM, sort_keys=True)
    for i, item in enumerate(items):
        comment = out.add(reader(root_id), item, f"data[{i}]")
        previews = item.get("child_comments") if isinstance(item, Mapping) else None
        if comment is not None and isinstance(previews, list):
            thread = comment.root_comment_id or comment.platform_comment_id
            work = comment.platform_post_id

            def read_preview(reply: Any, thread: str = thread, work: str = work) -> Any:
                return _read(
                    reply, post_id=work, root_id=thread, captured_at=captured_at, source=source
                )

            for j, reply in enumerate(previews):
                out.add(read_preview, reply, f"data[{i}].child_comments[{j}]")
    page = out.page
    _paging(page, inner)
    if page.has_more and page.cursor is None:
        page.cursor = _opaque_offset(inner.get("paging"))
    counts = inner.get("counts")
    if page.claimed_total is None and isinstance(counts, Mapping):
        page.claimed_total = claimed_total(counts.get("total_counts"))
    return page
