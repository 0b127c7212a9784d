"""Article pages of 科普中国, 腾讯新闻 and 学习强国, for the submission importer.

Those sites reach the tracker as URLs units submit; the importer fetches each page and reads its
title, author and publication time. They expose no engagement counts, so the pages carry none.
Each site is served in the form its pages take:

- 科普中国 (TRS CMS static pages): ``/more/YYYYMM/tYYYYMMDD_N.shtml``; title in ``h1``, author
  and time in ``p.tips span``, body in ``div.TRS_Editor``, plus the CMS ``<meta>`` tags;
- 腾讯新闻: ``/rain/a/<ID>``; the page embeds ``window.DATA = {...}`` (title, media, pubtime,
  ``originContent.text``) and repeats title, media name and time in the markup;
- 学习强国: ``/lgpage/detail/index.html?id=<ID>&item_id=<ID>`` (the rendered page) and the
  JSONP data file ``/data/app/<ID>.js`` the page is rendered from.

Every user-controlled string is HTML-escaped (a world with ``hostile_titles`` carries an XSS
payload in titles on purpose); JSON inside ``<script>`` has ``<`` escaped so it cannot close
the script.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime

from connectors import catalogue
from tracker.sim.layout import SHANGHAI
from tracker.sim.model import Route, SimContext, SimPost, SimRequest, SimResponse

HTML_TYPE = "text/html; charset=utf-8"

_PAGE_SHAPES = ("kepuchina", "qqnews", "xuexi")
"""The article sites whose page shapes this module serves."""


def _local(dt: datetime) -> datetime:
    return dt.astimezone(SHANGHAI)


def _script_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def _paragraphs(text: str) -> str:
    parts = [p for p in re.split(r"(?<=[。！？])", text) if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in parts)


def _not_found(site: str) -> SimResponse:
    page = (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>页面不存在_{site}'
        '</title></head><body><div class="error">抱歉，您访问的页面不存在或已被删除。</div></body></html>'
    )
    return SimResponse(404, page, content_type=HTML_TYPE)


def _page(title: str, site: str, head: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}_{site}</title>{head}</head><body>{body}</body></html>"
    )


class ArticleSim:
    """One article site: page routes plus its failure pages (see the module doc)."""

    def __init__(self, platform: str) -> None:
        if platform not in _PAGE_SHAPES:
            raise ValueError(platform)
        self.platform = platform
        self.site = catalogue.name_zh(platform)

    # --- PlatformSim -----------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        if self.platform == "kepuchina":
            return [
                Route("GET", re.compile(r"/more/\d{6}/(t\d{8}_\d+)\.shtml"), self._kepuchina),
            ]
        if self.platform == "qqnews":
            return [Route("GET", re.compile(r"/rain/a/([0-9A-Za-z]{16})/?"), self._qqnews)]
        return [
            Route("GET", re.compile(r"/lgpage/detail/index\.html"), self._xuexi_page),
            Route("GET", re.compile(r"/data/app/(\d+)\.js"), self._xuexi_data),
        ]

    def throttle_response(self) -> SimResponse:
        page = _page("访问过于频繁", self.site, "", "<div>访问过于频繁，请稍后再试。</div>")
        return SimResponse(503, page, headers={"Retry-After": "1"}, content_type=HTML_TYPE)

    def login_wall_response(self) -> SimResponse:
        page = _page("登录", self.site, "", '<div class="login">请登录后查看完整内容</div>')
        return SimResponse(200, page, content_type=HTML_TYPE)

    def block_response(self) -> SimResponse:
        page = _page("安全验证", self.site, "", '<div id="verify">请完成安全验证</div>')
        return SimResponse(200, page, content_type=HTML_TYPE)

    # --- pages ---------------------------------------------------------------------------------

    def _lookup(self, request: SimRequest, ctx: SimContext, pattern: str) -> SimPost | None:
        m = re.search(pattern, request.path)
        if m is None:
            return None
        return ctx.post(self.platform, m.group(1))

    def _kepuchina(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        post = self._lookup(request, ctx, r"(t\d{8}_\d+)\.shtml")
        if post is None:
            return _not_found(self.site)
        when = _local(post.published_at)
        author = html.escape(post.account.name)
        source = html.escape(post.account.unit or self.site)
        head = (
            f'<meta name="ArticleTitle" content="{html.escape(post.title)}">'
            f'<meta name="PubDate" content="{when:%Y-%m-%d %H:%M}">'
            f'<meta name="ContentSource" content="{source}">'
            f'<meta name="author" content="{author}">'
        )
        body = (
            f'<div class="detail"><h1>{html.escape(post.title)}</h1>'
            f'<p class="tips"><span>作者：{author}</span><span>来源：{source}</span>'
            f"<span>发布时间：{when:%Y-%m-%d %H:%M:%S}</span></p>"
            f'<div class="TRS_Editor">{_paragraphs(post.text)}</div></div>'
        )
        return SimResponse(200, _page(post.title, self.site, head, body), content_type=HTML_TYPE)

    def _qqnews(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        post = self._lookup(request, ctx, r"/rain/a/([0-9A-Za-z]{16})")
        if post is None:
            return _not_found(self.site)
        when = _local(post.published_at)
        data = {
            "article_id": post.post_id,
            "title": post.title,
            "media": post.account.name,
            "media_id": post.account.uid,
            "pubtime": f"{when:%Y-%m-%d %H:%M:%S}",
            "article_type": 0,
            "originContent": {"text": post.text},
        }
        head = f'<meta name="apub:time" content="{when:%Y-%m-%d %H:%M:%S}">'
        body = (
            f"<script>window.DATA = {_script_json(data)};</script>"
            f'<div class="content-article"><h1>{html.escape(post.title)}</h1>'
            f'<div class="media-info"><a class="media-name">{html.escape(post.account.name)}</a>'
            f'<span class="time">{when:%Y-%m-%d %H:%M}</span></div>'
            f'<div class="rich_media_content">{_paragraphs(post.text)}</div></div>'
        )
        return SimResponse(200, _page(post.title, self.site, head, body), content_type=HTML_TYPE)

    def _xuexi_data_dict(self, post: SimPost) -> dict[str, object]:
        when = _local(post.published_at)
        return {
            "identity": {"item_id": post.post_id},
            "title": post.title,
            "source": post.account.name,
            "publish_time": f"{when:%Y-%m-%d %H:%M:%S}",
            "content": _paragraphs(post.text),
            "editors": [],
        }

    def _xuexi_page(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        item = request.query.get("id") or request.query.get("item_id") or ""
        post = ctx.post(self.platform, item) if item.isdigit() else None
        if post is None:
            return _not_found(self.site)
        when = _local(post.published_at)
        body = (
            f'<div class="render-detail-article"><div class="render-detail-title">'
            f"{html.escape(post.title)}</div>"
            f'<div class="render-detail-resource">来源：{html.escape(post.account.name)}</div>'
            f'<div class="render-detail-time">{when:%Y-%m-%d}</div>'
            f'<div class="render-detail-content">{_paragraphs(post.text)}</div></div>'
            f"<script>window.__DETAIL__ = {_script_json(self._xuexi_data_dict(post))};</script>"
        )
        return SimResponse(200, _page(post.title, self.site, "", body), content_type=HTML_TYPE)

    def _xuexi_data(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        post = self._lookup(request, ctx, r"/data/app/(\d+)\.js")
        if post is None:
            return SimResponse(404, "callback(null)", content_type="application/javascript")
        text = f"callback({_script_json(self._xuexi_data_dict(post))})"
        return SimResponse(200, text, content_type="application/javascript; charset=utf-8")


def article_sim(platform: str) -> ArticleSim:
    """The simulator of one article site (the specs name this factory)."""
    return ArticleSim(platform)
