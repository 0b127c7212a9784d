"""Which platform parser handles a captured response, a saved body or a Zeeschuimer item.

The parsers live beside the live connectors (``connectors.<platform>.parse``) and each exports
``ENDPOINTS``: URL pattern -> parse function. The importer only ever goes through this module to
reach them, so a platform whose parser is missing (or fails to import) costs that platform
alone: it is listed in :attr:`Parsers.missing` with the reason and its traffic is counted as
skipped, while every other platform imports normally.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors.base import Endpoint
from tracker.errors import ParseError
from tracker.records import ParsedPage

log = logging.getLogger(__name__)

PARSER_PLATFORMS: tuple[str, ...] = (
    "weibo",
    "douyin",
    "kuaishou",
    "zhihu",
    "bilibili",
    "xiaohongshu",
    "tiktok",
)
"""Platforms whose responses are JSON bodies with a parser module (the article sites are HTML)."""

ParseFn = Callable[..., ParsedPage]


@dataclass(slots=True)
class Parsers:
    """The parser modules that could be imported, and why the others could not."""

    modules: dict[str, ModuleType] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def endpoints(self) -> tuple[Endpoint, ...]:
        out: list[Endpoint] = []
        for module in self.modules.values():
            out.extend(getattr(module, "ENDPOINTS", ()))
        return tuple(out)


@cache
def load_parsers() -> Parsers:
    """Import every platform's parser module once; a missing one is noted, not fatal."""
    parsers = Parsers()
    for platform in PARSER_PLATFORMS:
        name = f"connectors.{platform}.parse"
        try:
            parsers.modules[platform] = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name not in (name, f"connectors.{platform}"):
                raise
            parsers.missing[platform] = f"解析模块 {name} 尚不存在"
            log.warning("import: no parser for %s (%s missing)", platform, name)
        except ImportError as exc:  # a parser that is broken must not stop other platforms
            parsers.missing[platform] = f"解析模块 {name} 无法导入: {exc}"
            log.warning("import: parser for %s failed to import: %s", platform, exc)
    return parsers


def find_endpoint(url: str, platforms: Iterable[str] | None = None) -> Endpoint | None:
    """The first endpoint whose pattern matches ``url`` (optionally of ``platforms`` only)."""
    wanted = set(platforms) if platforms is not None else None
    for endpoint in load_parsers().endpoints:
        if wanted is not None and endpoint.platform not in wanted:
            continue
        if endpoint.matches(url):
            return endpoint
    return None


# --- calling a parser with what the URL tells ---------------------------------------------------------

_ZHIHU_DETAIL = re.compile(r"/api/v4/(?:answers|articles|zvideos)/(\d+)")
_ZHIHU_QUESTION = re.compile(r"/api/v4/questions/(\d+)/")


@cache
def _accepts(fn: ParseFn) -> frozenset[str]:
    try:
        return frozenset(inspect.signature(fn).parameters)
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return frozenset()


def url_hints(endpoint: Endpoint, url: str) -> dict[str, str]:
    """Keyword arguments a parser takes that only the request URL knows.

    A Weibo ``longtext``/``statuses/show`` body does not name its own post (the request's ``id``
    does, often as a base62 ``mblogid``); a Zhihu detail or question page is the same.
    """
    accepted = _accepts(endpoint.parse)
    hints: dict[str, str] = {}
    if endpoint.platform == "weibo" and "post_id" in accepted:
        raw = (parse_qs(urlsplit(url).query).get("id") or [""])[0]
        if raw:
            from tracker.imports.urls import WorkUrlError, mblogid_to_mid

            try:
                hints["post_id"] = raw if raw.isdigit() else mblogid_to_mid(raw)
            except WorkUrlError:
                pass
    elif endpoint.platform == "zhihu":
        m = _ZHIHU_DETAIL.search(url)
        if m and "post_id" in accepted:
            hints["post_id"] = m.group(1)
        m = _ZHIHU_QUESTION.search(url)
        if m and "question_id" in accepted:
            hints["question_id"] = m.group(1)
    return hints


def parse_captured(
    endpoint: Endpoint, body: Any, *, url: str, captured_at: datetime, source: str
) -> ParsedPage:
    """Run ``endpoint``'s parser on a captured body, passing what the URL tells."""
    return endpoint.parse(body, captured_at=captured_at, source=source, **url_hints(endpoint, url))


# --- saved bodies without a URL ------------------------------------------------------------------------


