"""HttpClient over respx: retries, Retry-After, typed errors, rate limit, cookies, redirects."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx

from tracker.errors import (
    Blocked,
    ConnectorError,
    LoginRequired,
    ParseError,
    RateLimited,
)
from tracker.http import HttpClient, HttpSettings

BASE = "https://m.weibo.test"


def make_client(
    fake_time: Any, *, env: dict[str, str] | None = None, **settings: Any
) -> HttpClient:
    return HttpClient(
        "weibo",
        BASE,
        settings=HttpSettings(**settings),
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        env=env or {},
    )


def test_429_retry_after_then_503_then_200(fake_time, router: respx.MockRouter) -> None:
    route = router.get(f"{BASE}/api/container/getIndex").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(503),
            httpx.Response(200, json={"ok": 1, "data": {"cards": []}}),
        ]
    )
    with make_client(fake_time) as http:
        body = http.get_json("/api/container/getIndex", params={"page": 2})
        assert body == {"ok": 1, "data": {"cards": []}}
        assert route.call_count == 3
        assert fake_time.sleeps[0] == 7.0
        # second retry: exponential backoff 1 * 2**1 plus up to 1 s of jitter
        assert len(fake_time.sleeps) == 2
        assert 2.0 <= fake_time.sleeps[1] <= 3.0
        assert (http.stats.requests, http.stats.retries) == (3, 2)
        assert http.stats.bytes == len(b'{"ok":1,"data":{"cards":[]}}')


def test_retry_after_http_date_read_against_response_date(fake_time, router) -> None:
    router.get(f"{BASE}/x").mock(
        side_effect=[
            httpx.Response(
                503,
                headers={
                    "Date": "Wed, 21 Oct 2026 07:28:00 GMT",
                    "Retry-After": "Wed, 21 Oct 2026 07:28:42 GMT",
                },
            ),
            httpx.Response(200, json=[1, 2]),
        ]
    )
    with make_client(fake_time) as http:
        assert http.get_json("x") == [1, 2]
    assert fake_time.sleeps == [42.0]


def test_read_timeout_is_retried(fake_time, router) -> None:
    route = router.get(f"{BASE}/x").mock(
        side_effect=[httpx.ReadTimeout("timed out"), httpx.Response(200, json={"ok": 1})]
    )
    with make_client(fake_time) as http:
        assert http.get_json("/x") == {"ok": 1}
    assert route.call_count == 2
    assert len(fake_time.sleeps) == 1 and 1.0 <= fake_time.sleeps[0] <= 2.0


def test_connect_errors_exhaust_attempts_into_connector_error(fake_time, router) -> None:
    router.get(f"{BASE}/x").mock(side_effect=httpx.ConnectError("refused"))
    with make_client(fake_time, max_attempts=3) as http, pytest.raises(ConnectorError) as info:
        http.get_json("/x")
    assert type(info.value) is ConnectorError
    assert "ConnectError" in str(info.value) and "3 attempts" in str(info.value)
    assert len(fake_time.sleeps) == 2


def test_truncated_json_is_retried_then_parse_error(fake_time, router) -> None:
    route = router.get(f"{BASE}/x").mock(
        return_value=httpx.Response(
            200, content=b'{"ok":1,"data":{"cards":[', headers={"Content-Type": "application/json"}
        )
    )
    with make_client(fake_time) as http, pytest.raises(ParseError) as info:
        http.get_json("/x")
    assert route.call_count == 5
    assert len(fake_time.sleeps) == 4
    message = str(info.value)
    assert "not valid JSON" in message and "5 attempts" in message
    assert "m.weibo.test/x" in message


def test_html_error_page_instead_of_json_then_success(fake_time, router) -> None:
    router.get(f"{BASE}/x").mock(
        side_effect=[
            httpx.Response(200, html="<html>出错了</html>"),
            httpx.Response(200, json={"ok": 1}),
        ]
    )
    with make_client(fake_time) as http:
        assert http.get_json("/x") == {"ok": 1}


def test_check_rate_limited_is_retried_with_its_retry_after(fake_time, router) -> None:
    seen: list[int] = []

    def check(body: Any, response: Any) -> None:
        seen.append(response.status_code)
        if body.get("ok") == 0:
            raise RateLimited("weibo: errno 20003 (频繁)", platform="weibo", retry_after=12)

    route = router.get(f"{BASE}/x").mock(
        side_effect=[
            httpx.Response(200, json={"ok": 0, "errno": "20003"}),
            httpx.Response(200, json={"ok": 1}),
        ]
    )
    with make_client(fake_time) as http:
        assert http.get_json("/x", check=check) == {"ok": 1}
    assert route.call_count == 2 and seen == [200, 200]
    assert fake_time.sleeps == [12.0]


def test_check_login_required_is_not_retried(fake_time, router) -> None:
    def check(body: Any, response: Any) -> None:
        if body.get("ok") == -100:
            raise LoginRequired("weibo: login wall", platform="weibo", variable="WEIBO_COOKIE")

    route = router.get(f"{BASE}/x").mock(
        return_value=httpx.Response(200, json={"ok": -100, "url": "https://passport.test/signin"})
    )
    with make_client(fake_time) as http, pytest.raises(LoginRequired):
        http.get_json("/x", check=check)
    assert route.call_count == 1 and fake_time.sleeps == []


def test_check_sees_4xx_json_bodies_first(fake_time, router) -> None:
    """Zhihu answers 403 with a JSON error code: the platform check decides what it means."""

    def check(body: Any, response: Any) -> None:
        if body.get("error", {}).get("code") == 40362:
            raise Blocked("zhihu: 40362 risk control", platform="zhihu")

    router.get(f"{BASE}/x").mock(return_value=httpx.Response(403, json={"error": {"code": 40362}}))
    with make_client(fake_time, cookie_env="WEIBO_COOKIE") as http, pytest.raises(Blocked):
        http.get_json("/x", check=check)


def test_check_rate_limited_exhausted_becomes_rate_limited(fake_time, router) -> None:
    def check(body: Any, response: Any) -> None:
        raise RateLimited("weibo: still throttled", platform="weibo")

    router.get(f"{BASE}/x").mock(return_value=httpx.Response(200, json={"ok": 0}))
    with make_client(fake_time, max_attempts=2) as http, pytest.raises(RateLimited) as info:
        http.get_json("/x", check=check)
    assert "still throttled" in str(info.value) and "2 attempts" in str(info.value)


def test_403_with_cookie_env_is_login_required_naming_the_variable(fake_time, router) -> None:
    route = router.get(f"{BASE}/x").mock(return_value=httpx.Response(403, text="forbidden"))
    with make_client(fake_time, cookie_env="WEIBO_COOKIE") as http:
        with pytest.raises(LoginRequired) as info:
            http.get_json("/x")
    assert info.value.variable == "WEIBO_COOKIE"
    assert info.value.platform == "weibo"
    assert "WEIBO_COOKIE" in str(info.value) and "HTTP 403" in str(info.value)
    assert route.call_count == 1 and fake_time.sleeps == []


def test_401_without_cookie_env_is_blocked(fake_time, router) -> None:
    router.get(f"{BASE}/x").mock(return_value=httpx.Response(401))
    with make_client(fake_time) as http, pytest.raises(Blocked) as info:
        http.get_json("/x")
    assert "HTTP 401" in str(info.value)


def test_404_is_connector_error_without_retry(fake_time, router) -> None:
    route = router.get(f"{BASE}/gone").mock(return_value=httpx.Response(404))
    with make_client(fake_time) as http, pytest.raises(ConnectorError) as info:
        http.get_json("/gone")
    assert type(info.value) is ConnectorError
    assert "404" in str(info.value)
    assert route.call_count == 1


def test_redirect_on_json_endpoint_is_a_login_wall(fake_time, router) -> None:
    router.get(f"{BASE}/api/x").mock(
        return_value=httpx.Response(
            302, headers={"Location": "https://passport.weibo.test/signin?r=secret"}
        )
    )
    with make_client(fake_time, cookie_env="WEIBO_COOKIE") as http:
        with pytest.raises(LoginRequired) as info:
            http.get_json("/api/x")
    assert "passport.weibo.test/signin" in str(info.value)
    assert "secret" not in str(info.value)


def test_persistent_429_becomes_rate_limited_with_retry_after(fake_time, router) -> None:
    router.get(f"{BASE}/x").mock(return_value=httpx.Response(429, headers={"Retry-After": "2"}))
    with make_client(fake_time) as http, pytest.raises(RateLimited) as info:
        http.get_json("/x")
    assert info.value.retry_after == 2.0
    assert fake_time.sleeps == [2.0, 2.0, 2.0, 2.0]


def test_retry_after_beyond_budget_gives_up_at_once(fake_time, router) -> None:
    route = router.get(f"{BASE}/x").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "3600"})
    )
    with make_client(fake_time, max_wait_s=300) as http, pytest.raises(RateLimited) as info:
        http.get_json("/x")
    assert route.call_count == 1 and fake_time.sleeps == []
    assert info.value.retry_after == 3600.0
    assert "budget" in str(info.value)


def test_a_slow_first_attempt_spends_the_retry_budget(fake_time, router) -> None:
    """The budget starts before the first attempt is sent, not when a retry begins."""

    def slow_429(request: httpx.Request) -> httpx.Response:
        fake_time.now += 250  # the first answer took 250 s on the client's clock
        return httpx.Response(429, headers={"Retry-After": "60"})

    route = router.get(f"{BASE}/x").mock(side_effect=slow_429)
    with make_client(fake_time, max_wait_s=300) as http, pytest.raises(RateLimited) as info:
        http.get_json("/x")
    assert route.call_count == 1 and fake_time.sleeps == []
    assert "gave up after 1 attempt(s)" in str(info.value)


def test_platform_throttle_status_is_retried(fake_time, router) -> None:
    route = router.get(f"{BASE}/x").mock(
        side_effect=[httpx.Response(432), httpx.Response(200, json={"ok": 1})]
    )
    with make_client(fake_time, throttle_statuses={418, 432}) as http:
        assert http.get_json("/x") == {"ok": 1}
    assert route.call_count == 2


def test_empty_body_block_is_not_retried_like_a_transient_failure(fake_time, router) -> None:
    route = router.get(f"{BASE}/x").mock(return_value=httpx.Response(200, content=b""))
    with (
        make_client(fake_time, empty_body_blocked=True, block_retries=0) as http,
        pytest.raises(Blocked),
    ):
        http.get_json("/x")
    assert route.call_count == 1
    assert fake_time.sleeps == []


def test_a_block_that_clears_after_a_pause_gets_through(fake_time, router) -> None:
    blocked = httpx.Response(200, content=b"")
    route = router.get(f"{BASE}/x").mock(
        side_effect=[blocked, blocked, httpx.Response(200, json={"ok": 1})]
    )
    with make_client(fake_time, empty_body_blocked=True, block_pause_s=120) as http:
        assert http.get_json("/x") == {"ok": 1}
        assert (http.stats.block_pauses, http.stats.retries) == (2, 2)
        assert http.stats.by_purpose["retry"] == 2
    assert route.call_count == 3
    assert fake_time.sleeps == [120, 120]


def test_a_block_that_persists_stops_after_the_pauses_and_later_blocks_fail_at_once(
    fake_time, router
) -> None:
    """Blocks count in a row across requests: a block that did not clear after two pauses is
    not paused over again on the next request, until some request gets through."""
    blocked = httpx.Response(200, content=b"")
    x = router.get(f"{BASE}/x").mock(return_value=blocked)
    y = router.get(f"{BASE}/y").mock(side_effect=[blocked, httpx.Response(200, json={})])
    z = router.get(f"{BASE}/z").mock(
        side_effect=[blocked, blocked, httpx.Response(200, json={"z": 1})]
    )
    with make_client(fake_time, empty_body_blocked=True, block_pause_s=60) as http:
        with pytest.raises(Blocked):
            http.get_json("/x")
        assert (x.call_count, fake_time.sleeps) == (3, [60, 60])
        with pytest.raises(Blocked):
            http.get_json("/y")  # still blocked: no pause, no second try
        assert (y.call_count, fake_time.sleeps) == (1, [60, 60])
        assert http.get_json("/y") == {}  # through: the pauses are earned again
        assert http.get_json("/z") == {"z": 1}
    assert z.call_count == 3
    assert fake_time.sleeps == [60, 60, 60, 60]


def test_a_dead_login_is_never_paused_over(fake_time, router) -> None:
    route = router.get(f"{BASE}/x").mock(return_value=httpx.Response(401))
    with (
        make_client(fake_time, cookie_env="TRACKER_WEIBO_COOKIE") as http,
        pytest.raises(LoginRequired),
    ):
        http.get_json("/x")
    assert route.call_count == 1
    assert fake_time.sleeps == []


def test_every_retry_is_logged_without_query_values(fake_time, router, caplog) -> None:
    router.get(f"{BASE}/api/container/getIndex").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={})]
    )
    caplog.set_level(logging.WARNING, logger="tracker.http")
    with make_client(fake_time) as http:
        http.get_json("/api/container/getIndex", params={"containerid": "TOKEN-VALUE-1"})
    warnings = [r for r in caplog.records if r.name == "tracker.http"]
    assert len(warnings) == 1
    text = warnings[0].getMessage()
    assert warnings[0].levelno == logging.WARNING
    assert "weibo" in text and "m.weibo.test/api/container/getIndex" in text
    assert "attempt 1/5" in text and "HTTP 503" in text
    assert "TOKEN-VALUE-1" not in caplog.text


def test_rate_limit_spaces_requests_on_the_fake_clock(fake_time, router) -> None:
    sent_at: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent_at.append(fake_time.now)
        return httpx.Response(200, json={"ok": 1})

    router.get(f"{BASE}/x").mock(side_effect=answer)
    with make_client(fake_time, rate_per_s=2.0, burst=1) as http:
        for _ in range(4):
            http.get_json("/x")
    assert sent_at == [1000.0, 1000.5, 1001.0, 1001.5]
    assert fake_time.sleeps == [0.5, 0.5, 0.5]


def test_rate_limit_burst_then_steady(fake_time, router) -> None:
    sent_at: list[float] = []
    router.get(f"{BASE}/x").mock(
        side_effect=lambda request: (sent_at.append(fake_time.now), httpx.Response(200, json={}))[1]
    )
    with make_client(fake_time, rate_per_s=0.5, burst=3) as http:
        for _ in range(5):
            http.get_json("/x")
    assert sent_at == [1000.0, 1000.0, 1000.0, 1002.0, 1004.0]


def test_no_rate_limit_by_default(fake_time, router) -> None:
    router.get(f"{BASE}/x").mock(return_value=httpx.Response(200, json={}))
    with make_client(fake_time) as http:
        for _ in range(20):
            http.get_json("/x")
    assert fake_time.sleeps == []


def test_params_and_existing_query_are_sent_exactly(fake_time, router) -> None:
    route = router.get(f"{BASE}/api/search").mock(return_value=httpx.Response(200, json={}))
    with make_client(fake_time) as http:
        http.get_json(
            "/api/search?containerid=100103type%3D1%26q%3D%23x%23&page_type=searchall",
            params={"page": 2, "q": "千万 IP", "flag": True, "skip": None},
        )
    raw = route.calls.last.request.url.raw_path.decode()
    assert raw == (
        "/api/search?containerid=100103type%3D1%26q%3D%23x%23&page_type=searchall"
        "&page=2&q=%E5%8D%83%E4%B8%87%20IP&flag=true"
    )


def test_base_url_path_prefix_is_kept(fake_time, router) -> None:
    """The simulator mounts each platform under a prefix: /weibo/api/... must stay /weibo/..."""
    route = router.get("http://127.0.0.1:8000/weibo/api/x").mock(
        return_value=httpx.Response(200, json={})
    )
    http = HttpClient("weibo", "http://127.0.0.1:8000/weibo/", sleep=fake_time.sleep, env={})
    with http:
        http.get_json("/api/x")
    assert route.called


def test_post_json_sends_compact_utf8_body(fake_time, router) -> None:
    route = router.post(f"{BASE}/api/sns/web/v1/search/notes").mock(
        return_value=httpx.Response(200, json={"success": True})
    )
    with make_client(fake_time) as http:
        http.post_json("/api/sns/web/v1/search/notes", {"keyword": "千万IP创科普", "page": 1})
    request = route.calls.last.request
    assert request.content == '{"keyword":"千万IP创科普","page":1}'.encode()
    assert request.headers["content-type"] == "application/json"


def test_cookie_sent_to_platform_hosts_only_and_set_cookie_kept(fake_time, router) -> None:
    router.get(f"{BASE}/first").mock(
        return_value=httpx.Response(
            200, json={}, headers={"Set-Cookie": "buvid3=abc123; Path=/; Domain=.weibo.test"}
        )
    )
    second = router.get("https://api.weibo.test/second").mock(
        return_value=httpx.Response(200, json={})
    )
    other = router.get("https://elsewhere.test/third").mock(
        return_value=httpx.Response(200, json={})
    )
    env = {"WEIBO_COOKIE": "SUB=user-sub; _T_WM=42"}
    with make_client(fake_time, cookie_env="WEIBO_COOKIE", env=env) as http:
        assert http.has_cookie
        http.get_json("/first")
        http.get_json("https://api.weibo.test/second")
        http.get_json("https://elsewhere.test/third")
        assert http.get_cookie("buvid3") == "abc123"
    assert second.calls.last.request.headers["cookie"] == "SUB=user-sub; _T_WM=42; buvid3=abc123"
    assert "cookie" not in other.calls.last.request.headers


def test_expired_set_cookie_removes_the_cookie(fake_time, router) -> None:
    router.get(f"{BASE}/a").mock(
        return_value=httpx.Response(200, json={}, headers={"Set-Cookie": "v=1; Path=/"})
    )
    router.get(f"{BASE}/b").mock(
        return_value=httpx.Response(200, json={}, headers={"Set-Cookie": "v=gone; Max-Age=0"})
    )
    with make_client(fake_time) as http:
        http.get_json("/a")
        assert http.get_cookie("v") == "1"
        http.get_json("/b")
        assert http.get_cookie("v") is None
        assert not http.has_cookie


def test_get_text_follows_redirects(fake_time, router) -> None:
    router.get(f"{BASE}/u/1").mock(
        return_value=httpx.Response(302, headers={"Location": "/u/1/home"})
    )
    final = router.get(f"{BASE}/u/1/home").mock(
        return_value=httpx.Response(200, html="<html>主页</html>")
    )
    env = {"WEIBO_COOKIE": "SUB=x1"}
    with make_client(fake_time, cookie_env="WEIBO_COOKIE", env=env) as http:
        assert http.get_text("/u/1") == "<html>主页</html>"
    assert final.calls.last.request.headers["cookie"] == "SUB=x1"


def test_resolve_redirect_follows_short_links_without_cookie(fake_time, router) -> None:
    short = router.get("https://b23.test/AbCd12").mock(
        return_value=httpx.Response(
            302, headers={"Location": "https://www.bilibili.test/video/BV1xx411c7mD?share=1"}
        )
    )
    router.get("https://www.bilibili.test/video/BV1xx411c7mD?share=1").mock(
        return_value=httpx.Response(
            301, headers={"Location": "https://www.bilibili.test/video/BV1xx411c7mD/"}
        )
    )
    router.get("https://www.bilibili.test/video/BV1xx411c7mD/").mock(
        return_value=httpx.Response(200, html="<html>video</html>")
    )
    http = HttpClient(
        "bilibili",
        "https://api.bilibili.test",
        settings=HttpSettings(cookie_env="BILI_COOKIE"),
        sleep=fake_time.sleep,
        env={"BILI_COOKIE": "SESSDATA=s3cr3t"},
    )
    with http:
        final = http.resolve_redirect("https://b23.test/AbCd12")
    assert final == "https://www.bilibili.test/video/BV1xx411c7mD/"
    assert "cookie" not in short.calls.last.request.headers


def test_resolve_redirect_carries_a_hop_cookie_to_the_next_hop_only(fake_time, router) -> None:
    """A cookie a hop sets goes with the redirect that follows (as a browser's would), while
    hops that set none leave nothing behind; nothing of it outlives the call."""
    router.get("https://v.douyin.test/s1/").mock(
        return_value=httpx.Response(
            302, headers={"Location": "/s2/", "Set-Cookie": "ttwid=hop1; Path=/"}
        )
    )
    second = router.get("https://v.douyin.test/s2/").mock(
        return_value=httpx.Response(302, headers={"Location": "https://www.douyin.test/video/7"})
    )
    final = router.get("https://www.douyin.test/video/7").mock(return_value=httpx.Response(200))
    with make_client(fake_time) as http:
        assert http.resolve_redirect("https://v.douyin.test/s1/") == (
            "https://www.douyin.test/video/7"
        )
        assert http.get_cookie("ttwid") is None
    assert second.calls.last.request.headers["cookie"] == "ttwid=hop1"
    assert "cookie" not in final.calls.last.request.headers


def test_resolve_redirect_retries_a_5xx_short_link(fake_time, router) -> None:
    router.get("https://v.douyin.test/iRNBho6u/").mock(
        side_effect=[
            httpx.Response(502),
            httpx.Response(302, headers={"Location": "https://www.douyin.test/video/7"}),
        ]
    )
    router.get("https://www.douyin.test/video/7").mock(return_value=httpx.Response(200))
    with make_client(fake_time) as http:
        assert http.resolve_redirect("https://v.douyin.test/iRNBho6u/") == (
            "https://www.douyin.test/video/7"
        )
    assert len(fake_time.sleeps) == 1


def test_resolve_redirect_dead_link(fake_time, router) -> None:
    router.get("https://b23.test/dead").mock(return_value=httpx.Response(404))
    with make_client(fake_time) as http, pytest.raises(ConnectorError, match="HTTP 404"):
        http.resolve_redirect("https://b23.test/dead")


def test_user_agent_and_extra_headers(fake_time, router) -> None:
    route = router.get(f"{BASE}/x").mock(return_value=httpx.Response(200, json={}))
    with make_client(fake_time, extra_headers={"Referer": "https://m.weibo.test/"}) as http:
        http.get_json("/x", headers={"X-Requested-With": "XMLHttpRequest"})
    headers = route.calls.last.request.headers
    assert "Chrome/" in headers["user-agent"]
    assert headers["referer"] == "https://m.weibo.test/"
    assert headers["x-requested-with"] == "XMLHttpRequest"


def test_bad_param_type_is_a_type_error(fake_time, router) -> None:
    with make_client(fake_time) as http, pytest.raises(TypeError, match="ids"):
        http.get_json("/x", params={"ids": [1, 2]})


def test_settings_reject_unknown_fields_and_bad_signer() -> None:
    with pytest.raises(ValueError):
        HttpSettings(timeout=3)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="signer"):
        HttpSettings(signer="magic")
    assert HttpSettings(signer="").signer is None
    assert HttpSettings().rate_per_s is None and HttpSettings().max_attempts == 5


def test_stats_count_attempts(fake_time, router) -> None:
    router.get(f"{BASE}/x").mock(return_value=httpx.Response(200, content=b'{"a": 1}'))
    with make_client(fake_time) as http:
        http.get_json("/x")
        http.get_json("/x")
        assert (http.stats.requests, http.stats.retries, http.stats.bytes) == (2, 0, 16)


def test_query_parsing_helper_roundtrip() -> None:
    from tracker.http.client import merge_query

    wire, decoded = merge_query("a=1&b=x%20y", {"c": "千", "d": "e&f"})
    assert wire == "a=1&b=x%20y&c=%E5%8D%83&d=e%26f"
    assert decoded == {"a": "1", "b": "x y", "c": "千", "d": "e&f"}
    assert dict(parse_qsl(wire)) == decoded
    wire, decoded = merge_query("a=1&b=2", {"a": "9"})
    assert wire == "a=9&b=2" and decoded == {"a": "9", "b": "2"}
    assert json.dumps(decoded)


def test_fake_sleep_with_the_real_clock_does_not_spin(router) -> None:
    """How the collect service runs fast: sleep injected, clock left real."""
    slept: list[float] = []
    router.get(f"{BASE}/x").mock(return_value=httpx.Response(200, json={}))
    http = HttpClient(
        "weibo", BASE, settings=HttpSettings(rate_per_s=1.0), sleep=slept.append, env={}
    )
    with http:
        for _ in range(3):
            http.get_json("/x")
    assert len(slept) == 2 and all(0.9 <= s <= 1.0 for s in slept)


def test_only_a_response_that_sets_a_cookie_reaches_the_cookie_jar(
    fake_time, router, monkeypatch
) -> None:
    """The client skips urllib's cookie parsing for responses that set none (most of them);
    one that sets a cookie is still read, and its cookie is kept."""
    import http.cookiejar

    read: list[str] = []
    original = http.cookiejar.CookieJar.extract_cookies

    def counting(self, response, request):  # type: ignore[no-untyped-def]
        read.append(request.get_full_url())
        return original(self, response, request)

    monkeypatch.setattr(http.cookiejar.CookieJar, "extract_cookies", counting)
    router.get(f"{BASE}/plain").mock(return_value=httpx.Response(200, json={"ok": 1}))
    router.get(f"{BASE}/sets").mock(
        return_value=httpx.Response(200, json={"ok": 1}, headers={"Set-Cookie": "sid=abc; Path=/"})
    )
    with make_client(fake_time) as http_client:
        http_client.get_json("/plain")
        http_client.get_json("/plain")
        http_client.get_json("/sets")
        assert http_client.get_cookie("sid") == "abc"
    assert read == [f"{BASE}/sets"]
