"""Bilibili comment bodies -> comments and commenters (pure; no I/O).

Shapes (bilibili-API-collect ``docs/comment/list.md``, whose examples are real captures):

- top-level comments, ``x/v2/reply/main`` and the WBI-signed ``x/v2/reply/wbi/main``:
  ``data.cursor{is_end, next, all_count}`` and ``data.replies[]`` (``null`` when closed), the
  pinned ones in ``data.top_replies[]``; the older paged ``x/v2/reply`` has ``data.page{num,
  size, count}`` and ``data.hots[]`` instead;
- replies of one comment, ``x/v2/reply/reply?root=<rpid>``: ``data.page{num, size, count}``,
  ``data.replies[]`` and the thread's first comment in ``data.root``.

A comment: ``rpid``/``rpid_str``, ``oid`` (the video's numeric aid when ``type`` is 1), ``mid``
and ``member{mid, uname, official_verify}``, ``root``/``parent`` (0 on a top-level comment;
a reply names its thread's first comment and the comment it answers), ``ctime`` (epoch s),
``like``, ``rcount`` (replies), ``content.message`` (plain text, never HTML) and ``replies[]``,
the first replies shown inline.

Works are keyed by ``bvid``; the comment endpoints speak ``aid``. The caller's ``post_id`` (a
``BV…`` id, or an aid) wins, else each comment's ``oid`` is converted.
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
from connectors._common import claimed_total
from connectors.bilibili.ids import aid_to_bvid, is_bvid
from connectors.bilibili.parse import PLATFORM, _body_data, _official, _uid, account_url
from tracker.errors import ParseError
from tracker.records import AccountRecord, CommentRecord, ParsedPage

__all__ = ["VIDEO_TYPE", "parse_comments", "work_id"]

VIDEO_TYPE = 1
"""The comment-area ``type`` of a video: only there is ``oid`` an aid."""


def work_id(value: Any) -> str | None:
    """A work key from a ``BV…`` id or a numeric aid (``av`` prefix allowed); None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    if is_bvid(text):
        return text
    digits = text[2:] if text.lower().startswith("av") else text
    if digits.isdigit() and int(digits) > 0:
        try:
            return aid_to_bvid(int(digits))
        except ValueError:
            return None
    return None


def _rpid(item: Mapping[str, Any], name: str) -> str | None:
    """``rpid``/``root``/``parent`` as text (the ``_str`` twin first); 0 means "none"."""
    raw = item.get(f"{name}_str")
    if raw in (None, ""):
        raw = item.get(name)
    if raw is None or isinstance(raw, bool):
        return None
    text = str(raw).strip()
    if not text or text == "0":
        return None
    if not text.isdigit():
        raise CommentError(f"{name}: not a numeric id {raw!r}")
    return text


def _work(item: Mapping[str, Any], post_id: str | None) -> str:
    if post_id is not None:
        return post_id
    kind = item.get("type", VIDEO_TYPE)
    if kind != VIDEO_TYPE:
        raise CommentError(f"type {kind!r} is not a video's comment area (pass post_id)")
    work = work_id(item.get("oid_str") or item.get("oid"))
    if work is None:
        raise CommentError(f"oid: not a video aid {item.get('oid')!r}")
    return work


def _read(
    item: Mapping[str, Any], *, post_id: str | None, captured_at: datetime, source: str
) -> tuple[CommentRecord, AccountRecord | None]:
    rpid = _rpid(item, "rpid")
    if rpid is None:
        raise CommentError("rpid missing")
    member = item["member"] if isinstance(item.get("member"), Mapping) else {}
    uid = _uid(member.get("mid")) or _uid(item.get("mid"))
    name = member.get("uname") if isinstance(member.get("uname"), str) else None
    content = item["content"] if isinstance(item.get("content"), Mapping) else {}
    message = content.get("message")
    if message is not None and not isinstance(message, str):
        raise CommentError(f"content.message: expected text, got {type(message).__name__}")
    text = message.strip() or None if message else None
    root = _rpid(item, "root")
    parent = _rpid(item, "parent") if root is not None else None
    comment = CommentRecord(
        platform=PLATFORM,
        platform_comment_id=rpid,
        platform_post_id=_work(item, post_id),
        captured_at=captured_at,
        commenter_uid=uid,
        commenter_name=name or None,
        text=text,
        published_at=comment_time(item.get("ctime"), "ctime", captured_at),
        parent_comment_id=(parent or root) if root is not None else None,
        root_comment_id=root,
        likes=comment_count(item, "like"),
        reply_count=comment_count(item, "rcount"),
        hashtags=comment_tags(text),
        source=source,
    )
    account = None
    if uid is not None:
        verified, vtype = _official(member.get("official_verify"))
        account = AccountRecord(
            platform=PLATFORM,
            platform_uid=uid,
            name=name or None,
            url=account_url(uid),
            verified=verified,
            verify_type=vtype,
            seen_at=captured_at,
        )
    return comment, account


