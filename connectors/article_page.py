"""Reading article pages: the facts (title, author, time) and the HTML collector every site uses.

The article sites (科普中国, 腾讯新闻, 学习强国) have no open API and reach the tracker as URLs
units submit. Each site's package reads its own page shape with the tools here
(``connectors.<site>.parse:parse_page``), in order of reliability:

- 腾讯新闻 (``news.qq.com/rain/a/<ID>``): the page embeds ``window.DATA = {...}`` with
  ``title``, ``media`` (the 企鹅号 account), ``media_id`` and ``pubtime``; the markup repeats them
  (``h1``, ``.media-name``, ``.time``);
- 学习强国: the rendered page (``.render-detail-title`` / ``-resource`` / ``-time``) and the
  JSONP data file it is built from (``callback({"title", "source", "publish_time"…})``),
  also embedded as ``window.__DETAIL__``;
- 科普中国 (TRS CMS static pages): ``h1``, ``p.tips span`` (作者：… 来源：… 发布时间：…) and the
  CMS ``<meta name="ArticleTitle|author|PubDate">`` tags.

Generic ``og:title`` / ``author`` / ``article:published_time`` metadata is the last resort. No
engagement counts exist on these pages; a site with no account id (科普中国, 学习强国) is
attributed by the byline, which is then the account's id on that site. Pure: HTML in, facts
out (``html.parser`` only; no new dependency).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

from tracker.normalize.times import parse_time

__all__ = [
    "ArticleInfo",
    "PageCollector",
    "clean",
    "collect_page",
    "generic_info",
    "json_after",
    "jsonp",
    "labelled",
    "page_time",
]

_WATCHED = {
    "tips",
    "media-name",
    "time",
    "render-detail-title",
    "render-detail-resource",
    "render-detail-time",
    "author",
    "source",
    "date",
    "pubtime",
    "article-time",
}
_VOID = {"meta", "br", "img", "link", "input", "hr", "source", "wbr", "col", "area", "base"}
_TIME_RE = re.compile(r"(\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)")
_LABEL_RE = {
    "author": re.compile(r"(?:作者|编辑|责任编辑)\s*[:：]\s*([^\s|｜]+)"),
    "source": re.compile(r"(?:来源|出处)\s*[:：]\s*([^\s|｜]+)"),
}


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """What an article page says about itself; ``None`` where it does not say."""

    title: str | None
    author: str | None
    published_at: datetime | None
    account_uid: str | None = None
    text: str | None = None


class PageCollector(HTMLParser):
    """Collects meta tags, title, the first h1, scripts and the text of watched classes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self.h1: list[str] = []
        self.h1_done = False
        self.scripts: list[str] = []
        self.classes: dict[str, list[str]] = {}
        self._stack: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("name") or a.get("property") or a.get("itemprop") or "").lower()
            if key and "content" in a and key not in self.meta:
                self.meta[key] = a["content"].strip()
            return
        watched = tuple(c for c in a.get("class", "").split() if c in _WATCHED)
        for _, classes in self._stack:
            for c in classes:
                self.classes[c].append("\n")  # separate child elements (p.tips > span)
        for c in watched:
            self.classes.setdefault(c, [])
        if tag in _VOID:
            return
        self._stack.append((tag, watched))
        if tag == "script":
            self.scripts.append("")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self._stack and self._stack[-1][0] == tag:
            self._stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break
        if tag == "h1" and self.h1:
            self.h1_done = True

    def handle_data(self, data: str) -> None:
        tags = [t for t, _ in self._stack]
        if "script" in tags:
            self.scripts[-1] += data
            return
        if "style" in tags:
            return
        if "title" in tags:
            self.title.append(data)
        if "h1" in tags and not self.h1_done:
            self.h1.append(data)
        for _, classes in self._stack:
            for c in classes:
                self.classes[c].append(data)

    def text_of(self, cls: str) -> str | None:
        parts = self.classes.get(cls)
        if not parts:
            return None
        text = re.sub(r"[ \t\r\f\v]+", " ", "".join(parts))
        text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
        return text or None


def clean(value: Any) -> str | None:
    if value is None:
        return None
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text or None


def page_time(value: Any) -> datetime | None:
    text = clean(value)
    if text is None:
        return None
    try:
        return parse_time(text)  # ISO 8601 and the other whole-value forms
    except ValueError:
        pass
    m = _TIME_RE.search(text)  # a time inside a byline ("发布时间：2024-09-14 09:05")
    if m is None:
        return None
    try:
        return parse_time(m.group(1))
    except ValueError:
        return None


def json_after(script: str, marker: str) -> Mapping[str, Any] | None:
    """The JSON object following ``marker`` in a script (``window.DATA = {...};``)."""
    at = script.find(marker)
    if at < 0:
        return None
    start = script.find("{", at + len(marker))
    if start < 0:
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(script[start:])
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, Mapping) else None


def jsonp(text: str) -> Mapping[str, Any] | None:
    m = re.match(r"^\s*[\w$.]+\s*\(\s*(\{.*\})\s*\)\s*;?\s*$", text, re.DOTALL)
    if not m:
        return None
    try:
        value = json.loads(m.group(1))
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, Mapping) else None


def _strip_site(title: str | None) -> str | None:
    """``<title>`` often ends in ``_科普中国`` / ``-腾讯新闻``: drop the site name."""
    if title is None:
        return None
    return (
        re.sub(r"\s*[_|\-–—]\s*(科普中国|腾讯新闻|腾讯网|学习强国)\s*$", "", title).strip() or None
    )


def labelled(text: str | None, label: str) -> str | None:
    if not text:
        return None
    m = _LABEL_RE[label].search(text)
    return m.group(1) if m else None


def generic_info(c: PageCollector) -> ArticleInfo:
    meta = c.meta
    title = (
        clean(meta.get("og:title")) or clean("".join(c.h1)) or _strip_site(clean("".join(c.title)))
    )
    author = clean(meta.get("author")) or labelled(c.text_of("author"), "author")
    when = None
    for key in ("article:published_time", "pubdate", "publishdate", "apub:time", "date"):
        when = when or page_time(meta.get(key))
    return ArticleInfo(title, author, when)


def collect_page(page: str) -> PageCollector:
    """One pass of the HTML parser over ``page``."""
    collector = PageCollector()
    collector.feed(page)
    collector.close()
    return collector
