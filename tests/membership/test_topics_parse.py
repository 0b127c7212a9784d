"""Topic pages (专题) -> listed 腾讯新闻 articles; theme names in 学习强国 titles and text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.article_page import ArticleInfo
from tracker.membership.topics import (
    ThemeMatcher,
    parse_topic_page,
    theme_key,
    theme_links,
    topic_links,
    topic_records,
    topic_url_key,
)
from tracker.records import PostRecord

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>千万IP创科普_腾讯新闻</title>
<link rel="canonical" href="https://news.qq.com/zt/qianwanip"></head><body>
<div class="nav"><a href="https://news.qq.com/">首页</a><a href="javascript:void(0)">分享</a>
<a href="#top">顶部</a><a href="https://news.qq.com/zt/qianwanip/">本专题</a></div>
<h1> 千万IP创科普 </h1>
<ul>
 <li><a href="https://news.qq.com/rain/a/20240915A01ABC00">一</a></li>
 <li><a href="/rain/a/20240916A02DEF00">二（相对链接）</a></li>
 <li><a href="https://new.qq.com/omn/20240917/20240917A03GHI00.html">三（旧版链接）</a></li>
 <li><a href="https://news.qq.com/rain/a/20240915A01ABC00?from=topic">一（重复）</a></li>
</ul>
<script>window.DATA = {"list":[{"id":"20240918A04JKL00","title":"四"},
{"url":"https:\\/\\/news.qq.com\\/rain\\/a\\/20240919A05MNO00","title":"五"},
{"articleId":"20240916A02DEF00"}]};</script>
<a href="https://v.qq.com/x/cover/abc.html">视频</a>
<a href="https://www.kepuchina.cn/more/202409/t20240915_3100001.shtml">科普中国</a>
<a href="mailto:a@b.cn">来信</a>
</body></html>"""


def test_topic_page_lists_articles_in_page_order_once() -> None:
    page = parse_topic_page(PAGE)
    assert page.url == "https://news.qq.com/zt/qianwanip"  # from the canonical link
    assert page.title == "千万IP创科普"
    assert [r.post_id for r in page.articles] == [
        "20240915A01ABC00",
        "20240916A02DEF00",
        "20240917A03GHI00",
        "20240918A04JKL00",
        "20240919A05MNO00",
    ]
    assert {r.platform for r in page.articles} == {"qqnews"}
    assert page.articles[1].url == "https://news.qq.com/rain/a/20240916A02DEF00"
    # home page, channel-less topic self link skipped; video + 科普中国 are other links
    assert page.other_links == 3  # news.qq.com/ (no article id), v.qq.com, kepuchina


def test_relative_links_resolve_against_the_given_url() -> None:
    html = '<a href="/rain/a/20240916A02DEF00">x</a><a href="../a/20240916A02XYZ00">y</a>'
    page = parse_topic_page(html, "https://new.qq.com/rain/zt/demo")
    assert [r.post_id for r in page.articles] == ["20240916A02DEF00", "20240916A02XYZ00"]
    assert page.url == "https://new.qq.com/rain/zt/demo"


@pytest.mark.parametrize(
    "html",
    ["", "<html><body>请登录后查看</body></html>", "<a href=", "<<<>>>&&&", "<script>{{{</script>"],
)
def test_odd_pages_list_nothing_and_never_raise(html: str) -> None:
    page = parse_topic_page(html)
    assert page.articles == []


def test_topic_url_key_is_loose_on_scheme_www_and_slash() -> None:
    assert topic_url_key("https://news.qq.com/zt/qianwanip") == topic_url_key(
        "http://www.news.qq.com/zt/qianwanip/#list"
    )
    assert topic_url_key("https://news.qq.com/zt/a") != topic_url_key("https://news.qq.com/zt/b")


def test_records_are_full_with_details_and_stubs_without() -> None:
    page = parse_topic_page(PAGE)
    at = datetime(2024, 9, 20, tzinfo=UTC)
    info = ArticleInfo("标题一", "科普号", datetime(2024, 9, 15, 2, tzinfo=UTC), "om123", "正文")
    parsed = topic_records(
        page.articles[:2],
        {"20240915A01ABC00": info, "20240916A02DEF00": None},
        captured_at=at,
        topic_url="https://news.qq.com/zt/qianwanip",
        source="live",
    )
    full, stub = parsed.posts
    assert (full.title, full.account_uid, full.text, full.published_at) == (
        "标题一",
        "om123",
        "正文",
        datetime(2024, 9, 15, 2, tzinfo=UTC),
    )
    assert full.context == {"topic_url": "https://news.qq.com/zt/qianwanip"}
    assert (stub.title, stub.account_uid, stub.published_at) == (None, None, None)
    assert stub.url == "https://news.qq.com/rain/a/20240916A02DEF00"
    assert stub.content_type == "article"
    assert [(a.platform_uid, a.name) for a in parsed.accounts] == [("om123", "科普号")]
    links = topic_links(page.articles[:2], campaign="c", topic_url="https://news.qq.com/zt/q")
    assert [(x.platform_post_id, x.matched_by, x.matched_value) for x in links] == [
        ("20240915A01ABC00", "topic", "https://news.qq.com/zt/q"),
        ("20240916A02DEF00", "topic", "https://news.qq.com/zt/q"),
    ]


THEME = "科普向'新'力"


@pytest.mark.parametrize(
    "title",
    [
        "【科普向'新'力】走进深海实验室",
        "科普向‘新’力｜量子计算入门",
        "科普向“新”力：AI 如何识别病虫害",
        "科普向＂新＂力 第三期",
        "科 普 向 新 力",
        "科普向新力",
        "科普嚮『新』力",  # traditional script and corner quotes
    ],
)
def test_theme_matches_whatever_quotes_were_typed(title: str) -> None:
    matcher = ThemeMatcher({"c": [THEME]})
    assert matcher.match(title, None) == [("c", THEME)]


@pytest.mark.parametrize("title", ["科普向上的力量", "新力量科普", "科普向", ""])
def test_theme_does_not_match_other_titles(title: str) -> None:
    assert ThemeMatcher({"c": [THEME]}).match(title, "正文与主题无关") == []


def test_theme_in_text_counts_and_only_on_xuexi() -> None:
    matcher = ThemeMatcher({"c": [THEME], "d": ["x"]})  # a one-character theme is ignored
    at = datetime(2024, 9, 20, tzinfo=UTC)
    xx = PostRecord(
        "xuexi", "1" * 20, at, title="深海探秘", text="本文参与“科普向‘新’力”主题活动。"
    )
    qq = PostRecord("qqnews", "20240915A01ABC00", at, title="科普向'新'力")
    assert [(x.campaign, x.matched_by, x.matched_value) for x in theme_links(xx, matcher)] == [
        ("c", "theme", THEME)
    ]
    assert theme_links(qq, matcher) == []
    assert theme_key("科普向‘新’力") == theme_key("科普向'新'力") == "科普向新力"
