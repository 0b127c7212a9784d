"""Bilibili response bodies -> records (pure functions, no I/O).

Shapes handled (field paths from the public API docs and real captured bodies):

- ``x/web-interface/wbi/search/type?search_type=video`` (and the old unsigned ``search/type``):
  ``data.result[]`` video items with ``bvid``/``aid``, ``title`` carrying
  ``<em class="keyword">`` highlights, ``pubdate`` (epoch s), ``duration`` as ``"M:SS"`` where the
  minutes may exceed 59, counts ``play``/``like``/``review``/``favorites`` and a comma-separated
  ``tag`` string. No follower count and no share count: those only come from the detail call.
- ``x/web-interface/view`` (``data`` is the video) and ``view/detail`` (``data.View``, the uploader
  card ``data.Card`` with ``card.fans``, and ``data.Tags[]``).
- A third-party proxy envelope ``{"code": 200, "router": ..., "data": <Bilibili body>}``, removed
  by :func:`unwrap` so saved proxy responses import like the platform's own.

The work's id is its ``bvid`` (``BV…``): the id in public URLs. Items that only carry ``aid`` are
converted (``connectors.bilibili.ids``) so every door lands on the same key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors._common import claimed_total, reject
from connectors.base import Endpoint
from connectors.bilibili.ids import aid_to_bvid, is_bvid
from tracker.errors import ParseError
from tracker.normalize.counts import parse_count
from tracker.normalize.tags import extract_hashtags, tag_key
from tracker.normalize.text import clean_text
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
    "account_url",
    "parse_any",
    "parse_comments",
    "parse_duration",
    "parse_search_item",
    "parse_search_type",
    "parse_view",
    "parse_zeeschuimer_item",
    "unwrap",
    "video_url",
]

PLATFORM = "bilibili"

NOT_FOUND_CODES: frozenset[int] = frozenset({-404, 62002, 62004, 62012})
"""``view`` codes meaning the work is gone or hidden: deleted, invisible, under review, owner-only."""

ORGANIZATION = "organization"
PERSONAL = "personal"

_ITEM_ERRORS = (ValueError, TypeError, KeyError, AttributeError, RecordError)


def video_url(bvid: str) -> str:
    return f"https://www.bilibili.com/video/{bvid}"


def account_url(mid: str) -> str:
    return f"https://space.bilibili.com/{mid}"


def unwrap(body: Any) -> Any:
    """Remove a third-party proxy envelope (HTTP-style ``code: 200`` around the platform body).

    Bilibili's own bodies use ``code: 0``; a proxy adds ``router``/``request_id`` and puts the
    platform body, with its own ``code``, under ``data``.
    """
    while (
        isinstance(body, Mapping)
        and body.get("code") == 200
        and isinstance(body.get("data"), Mapping)
        and ("router" in body or "request_id" in body or "code" in body["data"])
    ):
        body = body["data"]
    return body


_DURATION_RE = re.compile(r"^\s*(?:(\d+):)?(\d+):(\d{1,2})\s*$")


def parse_duration(value: str | int | float | None) -> int | None:
    """Seconds from a search ``"M:SS"``/``"H:MM:SS"`` string or a view's integer seconds.

    Search writes ``"4:2"`` for 4 min 2 s and lets minutes run past 59 (``"14150:36"``), so the
    first field is not read as hours unless there are three.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"bad duration {value!r}")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError(f"negative duration {value!r}")
        if value == float("inf"):  # json.loads accepts Infinity; int() of it is OverflowError
            raise ValueError(f"bad duration {value!r}")
        return int(value)
    if isinstance(value, str):
        if value.strip().isdigit():
            return int(value.strip())
        m = _DURATION_RE.match(value)
        if m:
            hours, minutes, seconds = m.groups()
            return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    raise ValueError(f"bad duration {value!r}")


def _dedupe_tags(spellings: Iterable[object]) -> list[str]:
    """Raw spellings, first one kept per tag key, empty ones dropped."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in spellings:
        if not isinstance(raw, str) or not raw.strip():
            continue
        key = tag_key(raw)
        if key and key not in seen:
            seen.add(key)
            out.append(raw.strip())
    return out


def _plain(value: Any) -> str | None:
    """A plain-text field (descriptions, ``view`` titles): kept as written, outer space trimmed.

    Only search titles carry markup; running a description through an HTML stripper would eat
    text such as ``a <b> c`` that the author typed.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return value.strip() or None


