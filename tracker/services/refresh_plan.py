"""How ``tracker refresh`` spends its requests: the rules, as pure functions.

Live collection is bounded by the platforms' rate limits (0.3-1 request/s), so requests are the
cost that matters. A tag listing carries current metrics for 10-20 works per request, a detail
endpoint for one; so a refresh re-reads the listings first (newest first, until a page holds no
work of the refresh window) and reads details only for what the listings did not bring:

- a platform whose listing items carry every metric its detail gives (Weibo, Douyin, Zhihu):
  listing pages, then details only for candidates no listing returned (undated works, works
  added by hand, works the platform stopped listing);
- a platform whose listing lacks a metric its detail gives (Bilibili: shares; Kuaishou:
  comments; Xiaohongshu: everything but likes): the same listing pass, read without the
  connector's per-work detail or per-author profile reads, gives every listed work a snapshot
  of the metrics its listing carries (the others stay unknown in that snapshot, and the work
  keeps their stored figures). A detail, for the metrics no listing carries, goes only to the
  listed works that matter most (:func:`wants_detail`): published in the last :data:`RECENT`,
  among the platform's top by interactions (:func:`near_cut_rank`: 5 % of its works, from 10
  up to 200), or whose figures still grow (the listing shows more than the stored figures of
  the same metrics,
  :func:`listing_grew`); plus, as above, every candidate no listing returned. The rest of the
  listed works get their listing metrics only.

Besides the works of the refresh window, the platform's current top :data:`TOP_FRESH_RANK`
(200, plus a margin of 20) by interactions are candidates whatever their age, so the works the commendation is
decided among are fresh every day; an old one no young listing page returns costs a detail.
Where the listing carries every metric, its pass reads on past the window's start as far as
pages are cheaper than those details (:func:`listing_reach`).

A daily budget (``[platforms.<id>] daily_requests``) bounds the detail pass; candidates are
taken in :func:`priority_order` (a recent work first, the oldest last). ``tracker plan`` estimates a run with :func:`refresh_requests`,
the very rule ``refresh_platform`` follows, so the plan and the run agree.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from connectors.catalogue import spec

__all__ = [
    "DETAIL_METRICS",
    "NEAR_CUT_RANK",
    "NEAR_CUT_SHARE",
    "TOP_FRESH_MARGIN",
    "TOP_FRESH_RANK",
    "is_top",
    "near_cut_rank",
    "RECENT",
    "CandidateFacts",
    "listing_covers_metrics",
    "listing_page_size",
    "listing_grew",
    "listing_pages",
    "listing_reach",
    "priority_order",
    "refresh_requests",
    "wants_detail",
]

DETAIL_METRICS: Mapping[str, frozenset[str]] = {
    # statuses/show is parsed by the same function as a listing card (``parse._post``).
    "weibo": frozenset({"likes", "comments", "shares"}),
    # aweme/detail and the challenge listing share ``parse._parse_aweme``; plays read 0 on web.
    "douyin": frozenset({"likes", "comments", "shares", "favorites"}),
    # the answer/article detail and search_v3 share ``parse._work``.
    "zhihu": frozenset({"likes", "comments"}),
    # view/detail (fixture view_BV117411r7R1.json) has stat.share; search has no share count.
    "bilibili": frozenset({"views", "likes", "comments", "shares", "favorites"}),
    # visionVideoDetail (fixture graphql_vision_video_detail.json) has commentCount.
    "kuaishou": frozenset({"views", "likes", "comments"}),
    # feed (fixture web_v1_feed_data_note_64db49dc.json): likes, comments, shares, collects.
    "xiaohongshu": frozenset({"likes", "comments", "shares", "favorites"}),
}
"""Metrics each platform's detail endpoint gives, as its parser reads the real fixtures."""

RECENT = timedelta(days=3)
"""Works published this recently come first: their figures still move the most."""

NEAR_CUT_RANK = 200
"""Works among the platform's top this-many by latest interactions are near the commendation
cut, where a stale figure could change who is commended."""
NEAR_CUT_SHARE = 0.05
"""...but never more than this share of the platform's campaign works: in a field of 300 the
top 200 are most of it, and a detail for each would cost the listing refresh its saving."""


TOP_FRESH_RANK = NEAR_CUT_RANK
"""A platform's current top this-many works by latest interactions must be fresh every day:
the commendation is decided among them."""
TOP_FRESH_MARGIN = 20
"""...so the top this-many more are refresh candidates whatever their age (a detail each when
no listing page returns them): the refresh's own figures move works across rank 200, and a
work that moves in must be fresh too."""


def is_top(rank: int | None) -> bool:
    """Whether a work of this 1-based interaction rank is a refresh candidate whatever its
    age: among the top :data:`TOP_FRESH_RANK` plus :data:`TOP_FRESH_MARGIN`."""
    return rank is not None and rank <= TOP_FRESH_RANK + TOP_FRESH_MARGIN


def listing_reach(
    window_start: datetime,
    old: Sequence[datetime],
    on_listing: Sequence[datetime],
    page_size: int,
) -> datetime:
    """How far back a newest-first listing pass reads: the window's start, or the publish time
    of an older candidate when the listing pages down to it cost fewer requests than the
    details they spare.

    ``old``: publish times of the candidates older than the window (the top works; each costs
    a detail unless a listing page returns it); ``on_listing``: publish times of the stored
    works the listing shows (what fills its pages). Reading down to the ``k``-th newest old
    candidate costs the pages of every work published between it and the window's start and
    spares ``k`` details; the reach with the fewest requests in all wins (the window's start
    on a tie).
    """
    older = sorted((t for t in old if t < window_start), reverse=True)
    if not older:
        return window_start
    shown = sorted(t for t in on_listing if t < window_start)
    size = max(1, page_size)
    best, best_cost = window_start, len(older)
    for k, when in enumerate(older, start=1):
        between = len(shown) - bisect_left(shown, when)
        cost = math.ceil(between / size) + len(older) - k
        if cost < best_cost:
            best, best_cost = when, cost
    return best


