"""Comments and replies of the simulated works, generated lazily per work from the world seed.

A work's comments are a pure function of ``(seed, platform, work index)``, generated the first
time a request (or the truth) asks for that work, never at world build. They agree with the
work's comment count at every instant: comment ``k`` (in publication order) is published at the
first second the work's count reaches a target that is at least ``k + 1``, so at any ``t`` the
readable comments (those published by ``t``) never outnumber the count the platform shows. The
count is larger than what can be read because:

- a share of every work's comments is hidden or deleted (``CommentConfig.hidden_share``);
- on works with bought engagement (the world's ``bought_likes`` anomaly) most of the count is
  bought comments nobody can read (``CommentConfig.bought_readable_share`` is readable);
- at most ``CommentConfig.cap`` comments are generated per work, so a viral work stays cheap.

Lockstep works (the world's ``lockstep`` anomaly) have a coordinated push: every comment
published in the push's half hour is the same text, each from a different account. Commenters
are mostly anonymous public accounts (account ids in the platform's shape that no profile
endpoint knows), some are the registry's linked accounts (``World.linked_accounts``), and some
replies are the work's own author answering. On Weibo, some comments under campaign works carry
the campaign tag.

Comment ids are reversible (``CommentIds``): an endpoint that receives only a comment id (Weibo
``hotFlowChild``, Zhihu ``child_comment``) finds the work and the thread from it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import TYPE_CHECKING

from tracker.sim import names
from tracker.sim.engagement import BURST_WINDOW_S, Curve, comments_at
from tracker.sim.ids import BASE36, Affine, from_base, stable_hash, to_base
from tracker.sim.layout import CAMPAIGN_TAG
from tracker.sim.model import SimAccount, SimComment, SimComments
from tracker.sim.prng import SplitRandom

if TYPE_CHECKING:
    from tracker.sim.world import PlatformWorld, World

SLOTS = 1024
"""Comment slots per work in the id scheme; ``CommentConfig.cap`` may not exceed it."""
COMMENTER_POOL = 20_000
"""Anonymous commenters per platform (ids in the platform's shape, after the world's accounts)."""
LOCKSTEP_ACCOUNTS = 5_000
"""Accounts of the coordinated push (after the anonymous pool); all distinct within a work."""
LIKE_TAU_S = 6 * 3600
"""A comment's likes grow as ``final * (1 - exp(-age / LIKE_TAU_S))``."""
COMMENT_PLATFORMS = ("weibo", "douyin", "kuaishou", "zhihu", "bilibili", "xiaohongshu")
"""The platforms whose simulators serve comments."""


@dataclass(frozen=True, slots=True)
class CommentConfig:
    """How much of a work's comment count is readable, and who comments."""

    hidden_share: float = 0.1
    bought_readable_share: float = 0.3
    cap: int = 200
    reply_share: float = 0.3
    linked_share: float = 0.05
    campaign_linked_share: float = 0.15
    author_reply_share: float = 0.15
    tag_share: float = 0.2

    def __post_init__(self) -> None:
        if not 0 <= self.cap <= SLOTS:
            raise ValueError(f"comment cap must be within 0..{SLOTS}")
        for name in ("hidden_share", "bought_readable_share", "reply_share", "linked_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be within 0..1")


@dataclass(frozen=True, slots=True)
class CommentSeed:
    """Everything about one comment that does not depend on the virtual clock."""

    k: int
    comment_id: str
    t: int
    root: int | None
    parent: int | None
    author: SimAccount
    text: str
    tags: tuple[str, ...]
    like_final: int
    lockstep: bool


@dataclass(frozen=True, slots=True)
class WorkComments:
    """All comment seeds of one work (chronological) and what the clock needs."""

    platform: str
    index: int
    post_id: str
    seeds: tuple[CommentSeed, ...]
    times: tuple[int, ...]

    def published_by(self, t: int) -> int:
        """How many comments are published at or before ``t`` (``times`` is sorted)."""
        lo, hi = 0, len(self.times)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.times[mid] <= t:
                lo = mid + 1
            else:
                hi = mid
        return lo


