"""Kuaishou (快手) response bodies -> records. Pure functions: no I/O, no clock.

Shapes read here (field paths from public crawler code, checked on the real bodies in the tests:
``visionVideoDetail``, two h5 share pages and a ``visionCommentList`` page; no real search or
profile body is public, so every optional field is read defensively and a missing one becomes
``None``):

- signed REST search ``/rest/v/search/feed``: ``{result, pcursor, feeds[], searchSessionId}``;
- GraphQL ``/graphql``, one URL for every operation, told apart by the key under ``data``:
  ``visionSearchPhoto`` (same ``feeds[]``/``pcursor`` as REST), ``visionProfile`` (follower count
  ``ownerCount.fan`` as a display string such as ``"169.8w"``) and ``visionVideoDetail``.

``feeds[i]`` is ``{type, author{id, name, headerUrl}, photo{id, caption, originCaption, timestamp
(ms), duration (ms), realLikeCount (int), likeCount (str), viewCount (str), commentCount}, tags[]}``.
Kuaishou exposes no share or favourite count in search, so those metrics stay ``None``.

The h5 share page's REST call ``/rest/wd/ugH5App/photo/simple/info`` (a real 2023 body in the
tests) is richer: ``{result, counts{fanCount}, photo{photoId (numeric), share_info
("userId=<eid>&photoId=<web id>"), userEid, userName, caption, timestamp (ms), duration (ms),
likeCount, commentCount, viewCount, shareCount (ints), photoType}}``. The work is keyed by the
web photo id from ``share_info`` (the ``photo.id`` every other door uses, also the media
``clientCacheKey``), the author by ``userEid``; the numeric id is kept in ``context``. Saved h5
bodies come as a dict of responses keyed by request path (:func:`parse_any`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import parse_qs

from connectors._common import add_item, merge_tags, opt_id, payload_json, reject, unique_accounts
from connectors.base import Endpoint
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
    "H5_PHOTO_INFO",
    "NO_MORE",
    "PLATFORM",
    "RESULT_MEANINGS",
    "parse_any",
    "parse_comments",
    "parse_graphql",
    "parse_h5_photo_info",
    "parse_search_feed",
    "parse_vision_profile",
    "parse_vision_search_photo",
    "parse_vision_video_detail",
    "post_url",
    "profile_url",
    "result_code",
    "unwrap",
]

PLATFORM = "kuaishou"
NO_MORE = "no_more"
"""The ``pcursor`` value that ends a result list."""

RESULT_MEANINGS: dict[int, str] = {
    1: "ok",
    2: "rate limited",
    50: "unsigned request or signature rejected",
    109: "login required",
    2001: "antispam captcha",
}
"""Kuaishou ``result`` codes and what they mean (1/2/50 from public crawler code; 109 assumed;
2001 ``[2001] antispam need captcha`` seen in public bug reports)."""


def post_url(photo_id: str) -> str:
    return f"https://www.kuaishou.com/short-video/{photo_id}"


def profile_url(user_id: str) -> str:
    return f"https://www.kuaishou.com/profile/{user_id}"


def result_code(container: Mapping[str, Any]) -> int | None:
    """The ``result`` field as an int, or ``None`` when absent or not a number."""
    value = container.get("result")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _describe(code: int | None) -> str:
    return RESULT_MEANINGS.get(code, "unknown") if code is not None else "no result code"


def unwrap(body: Any) -> dict[str, Any]:
    """Drop a third-party proxy envelope such as TikHub's ``{"code": 200, "data": {...}}``.

    A Kuaishou body never has a numeric ``code`` beside ``data`` (GraphQL has ``data`` alone, REST
    has ``result``), so that pair marks an envelope; envelopes may nest.
    """
    if not isinstance(body, dict):
        raise ParseError(
            f"kuaishou: expected a JSON object, got {type(body).__name__}", platform=PLATFORM
        )
    obj: dict[str, Any] = body
    while (
        isinstance(obj.get("data"), dict)
        and isinstance(obj.get("code"), int)
        and "result" not in obj
        and "errors" not in obj
    ):
        obj = obj["data"]
    return obj


def _duration_s(ms: Any) -> int | None:
    if ms is None or ms == "":
        return None
    if isinstance(ms, bool):
        raise ValueError(f"duration: not a number {ms!r}")
    try:
        value = int(ms)
    except OverflowError:  # float("inf"): json.loads accepts Infinity
        raise ValueError(f"duration: not a finite number {ms!r}") from None
    if value < 0:
        raise ValueError(f"duration: negative {ms!r}")
    return (value + 500) // 1000


def _likes(photo: Mapping[str, Any]) -> int | None:
    # realLikeCount is exact; likeCount is the display string ("1.2w") and only a fallback.
    real = photo.get("realLikeCount")
    if real is not None and not isinstance(real, bool):
        return parse_count(real)
    return parse_count(photo.get("likeCount"))


def _floors(photo: Mapping[str, Any]) -> frozenset[str]:
    """The counts shown only as a floor ("1w+", "10w+"); likes only when ``_likes`` fell back
    to the display string (``realLikeCount`` is exact)."""
    real = photo.get("realLikeCount")
    display_likes = photo.get("likeCount") if real is None or isinstance(real, bool) else None
    return lower_bounded(
        views=photo.get("viewCount"),
        likes=display_likes,
        comments=photo.get("commentCount"),
        shares=photo.get("shareCount"),
    )


def _account(author: Mapping[str, Any], captured_at: datetime) -> AccountRecord | None:
    uid = opt_id(author.get("id"))
    if uid is None:
        return None
    return AccountRecord(
        platform=PLATFORM,
        platform_uid=uid,
        name=author.get("name") or None,
        url=profile_url(uid),
        seen_at=captured_at,
    )


def _feed_records(
    item: Any, *, captured_at: datetime, source: str
) -> tuple[PostRecord, AccountRecord | None]:
    """One ``feeds[i]`` (or ``visionVideoDetail``) object -> post and author.

    Raises ``ValueError`` (or ``TypeError``) with a reason when the item is unusable.
    """
    if not isinstance(item, dict):
        raise ValueError(f"feed item is not an object ({type(item).__name__})")
    photo = item.get("photo")
    if not isinstance(photo, dict):
        raise ValueError(f"feed item has no photo object (type={item.get('type')!r})")
    photo_id = opt_id(photo.get("id"))
    if photo_id is None:
        raise ValueError("photo.id missing")
    author = item["author"] if isinstance(item.get("author"), dict) else {}
    account = _account(author, captured_at)
    caption = photo.get("originCaption") or photo.get("caption")
    text = (strip_html(caption) or None) if isinstance(caption, str) else None
    stamp = photo.get("timestamp")
    published = parse_time(stamp, now=captured_at) if stamp not in (None, "", 0) else None
    raw_tags = item.get("tags") or photo.get("tags") or []
    structured = [t.get("name") for t in raw_tags if isinstance(t, dict) and t.get("name")]
    post = PostRecord(
        platform=PLATFORM,
        platform_post_id=photo_id,
        captured_at=captured_at,
        account_uid=account.platform_uid if account else None,
        url=post_url(photo_id),
        title=None,
        text=text,
        content_type="video",
        published_at=published,
        hashtags=merge_tags(structured, text),
        duration_s=_duration_s(photo.get("duration")),
        metrics=Metrics(
            views=parse_count(photo.get("viewCount")),
            likes=_likes(photo),
            comments=parse_count(photo.get("commentCount")),
            lower_bounds=_floors(photo),
        ),
        source=source,
    )
    return post, account


def _feeds_page(
    container: Mapping[str, Any], *, where: str, captured_at: datetime, source: str
) -> ParsedPage:
    feeds = container.get("feeds")
    code = result_code(container)
    if feeds is None and code not in (None, 1):
        raise ParseError(
            f"kuaishou {where}: result={code} ({_describe(code)}), no feeds", platform=PLATFORM
        )
    if feeds is None:
        feeds = []
    if not isinstance(feeds, list):
        raise ParseError(f"kuaishou {where}: feeds is not a list", platform=PLATFORM)
    page = ParsedPage()
    read = partial(_feed_records, captured_at=captured_at, source=source)
    for index, item in enumerate(feeds):
        add_item(page, read, item, PLATFORM, f"kuaishou {where} feeds[{index}]", f"feeds[{index}]")
    page.accounts = unique_accounts(page.accounts, keep="first")
    pcursor = container.get("pcursor")
    pcursor = str(pcursor) if pcursor not in (None, "") else None
    page.cursor = pcursor
    page.has_more = bool(feeds) and pcursor is not None and pcursor != NO_MORE
    return page


def parse_search_feed(
    body: dict[str, Any], *, captured_at: datetime, source: str = "live"
) -> ParsedPage:
    """REST ``/rest/v/search/feed``: ``{result, pcursor, feeds[], searchSessionId}``."""
    inner = unwrap(body)
    if "feeds" not in inner and "result" not in inner:
        if isinstance(inner.get("data"), dict):
            # A GraphQL body saved under the REST name still parses.
            return parse_graphql(inner, captured_at=captured_at, source=source)
        raise ParseError(
            f"kuaishou search feed: no 'feeds' or 'result' (keys: {sorted(inner)[:8]})",
            platform=PLATFORM,
        )
    return _feeds_page(inner, where="search feed", captured_at=captured_at, source=source)


def _no_data(inner: Mapping[str, Any], where: str) -> ParseError:
    """A GraphQL body without ``data``: quote the start of its ``errors``, which say why."""
    errors = inner.get("errors")
    return ParseError(
        f"{where}: no data object" + (f" (errors: {payload_json(errors)[:200]})" if errors else ""),
        platform=PLATFORM,
    )


def _operation(body: Any, name: str) -> Mapping[str, Any] | None:
    inner = unwrap(body)
    data = inner.get("data")
    if not isinstance(data, dict):
        raise _no_data(inner, f"kuaishou graphql {name}")
    if name not in data:
        raise ParseError(f"kuaishou graphql: no {name} under data", platform=PLATFORM)
    value = data[name]
    if value is not None and not isinstance(value, dict):
        raise ParseError(f"kuaishou graphql {name}: not an object", platform=PLATFORM)
    return value


def parse_vision_search_photo(
    body: dict[str, Any], *, captured_at: datetime, source: str = "live"
) -> ParsedPage:
    """GraphQL ``visionSearchPhoto``: ``data.visionSearchPhoto{result, feeds[], pcursor}``."""
    container = _operation(body, "visionSearchPhoto")
    if container is None:
        raise ParseError("kuaishou graphql visionSearchPhoto is null", platform=PLATFORM)
    return _feeds_page(container, where="visionSearchPhoto", captured_at=captured_at, source=source)


def parse_vision_profile(
    body: dict[str, Any], *, captured_at: datetime, source: str = "live"
) -> ParsedPage:
    """GraphQL ``visionProfile``: the author's follower count (``ownerCount.fan``, "169.8w")."""
    container = _operation(body, "visionProfile")
    page = ParsedPage()
    if container is None:
        return page
    code = result_code(container)
    profile_block = container.get("userProfile")
    if code not in (None, 1) and not profile_block:
        raise ParseError(
            f"kuaishou visionProfile: result={code} ({_describe(code)})", platform=PLATFORM
        )
    if not isinstance(profile_block, dict):
        return page  # unknown or closed account: nothing to record
    profile = profile_block["profile"] if isinstance(profile_block.get("profile"), dict) else {}
    counts = profile_block.get("ownerCount")
    counts = counts if isinstance(counts, dict) else {}
    uid = opt_id(profile.get("user_id"))
    if uid is None:
        page.rejects.append(
            reject(
                PLATFORM,
                "kuaishou visionProfile: profile.user_id missing",
                container,
                "visionProfile",
            )
        )
        return page
    try:
        followers = parse_count(counts.get("fan"))
    except ValueError as exc:
        page.rejects.append(
            reject(
                PLATFORM,
                f"kuaishou visionProfile: {exc}",
                container,
                "visionProfile.userProfile.ownerCount.fan",
            )
        )
        followers = None
    try:
        account = AccountRecord(
            platform=PLATFORM,
            platform_uid=uid,
            name=profile.get("user_name") or None,
            url=profile_url(uid),
            followers=followers,
            seen_at=captured_at,
        )
    except RecordError as exc:
        page.rejects.append(
            reject(
                PLATFORM,
                f"kuaishou visionProfile: {exc}",
                container,
                "visionProfile.userProfile.profile",
            )
        )
        return page
    page.accounts.append(account)
    return page


