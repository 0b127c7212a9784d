"""Xiaohongshu (小红书) response bodies -> records. Pure functions: no I/O, no clock.

Three note shapes reach us; they differ in spelling more than in content, so one table of keys
(``_NoteKeys``) describes each and one reader (``_note_records``) reads them all:

- web ``note_card`` (``edith.xiaohongshu.com/api/sns/web/v1/search/notes`` cards and
  ``/api/sns/web/v1/feed`` detail): ``items[]{id, model_type, xsec_token, note_card{...}}`` with
  ``interact_info`` counts as *strings*, ``time`` in ms, ``user.user_id``, ``tag_list[]``. Search
  cards carry only the like count; the detail carries all four counts and the time.
- app-style ``note`` (what the TikHub proxy returns, a real 2026 body in the tests):
  ``items[]{model_type, note{id, timestamp (s), liked_count, collected_count, comments_count,
  shared_count (ints), user{userid, nickname, red_official_verified}}}``.
- Zeeschuimer captures (``parse_zeeschuimer_item``): the web card, the camelCase ``note`` embedded
  in page HTML (``interactInfo.likedCount``), user-page video tiles and HTML-scraped stubs.

A note without a time (web search cards) is dated from its id, a MongoDB ObjectId whose first 8
hex digits are the creation second (:mod:`connectors.xiaohongshu.ids`; ``published_at_source``
"id"); only a note whose id is not an ObjectId falls back to the card's day-level display date
(``corner_tag_info`` ``publish_time``, source "display").

Xiaohongshu shows no view count and no follower count with a note: those stay ``None`` there.
The follower count comes from the author's profile, ``/api/sns/web/v1/user/otherinfo``
(``parse_user_info``): ``data.interactions[]`` entries ``{type, name, count}`` whose ``fans``
count is a string that may be abbreviated (``"1.2万"``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from connectors._common import add_item, items_have_keys, merge_tags, opt_id, unique_accounts
from connectors.base import Endpoint
from connectors.xiaohongshu.ids import note_id_time
from tracker.errors import ParseError
from tracker.normalize.counts import lower_bounded, parse_count
from tracker.normalize.text import strip_html
from tracker.normalize.times import parse_time
from tracker.records import (
    AccountRecord,
    Metrics,
    ParsedPage,
    PostRecord,
    RecordError,
)

__all__ = [
    "ENDPOINTS",
    "NOT_FOUND_CODES",
    "PLATFORM",
    "note_url",
    "parse_feed",
    "parse_search_notes",
    "parse_user_info",
    "parse_zeeschuimer_item",
    "profile_url",
    "unwrap",
]

PLATFORM = "xiaohongshu"

NOT_FOUND_CODES = frozenset({-510000, -510001})
"""Detail codes for a note that is deleted, hidden or not viewable: an answer, not a failure."""

_SKIPPED_MODEL_TYPES = frozenset({"rec_query", "hot_query"})


def note_url(note_id: str, xsec_token: str | None = None) -> str:
    """The public page of a note; it only opens with the ``xsec_token`` the listing gave."""
    url = f"https://www.xiaohongshu.com/explore/{note_id}"
    if xsec_token:
        url += f"?xsec_token={quote(xsec_token, safe='')}&xsec_source=pc_search"
    return url


def profile_url(user_id: str) -> str:
    return f"https://www.xiaohongshu.com/user/profile/{user_id}"


def unwrap(body: Any) -> dict[str, Any]:
    """Drop a third-party proxy envelope (TikHub: ``{"code": 200, "router": ..., "data": {...}}``).

    Xiaohongshu's own bodies use ``code`` 0 (or an error code) with ``success``; a ``code`` of 200
    beside ``data`` is never Xiaohongshu's, so that marks the envelope.
    """
    if not isinstance(body, dict):
        raise ParseError(
            f"xiaohongshu: expected a JSON object, got {type(body).__name__}", platform=PLATFORM
        )
    obj: dict[str, Any] = body
    while obj.get("code") == 200 and isinstance(obj.get("data"), dict):
        obj = obj["data"]
    return obj


def _time(value: Any, captured_at: datetime) -> datetime | None:
    if value in (None, "", 0, "0"):
        return None
    return parse_time(value, now=captured_at)


def _corner_time(card: Mapping[str, Any], captured_at: datetime) -> datetime | None:
    """The display date of a card (``2025-04-16``, ``3天前``): day-level, used only without ``time``."""
    for tag in card.get("corner_tag_info") or []:
        if isinstance(tag, dict) and tag.get("type") == "publish_time" and tag.get("text"):
            try:
                return parse_time(tag["text"], now=captured_at)
            except ValueError:
                return None
    return None


def _content_type(kind: Any) -> str | None:
    if kind == "video":
        return "video"
    if kind == "normal":
        return "image"
    return None


def _duration(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError(f"duration: not a number {value!r}")
    seconds = round(float(value))
    if seconds < 0:
        raise ValueError(f"duration: negative {value!r}")
    return int(seconds)


def _dig(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _account(
    uid: str | None,
    name: Any,
    captured_at: datetime,
    *,
    verified: Any = None,
    verify_type: Any = None,
) -> AccountRecord | None:
    if uid is None:
        return None
    is_verified = verified if isinstance(verified, bool) else None
    return AccountRecord(
        platform=PLATFORM,
        platform_uid=uid,
        name=name or None,
        url=profile_url(uid),
        verified=is_verified,
        verify_type=str(verify_type) if is_verified and verify_type not in (None, "") else None,
        seen_at=captured_at,
    )


@dataclass(frozen=True, slots=True)
class _NoteKeys:
    """Where one note shape keeps each field.

    A tuple of keys reads ``note[a] or note[b]``. ``interact`` is ``None`` when the counts sit on
    the note itself; ``counts`` are the likes, favourites, comments and shares keys, in that order.
    """

    user_id: tuple[str, ...]
    nickname: tuple[str, ...]
    titles: tuple[str, ...]
    xsec_token: str
    time: str
    video: str
    interact: str | None
    counts: tuple[str, str, str, str]
    tags: str | None = None
    ip_location: str | None = None
    corner_time: bool = False
    official_badge: bool = False


_WEB_CARD = _NoteKeys(
    user_id=("user_id", "userid"),
    nickname=("nickname", "nick_name"),
    titles=("title", "display_title"),
    xsec_token="xsec_token",
    time="time",
    video="video",
    interact="interact_info",
    counts=("liked_count", "collected_count", "comment_count", "share_count"),
    tags="tag_list",
    ip_location="ip_location",
    corner_time=True,
)
_APP_NOTE = _NoteKeys(
    user_id=("userid", "user_id"),
    nickname=("nickname",),
    titles=("title",),
    xsec_token="xsec_token",
    time="timestamp",
    video="video_info_v2",
    interact=None,
    counts=("liked_count", "collected_count", "comments_count", "shared_count"),
    corner_time=True,
    official_badge=True,
)
_EMBEDDED_NOTE = _NoteKeys(
    user_id=("userId", "user_id"),
    nickname=("nickname", "nickName"),
    titles=("title",),
    xsec_token="xsecToken",
    time="time",
    video="video",
    interact="interactInfo",
    counts=("likedCount", "collectedCount", "commentCount", "shareCount"),
    tags="tagList",
    ip_location="ipLocation",
)


def _first(obj: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    """``obj[a] or obj[b] or ...``: the first truthy value, else the last one read."""
    value = None
    for key in keys:
        value = obj.get(key)
        if value:
            break
    return value


def _note_author(
    note: Mapping[str, Any], keys: _NoteKeys, captured_at: datetime
) -> AccountRecord | None:
    user = note["user"] if isinstance(note.get("user"), dict) else {}
    badge = keys.official_badge
    return _account(
        opt_id(_first(user, keys.user_id)),
        _first(user, keys.nickname),
        captured_at,
        verified=user.get("red_official_verified") if badge else None,
        verify_type=user.get("red_official_verify_type") if badge else None,
    )


def _topics(note: Mapping[str, Any], key: str | None) -> list[Any]:
    """Names of the ``topic`` entries of a tag list; an entry without a ``type`` is a topic."""
    if key is None:
        return []
    return [
        t.get("name")
        for t in note.get(key) or []
        if isinstance(t, dict) and t.get("type", "topic") == "topic"
    ]


def _note_metrics(note: Mapping[str, Any], keys: _NoteKeys) -> Metrics:
    counts = note if keys.interact is None else note.get(keys.interact)
    counts = counts if isinstance(counts, dict) else {}
    likes, favorites, comments, shares = keys.counts
    return Metrics(
        likes=parse_count(counts.get(likes)),
        favorites=parse_count(counts.get(favorites)),
        comments=parse_count(counts.get(comments)),
        shares=parse_count(counts.get(shares)),
        lower_bounds=lower_bounded(  # web counts are display strings: "10万+" is a floor
            likes=counts.get(likes),
            favorites=counts.get(favorites),
            comments=counts.get(comments),
            shares=counts.get(shares),
        ),
    )


def _published(
    note: Mapping[str, Any], keys: _NoteKeys, note_id: str, captured_at: datetime
) -> tuple[datetime | None, str | None]:
    """The publish time and its source: the time field, else the id, else the display date.

    The id beats the display date: it is to the second, and for most notes it is the publish
    time itself (see :mod:`connectors.xiaohongshu.ids`), while the date says only the day.
    """
    given = _time(note.get(keys.time), captured_at)
    if given is not None:
        return given, "field"
    derived = note_id_time(note_id, now=captured_at)
    if derived is not None:
        return derived, "id"
    shown = _corner_time(note, captured_at) if keys.corner_time else None
    return shown, ("display" if shown is not None else None)


def _note_records(
    note: Mapping[str, Any],
    keys: _NoteKeys,
    *,
    note_id: str,
    xsec_token: str | None,
    captured_at: datetime,
    source: str,
) -> tuple[PostRecord, AccountRecord | None]:
    """One note in the shape ``keys`` describes -> post and author.

    Raises ``ValueError`` (or ``TypeError``) with a reason when a field is unusable.
    """
    xsec_token = xsec_token or note.get(keys.xsec_token) or None
    account = _note_author(note, keys, captured_at)
    desc = note.get("desc")
    text = (strip_html(desc) or None) if isinstance(desc, str) else None
    title = _first(note, keys.titles) or None
    published, published_source = _published(note, keys, note_id, captured_at)
    tags = _topics(note, keys.tags)
    context = {"xsec_token": xsec_token} if xsec_token else {}
    if keys.ip_location and note.get(keys.ip_location):
        context["ip_location"] = str(note[keys.ip_location])
    post = PostRecord(
        platform=PLATFORM,
        platform_post_id=note_id,
        captured_at=captured_at,
        account_uid=account.platform_uid if account else None,
        url=note_url(note_id, xsec_token),
        title=(strip_html(title) or None) if isinstance(title, str) else None,
        text=text,
        content_type=_content_type(note.get("type")),
        published_at=published,
        published_at_source=published_source,
        hashtags=merge_tags(tags, text),
        duration_s=_duration(_dig(note, keys.video, "capa", "duration")),
        metrics=_note_metrics(note, keys),
        source=source,
        context=context,
    )
    return post, account


def _web_card(
    card: Mapping[str, Any],
    *,
    note_id: str | None,
    xsec_token: str | None,
    captured_at: datetime,
    source: str,
) -> tuple[PostRecord, AccountRecord | None]:
    """A web ``note_card`` (search card or feed detail; snake_case)."""
    note_id = note_id or opt_id(card.get("note_id"))
    if note_id is None:
        raise ValueError("note id missing (item.id / note_card.note_id)")
    return _note_records(
        card,
        _WEB_CARD,
        note_id=note_id,
        xsec_token=xsec_token,
        captured_at=captured_at,
        source=source,
    )


def _app_note(
    note: Mapping[str, Any], *, captured_at: datetime, source: str
) -> tuple[PostRecord, AccountRecord | None]:
    """An app-style ``note`` (TikHub search): int counts, ``timestamp`` in seconds."""
    note_id = opt_id(note.get("id"))
    if note_id is None:
        raise ValueError("note.id missing")
    return _note_records(
        note, _APP_NOTE, note_id=note_id, xsec_token=None, captured_at=captured_at, source=source
    )


def _item_records(
    item: Any, *, captured_at: datetime, source: str
) -> tuple[PostRecord, AccountRecord | None]:
    if not isinstance(item, dict):
        raise ValueError(f"item is not an object ({type(item).__name__})")
    if isinstance(item.get("note_card"), dict):
        return _web_card(
            item["note_card"],
            note_id=opt_id(item.get("id")),
            xsec_token=item.get("xsec_token") or None,
            captured_at=captured_at,
            source=source,
        )
    if isinstance(item.get("note"), dict):
        return _app_note(item["note"], captured_at=captured_at, source=source)
    raise ValueError("item has neither note_card nor note")


def _check_code(body: Mapping[str, Any], where: str) -> int:
    code = body.get("code", 0)
    if not isinstance(code, int) or isinstance(code, bool):
        raise ParseError(f"xiaohongshu {where}: code is not a number", platform=PLATFORM)
    if code != 0 and code not in NOT_FOUND_CODES:
        raise ParseError(
            f"xiaohongshu {where}: code {code} ({body.get('msg') or body.get('message') or ''})",
            platform=PLATFORM,
        )
    return code


def _bare_data(inner: Mapping[str, Any]) -> bool:
    """``inner`` is a saved ``data`` member cut from its envelope (``{cursor_score, items,
    current_time}`` of web ``feed``): an ``items`` list of web cards and no ``data`` of its own."""
    items = inner.get("items")
    return (
        "data" not in inner
        and isinstance(items, list)
        and any(isinstance(i, dict) and isinstance(i.get("note_card"), dict) for i in items)
    )


def _items_page(
    inner: Mapping[str, Any], *, where: str, captured_at: datetime, source: str
) -> ParsedPage:
    data = inner if _bare_data(inner) else inner.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ParseError(f"xiaohongshu {where}: no data.items list", platform=PLATFORM)
    page = ParsedPage()
    read = partial(_item_records, captured_at=captured_at, source=source)
    for index, item in enumerate(data["items"]):
        model_type = item.get("model_type") if isinstance(item, dict) else None
        if isinstance(model_type, str) and model_type in _SKIPPED_MODEL_TYPES:
            continue  # query suggestions between the notes, not works
        add_item(
            page, read, item, PLATFORM, f"xiaohongshu {where} items[{index}]", f"items[{index}]"
        )
    page.accounts = unique_accounts(page.accounts, keep="first")
    if isinstance(data.get("has_more"), bool):
        page.has_more = data["has_more"]
    return page


def parse_search_notes(
    body: dict[str, Any], *, captured_at: datetime, source: str = "live"
) -> ParsedPage:
    """``/api/sns/web/v1/search/notes`` (web cards) or the TikHub app-style search body."""
    inner = unwrap(body)
    _check_code(inner, "search/notes")
    return _items_page(inner, where="search/notes", captured_at=captured_at, source=source)


def parse_feed(body: dict[str, Any], *, captured_at: datetime, source: str = "live") -> ParsedPage:
    """``/api/sns/web/v1/feed``: ``data.items[0].note_card``, the full note.

    A deleted or hidden note (code -510000/-510001) yields an empty page: there is nothing to
    record and nothing went wrong.
    """
    inner = unwrap(body)
    if _check_code(inner, "feed") in NOT_FOUND_CODES:
        return ParsedPage(has_more=False)
    page = _items_page(inner, where="feed", captured_at=captured_at, source=source)
    page.has_more = False
    return page


def _user_missing(inner: Mapping[str, Any], data: Any) -> bool:
    """A non-zero code or ``data.result.success`` false: no such (or no viewable) user."""
    if inner.get("code", 0) != 0:
        return True
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, dict):
        return False
    return result.get("success") is False or result.get("code", 0) not in (0, None)


def _fans(interactions: Any) -> int | None:
    """The ``fans`` entry's count; ``None`` when the profile lists no such entry."""
    if interactions is None:
        return None
    if not isinstance(interactions, list):
        raise ParseError(
            "xiaohongshu user/otherinfo: interactions is not a list", platform=PLATFORM
        )
    for entry in interactions:
        if isinstance(entry, dict) and entry.get("type") == "fans":
            try:
                return parse_count(entry.get("count"))
            except ValueError as exc:
                raise ParseError(
                    f"xiaohongshu user/otherinfo: fans count: {exc}", platform=PLATFORM
                ) from None
    return None


