"""The simulator's contracts: the world's posts and accounts, and how a platform is served.

The world (``tracker.sim.world``) generates ``SimAccount``/``SimPost`` (and, through
``tracker.sim.comments``, ``SimComment``) lazily from a seed; each
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
class SimComment:
    """A readable comment or reply on a work, as it stands at the request's virtual time.

    ``root_id``/``parent_id`` are ``None`` on a top-level comment; a reply names its thread's
    top-level comment as ``root_id`` and the comment it answers as ``parent_id`` (the root for a
    direct reply), with that comment's author in ``reply_to``. ``text`` is the plain text as the
    platform shows it (Weibo and Bilibili prefix a reply to a reply with ``回复@name:``);
    ``tags`` are the hashtag spellings in it. ``likes`` and ``reply_count`` (readable replies in
    the thread) are at the instant asked for.
    """

    platform: str
    comment_id: str
    post_id: str
    root_id: str | None
    parent_id: str | None
    author: SimAccount
    reply_to: SimAccount | None
    text: str
    tags: tuple[str, ...]
    published_at: datetime
    likes: int
    reply_count: int
    lockstep: bool = False


class SimComments:
    """The readable comments of one visible work at one instant, with the orders pages need.

    ``claimed`` is the work's comment count as the platform shows it (``None`` if hidden); it
    counts hidden, deleted and bought comments too, so ``len(comments) <= claimed``.
    ``comments`` is chronological; ``roots`` are the top-level ones in the platform's "hot"
    order (likes, then newest); :meth:`replies` are a thread's replies, oldest first.
    """

    __slots__ = ("_by_id", "_replies", "claimed", "comments", "post", "roots")

    def __init__(self, post: SimPost, claimed: int | None, comments: tuple[SimComment, ...]):
        self.post = post
        self.claimed = claimed
        self.comments = comments
        self._by_id = {c.comment_id: c for c in comments}
        replies: dict[str, list[SimComment]] = {}
        for c in comments:
            if c.root_id is not None:
                replies.setdefault(c.root_id, []).append(c)
        self._replies = {k: tuple(v) for k, v in replies.items()}
        top = [c for c in comments if c.root_id is None]
        top.sort(key=lambda c: (-c.likes, -c.published_at.timestamp(), c.comment_id))
        self.roots: tuple[SimComment, ...] = tuple(top)

    def get(self, comment_id: str) -> SimComment | None:
        return self._by_id.get(str(comment_id))

    def replies(self, root_id: str) -> tuple[SimComment, ...]:
        return self._replies.get(str(root_id), ())


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

    def comments(self, platform: str, post_id: str) -> SimComments | None:
        """The readable comments of a visible work (``None`` if unknown, unpublished or gone)."""
        ...

    def comment_thread(
        self, platform: str, comment_id: str
    ) -> tuple[SimComments, SimComment] | None:
        """A readable comment by id alone, with its work's comments (``None`` if not readable)."""
        ...

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
