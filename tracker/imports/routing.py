"""Which platform parser handles a captured response, a saved body or a Zeeschuimer item.

The parsers live beside the live connectors (the module a platform's spec names as ``parser``,
:mod:`connectors.catalogue`) and each exports ``ENDPOINTS``: URL pattern -> parse function, and
optionally ``looks_like`` (saved-body detection), ``parse_any`` (a saved body whose endpoint is
unknown), ``parse_zeeschuimer_item``, ``hints_from_url`` and ``hints_from_request_body``. The
importer only ever goes through this module to reach them and never names a platform, so a
platform whose parser is missing (or fails to import) costs that platform alone: it is listed in
:attr:`Parsers.missing` with the reason and its traffic is counted as skipped, while every other
platform imports normally.
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

from connectors import catalogue
from connectors.base import Endpoint
from tracker.errors import ParseError
from tracker.records import ParsedPage

log = logging.getLogger(__name__)

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
    for platform in catalogue.parser_platforms():
        name = catalogue.spec(platform).parser or ""
        try:
            parsers.modules[platform] = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name not in (name, name.rpartition(".")[0]):
                raise
            parsers.missing[platform] = f"解析模块 {name} 尚不存在"
            log.warning("import: no parser for %s (%s missing)", platform, name)
        except ImportError as exc:  # a parser that is broken must not stop other platforms
            parsers.missing[platform] = f"解析模块 {name} 无法导入: {exc}"
            log.warning("import: parser for %s failed to import: %s", platform, exc)
    return parsers


catalogue.on_reset(load_parsers.cache_clear)


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


@cache
def _accepts(fn: ParseFn) -> frozenset[str]:
    try:
        return frozenset(inspect.signature(fn).parameters)
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return frozenset()


def url_hints(endpoint: Endpoint, url: str, request_body: str | None = None) -> dict[str, str]:
    """Keyword arguments a parser takes that only the request knows.

    Some bodies do not name their own post (the request does): the platform module's
    ``hints_from_url`` reads them from the URL, and ``hints_from_request_body`` from a POST's
    body (GraphQL variables); only those the parser accepts are passed.
    """
    module = load_parsers().modules.get(endpoint.platform)
    hints: dict[str, str] = {}
    read: Callable[[str], dict[str, str]] | None = getattr(module, "hints_from_url", None)
    if read is not None:
        hints.update(read(url))
    read_body: Callable[[str], dict[str, str]] | None = getattr(
        module, "hints_from_request_body", None
    )
    if read_body is not None and request_body:
        for key, value in read_body(request_body).items():
            hints.setdefault(key, value)
    if not hints:
        return {}
    accepted = _accepts(endpoint.parse)
    return {k: v for k, v in hints.items() if k in accepted}


def parse_captured(
    endpoint: Endpoint,
    body: Any,
    *,
    url: str,
    captured_at: datetime,
    source: str,
    request_body: str | None = None,
) -> ParsedPage:
    """Run ``endpoint``'s parser on a captured body, passing what the request tells."""
    hints = url_hints(endpoint, url, request_body)
    return endpoint.parse(body, captured_at=captured_at, source=source, **hints)


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


@cache
def _router_hint() -> re.Pattern[str]:
    """A proxy's ``router`` path naming a parser platform (``/api/v1/douyin/web/...``)."""
    ids = "|".join(re.escape(p) for p in catalogue.parser_platforms())
    return re.compile(rf"/({ids})/")


catalogue.on_reset(_router_hint.cache_clear)


def detect_body_platform(body: Any) -> str | None:
    """The platform a saved response body comes from, when its shape says so unambiguously."""
    if isinstance(body, Mapping) and isinstance(body.get("router"), str):
        m = _router_hint().search(body["router"])
        if m:
            return m.group(1)
    inner = _peel(body)
    if not isinstance(inner, Mapping):
        return None
    found = [
        platform
        for platform, module in load_parsers().modules.items()
        if callable(test := getattr(module, "looks_like", None)) and test(inner)
    ]
    return found[0] if len(found) == 1 else None


def saved_body_parser(platform: str) -> ParseFn:
    """The parser for a saved body of ``platform`` whose endpoint is unknown: the module's
    ``parse_any`` (shape dispatch written by the parser's author)."""
    parsers = load_parsers()
    module = parsers.modules.get(platform)
    if module is None:
        reason = parsers.missing.get(platform, f"没有 {platform} 平台的解析模块")
        raise ParseError(reason, platform=platform)
    parse_any: ParseFn | None = getattr(module, "parse_any", None)
    if parse_any is None:
        raise ParseError(f"{platform}: 无法识别保存的响应体结构", platform=platform)
    return parse_any


# --- Zeeschuimer items ---------------------------------------------------------------------------------


@cache
def zeeschuimer_platforms() -> dict[str, str]:
    """Zeeschuimer ``source_platform`` values (module domains) -> platform ids this tool stores."""
    return {
        name.lower(): platform
        for platform, spec in catalogue.specs().items()
        for name in spec.capture_names
    }


catalogue.on_reset(zeeschuimer_platforms.cache_clear)


def zeeschuimer_platform(source_platform: Any) -> str | None:
    if not isinstance(source_platform, str):
        return None
    key = source_platform.strip().lower()
    key = key.removeprefix("www.")
    return zeeschuimer_platforms().get(key)


def zeeschuimer_parser(platform: str) -> ParseFn:
    """The parser for one Zeeschuimer item's ``data`` of ``platform``."""
    parsers = load_parsers()
    module = parsers.modules.get(platform)
    if module is None:
        raise ParseError(
            parsers.missing.get(platform, f"没有 {platform} 平台的解析模块"), platform=platform
        )
    fn: ParseFn | None = getattr(module, "parse_zeeschuimer_item", None)
    if fn is None:
        raise ParseError(f"{platform}: 解析模块没有 Zeeschuimer 条目解析函数", platform=platform)
    return fn
