"""Xiaohongshu comment bodies -> comments and commenters (pure; no I/O).

Shapes (MediaCrawler ``media_platform/xhs/client.py`` and its store code):

- top level ``api/sns/web/v2/comment/page?note_id=…&cursor=…``;
- replies ``api/sns/web/v2/comment/sub/page?note_id=…&root_comment_id=…&cursor=…``;

both ``{code, success, data{comments[], cursor, has_more}}``. A comment: ``id``, ``note_id``,
``content`` (plain, ``#话题[话题]#`` tags), ``create_time`` (ms), ``like_count`` and
``sub_comment_count`` (strings, "12"), ``user_info{user_id, nickname}``, ``sub_comments[]``
(first replies inline); a reply adds ``target_comment{id}``, the comment it answers. A proxy's
variant of the same list writes ``user{userid, nickname}`` and ``time`` (s); it is read too.

A reply page does not name its thread: the request's ``root_comment_id`` comes in as a hint,
and an empty page's ``note_id`` as ``post_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors._comments import (
    CommentError,
    CommentPage,
    comment_count,
    comment_tags,
    comment_time,
)
from connectors._common import opt_id
from connectors.xiaohongshu.parse import PLATFORM, _account, _check_code, unwrap
from tracker.errors import ParseError
from tracker.normalize.text import strip_html
from tracker.records import AccountRecord, CommentRecord, ParsedPage

__all__ = ["parse_comments"]


def _read(
    item: Mapping[str, Any],
    *,
    post_id: str | None,
    root_id: str | None,
    captured_at: datetime,
    source: str,
) -> tuple[CommentRecord, AccountRecord | None]:
    cid = opt_id(item.get("id"))
    if cid is None:
        raise CommentError("id missing")
    work = opt_id(item.get("note_id")) or post_id
    if work is None:
        raise CommentError("note_id missing (pass post_id)")
    content = item.get("content")
    if content is not None and not isinstance(content, str):
        raise CommentError(f"content: expected a string, got {type(content).__name__}")
    text = strip_html(content) or None if content else None
    root = opt_id(item.get("root_comment_id")) or root_id
    if root == cid:
        root = None
    target = item.get("target_comment")
    parent = None
    if root is not None:
        parent = (opt_id(target.get("id")) if isinstance(target, Mapping) else None) or root
    user = item.get("user_info")
    if not isinstance(user, Mapping):
        user = item["user"] if isinstance(item.get("user"), Mapping) else {}
    uid = opt_id(user.get("user_id")) or opt_id(user.get("userid"))
    name = user.get("nickname") if isinstance(user.get("nickname"), str) else None
    stamp = item.get("create_time")
    comment = CommentRecord(
        platform=PLATFORM,
        platform_comment_id=cid,
        platform_post_id=work,
        captured_at=captured_at,
        commenter_uid=uid,
        commenter_name=name or None,
        text=text,
        published_at=comment_time(
            stamp if stamp is not None else item.get("time"), "create_time", captured_at
        ),
        parent_comment_id=parent,
        root_comment_id=root,
        likes=comment_count(item, "like_count"),
        reply_count=comment_count(item, "sub_comment_count"),
        hashtags=comment_tags(text),
        source=source,
    )
    return comment, _account(uid, name, captured_at)


def parse_comments(
    body: Any,
    *,
    captured_at: datetime,
    source: str = "live",
    post_id: str | None = None,
    root_comment_id: str | None = None,
) -> ParsedPage:
    """A ``comment/page`` or ``comment/sub/page`` body -> comments and commenters.

    ``post_id`` is the request's ``note_id`` and ``root_comment_id`` a reply request's
    ``root_comment_id``, used where a comment does not say them. An error code raises
    ``ParseError`` as every Xiaohongshu parser does.
    """
    inner = unwrap(body)
    _check_code(inner, "comments")
    data = inner.get("data")
    if not isinstance(data, Mapping):
        raise ParseError("xiaohongshu comments: no data object", platform=PLATFORM)
    items = data.get("comments")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ParseError("xiaohongshu comments: data.comments is not a list", platform=PLATFORM)
    root_id = opt_id(root_comment_id)

    def reader(root: str | None) -> Any:
        def read(item: Any) -> tuple[CommentRecord, AccountRecord | None]:
            return _read(
                item, post_id=post_id, root_id=root, captured_at=captured_at, source=source
            )

        return read

    out = CommentPage(PLATFORM)
    for i, item in enumerate(items):
        comment = out.add(reader(root_id), item, f"data.comments[{i}]")
        previews = item.get("sub_comments") if isinstance(item, Mapping) else None
        if comment is not None and isinstance(previews, list):
            thread = comment.root_comment_id or comment.platform_comment_id
            for j, reply in enumerate(previews):
                out.add(reader(thread), reply, f"data.comments[{i}].sub_comments[{j}]")
    page = out.page
    if isinstance(data.get("has_more"), bool):
        page.has_more = data["has_more"]
    cursor = data.get("cursor")
    page.cursor = str(cursor) if page.has_more and cursor not in (None, "") else None
    return page
