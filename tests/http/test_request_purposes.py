"""Requests are counted by purpose: what a run or a plan spent its rate limit on."""

from __future__ import annotations

import httpx

from tracker.http.client import HttpClient
from tracker.http.settings import HttpSettings


def _client(status: list[int]) -> HttpClient:
    codes = iter(status)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(codes, 200), json={"ok": 1})

    return HttpClient(
        "weibo",
        "http://127.0.0.1:9",
        settings=HttpSettings(rate_per_s=None, max_attempts=3, backoff_initial_s=0.0),
        transport=httpx.MockTransport(handler),
        sleep=lambda _s: None,
    )


def test_requests_are_counted_under_the_purpose_of_their_block() -> None:
    http = _client([200, 200, 200, 503, 200])
    http.get_json("/list")
    with http.purpose("profile"):
        http.get_json("/profile")
        with http.purpose("detail"):
            http.get_json("/detail")
        http.get_json("/profile2")  # a 503 then a success: two attempts, one retry
    http.get_json("/list2")
    assert http.stats.by_purpose == {"listing": 2, "profile": 3, "detail": 1, "retry": 1}
    assert http.stats.requests == sum(n for p, n in http.stats.by_purpose.items() if p != "retry")
