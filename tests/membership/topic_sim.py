"""A test-local 腾讯新闻 site: the article pages of the world plus one topic page (专题).

Mounted over the default ``qqnews`` mount with ``SimServer(extra_sims={"qqnews": ...})``, so one
base URL serves both the topic page and the articles it lists, as news.qq.com does. The page
lists some articles as cards in the markup (absolute and relative links) and the rest only in
its embedded ``window.DATA`` list (URLs with escaped slashes, or bare ids), next to navigation,
video and other-site links that are not campaign works.
"""

from __future__ import annotations

import html
import json
import re

from tracker.sim.articles import ArticleSim
from tracker.sim.model import Route, SimContext, SimRequest, SimResponse

HTML_TYPE = "text/html; charset=utf-8"


class TopicPageSim:
    """Serves ``/zt/<topic_id>`` listing ``article_ids`` (in order) and every article page."""

    def __init__(self, topic_id: str, article_ids: list[str], *, in_markup: int = 4) -> None:
        self.platform = "qqnews"
        self.topic_id = topic_id
        self.article_ids = list(article_ids)
        self.in_markup = in_markup
        self.articles = ArticleSim("qqnews")
        self.hits = 0

    def routes(self) -> list[Route]:
        return [
            Route("GET", re.compile(r"/zt/([\w-]+)/?"), self._topic),
            *self.articles.routes(),
        ]

    def throttle_response(self) -> SimResponse:
        return self.articles.throttle_response()

    def login_wall_response(self) -> SimResponse:
        return self.articles.login_wall_response()

    def block_response(self) -> SimResponse:
        return self.articles.block_response()

    def _topic(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        if request.path.strip("/").split("/")[-1] != self.topic_id:
            return SimResponse(404, "<html><body>专题不存在</body></html>", content_type=HTML_TYPE)
        self.hits += 1
        cards, data = [], []
        for n, pid in enumerate(self.article_ids):
            post = ctx.post("qqnews", pid)
            title = post.title if post is not None else "（已删除）"
            if n < self.in_markup:
                href = f"https://news.qq.com/rain/a/{pid}" if n % 2 == 0 else f"/rain/a/{pid}"
                cards.append(
                    f'<li class="topic-item"><a href="{href}" target="_blank">'
                    f"<h3>{html.escape(title)}</h3></a></li>"
                )
            elif n % 2 == 0:
                data.append({"id": pid, "title": title, "url": f"https://news.qq.com/rain/a/{pid}"})
            else:
                data.append({"articleId": pid, "title": title})
        blob = json.dumps({"topicId": self.topic_id, "list": data}, ensure_ascii=False)
        blob = blob.replace("/", "\\/").replace("<", "\\u003c")
        body = (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            "<title>千万IP创科普_腾讯新闻</title>"
            f'<link rel="canonical" href="https://news.qq.com/zt/{self.topic_id}"></head><body>'
            '<div class="nav"><a href="https://news.qq.com/">首页</a>'
            '<a href="https://news.qq.com/ch/tech/">科技</a>'
            '<a href="javascript:void(0)">分享</a>'
            f'<a href="https://news.qq.com/zt/{self.topic_id}">本专题</a></div>'
            '<div class="topic-head"><h1>千万IP创科普</h1><p>全国科普日 网络科普作品征集</p></div>'
            f'<ul class="topic-list">{"".join(cards)}</ul>'
            f"<script>window.DATA = {blob};</script>"
            '<div class="footer"><a href="https://v.qq.com/x/cover/mzc00200abc.html">腾讯视频</a>'
            '<a href="https://www.kepuchina.cn/more/202409/t20240915_3100001.shtml">科普中国</a>'
            "</div></body></html>"
        )
        return SimResponse(200, body, content_type=HTML_TYPE)
