"""A work's URL -> (platform, post id), dispatched by host to the platform's own resolver.

Units paste links in every form a platform has ever shown: desktop and mobile pages, share
pages, app share text around the link (``【标题】 https://v.douyin.com/iRNBho2A/ 复制此链接…``),
``&amp;`` left over from HTML, missing schemes. :func:`parse_work_url` cleans the text, finds
the platform whose hosts the link is on (:mod:`connectors.catalogue`) and lets that platform's
``urls.work_ref`` read the id the parsers store, so a submitted work and the same work from a
live run or a capture are one post. Short links (``v.douyin.com``, ``b23.tv``, ``t.cn``…) name
no id; :class:`UrlResolver` follows them through the shared HTTP layer when the caller allows
network access, and otherwise says so in the reject reason.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache
from types import ModuleType
from typing import Protocol

from connectors import catalogue
from connectors.spec import PlatformSpec
from connectors.workref import ShortLinkError, WorkRef, WorkUrlError, host_of
from tracker.errors import ConnectorError

__all__ = [
    "ShortLinkError",
    "UrlResolver",
    "WorkRef",
    "WorkUrlError",
    "extract_url",
    "parse_work_url",
    "platform_of_host",
    "short_link_platform",
]

# --- cleaning ------------------------------------------------------------------------------------

_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'，。！？；、）】》「」]+", re.IGNORECASE)
_BARE_HOST = re.compile(
    r"(?:^|(?<=[\s:：【（(]))((?:[a-z0-9-]+\.)+(?:com|cn|tv|net)(?:/[^\s<>\"'，。！？；、）】》]*)?)",
    re.IGNORECASE,
)
_FULLWIDTH = str.maketrans({"：": ":", "／": "/", "？": "?", "＝": "=", "＆": "&", "．": "."})


def extract_url(text: str | None) -> str | None:
    """The first link in a spreadsheet cell (share text around it, no scheme, ``&amp;``...)."""
    if text is None:
        return None
    cleaned = html.unescape(str(text)).translate(_FULLWIDTH).strip()
    if not cleaned:
        return None
    m = _URL_IN_TEXT.search(cleaned)
    if m:
        return m.group(0).rstrip(".,;)")
    m = _BARE_HOST.search(cleaned)
    if m:
        return "https://" + m.group(1).rstrip(".,;)")
    return None


# --- dispatch ------------------------------------------------------------------------------------

GENERIC_SHORT_HOSTS = frozenset({"t.cn", "url.cn"})
"""Shorteners any platform's links go through: the platform is known only after following."""


@cache
def _resolver_module(platform: str) -> ModuleType:
    spec = catalogue.spec(platform)
    if spec.resolve_url is None:
        raise WorkUrlError(f"{spec.name_zh}的链接无法识别（该平台没有链接解析）")
    module: ModuleType = spec.load(spec.resolve_url.partition(":")[0])
    return module


catalogue.on_reset(_resolver_module.cache_clear)


def _spec_of(host: str) -> PlatformSpec | None:
    """The platform whose short-link hosts (exactly) or page hosts (as suffixes) ``host`` is on."""
    bare = host.removeprefix("www.")
    for spec in catalogue.specs().values():
        if bare in spec.short_hosts:
            return spec
    owner = catalogue.platform_of_host(host)
    return catalogue.get(owner) if owner else None


def short_link_platform(url: str) -> tuple[bool, str | None]:
    """(is it a short link, the platform it belongs to when the host says so).

    A platform's ``urls`` module may define ``is_short_link(url)`` for links that a host alone
    does not settle (a short host whose path already names the work, a share path on the
    platform's own domain); otherwise a link on one of its ``short_hosts`` is short.
    """
    host = host_of(url)
    if host.removeprefix("www.") in GENERIC_SHORT_HOSTS:
        return True, None
    spec = _spec_of(host)
    if spec is None or spec.resolve_url is None:
        return False, None
    test: Callable[[str], bool] | None = getattr(_resolver_module(spec.id), "is_short_link", None)
    short = test(url) if test is not None else host.removeprefix("www.") in spec.short_hosts
    return (True, spec.id) if short else (False, None)


def platform_of_host(url: str) -> str | None:
    """The platform a URL's host belongs to, or None."""
    return catalogue.platform_of_host(host_of(url))


def parse_work_url(text: str) -> WorkRef:
    """The work a link names. Raises :class:`WorkUrlError` (or :class:`ShortLinkError`)."""
    url = extract_url(text)
    if url is None:
        raise WorkUrlError(f"不是链接: {str(text).strip()[:80]!r}")
    try:
        host = host_of(url)
    except ValueError as exc:
        raise WorkUrlError(f"链接格式错误: {url[:80]!r}") from exc
    if not host:
        raise WorkUrlError(f"链接没有域名: {url[:80]!r}")
    short, platform = short_link_platform(url)
    if short:
        raise ShortLinkError(f"短链接需要联网解析: {url}", platform=platform, url=url)
    spec = _spec_of(host)
    if spec is None or spec.resolve_url is None:
        raise WorkUrlError(f"不支持的平台域名 {host!r}")
    work_ref: Callable[[str], WorkRef] = spec.load(spec.resolve_url)
    return work_ref(url)


class RedirectClient(Protocol):
    """What following a short link needs (``tracker.http.HttpClient`` provides it)."""

    def resolve_redirect(self, url: str) -> str: ...


class UrlResolver:
    """:func:`parse_work_url` plus following short links when a client is given.

    ``client_for(platform)`` returns the HTTP client to follow a link with (``platform`` is None
    for generic shorteners such as ``t.cn``); without it a short link stays a
    :class:`ShortLinkError`, so an import never touches the network unless asked to.
    """

    def __init__(self, client_for: Callable[[str | None], RedirectClient] | None = None) -> None:
        self.client_for = client_for
        self.followed = 0

    def resolve(self, text: str) -> WorkRef:
        try:
            return parse_work_url(text)
        except ShortLinkError as exc:
            if self.client_for is None:
                raise
            try:
                final = self.client_for(exc.platform).resolve_redirect(exc.url)
            except ConnectorError as err:
                raise WorkUrlError(f"短链接无法打开: {exc.url}: {err}") from err
            self.followed += 1
            short, _ = short_link_platform(final)
            if short:
                raise WorkUrlError(f"短链接没有跳转到作品页: {exc.url}") from None
            return parse_work_url(final)