class CommentIds:
    """Reversible comment ids of one platform, in the platform's real shapes.

    The id encodes ``(work index, slot)``; decoding is unverified (callers check against the
    generated comment).
    """

    _SHAPES: dict[str, tuple[int, int]] = {
        "weibo": (4_900_000_000_000_000, 10**14),  # 16 digits, like a mid
        "douyin": (7_300_000_000_000_000_000, 10**17),  # 19 digits, like a cid
        "kuaishou": (800_000_000_000, 10**11),  # 12 digits
        "zhihu": (10_000_000_000, 9 * 10**10),  # 11 digits
        "bilibili": (200_000_000_000, 10**11),  # 12-digit rpid
    }

    def __init__(self, seed: int, platform: str) -> None:
        self.platform = platform
        key = stable_hash(seed, platform, "comment-ids")
        base, modulus = self._SHAPES.get(platform, (0, 36**10))
        self._base = base
        self._aff = Affine(key, modulus)
        self._wide = Affine(key ^ 0xC0, 1 << 64)

    def encode(self, index: int, k: int, t: int) -> str:
        x = index * SLOTS + k
        p = self.platform
        if p == "xiaohongshu":  # 24 hex digits, the first 8 the publish second (like note ids)
            return f"{t & 0xFFFFFFFF:08x}{self._wide.enc(x):016x}"
        if p in self._SHAPES:
            return str(self._base + self._aff.enc(x))
        return "c" + to_base(self._aff.enc(x), BASE36, 10)

    def decode(self, value: str) -> tuple[int, int] | None:
        value = str(value).strip()
        p = self.platform
        try:
            if p == "xiaohongshu":
                if len(value) != 24:
                    return None
                x = self._wide.dec(int(value[8:], 16))
            elif p in self._SHAPES:
                if not value.isdigit() or int(value) < self._base:
                    return None
                n = int(value) - self._base
                if n >= self._aff.modulus:
                    return None
                x = self._aff.dec(n)
            else:
                if not value.startswith("c"):
                    return None
                x = self._aff.dec(from_base(value[1:], BASE36))
        except ValueError:
            return None
        return divmod(x, SLOTS)


def _epoch(dt: datetime) -> int:
    return math.floor(dt.timestamp())


def _topic(title: str) -> str:
    return next((t for t in names.TOPICS if t in title), "科普")


