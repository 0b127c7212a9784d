"""Weibo mids, Douyin aweme ids and Xiaohongshu note ids say when their post was published.

The connectors date a post by its id when the body does not (a Weibo ``created_at`` of
``5分钟前``, a Douyin item without ``create_time``, a Xiaohongshu search card), so the
simulator's ids must encode each post's true publish second the way the real ones do, and
still decode back to the post (and to nothing when no post has that id).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

import pytest

from connectors.douyin.ids import aweme_id_time
from connectors.weibo.parse import mid_time
from connectors.xiaohongshu.ids import note_id_time
from tracker.sim.ids import SecondIds, mblogid_to_mid, mid_to_mblogid, stable_hash
from tracker.sim.layout import WORLD_END
from tracker.sim.world import PlatformWorld, World

TIMED = ("weibo", "douyin", "xiaohongshu")
SHAPES: dict[str, Callable[[str], bool]] = {
    "weibo": lambda s: len(s) == 16 and s.isdigit(),
    "douyin": lambda s: len(s) == 19 and s.isdigit(),
    "xiaohongshu": lambda s: len(s) == 24 and all(c in "0123456789abcdef" for c in s),
}


def id_time(platform: str, post_id: str) -> datetime | None:
    """What the connector derives from the id alone (capture at the end of the world)."""
    if platform == "weibo":
        return mid_time(post_id, not_after=WORLD_END)
    if platform == "douyin":
        return aweme_id_time(post_id, now=WORLD_END)
    return note_id_time(post_id, now=WORLD_END)


def id_number(platform: str, post_id: str) -> int:
    return int(post_id, 16) if platform == "xiaohongshu" else int(post_id)


def check_posts(pw: PlatformWorld, indices: range) -> int:
    """Every post of ``indices``: shape, decode, time from id; returns how many share a second."""
    p = pw.platform
    shared = 0
    previous = -1
    for i in indices:
        seed = pw.post_seed(i)
        pid = seed.post_id
        assert SHAPES[p](pid), (p, i, pid)
        assert pw.post_index(pid) == i, (p, i, pid)
        assert id_time(p, pid) == seed.published_at, (p, i, pid)
        number = id_number(p, pid)
        assert number > previous, (p, i)  # time-ordered, like the real ids
        previous = number
        if p == "weibo":
            mblogid = seed.extra["mblogid"]
            assert mid_to_mblogid(pid) == mblogid and mblogid_to_mid(mblogid) == pid
            assert 8 <= len(mblogid) <= 9 and mblogid.isalnum()
            assert pw.post_index(mblogid) == i
        shared += i > 0 and pw.layout.time_of(i - 1) == seed.t0
    return shared


@pytest.mark.parametrize("platform", TIMED)
@pytest.mark.parametrize("profile", ["full", "sparse"])
def test_every_post_of_a_small_world_dates_itself(platform: str, profile: str) -> None:
    pw = World(seed=11, scale=300, profile=profile).platform(platform)
    check_posts(pw, range(pw.n))


@pytest.mark.parametrize("platform", TIMED)
@pytest.mark.parametrize("scale", [1_000_000, 30_000_000])
def test_a_sample_of_a_big_world_dates_itself(platform: str, scale: int) -> None:
    """Big worlds publish several posts in one second; each still has its own dated id."""
    pw = World(seed=3, scale=scale).platform(platform)
    rng = random.Random(5)
    campaign = pw.layout.campaign_blocks[0] * 20
    starts = [0, pw.n - 40, campaign - 20] + [rng.randrange(pw.n - 40) for _ in range(40)]
    shared = sum(check_posts(pw, range(s, s + 40)) for s in starts)
    assert shared > 0  # the sample did cover posts sharing a second


@pytest.mark.parametrize("platform", TIMED)
def test_never_issued_ids_decode_to_nothing(platform: str) -> None:
    world = World(seed=11, scale=300)
    pw = world.platform(platform)
    issued = {pw.post_seed(i).post_id for i in range(pw.n)}
    fakes: set[str] = set()
    for i in range(0, pw.n, 7):
        pid = pw.post_seed(i).post_id
        n = id_number(platform, pid)
        for other in (n - 1, n + 1, n + (1 << 32), n ^ 1 << 20):
            fakes.add(f"{other:024x}" if platform == "xiaohongshu" else str(other))
    fakes |= {
        "0",
        "000000000000000000000000",
        "5078100000000002",  # the old simulator's shapes
        "7410000010437771255",
        "66ffffff000000001b0dead0",
        "not-an-id",
    }
    # Another seed's world has its own ids, in the same seconds' range.
    fakes |= {World(seed=12, scale=300).platform(platform).post_seed(i).post_id for i in range(50)}
    fakes -= issued
    assert len(fakes) > 150
    for fake in fakes:
        assert pw.post_index(fake) is None, fake
        assert world.post(platform, fake, now=WORLD_END) is None, fake
    if platform == "weibo":
        for fake in sorted(f for f in fakes if len(f) == 16 and f.isdigit())[:40]:
            assert pw.post_index(mid_to_mblogid(fake)) is None, fake


def test_second_ids_rank_posts_within_a_second() -> None:
    """Three posts a second: ids carry the second, grow with the index and decode exactly."""
    n, per = 90, 3
    ids = SecondIds(
        stable_hash("t"),
        bits=22,
        epoch=515_483_463,
        n=n,
        time_of=lambda i: 1_725_000_000 + i // per,
        first_at=lambda t: min(n, max(0, (t - 1_725_000_000) * per)),
        max_per_second=per,
    )
    values = [ids.encode(i) for i in range(n)]
    assert values == sorted(values) and len(set(values)) == n
    assert [(v >> 22) + 515_483_463 for v in values] == [1_725_000_000 + i // per for i in range(n)]
    assert [ids.decode(v) for v in values] == list(range(n))
    issued = set(values)
    for v in values:
        for fake in (v - 1, v + 1, v + (1 << 22), v | ((1 << 22) - 1), -v):
            if fake not in issued:
                assert ids.decode(fake) is None
    assert ids.decode(0) is None
    with pytest.raises(IndexError):
        ids.encode(n)
