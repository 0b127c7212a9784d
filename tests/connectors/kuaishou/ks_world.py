"""A tiny simulated world for the Kuaishou tests: a fake ``SimContext`` and a handful of posts.

The context and the httpx glue are shared with the other platforms' tests (``simworlds``); the
accounts and posts here are Kuaishou's.
"""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import respx
from simworlds import NOW, respx_http, sim_request, to_httpx
from simworlds import CountingContext as FakeContext

from tracker.sim.model import SimAccount, SimMetrics, SimPost
from tracker.sim.platforms.kuaishou import SIM

__all__ = [
    "NOW",
    "FakeContext",
    "Platform",
    "accounts",
    "live_connector",
    "make_posts",
    "respx_http",
    "serve",
    "sim_request",
    "to_httpx",
]

PLATFORM = "kuaishou"


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


def live_connector():  # type: ignore[no-untyped-def]
    """A live Kuaishou connector for respx: the dev signer, a test cookie, no waiting."""
    from connectors.kuaishou.client import KuaishouConnector

    http = respx_http("kuaishou", "https://www.kuaishou.com", "did=web_test", max_attempts=2)
    return KuaishouConnector(http, now=lambda: NOW)


class Platform:
    """The simulator module on the real base URL; ``profile`` may replace profile answers."""

    def __init__(self, profile) -> None:  # type: ignore[no-untyped-def]
        self.ctx = FakeContext(make_posts())
        self.profile = profile
        self.profiles: list[str] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body.get("operationName") == "visionProfile":
            uid = body["variables"]["userId"]
            self.profiles.append(uid)
            answer = self.profile(uid, len(self.profiles))
            if answer is not None:
                return answer
        sim = sim_request(request)
        for route in SIM.routes():
            if route.method == request.method and route.pattern.match(sim.path):
                return to_httpx(route.handler(sim, self.ctx))
        return httpx.Response(404, json={"result": 404})


def serve(profile=lambda uid, n: None) -> tuple[Platform, respx.MockRouter]:  # type: ignore[no-untyped-def]
    """The simulator module under respx; ``profile(uid, n)`` may replace the n-th profile
    answer, and ``Platform.profiles`` records each profile read's user id."""
    platform = Platform(profile)
    mock = respx.mock(assert_all_called=False)
    mock.post(url__regex=r"^https://www\.kuaishou\.com/.*").mock(side_effect=platform.handle)
    return platform, mock
