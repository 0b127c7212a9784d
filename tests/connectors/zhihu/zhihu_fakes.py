"""A tiny simulated Zhihu world for the Zhihu tests: a fake ``SimContext`` and known works.

Besides tag searches the context answers the two membership queries the Zhihu simulator module
asks the world: ``__roundtable__:<id>`` (answers posted in a roundtable) and ``__question__:<qid>``
(answers to a question).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
from simworlds import CountingContext

from tracker.normalize.tags import tag_key
from tracker.sim.model import SimAccount, SimMetrics, SimPost, SimRequest

NOW = datetime(2024, 9, 20, 12, 0, tzinfo=UTC)
TAG = "#千万IP创科普#"
ROUNDTABLE = "qianwan-ip"


class FakeContext(CountingContext):
    """``SimContext`` over a fixed list of works: visible ones, newest first."""

    def __init__(self, posts: list[SimPost], now: datetime = NOW) -> None:
        super().__init__(posts, now)
        self.queries: list[str] = []

    def _hits(self, query: str) -> list[SimPost]:
        if query.startswith("__roundtable__:"):
            rid = query.split(":", 1)[1]
            return [p for p in self.posts if p.extra.get("roundtable_id") == rid]
        if query.startswith("__question__:"):
            qid = query.split(":", 1)[1]
            return [p for p in self.posts if p.extra.get("question_id") == qid]
        key = tag_key(query)
        return [p for p in self.posts if key in {tag_key(h) for h in p.hashtags}]

    def search(self, platform, query, *, offset, limit, since=None, until=None):
        self.queries.append(query)
        hits = [
            p
            for p in self._hits(query)
            if p.platform == platform and not p.deleted and p.published_at <= self.now
        ]
        hits.sort(key=lambda p: p.published_at, reverse=True)
        return hits[offset : offset + limit], len(hits)

    def post(self, platform, post_id):
        found = super().post(platform, post_id)
        return None if found is None or found.deleted else found


def account(
    uid: str = "kepu-xiaozhu",
    name: str = "科普小猪",
    followers: int = 62258,
    verified: bool = False,
    verify_type: str | None = None,
    member_id: str = "50ce77091510f59531e7bd6e1078d31a",
) -> SimAccount:
    return SimAccount("zhihu", uid, name, followers, verified, verify_type, None, member_id)


def work(
    post_id: str,
    *,
    content_type: str = "answer",
    title: str = "黑洞会蒸发吗？",
    text: str = f"会的，这叫霍金辐射。{TAG}",
    age: timedelta = timedelta(days=2),
    likes: int | None = 120,
    comments: int | None = 8,
    who: SimAccount | None = None,
    question: str | None = "49502870",
    roundtable: str | None = None,
    hashtags: tuple[str, ...] = (TAG,),
    **kwargs: Any,
) -> SimPost:
    extra: dict[str, str] = {}
    if content_type == "answer" and question:
        extra["question_id"] = question
    if roundtable:
        extra["roundtable_id"] = roundtable
    return SimPost(
        platform="zhihu",
        post_id=post_id,
        account=who or account(),
        title=title,
        text=text,
        hashtags=hashtags,
        content_type=content_type,
        published_at=NOW - age,
        duration_s=kwargs.pop("duration_s", None),
        metrics=SimMetrics(kwargs.pop("views", None), likes, comments, None, None),
        matches_campaign=True,
        extra=extra,
        **kwargs,
    )


def world() -> list[SimPost]:
    org = account("gd-kexie", "广东科协", 880_000, True, "org", "c8292444db0df1a2a26fc690fb55fec3")
    person = account("li-lei", "李雷", 12, True, "person", "d255219da1eece45d1ca389cd6257e64")
    works = [
        work("1001", who=org),
        work(
            "1002", content_type="article", title="台风为什么会转弯", text=f"第一段\n第二段 {TAG}"
        ),
        work("1003", content_type="video", title="三分钟看懂潮汐", duration_s=183, who=person),
        work("1004", title="<img src=x onerror=alert(1)>为什么天是蓝的？", question="61227796"),
        work("1005", text="已经删除", deleted=True),
        work("1006", hashtags=("#千万IP创科普大赛#",), text="#千万IP创科普大赛# 别的活动"),
        work("1007", likes=None, comments=0, text="a < b & c 的科普 " + TAG),
    ]
    for i in range(10, 35):
        works.append(
            work(
                f"20{i}",
                question="24730046" if i % 3 else "29174460",
                title="在实验室工作是怎样一番体验？" if i % 3 else "你见过最美的星空是什么样的？",
                roundtable=ROUNDTABLE if i < 30 else None,
                age=timedelta(days=3, minutes=i),
                likes=i,
                who=person if i % 2 else org,
            )
        )
    return works


def request(path: str, headers: dict[str, str] | None = None, **query: str) -> SimRequest:
    return SimRequest("GET", path, query, headers or {})


def signed(path: str, **query: str) -> SimRequest:
    """A request carrying the development signature, as the signer plug-in would add it."""
    from tracker.signing.dev import dev_sign

    headers = dev_sign("zhihu", query)["headers"]
    return SimRequest("GET", path, query, headers)


def sim_handler(sim, ctx, *, prefix: str = ""):
    """A respx side effect answering requests with ``sim``'s routes over ``ctx``."""

    def handle(req: httpx.Request) -> httpx.Response:
        path = req.url.path[len(prefix) :] if prefix else req.url.path
        query = dict(parse_qsl(req.url.query.decode("ascii"), keep_blank_values=True))
        sim_req = SimRequest(req.method, path, query, dict(req.headers), req.content)
        for route in sim.routes():
            if route.method == req.method and route.pattern.match(path):
                answer = route.handler(sim_req, ctx)
                content = json.dumps(answer.body, ensure_ascii=False).encode("utf-8")
                headers = {"content-type": answer.content_type, **answer.headers}
                return httpx.Response(answer.status, content=content, headers=headers)
        return httpx.Response(404, text="no route")

    return handle
