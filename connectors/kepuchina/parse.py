"""科普中国 article pages (TRS CMS static pages) -> title, author, time."""

from __future__ import annotations

import re

from connectors.article_page import (
    ArticleInfo,
    PageCollector,
    clean,
    generic_info,
    labelled,
    page_time,
)


def parse_page(c: PageCollector, raw: str) -> ArticleInfo:
    """The CMS meta tags and the ``p.tips`` byline (which has seconds; the meta only minutes)."""
    tips = c.text_of("tips")
    title = clean(c.meta.get("articletitle")) or clean("".join(c.h1)) or generic_info(c).title
    author = clean(c.meta.get("author")) or labelled(tips, "author") or labelled(tips, "source")
    when = None
    if tips:  # the byline has seconds; the CMS meta tag only minutes
        m = re.search(r"(?:发布)?时间\s*[:：]\s*([^\n]+)", tips)
        when = page_time(m.group(1) if m else tips)
    when = when or page_time(c.meta.get("pubdate")) or generic_info(c).published_at
    return ArticleInfo(title, author, when, author)
