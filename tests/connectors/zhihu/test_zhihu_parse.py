"""Zhihu parsers on the real topstory fixture (values read by hand from the file) and on
hand-built bodies in the search_v3 / question / roundtable / detail shapes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.zhihu.parse import (
    ENDPOINTS,
    body_error,
    hot_questions,
    next_offset,
    parse_detail,
    parse_feed,
    parse_question_answers,
    parse_roundtable_hot_questions,
    parse_search_v3,
    unwrap,
)
from tracker.errors import ParseError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "zhihu"
CAPTURED = datetime(2024, 9, 20, 4, 0, tzinfo=UTC)


def topstory():
    path = FIXTURES / "zhihu_api_v3_feed_topstory_recommend.json"
    return json.loads(path.read_text(encoding="utf-8"))


def author(**extra):
    base = {
        "id": "50ce77091510f59531e7bd6e1078d31a",
        "url_token": "apanguanzhang",
        "name": "阿潘館長",
        "is_org": False,
        "badge": [],
        "followers_count": 62258,
    }
    return {**base, **extra}


def answer(aid=162040459, **extra):
    base = {
        "id": aid,
        "type": "answer",
        "author": author(),
        "created_time": 1726279200,
        "updated_time": 1726279300,
        "voteup_count": 321,
        "comment_count": 12,
        "question": {
            "id": "49502870",
            "type": "question",
            "name": "<em>千万IP创科普</em>怎么参加？",
        },
        "excerpt": "摘要 <em>千万IP创科普</em>",
        "content": "<p>第一段 #千万IP创科普#</p><p>第二段</p>",
    }
    return {**base, **extra}


def result(obj, kind="search_result", **extra):
    return {"type": kind, "highlight": {"title": "高亮 <em>标题</em>"}, "object": obj, **extra}


def search(*items, is_end=False, offset=20, totals=57):
    return {
        "paging": {
            "is_end": is_end,
            "next": f"https://www.zhihu.com/api/v4/search_v3?t=general&q=x&offset={offset}&limit=20",
            "totals": totals,
        },
        "data": list(items),
    }


# --- the real fixture ----------------------------------------------------------------------


def test_topstory_fixture_answers():
    page = parse_feed(topstory(), captured_at=CAPTURED)
    assert page.rejects == []
    # 7 items: 5 answers, 1 feed_advert and 1 QUESTION_ASK (not works, skipped)
    assert [p.platform_post_id for p in page.posts] == [
        "162040459",
        "952295774",
        "926236668",
        "920412285",
        "954090084",
    ]
    first = page.posts[0]
    assert first.platform == "zhihu"
    assert first.account_uid == "apanguanzhang"
    assert first.content_type == "answer"
    assert first.title == "有哪些圈子里才知道的小秘密？"
    assert first.url == "https://www.zhihu.com/question/49502870/answer/162040459"
    assert first.published_at == datetime(2017, 4, 28, 7, 4, 18, tzinfo=UTC)  # 1493363058
    assert first.metrics.likes == 32116
    assert first.metrics.comments == 998
    assert first.metrics.views == 1565813
    assert first.metrics.shares is None and first.metrics.favorites is None
    assert first.followers_at_capture == 62258
    assert first.context == {"question_id": "49502870"}
    assert first.text.startswith(
        "申请十个微博账号和十个微信公众账号\n发的内容全都从网上直接抄一句也不问"
    )
    assert "<p>" not in first.text and "<b>" not in first.text
    second = page.posts[1]
    assert (second.account_uid, second.metrics.likes, second.metrics.comments) == (
        "banglinda",
        24106,
        3102,
    )
    assert second.metrics.views == 2462391
    assert second.title == "你见过的生性凉薄的人是怎样的？"
    assert second.published_at == datetime(2019, 12, 27, 5, 2, 6, tzinfo=UTC)  # 1577422926
    last = page.posts[-1]
    assert (last.account_uid, last.followers_at_capture, last.metrics.views) == (
        "yu-xin-a-63-30",
        612,
        1741839,
    )


def test_topstory_fixture_accounts_and_paging():
    page = parse_feed(topstory(), captured_at=CAPTURED)
    accounts = {a.platform_uid: a for a in page.accounts}
    assert list(accounts) == [
        "apanguanzhang",
        "banglinda",
        "tong-gang-zheng-19",
        "nian-zha-81",
        "yu-xin-a-63-30",
    ]
    first = accounts["apanguanzhang"]
    assert (first.name, first.followers, first.verified, first.verify_type) == (
        "阿潘館長",
        62258,
        False,
        None,
    )
    assert first.url == "https://www.zhihu.com/people/apanguanzhang"
    assert accounts["nian-zha-81"].followers == 26762
    assert page.has_more is True
    assert page.cursor == "11"  # after_id of paging.next
    assert page.claimed_total is None


def test_topstory_fixture_as_roundtable_answers_and_in_an_envelope():
    wrapped = {"code": 200, "message": "Request successful", "data": topstory()}
    assert unwrap(wrapped) == topstory()
    page = parse_question_answers(wrapped, captured_at=CAPTURED, roundtable_id="qianwan-ip")
    assert len(page.posts) == 5
    assert page.posts[2].context == {"roundtable_id": "qianwan-ip", "question_id": "24730046"}


# --- search_v3 -----------------------------------------------------------------------------


def test_search_v3_answer_article_zvideo_and_furniture():
    article = {
        "id": "668877",
        "type": "article",
        "title": "台风<em>科普</em>",
        "author": author(url_token="gd-kexie", is_org=True, badge=[], followers_count="88万"),
        "created": 1726279200,
        "voteup_count": 5,
        "comment_count": 1,
        "excerpt": "台风 &amp; 暴雨",
    }
    zvideo = {
        "id": "1500000000000000001",
        "type": "zvideo",
        "title": "潮汐",
        "description": "三分钟看懂潮汐 #千万IP创科普#",
        "published_at": 1726279200,
        "play_count": 4567,
        "voteup_count": 9,
        "comment_count": 0,
        "video": {"duration": 183},
        "author": author(url_token="li-lei", badge=[{"type": "identity", "description": "x"}]),
    }
    body = search(
        {"type": "relevant_query", "query_list": [{"query": "千万IP"}]},
        result(answer()),
        result(article),
        result(zvideo, kind="zvideo"),
        result({"id": 1, "type": "question", "title": "一个问题"}),
        result({"id": "x", "type": "people", "name": "某人"}),
    )
    page = parse_search_v3(body, captured_at=CAPTURED, source="capture")
    assert page.rejects == []
    ans, art, vid = page.posts
    assert ans.title == "千万IP创科普怎么参加？"  # <em> stripped from question.name
    assert ans.text == "第一段 #千万IP创科普#\n第二段"
    assert ans.hashtags == ["#千万IP创科普#"]
    assert ans.published_at == datetime(2024, 9, 14, 2, 0, tzinfo=UTC)
    assert ans.metrics.views is None  # search objects carry no visited_count
    assert ans.source == "capture"
    assert (art.content_type, art.title, art.text) == ("article", "台风科普", "台风 & 暴雨")
    assert art.url == "https://zhuanlan.zhihu.com/p/668877"
    assert art.followers_at_capture == 880_000
    assert (vid.content_type, vid.duration_s, vid.metrics.views) == ("video", 183, 4567)
    assert vid.url == "https://www.zhihu.com/zvideo/1500000000000000001"
    assert vid.hashtags == ["#千万IP创科普#"]
    accounts = {a.platform_uid: a for a in page.accounts}
    assert (accounts["gd-kexie"].verified, accounts["gd-kexie"].verify_type) == (
        True,
        "organization",
    )
    assert (accounts["li-lei"].verified, accounts["li-lei"].verify_type) == (True, "identity")
    assert (page.has_more, page.cursor, page.claimed_total) == (True, "20", 57)


def test_search_v3_malformed_items_are_rejected_and_the_rest_parses():
    no_id = answer()
    del no_id["id"]
    body = search(
        result(answer(1)),
        result(no_id),
        result(answer(2, created_time="昨天的某时")),
        result(answer(3, voteup_count="很多")),
        result(answer(4, author="某人")),
        result(answer(5, question=["x"])),
        result(answer(6, content=42, excerpt=None)),
        result("not an object"),
        "not an item",
        result(answer(7)),
    )
    page = parse_search_v3(body, captured_at=CAPTURED)
    assert [p.platform_post_id for p in page.posts] == ["1", "7"]
    reasons = [r.reason for r in page.rejects]
    assert reasons[0] == "answer: id missing"
    assert reasons[1].startswith("created_time: cannot parse time '昨天的某时'")
    assert reasons[2].startswith("voteup_count: cannot parse count '很多'")
    assert reasons[3] == "author: expected an object, got str"
    assert reasons[4] == "answer: question is not an object"
    assert reasons[5] == "content: expected a string, got int"
    assert reasons[6] == "item: expected an object"
    assert reasons[7] == "item: expected an object"
    assert page.rejects[2].location == "data[3].object"
    assert json.loads(page.rejects[2].payload)["voteup_count"] == "很多"
    assert len(page.rejects) == 8


def test_missing_metrics_and_anonymous_authors():
    anon = {"id": "0", "url_token": "", "name": "匿名用户"}
    obj = answer(8, author=anon)
    del obj["voteup_count"], obj["comment_count"]
    page = parse_search_v3(search(result(obj), is_end=True), captured_at=CAPTURED)
    (post,) = page.posts
    assert post.account_uid is None and page.accounts == []
    assert post.metrics.likes is None and post.metrics.comments is None
    assert post.followers_at_capture is None
    assert page.has_more is False and page.cursor is None
    obj = answer(9, author=author(followers_count=None))
    page = parse_search_v3(search(result(obj)), captured_at=CAPTURED)
    assert page.accounts[0].followers is None


def test_error_bodies_are_not_pages():
    block = {"error": {"message": "您当前请求存在异常，暂时限制本次访问", "code": 40362}}
    with pytest.raises(ParseError, match="code 40362"):
        parse_search_v3(block, captured_at=CAPTURED)
    err = body_error(block)
    assert (err.code, err.name) == (40362, None)
    assert body_error({"error": {"code": "10003"}}).code == 10003
    assert body_error({"data": []}) is None and body_error("x") is None
    with pytest.raises(ParseError, match="data is not a list"):
        parse_search_v3({"paging": {}}, captured_at=CAPTURED)
    with pytest.raises(ParseError, match="expected a JSON object"):
        parse_feed([], captured_at=CAPTURED)


def test_next_offset():
    assert next_offset({"next": "https://www.zhihu.com/api/v4/search_v3?offset=40&limit=20"}) == 40
    assert next_offset({"next": "https://www.zhihu.com/x?after_id=3"}) is None
    assert next_offset(None) is None


# --- roundtables and questions -------------------------------------------------------------


def test_hot_questions_both_shapes():
    body = {
        "data": [
            {"question": {"id": 49502870, "title": "有哪些圈子里才知道的小秘密？"}},
            {"id": "24730046", "type": "question", "title": "在英伟达工作是怎样一番体验？"},
            {"question": {"title": "没有 id"}},
            {"question": {"id": 49502870, "title": "重复"}},
        ],
        "paging": {"is_end": True, "next": ""},
    }
    assert [(q.question_id, q.title) for q in hot_questions(body)] == [
        ("49502870", "有哪些圈子里才知道的小秘密？"),
        ("24730046", "在英伟达工作是怎样一番体验？"),
    ]
    page = parse_roundtable_hot_questions(body, captured_at=CAPTURED)
    assert page.posts == [] and page.has_more is False
    assert [r.reason for r in page.rejects] == ["hot question without an id"]


def test_question_answers_listing():
    body = {
        "data": [answer(11, question={"id": 49502870, "title": "有哪些圈子里才知道的小秘密？"})],
        "paging": {
            "is_end": False,
            "next": "https://www.zhihu.com/api/v4/questions/49502870/answers?limit=5&offset=5",
            "totals": 6503,
        },
    }
    page = parse_question_answers(body, captured_at=CAPTURED, roundtable_id="rt")
    (post,) = page.posts
    assert post.title == "有哪些圈子里才知道的小秘密？"
    assert post.context == {"roundtable_id": "rt", "question_id": "49502870"}
    assert (page.cursor, page.claimed_total) == ("5", 6503)


# --- detail --------------------------------------------------------------------------------


def test_detail_bodies():
    page = parse_detail(answer(12), captured_at=CAPTURED)
    assert (
        page.posts[0].platform_post_id == "12" and page.accounts[0].platform_uid == "apanguanzhang"
    )
    gone = {"error": {"code": 404, "name": "NotFoundError", "message": "资源不存在"}}
    page = parse_detail(gone, captured_at=CAPTURED, post_id="12")
    assert page.posts[0].deleted is True and page.posts[0].platform_post_id == "12"
    assert parse_detail(gone, captured_at=CAPTURED).posts == []
    with pytest.raises(ParseError, match="code 101"):
        parse_detail({"error": {"code": 101, "message": "ZERR_NOT_LOGIN"}}, captured_at=CAPTURED)
    with pytest.raises(ParseError, match="not an answer"):
        parse_detail({"type": "question", "id": 1}, captured_at=CAPTURED)
    bad = parse_detail(answer(13, voteup_count=-1), captured_at=CAPTURED)
    assert bad.posts == [] and "negative" in bad.rejects[0].reason


# --- routing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://www.zhihu.com/api/v4/search_v3?t=general&q=x&offset=0", "search_v3"),
        ("http://127.0.0.1:8123/zhihu/api/v4/search_v3?q=x", "search_v3"),
        (
            "https://www.zhihu.com/api/v3/feed/topstory/recommend?session_token=b7&page_number=3",
            "topstory",
        ),
        ("https://www.zhihu.com/api/v4/topics/19550517/feeds/timeline_activity", "topic feeds"),
        ("https://www.zhihu.com/api/v5.1/topics/19550517/feeds/top_activity?x=1", "topic feeds"),
        ("https://api.zhihu.com/v5.1/topics/19550517/feeds/essence", "topic feeds"),
        ("https://www.zhihu.com/api/v4/questions/49502870/answers?limit=5", "question answers"),
        ("https://www.zhihu.com/api/v4/questions/49502870/feeds?cursor=x", "question answers"),
        (
            "https://www.zhihu.com/api/v4/roundtables/qianwan-ip/hot-questions?include=x",
            "roundtable hot-questions",
        ),
        ("https://www.zhihu.com/api/v4/answers/162040459", "detail"),
        ("http://127.0.0.1:8123/zhihu/api/v4/zvideos/15", "detail"),
    ],
)
def test_endpoints_route_real_and_simulator_urls(url, name):
    assert [e.name for e in ENDPOINTS if e.matches(url)] == [name]


@pytest.mark.parametrize(
    "url",
    [
        "https://m.weibo.cn/api/container/getIndex",
        "https://www.zhihu.com/api/v4/search_v3x",
        "https://www.zhihu.com/api/v4/answers/162040459/comments",
        "https://example.com/api/v4/search_v3",
    ],
)
def test_endpoints_ignore_other_urls(url):
    assert not any(e.matches(url) for e in ENDPOINTS)
