"""学习强国 article pages and their JSONP data files -> title, source, time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.article_page import (
    ArticleInfo,
    PageCollector,
    clean,
    generic_info,
    json_after,
    jsonp,
    labelled,
    page_time,
)


def _xuexi_data(data: Mapping[str, Any]) -> ArticleInfo:
    author = (
        clean(data.get("source")) or clean(data.get("show_source")) or clean(data.get("showSource"))
    )
    when = page_time(data.get("publish_time")) or page_time(data.get("publishTime"))
    return ArticleInfo(clean(data.get("title")), author, when, author)


def parse_page(c: PageCollector, raw: str) -> ArticleInfo:
    """The JSONP data file or the rendered page's embedded ``window.__DETAIL__``, then markup."""
    data = jsonp(raw)
    if data is None:
        for script in c.scripts:
            data = json_after(script, "window.__DETAIL__")
            if data:
                break
    embedded = _xuexi_data(data) if data else ArticleInfo(None, None, None)
    resource = c.text_of("render-detail-resource")
    author = embedded.author or labelled(resource, "source") or clean(resource)
    title = embedded.title or clean(c.text_of("render-detail-title")) or generic_info(c).title
    when = (
        embedded.published_at
        or page_time(c.text_of("render-detail-time"))
        or generic_info(c).published_at
    )
    return ArticleInfo(title, author, when, author)
