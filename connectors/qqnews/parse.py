"""腾讯新闻 article pages (``news.qq.com/rain/a/<ID>``) -> title, 企鹅号 account, time, text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.article_page import (
    ArticleInfo,
    PageCollector,
    clean,
    generic_info,
    json_after,
    page_time,
)


def parse_page(c: PageCollector, raw: str) -> ArticleInfo:
    """``window.DATA`` first (title, 企鹅号 media and id, pubtime), then the markup."""
    data: Mapping[str, Any] | None = None
    for script in c.scripts:
        data = json_after(script, "window.DATA")
        if data:
            break
    data = data or {}
    card = data["card"] if isinstance(data.get("card"), Mapping) else {}
    title = clean(data.get("title")) or clean("".join(c.h1)) or generic_info(c).title
    author = (
        clean(data.get("media"))
        or clean(card.get("chlname"))
        or clean(c.text_of("media-name"))
        or generic_info(c).author
    )
    when = (
        page_time(data.get("pubtime"))
        or page_time(data.get("pub_time"))
        or page_time(c.meta.get("apub:time"))
        or page_time(c.text_of("time"))
    )
    uid = clean(data.get("media_id")) or clean(card.get("suid")) or author
    origin = data.get("originContent")
    text = clean(origin.get("text")) if isinstance(origin, Mapping) else None
    return ArticleInfo(title, author, when, uid, text)
