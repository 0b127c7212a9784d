"""A tiny simulated Weibo world for the Weibo tests: a fake ``SimContext`` and known posts.

The simulator core is tested elsewhere; these tests need only a context that answers
``search``/``post``/``account`` deterministically so the platform module's pages can be read back
and compared with the ``SimPost`` values they were rendered from.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from simworlds import CountingContext

from tracker.normalize.tags import tag_key
from tracker.sim.model import SimAccount, SimMetrics, SimPost, SimRequest

NOW = datetime(2024, 9, 20, 12, 0, tzinfo=UTC)
TAG = "#千万IP创科普#"


def mid_at(when: datetime, n: int) -> str:
    """A mid that encodes ``when`` as real mids do (``(mid >> 22) + 515483463`` Unix seconds).

    Needed for posts the realtime channel shows with a display time ("5分钟前"): the parser then
    takes the time from the mid, so a mid that encodes another time would move the post.
    """
    return str(((int(when.timestamp()) - 515_483_463) << 22) + n)


RECENT_AGE = timedelta(minutes=5, seconds=30)
RECENT_MID = mid_at(NOW - RECENT_AGE, 6)
"""The one post young enough for a display time in the realtime channel."""


class FakeContext(CountingContext):
    """``SimContext`` over a fixed list of posts: visible ones, newest first, matched by tag key."""

    def search(self, platform, query, *, offset, limit, since=None, until=None):
        key = tag_key(query)
        hits = [
            p
            for p in self.posts
            if p.platform == platform
            and not p.deleted
            and p.published_at <= self.now
            and key in {tag_key(h) for h in p.hashtags}
        ]
        hits.sort(key=lambda p: p.published_at, reverse=True)
        return hits[offset : offset + limit], len(hits)


def account(
    uid: str = "1959830294",
    name: str = "汪有",
    followers: int = 1520885,
    verified: bool = True,
    verify_type: str | None = "0",
) -> SimAccount:
    return SimAccount("weibo", uid, name, followers, verified, verify_type, None, uid)


def post(
    mid: str,
    *,
    text: str,
    hashtags: tuple[str, ...] = (TAG,),
    content_type: str = "text",
    age: timedelta = timedelta(days=2),
    likes: int | None = 10,
    comments: int | None = 2,
    shares: int | None = 3,
    views: int | None = None,
    who: SimAccount | None = None,
    **kwargs: Any,
) -> SimPost:
    return SimPost(
        platform="weibo",
        post_id=mid,
        account=who or account(),
        title=kwargs.pop("title", ""),
        text=text,
        hashtags=hashtags,
        content_type=content_type,
        published_at=NOW - age,
        duration_s=kwargs.pop("duration_s", None),
        metrics=SimMetrics(views, likes, comments, shares, None),
        matches_campaign=True,
        **kwargs,
    )


def request(path: str, **query: str) -> SimRequest:
    return SimRequest("GET", path, query, {})


def world() -> list[SimPost]:
    """Twenty-odd campaign posts of every Weibo kind, plus a near miss and a deleted one."""
    other = account("2803301701", "科普广东", 88_000, True, "7")
    plain = account("6543210987", "小明爱科学", 37, False, None)
    original = post("5078100000000001", text=f"【黑洞】黑洞会蒸发吗？ {TAG}", age=timedelta(days=5))
    posts = [
        original,
        post(
            "5078100000000002",
            text="【长文】" + "科学" * 90 + f" 最后才写话题 {TAG}",
            long_text=True,
            age=timedelta(days=1, hours=2),
        ),
        post(
            "5078100000000003",
            text=f"{TAG} 今天做了个小实验",
            content_type="image",
            who=plain,
            likes=0,
            comments=0,
            shares=0,
        ),
        post(
            "5078100000000004",
            text=f"台风来了怎么办 {TAG} #防灾减灾#",
            hashtags=(TAG, "#防灾减灾#"),
            content_type="video",
            duration_s=95,
            views=123_456,
            title="台风科普",
            who=other,
        ),
        post(
            "5078100000000005",
            text="转发理由：好！ " + TAG,
            content_type="repost",
            repost_of=original,
            who=plain,
            age=timedelta(hours=3),
        ),
        post(RECENT_MID, text=f"刚发的 {TAG}", age=RECENT_AGE),
        post("5078100000000007", text=f"已删除 {TAG}", deleted=True),
        post(
            "5078100000000008", text="#千万IP创科普大赛# 别的比赛", hashtags=("#千万IP创科普大赛#",)
        ),
        post("5078100000000009", text="a < b & c > d 的科普 " + TAG, likes=None),
    ]
    for i in range(10, 26):
        posts.append(
            post(
                f"50781000000000{i}",
                text=f"第{i}条 {TAG}",
                age=timedelta(days=3, minutes=i),
                likes=i * 100,
                who=other if i % 2 else plain,
            )
        )
    return posts


def sim_handler(sim, ctx, *, prefix: str = ""):
    """A respx side effect answering requests with ``sim``'s routes over ``ctx``."""
    import json

    import httpx

    def handle(req: httpx.Request) -> httpx.Response:
        path = req.url.path[len(prefix) :] if prefix else req.url.path
        query = dict(parse_qsl(req.url.query.decode("ascii"), keep_blank_values=True))
        sim_req = SimRequest(req.method, path, query, dict(req.headers), req.content)
        for route in sim.routes():
            if route.method == req.method and route.pattern.match(path):
                answer = route.handler(sim_req, ctx)
                if isinstance(answer.body, dict | list):
                    content = json.dumps(answer.body, ensure_ascii=False).encode("utf-8")
                else:
                    content = answer.body or b""
                headers = {"content-type": answer.content_type, **answer.headers}
                return httpx.Response(answer.status, content=content, headers=headers)
        return httpx.Response(404, text="no route")

    return handle


def connector(**kwargs: Any) -> Any:
    """A live Weibo connector for respx: a test cookie, two attempts, no waiting."""
    from connectors.weibo.client import WeiboConnector
    from tracker.http import HttpClient, HttpSettings

    http = HttpClient(
        "weibo",
        "https://m.weibo.cn",
        settings=HttpSettings(
            cookie_env="TRACKER_WEIBO_COOKIE",
            cookie_domains=("weibo.com",),
            throttle_statuses=frozenset({418, 432}),
            max_attempts=2,
            backoff_initial_s=0,
        ),
        env={"TRACKER_WEIBO_COOKIE": "SUB=_2A25secret"},
        sleep=lambda s: None,
    )
    return WeiboConnector(http, now=lambda: NOW, **kwargs)
