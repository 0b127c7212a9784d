"""Test helpers: a tiny in-memory SimContext and sample SimPosts (no dependency on the world).

Exposed through the ``kit`` fixture (tests run with ``--import-mode=importlib``, so they cannot
import a helper module by name).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import parse_qsl

import httpx
import pytest

from tracker.normalize.tags import extract_hashtags, tag_key
from tracker.sim.model import SimAccount, SimMetrics, SimPost, SimRequest, SimResponse


class FakeContext:
    """Posts in memory; search by tag key, newest first, ``since``/``until`` inclusive."""

    def __init__(self, posts: list[SimPost], now: datetime) -> None:
        self.posts = posts
        self.now = now
        self.searches: list[dict] = []

    def search(self, platform, query, *, offset, limit, since=None, until=None):
        self.searches.append(
            {"query": query, "offset": offset, "limit": limit, "since": since, "until": until}
        )
        key = tag_key(query)
        hits = [
            p
            for p in self.posts
            if p.platform == platform
            and not p.deleted
            and key in {tag_key(h) for h in (*p.hashtags, *extract_hashtags(p.text))}
            and (since is None or p.published_at >= since)
            and (until is None or p.published_at <= until)
        ]
        hits.sort(key=lambda p: p.published_at, reverse=True)
        return hits[offset : offset + limit], len(hits)

    def post(self, platform, post_id):
        for p in self.posts:
            if p.platform == platform and post_id in (p.post_id, *p.extra.values()):
                return p
        return None

    def account(self, platform, uid):
        for p in self.posts:
            if p.platform == platform and uid in (p.account.uid, p.account.sec_uid):
                return p.account
        return None

    def rng(self, *key):
        return random.Random("|".join(map(str, key)))


def make_account(uid: str = "415618727771", **kw) -> SimAccount:
    base = dict(
        platform="douyin",
        uid=uid,
        name="广东科普君",
        followers=123456,
        verified=True,
        verify_type="org",
        unit="广东省科学技术协会",
        sec_uid="MS4wLjABAAAA" + uid.rjust(32, "x"),
    )
    base.update(kw)
    return SimAccount(**base)


def make_post(aweme_id: int, when: datetime, *, account: SimAccount | None = None, **kw) -> SimPost:
    base = dict(
        platform="douyin",
        post_id=str(aweme_id),
        account=account or make_account(),
        title="台风为什么会转弯",
        text="台风为什么会转弯 #千万ip创科普 #科普",
        hashtags=("#千万ip创科普", "#科普"),
        content_type="video",
        published_at=when,
        duration_s=37,
        metrics=SimMetrics(views=None, likes=678, comments=90, shares=12, favorites=34),
        matches_campaign=True,
        extra={},
    )
    base.update(kw)
    return SimPost(**base)


NOW = datetime(2024, 9, 20, 12, 0, tzinfo=UTC)


def to_httpx(response: SimResponse) -> httpx.Response:
    body = response.body
    if isinstance(body, dict | list):
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    elif isinstance(body, str):
        content = body.encode("utf-8")
    else:
        content = body or b""
    headers = {**response.headers, "content-type": response.content_type}
    return httpx.Response(response.status, content=content, headers=headers)


class SimBridge:
    """A respx side effect that answers httpx requests from a simulator module, as the server does."""

    def __init__(self, sim, ctx, prefix: str = "") -> None:
        self.sim, self.ctx, self.prefix = sim, ctx, prefix
        self.requests: list[SimRequest] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(self.prefix)
        query = dict(parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True))
        sim_request = SimRequest(
            request.method, path, query, dict(request.headers), request.content
        )
        self.requests.append(sim_request)
        for route in self.sim.routes():
            if route.method == request.method and route.pattern.match(path):
                return to_httpx(route.handler(sim_request, self.ctx))
        return httpx.Response(404, json={"status_code": 404})

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]


@pytest.fixture
def kit() -> SimpleNamespace:
    return SimpleNamespace(
        NOW=NOW,
        FakeContext=FakeContext,
        SimBridge=SimBridge,
        make_account=make_account,
        make_post=make_post,
    )
