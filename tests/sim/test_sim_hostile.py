"""Hostile titles are a world option: off in the default world (what ``tracker demo`` shows),
on for the escaping tests and with the ``hostile`` fault profile."""

from __future__ import annotations

from tracker.sim.api import SimServer
from tracker.sim.names import XSS_PAYLOAD
from tracker.sim.platform_list import sim_platforms, social_platforms
from tracker.sim.world import World

SIM_PLATFORMS = sim_platforms()
SOCIAL_PLATFORMS = social_platforms()


def _titles(world: World) -> dict[tuple[str, int], str]:
    return {
        (p, i): world.platform(p).post_seed(i).title
        for p in SIM_PLATFORMS
        for i in range(world.platform(p).n)
    }


def test_the_default_world_has_no_hostile_titles_and_the_option_only_adds_them() -> None:
    plain = _titles(World(seed=7, scale=120))
    hostile = _titles(World(seed=7, scale=120, hostile_titles=True))
    assert not [t for t in plain.values() if "<" in t or "onerror" in t]
    planted = {k for k, t in hostile.items() if XSS_PAYLOAD in t}
    assert {p for p, _ in planted} >= set(SOCIAL_PLATFORMS)
    # Everything else is the same world: the payload is the only difference.
    assert {k: t.replace(XSS_PAYLOAD, "") for k, t in hostile.items()} == plain


def test_the_hostile_fault_profile_brings_hostile_titles() -> None:
    assert not SimServer(seed=3, scale=20).world.hostile_titles
    assert not SimServer(seed=3, scale=20, faults="flaky").world.hostile_titles
    assert SimServer(seed=3, scale=20, faults="hostile").world.hostile_titles
    assert not SimServer(
        seed=3, scale=20, faults="hostile", hostile_titles=False
    ).world.hostile_titles
    assert SimServer(seed=3, scale=20, hostile_titles=True).world.hostile_titles
