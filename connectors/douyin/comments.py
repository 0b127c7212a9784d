"""Douyin comment bodies -> comments and commenters (pure; no I/O).

Shapes (MediaCrawler ``media_platform/douyin/client.py`` and a real web body kept in a public
proxy's documentation):

- top level ``aweme/v1/web/comment/list/?aweme_id=…``;
- replies ``aweme/v1/web/comment/list/reply/?item_id=<aweme_id>&comment_id=<cid>``;

both ``{status_code, comments[] | null, cursor, has_more (0/1), total}``. A comment: ``cid``,
``text`` (plain), ``aweme_id``, ``create_time`` (epoch s), ``digg_count``,
``reply_comment_total``, ``reply_id`` (the thread's first comment, ``"0"`` on a top-level one),
``reply_to_reply_id`` (the reply it answers, ``"0"`` when it answers the first comment),
``user{uid, sec_uid, nickname}``, ``text_extra[].hashtag_name``. An empty page names no work,
so the request's ``aweme_id``/``item_id`` comes in as ``post_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors._comments import CommentError, CommentPage, comment_count, comment_time
from connectors._common import claimed_total, merge_tags, opt_id
from connectors.douyin.parse import PLATFORM, _body, _cursor, _has_more, account_url
from tracker.errors import ParseError
from tracker.records import AccountRecord, CommentRecord, ParsedPage

__all__ = ["parse_comments"]


def _id(value: Any) -> str | None:
    """A numeric Douyin id as text; ``0``/blank is "none" (Douyin fills absent ids with 0)."""
    text = opt_id(value, zero_is_none=True)
    if text is not None and not text.isdigit():
        raise CommentError(f"not a numeric id {value!r}")
    return text


def _read(
    item: Mapping[str, Any],
    *,
    post_id: str | None,
    root_id: str | None,
    captured_at: datetime,
    source: str,
) -> tuple[CommentRecord, AccountRecord | None]:
    cid = _id(item.get("cid"))
    if cid is None:
        raise CommentError("cid missing")
    work = _id(item.get("aweme_id")) or post_id
    if work is None:
        raise CommentError("aweme_id missing (pass post_id)")
    text = item.get("text")
    if text is not None and not isinstance(text, str):
        raise CommentError(f"text: expected a string, got {type(text).__name__}")
    text = text.strip() or None if text else None
    structured = [
        t.get("hashtag_name") for t in item.get("text_extra") or [] if isinstance(t, Mapping)
    ]
    root = _id(item.get("reply_id")) or root_id
    if root == cid:
        root = None
    parent = (_id(item.get("reply_to_reply_id")) or root) if root is not None else None
    user = item["user"] if isinstance(item.get("user"), Mapping) else {}
    uid = _id(user.get("uid"))
    sec_uid = user.get("sec_uid") if isinstance(user.get("sec_uid"), str) else None
    name = user.get("nickname") if isinstance(user.get("nickname"), str) else None
    comment = CommentRecord(
        platform=PLATFORM,
        platform_comment_id=cid,
        platform_post_id=work,
        captured_at=captured_at,
        commenter_uid=uid,
        commenter_name=name or None,
        text=text,
        published_at=comment_time(item.get("create_time"), "create_time", captured_at),
        parent_comment_id=parent,
        root_comment_id=root,
        likes=comment_count(item, "digg_count"),
        reply_count=comment_count(item, "reply_comment_total"),
        hashtags=merge_tags(structured, text),
        source=source,
    )
    account = None
    if uid is not None:
        account = AccountRecord(
            platform=PLATFORM,
            platform_uid=uid,
            name=name or None,
            url=account_url(sec_uid) if sec_uid else None,
            seen_at=captured_at,
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
    """A ``comment/list`` or ``comment/list/reply`` page -> comments and commenters.

    ``post_id`` is the request's ``aweme_id``/``item_id`` and ``root_comment_id`` the reply
    request's ``comment_id``: used where a comment does not say them itself. Error bodies raise
    ``ParseError`` as every Douyin parser does.
    """
    data = _body(body, "comments")
    items = data.get("comments")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ParseError("douyin comments: comments is not a list", platform=PLATFORM)
    root_id = opt_id(root_comment_id, zero_is_none=True)

    def reader(root: str | None) -> Any:
        def read(item: Any) -> tuple[CommentRecord, AccountRecord | None]:
            return _read(
                item, post_id=post_id, root_id=root, captured_at=captured_at, source=source
            )

        return read

    out = CommentPage(PLATFORM)
    for i, item in enumerate(items):
        comment = out.add(reader(root_id), item, f"comments[{i}]")
        previews = item.get("reply_comment") if isinstance(item, Mapping) else None
        if comment is not None and isinstance(previews, list):
            thread = comment.root_comment_id or comment.platform_comment_id
            for j, reply in enumerate(previews):
                out.add(reader(thread), reply, f"comments[{i}].reply_comment[{j}]")
    page = out.page
    page.has_more = _has_more(data)
    page.cursor = _cursor(data) if page.has_more else None
    page.claimed_total = claimed_total(data.get("total"))
    return page
