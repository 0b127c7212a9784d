"""The seeded world the simulator serves: accounts and works on every platform, never stored.

``World(seed, scale)`` holds only O(1) state per platform (a :class:`~tracker.sim.layout.Layout`,
id schemes and bounded caches). A post is generated from ``(seed, platform, index)`` when a
request needs it, an account from ``(seed, platform, account index)``; ids decode back to
indices, so a 10^6-post world starts instantly and serves any page in O(limit).

What the world contains (all labelled in the ground truth, ``tracker.sim.truth``):

- the units of :mod:`tracker.sim.units`, each with official accounts on some platforms, a few
  creators present on every social platform (who cross-post some works), and individual
  creators whose followers span 10..10^7 (heavy tailed), a third of the first few thousand linked
  to a unit;
- works from 2024-08-16 to 2024-10-15 (Asia/Shanghai), dense in the campaign month, carrying the
  campaign tag in every real spelling, the near-miss ``#千万IP创科普大赛#``, other tags, or none;
- Weibo reposts of campaign works, long Weibo texts, works deleted three days after publication,
  planted ``bought_likes`` / ``lockstep`` anomalies and, with ``hostile_titles=True``, a
  few titles with an XSS payload;
- comments and replies under every work, generated per work when asked
  (:mod:`tracker.sim.comments`, ``World.comments``).

``SimAccount.verify_type`` is Weibo's numeric ``verified_type`` as a string on Weibo ("0"
individual, "1" government, "2" enterprise, "3" media, "4" campus, "7" organisation) and
``"person"`` / ``"org"`` elsewhere; ``None`` when not verified.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from connectors import catalogue
from tracker.normalize.tags import tag_key
from tracker.sim import names
from tracker.sim.comments import CommentConfig, WorldComments
from tracker.sim.engagement import Curve, draw_curve, metrics_at
from tracker.sim.ids import (
    BASE36,
    WEIBO_MID_EPOCH,
    Affine,
    SecondIds,
    StrideIds,
    aid_to_bvid,
    bvid_to_aid,
    from_base,
    mblogid_to_mid,
    mid_to_mblogid,
    mix64,
    stable_hash,
    to_base,
    token,
    untoken,
)
from tracker.sim.layout import (
    BLOCK,
    CAMPAIGN_FAMILIES,
    CAMPAIGN_START,
    DELETE_AFTER_S,
    FAMILY_TAGS,
    ORIGINAL_CAMPAIGN_FAMILIES,
    REPOST_TARGETS,
    ROUNDTABLE_FAMILIES,
    SHANGHAI,
    WORLD_END,
    Layout,
    families_for_query,
)
from tracker.sim.model import SimAccount, SimComment, SimComments, SimPost
from tracker.sim.platform_list import article_platforms, sim_platforms, social_platforms
from tracker.sim.prng import SplitRandom
from tracker.sim.units import UNITS, Unit

DEFAULT_NOW = WORLD_END
"""Virtual time at start-up unless told otherwise: every work of the world is published."""

ZHIHU_ROUNDTABLE_ID = "qianwanip"
"""The campaign's Zhihu roundtable (圆桌) in the simulated world."""
ROUNDTABLE_QUESTIONS = (
    "如何用一分钟讲清楚一个科学原理？",
    "有哪些让你拍案叫绝的科普作品？",
    "科普视频怎样做才能既有趣又严谨？",
    "你知道哪些值得一说的科学冷知识？",
    "广东有哪些适合带孩子去的科普场馆？",
    "如何看待「千万IP创科普」活动？",
)
QUESTION_ID_BASE = 400_000_000
ROUNDTABLE_QUERY = "__roundtable__:"
QUESTION_QUERY = "__question__:"
"""Zhihu-only ``SimContext.search`` queries: a roundtable's answers, one question's answers."""

CROSS_CREATORS = 6
LINK_CAP = 3000
PROFILES = ("full", "sparse")
"""World profiles: ``full`` (the default: few prolific accounts, every input observable) and
``sparse`` (real data's shape, see :mod:`tracker.sim.sparse`: many accounts with 1-3 works,
listings without follower counts, cards without publish time, likes-only captures)."""
"""Only the first this many individual creators of a platform may be linked to a unit."""

_WEIBO_ORG_TYPES = {
    "department": "1",
    "enterprise": "2",
    "media": "3",
    "university": "4",
    "city_association": "7",
    "society": "7",
}


def _epoch(dt: datetime) -> int:
    if dt.tzinfo is None:
        raise ValueError("naive datetime: the simulator's clock is timezone-aware")
    return math.floor(dt.timestamp())


