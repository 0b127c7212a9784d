"""Weibo comment bodies (m.weibo.cn) -> comments and commenters (pure; no I/O).

Shapes (MediaCrawler ``media_platform/weibo/client.py``):

- top level ``comments/hotflow?id=<mid>&mid=<mid>&max_id_type=0[&max_id=N]``:
  ``{ok, data{data[], total_number, max_id, max_id_type}}``; ``max_id`` 0 ends the list, and
  ``{"ok": 0}`` without data is a post with no (more) comments;
- replies ``comments/hotFlowChild?cid=<root id>&max_id=N``: ``{ok, data[], total_number, max_id}``.

A comment: ``id`` (int or str), ``rootid``, ``created_at`` ("Sat Sep 20 10:12:01 +0800 2026"),
``text`` (HTML: topic links, ``<span class="url-icon"><img alt=[笑cry]>`` emoji), ``like_count``,
``total_number`` (its replies), ``user{id, screen_name, followers_count}``, ``comments[]`` (the
first replies inline, or ``false``) and, on a reply to a reply, ``reply_comment{id}``. Comments
do not name their post: the request's ``id`` comes in as ``post_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors._comments import CommentError, CommentPage, comment_count, comment_time
from connectors._common import claimed_total, reject, strict_id
from connectors.weibo.parse import (
    PLATFORM,
    _account,
    _body_error,
    _html_tags,
    _split_super_topics,
    _tidy,
    unwrap,
)
from tracker.errors import ParseError
from tracker.normalize.tags import extract_hashtags
from tracker.normalize.text import strip_html
from tracker.records import AccountRecord, CommentRecord, ParsedPage

__all__ = ["parse_comments"]


def _read(
    item: Mapping[str, Any],
    *,
    post_id: str,
    root_id: str | None,
    captured_at: datetime,
    source: str,
) -> tuple[CommentRecord, AccountRecord | None]:
    cid = strict_id(item.get("idstr")) or strict_id(item.get("id"))
    if cid is None:
        raise CommentError("id missing")
    html = item.get("text")
    if html is not None and not isinstance(html, str):
        raise CommentError(f"text: expected a string, got {type(html).__name__}")
    text = _tidy(strip_html(html)) if html else None
    tags, _ = _split_super_topics([*_html_tags(html), *extract_hashtags(text)])
    root = strict_id(item.get("rootidstr")) or strict_id(item.get("rootid")) or root_id
    if root == cid:
        root = None
    answered = item.get("reply_comment")
    parent = None
    if root is not None:
        parent = root
        if isinstance(answered, Mapping):
            parent = strict_id(answered.get("idstr")) or strict_id(answered.get("id")) or root
    user = item.get("user")
    account = _account(user, captured_at) if isinstance(user, Mapping) else None
    comment = CommentRecord(
        platform=PLATFORM,
        platform_comment_id=cid,
        platform_post_id=post_id,
        captured_at=captured_at,
        commenter_uid=account.platform_uid if account else None,
        commenter_name=account.name if account else None,
        text=text,
        published_at=comment_time(item.get("created_at"), "created_at", captured_at),
        parent_comment_id=parent,
        root_comment_id=root,
        likes=comment_count(item, "like_count", "like_counts"),
        reply_count=comment_count(item, "total_number"),
        hashtags=tags,
        source=source,
    )
    return comment, account


def _container(body: Mapping[str, Any]) -> tuple[list[Any], Mapping[str, Any]] | None:
    """(comments, the object holding the paging fields), or None for an empty end page."""
    ok = body.get("ok")
    data = body.get("data")
    if ok in (0, "0") and not data:
        return None
    if ok not in (1, "1"):
        raise _body_error(body, "comments")
    if isinstance(data, list):  # hotFlowChild: the list is data, paging beside it
        return data, body
    if isinstance(data, Mapping):
        items = data.get("data")
        if items is None:
            items = []
        if not isinstance(items, list):
            raise ParseError("weibo comments: data.data is not a list", platform=PLATFORM)
        return items, data
    raise ParseError("weibo comments: body has no comment list", platform=PLATFORM)


def parse_comments(
    body: Any,
    *,
    captured_at: datetime,
    source: str = "live",
    post_id: str | None = None,
    root_comment_id: str | None = None,
) -> ParsedPage:
    """A ``hotflow`` or ``hotFlowChild`` page -> comments and commenters.

    ``post_id`` is the post's mid (the request's ``id``): the comments do not name it, so a
    body without it is one reject saying so.
    ``root_comment_id`` (the reply request's ``cid``) stands in for a reply without ``rootid``.
    ``cursor`` is the next ``max_id``.
    """
    found = _container(unwrap(body))
    if found is None:
        return ParsedPage(has_more=False)
    items, paging = found
    root_id = strict_id(root_comment_id)
    post = strict_id(post_id)
    if post is None:
        if not items:
            return ParsedPage(has_more=False)
        reason = "weibo comments: the body names no post (pass post_id, the request's id)"
        return ParsedPage(rejects=[reject(PLATFORM, reason, body, "data", sort_keys=True)])

    def reader(root: str | None) -> Any:
        def read(item: Any) -> tuple[CommentRecord, AccountRecord | None]:
            return _read(item, post_id=post, root_id=root, captured_at=captured_at, source=source)

        return read

    out = CommentPage(PLATFORM, sort_keys=True)
    for i, item in enumerate(items):
        comment = out.add(reader(root_id), item, f"data[{i}]")
        previews = item.get("comments") if isinstance(item, Mapping) else None
        if comment is not None and isinstance(previews, list):
            thread = comment.root_comment_id or comment.platform_comment_id
            for j, reply in enumerate(previews):
                out.add(reader(thread), reply, f"data[{i}].comments[{j}]")
    page = out.page
    max_id = paging.get("max_id")
    ended = max_id in (None, 0, "0", "") or isinstance(max_id, bool)
    page.has_more = bool(items) and not ended
    page.cursor = str(max_id) if page.has_more else None
    page.claimed_total = claimed_total(paging.get("total_number"))
    return page
