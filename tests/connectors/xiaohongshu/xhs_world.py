"""A tiny simulated world for the Xiaohongshu tests: a fake ``SimContext`` and a handful of posts.

The context and the httpx glue are shared with the other platforms' tests (``simworlds``); the
accounts and posts here are Xiaohongshu's.
"""

from __future__ import annotations

from datetime import timedelta

from simworlds import NOW, respx_http, sim_request, to_httpx
from simworlds import CountingContext as FakeContext

from tracker.sim.model import SimAccount, SimMetrics, SimPost

__all__ = [
    "NOW",
    "FakeContext",
    "accounts",
    "live_connector",
    "make_posts",
    "note_id",
    "sim_request",
    "to_httpx",
]

PLATFORM = "xiaohongshu"


def accounts() -> list[SimAccount]:
    return [
        SimAccount(
            PLATFORM,
            "5c557081000000001b03e335",
            "广东科普小红薯",
            120_456,
            True,
            "org",
            "广东省科协",
            "5c557081000000001b03e335",
        ),
        SimAccount(
            PLATFORM,
            "604e1a190000000001008008",
            "化学老师王",
            8_765,
            False,
            None,
            None,
            "604e1a190000000001008008",
        ),
        SimAccount(
            PLATFORM,
            "6769346f0000000018015714",
            "星空观测站",
            23,
            False,
            None,
            None,
            "6769346f0000000018015714",
        ),
    ]


def note_id(i: int) -> str:
    return f"66{i:06x}000000001b03ebc7"


def make_posts(n: int = 45) -> list[SimPost]:
    """``n`` campaign notes (images and videos) plus one deleted and one off-topic note."""
    accs = accounts()
    posts: list[SimPost] = []
    for i in range(n):
        acc = accs[i % len(accs)]
        video = i % 3 == 0
        posts.append(
            SimPost(
                platform=PLATFORM,
                post_id=note_id(i),
                account=acc,
                title=f"第{i}期 身边的科学" if i % 4 else "",
                text=f"今天聊聊第{i}个科学问题 #千万IP创科普[话题]# #科普[话题]#",
                hashtags=("千万IP创科普", "科普"),
                content_type="video" if video else "image",
                published_at=NOW - timedelta(hours=5 * i, seconds=i),
                duration_s=20 + i if video else None,
                metrics=SimMetrics(
                    views=None,
                    likes=31 * (i + 1) ** 3 + i,
                    comments=2 * i,
                    shares=None if i == 2 else i,
                    favorites=5 * (i + 1) ** 2,
                ),
                matches_campaign=True,
                extra={"xsec_token": f"ABtok{i:04d}xyz="} if i % 2 else {},
            )
        )
    deleted = SimPost(
        platform=PLATFORM,
        post_id="66ffffff000000001b0dead0",
        account=accs[0],
        title="已删除",
        text="已删除 #千万IP创科普[话题]#",
        hashtags=("千万IP创科普",),
        content_type="image",
        published_at=NOW - timedelta(minutes=5),
        duration_s=None,
        metrics=SimMetrics(None, 1, 1, 1, 1),
        matches_campaign=True,
        deleted=True,
    )
    other = SimPost(
        platform=PLATFORM,
        post_id="66eeeeee000000001b0ff000",
        account=accs[1],
        title="美食",
        text="今天吃什么 #美食[话题]#",
        hashtags=("美食",),
        content_type="image",
        published_at=NOW - timedelta(minutes=1),
        duration_s=None,
        metrics=SimMetrics(None, 5, 5, 5, 5),
        matches_campaign=False,
    )
    return [*posts, deleted, other]


def live_connector():  # type: ignore[no-untyped-def]
    """A live Xiaohongshu connector for respx: the dev signer, a test cookie, no waiting."""
    from connectors.xiaohongshu.client import XiaohongshuConnector

    cookie = "a1=abc123456; web_session=s"
    http = respx_http("xiaohongshu", "https://edith.xiaohongshu.com", cookie, max_attempts=2)
    return XiaohongshuConnector(http, now=lambda: NOW)