def parse_vision_video_detail(
    body: dict[str, Any], *, captured_at: datetime, source: str = "live"
) -> ParsedPage:
    """GraphQL ``visionVideoDetail``: one work; ``photo: null`` means deleted or hidden."""
    container = _operation(body, "visionVideoDetail")
    page = ParsedPage()
    if container is None or container.get("photo") is None:
        return page
    read = partial(_feed_records, captured_at=captured_at, source=source)
    add_item(page, read, container, PLATFORM, "kuaishou visionVideoDetail", "visionVideoDetail")
    return page


def parse_comments(
    body: Any,
    *,
    captured_at: datetime,
    source: str = "live",
    post_id: str | None = None,
    root_comment_id: str | None = None,
) -> ParsedPage:
    """A ``visionCommentList``/``visionSubCommentList`` body (:mod:`connectors.kuaishou.comments`,
    imported when used: it builds on this module)."""
    from connectors.kuaishou.comments import parse_comments as parse

    return parse(
        body,
        captured_at=captured_at,
        source=source,
        post_id=post_id,
        root_comment_id=root_comment_id,
    )


def hints_from_request_body(text: str) -> dict[str, str]:
    """The comment operations' ``photoId``/``rootCommentId`` from a GraphQL request body."""
    from connectors.kuaishou.comments import hints_from_request_body as read

    return read(text)