def parse_user_info(
    body: dict[str, Any], *, user_id: str, captured_at: datetime, source: str = "live"
) -> ParsedPage:
    """``/api/sns/web/v1/user/otherinfo``: the author with the follower count notes lack.

    ``basic_info`` does not echo the user id, so the caller passes the id it asked for. A
    missing or banned user (a non-zero code, or ``data.result.success`` false) yields an empty
    page: the account simply has no follower figure. ``source`` is accepted for symmetry with
    the other parsers; accounts carry no source.
    """
    inner = unwrap(body)
    code = inner.get("code", 0)
    if not isinstance(code, int) or isinstance(code, bool):
        raise ParseError("xiaohongshu user/otherinfo: code is not a number", platform=PLATFORM)
    data = inner.get("data")
    if _user_missing(inner, data):
        return ParsedPage(has_more=False)
    if not isinstance(data, dict) or not isinstance(data.get("basic_info"), dict):
        raise ParseError("xiaohongshu user/otherinfo: no data.basic_info object", platform=PLATFORM)
    uid = opt_id(user_id)
    if uid is None:
        raise ValueError("parse_user_info: user_id is empty")
    nickname = data["basic_info"].get("nickname")
    try:
        account = AccountRecord(
            platform=PLATFORM,
            platform_uid=uid,
            name=nickname if isinstance(nickname, str) and nickname else None,
            url=profile_url(uid),
            followers=_fans(data.get("interactions")),
            seen_at=captured_at,
        )
    except RecordError as exc:  # e.g. a fans count past any real one: the body is broken
        raise ParseError(f"xiaohongshu user/otherinfo: {exc}", platform=PLATFORM) from None
    return ParsedPage(accounts=[account], has_more=False)


