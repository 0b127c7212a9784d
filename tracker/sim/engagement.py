"""Engagement of simulated works: heavy-tailed, driven by hidden quality, growing with time.

A work's final counts are drawn once (from its own seeded generator) as lognormal reach scaled by
the author's followers and the work's hidden ``quality``; the count at virtual time ``t`` is
``final * (1 - exp(-age/tau))``. So metrics are a pure function of (seed, post, t), never go
down, and a second snapshot taken later always shows growth that earlier growth explains,
except for the planted anomalies:

- ``bought_likes``: extra likes worth 15-40x the organic ones, arriving within hours, with no
  matching comments or shares (the likes/comments ratio is the tell);
- ``lockstep``: a jump in every count within half an hour at a time shared by all lockstep posts
  of the world (one coordinated push), so it falls between two daily snapshots.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from connectors import catalogue
from tracker.sim.model import SimMetrics
from tracker.sim.prng import Rand

METRIC_NAMES = ("views", "likes", "comments", "shares", "favorites")
BURST_WINDOW_S = 1800
BOUGHT_TAU_S = 2 * 3600
MAX_COUNT = 2_000_000_000


@dataclass(frozen=True, slots=True)
class EngagementModel:
    """One platform's engagement shape and which metrics it exposes publicly."""

    alpha: float  # elasticity of reach to followers
    base: float  # reach multiplier
    sigma: float  # lognormal spread of reach (how viral the platform is)
    # sigma is kept well under the quality effect (3.0 per unit of quality in log reach): with
    # a spread of 1.1-1.6 no engagement-based score could recover the planted quality
    # (measured Spearman ceiling 0.35-0.43), so the world could not tell a good ranking from
    # a bad one.
    like_rate: float  # likes per view
    comment_ratio: float  # comments per like
    share_ratio: float  # shares per like
    fav_ratio: float  # favourites per like
    tau_h: float  # growth time constant, hours
    exposed: tuple[bool, bool, bool, bool, bool]  # views, likes, comments, shares, favorites


_NONE = (False, False, False, False, False)

MODELS: dict[str, EngagementModel] = {
    # m.weibo.cn search shows no read count; favourites are private.
    "weibo": EngagementModel(0.75, 4.0, 0.45, 0.03, 0.25, 0.3, 0.0, 8, (False, True, True, True, False)),
    # Douyin's web play_count is always 0, so views are unknown.
    "douyin": EngagementModel(0.6, 8.0, 0.6, 0.04, 0.06, 0.05, 0.08, 20, (False, True, True, True, True)),
    # Kuaishou search has views, likes and comments; no shares or collects.
    "kuaishou": EngagementModel(0.6, 10.0, 0.55, 0.03, 0.05, 0.0, 0.0, 20, (True, True, True, False, False)),
    # Zhihu search objects carry voteup_count and comment_count only.
    "zhihu": EngagementModel(0.55, 5.0, 0.5, 0.02, 0.15, 0.0, 0.0, 48, (False, True, True, False, False)),
    "bilibili": EngagementModel(0.7, 3.0, 0.5, 0.05, 0.05, 0.01, 0.03, 36, (True, True, True, True, True)),
    # Xiaohongshu exposes no views; collects are about as common as likes.
    "xiaohongshu": EngagementModel(0.55, 6.0, 0.55, 0.06, 0.1, 0.05, 0.7, 24, (False, True, True, True, True)),
    # The article sites show no public engagement at all.
    "kepuchina": EngagementModel(0.5, 2.0, 1.0, 0.01, 0.1, 0.1, 0.1, 48, _NONE),
    "qqnews": EngagementModel(0.5, 5.0, 1.0, 0.01, 0.1, 0.1, 0.1, 24, _NONE),
    "xuexi": EngagementModel(0.5, 5.0, 1.0, 0.01, 0.1, 0.1, 0.1, 48, _NONE),
}  # fmt: skip


def model_for(platform: str) -> EngagementModel:
    """The platform's engagement model; a platform without one gets a middling shape that
    exposes what its spec says its listings carry."""
    found = MODELS.get(platform)
    if found is not None:
        return found
    shown = catalogue.spec(platform).capabilities.listing_metrics
    exposed = (
        "views" in shown,
        "likes" in shown,
        "comments" in shown,
        "shares" in shown,
        "favorites" in shown,
    )
    return EngagementModel(0.6, 5.0, 0.5, 0.04, 0.1, 0.05, 0.1, 24, exposed)