class WorldComments:
    """The comments of every work of one world, generated per work on demand (bounded cache)."""

    def __init__(self, world: World, config: CommentConfig | None = None) -> None:
        self.world = world
        self.config = config or CommentConfig()
        self._ids: dict[str, CommentIds] = {}
        self._linked: dict[str, tuple[SimAccount, ...]] = {}
        self.work = lru_cache(maxsize=2048)(self._make_work)
        self._commenter = lru_cache(maxsize=8192)(self._make_commenter)
        self._at = lru_cache(maxsize=256)(self._make_at)

    # --- accounts ---------------------------------------------------------------------------

    def ids(self, platform: str) -> CommentIds:
        found = self._ids.get(platform)
        if found is None:
            found = self._ids[platform] = CommentIds(self.world.seed, platform)
        return found

    def linked(self, platform: str) -> tuple[SimAccount, ...]:
        """The registry's linked accounts on ``platform`` (the units' accounts), computed once."""
        found = self._linked.get(platform)
        if found is None:
            found = self._linked[platform] = tuple(self.world.platform(platform).linked_accounts())
        return found

    def _make_commenter(self, platform: str, k: int) -> SimAccount:
        """Anonymous commenter ``k``: an id after the world's own accounts, so it never collides
        with one and no profile endpoint knows it."""
        pw = self.world.platform(platform)
        uid, sec_uid = pw.account_ids.encode(pw.n_accounts + k)
        rng = SplitRandom(stable_hash(self.world.seed, platform, "commenter", k))
        name = names.nickname(rng) if rng.random() < 0.6 else names.person_name(rng)
        followers = int(10 ** (3.5 * rng.random() ** 2))
        return SimAccount(platform, uid, name, followers, False, None, None, sec_uid)

    # --- generation ---------------------------------------------------------------------------

    def _make_work(self, platform: str, index: int) -> WorkComments:
        pw = self.world.platform(platform)
        seed = pw.post_seed(index)
        cfg = self.config
        curve = seed.curve
        rng = SplitRandom(stable_hash(self.world.seed, platform, "comments", index))
        horizon = seed.t0 + math.ceil(12 * curve.tau_s)
        if curve.burst_t is not None:
            horizon = max(horizon, curve.burst_t + BURST_WINDOW_S + 1)
        final = comments_at(curve, horizon)
        share = (
            cfg.bought_readable_share if seed.anomaly == "bought_likes" else 1 - cfg.hidden_share
        )
        n = min(cfg.cap, int(final * share))
        quantiles = sorted(rng.random() for _ in range(n))
        times = []
        for k, q in enumerate(quantiles):
            target = max(k + 1, math.ceil(q * final))
            times.append(_first_time(curve, target, seed.t0, horizon))

        author = pw.account(seed.account_index)
        topic = _topic(seed.title)
        linked = self.linked(platform)
        linked_share = cfg.campaign_linked_share if seed.matches_key else cfg.linked_share
        burst = (
            (curve.burst_t, curve.burst_t + BURST_WINDOW_S)
            if seed.anomaly == "lockstep" and curve.burst_t is not None
            else None
        )
        lock_text = names.lockstep_text(rng, topic)
        bot_base = stable_hash(self.world.seed, platform, "bots", index) % LOCKSTEP_ACCOUNTS
        ids = self.ids(platform)

        def pick(reply: bool) -> SimAccount:
            if reply and rng.random() < cfg.author_reply_share:
                return author
            if linked and rng.random() < linked_share:
                return linked[rng.randrange(len(linked))]
            return self._commenter(platform, int(COMMENTER_POOL * rng.random() ** 1.3))

        seeds: list[CommentSeed] = []
        roots: list[int] = []
        threads: dict[int, list[int]] = {}
        for k, t in enumerate(times):
            cid = ids.encode(index, k, t)
            if burst is not None and burst[0] < t <= burst[1]:
                bot = self._commenter(platform, COMMENTER_POOL + (bot_base + k) % LOCKSTEP_ACCOUNTS)
                likes = rng.randrange(3)
                seeds.append(CommentSeed(k, cid, t, None, None, bot, lock_text, (), likes, True))
                continue
            if roots and rng.random() < cfg.reply_share:
                root = roots[int(len(roots) * rng.random() ** 2)]
                thread = threads[root]
                parent = (
                    thread[rng.randrange(len(thread))] if thread and rng.random() < 0.35 else root
                )
                who = pick(reply=True)
                content = names.comment_text(rng, platform, topic, reply=True)
                text = _reply_text(platform, seeds[parent].author.name, content, parent != root)
                like_final = int(10 ** (2.0 * rng.random() ** 3)) - 1
                seeds.append(CommentSeed(k, cid, t, root, parent, who, text, (), like_final, False))
                thread.append(k)
                continue
            who = pick(reply=False)
            text = names.comment_text(rng, platform, topic, reply=False)
            tags: tuple[str, ...] = ()
            if platform == "weibo" and seed.matches_key and rng.random() < cfg.tag_share:
                spelling = names.spell_tag(platform, CAMPAIGN_TAG, rng, campaign=True)
                text, tags = f"{text} {spelling}", (spelling,)
            like_final = int(10 ** (3.5 * rng.random() ** 3)) - 1
            seeds.append(CommentSeed(k, cid, t, None, None, who, text, tags, like_final, False))
            roots.append(k)
            threads[k] = []
        return WorkComments(platform, index, seed.post_id, tuple(seeds), tuple(times))

    # --- at an instant ------------------------------------------------------------------------

    def _make_at(self, platform: str, index: int, t: int) -> SimComments:
        pw = self.world.platform(platform)
        work = self.work(platform, index)
        post = pw.build(index, t)
        n = work.published_by(t)
        seeds = work.seeds[:n]
        reply_counts: dict[int, int] = {}
        for s in seeds:
            if s.root is not None:
                reply_counts[s.root] = reply_counts.get(s.root, 0) + 1
        out = []
        for s in seeds:
            likes = int(s.like_final * (1.0 - math.exp(-(t - s.t) / LIKE_TAU_S)))
            root = seeds[s.root] if s.root is not None else None
            parent = seeds[s.parent] if s.parent is not None else None
            out.append(
                SimComment(
                    platform=platform,
                    comment_id=s.comment_id,
                    post_id=work.post_id,
                    root_id=root.comment_id if root else None,
                    parent_id=parent.comment_id if parent else None,
                    author=s.author,
                    reply_to=parent.author if parent else None,
                    text=s.text,
                    tags=s.tags,
                    published_at=datetime.fromtimestamp(s.t, UTC),
                    likes=likes,
                    reply_count=reply_counts.get(s.k, 0),
                    lockstep=s.lockstep,
                )
            )
        return SimComments(post, post.metrics.comments, tuple(out))

    def _visible_index(self, pw: PlatformWorld, index: int, t: int) -> bool:
        seed = pw.post_seed(index)
        gone = seed.deleted_at is not None and t >= seed.deleted_at
        return seed.t0 <= t and not gone

    def for_post(self, platform: str, post_id: str, now: datetime) -> SimComments | None:
        """The readable comments of a visible work at ``now``; ``None`` if it is not visible."""
        pw = self.world.platforms.get(platform)
        if pw is None:
            return None
        index = pw.post_index(str(post_id))
        t = _epoch(now)
        if index is None or not self._visible_index(pw, index, t):
            return None
        return self._at(platform, index, t)

    def thread(
        self, platform: str, comment_id: str, now: datetime
    ) -> tuple[SimComments, SimComment] | None:
        """A readable comment by its id alone, with its work's comments at ``now``."""
        pw = self.world.platforms.get(platform)
        decoded = self.ids(platform).decode(comment_id) if pw is not None else None
        if pw is None or decoded is None:
            return None
        index, k = decoded
        t = _epoch(now)
        if not 0 <= index < pw.n or not self._visible_index(pw, index, t):
            return None
        view = self._at(platform, index, t)
        found = view.get(str(comment_id))
        return None if found is None else (view, found)

    def iter_works(self, platform: str, now: datetime) -> Iterator[SimComments]:
        """Every visible work of ``platform`` at ``now`` with its comments (tests, small worlds)."""
        pw = self.world.platform(platform)
        t = _epoch(now)
        for index in range(pw.layout.index_gt(t)):
            if self._visible_index(pw, index, t):
                yield self._make_at(platform, index, t)


def _reply_text(platform: str, parent_name: str, content: str, to_reply: bool) -> str:
    """A reply's text as the platform shows it: Weibo and Bilibili name the answered reply."""
    if not to_reply:
        return content
    if platform == "weibo":
        return f"回复@{parent_name}:{content}"
    if platform == "bilibili":
        return f"回复 @{parent_name} :{content}"
    return content


def _first_time(curve: Curve, target: int, t0: int, horizon: int) -> int:
    """The first whole second in ``(t0, horizon]`` at which the comment count reaches ``target``.

    The organic growth inverts in closed form (a guess checked against ``comments_at``, the
    arithmetic the served counts come from); a burst (lockstep) falls back to bisection.
    """
    count = partial(comments_at, curve)
    final_organic = curve.finals[2]
    if curve.burst_t is None and 0 < target < final_organic:
        guess = t0 + max(1, math.ceil(-curve.tau_s * math.log(1.0 - target / final_organic)))
        guess = min(guess, horizon)
        if count(guess) >= target:
            return guess
        if guess < horizon and count(guess + 1) >= target:
            return guess + 1
    lo, hi = t0, horizon  # count(lo) < target <= count(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if count(mid) >= target:
            hi = mid
        else:
            lo = mid
    return hi