@dataclass(frozen=True, slots=True)
class CrossWork:
    """A work one creator publishes on several platforms within a day."""

    creator: int
    platforms: tuple[str, ...]
    quality: float
    topic: str
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class PostSeed:
    """Everything about a post that does not depend on the virtual clock."""

    platform: str
    index: int
    post_id: str
    aliases: frozenset[str]
    account_index: int
    family: str
    title: str
    text: str
    hashtags: tuple[str, ...]
    content_type: str
    t0: int
    duration_s: int | None
    quality: float
    anomaly: str | None
    long_text: bool
    repost_index: int | None
    cross_id: str | None
    curve: Curve
    deleted_at: int | None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def matches_key(self) -> bool:
        return self.family in CAMPAIGN_FAMILIES

    @property
    def published_at(self) -> datetime:
        return datetime.fromtimestamp(self.t0, UTC)


# --- id schemes -----------------------------------------------------------------------------------


class AccountIds:
    """Reversible account ids of one platform: ``(uid, sec_uid)`` from an account index."""

    def __init__(self, seed: int, platform: str) -> None:
        self.platform = platform
        self.seed = seed
        key = stable_hash(seed, platform, "account-ids")
        self._key = key
        self._a64 = Affine(key ^ 0x64, 1 << 64)
        modulus = {
            "weibo": 9 * 10**9,
            "douyin": 9 * 10**11,
            "kuaishou": 36**13,
            "zhihu": 36**6,
            "bilibili": 3 * 10**9,
        }.get(platform, 36**8)
        self._aff = Affine(key, modulus)

    def encode(self, j: int) -> tuple[str, str]:
        p = self.platform
        e = self._aff.enc(j)
        if p == "weibo":
            uid = str(10**9 + e)
            return uid, uid
        if p == "douyin":
            uid = str(10**11 + e)
            raw = self._a64.enc(j).to_bytes(8, "big")
            return uid, "MS4wLjABAAAA" + token(self._key ^ j, 32, prefix_bytes=raw)
        if p == "kuaishou":
            uid = "3x" + to_base(e, BASE36, 13)
            return uid, uid
        if p == "zhihu":
            rng = SplitRandom(stable_hash(self.seed, "zhihu-handle", j))
            uid = f"{names.handle(rng)}-{to_base(e, BASE36, 6)}"
            member = f"{self._a64.enc(j):016x}{mix64(self._key ^ j):016x}"
            return uid, member
        if p == "bilibili":
            uid = str(10**7 + e)
            return uid, uid
        if p == "xiaohongshu":
            created = 0x57000000 + mix64(self._key ^ j) % 0x0F000000  # 2016..2023
            uid = f"{created:08x}{self._a64.enc(j):016x}"
            return uid, uid
        # The article sites' author ids, and any platform without its own scheme.
        prefix = {"kepuchina": "kp", "qqnews": "om", "xuexi": "xx"}.get(p, p[:2])
        uid = prefix + to_base(e, BASE36, 8)
        return uid, uid

    def decode(self, value: str) -> int | None:
        """The account index ``value`` names (uid or sec_uid), unverified; ``None`` if malformed."""
        p = self.platform
        try:
            if p in ("weibo", "bilibili", "douyin") and value.isdigit():
                base = {"weibo": 10**9, "bilibili": 10**7, "douyin": 10**11}[p]
                return self._aff.dec(int(value) - base)
            if p == "douyin" and value.startswith("MS4wLjABAAAA"):
                raw = untoken(value[12:])[:8]
                return self._a64.dec(int.from_bytes(raw, "big"))
            if p == "kuaishou" and value.startswith("3x"):
                return self._aff.dec(from_base(value[2:], BASE36))
            if p == "zhihu":
                if len(value) == 32 and all(c in "0123456789abcdef" for c in value):
                    return self._a64.dec(int(value[:16], 16))
                return self._aff.dec(from_base(value.rsplit("-", 1)[-1], BASE36))
            if p == "xiaohongshu" and len(value) == 24:
                return self._a64.dec(int(value[8:], 16))
            if p not in _OWN_ACCOUNT_IDS:
                return self._aff.dec(from_base(value[2:], BASE36))
        except ValueError:
            return None
        return None