@dataclass(frozen=True, slots=True)
class Curve:
    """Everything needed to compute a work's counts at any instant."""

    t0: int
    finals: tuple[float, float, float, float, float]
    tau_s: float
    exposed: tuple[bool, bool, bool, bool, bool]
    bought_likes: float = 0.0
    burst_t: int | None = None
    burst: tuple[float, float, float, float, float] = (0.0, 0.0, 0.0, 0.0, 0.0)


def draw_curve(
    rng: Rand,
    platform: str,
    t0: int,
    followers: int,
    quality: float,
    anomaly: str | None,
    lockstep_times: Sequence[int],
    *,
    repost: bool = False,
) -> Curve:
    m = model_for(platform)
    reach = m.base * (followers + 50) ** m.alpha
    reach *= math.exp(3.0 * (quality - 0.5) + m.sigma * rng.gauss(0.0, 1.0))
    if repost:
        reach *= 0.05
    views = min(reach, 5e8)
    likes = views * m.like_rate * math.exp(1.0 * (quality - 0.5) + 0.3 * rng.gauss(0.0, 1.0))
    comments = likes * m.comment_ratio * math.exp(0.4 * rng.gauss(0.0, 1.0))
    shares = likes * m.share_ratio * math.exp(0.5 * rng.gauss(0.0, 1.0))
    favorites = likes * m.fav_ratio * math.exp(0.3 * rng.gauss(0.0, 1.0))
    finals = (views, likes, comments, shares, favorites)
    tau_s = m.tau_h * 3600 * rng.uniform(0.6, 1.5)
    bought = 0.0
    burst_t: int | None = None
    burst = (0.0, 0.0, 0.0, 0.0, 0.0)
    if anomaly == "bought_likes":
        bought = max(likes, 20.0) * rng.uniform(15.0, 40.0)
    elif anomaly == "lockstep":
        burst_t = next((t for t in lockstep_times if t >= t0 + 6 * 3600), t0 + 2 * 86400)
        factor = rng.uniform(5.0, 15.0)
        burst = (
            max(views, 100.0) * factor,
            max(likes, 20.0) * factor,
            max(comments, 5.0) * factor * 0.5,
            max(shares, 5.0) * factor,
            max(favorites, 5.0) * factor,
        )
    return Curve(t0, finals, tau_s, m.exposed, bought, burst_t, burst)


def counts_at(curve: Curve, t: float) -> tuple[int, int, int, int, int]:
    """All five counts at ``t`` (zero before publication), hidden ones included."""
    age = t - curve.t0
    if age <= 0:
        return (0, 0, 0, 0, 0)
    g = 1.0 - math.exp(-age / curve.tau_s)
    values = [f * g for f in curve.finals]
    if curve.bought_likes:
        values[1] += curve.bought_likes * (1.0 - math.exp(-age / BOUGHT_TAU_S))
    if curve.burst_t is not None and t > curve.burst_t:
        frac = min(1.0, (t - curve.burst_t) / BURST_WINDOW_S)
        values = [v + b * frac for v, b in zip(values, curve.burst, strict=True)]
    return tuple(min(MAX_COUNT, int(v)) for v in values)  # type: ignore[return-value]


def comments_at(curve: Curve, t: float) -> int:
    """``counts_at(curve, t)[2]`` with the same arithmetic, for the comment generator's searches
    (bought likes never touch comments)."""
    age = t - curve.t0
    if age <= 0:
        return 0
    value = curve.finals[2] * (1.0 - math.exp(-age / curve.tau_s))
    if curve.burst_t is not None and t > curve.burst_t:
        value = value + curve.burst[2] * min(1.0, (t - curve.burst_t) / BURST_WINDOW_S)
    return min(MAX_COUNT, int(value))


def metrics_at(curve: Curve, t: float) -> SimMetrics:
    """The counts the platform shows at ``t``: ``None`` for what it does not expose."""
    counts = counts_at(curve, t)
    v, lk, c, s, f = (n if shown else None for n, shown in zip(counts, curve.exposed, strict=True))
    return SimMetrics(views=v, likes=lk, comments=c, shares=s, favorites=f)
