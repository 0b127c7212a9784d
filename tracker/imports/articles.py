"""Article pages of the article sites -> title, author, publication time.

Each site's package reads its own page (the spec's ``page_parser``); a site without one, or an
unknown platform, gets the generic reading of ``og:``/``author``/``article:published_time``
metadata. Pure: HTML in, facts out.
"""

from __future__ import annotations

from connectors import catalogue
from connectors.article_page import ArticleInfo, collect_page, generic_info

__all__ = ["parse_article"]


def parse_article(platform: str, page: str) -> ArticleInfo:
    """Title, author and time of an article page (or 学习强国's JSONP data file)."""
    collector = collect_page(page)
    spec = catalogue.get(platform)
    if spec is not None and spec.page_parser is not None:
        parsed: ArticleInfo = spec.load(spec.page_parser)(collector, page)
        return parsed
    generic = generic_info(collector)
    return ArticleInfo(generic.title, generic.author, generic.published_at, generic.author)
