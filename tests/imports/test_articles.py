"""Article pages of 科普中国, 腾讯新闻 and 学习强国 -> title, author, time."""

from __future__ import annotations

import json

from tracker.imports.articles import parse_article

KEPU = (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>&lt;b&gt;台风&lt;/b&gt;防御_科普中国</title>'
    '<meta name="ArticleTitle" content="&lt;b&gt;台风&lt;/b&gt;防御">'
    '<meta name="PubDate" content="2024-09-14 09:05"><meta name="author" content="李科普"></head>'
    '<body><div class="detail"><h1>&lt;b&gt;台风&lt;/b&gt;防御</h1>'
    '<p class="tips"><span>作者：李科普</span><span>来源：广东省科协</span>'
    "<span>发布时间：2024-09-14 09:05:30</span></p>"
    '<div class="TRS_Editor"><p>正文一。</p><p>正文二。</p></div></div></body></html>'
)


def test_kepuchina_trs_page() -> None:
    info = parse_article("kepuchina", KEPU)
    assert info.title == "<b>台风</b>防御"  # entities decoded, nothing executed or dropped
    assert info.author == "李科普" and info.account_uid == "李科普"
    assert info.published_at is not None
    assert info.published_at.isoformat() == "2024-09-14T01:05:30+00:00"  # byline seconds, Beijing


def test_kepuchina_without_meta_tags() -> None:
    page = (
        "<html><body><h1>秋分的科学</h1><p class='tips'><span>来源：科普中国</span>"
        "<span>2024年9月22日 08:00</span></p></body></html>"
    )
    info = parse_article("kepuchina", page)
    assert (info.title, info.author) == ("秋分的科学", "科普中国")
    assert info.published_at.isoformat() == "2024-09-22T00:00:00+00:00"


def test_qqnews_window_data() -> None:
    data = {
        "article_id": "20240914A01ABC00",
        "title": "科普日活动回顾 </script>",
        "media": "广东科协",
        "media_id": "om12345678",
        "pubtime": "2024-09-14 18:31:00",
        "originContent": {"text": "正文"},
    }
    script = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    page = f"<html><body><script>window.DATA = {script};</script><h1>别的标题</h1></body></html>"
    info = parse_article("qqnews", page)
    assert info.title == "科普日活动回顾 </script>"
    assert (info.author, info.account_uid, info.text) == ("广东科协", "om12345678", "正文")
    assert info.published_at.isoformat() == "2024-09-14T10:31:00+00:00"


def test_qqnews_markup_only() -> None:
    page = (
        '<div class="content-article"><h1>标题</h1><div class="media-info">'
        '<a class="media-name">某媒体</a><span class="time">2024-09-14 18:30</span></div></div>'
    )
    info = parse_article("qqnews", page)
    assert (info.title, info.author, info.account_uid) == ("标题", "某媒体", "某媒体")
    assert info.published_at.isoformat() == "2024-09-14T10:30:00+00:00"


def test_xuexi_page_and_jsonp() -> None:
    data = {
        "title": "秋分话科学",
        "source": "学习强国广东平台",
        "publish_time": "2024-09-22 07:30:00",
    }
    jsonp = f"callback({json.dumps(data, ensure_ascii=False)})"
    info = parse_article("xuexi", jsonp)
    assert (info.title, info.author) == ("秋分话科学", "学习强国广东平台")
    assert info.published_at.isoformat() == "2024-09-21T23:30:00+00:00"
    page = (
        '<div class="render-detail-article"><div class="render-detail-title">秋分话科学</div>'
        '<div class="render-detail-resource">来源：学习强国广东平台</div>'
        '<div class="render-detail-time">2024-09-22</div></div>'
    )
    rendered = parse_article("xuexi", page)
    assert (rendered.title, rendered.author) == ("秋分话科学", "学习强国广东平台")
    assert rendered.published_at.isoformat() == "2024-09-21T16:00:00+00:00"


def test_generic_metadata_and_nothing_found() -> None:
    page = (
        '<html><head><meta property="og:title" content="标题A">'
        '<meta name="author" content="作者B">'
        '<meta property="article:published_time" content="2024-09-14T10:00:00+08:00"></head></html>'
    )
    info = parse_article("other", page)
    assert (info.title, info.author) == ("标题A", "作者B")
    assert info.published_at.isoformat() == "2024-09-14T02:00:00+00:00"
    empty = parse_article("kepuchina", "<html><body><div>请完成安全验证</div></body></html>")
    assert (empty.title, empty.author, empty.published_at) == (None, None, None)