_GRAPHQL_OPERATIONS = {
    "visionSearchPhoto": parse_vision_search_photo,
    "visionProfile": parse_vision_profile,
    "visionVideoDetail": parse_vision_video_detail,
}
_COMMENT_OPERATIONS = ("visionCommentList", "visionSubCommentList")


def parse_graphql(
    body: dict[str, Any],
    *,
    captured_at: datetime,
    source: str = "live",
    post_id: str | None = None,
    root_comment_id: str | None = None,
) -> ParsedPage:
    """Any ``/graphql`` body: dispatch on the operation name under ``data``.

    Every operation shares one URL, so a captured response can only be routed by its content.
    ``post_id``/``root_comment_id`` (the request's ``photoId``/``rootCommentId``) reach the
    comment operations, whose bodies name neither.
    """
    inner = unwrap(body)
    data = inner.get("data")
    if isinstance(data, dict):
        for name, parse in _GRAPHQL_OPERATIONS.items():
            if name in data:
                return parse(inner, captured_at=captured_at, source=source)
        if any(name in data for name in _COMMENT_OPERATIONS):
            return parse_comments(
                inner,
                captured_at=captured_at,
                source=source,
                post_id=post_id,
                root_comment_id=root_comment_id,
            )
        raise ParseError(
            f"kuaishou graphql: unknown operation (data keys: {sorted(data)[:8]})",
            platform=PLATFORM,
        )
    raise _no_data(inner, "kuaishou graphql")


