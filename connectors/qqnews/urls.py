"""腾讯新闻 / 企鹅号 article URLs (``/rain/a/<id>``, ``/omn/…``, ``?id=``) -> article id."""

from __future__ import annotations

import re

from connectors.workref import WorkRef, WorkUrlError, path_segments, query_params

__all__ = ["work_ref"]

_ARTICLE_ID = re.compile(r"^[0-9A-Za-z]{12,24}$")


def work_ref(url: str) -> WorkRef:
    segs = path_segments(url)
    q = query_params(url)
    pid = None
    for i, seg in enumerate(segs[:-1]):
        if seg in ("a", "k", "cmsid", "page") and _ARTICLE_ID.match(segs[i + 1]):
            pid = segs[i + 1]
    if pid is None and segs[:1] == ["omn"]:
        stem = segs[-1].split(".")[0]
        pid = stem if _ARTICLE_ID.match(stem) else None
    if pid is None and q.get("id") and _ARTICLE_ID.match(q["id"]):
        pid = q["id"]
    if pid is None:
        raise WorkUrlError("腾讯新闻链接中找不到文章 id（应为 news.qq.com/rain/a/<id>）")
    return WorkRef("qqnews", pid, f"https://news.qq.com/rain/a/{pid}", content_type="article")