def _add_thread(
    out: CommentPage, item: Any, location: str, read: Any, *, with_previews: bool = True
) -> None:
    out.add(read, item, location)
    previews = item.get("replies") if isinstance(item, Mapping) and with_previews else None
    if isinstance(previews, list):
        for j, reply in enumerate(previews):
            out.add(read, reply, f"{location}.replies[{j}]")


def _lists(data: Mapping[str, Any]) -> list[tuple[str, list[Any]]]:
    """Every list of comments a body carries, with its location (pinned ones first)."""
    found: list[tuple[str, list[Any]]] = []
    for name in ("top_replies", "hots", "replies"):
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, list):
            raise CommentError(f"data.{name} is not a list")
        found.append((f"data.{name}", value))
    return found


def _paging(page: ParsedPage, data: Mapping[str, Any], listed: int) -> None:
    cursor = data.get("cursor")
    if isinstance(cursor, Mapping):
        if isinstance(cursor.get("is_end"), bool):
            page.has_more = not cursor["is_end"]
        nxt = cursor.get("next")
        if page.has_more and isinstance(nxt, int) and not isinstance(nxt, bool):
            page.cursor = str(nxt)
        page.claimed_total = claimed_total(cursor.get("all_count"))
        return
    info = data.get("page")
    if isinstance(info, Mapping):
        num, size, count = (claimed_total(info.get(k)) for k in ("num", "size", "count"))
        page.claimed_total = count
        if num is not None and size is not None and count is not None:
            page.has_more = listed > 0 and num * size < count
            page.cursor = str(num + 1) if page.has_more else None


def parse_comments(
    body: Any, *, captured_at: datetime, source: str = "live", post_id: str | None = None
) -> ParsedPage:
    """A top-level comment page or a reply page of one video -> comments and commenters.

    ``post_id`` names the video (``BV…`` or its aid); without it each comment's ``oid`` is read.
    ``cursor`` is the next ``next`` (top level) or page number (replies); a malformed body
    raises ``ParseError`` like every Bilibili parser.
    """
    data = _body_data(body, "comments")
    work = work_id(post_id) if post_id is not None else None
    if post_id is not None and work is None:
        work = str(post_id).strip() or None

    def read(item: Any) -> tuple[CommentRecord, AccountRecord | None]:
        return _read(item, post_id=work, captured_at=captured_at, source=source)

    out = CommentPage(PLATFORM)
    try:
        lists = _lists(data)
    except CommentError as exc:
        raise ParseError(f"bilibili comments: {exc}", platform=PLATFORM) from None
    root = data.get("root")
    if isinstance(root, Mapping):
        out.add(read, root, "data.root")
    top = data.get("top")
    if isinstance(top, Mapping):
        for who in ("admin", "upper", "vote"):
            if isinstance(top.get(who), Mapping):
                _add_thread(out, top[who], f"data.top.{who}", read)
    upper = data.get("upper")
    if isinstance(upper, Mapping) and isinstance(upper.get("top"), Mapping):
        _add_thread(out, upper["top"], "data.upper.top", read)
    listed = 0
    for where, items in lists:
        if where == "data.replies":
            listed = len(items)
        for i, item in enumerate(items):
            _add_thread(out, item, f"{where}[{i}]", read)
    page = out.page
    _paging(page, data, listed)
    return page