def _uid(value: Any) -> str | None:
    """Account ids as strings; 0/empty means "not given"."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not text or text == "0":
        return None
    if not text.isdigit():
        raise ValueError(f"bad mid {value!r}")
    return text


def _bvid_of(item: Mapping[str, Any]) -> str:
    bvid = item.get("bvid")
    if isinstance(bvid, str) and bvid:
        if not is_bvid(bvid):
            raise ValueError(f"bad bvid {bvid!r}")
        return bvid
    aid = item.get("aid", item.get("id"))
    if isinstance(aid, str) and aid.isdigit():
        aid = int(aid)
    if isinstance(aid, int) and not isinstance(aid, bool) and aid > 0:
        return aid_to_bvid(aid)
    raise ValueError("item has neither bvid nor aid")


def _time(value: Any, captured_at: datetime) -> datetime | None:
    if value in (None, "", 0):
        return None
    return parse_time(value, now=captured_at)


def _count(item: Mapping[str, Any], name: str) -> int | None:
    try:
        return parse_count(item.get(name))
    except ValueError as exc:
        raise ValueError(f"field {name}: {exc}") from None


def _body_data(body: Any, what: str) -> Mapping[str, Any]:
    body = unwrap(body)
    if not isinstance(body, Mapping):
        raise ParseError(f"bilibili {what}: body is not a JSON object", platform=PLATFORM)
    data = body.get("data")
    if isinstance(data, Mapping) and data.get("v_voucher"):
        raise ParseError(
            f"bilibili {what}: risk-control block (data.v_voucher), not results", platform=PLATFORM
        )
    code = body.get("code")
    if code not in (0, None):
        raise ParseError(
            f"bilibili {what}: platform error code {code} ({body.get('message')!r})",
            platform=PLATFORM,
        )
    if not isinstance(data, Mapping):
        raise ParseError(f"bilibili {what}: body has no data object", platform=PLATFORM)
    return data


# --- search ---------------------------------------------------------------------------------


def parse_search_item(
    item: Mapping[str, Any], *, captured_at: datetime, source: str = "live"
) -> ParsedPage:
    """One ``data.result[]`` video item -> post + author (no followers in search results)."""
    if not isinstance(item, Mapping):
        raise ValueError("search result item is not an object")
    kind = item.get("type", "video")
    if kind != "video":
        raise ValueError(f"unsupported search result type {kind!r}")
    bvid = _bvid_of(item)
    mid = _uid(item.get("mid"))
    title = clean_text(item.get("title")) if item.get("title") is not None else None
    text = _plain(item.get("description"))
    tag_field = item.get("tag") or ""
    if not isinstance(tag_field, str):
        raise ValueError(f"field tag: expected a comma-separated string, got {tag_field!r}")
    tags = [t for t in re.split(r"[,，]", tag_field) if t.strip()]
    hashtags = _dedupe_tags([*tags, *extract_hashtags(text), *extract_hashtags(title)])
    post = PostRecord(
        platform=PLATFORM,
        platform_post_id=bvid,
        captured_at=captured_at,
        account_uid=mid,
        url=video_url(bvid),
        title=title,
        text=text,
        content_type="video",
        published_at=_time(item.get("pubdate"), captured_at),
        hashtags=hashtags,
        duration_s=parse_duration(item.get("duration")),
        metrics=Metrics(
            views=_count(item, "play"),
            likes=_count(item, "like"),
            comments=_count(item, "review"),
            shares=None,
            favorites=_count(item, "favorites"),
        ),
        source=source,
        context={"aid": str(item["aid"])} if item.get("aid") else {},
    )
    page = ParsedPage(posts=[post])
    if mid is not None:
        name = item.get("author")
        page.accounts.append(
            AccountRecord(
                platform=PLATFORM,
                platform_uid=mid,
                name=name if isinstance(name, str) and name else None,
                url=account_url(mid),
                seen_at=captured_at,
            )
        )
    return page


def parse_search_type(body: Any, *, captured_at: datetime, source: str = "live") -> ParsedPage:
    """A ``search/type`` (video) page. ``claimed_total`` is ``numResults`` (capped at 1000 by
    the platform); ``cursor`` is the next page number while ``page < numPages``."""
    data = _body_data(body, "search")
    results = data.get("result")
    if results is None:
        results = []
    if not isinstance(results, list):
        raise ParseError("bilibili search: data.result is not a list", platform=PLATFORM)
    page = ParsedPage()
    for i, item in enumerate(results):
        try:
            page.extend(parse_search_item(item, captured_at=captured_at, source=source))
        except _ITEM_ERRORS as exc:
            page.rejects.append(reject(PLATFORM, str(exc), item, f"data.result[{i}]"))
    page.claimed_total = claimed_total(data.get("numResults"))
    number = _int_or_none(data.get("page"))
    pages = _int_or_none(data.get("numPages"))
    if number is not None and pages is not None:
        page.has_more = bool(results) and number < pages
        page.cursor = str(number + 1) if page.has_more else None
    return page


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


# --- view / view/detail -----------------------------------------------------------------------


def _official(info: Any) -> tuple[bool | None, str | None]:
    """(verified, verify_type) from an ``Official``/``official_verify`` object.

    ``type`` -1 is "not verified", 0 a personal verification, 1 an organisation.
    """
    if not isinstance(info, Mapping) or "type" not in info:
        return None, None
    kind = info.get("type")
    if kind == 1:
        return True, ORGANIZATION
    if kind == 0:
        return True, PERSONAL
    return False, None


def _owner_card(
    view: Mapping[str, Any], detail: Mapping[str, Any], mid: str | None
) -> tuple[int | None, bool | None, str | None]:
    """Followers and verification of the uploader: ``Card`` (view/detail), else ``staff[]``."""
    card = detail.get("Card")
    if isinstance(card, Mapping):
        inner = card["card"] if isinstance(card.get("card"), Mapping) else {}
        followers = parse_count(inner.get("fans", card.get("follower")))
        verified, vtype = _official(inner.get("Official"))
        if verified is None:
            verified, vtype = _official(inner.get("official_verify"))
        return followers, verified, vtype
    for member in view.get("staff") or []:
        if isinstance(member, Mapping) and _uid(member.get("mid")) == mid:
            verified, vtype = _official(member.get("official"))
            return parse_count(member.get("follower")), verified, vtype
    return None, None, None


def parse_view(body: Any, *, captured_at: datetime, source: str = "live") -> ParsedPage:
    """A ``view`` or ``view/detail`` body -> the work with full stats, and its uploader.

    Only the detail shape (``Card``) or a cooperation ``staff[]`` list carries the follower count.
    """
    data = _body_data(body, "view")
    view = data["View"] if isinstance(data.get("View"), Mapping) else data
    try:
        return _parse_view(view, data, captured_at=captured_at, source=source)
    except _ITEM_ERRORS as exc:
        return ParsedPage(
            rejects=[reject(PLATFORM, str(exc), view, "data.View" if view is not data else "data")]
        )


def _parse_view(
    view: Mapping[str, Any], detail: Mapping[str, Any], *, captured_at: datetime, source: str
) -> ParsedPage:
    bvid = _bvid_of(view)
    owner = view["owner"] if isinstance(view.get("owner"), Mapping) else {}
    mid = _uid(owner.get("mid"))
    stat = view["stat"] if isinstance(view.get("stat"), Mapping) else {}
    followers, verified, vtype = _owner_card(view, detail, mid)
    text = _plain(view.get("desc"))
    title = _plain(view.get("title"))
    tags = [t.get("tag_name") for t in detail.get("Tags") or [] if isinstance(t, Mapping)]
    dynamic = view.get("dynamic") if isinstance(view.get("dynamic"), str) else None
    hashtags = _dedupe_tags(
        [*tags, *extract_hashtags(text), *extract_hashtags(dynamic), *extract_hashtags(title)]
    )
    post = PostRecord(
        platform=PLATFORM,
        platform_post_id=bvid,
        captured_at=captured_at,
        account_uid=mid,
        url=video_url(bvid),
        title=title,
        text=text,
        content_type="video",
        published_at=_time(view.get("pubdate"), captured_at),
        hashtags=hashtags,
        duration_s=parse_duration(view.get("duration")),
        metrics=Metrics(
            views=_count(stat, "view"),
            likes=_count(stat, "like"),
            comments=_count(stat, "reply"),
            shares=_count(stat, "share"),
            favorites=_count(stat, "favorite"),
        ),
        followers_at_capture=followers,
        source=source,
        context={"aid": str(view["aid"])} if view.get("aid") else {},
    )
    page = ParsedPage(posts=[post])
    if mid is not None:
        name = owner.get("name")
        page.accounts.append(
            AccountRecord(
                platform=PLATFORM,
                platform_uid=mid,
                name=name if isinstance(name, str) and name else None,
                url=account_url(mid),
                followers=followers,
                verified=verified,
                verify_type=vtype,
                seen_at=captured_at,
            )
        )
    return page


# --- captured items ------------------------------------------------------------------------------


def parse_zeeschuimer_item(
    item: Mapping[str, Any], *, captured_at: datetime, source: str = "capture"
) -> ParsedPage:
    """One item a browser-capture tool kept from a Bilibili page.

    Search results keep the search item shape; feed and channel cards (``data.item[]``,
    ``data.archives[]``) are video objects like ``view``'s (``bvid``, ``owner``, ``stat``,
    ``pubdate``, integer ``duration``). Live-room cards are not works and are rejected.
    """
    try:
        if not isinstance(item, Mapping):
            raise ValueError("captured item is not an object")
        if item.get("type") == "video" or "arcurl" in item:
            return parse_search_item(item, captured_at=captured_at, source=source)
        if "roomid" in item and "bvid" not in item:
            raise ValueError("live-room card, not a work")
        if "owner" in item and ("bvid" in item or "aid" in item):
            return _parse_view(item, {}, captured_at=captured_at, source=source)
        raise ValueError("not a Bilibili video item")
    except _ITEM_ERRORS as exc:
        return ParsedPage(rejects=[reject(PLATFORM, str(exc), item, "item")])


# --- dispatch for saved bodies ------------------------------------------------------------------


def looks_like(body: Mapping[str, Any]) -> bool:
    """Whether a saved body (proxy envelopes removed) has the shape of a Bilibili response."""
    if body.get("type") == "video" and ("bvid" in body or "arcurl" in body):
        return True
    data = body.get("data")
    if not isinstance(data, Mapping):
        return False
    if "ttl" in body:
        return True
    return "bvid" in data or "View" in data or ("result" in data and "numResults" in data)


def parse_any(body: Any, *, captured_at: datetime, source: str = "import") -> ParsedPage:
    """Parse a saved Bilibili body of any known shape (search page, view, single search item,
    comment or reply page)."""
    inner = unwrap(body)
    if isinstance(inner, Mapping):
        data = inner.get("data")
        if isinstance(data, Mapping) and ("result" in data or "numResults" in data):
            return parse_search_type(inner, captured_at=captured_at, source=source)
        if isinstance(data, Mapping) and ("View" in data or "stat" in data):
            return parse_view(inner, captured_at=captured_at, source=source)
        if isinstance(data, Mapping) and ("replies" in data or "top_replies" in data):
            return parse_comments(inner, captured_at=captured_at, source=source)
        if inner.get("type") == "video" and ("bvid" in inner or "aid" in inner):
            try:
                return parse_search_item(inner, captured_at=captured_at, source=source)
            except _ITEM_ERRORS as exc:
                return ParsedPage(rejects=[reject(PLATFORM, str(exc), inner, "item")])
        if "code" in inner:
            _body_data(inner, "response")  # raises the precise error for blocks and error codes
    raise ParseError("bilibili: not a known response shape", platform=PLATFORM)


def parse_comments(
    body: Any, *, captured_at: datetime, source: str = "live", post_id: str | None = None
) -> ParsedPage:
    """A comment or reply page (:mod:`connectors.bilibili.comments`, imported when used: it
    builds on this module)."""
    from connectors.bilibili.comments import parse_comments as parse

    return parse(body, captured_at=captured_at, source=source, post_id=post_id)


def hints_from_url(url: str) -> dict[str, str]:
    """``post_id`` of a video's comment request (``type=1``): its ``oid`` is the aid."""
    query = parse_qs(urlsplit(url).query)
    oid = (query.get("oid") or [""])[0]
    kind = (query.get("type") or ["1"])[0]
    if kind != "1" or not oid.isdigit() or int(oid) <= 0:
        return {}
    try:
        return {"post_id": aid_to_bvid(int(oid))}
    except ValueError:
        return {}


def _endpoint(name: str, pattern: str, fn: Callable[..., ParsedPage]) -> Endpoint:
    return Endpoint(platform=PLATFORM, name=name, url_pattern=re.compile(pattern), parse=fn)


ENDPOINTS: tuple[Endpoint, ...] = (
    _endpoint("search_type", r"/x/web-interface/(?:wbi/)?search/type(?:\?|$)", parse_search_type),
    _endpoint("view_detail", r"/x/web-interface/(?:wbi/)?view/detail(?:\?|$)", parse_view),
    _endpoint("view", r"/x/web-interface/(?:wbi/)?view(?:\?|$)", parse_view),
    _endpoint("comments", r"/x/v2/reply(?:/wbi)?(?:/main)?/?(?:\?|$)", parse_comments),
    _endpoint("comment_replies", r"/x/v2/reply/reply/?(?:\?|$)", parse_comments),
)
"""URL routes for captured responses (``api.bilibili.com`` and the simulator's ``/bilibili``)."""