# --- h5 REST --------------------------------------------------------------------------------

H5_PHOTO_INFO = "/rest/wd/ugH5App/photo/simple/info"
"""The h5 share page's call for one work (see the module doc)."""

_H5_CONTENT_TYPES = {"VIDEO": "video"}


def _share_ids(share_info: Any) -> dict[str, str]:
    """``share_info`` ("userId=3xuw…&photoId=3xbu…") as a dict; the web ids of author and work."""
    if not isinstance(share_info, str):
        return {}
    return {k: v[0] for k, v in parse_qs(share_info).items() if v and v[0].strip()}


def _h5_content_type(photo: Mapping[str, Any]) -> str | None:
    if photo.get("singlePicture") is True:
        return "image"
    kind = photo.get("photoType")
    return _H5_CONTENT_TYPES.get(kind) if isinstance(kind, str) else None


def _h5_records(
    body: Mapping[str, Any], *, captured_at: datetime, source: str
) -> tuple[PostRecord, AccountRecord | None]:
    """The work and its author from an h5 ``photo/simple/info`` body; ``ValueError`` if unusable."""
    photo = body.get("photo")
    if not isinstance(photo, dict):
        raise ValueError("no photo object")
    shared = _share_ids(photo.get("share_info"))
    numeric_id = opt_id(photo.get("photoId"))
    photo_id = shared.get("photoId") or numeric_id
    if photo_id is None:
        raise ValueError("photo.photoId missing")
    uid = opt_id(photo.get("userEid")) or shared.get("userId") or opt_id(photo.get("userId"))
    counts = body["counts"] if isinstance(body.get("counts"), dict) else {}
    followers = parse_count(counts.get("fanCount"))
    caption = photo.get("caption")
    text = (strip_html(caption) or None) if isinstance(caption, str) else None
    stamp = photo.get("timestamp")
    post = PostRecord(
        platform=PLATFORM,
        platform_post_id=photo_id,
        captured_at=captured_at,
        account_uid=uid,
        url=post_url(photo_id),
        text=text,
        content_type=_h5_content_type(photo),
        published_at=parse_time(stamp, now=captured_at) if stamp not in (None, "", 0) else None,
        hashtags=merge_tags([], text),
        duration_s=_duration_s(photo.get("duration")),
        metrics=Metrics(
            views=parse_count(photo.get("viewCount")),
            likes=_likes(photo),
            comments=parse_count(photo.get("commentCount")),
            shares=parse_count(photo.get("shareCount")),
            lower_bounds=_floors(photo),
        ),
        followers_at_capture=followers,
        source=source,
        context={"photo_id": numeric_id} if numeric_id and numeric_id != photo_id else {},
    )
    account = None
    if uid is not None:
        name = photo.get("userName")
        account = AccountRecord(
            platform=PLATFORM,
            platform_uid=uid,
            name=name if isinstance(name, str) and name else None,
            url=profile_url(uid),
            followers=followers,
            seen_at=captured_at,
        )
    return post, account