def _peel(body: Any) -> Any:
    """Remove HTTP-style proxy envelopes (``{"code": 200, "data": {...}}``) for detection only."""
    for _ in range(4):
        if (
            isinstance(body, Mapping)
            and body.get("code") in (200, "200")
            and isinstance(body.get("data"), Mapping)
        ):
            body = body["data"]
        else:
            break
    return body


def _data(body: Mapping[str, Any]) -> Any:
    return body.get("data")


def _items_look_like(items: Any, *keys: str) -> bool:
    if not isinstance(items, list):
        return False
    return any(isinstance(i, Mapping) and any(k in i for k in keys) for i in items[:20])


def _is_douyin(b: Mapping[str, Any]) -> bool:
    if any(k in b for k in ("aweme_list", "aweme_detail", "filter_detail", "aweme_id", "awemeId")):
        return True
    return "status_code" in b and (
        _items_look_like(_data(b), "aweme_info", "aweme_mix_info", "card_unique_name")
        or "search_nil_info" in b
    )


def _is_weibo(b: Mapping[str, Any]) -> bool:
    if "mblogid" in b or ("idstr" in b and "created_at" in b):
        return True
    data = _data(b)
    if "ok" not in b or not isinstance(data, Mapping):
        return False
    user = data.get("user")
    return any(k in data for k in ("cards", "cardlistInfo", "longTextContent", "userInfo")) or (
        isinstance(user, Mapping) and "screen_name" in user
    )


def _is_bilibili(b: Mapping[str, Any]) -> bool:
    if b.get("type") == "video" and ("bvid" in b or "arcurl" in b):
        return True
    data = _data(b)
    if not isinstance(data, Mapping):
        return False
    if "ttl" in b:
        return True
    return "bvid" in data or "View" in data or ("result" in data and "numResults" in data)


def _is_zhihu(b: Mapping[str, Any]) -> bool:
    if "paging" in b and isinstance(_data(b), list):
        return True
    return b.get("type") in ("answer", "article", "zvideo") and (
        "voteup_count" in b or "question" in b or "author" in b
    )


def _is_xiaohongshu(b: Mapping[str, Any]) -> bool:
    data = _data(b)
    if isinstance(data, Mapping) and _items_look_like(
        data.get("items"), "model_type", "note_card", "note"
    ):
        return True
    # A saved ``data`` member without its code/success/msg envelope ({cursor_score, items,
    # current_time} of web ``feed``): only ``note_card`` is Xiaohongshu's own word here, so a
    # bare list of items must carry it (``model_type``/``note`` alone are too generic).
    return "data" not in b and _items_look_like(b.get("items"), "note_card")


_KUAISHOU_REST = ("/rest/wd/", "/rest/zt/")
"""Kuaishou's h5 REST namespaces: a saved dict of responses keyed by these paths is Kuaishou's."""


def _is_kuaishou(b: Mapping[str, Any]) -> bool:
    data = _data(b)
    if isinstance(data, Mapping) and any(
        k in data for k in ("visionSearchPhoto", "visionProfile", "visionVideoDetail")
    ):
        return True
    photo = b.get("photo")
    if isinstance(photo, Mapping) and "photoId" in photo and "result" in b:
        return True  # h5 /rest/wd/ugH5App/photo/simple/info
    if any(isinstance(k, str) and k.startswith(_KUAISHOU_REST) for k in b):
        return True
    return "feeds" in b and "pcursor" in b


def _is_tiktok(b: Mapping[str, Any]) -> bool:
    return "itemList" in b or "item_list" in b or ("authorStats" in b and "stats" in b)


_DETECTORS: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "douyin": _is_douyin,
    "weibo": _is_weibo,
    "bilibili": _is_bilibili,
    "zhihu": _is_zhihu,
    "xiaohongshu": _is_xiaohongshu,
    "kuaishou": _is_kuaishou,
    "tiktok": _is_tiktok,
}

_ROUTER_HINT = re.compile(r"/(douyin|bilibili|xiaohongshu|kuaishou|weibo|zhihu|tiktok)/")


def detect_body_platform(body: Any) -> str | None:
    """The platform a saved response body comes from, when its shape says so unambiguously."""
    if isinstance(body, Mapping) and isinstance(body.get("router"), str):
        m = _ROUTER_HINT.search(body["router"])
        if m:
            return m.group(1)
    inner = _peel(body)
    if not isinstance(inner, Mapping):
        return None
    found = [p for p, test in _DETECTORS.items() if test(inner)]
    return found[0] if len(found) == 1 else None


