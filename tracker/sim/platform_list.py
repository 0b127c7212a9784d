"""Which platforms the simulator serves, read from the platform specs.

The simulator reads only the catalogue's data (ids, kinds, its own module names), never a
connector's code: a platform whose spec names a ``simulator`` is simulated, social platforms
get feeds and accounts, article sites get pages.
"""

from __future__ import annotations

from functools import cache

from connectors import catalogue


@cache
def sim_platforms() -> tuple[str, ...]:
    """Every simulated platform, social first, each group in display order."""
    return social_platforms() + article_platforms()


@cache
def social_platforms() -> tuple[str, ...]:
    return tuple(p for p, s in catalogue.specs().items() if s.simulator and s.kind == "social")


@cache
def article_platforms() -> tuple[str, ...]:
    return tuple(p for p, s in catalogue.specs().items() if s.simulator and s.kind == "article")


@cache
def id_time_platforms() -> frozenset[str]:
    """Simulated platforms whose post ids carry the publish second, as the real ones do."""
    return frozenset(p for p in sim_platforms() if catalogue.spec(p).capabilities.id_encodes_time)


for _cached in (sim_platforms, social_platforms, article_platforms, id_time_platforms):
    catalogue.on_reset(_cached.cache_clear)
