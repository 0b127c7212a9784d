"""The simulator's contracts: the world's posts and accounts, and how a platform is served.

The world (``tracker.sim.world``) generates ``SimAccount``/``SimPost`` lazily from a seed; each
platform module in ``tracker.sim.platforms`` turns them into that platform's real response shape
(``PlatformSim``); the server (``tracker.sim.server``) routes HTTP requests to platform modules
and applies the fault profile. Platform modules never generate data and the world never knows a
platform's JSON.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class SimAccount:
    """An account in the simulated world.

    ``uid`` is the platform's account id as a string (Weibo uid, Douyin uid, Bilibili mid,
    Kuaishou user id, Zhihu url_token, Xiaohongshu user_id). ``sec_uid`` is the second id some
    platforms use in profile URLs (Douyin ``sec_user_id``, Zhihu member hash id); otherwise equal
    to ``uid``.
    """

    platform: str
    uid: str
    name: str
    followers: int
    verified: bool
    verify_type: str | None
    unit: str | None
    sec_uid: str
    avatar: str = ""


@dataclass(frozen=True, slots=True)
class SimMetrics:
    """Metrics at one virtual moment; ``None`` where that platform does not expose the metric."""

    views: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    favorites: int | None


@dataclass(frozen=True, slots=True)
class SimPost:
    """A work in the simulated world, with its metrics at the request's virtual time.

    ``text`` already contains the tag spellings as the author typed them; ``hashtags`` lists the
    raw spellings the platform would expose as structured tags. ``extra`` holds platform-specific
    ids (for example ``bvid``/``aid`` for Bilibili, ``mblogid`` for Weibo, ``xsec_token`` for
    Xiaohongshu, ``question_id`` for Zhihu answers) as strings.
    """

    platform: str
    post_id: str
    account: SimAccount
    title: str
    text: str
    hashtags: tuple[str, ...]
    content_type: str
    published_at: datetime
    duration_s: int | None
    metrics: SimMetrics
    matches_campaign: bool
    deleted: bool = False
    long_text: bool = False
    repost_of: SimPost | None = None
    anomaly: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SimRequest:
    """An HTTP request as a platform module sees it (mount prefix already removed)."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes = b""

    def json(self) -> Any:
        import json

        return json.loads(self.body.decode("utf-8")) if self.body else None


@dataclass(slots=True)
class SimResponse:
    """What a platform module answers; a dict/list body is sent as JSON."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


class SimContext(Protocol):
    """The world as a platform module may see it while answering one request."""

    now: datetime

    def search(
        self,
        platform: str,
        query: str,
        *,
        offset: int,
        limit: int,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> tuple[list[SimPost], int]:
        """Posts of ``platform`` whose tags or text contain ``query`` (by tag key), newest first.

        Returns the page and the total number of such posts. Like a real search, it also
        returns near-miss tags (``#千万IP创科普大赛#``): the connector's tag matching decides.
        """
        ...

    def post(self, platform: str, post_id: str) -> SimPost | None: ...

    def account(self, platform: str, uid: str) -> SimAccount | None: ...

    def rng(self, *key: object) -> random.Random:
        """A deterministic random generator for ``key`` under the world's seed."""
        ...


Handler = Callable[[SimRequest, SimContext], SimResponse]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


class PlatformSim(Protocol):
    """One platform's endpoints in its real response shapes, plus its failure signals."""

    platform: str

    def routes(self) -> list[Route]: ...

    def throttle_response(self) -> SimResponse:
        """The platform's own throttle signal (Weibo 418/432, Bilibili -412, Kuaishou result 2...)."""
        ...

    def login_wall_response(self) -> SimResponse:
        """What the platform answers once the session needs a login (Weibo ok:-100...)."""
        ...

    def block_response(self) -> SimResponse:
        """A block disguised as success (Bilibili v_voucher under code 0, Douyin empty 200...)."""
        ...
