"""科普中国 article URLs (TRS CMS ``tYYYYMMDD_N.shtml`` pages, or an id parameter) -> article id."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from connectors.workref import WorkRef, WorkUrlError, query_params

__all__ = ["work_ref"]


def work_ref(url: str) -> WorkRef:
    parts = urlsplit(url)
    m = re.search(r"(t\d{8}_\d+)\.s?html?$", parts.path)
    if m:
        return WorkRef(
            "kepuchina", m.group(1), f"https://www.kepuchina.cn{parts.path}", content_type="article"
        )
    q = query_params(url)
    for key in ("ar_id", "article_id", "id", "contentId"):
        if q.get(key) and re.fullmatch(r"[\w-]{3,64}", q[key]):
            return WorkRef("kepuchina", q[key], url.split("#")[0], content_type="article")
    raise WorkUrlError("科普中国链接中找不到文章 id（应为 kepuchina.cn/…/tYYYYMMDD_N.shtml）")