def near_cut_rank(field: int | None) -> int:
    """The top ranks counted as near the commendation cut in a field of ``field`` works: 5 %
    of it, at least 10 and at most :data:`NEAR_CUT_RANK` (200 at national scale)."""
    if field is None:
        return NEAR_CUT_RANK
    return min(NEAR_CUT_RANK, max(10, math.ceil(NEAR_CUT_SHARE * field)))


def listing_covers_metrics(platform: str) -> bool:
    """Whether a listing item carries every metric the platform's detail gives.

    An unknown platform's detail is taken to give more than its listing (the safe side: a
    detail for every candidate, as before listings were re-read).
    """
    detail = DETAIL_METRICS.get(platform)
    if detail is None:
        return False
    return detail <= spec(platform).capabilities.listing_metrics


def listing_page_size(platform: str, configured: int) -> int:
    """Works per listing page: the platform's fixed size (m.weibo.cn: 10), else the configured
    ``page_size`` up to the largest page the connector asks for (``Capabilities.page_size``)."""
    caps = spec(platform).capabilities
    return caps.page_size if caps.page_size_fixed else max(1, min(caps.page_size, configured))


def listing_pages(young_works: int, page_size: int) -> int:
    """Listing requests to see ``young_works`` newest-first: their pages plus the one that
    shows the window is over (one request even when the window is empty)."""
    return math.ceil(max(0, young_works) / max(1, page_size)) + 1


def refresh_requests(
    young_works: int,
    page_size: int,
    listing_covers_metrics: bool,
    detail_candidates_not_listed: int,
    budget: int | None,
    listed_wanting_detail: int | None = None,
) -> dict[str, int]:
    """Requests one refresh of a platform is expected to send, by purpose.

    ``young_works``: dated works within the refresh window the listing returns;
    ``detail_candidates_not_listed``: refresh candidates no listing returns (undated, added by
    hand, no longer listed); each needs a detail. Where the listing does not cover the metrics,
    ``listed_wanting_detail`` of the listed works need one too (those :func:`wants_detail`
    picks); unknown (None), every listed work is counted, the most the rule can send.
    ``over_budget`` counts the works the budget leaves out (one detail request per work).
    Retries come on top.
    """
    listing = listing_pages(young_works, page_size)
    wanted = max(0, detail_candidates_not_listed)
    if not listing_covers_metrics:
        listed = max(0, young_works)
        wanted += listed if listed_wanting_detail is None else min(listed, listed_wanting_detail)
    detail = wanted if budget is None else min(wanted, max(0, budget))
    return {"listing": listing, "detail": detail, "over_budget": wanted - detail}


@dataclass(frozen=True, slots=True)
class CandidateFacts:
    """What the priority order needs to know about one refresh candidate."""

    key: str
    published_at: datetime | None
    latest: int | None
    """Interactions (likes + comments + shares + favorites) in the latest snapshot."""
    previous: int | None
    """The same in the snapshot before it."""
    rank: int | None
    """1-based rank of ``latest`` among the platform's campaign works, None without one."""
    field: int | None = None
    """How many campaign works the platform has (what ``rank`` ranks among)."""


def _tier(fact: CandidateFacts, now: datetime) -> int:
    if fact.published_at is None or fact.published_at >= now - RECENT:
        return 0  # recent, or undated (a refresh is how an undated work gets its time)
    if fact.latest is not None and fact.previous is not None and fact.latest > fact.previous:
        return 1  # still growing
    if fact.rank is not None and fact.rank <= near_cut_rank(fact.field):
        return 2  # near the commendation cut
    return 3


def wants_detail(fact: CandidateFacts, now: datetime) -> bool:
    """Whether a work the listing returned still needs a detail, for the metrics its listing
    does not carry: a recent (or undated) work, a growing one, or one near the commendation
    cut. The others' stored figures of those metrics barely move, and the listing keeps the
    figures it carries fresh."""
    return _tier(fact, now) < 3


def listing_grew(
    listed: Mapping[str, int | None], stored: Mapping[str, int | None]
) -> tuple[int, int] | None:
    """(listing total, stored total) over the metrics both the listing and the store know,
    as ``CandidateFacts.latest``/``previous``; None when they share no metric.

    Like is compared with like: a listing that lacks shares must not look like a drop against
    a stored figure that has them.
    """
    shared = [m for m, v in listed.items() if v is not None and stored.get(m) is not None]
    if not shared:
        return None
    return sum(int(listed[m] or 0) for m in shared), sum(int(stored[m] or 0) for m in shared)


def priority_order(facts: Sequence[CandidateFacts], now: datetime) -> list[str]:
    """Candidate keys, most worth a detail request first.

    Recent works (newest first), then works whose last snapshot grew, then works near the
    commendation cut, then the rest; within each tier the newer work first, so the oldest come
    last and are the first a budget leaves out.
    """
    floor = datetime.min.replace(tzinfo=now.tzinfo)

    def key(fact: CandidateFacts) -> tuple[int, float, str]:
        when = fact.published_at or now
        if when.tzinfo is None and now.tzinfo is not None:
            when = when.replace(tzinfo=now.tzinfo)
        return (_tier(fact, now), -(when - floor).total_seconds(), fact.key)

    return [f.key for f in sorted(facts, key=key)]
