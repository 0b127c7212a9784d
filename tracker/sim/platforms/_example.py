"""A minimal platform double for the simulator core's own tests (not a real platform).

It serves one world platform's posts in a trivial JSON shape, so the server, faults, clock and
paging can be tested over HTTP independently of the real platform modules. Mount it with
``SimServer(extra_sims={"example": ExampleSim("weibo")})``.

- ``GET /search?q=&page=&limit=`` -> ``{"ok": 1, "data": {"total", "page", "items": [...]}}``
- ``GET /post/<id>`` -> ``{"ok": 1, "data": item}`` or 404 ``{"ok": 0}``
"""

from __future__ import annotations

import re
from typing import Any

from tracker.sim.model import Route, SimContext, SimPost, SimRequest, SimResponse


def render(post: SimPost) -> dict[str, Any]:
    m = post.metrics
    return {
        "id": post.post_id,
        "uid": post.account.uid,
        "title": post.title,
        "tags": list(post.hashtags),
        "published_at": post.published_at.isoformat(),
        "views": m.views,
        "likes": m.likes,
        "comments": m.comments,
        "shares": m.shares,
        "favorites": m.favorites,
    }


class ExampleSim:
    """Serves ``data_platform``'s posts of the world under a neutral shape."""

    def __init__(self, data_platform: str = "weibo") -> None:
        self.platform = "example"
        self.data_platform = data_platform

    def routes(self) -> list[Route]:
        return [
            Route("GET", re.compile(r"/search"), self._search),
            Route("GET", re.compile(r"/post/([^/]+)"), self._post),
        ]

    def throttle_response(self) -> SimResponse:
        return SimResponse(418, {"ok": 0, "msg": "throttled"})

    def login_wall_response(self) -> SimResponse:
        return SimResponse(200, {"ok": -100, "url": "https://passport.invalid/login"})

    def block_response(self) -> SimResponse:
        return SimResponse(200, {"ok": 1, "data": {"items": [], "v_voucher": "voucher_example"}})

    def _search(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        page = max(1, int(request.query.get("page", "1")))
        limit = max(1, int(request.query.get("limit", "10")))
        posts, total = ctx.search(
            self.data_platform, request.query.get("q", ""), offset=(page - 1) * limit, limit=limit
        )
        items = [render(p) for p in posts if not p.deleted]
        return SimResponse(200, {"ok": 1, "data": {"total": total, "page": page, "items": items}})

    def _post(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        post = ctx.post(self.data_platform, request.path.rsplit("/", 1)[-1])
        if post is None:
            return SimResponse(404, {"ok": 0, "msg": "not found"})
        return SimResponse(200, {"ok": 1, "data": render(post)})


SIM = ExampleSim()