class PostIds:
    """Reversible post ids of one platform, in the platform's real shapes."""

    def __init__(self, seed: int, platform: str, layout: Layout) -> None:
        self.platform = platform
        key = stable_hash(seed, platform, "post-ids")
        self._ks = Affine(key, 36**13)
        self._qq = Affine(key, 36**5)
        self._xx = Affine(key, 9 * 10**19)
        # Weibo mids, Douyin aweme ids and Xiaohongshu note ids carry the publish second the
        # way the real ones do (the connectors date a post by its id when the body does not).
        # Other platforms keep an unused 64-bit scheme (it costs nothing).
        bits, epoch = {"weibo": (22, WEIBO_MID_EPOCH), "douyin": (32, 0)}.get(platform, (64, 0))
        self._timed = SecondIds(
            key,
            bits=bits,
            epoch=epoch,
            n=layout.n,
            time_of=layout.time_of,
            first_at=layout.index_ge,
            max_per_second=layout.max_per_second(),
        )
        self._stride = {
            "bilibili": StrideIds(key, 113_000_000_000_000, 1_000_000),
            "answer": StrideIds(key, 3_600_000_000, 1000),
            "article": StrideIds(key ^ 1, 720_000_000, 1000),
            "video": StrideIds(key ^ 2, 1_790_000_000_000_000_000, 1_000_000),
        }

    def encode(self, i: int, t0: int, content_type: str) -> tuple[str, dict[str, str]]:
        p = self.platform
        if p == "weibo":
            mid = str(self._timed.encode(i))
            return mid, {"mblogid": mid_to_mblogid(mid)}
        if p == "douyin":
            return str(self._timed.encode(i)), {}
        if p == "kuaishou":
            return "3x" + to_base(self._ks.enc(i), BASE36, 13), {}
        if p == "zhihu":
            return str(self._stride[content_type].encode(i)), {}
        if p == "bilibili":
            aid = self._stride["bilibili"].encode(i)
            bvid = aid_to_bvid(aid)
            return bvid, {"bvid": bvid, "aid": str(aid)}
        if p == "xiaohongshu":
            return f"{self._timed.encode(i):024x}", {}
        local = datetime.fromtimestamp(t0, SHANGHAI)  # article URLs carry the local date
        if p == "kepuchina":
            stem = f"t{local:%Y%m%d}_{3_100_000 + i}"
            return stem, {"path": f"/more/{local:%Y%m}/{stem}.shtml"}
        if p == "qqnews":
            code = to_base(self._qq.enc(i), BASE36, 5).upper()
            article = f"{local:%Y%m%d}A{code}00"
            return article, {"path": f"/rain/a/{article}"}
        if p == "xuexi":
            item = str(10**19 + self._xx.enc(i))
            return item, {"path": f"/lgpage/detail/index.html?id={item}&item_id={item}"}
        return to_base(self._ks.enc(i), BASE36, 13), {}  # a platform without its own scheme

    def decode(self, value: str) -> list[int]:
        """Candidate indices for ``value`` (callers verify against the generated post)."""
        p = self.platform
        value = value.strip()
        try:
            if p == "weibo":
                mid = int(value) if value.isdigit() else int(mblogid_to_mid(value))
                return _some(self._timed.decode(mid))
            if p == "douyin":
                return _some(self._timed.decode(int(value)))
            if p == "kuaishou" and value.startswith("3x"):
                return [self._ks.dec(from_base(value[2:], BASE36))]
            if p == "zhihu":
                n = int(value)
                return [
                    i
                    for s in ("answer", "article", "video")
                    if (i := self._stride[s].decode(n)) is not None
                ]
            if p == "bilibili":
                if value[:2].upper() == "BV":
                    aid = bvid_to_aid(value)
                else:
                    aid = int(value.removeprefix("av").removeprefix("AV"))
                return _some(self._stride["bilibili"].decode(aid))
            if p == "xiaohongshu" and len(value) == 24:
                return _some(self._timed.decode(int(value, 16)))
            if p == "kepuchina":
                return [int(value.rsplit("_", 1)[-1].removesuffix(".shtml")) - 3_100_000]
            if p == "qqnews" and len(value) == 16:
                return [self._qq.dec(from_base(value[9:14].lower(), BASE36))]
            if p == "xuexi":
                return [self._xx.dec(int(value) - 10**19)]
            if p not in _OWN_POST_IDS:
                return [self._ks.dec(from_base(value, BASE36))]
        except ValueError:
            return []
        return []


_OWN_ACCOUNT_IDS = frozenset({"weibo", "douyin", "kuaishou", "zhihu", "bilibili", "xiaohongshu"})
"""Platforms whose account ids have a shape of their own above; others get a generic one."""
_OWN_POST_IDS = _OWN_ACCOUNT_IDS | {"kepuchina", "qqnews", "xuexi"}


def _some(index: int | None) -> list[int]:
    return [] if index is None else [index]


# --- one platform ---------------------------------------------------------------------------------


