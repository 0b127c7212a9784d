"""学习强国 article URLs (detail pages, their JSONP data files, static pages) -> article id."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from connectors.workref import WorkRef, WorkUrlError, path_segments, query_params

__all__ = ["work_ref"]


def _detail(value: str) -> WorkRef:
    return WorkRef(
        "xuexi",
        value,
        f"https://www.xuexi.cn/lgpage/detail/index.html?id={value}&item_id={value}",
        content_type="article",
    )


def work_ref(url: str) -> WorkRef:
    q = query_params(url)
    for key in ("id", "item_id", "art_id", "itemId"):
        value = q.get(key)
        if value and value.isdigit():
            return _detail(value)
    segs = path_segments(url)
    m = re.search(r"/data/app/(\d+)\.js$", urlsplit(url).path)
    if m:
        return _detail(m.group(1))
    if segs and re.fullmatch(r"[0-9a-f]{32}\.html", segs[-1]):
        return WorkRef("xuexi", segs[-1][:-5], url.split("#")[0], content_type="article")
    raise WorkUrlError(
        "学习强国链接中找不到文章 id（应为 xuexi.cn/lgpage/detail/index.html?id=<id>）"
    )