# --- Zeeschuimer captures ---------------------------------------------------------------


def _embedded_note(
    data: Mapping[str, Any], *, captured_at: datetime, source: str
) -> tuple[PostRecord, AccountRecord | None]:
    """The camelCase note embedded in a note page's ``window.__INITIAL_STATE__``."""
    note = data["note"]
    note_id = opt_id(data.get("id")) or opt_id(note.get("noteId")) or opt_id(note.get("id"))
    if note_id is None:
        raise ValueError("note id missing (id / note.noteId)")
    return _note_records(
        note,
        _EMBEDDED_NOTE,
        note_id=note_id,
        xsec_token=None,
        captured_at=captured_at,
        source=source,
    )


def _html_stub(
    data: Mapping[str, Any], *, captured_at: datetime, source: str
) -> tuple[PostRecord, AccountRecord | None]:
    """A tile Zeeschuimer scraped from rendered HTML: id, title, author name and likes only."""
    note_id = opt_id(data.get("id"))
    if note_id is None:
        raise ValueError("html stub without id")
    path = data.get("url")
    url = (
        f"https://www.xiaohongshu.com{path}"
        if isinstance(path, str) and path.startswith("/")
        else note_url(note_id)
    )
    title = data.get("title") or None
    post = PostRecord(
        platform=PLATFORM,
        platform_post_id=note_id,
        captured_at=captured_at,
        url=url,
        title=title,
        metrics=Metrics(
            likes=parse_count(data.get("likes")),
            lower_bounds=lower_bounded(likes=data.get("likes")),
        ),
        source=source,
        context={"author_name": str(data["author_name"])} if data.get("author_name") else {},
    )
    return post, None


