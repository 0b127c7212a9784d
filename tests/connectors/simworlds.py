"""Scaffolding the connector tests share: fake simulator contexts and the httpx <-> simulator glue.

A platform module (``tracker/sim/platforms/<platform>.py``) answers through a ``SimContext``. The
simulator core (world, server) is tested elsewhere; connector tests need only a context that
answers ``search``/``post``/``account`` deterministically from known ``SimPost`` values, and a
way to serve a platform module to an httpx client through respx. The sample posts themselves are
platform data and stay in each platform's folder (``conftest.py`` ``kit``, ``*_world.py``).

Imported by name (``from simworlds import ...``): the suite runs in importlib mode, and
``tests/connectors/conftest.py`` puts this folder on ``sys.path``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from tracker.http import HttpClient, HttpSettings
from tracker.normalize.tags import extract_hashtags, tag_key
from tracker.signing.dev import DevSigner
from tracker.sim.model import SimAccount, SimPost, SimRequest, SimResponse

NOW = datetime(2024, 9, 20, 12, 0, tzinfo=UTC)


class RecordingContext:
    """Posts in memory; search by tag key, newest first, ``since``/``until`` inclusive.

    Honours ``deleted`` and finds a post by any of its ``extra`` ids or an account by ``sec_uid``,
    as the platforms with several id forms (Bilibili, Douyin) need. Every search is recorded so a
    test can check the time windows a connector asked for.
    """

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


class CountingContext:
    """``SimContext`` over a fixed list of posts, newest first, matched by tag key.

    Deleted posts are left in, so the platform module's own deleted handling is what is tested;
    only the number of searches is kept.
    """

    def __init__(self, posts: list[SimPost], now: datetime = NOW) -> None:
        self.posts = posts
        self.now = now
        self.search_calls = 0

    def search(self, platform, query, *, offset, limit, since=None, until=None):
        self.search_calls += 1
        key = tag_key(query)
        hits = [
            p
            for p in self.posts
            if p.platform == platform
            and (key in {tag_key(h) for h in p.hashtags} or key in tag_key(p.text))
        ]
        hits.sort(key=lambda p: p.published_at, reverse=True)
        return hits[offset : offset + limit], len(hits)

    def post(self, platform, post_id):
        return next(
            (p for p in self.posts if p.platform == platform and p.post_id == post_id), None
        )

    def account(self, platform, uid):
        return next(
            (p.account for p in self.posts if p.platform == platform and p.account.uid == uid),
            None,
        )

    def rng(self, *key):
        return random.Random(repr(key))


def org_account(platform: str, uid: str, **kw: Any) -> SimAccount:
    """A verified organisation account (a provincial science association); any field overridable."""
    base = dict(
        platform=platform,
        uid=uid,
        name="广东科普君",
        followers=123456,
        verified=True,
        verify_type="org",
        unit="广东省科学技术协会",
        sec_uid=uid,
    )
    base.update(kw)
    return SimAccount(**base)


def sim_request(request: httpx.Request, prefix: str = "") -> SimRequest:
    """An httpx request (from respx) as the simulator's ``SimRequest``, ``prefix`` cut off."""
    parts = urlsplit(str(request.url))
    path = parts.path[len(prefix) :] if prefix and parts.path.startswith(prefix) else parts.path
    return SimRequest(
        method=request.method,
        path=path,
        query=dict(parse_qsl(parts.query, keep_blank_values=True)),
        headers=dict(request.headers),
        body=request.content,
    )


def respx_http(
    platform: str,
    base_url: str,
    cookie: str | None,
    *,
    signer: Any = DevSigner(),  # noqa: B008 - stateless; None: no signer at all
    sleep: Callable[[float], None] = lambda _s: None,
    **settings: Any,
) -> HttpClient:
    """A client for a platform that respx serves: the dev signer, ``cookie`` in
    ``TRACKER_<P>_COOKIE`` (none: no cookie at all), no waiting, and blocks that stand
    (``block_retries=0``): these tests are about what a connector does once a block stands, and
    the HTTP layer's pause has its own tests in ``tests/http``."""
    variable = f"TRACKER_{platform.upper()}_COOKIE"
    return HttpClient(
        platform,
        base_url,
        settings=HttpSettings(**{"block_retries": 0, "cookie_env": variable, **settings}),
        signer=signer,
        sleep=sleep,
        env={} if cookie is None else {variable: cookie},
    )


def to_httpx(response: SimResponse) -> httpx.Response:
    """A ``SimResponse`` as an httpx response; a dict/list body is sent as JSON, as the server does.

    A ``content-type`` among the response's own headers wins over ``content_type``, as on the
    server.
    """
    body = response.body
    if isinstance(body, dict | list):
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    elif isinstance(body, str):
        content = body.encode("utf-8")
    else:
        content = body or b""
    headers = {"content-type": response.content_type, **response.headers}
    return httpx.Response(response.status, content=content, headers=headers)


class SimBridge:
    """A respx side effect that answers httpx requests from a simulator module, as the server does.

    ``not_found`` is the platform's own 404 body, sent for a path no route of the module matches.
    """

    def __init__(self, sim, ctx, prefix: str = "", *, not_found: Any = None) -> None:
        self.sim, self.ctx, self.prefix = sim, ctx, prefix
        self.not_found = not_found
        self.requests: list[SimRequest] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        sim_req = sim_request(request, self.prefix)
        self.requests.append(sim_req)
        for route in self.sim.routes():
            if route.method == request.method and route.pattern.match(sim_req.path):
                return to_httpx(route.handler(sim_req, self.ctx))
        return httpx.Response(404, json=self.not_found)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]
