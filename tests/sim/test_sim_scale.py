"""A 10^6-post world must start at once and serve any page without building itself in memory."""

from __future__ import annotations

import gc
import tracemalloc
from collections import deque
from types import FunctionType, ModuleType

from tracker.sim.layout import BLOCK
from tracker.sim.platform_list import sim_platforms
from tracker.sim.world import DEFAULT_NOW, World

SIM_PLATFORMS = sim_platforms()

N = 1_000_000
CAMPAIGN = "#千万IP创科普#"


def _largest_container(root: object, limit: int = 200_000) -> int:
    """The largest list/tuple/dict/set reachable from ``root`` (modules and classes skipped)."""
    seen: set[int] = set()
    queue: deque[object] = deque([root])
    largest = 0
    while queue and len(seen) < limit:
        obj = queue.popleft()
        if id(obj) in seen or isinstance(obj, ModuleType | type | FunctionType):
            continue
        seen.add(id(obj))
        if isinstance(obj, list | tuple | dict | set | frozenset):
            largest = max(largest, len(obj))
        queue.extend(gc.get_referents(obj))
    return largest


def _serve_some_pages(world: World) -> int:
    served = 0
    for platform in SIM_PLATFORMS:
        _, total = world.search(platform, CAMPAIGN, offset=0, limit=1, now=DEFAULT_NOW)
        for offset in (0, total // 2, total - 20):
            page, t = world.search(platform, CAMPAIGN, offset=offset, limit=20, now=DEFAULT_NOW)
            assert t == total and len(page) == 20
            served += len(page)
    return served


def test_million_post_world_is_lazy() -> None:
    tracemalloc.start()
    try:
        world = World(seed=1, scale=N)
        after_build, _ = tracemalloc.get_traced_memory()
        served = _serve_some_pages(world)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert world.platform("weibo").n == N and world.platform("kepuchina").n == N // 10
    assert served == len(SIM_PLATFORMS) * 60
    # A materialised platform alone would be ~10^6 objects (hundreds of MB); the whole world
    # with its caches stays within a few MB.
    assert after_build < 2_000_000
    assert peak < 40_000_000
    assert _largest_container(world) < N // 20


def test_million_post_world_pages_are_consistent() -> None:
    world = World(seed=1, scale=N)
    _, total = world.search("douyin", CAMPAIGN, offset=0, limit=1, now=DEFAULT_NOW)
    assert total > N // 4  # about a third of the posts carry the tag or a near miss
    deep = total - 5_000
    a, _ = world.search("douyin", CAMPAIGN, offset=deep, limit=BLOCK, now=DEFAULT_NOW)
    b, _ = world.search("douyin", CAMPAIGN, offset=deep + BLOCK, limit=BLOCK, now=DEFAULT_NOW)
    both, _ = world.search("douyin", CAMPAIGN, offset=deep, limit=2 * BLOCK, now=DEFAULT_NOW)
    assert [p.post_id for p in a + b] == [p.post_id for p in both]
    times = [p.published_at for p in both]
    assert times == sorted(times, reverse=True)
    for post in both[:5]:
        assert world.post("douyin", post.post_id, now=DEFAULT_NOW) == post
    assert (
        World(seed=1, scale=N).search("douyin", CAMPAIGN, offset=deep, limit=3, now=DEFAULT_NOW)[0]
        == a[:3]
    )