def _weibo_saved(module: ModuleType) -> ParseFn:
    def parse(body: Any, *, captured_at: datetime, source: str) -> ParsedPage:
        inner = module.unwrap(body)
        data = inner.get("data") if isinstance(inner, Mapping) else None
        if isinstance(data, Mapping) and "longTextContent" in data:
            return module.parse_longtext(inner, captured_at=captured_at, source=source)
        if isinstance(data, Mapping) and "user" in data and "cards" not in data:
            return module.parse_profile_info(inner, captured_at=captured_at, source=source)
        if (
            "created_at" in inner
            or "mblogid" in inner
            or (isinstance(data, Mapping) and "created_at" in data)
        ):
            return module.parse_status_show(inner, captured_at=captured_at, source=source)
        return module.parse_get_index(inner, captured_at=captured_at, source=source)

    return parse


def _zhihu_saved(module: ModuleType) -> ParseFn:
    def parse(body: Any, *, captured_at: datetime, source: str) -> ParsedPage:
        inner = module.unwrap(body)
        if isinstance(inner.get("data"), list):
            return module.parse_feed(inner, captured_at=captured_at, source=source)
        return module.parse_detail(inner, captured_at=captured_at, source=source)

    return parse


def _xiaohongshu_saved(module: ModuleType) -> ParseFn:
    def parse(body: Any, *, captured_at: datetime, source: str) -> ParsedPage:
        return module.parse_search_notes(body, captured_at=captured_at, source=source)

    return parse


def _tiktok_saved(module: ModuleType) -> ParseFn:
    def parse(body: Any, *, captured_at: datetime, source: str) -> ParsedPage:
        if isinstance(body, Mapping) and "id" in body and "stats" in body:
            return module.parse_zeeschuimer_item(body, captured_at=captured_at, source=source)
        return module.parse_item_list(body, captured_at=captured_at, source=source)

    return parse


_SAVED_FALLBACKS: dict[str, Callable[[ModuleType], ParseFn]] = {
    "weibo": _weibo_saved,
    "zhihu": _zhihu_saved,
    "xiaohongshu": _xiaohongshu_saved,
    "tiktok": _tiktok_saved,
}


def saved_body_parser(platform: str) -> ParseFn:
    """The parser for a saved body of ``platform`` whose endpoint is unknown.

    A module's own ``parse_any`` (shape dispatch written by the parser's author) wins; otherwise
    the body's shape picks among the module's endpoint parsers here.
    """
    parsers = load_parsers()
    module = parsers.modules.get(platform)
    if module is None:
        reason = parsers.missing.get(platform, f"没有 {platform} 平台的解析模块")
        raise ParseError(reason, platform=platform)
    parse_any = getattr(module, "parse_any", None)
    if callable(parse_any):
        return parse_any
    fallback = _SAVED_FALLBACKS.get(platform)
    if fallback is None:
        raise ParseError(f"{platform}: 无法识别保存的响应体结构", platform=platform)
    return fallback(module)


# --- Zeeschuimer items ---------------------------------------------------------------------------------

ZEESCHUIMER_PLATFORMS: dict[str, str] = {
    "douyin.com": "douyin",
    "douyin": "douyin",
    "xiaohongshu.com": "xiaohongshu",
    "xiaohongshu": "xiaohongshu",
    "rednote.com": "xiaohongshu",
    "rednote": "xiaohongshu",
    "tiktok.com": "tiktok",
    "tiktok": "tiktok",
}
"""Zeeschuimer ``source_platform`` values (module domains) -> platform ids this tool stores."""


def zeeschuimer_platform(source_platform: Any) -> str | None:
    if not isinstance(source_platform, str):
        return None
    key = source_platform.strip().lower()
    key = key.removeprefix("www.")
    return ZEESCHUIMER_PLATFORMS.get(key)


def zeeschuimer_parser(platform: str, data: Any) -> ParseFn:
    """The parser for one Zeeschuimer item's ``data`` of ``platform``.

    Douyin items come in two shapes: captured XHR (snake_case ``aweme_id``) and awemes embedded
    in the page HTML (camelCase ``awemeId``, marked ``ZS_collected_from_embed``).
    """
    parsers = load_parsers()
    module = parsers.modules.get(platform)
    if module is None:
        raise ParseError(
            parsers.missing.get(platform, f"没有 {platform} 平台的解析模块"), platform=platform
        )
    if platform == "douyin":
        embedded = isinstance(data, Mapping) and (
            data.get("ZS_collected_from_embed") or ("awemeId" in data and "aweme_id" not in data)
        )
        return module.parse_embedded_aweme if embedded else module.parse_aweme_list_item
    fn = getattr(module, "parse_zeeschuimer_item", None)
    if fn is None:
        raise ParseError(f"{platform}: 解析模块没有 Zeeschuimer 条目解析函数", platform=platform)
    return fn