def _zeeschuimer_records(
    data: Any, *, captured_at: datetime, source: str
) -> tuple[PostRecord, AccountRecord | None]:
    if not isinstance(data, dict):
        raise ValueError(f"item is not an object ({type(data).__name__})")
    if data.get("_zs-origin") == "html":
        return _html_stub(data, captured_at=captured_at, source=source)
    if isinstance(data.get("note_card"), dict):
        return _item_records(data, captured_at=captured_at, source=source)
    note = data.get("note")
    if isinstance(note, dict):
        if "interactInfo" in note or "noteId" in note or "xsecToken" in note:
            return _embedded_note(data, captured_at=captured_at, source=source)
        return _app_note(note, captured_at=captured_at, source=source)
    if data.get("note_id") or ("interact_info" in data and data.get("id")):
        # A user-page tile: the card fields sit on the item itself.
        return _web_card(
            data,
            note_id=opt_id(data.get("note_id")) or opt_id(data.get("id")),
            xsec_token=data.get("xsec_token") or None,
            captured_at=captured_at,
            source=source,
        )
    raise ValueError(f"not a RedNote note item (keys: {sorted(data)[:10]})")


def parse_zeeschuimer_item(
    data: dict[str, Any], *, captured_at: datetime, source: str = "capture"
) -> ParsedPage:
    """One Zeeschuimer ``xiaohongshu.com`` item (the envelope's ``data``) -> a one-post page.

    A malformed item becomes a ``RejectRecord`` rather than an exception, so an import of a
    whole NDJSON file goes on past it.
    """
    page = ParsedPage()
    read = partial(_zeeschuimer_records, captured_at=captured_at, source=source)
    errors = (ValueError, TypeError, KeyError)
    add_item(page, read, data, PLATFORM, "xiaohongshu zeeschuimer item", "data", errors=errors)
    return page


