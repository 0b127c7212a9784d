"""The Zhihu simulator module: signed endpoints in the real shapes, read back by the parsers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from zhihu_fakes import NOW, ROUNDTABLE, TAG, FakeContext, request, signed, world

from connectors.zhihu.parse import (
    body_error,
    hot_questions,
    parse_detail,
    parse_question_answers,
    parse_roundtable_hot_questions,
    parse_search_v3,
)
from tracker.normalize.tags import tag_key
from tracker.sim.platforms.zhihu import SIM, render_object


def _route(path: str):
    return next(r for r in SIM.routes() if r.pattern.match(path))


def call(path: str, ctx: FakeContext, **query: str):
    return _route(path).handler(signed(path, **query), ctx)


def _search_all(ctx: FakeContext, limit: int = 10):
    records, accounts, bodies = {}, {}, []
    offset = 0
    while True:
        response = call(
            "/api/v4/search_v3", ctx, q=TAG, t="general", offset=str(offset), limit=str(limit)
        )
        assert response.status == 200
        bodies.append(response.body)
        page = parse_search_v3(response.body, captured_at=ctx.now)
        assert page.rejects == []
        records.update({p.platform_post_id: p for p in page.posts})
        accounts.update({a.platform_uid: a for a in page.accounts})
        if not page.has_more:
            return records, accounts, bodies
        offset = int(page.cursor)


def test_search_pages_read_back_to_the_sim_works():
    sim_works = world()
    ctx = FakeContext(sim_works)
    records, accounts, bodies = _search_all(ctx)
    visible = [w for w in sim_works if not w.deleted and TAG in w.hashtags]
    assert set(records) == {w.post_id for w in visible}
    assert len(visible) == 30
    assert len(bodies) == 3  # 30 works at 10 a page
    assert bodies[0]["paging"]["totals"] == len(visible)
    assert bodies[0]["data"][0]["type"] == "relevant_query"
    assert bodies[-1]["paging"]["is_end"] is True
    for sim in visible:
        got = records[sim.post_id]
        assert got.account_uid == sim.account.uid
        assert got.title == sim.title
        assert got.text == sim.text
        assert got.published_at == sim.published_at
        assert got.content_type == sim.content_type
        assert (got.metrics.likes, got.metrics.comments) == (
            sim.metrics.likes,
            sim.metrics.comments,
        )
        assert got.metrics.views is None and got.metrics.shares is None
        assert got.duration_s == sim.duration_s
        assert got.followers_at_capture == sim.account.followers
        assert {tag_key(h) for h in sim.hashtags} <= {tag_key(h) for h in got.hashtags}
        if sim.content_type == "answer":
            qid = sim.extra["question_id"]
            assert got.url == f"https://www.zhihu.com/question/{qid}/answer/{sim.post_id}"
            assert got.context == {"question_id": qid}
        acc = accounts[sim.account.uid]
        assert (acc.name, acc.followers, acc.verified, acc.verify_type) == (
            sim.account.name,
            sim.account.followers,
            sim.account.verified,
            sim.account.verify_type,
        )
    assert records["1002"].url == "https://zhuanlan.zhihu.com/p/1002"
    assert records["1003"].url == "https://www.zhihu.com/zvideo/1003"
    assert records["1004"].title.startswith("<img src=x onerror=alert(1)>")  # kept as text


def test_search_marks_hits_with_em():
    ctx = FakeContext(world())
    body = call("/api/v4/search_v3", ctx, q="黑洞", offset="0", limit="20").body
    assert body["paging"]["totals"] == 0 and body["data"][0]["type"] == "relevant_query"
    body = call("/api/v4/search_v3", ctx, q=TAG, offset="0", limit="50").body
    assert len(body["data"]) == 21  # limit capped at 20, plus the furniture item
    answer = next(d for d in body["data"] if d.get("object", {}).get("id") == 1001)
    assert "<em>千万IP创科普</em>" in answer["highlight"]["description"]
    assert "question" in answer["object"] and "name" in answer["object"]["question"]
    zvideo = next(d for d in body["data"] if d.get("object", {}).get("type") == "zvideo")
    assert zvideo["type"] == "zvideo"
    empty = call("/api/v4/search_v3", ctx, q="  ").body
    assert empty["paging"]["is_end"] is True


def test_unsigned_or_badly_signed_requests_are_blocked():
    ctx = FakeContext(world())
    route = _route("/api/v4/search_v3")
    unsigned = route.handler(request("/api/v4/search_v3", q=TAG), ctx)
    assert unsigned.status == 403
    assert body_error(unsigned.body).code == 10003
    forged = route.handler(request("/api/v4/search_v3", {"x-zse-96": "2.0_bad"}, q=TAG), ctx)
    assert forged.status == 403
    tampered = signed("/api/v4/search_v3", q=TAG)
    tampered = type(tampered)("GET", tampered.path, {"q": "别的"}, tampered.headers)
    assert route.handler(tampered, ctx).status == 403


def test_roundtable_hot_questions_and_their_answers():
    ctx = FakeContext(world())
    path = f"/api/v4/roundtables/{ROUNDTABLE}/hot-questions"
    body = call(path, ctx, offset="0", limit="1").body
    assert body["paging"]["is_end"] is False and body["paging"]["totals"] == 2
    questions = hot_questions(body)
    assert [(q.question_id, q.title) for q in questions] == [
        ("24730046", "在实验室工作是怎样一番体验？")
    ]
    page = parse_roundtable_hot_questions(body, captured_at=NOW)
    assert page.posts == [] and page.has_more is True and page.cursor == "1"
    rest = hot_questions(call(path, ctx, offset="1", limit="5").body)
    assert [q.question_id for q in rest] == ["29174460"]
    assert f"__roundtable__:{ROUNDTABLE}" in ctx.queries

    expected = {
        w.post_id
        for w in world()
        if w.extra.get("roundtable_id") == ROUNDTABLE and w.extra["question_id"] == "24730046"
    }
    got = {}
    offset = 0
    while True:
        body = call("/api/v4/questions/24730046/answers", ctx, offset=str(offset), limit="5").body
        page = parse_question_answers(
            body, captured_at=NOW, roundtable_id=ROUNDTABLE, question_id="24730046"
        )
        got.update({p.platform_post_id: p for p in page.posts})
        if not page.has_more:
            break
        offset = int(page.cursor)
    # the question also has answers outside the roundtable: the question lists them all
    assert expected < set(got)
    assert all(p.context["roundtable_id"] == ROUNDTABLE for p in got.values())
    assert all(p.context["question_id"] == "24730046" for p in got.values())
    assert got["2010"].title == "在实验室工作是怎样一番体验？"


def test_question_feeds_shape():
    ctx = FakeContext(world())
    body = call("/api/v4/questions/29174460/feeds", ctx, offset="0", limit="20").body
    assert body["data"][0]["target_type"] == "answer"
    page = parse_question_answers(body, captured_at=NOW)
    assert len(page.posts) == len(body["data"]) > 0
    assert page.has_more is False


def test_details_and_not_found():
    ctx = FakeContext(world())
    body = call("/api/v4/articles/1002", ctx).body
    (got,) = parse_detail(body, captured_at=NOW).posts
    assert (got.platform_post_id, got.title, got.metrics.likes) == ("1002", "台风为什么会转弯", 120)
    assert got.text == f"第一段\n第二段 {TAG}"
    zvideo = parse_detail(call("/api/v4/zvideos/1003", ctx).body, captured_at=NOW).posts[0]
    assert (zvideo.content_type, zvideo.duration_s) == ("video", 183)
    assert call("/api/v4/answers/1002", ctx).status == 404  # an article is not an answer
    gone = call("/api/v4/answers/1005", ctx)
    assert gone.status == 404
    deleted = parse_detail(gone.body, captured_at=NOW, post_id="1005").posts[0]
    assert deleted.deleted is True


def test_render_object_leaves_out_metrics_the_world_hides():
    (work,) = [w for w in world() if w.post_id == "1007"]
    obj = render_object(work)
    assert "voteup_count" not in obj and obj["comment_count"] == 0
    assert obj["question"]["title"] == "黑洞会蒸发吗？"
    assert obj["created_time"] == int((NOW - timedelta(days=2)).timestamp()) == 1726660800


def test_failure_signals_are_zhihus_own():
    throttle = SIM.throttle_response()
    assert throttle.status == 429 and throttle.headers["Retry-After"] == "1"
    wall = SIM.login_wall_response()
    assert wall.status == 401 and body_error(wall.body).code == 101
    block = SIM.block_response()
    assert block.status == 200 and body_error(block.body).code == 40362


@pytest.mark.parametrize(
    "path",
    [
        "/api/v4/search_v3",
        "/api/v4/roundtables/qianwan-ip/hot-questions",
        "/api/v4/questions/1/answers",
        "/api/v4/questions/1/feeds",
        "/api/v4/answers/1",
        "/api/v4/articles/1",
        "/api/v4/zvideos/1",
    ],
)
def test_routes_cover_the_served_paths(path):
    assert any(r.pattern.match(path) for r in SIM.routes())
