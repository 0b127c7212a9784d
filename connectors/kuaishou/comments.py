"""Kuaishou comment bodies (``www.kuaishou.com/graphql``) -> comments and commenters. Pure.

Shapes (MediaCrawler ``media_platform/kuaishou/client.py`` and its GraphQL queries; a real body
of the newer fields):

- top level, operation ``commentListQuery`` (variables ``photoId``, ``pcursor``):
  ``data.visionCommentList{commentCount, pcursor, rootComments[]}``; the site now asks for
  ``commentCountV2``, ``pcursorV2`` and ``rootCommentsV2[]`` (``hasSubComments`` instead of the
  reply count), so both spellings are read;
- replies, operation ``visionSubCommentList`` (variables ``photoId``, ``rootCommentId``,
  ``pcursor``): ``data.visionSubCommentList{pcursor, subComments[]}`` (or ``…V2``).

A comment: ``commentId`` (``comment_id``), ``authorId``/``authorName`` (``author_id``/
``author_name``), ``content`` (plain), ``timestamp`` (ms), ``likedCount`` (display string,
"1.2w") or ``realLikedCount`` (exact), ``subCommentCount``, ``subComments[]`` (first replies
inline); a reply adds ``replyTo`` (the *user* it answers, not a comment). ``pcursor``
``"no_more"`` ends a list.

Neither body names the work nor (for replies) the thread: both are request variables, which a
capture passes in as ``post_id`` and ``root_comment_id``. A reply's parent is its thread's first
comment: the body does not say which reply it answers.
"""

from __future__ import annotations

import json
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
from connectors._common import claimed_total, opt_id, reject
from connectors.kuaishou.parse import NO_MORE, PLATFORM, _no_data, profile_url, unwrap
from tracker.errors import ParseError
from tracker.normalize.text import strip_html
from tracker.records import AccountRecord, CommentRecord, ParsedPage

__all__ = ["COMMENT_OPERATIONS", "hints_from_request_body", "parse_comments"]

COMMENT_OPERATIONS = ("visionCommentList", "visionSubCommentList")
"""The keys under ``data`` of the two comment operations."""


def _first(item: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        value = item.get(key)
        if value is not None and value != "":
            return value
    return None


def _read(
    item: Mapping[str, Any],
    *,
    post_id: str,
    root_id: str | None,
    captured_at: datetime,
    source: str,
) -> tuple[CommentRecord, AccountRecord | None]:
    cid = opt_id(_first(item, "commentId", "comment_id"))
    if cid is None:
        raise CommentError("commentId missing")
    content = item.get("content")
    if content is not None and not isinstance(content, str):
        raise CommentError(f"content: expected a string, got {type(content).__name__}")
    text = strip_html(content) or None if content else None
    root = opt_id(_first(item, "rootCommentId", "root_comment_id")) or root_id
    if root == cid:
        root = None
    uid = opt_id(_first(item, "authorId", "author_id"))
    name = _first(item, "authorName", "author_name")
    name = name if isinstance(name, str) and name else None
    comment = CommentRecord(
        platform=PLATFORM,
        platform_comment_id=cid,
        platform_post_id=post_id,
        captured_at=captured_at,
        commenter_uid=uid,
        commenter_name=name,
        text=text,
        published_at=comment_time(item.get("timestamp"), "timestamp", captured_at),
        parent_comment_id=root,
        root_comment_id=root,
        likes=comment_count(item, "realLikedCount", "likedCount", "likeCount"),
        reply_count=comment_count(item, "subCommentCount"),
        hashtags=comment_tags(text),
        source=source,
    )
    account = None
    if uid is not None:
        account = AccountRecord(
            platform=PLATFORM,
            platform_uid=uid,
            name=name,
            url=profile_url(uid),
            seen_at=captured_at,
        )
    return comment, account


def _operation(body: Any) -> tuple[str, Mapping[str, Any] | None]:
    inner = unwrap(body)
    data = inner.get("data")
    if not isinstance(data, Mapping):
        raise _no_data(inner, "kuaishou graphql comments")
    for name in COMMENT_OPERATIONS:
        if name in data:
            value = data[name]
            if value is not None and not isinstance(value, Mapping):
                raise ParseError(f"kuaishou graphql {name}: not an object", platform=PLATFORM)
            return name, value
    raise ParseError(
        f"kuaishou graphql: no comment operation under data (keys: {sorted(data)[:8]})",
        platform=PLATFORM,
    )


def parse_comments(
    body: Any,
    *,
    captured_at: datetime,
    source: str = "live",
    post_id: str | None = None,
    root_comment_id: str | None = None,
) -> ParsedPage:
    """A ``visionCommentList`` or ``visionSubCommentList`` body -> comments and commenters.

    ``post_id`` is the request's ``photoId`` and ``root_comment_id`` its ``rootCommentId``;
    without ``post_id`` the body is one reject saying so (it cannot name its work).
    """
    name, container = _operation(body)
    if container is None:
        return ParsedPage(has_more=False)
    key = "rootComments" if name == "visionCommentList" else "subComments"
    items = container.get(f"{key}V2")
    if items is None:
        items = container.get(key)
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ParseError(f"kuaishou graphql {name}: {key} is not a list", platform=PLATFORM)
    post = opt_id(post_id)
    root_id = opt_id(root_comment_id) if name == "visionSubCommentList" else None
    if post is None:
        if not items:
            return ParsedPage(has_more=False)
        reason = f"kuaishou {name}: the body names no work (photoId is a request variable)"
        return ParsedPage(rejects=[reject(PLATFORM, reason, body, f"data.{name}")])

    def reader(root: str | None) -> Any:
        def read(item: Any) -> tuple[CommentRecord, AccountRecord | None]:
            return _read(item, post_id=post, root_id=root, captured_at=captured_at, source=source)

        return read

    out = CommentPage(PLATFORM)
    for i, item in enumerate(items):
        comment = out.add(reader(root_id), item, f"{name}.{key}[{i}]")
        previews = (
            _first(item, "subCommentsV2", "subComments") if isinstance(item, Mapping) else None
        )
        if comment is not None and isinstance(previews, list):
            thread = comment.root_comment_id or comment.platform_comment_id
            for j, reply in enumerate(previews):
                out.add(reader(thread), reply, f"{name}.{key}[{i}].subComments[{j}]")
    page = out.page
    pcursor = _first(container, "pcursorV2", "pcursor")
    pcursor = str(pcursor) if pcursor is not None else None
    page.has_more = bool(items) and pcursor not in (None, NO_MORE)
    page.cursor = pcursor if page.has_more else None
    page.claimed_total = claimed_total(_first(container, "commentCountV2", "commentCount"))
    return page


def hints_from_request_body(text: str) -> dict[str, str]:
    """``post_id``/``root_comment_id`` from a GraphQL request's ``variables`` (a capture's
    request body): the comment bodies name neither."""
    try:
        request = json.loads(text)
    except (TypeError, ValueError):
        return {}
    variables = request.get("variables") if isinstance(request, Mapping) else None
    if not isinstance(variables, Mapping):
        return {}
    hints: dict[str, str] = {}
    for key, hint in (("photoId", "post_id"), ("rootCommentId", "root_comment_id")):
        value = opt_id(variables.get(key))
        if value is not None:
            hints[hint] = value
    return hints