def parse_h5_photo_info(
    body: dict[str, Any], *, captured_at: datetime, source: str = "live"
) -> ParsedPage:
    """``/rest/wd/ugH5App/photo/simple/info``: one work with all four counts and its author."""
    inner = unwrap(body)
    code = result_code(inner)
    if code not in (None, 1):
        raise ParseError(
            f"kuaishou h5 photo/simple/info: result={code} ({_describe(code)})", platform=PLATFORM
        )
    page = ParsedPage()
    read = partial(_h5_records, captured_at=captured_at, source=source)
    add_item(page, read, inner, PLATFORM, "kuaishou h5 photo/simple/info", "photo")
    return page


# --- saved bodies ---------------------------------------------------------------------------

_BY_PATH = {
    H5_PHOTO_INFO: parse_h5_photo_info,
    "/graphql": parse_graphql,
    "/rest/v/search/feed": parse_search_feed,
}
"""Request paths whose responses hold works, for a saved dict of responses keyed by path."""

_READ_SHAPES = "GraphQL data, search feeds, h5 photo/simple/info"


def _keyed_by_path(body: Mapping[str, Any]) -> bool:
    """``{"/rest/zt/share/w/web": {...}, "/rest/wd/…": {...}}``: responses saved by their path."""
    return bool(body) and all(
        isinstance(k, str) and k.startswith("/") and isinstance(v, dict) for k, v in body.items()
    )


