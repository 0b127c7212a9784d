"""A tiny simulated world for the Kuaishou tests: a fake ``SimContext`` and a handful of posts.

The simulator core (world, server) is tested elsewhere; these tests need only a context that
answers ``search``/``post``/``account`` deterministically, so the platform module's rendering can
be checked against known ``SimPost`` values.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import httpx

from tracker.normalize.tags import tag_key
from tracker.sim.model import SimAccount, SimMetrics, SimPost, SimRequest

NOW = datetime(2024, 9, 20, 12, 0, tzinfo=UTC)
PLATFORM = "kuaishou"


class FakeContext:
    """``SimContext`` over a fixed list of posts, newest first, matched by tag key."""

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


def accounts() -> list[SimAccount]:
    return [
        SimAccount(
            PLATFORM,
            "3xaaaa1111bbbb2",
            "广州科普君",
            1_698_123,
            True,
            "org",
            "广州市科协",
            "3xaaaa1111bbbb2",
        ),
        SimAccount(
            PLATFORM, "3xcccc3333dddd4", "深圳气象科普", 8_765, False, None, None, "3xcccc3333dddd4"
        ),
        SimAccount(
            PLATFORM, "3xeeee5555ffff6", "小小实验室", 23, False, None, None, "3xeeee5555ffff6"
        ),
    ]


def make_posts(n: int = 45) -> list[SimPost]:
    """``n`` campaign posts plus one deleted and one off-topic post, varied metrics."""
    accs = accounts()
    posts: list[SimPost] = []
    spellings = ["#千万IP创科普", "#千万ip创科普", "#千万IP创科普#"]
    for i in range(n):
        acc = accs[i % len(accs)]
        spelling = spellings[i % len(spellings)]
        text = f"第{i}期：身边的科学 {spelling} #科普"
        if i % 7 == 0:
            text = "很长的说明" * 20 + f" {spelling}"
        posts.append(
            SimPost(
                platform=PLATFORM,
                post_id=f"3x{i:04d}abcdefgh{i % 10}",
                account=acc,
                title="",
                text=text,
                hashtags=(spelling.strip("#"),) if i % 2 == 0 else (),
                content_type="video",
                published_at=NOW - timedelta(hours=3 * i, seconds=i),
                duration_s=15 + i,
                metrics=SimMetrics(
                    views=1000 * (i + 1) ** 3,
                    likes=17 * (i + 1) ** 3 + i,
                    comments=None if i == 3 else 3 * i,
                    shares=None,
                    favorites=None,
                ),
                matches_campaign=True,
            )
        )
    deleted = SimPost(
        platform=PLATFORM,
        post_id="3xdeleted0000001",
        account=accs[0],
        title="",
        text="已删除 #千万IP创科普",
        hashtags=(),
        content_type="video",
        published_at=NOW - timedelta(minutes=5),
        duration_s=10,
        metrics=SimMetrics(1, 1, 1, None, None),
        matches_campaign=True,
        deleted=True,
    )
    other = SimPost(
        platform=PLATFORM,
        post_id="3xothertopic0001",
        account=accs[1],
        title="",
        text="今天吃什么 #美食",
        hashtags=("美食",),
        content_type="video",
        published_at=NOW - timedelta(minutes=1),
        duration_s=10,
        metrics=SimMetrics(5, 5, 5, None, None),
        matches_campaign=False,
    )
    return [*posts, deleted, other]


def sim_request(request: httpx.Request, prefix: str = "") -> SimRequest:
    """An httpx request (from respx) as the simulator's ``SimRequest``."""
    parts = urlsplit(str(request.url))
    path = parts.path[len(prefix) :] if prefix and parts.path.startswith(prefix) else parts.path
    return SimRequest(
        method=request.method,
        path=path,
        query=dict(parse_qsl(parts.query, keep_blank_values=True)),
        headers=dict(request.headers),
        body=request.content,
    )


def to_httpx(response) -> httpx.Response:
    """A ``SimResponse`` as an httpx response."""
    return httpx.Response(
        response.status,
        content=json.dumps(response.body, ensure_ascii=False).encode("utf-8"),
        headers={"content-type": response.content_type, **response.headers},
    )