def looks_like(body: Mapping[str, Any]) -> bool:
    """Whether a saved body (proxy envelopes removed) has the shape of a Xiaohongshu response."""
    if _is_comment_list(body):
        return True
    data = body.get("data")
    if isinstance(data, Mapping) and items_have_keys(
        data.get("items"), "model_type", "note_card", "note"
    ):
        return True
    # A saved ``data`` member without its code/success/msg envelope ({cursor_score, items,
    # current_time} of web ``feed``): only ``note_card`` is Xiaohongshu's own word here, so a
    # bare list of items must carry it (``model_type``/``note`` alone are too generic).
    return "data" not in body and items_have_keys(body.get("items"), "note_card")


def parse_comments(
    body: Any,
    *,
    captured_at: datetime,
    source: str = "live",
    post_id: str | None = None,
    root_comment_id: str | None = None,
) -> ParsedPage:
    """A comment or reply page (:mod:`connectors.xiaohongshu.comments`, imported when used: it
    builds on this module)."""
    from connectors.xiaohongshu.comments import parse_comments as parse

    return parse(
        body,
        captured_at=captured_at,
        source=source,
        post_id=post_id,
        root_comment_id=root_comment_id,
    )


def _is_comment_list(body: Mapping[str, Any]) -> bool:
    data = body.get("data")
    return isinstance(data, Mapping) and items_have_keys(data.get("comments"), "note_id")


