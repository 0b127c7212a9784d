"""Index arithmetic of one platform's posts: when each was published and which tags it carries.

A platform's posts are numbered ``0..n-1`` in publication order, so "newest first from offset k"
is an index range and a page costs O(limit), not O(n). Posts come in blocks of ``BLOCK`` slots;
each block holds a fixed multiset of *families* (campaign tag, near-miss tag, other tags, ...)
in a per-block seeded order. Every post of a family carries the same tag *keys* (only the raw
spelling varies), so the posts a search for a key returns are the posts of the families whose
keys contain it, and the k-th of them is found by block arithmetic without scanning.

The world window is cut into three sections (before, during and after the campaign month) with
different family mixes; a piecewise-linear time warp maps indices to instants so that each
section fills its part of the calendar.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

from tracker.normalize.tags import tag_key
from tracker.sim.ids import stable_hash, unit_float
from tracker.sim.prng import SplitRandom

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
WORLD_START = datetime(2024, 8, 16, tzinfo=SHANGHAI)
CAMPAIGN_START = datetime(2024, 9, 1, tzinfo=SHANGHAI)
CAMPAIGN_END = datetime(2024, 10, 1, tzinfo=SHANGHAI)
WORLD_END = datetime(2024, 10, 16, tzinfo=SHANGHAI)
"""The campaign month (2024-09-01..30, Asia/Shanghai) and a fortnight either side of it."""

CAMPAIGN_TAG = "千万IP创科普"
NEAR_MISS_TAG = "千万IP创科普大赛"
CAMPAIGN_KEY = tag_key(CAMPAIGN_TAG)

BLOCK = 20
DELETE_AFTER_S = 3 * 86400
"""Posts of the ``camp_del`` family disappear this long after publication (truth keeps them)."""

FAMILY_TAGS: dict[str, tuple[str, ...]] = {
    "camp": (CAMPAIGN_TAG,),
    "camp_sci": (CAMPAIGN_TAG, "科普"),
    "camp_gd": (CAMPAIGN_TAG, "广东科普"),
    "camp_near": (CAMPAIGN_TAG, NEAR_MISS_TAG),
    "camp_del": (CAMPAIGN_TAG,),
    "camp_rt": (CAMPAIGN_TAG,),
    "repost": (CAMPAIGN_TAG,),
    "near": (NEAR_MISS_TAG,),
    "sci": ("科普",),
    "disaster": ("防灾减灾", "科普"),
    "exp": ("科学小实验",),
    "rt": (),
    "plain": (),
}
"""Display spelling of every tag a family carries (the platform decides the raw spelling)."""

FAMILY_KEYS: dict[str, tuple[str, ...]] = {
    fam: tuple(tag_key(t) for t in tags) for fam, tags in FAMILY_TAGS.items()
}
CAMPAIGN_FAMILIES = frozenset(f for f, keys in FAMILY_KEYS.items() if CAMPAIGN_KEY in keys)
ORIGINAL_CAMPAIGN_FAMILIES = frozenset({"camp", "camp_sci", "camp_gd", "camp_near", "camp_rt"})
"""Campaign works that are never deleted and never reposts: the hosts of planted anomalies."""
REPOST_TARGETS = ORIGINAL_CAMPAIGN_FAMILIES | {"camp_del"}
ROUNDTABLE_FAMILIES = frozenset({"rt", "camp_rt"})
"""Zhihu answers posted in the campaign roundtable (圆桌), with or without the tag."""


def _mix(**counts: int) -> tuple[str, ...]:
    out: list[str] = []
    for fam, n in counts.items():
        out.extend([fam] * n)
    assert len(out) == BLOCK, (len(out), counts)
    return tuple(out)


SECTION_MIX = {
    "pre": _mix(camp=1, near=1, sci=4, disaster=2, exp=2, plain=10),
    "campaign": _mix(
        camp=5,
        camp_sci=2,
        camp_gd=1,
        camp_near=1,
        camp_del=1,
        repost=1,
        near=1,
        sci=3,
        disaster=1,
        exp=1,
        plain=3,
    ),
    "post": _mix(camp=2, camp_del=1, near=1, sci=4, disaster=2, exp=2, plain=8),
}
"""Families per block in each section (the Weibo mix; see :func:`platform_mix`)."""


def platform_mix(platform: str, mix: tuple[str, ...]) -> tuple[str, ...]:
    """A section mix adapted to ``platform``: only Weibo has reposts; Zhihu has a roundtable.

    On Zhihu the campaign month's repost slot becomes a tagged roundtable answer and one plain
    slot an untagged roundtable answer; elsewhere the repost slot is an ordinary campaign work.
    """
    if platform == "weibo":
        return mix
    out = ["camp" if f == "repost" else f for f in mix]
    if platform == "zhihu" and "repost" in mix:
        out[mix.index("repost")] = "camp_rt"
        out[out.index("plain")] = "rt"
    return tuple(out)


@lru_cache(maxsize=1024)
def families_for_query(query: str) -> frozenset[str]:
    """Families whose tag keys contain the key of ``query`` (what a platform search returns)."""
    key = tag_key(query)
    if not key:
        return frozenset()
    return frozenset(f for f, keys in FAMILY_KEYS.items() if any(key in k for k in keys))


def _epoch(dt: datetime) -> float:
    return dt.timestamp()


class Layout:
    """Publication times and families of one platform's ``n_blocks * BLOCK`` posts."""

    def __init__(self, seed: int, platform: str, n_blocks: int) -> None:
        if n_blocks < 3:
            raise ValueError("a layout needs at least 3 blocks (one per section)")
        self.seed = seed
        self.platform = platform
        self.n_blocks = n_blocks
        self.n = n_blocks * BLOCK
        self._key = stable_hash(seed, platform, "layout")
        pre = max(1, round(n_blocks * 0.25))
        camp = max(1, round(n_blocks * 0.5))
        pre = min(pre, n_blocks - 2)
        camp = min(camp, n_blocks - pre - 1)
        self.campaign_blocks = (pre, pre + camp)
        mixes = {name: platform_mix(platform, mix) for name, mix in SECTION_MIX.items()}
        self.sections: tuple[tuple[int, int, tuple[str, ...]], ...] = (
            (0, pre, mixes["pre"]),
            (pre, pre + camp, mixes["campaign"]),
            (pre + camp, n_blocks, mixes["post"]),
        )
        knots_i = (0, pre * BLOCK, (pre + camp) * BLOCK, self.n)
        knots_t = tuple(_epoch(d) for d in (WORLD_START, CAMPAIGN_START, CAMPAIGN_END, WORLD_END))
        self._knots = tuple(zip(knots_i, knots_t, strict=True))
        self._perm = lru_cache(maxsize=16384)(self._block_perm)
        self._per_block: dict[frozenset[str], tuple[int, ...]] = {}

    # --- time ------------------------------------------------------------------------------

    def time_of(self, index: int) -> int:
        """Publication instant (epoch seconds) of post ``index``; non-decreasing in ``index``."""
        x = index + unit_float(self._key ^ index)
        knots = self._knots
        for k in range(1, len(knots)):
            i1, t1 = knots[k]
            if x < i1 or k == len(knots) - 1:
                i0, t0 = knots[k - 1]
                return int(t0 + (x - i0) * (t1 - t0) / (i1 - i0))
        raise AssertionError("unreachable")

    def published_at(self, index: int) -> datetime:
        return datetime.fromtimestamp(self.time_of(index), UTC)

    def max_per_second(self) -> int:
        """An upper bound on how many posts share one publication second.

        Within a section post ``i`` falls at ``x = i + u`` (``0 <= u < 1``) on a line of ``d``
        posts a second, so one second holds at most ``ceil(d) + 1`` posts; a second that
        straddles a knot takes from two sections. One more covers float rounding.
        """
        knots = self._knots
        densest = max(
            (i1 - i0) / (t1 - t0)
            for (i0, t0), (i1, t1) in zip(knots, knots[1:], strict=False)
            if t1 > t0
        )
        return 2 * (math.ceil(densest) + 1) + 1

    def _approx_index(self, t: float) -> float:
        knots = self._knots
        if t <= knots[0][1]:
            return 0.0
        for k in range(1, len(knots)):
            i1, t1 = knots[k]
            if t < t1:
                i0, t0 = knots[k - 1]
                return i0 + (t - t0) * (i1 - i0) / (t1 - t0)
        return float(self.n)

    def index_ge(self, t: float) -> int:
        """The first index published at or after ``t`` (``n`` when none)."""
        i = min(self.n, max(0, int(self._approx_index(t))))
        while i > 0 and self.time_of(i - 1) >= t:
            i -= 1
        while i < self.n and self.time_of(i) < t:
            i += 1
        return i

    def index_gt(self, t: float) -> int:
        """The first index published strictly after ``t``: posts ``[0, index_gt(t))`` exist at t."""
        return self.index_ge(math.floor(t) + 1)  # publication instants are whole seconds

    # --- families --------------------------------------------------------------------------

    def section_of_block(self, block: int) -> int:
        for s, (_b0, b1, _mix) in enumerate(self.sections):
            if block < b1:
                return s
        raise IndexError(block)

    def _block_perm(self, block: int) -> tuple[str, ...]:
        mix = list(self.sections[self.section_of_block(block)][2])
        SplitRandom(stable_hash(self.seed, self.platform, "block", block)).shuffle(mix)
        return tuple(mix)

    def block_families(self, block: int) -> tuple[str, ...]:
        return self._perm(block)

    def family_of(self, index: int) -> str:
        return self._perm(index // BLOCK)[index % BLOCK]

    def _counts(self, fams: frozenset[str]) -> tuple[int, ...]:
        counts = self._per_block.get(fams)
        if counts is None:
            counts = tuple(sum(1 for f in mix if f in fams) for _b0, _b1, mix in self.sections)
            self._per_block[fams] = counts
        return counts

    def count_below(self, fams: frozenset[str], index: int) -> int:
        """How many posts with index < ``index`` belong to ``fams``."""
        index = max(0, min(index, self.n))
        block, slot = divmod(index, BLOCK)
        total = 0
        for (b0, b1, _mix), c in zip(self.sections, self._counts(fams), strict=True):
            if block >= b1:
                total += (b1 - b0) * c
            else:
                total += (block - b0) * c
                break
        if slot and c:
            perm = self._perm(block)
            total += sum(1 for f in perm[:slot] if f in fams)
        return total

    def select(self, fams: frozenset[str], rank: int) -> int:
        """The index of the ``rank``-th (0-based, oldest first) post belonging to ``fams``."""
        for (b0, b1, _mix), c in zip(self.sections, self._counts(fams), strict=True):
            span = (b1 - b0) * c
            if rank < span:
                block = b0 + rank // c
                want = rank % c
                for slot, fam in enumerate(self._perm(block)):
                    if fam in fams:
                        if want == 0:
                            return block * BLOCK + slot
                        want -= 1
                raise AssertionError("block count mismatch")
            rank -= span
        raise IndexError("rank beyond the family's posts")

    def newest_first(
        self,
        segments: Iterable[tuple[int, int, frozenset[str]]],
        offset: int,
        limit: int,
    ) -> tuple[list[int], int]:
        """Indices of the page ``[offset, offset+limit)`` over ``segments``, newest first.

        ``segments`` are ``(lo, hi, families)`` index ranges given newest first; the second value
        is the total number of posts in all segments.
        """
        page: list[int] = []
        total = 0
        for lo, hi, fams in segments:
            if hi <= lo or not fams:
                continue
            below_hi = self.count_below(fams, hi)
            count = below_hi - self.count_below(fams, lo)
            total += count
            if len(page) >= limit:
                continue
            if offset >= count:
                offset -= count
                continue
            stop = min(count, offset + (limit - len(page)))
            page.extend(self.select(fams, below_hi - 1 - m) for m in range(offset, stop))
            offset = 0
        return page, total
