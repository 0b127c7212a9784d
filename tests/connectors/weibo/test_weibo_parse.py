"""Weibo parsers on the real fixtures (values read by hand from the files) and on hand-built
bodies in the m.weibo.cn / weibo.com shapes (malformed items, HTML, count strings, odd times)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors.weibo.parse import (
    ENDPOINTS,
    long_text_content,
    long_text_requests,
    parse_get_index,
    parse_longtext,
    parse_profile_info,
    parse_status_show,
    unwrap,
)
from tracker.errors import ParseError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "weibo"
CAPTURED = datetime(2024, 9, 20, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
TOPIC_LINK = (
    '<a  href="https://m.weibo.cn/search?containerid=231522type%3D1%26t%3D10%26q%3D%23'
    '%E5%8D%83%E4%B8%87IP%E5%88%9B%E7%A7%91%E6%99%AE%23" data-hide="">'
    '<span class="surl-text">#千万IP创科普#</span></a>'
)


def load(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def user(**extra):
    base = {
        "id": 1959830294,
        "screen_name": "汪有",
        "verified": True,
        "verified_type": 0,
        "followers_count": 1520885,
    }
    return {**base, **extra}


def mblog(mid="4069372986738497", **extra):
    base = {
        "created_at": "Sat Sep 14 10:00:00 +0800 2024",
        "id": mid,
        "mid": mid,
        "bid": "Gb0Aq7Vwh",
        "text": f"今天讲黑洞 {TOPIC_LINK} ",
        "user": user(),
        "reposts_count": 3,
        "comments_count": 2,
        "attitudes_count": 10,
        "isLongText": False,
    }
    return {**base, **extra}


def index(*cards, info=None):
    data = {"cards": list(cards)}
    if info is not None:
        data["cardlistInfo"] = info
    return {"ok": 1, "data": data}


def card(m):
    return {"card_type": 9, "mblog": m}


# --- real fixtures -------------------------------------------------------------------------


def test_profile_info_fixture():
    page = parse_profile_info(load("weibo_com_ajax_profile_info.json"), captured_at=CAPTURED)
    assert page.posts == [] and page.rejects == []
    (acc,) = page.accounts
    assert acc.platform == "weibo"
    assert acc.platform_uid == "1959830294"
    assert acc.name == "汪有"
    assert acc.followers == 1520885
    assert acc.verified is True
    assert acc.verify_type == "0"
    assert acc.url == "https://weibo.com/u/1959830294"
    assert acc.seen_at == CAPTURED


def test_profile_info_inside_a_third_party_envelope():
    wrapped = {
        "code": 200,
        "router": "/api/v1/weibo/web/fetch_user_info",
        "data": load("weibo_com_ajax_profile_info.json"),
    }
    assert unwrap(wrapped)["ok"] == 1
    (acc,) = parse_profile_info(wrapped, captured_at=CAPTURED).accounts
    assert (acc.platform_uid, acc.followers) == ("1959830294", 1520885)


def test_longtext_fixture():
    body = load("weibo_com_ajax_statuses_longtext.json")
    page = parse_longtext(body, captured_at=CAPTURED, source="import")
    assert page.posts == []  # it completes a post (no URL, type, time or counts): a detail
    (detail,) = page.details
    assert detail.platform_post_id == "4069372986738497"  # from the link log "mid:..."
    assert detail.account_uid == "1974576991"  # "miduid:..."
    assert detail.text.startswith("中国再发野生动物园老虎伤人事件，有传言称“南非野生动物园")
    assert detail.text.endswith("南非野生动物园的真正游客规定见敝球当年的报道。http://t.cn/RxlaENw")
    assert "敝球曾去南非考证，事实并非如此" in detail.text
    assert detail.hashtags == [] and detail.context == {}
    assert detail.source == "import"
    assert long_text_content(body) == body["data"]["longTextContent"]
    # the id of the request wins over the one in the link log
    assert parse_longtext(body, captured_at=CAPTURED, post_id="1").details[0].key == ("weibo", "1")


def test_longtext_without_any_id_is_a_reject():
    body = {"ok": 1, "data": {"longTextContent": "没有链接的长文 #千万IP创科普#"}}
    page = parse_longtext(body, captured_at=CAPTURED)
    assert page.posts == [] and page.details == []
    assert "no post id" in page.rejects[0].reason
    page = parse_longtext(body, captured_at=CAPTURED, post_id="42")
    assert page.details[0].hashtags == ["#千万IP创科普#"]
    assert long_text_content({"ok": 1, "data": {}}) is None
    assert long_text_content([1]) is None
    with pytest.raises(ParseError, match="longtext"):
        parse_longtext({"ok": 0, "msg": "x"}, captured_at=CAPTURED)


# --- getIndex ------------------------------------------------------------------------------


def test_get_index_post_fields_and_html_stripped():
    text = (
        f"【黑洞】会蒸发吗？{TOPIC_LINK}<br />第二行 a &amp; b "
        '<span class="url-icon"><img alt=[doge] src="https://h5.sinaimg.cn/m/emoticon/d_doge.png" '
        'style="width:1em; height:1em;" /></span> #防灾减灾#'
    )
    body = index(
        card(mblog(text=text, pic_num=2, pics=[{"pid": "a"}, {"pid": "b"}])),
        info={"total": "1000", "page": 2},
    )
    page = parse_get_index(body, captured_at=CAPTURED)
    assert page.rejects == []
    (post,) = page.posts
    assert post.platform_post_id == "4069372986738497"
    assert post.account_uid == "1959830294"
    assert post.url == "https://m.weibo.cn/detail/4069372986738497"
    assert post.text == "【黑洞】会蒸发吗？#千万IP创科普#\n第二行 a & b [doge] #防灾减灾#"
    assert post.hashtags == ["#千万IP创科普#", "#防灾减灾#"]
    assert post.content_type == "image"
    assert post.published_at == datetime(2024, 9, 14, 2, 0, tzinfo=UTC)
    assert (post.metrics.likes, post.metrics.comments, post.metrics.shares) == (10, 2, 3)
    assert post.metrics.views is None and post.metrics.favorites is None
    assert post.followers_at_capture == 1520885
    assert post.repost_of is None and post.deleted is False
    assert page.claimed_total == 1000
    assert (page.has_more, page.cursor) == (True, "2")
    (acc,) = page.accounts
    assert (acc.name, acc.followers, acc.verified, acc.verify_type) == ("汪有", 1520885, True, "0")


def test_nested_card_groups_string_card_types_and_furniture():
    body = index(
        {"card_type": 11, "card_group": [{"card_type": 4, "desc": "相关话题"}]},
        {
            "card_type": 11,
            "card_group": [card(mblog("1")), {"card_type": "9", "mblog": mblog("2")}],
        },
        {"card_type": 58, "desc": "热门"},
        card(mblog("3")),
        info={"page": None, "total": 3},
    )
    page = parse_get_index(body, captured_at=CAPTURED)
    assert [p.platform_post_id for p in page.posts] == ["1", "2", "3"]
    assert len(page.accounts) == 1  # one author, one account record
    assert page.has_more is False and page.cursor is None


def test_malformed_items_are_rejected_and_the_rest_parses():
    bad_time = mblog("11", created_at="很久以前")
    bad_count = mblog("12", attitudes_count="很多")
    no_user_id = mblog("13", user={"screen_name": "无名"})
    no_id = mblog(None)
    del no_id["id"], no_id["mid"]
    body = index(
        card(mblog("10")),
        {"card_type": 9},
        card(bad_time),
        card(bad_count),
        card(no_user_id),
        card(no_id),
        "not a card",
        card(mblog("14", text=12345)),
        card(mblog("15")),
    )
    page = parse_get_index(body, captured_at=CAPTURED)
    assert [p.platform_post_id for p in page.posts] == ["10", "15"]
    reasons = [r.reason for r in page.rejects]
    assert len(reasons) == 7
    assert reasons[0] == "card_type 9 without mblog"
    assert reasons[1].startswith("created_at: cannot parse time '很久以前'")
    assert reasons[2].startswith("attitudes_count: cannot parse count '很多'")
    assert reasons[3] == "user.id: missing"
    assert reasons[4] == "mblog.id: missing"
    assert reasons[5] == "card: expected an object"
    assert reasons[6].startswith("text: expected a string")
    assert page.rejects[1].location == "data.cards[2].mblog"
    assert json.loads(page.rejects[2].payload)["attitudes_count"] == "很多"
    assert all(r.platform == "weibo" for r in page.rejects)


def test_count_strings_and_missing_metrics():
    m = mblog(
        attitudes_count="100万+",
        comments_count="1.2万",
        user=user(followers_count="152.1万"),
    )
    del m["reposts_count"]
    (post,) = parse_get_index(index(card(m)), captured_at=CAPTURED).posts
    assert post.metrics.likes == 1_000_000
    assert post.metrics.comments == 12_000
    assert post.metrics.shares is None
    assert post.followers_at_capture == 1_521_000
    m = mblog(user=user(followers_count=None, followers_count_str="3.4万"))
    page = parse_get_index(index(card(m)), captured_at=CAPTURED)
    assert page.accounts[0].followers == 34_000
    m = mblog(user=user(verified=False, verified_type=-1, followers_count=None))
    page = parse_get_index(index(card(m)), captured_at=CAPTURED)
    acc = page.accounts[0]
    assert (acc.verified, acc.verify_type, acc.followers) == (False, None, None)
    assert page.posts[0].followers_at_capture is None


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        ("刚刚", CAPTURED),
        ("5分钟前", CAPTURED - timedelta(minutes=5)),
        ("3小时前", CAPTURED - timedelta(hours=3)),
        ("昨天 12:30", datetime(2024, 9, 19, 4, 30, tzinfo=UTC)),
        ("09-14", datetime(2024, 9, 13, 16, 0, tzinfo=UTC)),
        ("2023-12-31", datetime(2023, 12, 30, 16, 0, tzinfo=UTC)),
        ("Sat Sep 14 10:00:00 +0800 2024", datetime(2024, 9, 14, 2, 0, tzinfo=UTC)),
    ],
)
def test_weibo_time_forms(created_at, expected):
    # "500" encodes no time, so a display text decides; a real mid would (test_weibo_real2.py)
    body = index(card(mblog("500", created_at=created_at)))
    (post,) = parse_get_index(body, captured_at=CAPTURED).posts
    assert post.published_at == expected
    full = created_at.endswith("+0800 2024")
    assert post.published_at_source == ("field" if full else "display")


def test_video_page_info():
    info = {
        "type": "video",
        "title": "台风科普",
        "play_count": "1.2万次播放",
        "media_info": {"duration": 61.7, "stream_url": "https://f.video.weibocdn.com/x.mp4"},
    }
    (post,) = parse_get_index(index(card(mblog(page_info=info))), captured_at=CAPTURED).posts
    assert (post.content_type, post.title, post.duration_s) == ("video", "台风科普", 62)
    assert post.metrics.views == 12_000
    info["media_info"]["online_users_number"] = 12_345  # the exact figure wins
    (post,) = parse_get_index(index(card(mblog(page_info=info))), captured_at=CAPTURED).posts
    assert post.metrics.views == 12_345
    info = {"type": "video", "media_info": {"duration": "abc"}}
    page = parse_get_index(index(card(mblog(page_info=info))), captured_at=CAPTURED)
    assert page.posts == [] and "duration" in page.rejects[0].reason
    article = {"type": "article", "page_title": "一篇长文章"}
    (post,) = parse_get_index(index(card(mblog(page_info=article))), captured_at=CAPTURED).posts
    assert (post.content_type, post.title) == ("article", "一篇长文章")


def test_repost_emits_its_original():
    original = mblog("100", user=user(id=2803301701, screen_name="科普广东", verified_type=7))
    repost = mblog("200", text="转发微博", retweeted_status=original, user=user(id=6543210987))
    page = parse_get_index(
        index(card(repost), card(mblog("300", retweeted_status=original))), captured_at=CAPTURED
    )
    by_id = {p.platform_post_id: p for p in page.posts}
    assert list(by_id) == ["100", "200", "300"]  # the original once, before its reposts
    assert by_id["200"].content_type == "repost" and by_id["200"].repost_of == "100"
    assert by_id["100"].repost_of is None and by_id["100"].account_uid == "2803301701"
    assert {a.platform_uid: a.verify_type for a in page.accounts}["2803301701"] == "7"


def test_repost_of_a_deleted_original_and_a_malformed_original():
    gone = {
        "id": "100",
        "mid": "100",
        "user": None,
        "text": '抱歉，此微博已被作者删除。查看帮助：<a href="https://t.cn/x">网页链接</a>',
    }
    page = parse_get_index(index(card(mblog("200", retweeted_status=gone))), captured_at=CAPTURED)
    by_id = {p.platform_post_id: p for p in page.posts}
    assert by_id["100"].deleted is True and by_id["100"].account_uid is None
    assert by_id["100"].text == "抱歉，此微博已被作者删除。查看帮助：网页链接"
    assert by_id["200"].repost_of == "100"
    broken = mblog("101", created_at="???")
    page = parse_get_index(index(card(mblog("201", retweeted_status=broken))), captured_at=CAPTURED)
    assert [p.platform_post_id for p in page.posts] == ["201"]
    assert page.posts[0].repost_of == "101"
    assert page.rejects[0].location == "data.cards[0].mblog.retweeted_status"


def test_long_texts_fill_cut_posts_and_their_tags():
    cut = mblog(
        "500", isLongText=True, text='开头的话...<a href="/status/4069372986738497">全文</a>'
    )
    (post,) = parse_get_index(index(card(cut)), captured_at=CAPTURED).posts
    assert post.text == "开头的话..."  # the 全文 link is navigation, not text
    assert post.hashtags == []
    full = {"500": "开头的话，后面还有很多 #千万IP创科普#"}
    (post,) = parse_get_index(index(card(cut)), captured_at=CAPTURED, long_texts=full).posts
    assert post.text == "开头的话，后面还有很多 #千万IP创科普#"
    assert post.hashtags == ["#千万IP创科普#"]
    by_bid = {"Gb0Aq7Vwh": "按 mblogid 找到的全文"}
    (post,) = parse_get_index(index(card(cut)), captured_at=CAPTURED, long_texts=by_bid).posts
    assert post.text == "按 mblogid 找到的全文"


def test_long_text_requests_lists_cut_posts_and_originals():
    original = mblog("100", isLongText=True, bid="AAAA1")
    embedded = mblog("300", isLongText=True, longText={"longTextContent": "全文在这里"})
    body = index(
        card(mblog("200", retweeted_status=original, isLongText=True, bid="BBBB2")),
        card(embedded),
        card(mblog("400")),
    )
    assert long_text_requests(body) == [("100", "AAAA1"), ("200", "BBBB2")]
    (post,) = [
        p for p in parse_get_index(body, captured_at=CAPTURED).posts if p.platform_post_id == "300"
    ]
    assert post.text == "全文在这里"
    assert long_text_requests({"ok": 1}) == []
    assert long_text_requests("junk") == []


def test_profile_container_user_info():
    body = {"ok": 1, "data": {"userInfo": user(followers_count="152.1万"), "tabsInfo": {}}}
    page = parse_get_index(body, captured_at=CAPTURED)
    assert page.accounts[0].followers == 1_521_000
    assert page.has_more is False


def test_end_of_results_and_bodies_that_are_not_weibo_pages():
    end = {"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}
    page = parse_get_index(end, captured_at=CAPTURED)
    assert page.posts == [] and page.has_more is False
    assert parse_get_index(index(), captured_at=CAPTURED).has_more is False
    with pytest.raises(ParseError, match="ok=-100"):
        parse_get_index(
            {"ok": -100, "url": "https://passport.weibo.com/sso/signin"}, captured_at=CAPTURED
        )
    with pytest.raises(ParseError, match="expected a JSON object"):
        parse_get_index(["cards"], captured_at=CAPTURED)
    with pytest.raises(ParseError, match="not a list"):
        parse_get_index({"ok": 1, "data": {"cards": {}}}, captured_at=CAPTURED)
    with pytest.raises(ParseError, match="profile/info"):
        parse_profile_info({"ok": 0}, captured_at=CAPTURED)
    with pytest.raises(ParseError, match="data.user"):
        parse_profile_info({"ok": 1, "data": {}}, captured_at=CAPTURED)


def test_source_is_carried():
    (post,) = parse_get_index(index(card(mblog())), captured_at=CAPTURED, source="capture").posts
    assert post.source == "capture"


# --- statuses/show -------------------------------------------------------------------------


def test_status_show_in_the_weibo_com_shape():
    status = {
        "created_at": "Wed Feb 01 17:05:36 +0800 2017",
        "id": 4069372986738497,
        "idstr": "4069372986738497",
        "mblogid": "Es2Wi3Yzq",
        "text": '长文 <a href="/n/x">@x</a>',
        "text_raw": "长文 @x #千万IP创科普#",
        "topic_struct": [{"topic_title": "千万IP创科普"}],
        "reposts_count": 5,
        "comments_count": 6,
        "attitudes_count": 7,
        "reads_count": 800,
        "pic_infos": {"a": {}},
        "user": {"id": 1974576991, "idstr": "1974576991", "screen_name": "环球时报"},
        "ok": 1,
    }
    page = parse_status_show(status, captured_at=CAPTURED)
    (post,) = page.posts
    assert post.platform_post_id == "4069372986738497"
    assert post.published_at == datetime(2017, 2, 1, 9, 5, 36, tzinfo=UTC)
    assert post.text == "长文 @x #千万IP创科普#"
    assert post.hashtags == ["#千万IP创科普#"]
    assert post.content_type == "image"
    assert (post.metrics.views, post.metrics.likes) == (800, 7)
    assert page.accounts[0].verified is None  # the body does not say
    wrapped = parse_status_show({"ok": 1, "data": status}, captured_at=CAPTURED)
    assert wrapped.posts[0].platform_post_id == "4069372986738497"


def test_status_show_not_found():
    gone = {"ok": 0, "message": "该微博不存在", "error_code": 20101}
    page = parse_status_show(gone, captured_at=CAPTURED, post_id="9")
    assert page.posts[0].deleted is True and page.posts[0].platform_post_id == "9"
    assert parse_status_show(gone, captured_at=CAPTURED).posts == []
    with pytest.raises(ParseError, match="statuses/show"):
        parse_status_show({"ok": 0, "message": "系统繁忙"}, captured_at=CAPTURED)


# --- routing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://m.weibo.cn/api/container/getIndex?containerid=100103type%3D61", "getIndex"),
        ("http://127.0.0.1:8123/weibo/api/container/getIndex?page=2", "getIndex"),
        ("https://weibo.com/ajax/statuses/longtext?id=Gb0Aq7Vwh", "statuses/longtext"),
        ("http://127.0.0.1:8123/weibo/ajax/statuses/longtext?id=x", "statuses/longtext"),
        ("https://weibo.com/ajax/statuses/show?id=4069372986738497", "statuses/show"),
        ("https://weibo.com/ajax/profile/info?uid=1959830294&scene=profile", "profile/info"),
    ],
)
def test_endpoints_route_real_and_simulator_urls(url, name):
    assert [e.name for e in ENDPOINTS if e.matches(url)] == [name]
    assert all(e.platform == "weibo" for e in ENDPOINTS)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.zhihu.com/api/v4/search_v3?q=x",
        "https://m.weibo.cn/api/container/getIndexFoo",
        "https://example.com/api/container/getIndex",
        "https://weibo.com/ajax/profile/infos",
    ],
)
def test_endpoints_ignore_other_urls(url):
    assert not any(e.matches(url) for e in ENDPOINTS)
