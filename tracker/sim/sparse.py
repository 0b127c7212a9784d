"""What a collector observes of the ``sparse`` world: real data's gaps, as seeded rules.

The simulator's default world hands the ranking every input (followers on every listing, a
publish time on every work, several works per account). Real campaign data is sparser, and the
ranking has to be judged where it is. ``World(profile="sparse")`` changes who publishes (many
accounts with 1-3 works); this module says, per work and account, which inputs the collector
would have, so a benchmark can mask the collected frames exactly as real sources leave them:

- listings without follower counts: Bilibili, Kuaishou and Xiaohongshu search results carry
  none; an account's followers are known there only when its profile was read within the
  request budget (``PROFILE_READ_SHARE`` of accounts);
- cards without publish time: Xiaohongshu search cards never carry one (its note id encodes
  the second, so the time is *derived*, source ``id``); captures on platforms whose ids do not
  encode time (Bilibili, Kuaishou, Zhihu) have no time at all;
- captures and submissions (``CAPTURE_SHARE`` of works): likes only, no follower figure, one
  reading at capture time;
- non-campaign history: an account whose profile was read shows its other recent works.

Every decision is a pure function of (seed, platform, id), so the same world is masked the same
way in every run.
"""

from __future__ import annotations

from connectors import catalogue
from tracker.sim.ids import stable_hash, unit_float
from tracker.sim.platform_list import id_time_platforms, sim_platforms

__all__ = [
    "CAPTURE_SHARE",
    "listing_without_followers",
    "PROFILE_READ_SHARE",
    "is_capture",
    "profile_read",
    "time_source",
]


def listing_without_followers() -> frozenset[str]:
    """Simulated platforms whose search listings carry no follower figure (from the specs)."""
    return frozenset(
        p for p in sim_platforms() if not catalogue.spec(p).capabilities.listing_followers
    )


PROFILE_READ_SHARE = 0.3
"""Share of accounts on the platforms above whose profile the collector reads within budget."""
CAPTURE_SHARE = 0.15
"""Share of works that reach the tracker only as a capture or submission (likes only)."""


def _u(seed: int, *key: object) -> float:
    return unit_float(stable_hash(seed, "sparse", *key))


def profile_read(seed: int, platform: str, account_uid: str) -> bool:
    """True when the collector read this account's profile (followers and recent works known)."""
    return _u(seed, "profile", platform, account_uid) < PROFILE_READ_SHARE


def is_capture(seed: int, platform: str, post_id: str) -> bool:
    """True when the work is known only from a capture or submission (likes only)."""
    return _u(seed, "capture", platform, post_id) < CAPTURE_SHARE


def followers_visible(seed: int, platform: str, account_uid: str, post_id: str) -> bool:
    """Whether the collector holds a follower figure for this work's account."""
    if profile_read(seed, platform, account_uid):
        return True
    if is_capture(seed, platform, post_id):
        return False
    return catalogue.spec(platform).capabilities.listing_followers


def time_source(seed: int, platform: str, post_id: str) -> str | None:
    """``field`` (the listing gave the time), ``id`` (derived from the post id) or ``None``."""
    untimed = not catalogue.spec(platform).capabilities.listing_time or is_capture(
        seed, platform, post_id
    )
    if not untimed:
        return "field"
    return "id" if platform in id_time_platforms() else None
