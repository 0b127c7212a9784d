"""科学号 in the simulator: one search endpoint in the platform's (made-up) JSON shape."""

from __future__ import annotations

import re

from tracker.sim.model import Route, SimContext, SimRequest, SimResponse


class KexueSim:
    platform = "kexue"

    def routes(self) -> list[Route]:
        return [Route("GET", re.compile(r"/api/search"), self._search)]

    def throttle_response(self) -> SimResponse:
        return SimResponse(429, {"code": 429})

    def login_wall_response(self) -> SimResponse:
        return SimResponse(401, {"code": 401})

    def block_response(self) -> SimResponse:
        return SimResponse(403, {"code": 403})

    def _search(self, request: SimRequest, ctx: SimContext) -> SimResponse:
        posts, total = ctx.search("kexue", request.query.get("q", ""), offset=0, limit=20)
        items = [
            {
                "kx_id": p.post_id,
                "author": {"uid": p.account.uid, "name": p.account.name},
                "title": p.title,
                "tags": list(p.hashtags),
                "time": int(p.published_at.timestamp()),
                "likes": p.metrics.likes,
                "comments": p.metrics.comments,
            }
            for p in posts
            if not p.deleted
        ]
        return SimResponse(200, {"kexue_api": 1, "total": total, "items": items})


SIM = KexueSim()
