"""Douyin response bodies -> records (pure functions, no I/O).

Every Douyin list wraps the same *aweme* object (``aweme_list[i]`` in the hashtag and user-post
lists, ``aweme_detail`` in detail, ``data[i].aweme_info`` in search), so one function reads it
(:func:`parse_aweme`) and the endpoint parsers only find the awemes and the paging fields.

Aweme fields: ``aweme_id`` (string), ``desc``, ``create_time`` (epoch **seconds**),
``statistics.digg_count/comment_count/share_count/collect_count/play_count``, ``author.uid``/
``sec_uid``/``nickname``, ``text_extra[].hashtag_name`` (no ``#``), ``cha_list[].cha_name``,
``video.duration`` (**milliseconds**, 0 for image notes), ``aweme_type`` 68 / ``media_type`` 2 for
image notes. Two values lie and are read as unknown, never as zero: ``statistics.play_count`` is
always 0 on the web, and ``author.follower_count`` is 0 inside lists (the real figure comes from
``user/profile/other``).

Items without ``create_time`` (2020 ``aweme/post`` lists, the Douyin_TikTok_Download_API
``/douyin_profile_videos/`` wrapper) are dated from the id (``aweme_id >> 32``, see
:mod:`connectors.douyin.ids`), with ``published_at_source="id"``.

Captured items come in two more shapes: Zeeschuimer keeps XHR items as the snake_case aweme
(:func:`parse_aweme_list_item`) and items embedded in the page HTML in camelCase (``awemeId``,
``createTime``, ``stats.diggCount``, ``authorInfo.secUid``; :func:`parse_embedded_aweme`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors._common import claimed_total, items_have_keys, opt_id, reject
from connectors.base import Endpoint
from connectors.douyin.ids import aweme_id_time
from tracker.errors import ConnectorError, ParseError
from tracker.normalize.counts import lower_bounded, parse_count
from tracker.normalize.tags import extract_hashtags, tag_key
from tracker.normalize.times import parse_time
from tracker.records import (
    AccountRecord,
    Metrics,
    ParsedPage,
    PostRecord,
    RecordError,
)

__all__ = [
    "BLOCK_NIL_TYPES",
    "ENDPOINTS",
    "PLATFORM",
    "Challenge",
    "account_url",
    "parse_any",
    "parse_aweme",
    "parse_aweme_detail",
    "parse_aweme_list",
    "parse_aweme_list_item",
    "parse_challenge_search",
    "parse_comments",
    "parse_embedded_aweme",
    "parse_general_search",
    "parse_user_profile",
    "post_url",
    "unwrap",
]

PLATFORM = "douyin"
IMAGE_AWEME_TYPES = frozenset({68})
IMAGE_MEDIA_TYPES = frozenset({2})
BLOCK_NIL_TYPES = frozenset(
    {"verify_check", "antispam_check", "hit_shark", "params_check", "invalid_app"}
)
"""``search_nil_info.search_nil_type`` values that mean "blocked", unlike ``no_result``."""

ORGANIZATION = "organization"
PERSONAL = "personal"

_ITEM_ERRORS = (ValueError, TypeError, KeyError, AttributeError, RecordError)


def post_url(aweme_id: str, *, image: bool = False) -> str:
    return f"https://www.douyin.com/{'note' if image else 'video'}/{aweme_id}"


def account_url(sec_uid: str) -> str:
    return f"https://www.douyin.com/user/{sec_uid}"


def unwrap(body: Any) -> Any:
    """Remove a third-party proxy envelope (``{"code": 200, "router": ..., "data": <body>}``).

    Douyin's own bodies carry ``status_code``; the proxy's carry ``code: 200`` and request ids.
    """
    while (
        isinstance(body, Mapping)
        and body.get("code") == 200
        and isinstance(body.get("data"), Mapping)
        and "status_code" not in body
        and ("router" in body or "request_id" in body or "status_code" in body["data"])
    ):
        body = body["data"]
    return body


# --- field helpers ----------------------------------------------------------------------------


def _id(value: Any, name: str) -> str:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{name} missing")
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(f"{name}: not a numeric id: {value!r}")
    return text


_opt_id = partial(opt_id, zero_is_none=True)
"""Douyin fills an id it lacks with ``0`` (e.g. a numeric ``author_user_id``), so ``0`` is absent."""


def _count(stats: Mapping[str, Any], name: str, *, zero_is_unknown: bool = False) -> int | None:
    try:
        value = parse_count(stats.get(name))
    except ValueError as exc:
        raise ValueError(f"statistics.{name}: {exc}") from None
    if zero_is_unknown and value == 0:
        return None
    return value


def _dedupe_tags(spellings: Iterable[Any]) -> list[str]:
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


def _verification(custom: Any, enterprise: Any) -> tuple[bool | None, str | None]:
    """Douyin's visible badge: an enterprise reason (blue V) or a personal one (yellow V).

    ``is_verified`` is true for nearly every account and says nothing, so it is not used.
    """
    if isinstance(enterprise, str) and enterprise.strip():
        return True, ORGANIZATION
    if isinstance(custom, str) and custom.strip():
        return True, PERSONAL
    if custom is None and enterprise is None:
        return None, None
    return False, None


@dataclass(frozen=True, slots=True)
class _Fields:
    """Where one item shape keeps each aweme field."""

    aweme_id: str
    create_time: str
    stats: str
    author: str
    author_uid: str
    sec_uid: str
    followers: str
    custom_verify: str
    enterprise_verify: str
    text_extra: str
    hashtag_name: str
    cha_list: str
    aweme_type: str
    media_type: str
    author_user_id: str
    digg: str
    comment: str
    share: str
    collect: str
    play: str


_SNAKE = _Fields(
    aweme_id="aweme_id",
    create_time="create_time",
    stats="statistics",
    author="author",
    author_uid="uid",
    sec_uid="sec_uid",
    followers="follower_count",
    custom_verify="custom_verify",
    enterprise_verify="enterprise_verify_reason",
    text_extra="text_extra",
    hashtag_name="hashtag_name",
    cha_list="cha_list",
    aweme_type="aweme_type",
    media_type="media_type",
    author_user_id="author_user_id",
    digg="digg_count",
    comment="comment_count",
    share="share_count",
    collect="collect_count",
    play="play_count",
)

_CAMEL = _Fields(
    aweme_id="awemeId",
    create_time="createTime",
    stats="stats",
    author="authorInfo",
    author_uid="uid",
    sec_uid="secUid",
    followers="followerCount",
    custom_verify="customVerify",
    enterprise_verify="enterpriseVerifyReason",
    text_extra="textExtra",
    hashtag_name="hashtagName",
    cha_list="chaList",
    aweme_type="awemeType",
    media_type="mediaType",
    author_user_id="authorUserId",
    digg="diggCount",
    comment="commentCount",
    share="shareCount",
    collect="collectCount",
    play="playCount",
)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _duration_s(aweme: Mapping[str, Any]) -> int | None:
    """Seconds from ``video.duration`` / ``duration`` (milliseconds); image notes have 0."""
    raw = _mapping(aweme.get("video")).get("duration")
    if raw in (None, 0, ""):
        raw = aweme.get("duration")
    if raw in (None, 0, ""):
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValueError(f"duration: bad value {raw!r}")
    ms = float(raw)
    if ms < 0:
        raise ValueError(f"duration: negative {raw!r}")
    return int(round(ms / 1000))


def _published(
    created: Any, aweme_id: str, captured_at: datetime
) -> tuple[datetime | None, str | None]:
    """The publish time and where it came from: ``create_time``, else the id (see module doc)."""
    if created not in (None, "", 0):
        return parse_time(created, now=captured_at), "field"
    derived = aweme_id_time(aweme_id, now=captured_at)
    return derived, ("id" if derived is not None else None)


def _parse_aweme(
    aweme: Mapping[str, Any],
    f: _Fields,
    *,
    captured_at: datetime,
    source: str,
    trust_list_followers: bool,
) -> ParsedPage:
    if not isinstance(aweme, Mapping):
        raise ValueError("aweme is not an object")
    aweme_id = _id(aweme.get(f.aweme_id), f.aweme_id)
    author = _mapping(aweme.get(f.author))
    uid = _opt_id(author.get(f.author_uid)) or _opt_id(aweme.get(f.author_user_id))
    sec_uid = author.get(f.sec_uid) if isinstance(author.get(f.sec_uid), str) else None
    stats = _mapping(aweme.get(f.stats))
    image = (
        aweme.get(f.aweme_type) in IMAGE_AWEME_TYPES or aweme.get(f.media_type) in IMAGE_MEDIA_TYPES
    )
    desc = aweme.get("desc")
    if desc is not None and not isinstance(desc, str):
        raise ValueError(f"desc: expected a string, got {type(desc).__name__}")
    text = desc.strip() if desc else None  # plain text as typed, never HTML
    title_raw = aweme.get("item_title") or aweme.get("itemTitle") or aweme.get("preview_title")
    title = title_raw.strip() if isinstance(title_raw, str) and title_raw.strip() else None
    structured = [
        t.get(f.hashtag_name)
        for t in aweme.get(f.text_extra) or []
        if isinstance(t, Mapping) and t.get(f.hashtag_name)
    ]
    challenges = [
        c.get("cha_name", c.get("chaName"))
        for c in aweme.get(f.cha_list) or []
        if isinstance(c, Mapping)
    ]
    hashtags = _dedupe_tags([*structured, *challenges, *extract_hashtags(text)])
    published, published_source = _published(aweme.get(f.create_time), aweme_id, captured_at)
    followers: int | None = None
    raw_followers = author.get(f.followers)
    if raw_followers is not None:
        followers = parse_count(raw_followers)
        if followers == 0 and not trust_list_followers:
            followers = None  # lists send 0 for everyone
    context: dict[str, str] = {}
    if sec_uid:
        context["sec_uid"] = sec_uid
    cids = [
        str(c.get("cid"))
        for c in aweme.get(f.cha_list) or []
        if isinstance(c, Mapping) and c.get("cid")
    ]
    if cids:
        context["cha_ids"] = ",".join(cids)
    status = _mapping(aweme.get("status"))
    post = PostRecord(
        platform=PLATFORM,
        platform_post_id=aweme_id,
        captured_at=captured_at,
        account_uid=uid,
        url=post_url(aweme_id, image=image),
        title=title,
        text=text or None,
        content_type="image" if image else "video",
        published_at=published,
        published_at_source=published_source,
        hashtags=hashtags,
        duration_s=None if image else _duration_s(aweme),
        metrics=Metrics(
            views=_count(stats, f.play, zero_is_unknown=True),
            likes=_count(stats, f.digg),
            comments=_count(stats, f.comment),
            shares=_count(stats, f.share),
            favorites=_count(stats, f.collect),
            lower_bounds=lower_bounded(  # numbers in the API; a display "1w+" is a floor
                views=stats.get(f.play),
                likes=stats.get(f.digg),
                comments=stats.get(f.comment),
                shares=stats.get(f.share),
                favorites=stats.get(f.collect),
            ),
        ),
        followers_at_capture=followers,
        source=source,
        deleted=bool(status.get("is_delete")),
        context=context,
    )
    page = ParsedPage(posts=[post])
    if uid is not None:
        name = author.get("nickname")
        verified, vtype = _verification(
            author.get(f.custom_verify), author.get(f.enterprise_verify)
        )
        page.accounts.append(
            AccountRecord(
                platform=PLATFORM,
                platform_uid=uid,
                name=name if isinstance(name, str) and name else None,
                url=account_url(sec_uid) if sec_uid else None,
                followers=followers,
                verified=verified,
                verify_type=vtype,
                seen_at=captured_at,
            )
        )
    return page


def parse_aweme(
    aweme: Mapping[str, Any], *, captured_at: datetime, source: str = "live"
) -> ParsedPage:
    """One snake_case aweme object -> post + author. Raises ValueError on a malformed item."""
    return _parse_aweme(
        aweme, _SNAKE, captured_at=captured_at, source=source, trust_list_followers=False
    )


def _item_page(parse: Callable[[], ParsedPage], item: Any, location: str) -> ParsedPage:
    try:
        return parse()
    except _ITEM_ERRORS as exc:
        return ParsedPage(rejects=[reject(PLATFORM, str(exc), item, location)])


def parse_aweme_list_item(
    item: Mapping[str, Any], *, captured_at: datetime, source: str = "capture"
) -> ParsedPage:
    """A captured XHR aweme (Zeeschuimer ``data``, snake_case); a bad item becomes a reject."""
    return _item_page(
        lambda: parse_aweme(item, captured_at=captured_at, source=source), item, "item"
    )


def parse_embedded_aweme(
    item: Mapping[str, Any], *, captured_at: datetime, source: str = "capture"
) -> ParsedPage:
    """An aweme embedded in the page HTML (camelCase: ``awemeId``, ``stats.diggCount``...).

    Live-stream cells (``cellRoom``) are not works and are rejected with that reason.
    """

    def parse() -> ParsedPage:
        if not isinstance(item, Mapping):
            raise ValueError("embedded aweme is not an object")
        room = item.get("cellRoom")
        if isinstance(room, Mapping) and room.get("rawdata"):
            raise ValueError("live-stream cell, not a work")
        return _parse_aweme(
            item, _CAMEL, captured_at=captured_at, source=source, trust_list_followers=False
        )

    return _item_page(parse, item, "item")


# --- endpoint bodies ---------------------------------------------------------------------------


def _body(body: Any, what: str) -> Mapping[str, Any]:
    """The body (envelope removed) when it carries data; a ``ParseError`` naming Douyin's own
    message when it is an error answer.

    The live client's classification (``signals.check_body``: empty body, non-zero
    ``status_code``, the gateway's ``{"ok": 0, "msg": …}``, a blocking ``search_nil_info``) is
    reused, not repeated, so a saved or captured body is refused exactly when the live answer
    would be. It raises ``ParseError`` here: an imported file is refused as a whole with the
    reason, whatever the live client would have done (retry, ask for a cookie).
    """
    # Imported here: signals imports this module (for BLOCK_NIL_TYPES).
    from connectors.douyin.signals import check_body

    body = unwrap(body)
    try:
        check_body(body)
    except ParseError as exc:
        raise ParseError(f"douyin {what}: {exc}", platform=PLATFORM) from None
    except ConnectorError as exc:  # blocked, login wall, throttled: still not data
        raise ParseError(
            f"douyin {what}: 平台返回错误而非数据（{type(exc).__name__}）: {exc}", platform=PLATFORM
        ) from None
    checked: Mapping[str, Any] = body  # check_body passed: a non-empty mapping
    return checked


def _has_more(body: Mapping[str, Any]) -> bool | None:
    value = body.get("has_more")
    if value is None:
        return None
    return bool(value) and value not in ("0", "false")


def _cursor(body: Mapping[str, Any], name: str = "cursor") -> str | None:
    value = body.get(name)
    if value is None or isinstance(value, bool):
        return None
    return str(value)


def parse_aweme_list(body: Any, *, captured_at: datetime, source: str = "live") -> ParsedPage:
    """``challenge/aweme`` or ``aweme/post``: ``aweme_list``, ``has_more``, ``cursor``/``max_cursor``."""
    data = _body(body, "aweme list")
    items = data.get("aweme_list")
    if items is None:
        if "has_more" not in data:
            raise ParseError("douyin aweme list: body has no aweme_list", platform=PLATFORM)
        items = []
    if not isinstance(items, list):
        raise ParseError("douyin aweme list: aweme_list is not a list", platform=PLATFORM)
    page = ParsedPage()
    for i, item in enumerate(items):
        page.extend(
            _item_page(
                partial(parse_aweme, item, captured_at=captured_at, source=source),
                item,
                f"aweme_list[{i}]",
            )
        )
    page.has_more = _has_more(data)
    page.cursor = _cursor(data) or _cursor(data, "max_cursor")
    page.claimed_total = claimed_total(data.get("total"))
    return page


def parse_general_search(body: Any, *, captured_at: datetime, source: str = "live") -> ParsedPage:
    """General/video search: ``data[]`` cards holding ``aweme_info`` or a mix's ``mix_items``.

    Cards without a work (related searches, wiki cards) are skipped: they are not malformed.
    An empty ``data`` with a blocking ``search_nil_info`` raises instead of reading as "nothing".
    """
    data = _body(body, "search")
    cards = data.get("data")
    if cards is None:
        cards = []
    if not isinstance(cards, list):
        raise ParseError("douyin search: data is not a list", platform=PLATFORM)
    page = ParsedPage()
    for i, card in enumerate(cards):
        if not isinstance(card, Mapping):
            page.rejects.append(
                reject(PLATFORM, "search card is not an object", card, f"data[{i}]")
            )
            continue
        awemes: list[tuple[Any, str]] = []
        if card.get("aweme_info") is not None:
            awemes.append((card["aweme_info"], f"data[{i}].aweme_info"))
        mix = _mapping(card.get("aweme_mix_info")).get("mix_items")
        if isinstance(mix, list):
            awemes.extend(
                (m, f"data[{i}].aweme_mix_info.mix_items[{j}]") for j, m in enumerate(mix)
            )
        for aweme, location in awemes:
            page.extend(
                _item_page(
                    partial(parse_aweme, aweme, captured_at=captured_at, source=source),
                    aweme,
                    location,
                )
            )
    page.has_more = _has_more(data)
    page.cursor = _cursor(data)
    return page


def parse_aweme_detail(body: Any, *, captured_at: datetime, source: str = "live") -> ParsedPage:
    """``aweme/detail``: the work, or a deleted marker when Douyin answers ``filter_detail``."""
    data = _body(body, "detail")
    aweme = data.get("aweme_detail")
    if isinstance(aweme, Mapping):
        return _item_page(
            lambda: parse_aweme(aweme, captured_at=captured_at, source=source),
            aweme,
            "aweme_detail",
        )
    gone = _mapping(data.get("filter_detail"))
    if gone.get("aweme_id"):
        post = PostRecord(
            platform=PLATFORM,
            platform_post_id=_id(gone["aweme_id"], "filter_detail.aweme_id"),
            captured_at=captured_at,
            source=source,
            deleted=True,
        )
        return ParsedPage(posts=[post])
    raise ParseError("douyin detail: neither aweme_detail nor filter_detail", platform=PLATFORM)


def parse_user_profile(body: Any, *, captured_at: datetime, source: str = "live") -> ParsedPage:
    """``user/profile/other``: the account with its real follower count."""
    data = _body(body, "profile")
    user = data.get("user")
    if not isinstance(user, Mapping):
        raise ParseError("douyin profile: body has no user object", platform=PLATFORM)

    def parse() -> ParsedPage:
        uid = _id(user.get("uid"), "user.uid")
        sec_uid = user.get("sec_uid") if isinstance(user.get("sec_uid"), str) else None
        raw = user.get("follower_count")
        if raw is None:
            raw = user.get("mplatform_followers_count")
        verified, vtype = _verification(
            user.get("custom_verify"), user.get("enterprise_verify_reason")
        )
        name = user.get("nickname")
        return ParsedPage(
            accounts=[
                AccountRecord(
                    platform=PLATFORM,
                    platform_uid=uid,
                    name=name if isinstance(name, str) and name else None,
                    url=account_url(sec_uid) if sec_uid else None,
                    followers=parse_count(raw),
                    verified=verified,
                    verify_type=vtype,
                    seen_at=captured_at,
                )
            ]
        )

    return _item_page(parse, user, "user")


@dataclass(frozen=True, slots=True)
class Challenge:
    """A hashtag (challenge) as ``challenge/search`` lists it."""

    cid: str
    name: str
    view_count: int | None
    user_count: int | None


def parse_challenge_search(body: Any) -> tuple[list[Challenge], bool, str | None]:
    """``challenge/search``: the challenges (``challenge_list[].challenge_info``), has_more, cursor."""
    data = _body(body, "challenge search")
    items = data.get("challenge_list")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ParseError("douyin challenge search: challenge_list is not a list", platform=PLATFORM)
    out: list[Challenge] = []
    for entry in items:
        info = _mapping(_mapping(entry).get("challenge_info"))
        cid, name = _opt_id(info.get("cid")), info.get("cha_name")
        if cid is None or not isinstance(name, str) or not name:
            continue
        try:
            views = parse_count(info.get("view_count"))
            users = parse_count(info.get("user_count"))
        except ValueError:
            views = users = None
        out.append(Challenge(cid=cid, name=name, view_count=views, user_count=users))
    return out, bool(_has_more(data)), _cursor(data)


def looks_like(body: Mapping[str, Any]) -> bool:
    """Whether a saved body (proxy envelopes removed) has the shape of a Douyin response."""
    if any(
        k in body for k in ("aweme_list", "aweme_detail", "filter_detail", "aweme_id", "awemeId")
    ):
        return True
    return "status_code" in body and (
        items_have_keys(body.get("data"), "aweme_info", "aweme_mix_info", "card_unique_name")
        or items_have_keys(body.get("comments"), "cid")
        or "search_nil_info" in body
    )


def parse_zeeschuimer_item(
    item: Mapping[str, Any], *, captured_at: datetime, source: str = "capture"
) -> ParsedPage:
    """One Zeeschuimer ``douyin.com`` item (the envelope's ``data``), in either of its shapes.

    Captured XHR awemes are snake_case (``aweme_id``); awemes embedded in the page HTML are
    camelCase (``awemeId``) and marked ``ZS_collected_from_embed``.
    """
    embedded = isinstance(item, Mapping) and bool(
        item.get("ZS_collected_from_embed") or ("awemeId" in item and "aweme_id" not in item)
    )
    parse = parse_embedded_aweme if embedded else parse_aweme_list_item
    return parse(item, captured_at=captured_at, source=source)


def parse_any(body: Any, *, captured_at: datetime, source: str = "import") -> ParsedPage:
    """Parse a saved Douyin body of any known shape (list, search, detail, profile, comments,
    one aweme)."""
    inner = unwrap(body)
    if isinstance(inner, Mapping):
        if "aweme_list" in inner:
            return parse_aweme_list(inner, captured_at=captured_at, source=source)
        if "aweme_detail" in inner or "filter_detail" in inner:
            return parse_aweme_detail(inner, captured_at=captured_at, source=source)
        if isinstance(inner.get("user"), Mapping) and "status_code" in inner:
            return parse_user_profile(inner, captured_at=captured_at, source=source)
        if isinstance(inner.get("data"), list) or "search_nil_info" in inner:
            return parse_general_search(inner, captured_at=captured_at, source=source)
        if "comments" in inner and "status_code" in inner:
            return parse_comments(inner, captured_at=captured_at, source=source)
        if "aweme_id" in inner:
            return parse_aweme_list_item(inner, captured_at=captured_at, source=source)
        if "awemeId" in inner:
            return parse_embedded_aweme(inner, captured_at=captured_at, source=source)
        _body(inner, "response")  # an error answer says so, with Douyin's message
    raise ParseError("douyin: not a known response shape", platform=PLATFORM)


def parse_comments(
    body: Any,
    *,
    captured_at: datetime,
    source: str = "live",
    post_id: str | None = None,
    root_comment_id: str | None = None,
) -> ParsedPage:
    """A comment or reply page (:mod:`connectors.douyin.comments`, imported when used: it
    builds on this module)."""
    from connectors.douyin.comments import parse_comments as parse

    return parse(
        body,
        captured_at=captured_at,
        source=source,
        post_id=post_id,
        root_comment_id=root_comment_id,
    )


def hints_from_url(url: str) -> dict[str, str]:
    """The work (``aweme_id``, or ``item_id`` on reply pages) and the replied comment
    (``comment_id``) of a comment request: an empty page names neither."""
    query = parse_qs(urlsplit(url).query)
    hints: dict[str, str] = {}
    for key, hint in (
        ("aweme_id", "post_id"),
        ("item_id", "post_id"),
        ("comment_id", "root_comment_id"),
    ):
        value = (query.get(key) or [""])[0].strip()
        if value.isdigit() and hint not in hints:
            hints[hint] = value
    return hints


def _endpoint(name: str, pattern: str, fn: Callable[..., ParsedPage]) -> Endpoint:
    return Endpoint(platform=PLATFORM, name=name, url_pattern=re.compile(pattern), parse=fn)


ENDPOINTS: tuple[Endpoint, ...] = (
    _endpoint("challenge_aweme", r"/aweme/v1/web/challenge/aweme/?(?:\?|$)", parse_aweme_list),
    _endpoint("user_posts", r"/aweme/v1/web/aweme/post/?(?:\?|$)", parse_aweme_list),
    _endpoint("aweme_detail", r"/aweme/v1/web/aweme/detail/?(?:\?|$)", parse_aweme_detail),
    _endpoint("user_profile", r"/aweme/v1/web/user/profile/other/?(?:\?|$)", parse_user_profile),
    _endpoint(
        "general_search",
        r"/aweme/v\d+/(?:web/)?(?:general/search/(?:single|stream)|search/item)/?(?:\?|$)",
        parse_general_search,
    ),
    _endpoint("comments", r"/aweme/v1/web/comment/list/?(?:\?|$)", parse_comments),
    _endpoint("comment_replies", r"/aweme/v1/web/comment/list/reply/?(?:\?|$)", parse_comments),
)
"""URL routes for captured responses (``www.douyin.com`` and the simulator's ``/douyin``)."""