def parse_any(body: Any, *, captured_at: datetime, source: str = "import") -> ParsedPage:
    """Parse a saved Xiaohongshu body: a comment page, else a list of note cards."""
    if _is_comment_list(unwrap(body)):
        return parse_comments(body, captured_at=captured_at, source=source)
    return parse_search_notes(body, captured_at=captured_at, source=source)


def hints_from_url(url: str) -> dict[str, str]:
    """The note (``note_id``) and thread (``root_comment_id``) of a comment request: an empty
    page names neither, and a reply page never names its thread."""
    query = parse_qs(urlsplit(url).query)
    hints: dict[str, str] = {}
    for key, hint in (("note_id", "post_id"), ("root_comment_id", "root_comment_id")):
        value = (query.get(key) or [""])[0].strip()
        if value:
            hints[hint] = value
    return hints


_HOST = r"(?:xiaohongshu\.com|rednote\.com|/xiaohongshu)"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        PLATFORM,
        "search_notes",
        re.compile(_HOST + r"/api/sns/web/v1/search/notes/?(?:[?#]|$)"),
        parse_search_notes,
    ),
    Endpoint(
        PLATFORM,
        "feed",
        re.compile(_HOST + r"/api/sns/web/v1/feed/?(?:[?#]|$)"),
        parse_feed,
    ),
    Endpoint(
        PLATFORM,
        "tikhub_search_notes",
        re.compile(r"/api/v1/xiaohongshu/(?:web|app)(?:_v\d+)?/search_notes(?:_v\d+)?/?(?:[?#]|$)"),
        parse_search_notes,
    ),
    Endpoint(
        PLATFORM,
        "comments",
        re.compile(_HOST + r"/api/sns/web/v2/comment/page/?(?:[?#]|$)"),
        parse_comments,
    ),
    Endpoint(
        PLATFORM,
        "comment_replies",
        re.compile(_HOST + r"/api/sns/web/v2/comment/sub/page/?(?:[?#]|$)"),
        parse_comments,
    ),
)
"""Captured responses routed by URL: the real hosts (incl. ``webapi.rednote.com``), the
simulator's ``/xiaohongshu`` prefix and the TikHub proxy's search route."""