def _parse_by_path(body: Mapping[str, Any], *, captured_at: datetime, source: str) -> ParsedPage:
    """Each response whose path holds works; the others (share tokens...) hold none."""
    page = ParsedPage()
    known = 0
    for path, response in body.items():
        parse = _BY_PATH.get(path.split("?", 1)[0].rstrip("/"))
        if parse is not None:
            known += 1
            page.extend(parse(response, captured_at=captured_at, source=source))
    if not known:
        raise ParseError(
            f"kuaishou: saved responses keyed by request path ({', '.join(sorted(body))}) hold "
            f"none the tracker reads (it reads {', '.join(_BY_PATH)})",
            platform=PLATFORM,
        )
    return page


_REST_NAMESPACES = ("/rest/wd/", "/rest/zt/")
"""Kuaishou's h5 REST namespaces: a saved dict of responses keyed by these paths is Kuaishou's."""


def looks_like(body: Mapping[str, Any]) -> bool:
    """Whether a saved body (proxy envelopes removed) has the shape of a Kuaishou response."""
    data = body.get("data")
    if isinstance(data, Mapping) and any(
        k in data for k in ("visionSearchPhoto", "visionProfile", "visionVideoDetail")
    ):
        return True
    photo = body.get("photo")
    if isinstance(photo, Mapping) and "photoId" in photo and "result" in body:
        return True  # h5 /rest/wd/ugH5App/photo/simple/info
    if any(isinstance(k, str) and k.startswith(_REST_NAMESPACES) for k in body):
        return True
    return "feeds" in body and "pcursor" in body


def parse_any(body: Any, *, captured_at: datetime, source: str = "import") -> ParsedPage:
    """A saved Kuaishou body of any shape read here, told apart by its keys.

    A body of none of these shapes is refused with its keys, never read as "no works".
    """
    inner = unwrap(body)
    if _keyed_by_path(inner):
        return _parse_by_path(inner, captured_at=captured_at, source=source)
    if isinstance(inner.get("photo"), dict) and "photoId" in inner["photo"]:
        return parse_h5_photo_info(inner, captured_at=captured_at, source=source)
    if "feeds" in inner and "data" not in inner:
        return parse_search_feed(inner, captured_at=captured_at, source=source)
    if "data" in inner or "errors" in inner:
        return parse_graphql(inner, captured_at=captured_at, source=source)
    raise ParseError(
        f"kuaishou: not a response shape the tracker reads ({_READ_SHAPES}); "
        f"keys: {sorted(inner)[:8]}",
        platform=PLATFORM,
    )


_HOST = r"(?:kuaishou\.com|/kuaishou)"
_H5_HOST = r"(?:kuaishou\.com|gifshow\.com|chenzhongtech\.com|/kuaishou)"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        PLATFORM,
        "search_feed",
        re.compile(_HOST + r"/rest/v/search/feed/?(?:[?#]|$)"),
        parse_search_feed,
    ),
    Endpoint(PLATFORM, "graphql", re.compile(_HOST + r"/graphql/?(?:[?#]|$)"), parse_graphql),
    Endpoint(
        PLATFORM,
        "h5_photo_info",
        re.compile(_H5_HOST + r"/rest/wd/ugH5App/photo/simple/info/?(?:[?#]|$)"),
        parse_h5_photo_info,
    ),
)
"""Captured responses routed by URL: the real hosts (h5 pages also on ``gifshow.com`` and
``chenzhongtech.com``) and the simulator's ``/kuaishou`` prefix."""
