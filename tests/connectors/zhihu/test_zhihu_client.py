"""The live Zhihu connector over respx: signed search paging, roundtables, resume, refresh and
every failure signal the platform notes list (403, 10003, 40362, 101/401, missing signer)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import respx
from zhihu_fakes import NOW, ROUNDTABLE, TAG, FakeContext, sim_handler, world

from connectors.base import CollectRequest
from connectors.zhihu.client import ZhihuConnector, check_body, search_word
from tracker.errors import Blocked, LoginRequired, RateLimited, SignerMissing
from tracker.http import HttpClient, HttpSettings
from tracker.services.signers import choose_signer
from tracker.sim.platforms.zhihu import SIM

BASE = "https://www.zhihu.com"
SEARCH = f"{BASE}/api/v4/search_v3"
COOKIE = 'd_c0="AADsecretd_c0|1700000000"; z_c0=2|1:0|secretz_c0'
SEARCH_IDS = {w.post_id for w in world() if not w.deleted and TAG in w.hashtags}
ROUNDTABLE_QUESTIONS = ("24730046", "29174460")


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def make(base: str = BASE, *, signer: str | None = "dev", **kwargs):
    sleeps = Sleeps()
    http = HttpClient(
        "zhihu",
        base,
        settings=HttpSettings(cookie_env="TRACKER_ZHIHU_COOKIE", signer=signer, max_attempts=3),
        signer=choose_signer(signer),
        env={"TRACKER_ZHIHU_COOKIE": COOKIE},
        sleep=sleeps.sleep,
        clock=sleeps.clock,
    )
    return ZhihuConnector(http, now=lambda: NOW, **kwargs), sleeps


@pytest.fixture
def router():
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture
def ctx(router):
    context = FakeContext(world())
    router.route(host="www.zhihu.com").mock(side_effect=sim_handler(SIM, context))
    return context


def ids(pages) -> set[str]:
    return {p.platform_post_id for page in pages for p in page.parsed.posts}


def test_search_pages_are_signed_and_complete(router, ctx):
    connector, _ = make(page_size=10)
    tags = [TAG, "千万IP创科普", "＃千万ＩＰ创科普", "千万 ip 创科普"]
    pages = list(connector.collect(CollectRequest(tags=tags)))
    assert [p.task for p in pages] == ["search:千万IP创科普"] * 3
    assert [p.cursor for p in pages] == [
        {"task": "search:千万IP创科普", "offset": 10},
        {"task": "search:千万IP创科普", "offset": 20},
        {"done": True},
    ]
    assert ids(pages) == SEARCH_IDS
    assert pages[0].parsed.claimed_total == len(SEARCH_IDS)
    first = router.calls[0].request
    assert first.url.params["q"] == "千万IP创科普"
    assert first.url.params["offset"] == "0" and first.url.params["limit"] == "10"
    assert first.headers["x-zse-96"].startswith("2.0_")
    assert first.headers["x-zse-93"] == "101_3_3.0"
    assert first.headers["x-api-version"] == "3.0.91"
    assert first.headers["referer"].startswith("https://www.zhihu.com/search?q=")
    assert "z_c0=" in first.headers["cookie"]


def test_resume_search_from_a_cursor(router, ctx):
    connector, _ = make(page_size=10)
    pages = list(
        connector.collect(
            CollectRequest(tags=[TAG], cursor={"task": "search:千万IP创科普", "offset": 20})
        )
    )
    assert len(pages) == 1 and pages[0].cursor == {"done": True}
    assert router.calls[0].request.url.params["offset"] == "20"
    restarted = list(connector.collect(CollectRequest(tags=[TAG], cursor={"done": True})))
    assert len(restarted) == 3


def test_roundtable_answers_carry_the_roundtable(router, ctx):
    connector, _ = make(page_size=5, roundtables=(ROUNDTABLE,))
    pages = list(connector.collect(CollectRequest(tags=[])))
    expected = {w.post_id for w in world() if w.extra.get("question_id") in ROUNDTABLE_QUESTIONS}
    assert ids(pages) == expected
    assert all(p.task == f"roundtable:{ROUNDTABLE}" for p in pages)
    for page in pages:
        for post in page.parsed.posts:
            assert post.context["roundtable_id"] == ROUNDTABLE
            assert post.context["question_id"] in ROUNDTABLE_QUESTIONS
    cursors = [p.cursor for p in pages]
    assert cursors[0] == {"task": f"roundtable:{ROUNDTABLE}", "question": "24730046", "offset": 5}
    assert {"task": f"roundtable:{ROUNDTABLE}", "question": "29174460", "offset": 0} in cursors
    assert cursors[-1] == {"done": True}
    hot = [c.request for c in router.calls if c.request.url.path.endswith("hot-questions")]
    assert hot[0].headers["x-zse-96"].startswith("2.0_")


def test_roundtable_resume_and_ids_from_the_request(router, ctx):
    connector, _ = make(page_size=5)
    cursor = {"task": f"roundtable:{ROUNDTABLE}", "question": "29174460", "offset": 5}
    request = CollectRequest(tags=[TAG], cursor=cursor, extra={"zhihu_roundtables": [ROUNDTABLE]})
    pages = list(connector.collect(request))
    got = ids(pages)
    answers_29 = [w for w in world() if w.extra.get("question_id") == "29174460"]
    assert len(got) == len(answers_29) - 5
    assert all(p.task == f"roundtable:{ROUNDTABLE}" for p in pages)
    answer_calls = [c.request for c in router.calls if c.request.url.path.endswith("/answers")]
    assert answer_calls[0].url.path == "/api/v4/questions/29174460/answers"
    assert answer_calls[0].url.params["offset"] == "5"


def test_roundtable_without_questions_still_ends_with_a_cursor(router, ctx):
    connector, _ = make(roundtables=("empty-table",))
    (page,) = list(connector.collect(CollectRequest(tags=[])))
    assert page.parsed.posts == [] and page.cursor == {"done": True}


def test_since_filters_and_stops(router, ctx):
    connector, _ = make(page_size=10)
    since = NOW - timedelta(days=2, hours=1)
    pages = list(connector.collect(CollectRequest(tags=[TAG], since=since)))
    assert ids(pages) == {"1001", "1002", "1003", "1004", "1007"}
    assert len(pages) == 2  # page 2 is all older than since
    pages = list(connector.collect(CollectRequest(tags=[TAG], max_pages=1)))
    assert len(pages) == 1 and pages[0].cursor == {"done": True}


def test_missing_signer_is_a_clear_error(router):
    connector, _ = make(signer=None)
    with pytest.raises(SignerMissing, match="TRACKER_ZHIHU_SIGNER"):
        list(connector.collect(CollectRequest(tags=[TAG])))
    assert router.calls.call_count == 0


def test_rejected_signature_is_blocked(router):
    router.get(SEARCH).respond(403, json={"error": {"code": 10003, "message": "请求参数异常"}})
    connector, sleeps = make()
    with pytest.raises(Blocked, match="10003"):
        list(connector.collect(CollectRequest(tags=[TAG])))
    assert router.calls.call_count == 1 and sleeps.calls == []


def test_sim_rejects_a_wrong_signature_end_to_end(router, ctx):
    class BadSigner:
        def sign(self, request):
            return {"params": {}, "headers": {"x-zse-96": "2.0_forged"}}

    sleeps = Sleeps()
    http = HttpClient(
        "zhihu", BASE, signer=BadSigner(), sleep=sleeps.sleep, clock=sleeps.clock, env={}
    )
    with pytest.raises(Blocked, match="签名"):
        list(ZhihuConnector(http, now=lambda: NOW).collect(CollectRequest(tags=[TAG])))


def test_anti_abuse_block_under_200_is_blocked(router):
    router.get(SEARCH).respond(200, json=SIM.block_response().body)
    connector, _ = make()
    with pytest.raises(Blocked, match="40362"):
        list(connector.collect(CollectRequest(tags=[TAG])))


def test_invalid_request_headers_are_blocked(router):
    body = {
        "error": {
            "code": 100,
            "name": "AuthenticationInvalidRequest",
            "message": "请求头或参数封装错误",
        }
    }
    router.get(SEARCH).respond(401, json=body)
    connector, _ = make()
    with pytest.raises(Blocked, match="code 100"):
        list(connector.collect(CollectRequest(tags=[TAG])))


def test_not_logged_in_names_the_cookie_variable(router):
    router.get(SEARCH).respond(401, json=SIM.login_wall_response().body)
    connector, _ = make()
    with pytest.raises(LoginRequired) as info:
        list(connector.collect(CollectRequest(tags=[TAG])))
    assert info.value.variable == "TRACKER_ZHIHU_COOKIE"
    assert "TRACKER_ZHIHU_COOKIE" in str(info.value)
    assert "secret" not in str(info.value)


def test_bare_403_asks_for_a_new_cookie_and_json_403_is_blocked(router):
    route = router.get(SEARCH)
    route.respond(403, text="<html>Forbidden</html>")
    connector, _ = make()
    with pytest.raises(LoginRequired):
        list(connector.collect(CollectRequest(tags=[TAG])))
    route.respond(403, json={"data": []})
    with pytest.raises(Blocked, match="403"):
        list(connector.collect(CollectRequest(tags=[TAG])))


def test_throttle_is_retried(router):
    end = {"data": [], "paging": {"is_end": True, "next": ""}}
    router.get(SEARCH).mock(
        side_effect=[
            httpx.Response(429, json=SIM.throttle_response().body, headers={"Retry-After": "2"}),
            httpx.Response(200, json={"error": {"message": "请求过于频繁"}}),
            httpx.Response(200, json=end),
        ]
    )
    connector, sleeps = make()
    (page,) = list(connector.collect(CollectRequest(tags=[TAG])))
    assert page.parsed.has_more is False and page.cursor == {"done": True}
    assert sleeps.calls[0] == 2.0 and len(sleeps.calls) == 2


def test_persistent_throttle_raises_rate_limited(router):
    router.get(SEARCH).respond(429)
    connector, _ = make()
    with pytest.raises(RateLimited):
        list(connector.collect(CollectRequest(tags=[TAG])))


def test_refresh_finds_each_kind_and_marks_deleted(router, ctx):
    connector, _ = make(page_size=2)
    pages = list(connector.refresh(["1001", "1002", "1003", "1005"]))
    assert [p.cursor for p in pages] == [{"refresh_index": 2}, {"done": True}]
    posts = {p.platform_post_id: p for page in pages for p in page.parsed.posts}
    assert posts["1001"].content_type == "answer" and posts["1001"].metrics.likes == 120
    assert posts["1002"].content_type == "article"
    assert posts["1003"].content_type == "video" and posts["1003"].duration_s == 183
    assert posts["1005"].deleted is True
    paths = [c.request.url.path for c in router.calls]
    assert paths == [
        "/api/v4/answers/1001",
        "/api/v4/answers/1002",
        "/api/v4/articles/1002",
        "/api/v4/answers/1003",
        "/api/v4/articles/1003",
        "/api/v4/zvideos/1003",
        "/api/v4/answers/1005",
        "/api/v4/articles/1005",
        "/api/v4/zvideos/1005",
    ]


def test_refresh_without_a_signer_stops_instead_of_rejecting_every_work(router):
    """A missing signer fails every request alike: one clear stop naming the variable, not a
    "refresh failed" reject per work."""
    connector, _ = make(signer=None)
    with pytest.raises(SignerMissing, match="TRACKER_ZHIHU_SIGNER"):
        list(connector.refresh(["1001", "1002"]))
    assert router.calls.call_count == 0


def test_refresh_failure_becomes_a_reject(router):
    router.get(f"{BASE}/api/v4/answers/7").respond(500)
    connector, _ = make()
    (page,) = list(connector.refresh(["7"]))
    assert page.parsed.posts == [] and page.parsed.rejects[0].reason.startswith("refresh failed")


def test_simulator_mount(router):
    context = FakeContext(world())
    router.route(host="127.0.0.1").mock(side_effect=sim_handler(SIM, context, prefix="/zhihu"))
    connector, _ = make("http://127.0.0.1:8123/zhihu")
    assert ids(connector.collect(CollectRequest(tags=[TAG]))) == SEARCH_IDS


def test_check_body_and_search_word_directly():
    class R:
        status_code = 200

    check_body({"data": []}, R())
    with pytest.raises(Blocked, match="error answer"):
        check_body({"error": {"code": 99999, "message": "未知"}}, R())
    assert search_word(" #千万IP创科普# ") == "千万IP创科普"
    assert search_word("＃千万IP创科普") == "千万IP创科普"


def test_a_roundtable_question_ends_at_its_first_page_older_than_since(router, ctx):
    """Answers come newest first (``sort_by=created``): with ``since`` a question's paging
    stops at its first page older than it, as the tag search does (the daily collection and
    the refresh's listing pass read only what is new)."""
    connector, _ = make(page_size=5, roundtables=(ROUNDTABLE,))
    since = NOW - timedelta(days=3, minutes=20)
    pages = list(connector.collect(CollectRequest(tags=[], since=since)))
    young = {
        w.post_id
        for w in world()
        if w.extra.get("question_id") in ROUNDTABLE_QUESTIONS and w.published_at >= since
    }
    assert young and ids(pages) == young
    calls = [c.request for c in router.calls if c.request.url.path.endswith("/answers")]
    per_question = {
        q: [c for c in calls if f"/questions/{q}/" in c.url.path] for q in ROUNDTABLE_QUESTIONS
    }
    everything = list(connector.collect(CollectRequest(tags=[])))
    assert len(everything) > len(pages)
    for question, made in per_question.items():
        answers = [w for w in world() if w.extra.get("question_id") == question]
        young_here = sum(1 for w in answers if w.published_at >= since)
        # the pages holding young answers, then the one page that is all older: no more
        assert len(made) == -(-young_here // 5) + 1, (question, len(made), young_here)