class PlatformWorld:
    """One platform of the world: its layout, accounts and posts (generated on demand)."""

    def __init__(self, world: World, platform: str, n_blocks: int) -> None:
        self.world = world
        self.platform = platform
        self.seed = world.seed
        self.layout = Layout(world.seed, platform, n_blocks)
        self.n = self.layout.n
        social = platform in social_platforms()
        self.officials: tuple[int, ...] = tuple(
            u
            for u, unit in enumerate(UNITS)
            if self._rng("official", u).random() < _official_probability(platform, unit)
        )
        self.n_official = len(self.officials)
        self.n_cross = CROSS_CREATORS if social else 0
        self.sparse = world.profile == "sparse"
        # Sparse: three times the individual creators, picked evenly, so most accounts publish
        # 1-3 campaign works and a few non-campaign ones (the shape real campaigns have).
        self.n_individual = max(30, self.n // 2 if self.sparse else self.n // 6)
        self.n_accounts = self.n_official + self.n_cross + self.n_individual
        self.account_ids = AccountIds(world.seed, platform)
        self.post_ids = PostIds(world.seed, platform, self.layout)
        self._question_ids = Affine(stable_hash(world.seed, "zhihu-question-ids"), 10**8)
        self.account = lru_cache(maxsize=8192)(self._make_account)
        self.post_seed = lru_cache(maxsize=8192)(self._make_post)
        # A post is a pure function of (index, instant), and a collection asks for the same
        # post several times at one instant (its listing, its detail, a repost of it).
        self._built = lru_cache(maxsize=4096)(self._build)
        self._index_of = lru_cache(maxsize=8192)(self._post_index)

    def _rng(self, *key: object) -> SplitRandom:
        return SplitRandom(stable_hash(self.seed, self.platform, *key))

    # --- accounts --------------------------------------------------------------------------

    def _make_account(self, j: int) -> SimAccount:
        if not 0 <= j < self.n_accounts:
            raise IndexError(j)
        rng = self._rng("account", j)
        uid, sec_uid = self.account_ids.encode(j)
        p = self.platform
        if j < self.n_official:
            unit = UNITS[self.officials[j]]
            name = unit.name if p in ("bilibili", *article_platforms()) else unit.short
            followers = int(10 ** (3 + 3.5 * rng.random()))
            verify_type = _WEIBO_ORG_TYPES[unit.kind] if p == "weibo" else "org"
            return SimAccount(p, uid, name, followers, True, verify_type, unit.name, sec_uid)
        if j < self.n_official + self.n_cross:
            name, unit_name = self.world.cross_creator(j - self.n_official)
            followers = int(10 ** (4 + 2.5 * rng.random()))
            verified = rng.random() < 0.6
        else:
            k = j - self.n_official - self.n_cross
            name = names.nickname(rng)
            followers = int(10 ** (1 + 6 * rng.random() ** 1.7))
            verified = (followers > 100_000 and rng.random() < 0.7) or rng.random() < 0.03
            unit_name = None
            if k < LINK_CAP and rng.random() < 0.35:
                unit_name = UNITS[rng.randrange(len(UNITS))].name
        verify_type = ("0" if p == "weibo" else "person") if verified else None
        return SimAccount(p, uid, name, followers, verified, verify_type, unit_name, sec_uid)

    def account_index(self, uid: str) -> int | None:
        j = self.account_ids.decode(uid)
        if j is None or not 0 <= j < self.n_accounts:
            return None
        account = self.account(j)
        return j if uid in (account.uid, account.sec_uid) else None

    def _pick_account(self, rng: SplitRandom, family: str) -> int:
        official_share = 0.35 if family in CAMPAIGN_FAMILIES else 0.08
        if self.sparse:
            official_share /= 2
        if self.n_official and rng.random() < official_share:
            return int(self.n_official * rng.random() ** (1.0 if self.sparse else 1.5))
        if self.n_cross and rng.random() < 0.02:
            return self.n_official + rng.randrange(self.n_cross)
        k = int(self.n_individual * rng.random() ** (1.0 if self.sparse else 2.2))
        return self.n_official + self.n_cross + k

    def linked_accounts(self) -> Iterator[SimAccount]:
        limit = self.n_official + self.n_cross + min(LINK_CAP, self.n_individual)
        for j in range(limit):
            account = self._make_account(j)
            if account.unit is not None:
                yield account

    # --- posts -----------------------------------------------------------------------------

    def _first_of(self, block: int, family: str) -> int | None:
        for slot, fam in enumerate(self.layout.block_families(block)):
            if fam == family:
                return block * BLOCK + slot
        return None

    def _make_post(self, i: int) -> PostSeed:
        if not 0 <= i < self.n:
            raise IndexError(i)
        p = self.platform
        layout = self.layout
        rng = self._rng("post", i)
        family = layout.family_of(i)
        block = i // BLOCK
        t0 = layout.time_of(i)
        cb0, cb1 = layout.campaign_blocks

        anomaly: str | None = None
        xss = False
        cross: CrossWork | None = None
        if family == "camp" and self._first_of(block, "camp") == i:
            # Planted on every platform, even the smallest world (3 blocks): wrap around.
            nb = layout.n_blocks
            if block == (cb0 + 1) % nb:
                anomaly = "bought_likes"
            elif block == (cb0 + 3) % nb:
                anomaly = "lockstep"
            elif block == (cb0 + 2) % nb:
                xss = True
            elif cb0 <= block < cb1 and (block - cb0) % 4 == 0:
                work = self.world.cross_work(block)
                if p in work.platforms:
                    cross = work
        if family in ORIGINAL_CAMPAIGN_FAMILIES and anomaly is None and cross is None:
            u = rng.random()
            anomaly = "bought_likes" if u < 0.01 else "lockstep" if u < 0.02 else None
        # The draw is made either way so a world with and without hostile titles differ only there.
        xss = (xss or rng.random() < 0.002) and self.world.hostile_titles

        repost_index: int | None = None
        if family == "repost":
            below = layout.count_below(REPOST_TARGETS, block * BLOCK)
            if below:
                rank = rng.randrange(max(0, below - 300), below)
                repost_index = layout.select(REPOST_TARGETS, rank)

        if cross is not None:
            account_index = self.n_official + cross.creator
            quality = cross.quality
        else:
            account_index = self._pick_account(rng, family)
            quality = rng.betavariate(2, 3)
        account = self.account(account_index)

        hashtags = tuple(
            names.spell_tag(p, tag, rng, campaign=tag == FAMILY_TAGS["camp"][0])
            for tag in FAMILY_TAGS[family]
        )
        content_type, duration = _content_type(p, rng, repost=repost_index is not None)
        if cross and p == "zhihu":
            content_type, duration = "article", None  # a cross-post keeps its own title
        topic = cross.topic if cross else rng.choice(names.TOPICS)
        title = cross.title if cross else names.title(rng, topic)
        if xss:
            title = names.XSS_PAYLOAD + title
        long_text = p == "weibo" and repost_index is None and not cross and rng.random() < 0.12
        if cross:
            body = cross.body
        elif long_text:
            body = names.body(rng, topic, 8)
            while len(body) < 200:  # well past Weibo's 140-character cut
                body += names.body(rng, topic, 1)
        elif p in article_platforms():
            body = names.body(rng, topic, rng.randint(8, 16))
        else:
            body = names.body(rng, topic, rng.randint(1, 3))
        extra: dict[str, str] = {}
        if repost_index is not None:
            title = names.repost_comment(rng)
            text = f"{title} {names.tags_in_text(p, hashtags)}"
        else:
            text = _compose(p, title, body, hashtags, tags_first=rng.random() < 0.3)
        if p == "zhihu" and family in ROUNDTABLE_FAMILIES:
            content_type, duration = "answer", None
            q = layout.count_below(ROUNDTABLE_FAMILIES, i) % len(ROUNDTABLE_QUESTIONS)
            question_id, question_title = self.world.roundtable_questions[q]
            extra["roundtable"] = ZHIHU_ROUNDTABLE_ID
        elif p == "zhihu" and content_type == "answer":
            question_id = str(QUESTION_ID_BASE + self._question_ids.enc(i))
            question_title = names.title(rng, topic) + "？"
        if p == "zhihu" and content_type == "answer":
            extra["question_id"] = question_id
            extra["question_title"] = question_title
            title = (names.XSS_PAYLOAD if xss else "") + question_title
        if p == "zhihu":
            extra["object_type"] = {"video": "zvideo"}.get(content_type, content_type)
        if p == "xiaohongshu":
            extra["note_type"] = "video" if content_type == "video" else "normal"

        post_id, id_extra = self.post_ids.encode(i, t0, content_type)
        extra.update(id_extra)
        if p == "xiaohongshu":
            extra["xsec_token"] = "AB" + token(stable_hash(self.seed, "xsec", post_id), 33) + "="
        if p == "douyin" and hashtags:
            extra["hashtag_ids"] = ",".join(hashtag_id(h) for h in hashtags)
        aliases = frozenset(
            {post_id} | {extra[k] for k in ("mblogid", "bvid", "aid") if k in extra}
        )
        curve = draw_curve(
            rng,
            p,
            t0,
            account.followers,
            quality,
            anomaly,
            self.world.lockstep_times,
            repost=repost_index is not None,
        )
        return PostSeed(
            platform=p,
            index=i,
            post_id=post_id,
            aliases=aliases,
            account_index=account_index,
            family=family,
            title=title,
            text=text,
            hashtags=hashtags,
            content_type=content_type,
            t0=t0,
            duration_s=duration,
            quality=round(quality, 4),
            anomaly=anomaly,
            long_text=long_text,
            repost_index=repost_index,
            cross_id=f"x{block}" if cross else None,
            curve=curve,
            deleted_at=t0 + DELETE_AFTER_S if family == "camp_del" else None,
            extra=extra,
        )

    def post_index(self, post_id: str) -> int | None:
        return self._index_of(str(post_id))

    def _post_index(self, post_id: str) -> int | None:
        value = post_id.strip()
        if self.platform == "bilibili" and value[:2].lower() == "av":
            value = value[2:]
        for i in self.post_ids.decode(value):
            if 0 <= i < self.n and value in self.post_seed(i).aliases:
                return i
        return None

    def build(self, i: int, t: float) -> SimPost:
        """The post as seen at instant ``t`` (epoch seconds)."""
        return self._built(i, t)

    def _build(self, i: int, t: float) -> SimPost:
        s = self.post_seed(i)
        deleted = s.deleted_at is not None and t >= s.deleted_at
        at = min(t, s.deleted_at) if deleted and s.deleted_at is not None else t
        return SimPost(
            platform=s.platform,
            post_id=s.post_id,
            account=self.account(s.account_index),
            title=s.title,
            text=s.text,
            hashtags=s.hashtags,
            content_type=s.content_type,
            published_at=s.published_at,
            duration_s=s.duration_s,
            metrics=metrics_at(s.curve, at),
            matches_campaign=s.matches_key and not deleted,
            deleted=deleted,
            long_text=s.long_text,
            repost_of=None if s.repost_index is None else self.build(s.repost_index, t),
            anomaly=s.anomaly,
            extra=dict(s.extra),
        )


def _official_probability(platform: str, unit: Unit) -> float:
    if platform in article_platforms():
        return 0.6 if unit.kind in ("media", "city_association") else 0.2
    return 0.8 if unit.kind == "city_association" else 0.45


def _content_type(platform: str, rng: SplitRandom, *, repost: bool) -> tuple[str, int | None]:
    u = rng.random()
    if platform == "weibo":
        if repost:
            return "repost", None
        kind = "text" if u < 0.45 else "image" if u < 0.85 else "video"
    elif platform == "douyin":
        kind = "video" if u < 0.85 else "image"
    elif platform in ("kuaishou", "bilibili"):
        kind = "video"
    elif platform == "zhihu":
        kind = "answer" if u < 0.6 else "article" if u < 0.9 else "video"
    elif platform == "xiaohongshu":
        kind = "image" if u < 0.7 else "video"
    else:
        kind = "article"
    if kind != "video":
        return kind, None
    median = {"bilibili": 240.0, "zhihu": 180.0}.get(platform, 50.0)
    duration = int(min(7200.0, max(5.0, median * math.exp(0.8 * rng.gauss(0.0, 1.0)))))
    return kind, duration


def _compose(
    platform: str, title: str, body: str, hashtags: tuple[str, ...], *, tags_first: bool
) -> str:
    """The post text as its author would write it on ``platform``, tags included."""
    tags = names.tags_in_text(platform, hashtags)
    if platform == "weibo":
        main = f"【{title}】{body}"
    elif platform in ("douyin", "kuaishou"):
        main = title
    elif platform in article_platforms():
        main = body
    else:
        main = body
    if not tags:
        return main
    if platform == "bilibili":
        return f"{main}\n{tags}"
    return f"{tags} {main}" if tags_first else f"{main} {tags}"


def hashtag_id(spelling: str) -> str:
    """A stable 16-digit id for a hashtag (Douyin's ``cid``/``hashtag_id`` shape), by tag key."""
    return str(1_550_000_000_000_000 + stable_hash("hashtag", tag_key(spelling)) % 10**13)


# --- the world ------------------------------------------------------------------------------------


class World:
    """Every platform of one seeded world; cheap to construct at any scale."""

    def __init__(
        self,
        seed: int = 1,
        scale: int = 200,
        profile: str = "full",
        *,
        hostile_titles: bool = False,
        comments: CommentConfig | None = None,
    ) -> None:
        """``hostile_titles`` plants :data:`~tracker.sim.names.XSS_PAYLOAD` in a few titles
        (escaping tests turn it on; so does the ``hostile`` fault profile of :class:`SimServer`).
        The default world, the one ``tracker demo`` shows, has none. ``comments`` tunes the
        works' comments (:mod:`tracker.sim.comments`: hidden share, cap per work...)."""
        if scale < 1:
            raise ValueError("scale must be positive")
        if profile not in PROFILES:
            raise ValueError(f"unknown world profile {profile!r} (one of {', '.join(PROFILES)})")
        self.seed = int(seed)
        self.scale = int(scale)
        self.profile = profile
        self.hostile_titles = bool(hostile_titles)
        social_blocks = max(3, math.ceil(scale / BLOCK))
        article_blocks = max(3, math.ceil(scale / 10 / BLOCK))
        base = CAMPAIGN_START + timedelta(hours=21)
        rng = self._rng("lockstep")
        self.lockstep_times: tuple[int, ...] = tuple(
            _epoch(base + timedelta(days=d, seconds=rng.randrange(3600))) for d in (11, 18, 25)
        )
        self.platforms: dict[str, PlatformWorld] = {
            p: PlatformWorld(self, p, social_blocks if p in social_platforms() else article_blocks)
            for p in sim_platforms()
        }
        self.cross_work = lru_cache(maxsize=4096)(self._cross_work)
        self.comments = WorldComments(self, comments)
        rng = self._rng("zhihu-roundtable")
        self.roundtable_questions: tuple[tuple[str, str], ...] = tuple(
            (str(600_000_000 + k * 10_000_000 + rng.randrange(10_000_000)), title)
            for k, title in enumerate(ROUNDTABLE_QUESTIONS)
        )

    def platform(self, platform: str) -> PlatformWorld:
        try:
            return self.platforms[platform]
        except KeyError:
            raise KeyError(f"unknown simulated platform {platform!r}") from None

    def rng(self, *key: object) -> random.Random:
        """A standard generator for ``key`` (what platform modules get through the context)."""
        return random.Random(stable_hash(self.seed, *key))

    def _rng(self, *key: object) -> SplitRandom:
        return SplitRandom(stable_hash(self.seed, *key))

    def cross_creator(self, c: int) -> tuple[str, str | None]:
        """Name and unit of cross-platform creator ``c`` (the same on every platform)."""
        rng = self._rng("cross-creator", c)
        name = names.nickname(rng)
        unit = UNITS[rng.randrange(len(UNITS))].name if rng.random() < 0.5 else None
        return name, unit

    def _cross_work(self, block: int) -> CrossWork:
        rng = self._rng("cross-work", block)
        platforms = tuple(sorted(rng.sample(social_platforms(), rng.randint(2, 4))))
        topic = rng.choice(names.TOPICS)
        return CrossWork(
            creator=rng.randrange(CROSS_CREATORS),
            platforms=platforms,
            quality=rng.betavariate(2, 3),
            topic=topic,
            title=names.title(rng, topic),
            body=names.body(rng, topic, rng.randint(1, 3)),
        )

    # --- queries -------------------------------------------------------------------------------

    def search(
        self,
        platform: str,
        query: str,
        *,
        offset: int,
        limit: int,
        now: datetime,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> tuple[list[SimPost], int]:
        """Visible posts whose tag keys contain ``query``'s key, newest first (see SimContext).

        Zhihu also answers ``__roundtable__:<id>`` (the answers in a roundtable) and
        ``__question__:<question id>`` (the answers to one question).
        """
        pw = self.platforms.get(platform)
        if pw is None:
            return [], 0
        if platform == "zhihu" and query.startswith(QUESTION_QUERY):
            return self._question_answers(pw, query[len(QUESTION_QUERY) :], offset, limit, now)
        if platform == "zhihu" and query.startswith(ROUNDTABLE_QUERY):
            rid = query[len(ROUNDTABLE_QUERY) :].strip().lower()
            fams = ROUNDTABLE_FAMILIES if rid == ZHIHU_ROUNDTABLE_ID else frozenset()
        else:
            fams = families_for_query(query)
        if not fams:
            return [], 0
        layout = pw.layout
        t = _epoch(now)
        hi = layout.index_gt(t)
        if until is not None:
            hi = min(hi, layout.index_gt(_epoch(until)))
        lo = min(hi, layout.index_ge(_epoch(since))) if since is not None else 0
        cut = min(max(layout.index_gt(t - DELETE_AFTER_S), lo), hi)
        segments = ((cut, hi, fams), (lo, cut, fams - {"camp_del"}))
        indices, total = layout.newest_first(segments, max(0, offset), max(0, limit))
        return [pw.build(i, t) for i in indices], total

    def _question_answers(
        self, pw: PlatformWorld, qid: str, offset: int, limit: int, now: datetime
    ) -> tuple[list[SimPost], int]:
        """Answers to one Zhihu question, newest first, by arithmetic (never a scan).

        Roundtable answers cycle through the roundtable's questions by their rank among
        roundtable answers; every other answer has a question of its own.
        """
        t = _epoch(now)
        qid = qid.strip()
        offset, limit = max(0, offset), max(0, limit)
        ids = [q for q, _title in self.roundtable_questions]
        if qid in ids:
            q, n_q = ids.index(qid), len(ids)
            visible = pw.layout.count_below(ROUNDTABLE_FAMILIES, pw.layout.index_gt(t))
            total = (visible - q + n_q - 1) // n_q if visible > q else 0
            ranks = [q + n_q * (total - 1 - m) for m in range(offset, min(total, offset + limit))]
            picked = [pw.layout.select(ROUNDTABLE_FAMILIES, r) for r in ranks]
            return [pw.build(i, t) for i in picked], total
        if not qid.isdigit() or not 0 <= int(qid) - QUESTION_ID_BASE < 10**8:
            return [], 0
        i = pw._question_ids.dec(int(qid) - QUESTION_ID_BASE)
        if i >= pw.n:
            return [], 0
        seed = pw.post_seed(i)
        gone = seed.deleted_at is not None and t >= seed.deleted_at
        if seed.extra.get("question_id") != qid or seed.t0 > t or gone:
            return [], 0
        return ([pw.build(i, t)] if offset == 0 and limit else []), 1

    def post(self, platform: str, post_id: str, *, now: datetime) -> SimPost | None:
        """The post if it is published and not deleted at ``now``; ``None`` otherwise."""
        pw = self.platforms.get(platform)
        if pw is None:
            return None
        i = pw.post_index(post_id)
        if i is None:
            return None
        t = _epoch(now)
        seed = pw.post_seed(i)
        if seed.t0 > t or (seed.deleted_at is not None and t >= seed.deleted_at):
            return None
        return pw.build(i, t)

    def account(self, platform: str, uid: str) -> SimAccount | None:
        pw = self.platforms.get(platform)
        if pw is None:
            return None
        j = pw.account_index(str(uid))
        return None if j is None else pw.account(j)

    def context(self, now: datetime) -> WorldContext:
        return WorldContext(self, now)

    # --- registry -------------------------------------------------------------------------------

    def linked_accounts(self) -> Iterator[SimAccount]:
        for p in sim_platforms():
            yield from self.platforms[p].linked_accounts()

    def account_url(self, account: SimAccount) -> str:
        """The account's public URL on the real platform (the spec's template)."""
        p, uid = account.platform, account.uid
        if catalogue.spec(p).kind == "article":
            return ""  # article sites have no author pages the importer reads
        return catalogue.spec(p).profile_url(account.sec_uid if p == "douyin" else uid)

    def post_url(self, post: SimPost | PostSeed) -> str:
        """The post's public URL on the real platform (what a unit would submit)."""
        p, pid, extra = post.platform, post.post_id, post.extra
        if p == "douyin":
            kind = "note" if post.content_type == "image" else "video"
            return f"https://www.douyin.com/{kind}/{pid}"
        if p == "zhihu":
            if post.content_type == "answer":
                return f"https://www.zhihu.com/question/{extra['question_id']}/answer/{pid}"
            if post.content_type == "article":
                return f"https://zhuanlan.zhihu.com/p/{pid}"
            return f"https://www.zhihu.com/zvideo/{pid}"
        if p == "xiaohongshu":
            return (
                f"https://www.xiaohongshu.com/explore/{pid}"
                f"?xsec_token={extra['xsec_token']}&xsec_source=pc_search"
            )
        spec = catalogue.spec(p)
        if spec.kind == "article" and spec.base_url:
            return spec.base_url + extra["path"]
        return spec.work_url(pid)


class WorldContext:
    """:class:`tracker.sim.model.SimContext` over a :class:`World` at one virtual instant."""

    def __init__(self, world: World, now: datetime) -> None:
        self.world = world
        self.now = now

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
        return self.world.search(
            platform, query, offset=offset, limit=limit, since=since, until=until, now=self.now
        )

    def post(self, platform: str, post_id: str) -> SimPost | None:
        return self.world.post(platform, post_id, now=self.now)

    def account(self, platform: str, uid: str) -> SimAccount | None:
        return self.world.account(platform, uid)

    def comments(self, platform: str, post_id: str) -> SimComments | None:
        return self.world.comments.for_post(platform, post_id, self.now)

    def comment_thread(
        self, platform: str, comment_id: str
    ) -> tuple[SimComments, SimComment] | None:
        return self.world.comments.thread(platform, comment_id, self.now)

    def rng(self, *key: object) -> random.Random:
        return self.world.rng(*key)
