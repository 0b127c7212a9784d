"""``tracker plan``: the requests a day's jobs will send per platform, and the hours they take.

Live collection is bounded by the platforms' rate limits (``[platforms.<id>] rate_per_s``,
0.3-1 request/s), not by CPU, so staff need to know before a busy day whether a platform's daily
collection and metric refresh still fit into the day. The plan reads the database (what the
last week brought) and the config (rates, page sizes, refresh window, budgets); the rules are
pure functions below, so a test can recompute every figure by hand.

Rules (also in docs/scheduling.md, "请求预算与 tracker plan"):

- **Expected new works per day**: works of the platform first collected in the last
  :data:`LOOKBACK_DAYS` days ÷ 7. **Authors per work**: the distinct authors of those works ÷
  their number (authors, not accounts first seen: the comment stage stores every commenter as
  an account, and no collection reads a commenter's profile). A platform without a single
  stored work takes :data:`DEFAULT_NEW_WORKS_PER_DAY` and :data:`DEFAULT_AUTHORS_PER_WORK`.
- **Collection window**: a daily collection reads the works published since the last one
  began less ``COLLECT_OVERLAP`` (2 days), so :func:`window_days` (3) days of new works.
- **Page size**: ``Capabilities.page_size`` of the platform's spec (what its connector asks for
  at most), or that size outright where the platform fixes it (``page_size_fixed``: m.weibo.cn
  10, Kuaishou 20); elsewhere ``min(spec, [platforms.<id>] page_size)``.
- **Collection, listing pages** (:data:`COLLECT_SHAPES`): a newest-first listing reads
  ``ceil(window's works / page size) + 1`` pages (the last shows nothing newer than
  ``since``); Bilibili's search is read per calendar day, the window's days and today's, each
  ``ceil(new per day / page size)`` pages; a listing in no time order (Douyin's challenge,
  Kuaishou's search, Weibo's topic container) is read to its end every day,
  ``ceil((stored works + new per day) / page size)`` pages, at most ``max_pages``. Listings are
  one per search word (the campaigns' tag spellings, one per tag key) of each kind the
  connector reads, plus one newest-first listing per Zhihu roundtable, plus lookups (Douyin
  resolves each tag's challenge id first).
- **Collection, details**: Bilibili ``view/detail`` for every work of the window; Xiaohongshu
  ``feed`` for every card of a page read (pages × page size); Weibo's long text for a cut post
  of the day's new works (a stored full text is not read again), estimated from the share of
  the week's Weibo works longer than :data:`LONG_TEXT_CHARS` characters
  (:data:`DEFAULT_LONG_TEXT_SHARE` without any).
- **Collection, profiles**: one per author of the window's works (window's works × authors per
  work) where the listing carries no follower count and the connector reads the profile
  (Kuaishou, Xiaohongshu, and Douyin, whose lists show 0 followers); Bilibili's followers come
  with its detail read.
- **Refresh**: :func:`tracker.services.refresh_plan.refresh_requests`, the rule the refresh run
  follows (listing pass where the listing carries every metric, details for the rest, under
  ``[platforms.<id>] daily_requests``). Candidates are the campaign works of the refresh window
  (``[schedule] refresh_younger_than_days``) plus undated ones, plus the platform's current
  top 200 (and a margin of 20) by interactions whatever their age, plus the day's new works
  (the refresh runs after the collection; listed, and recent); a work is "not listed" when it
  has no publish time, joined the campaign only by submission or by hand, or is a top work
  older than the window. Where the listing lacks a metric, a listed work needs a detail only
  when the refresh's own :func:`~tracker.services.refresh_plan.wants_detail` picks it (on the
  refresh's own candidate facts), and where such a detail reads profiles (Kuaishou,
  Xiaohongshu) one profile per distinct author of the detail works published before the
  collection window (:func:`detail_authors`; the day's collection has just read the others).
- **Comments**: the comment stage's choice of the day (``tracker.services.comment_choice``:
  hub works, top works, registry works, less those read within ``reread_after_hours`` whose
  count did not grow, at most ``daily_works_per_platform``), each work at
  :func:`~tracker.services.comment_choice.expected_pages` requests (one per
  ``COMMENTS_PER_REQUEST`` comments, at least 1, at most ``max_pages_per_work``; 1 when the
  count is unknown). The stage runs after the day's refresh has updated the counts, so each
  work's count is taken as stored plus the growth its last two snapshots showed
  (:func:`projected`): a recently read work that keeps growing is read again, at its grown
  cost. Nothing when ``[comments] enabled`` is false; without a database, the hub works at 1
  request each.
- **Retry allowance**: requests × the retry rate of the platform's collect, refresh and comment
  runs of the last 7 days (retries ÷ first attempts, from the run's ``requests`` by purpose or its
  ``http`` figures); :data:`DEFAULT_RETRY_RATE` without such runs. Rounded up.
- **Hours** = requests ÷ ``rate_per_s`` ÷ 3600; a platform without a rate limit is 不限速 and
  always fits. A platform fits when its jobs' hours together are at most
  ``[schedule] max_hours_per_platform`` (6 by default).

Checked against the simulator by ``bench/daily_cycle.py`` (its "plan check": the plan read
before the last day's jobs, next to the requests that day measured).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Literal

from sqlalchemy import Connection

from connectors import catalogue
from connectors._client_common import search_keywords
from tracker.config import PlatformConfig, TrackerConfig
from tracker.services.collect import COLLECT_OVERLAP, candidate_facts
from tracker.services.comment_choice import Candidate, expected_pages, hub_works
from tracker.services.refresh_plan import (
    is_top,
    listing_covers_metrics,
    listing_page_size,
    listing_pages,
    refresh_requests,
    wants_detail,
)
from tracker.store.queries import Engine
from tracker.store.queries.plan import (
    comment_growth,
    plan_counts,
    post_authors,
    refresh_candidate_rows,
    run_details,
)
from tracker.store.queries.refresh import interaction_ranks

__all__ = [
    "COLLECT_SHAPES",
    "CollectShape",
    "JobPlan",
    "PlatformFacts",
    "PlatformPlan",
    "RequestPlan",
    "collect_requests",
    "plan_requests",
    "read_facts",
    "retry_rate",
    "with_retries",
]

LOOKBACK_DAYS = 7
DEFAULT_NEW_WORKS_PER_DAY = 50.0
"""New works a day assumed for a platform with no stored work yet."""
DEFAULT_AUTHORS_PER_WORK = 1.0
"""Distinct authors per work assumed without a recent work (every work by a new author)."""
DEFAULT_RETRY_RATE = 0.10
"""Retries per first attempt assumed without recent runs that counted them."""
DEFAULT_BUDGET_HOURS = 6.0
LONG_TEXT_CHARS = 140
"""A Weibo post longer than this was cut in the listing and completed by a long-text read."""
DEFAULT_LONG_TEXT_SHARE = 0.25
"""Share of Weibo posts read as long texts assumed without any stored Weibo work."""
LISTED_BY = frozenset({"tag", "roundtable", "topic", "theme"})
"""``post_campaign.matched_by`` values of works a platform listing returns."""

DetailMode = Literal["none", "window_card", "page_card", "long_text"]


@dataclass(frozen=True, slots=True)
class CollectShape:
    """What one collection of a platform sends, as its connector does."""

    listings_per_word: int = 1
    """Newest-first listings per search word, read back to the collection's ``since``."""
    whole_listings_per_word: int = 0
    """Listings per word in no time order: read to their last page (or ``max_pages``) every
    day, whatever ``since`` says."""
    day_slices: bool = False
    """The newest-first search is read once per calendar day of the window (Bilibili)."""
    lookups_per_word: int = 0
    details: DetailMode = "none"
    profiles: bool = False


COLLECT_SHAPES: Mapping[str, CollectShape] = {
    # connectors/weibo/client.py: realtime (newest first) and topic (no order) containers per
    # word; ajax/statuses/longtext for a cut (isLongText) post whose full text is not stored.
    "weibo": CollectShape(whole_listings_per_word=1, details="long_text"),
    # connectors/douyin/client.py: challenge/search per tag, then challenge/aweme (no time
    # order); lists report follower_count 0, so user/profile/other once per author.
    "douyin": CollectShape(
        listings_per_word=0, whole_listings_per_word=1, lookups_per_word=1, profiles=True
    ),
    # connectors/kuaishou/client.py: search/feed (no time order); visionProfile per author.
    "kuaishou": CollectShape(listings_per_word=0, whole_listings_per_word=1, profiles=True),
    # connectors/zhihu/client.py: search_v3 (followers in the item), plus each roundtable.
    "zhihu": CollectShape(),
    # connectors/bilibili/client.py: search sliced by calendar day, then view/detail for every
    # work of the window, which also gives the author's followers.
    "bilibili": CollectShape(day_slices=True, details="window_card"),
    # connectors/xiaohongshu/client.py: search/notes, feed for every card of a page read,
    # otherinfo per author of the window's works.
    "xiaohongshu": CollectShape(details="page_card", profiles=True),
}
"""Per live platform; a platform missing here reads profiles where its spec says listings
carry no followers, and nothing else."""


def collect_shape(platform: str) -> CollectShape:
    found = COLLECT_SHAPES.get(platform)
    if found is not None:
        return found
    return CollectShape(profiles=not catalogue.spec(platform).capabilities.listing_followers)


# --------------------------------------------------------------------------- figures (pure)


@dataclass(frozen=True, slots=True)
class RequestPlan:
    """Requests of one job by purpose."""

    listing: int = 0
    detail: int = 0
    profile: int = 0
    retry: int = 0
    comments: int = 0

    @property
    def total(self) -> int:
        return self.listing + self.detail + self.profile + self.comments + self.retry


@dataclass(frozen=True, slots=True)
class PlatformFacts:
    """What the database says about one platform (all zero on an empty database)."""

    works_recent: int = 0
    """Works first collected in the last :data:`LOOKBACK_DAYS` days."""
    authors_recent: int = 0
    """Distinct authors of ``works_recent`` (commenters are accounts too, but no author)."""
    long_texts_recent: int = 0
    """Of ``works_recent``, those longer than :data:`LONG_TEXT_CHARS` characters."""
    works_stored: int = 0
    refresh_listed: int = 0
    """Dated refresh candidates a listing returns."""
    refresh_not_listed: int = 0
    """Undated candidates, and candidates that joined only by submission or by hand."""
    refresh_listed_wanting_detail: int | None = None
    """Of ``refresh_listed``, those the refresh's :func:`~tracker.services.refresh_plan.
    wants_detail` picks (None: not known, every listed work counted)."""
    refresh_profiles: int = 0
    """Authors of the refresh's detail works published before the collection's window (whose
    profiles the day's collection did not just read), where details read profiles."""
    attempts_recent: int = 0
    """Requests sent by the last week's collect and refresh runs (retries included)."""
    retries_recent: int = 0
    comment_requests: int = 0
    """The comment stage's expected requests today (before retries)."""
    comment_works: int = 0


def per_day(recent: int, stored: int) -> float:
    """A week's count as a daily figure; the default for a platform with nothing stored."""
    return recent / LOOKBACK_DAYS if stored else DEFAULT_NEW_WORKS_PER_DAY


def window_days(overlap: timedelta = COLLECT_OVERLAP) -> int:
    """Days of works a daily collection reads: the day since the last one, and the overlap."""
    return 1 + math.ceil(overlap / timedelta(days=1))


def whole_listing_pages(listing_works: float, page_size: int, max_pages: int | None) -> int:
    """Pages of a listing in no time order, read to its end (or ``max_pages``)."""
    pages = max(1, math.ceil(listing_works / max(1, page_size)))
    return pages if max_pages is None else min(pages, max_pages)


def collect_requests(
    shape: CollectShape,
    *,
    words: int,
    extra_listings: int,
    new_works_per_day: float,
    authors_per_work: float,
    page_size: int,
    long_text_share: float,
    listing_works: float = 0.0,
    max_pages: int | None = None,
    days: int = 1,
) -> RequestPlan:
    """One daily collection, before retries (the rules of the module docstring).

    ``days``: days of works the collection's ``since`` covers (:func:`window_days`);
    ``listing_works``: what a listing read to its end holds (the platform's stored works)."""
    window = math.ceil(new_works_per_day * days)
    if shape.day_slices:  # a slice per calendar day: the window's days and today's
        newest = (days + 1) * max(1, math.ceil(new_works_per_day / max(1, page_size)))
    else:
        newest = listing_pages(window, page_size)
    whole = whole_listing_pages(listing_works, page_size, max_pages)
    listing = (
        words * (shape.listings_per_word * newest + shape.whole_listings_per_word * whole)
        + extra_listings * newest
        + words * shape.lookups_per_word
    )
    cards = words * window  # the window's works each word's listing returns
    if shape.details == "window_card":
        detail = cards
    elif shape.details == "page_card":
        detail = words * shape.listings_per_word * newest * page_size
    elif shape.details == "long_text":  # a stored full text is not read again
        detail = math.ceil(words * new_works_per_day * long_text_share - 1e-9)
    else:
        detail = 0
    profile = math.ceil(cards * authors_per_work - 1e-9) if shape.profiles else 0
    return RequestPlan(listing=listing, detail=detail, profile=profile)


def retry_rate(attempts: int, retries: int) -> float:
    """Retries per first attempt; the default when no run counted its requests."""
    first = attempts - retries
    return retries / first if first > 0 and retries >= 0 else DEFAULT_RETRY_RATE


def with_retries(plan: RequestPlan, rate: float) -> RequestPlan:
    base = plan.listing + plan.detail + plan.profile + plan.comments
    retry = math.ceil(base * rate - 1e-9)
    return RequestPlan(plan.listing, plan.detail, plan.profile, retry, plan.comments)


def hours_for(requests: int, rate_per_s: float | None) -> float | None:
    """Hours at the configured rate; None for a platform without a rate limit."""
    if not rate_per_s:
        return None
    return requests / rate_per_s / 3600


@dataclass(frozen=True, slots=True)
class JobPlan:
    job: Literal["collect", "refresh", "comments"]
    requests: RequestPlan
    hours: float | None
    over_budget: int = 0
    """Refresh works the ``daily_requests`` budget leaves out."""


@dataclass(frozen=True, slots=True)
class PlatformPlan:
    platform: str
    rate_per_s: float | None
    jobs: tuple[JobPlan, ...]
    budget_hours: float
    inputs: dict[str, Any] = field(default_factory=dict)
    advice: str | None = None

    @property
    def total(self) -> int:
        return sum(j.requests.total for j in self.jobs)

    @property
    def hours(self) -> float | None:
        return hours_for(self.total, self.rate_per_s)

    @property
    def fits(self) -> bool:
        hours = self.hours
        return hours is None or hours <= self.budget_hours + 1e-9

    def as_json(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "name": catalogue.PLATFORM_NAMES_ZH.get(self.platform, self.platform),
            "rate_per_s": self.rate_per_s,
            "jobs": [
                {
                    "job": j.job,
                    **asdict(j.requests),
                    "total": j.requests.total,
                    "hours": _rounded(j.hours),
                    "over_budget": j.over_budget,
                }
                for j in self.jobs
            ],
            "total": self.total,
            "hours": _rounded(self.hours),
            "budget_hours": self.budget_hours,
            "fits": self.fits,
            "advice": self.advice,
            "inputs": self.inputs,
        }


def _rounded(hours: float | None) -> float | None:
    return None if hours is None else round(hours, 4)


def advice_for(
    platform: str,
    collect: JobPlan,
    refresh: JobPlan,
    *,
    rate_per_s: float,
    budget_hours: float,
    retry: float,
    window_days: int,
    comments: JobPlan | None = None,
    comment_works: int = 0,
) -> str:
    """Which job to thin so the platform fits: the comment stage first when the day fits
    without it (fewer works a day), then the refresh, where it can be bounded."""
    name = catalogue.PLATFORM_NAMES_ZH.get(platform, platform)
    room = math.floor(budget_hours * 3600 * rate_per_s / (1 + retry))
    room -= collect.requests.total - collect.requests.retry + refresh.requests.listing
    comment_requests = comments.requests.comments if comments is not None else 0
    others = refresh.requests.total - refresh.requests.retry - refresh.requests.listing
    if comment_requests and comment_works and room - others > 0:
        per_work = comment_requests / comment_works
        works = max(0, math.floor((room - others) / per_work))
        if works < comment_works:
            return (
                f"{name}超出每日 {budget_hours:g} 小时预算：设置 [comments] "
                f"daily_works_per_platform = {works}（每天读取评论的作品数）"
            )
    room -= comment_requests
    if refresh.requests.total > 0 and room > 0:
        shorter = "；或把刷新窗口缩短到 7 天（[schedule] refresh_younger_than_days = 7）"
        return (
            f"{name}超出每日 {budget_hours:g} 小时预算：设置 [platforms.{platform}] "
            f"daily_requests = {room}（刷新详情请求上限）" + (shorter if window_days > 7 else "")
        )
    return (
        f"{name}超出每日 {budget_hours:g} 小时预算：仅每日采集就需要 "
        f"{hours_for(collect.requests.total, rate_per_s) or 0:.2f} 小时；"
        f"请减少标签写法、调低 [platforms.{platform}] max_pages，或在平台允许时提高 rate_per_s"
    )


def day_refresh(
    facts: PlatformFacts,
    new_works_per_day: float,
    page_size: int,
    covers: bool,
    budget: int | None,
) -> dict[str, int]:
    """The refresh of the day (:func:`~tracker.services.refresh_plan.refresh_requests`): it
    runs after the day's collection, so the day's new works are candidates too, listed and
    recent (a recent work wants a detail where the listing lacks a metric)."""
    new = math.ceil(new_works_per_day - 1e-9)
    wanting = facts.refresh_listed_wanting_detail
    return refresh_requests(
        facts.refresh_listed + new,
        page_size,
        covers,
        facts.refresh_not_listed,
        budget,
        None if wanting is None else wanting + new,
    )


def plan_platform(
    platform: str, pcfg: PlatformConfig, config: TrackerConfig, facts: PlatformFacts
) -> PlatformPlan:
    """The plan of one platform from the config and its facts (pure)."""
    page_size = listing_page_size(platform, pcfg.page_size)
    spellings = [s for c in config.campaigns for s in c.all_spellings]
    words = len(search_keywords(spellings))
    roundtables = (
        len({r for c in config.campaigns for r in c.membership.zhihu_roundtables})
        if platform == "zhihu"
        else 0
    )
    works_day = per_day(facts.works_recent, facts.works_stored)
    authors_per_work = (
        facts.authors_recent / facts.works_recent
        if facts.works_recent
        else DEFAULT_AUTHORS_PER_WORK
    )
    long_share = (
        facts.long_texts_recent / facts.works_recent
        if facts.works_recent
        else DEFAULT_LONG_TEXT_SHARE
    )
    rate = retry_rate(facts.attempts_recent, facts.retries_recent)
    shape = collect_shape(platform)
    collect = with_retries(
        collect_requests(
            shape,
            words=words,
            extra_listings=roundtables,
            new_works_per_day=works_day,
            authors_per_work=authors_per_work,
            page_size=page_size,
            long_text_share=long_share,
            listing_works=facts.works_stored + works_day,
            max_pages=pcfg.max_pages,
            days=window_days(),
        ),
        rate,
    )
    budget = pcfg.daily_requests
    covers = listing_covers_metrics(platform)
    refreshed = day_refresh(facts, works_day, page_size, covers, budget)
    refresh_profiles = facts.refresh_profiles if shape.profiles and not covers else 0
    refresh = with_retries(
        RequestPlan(refreshed["listing"], refreshed["detail"], refresh_profiles), rate
    )
    comments = with_retries(RequestPlan(comments=facts.comment_requests), rate)
    jobs = (
        JobPlan("collect", collect, hours_for(collect.total, pcfg.rate_per_s)),
        JobPlan(
            "refresh",
            refresh,
            hours_for(refresh.total, pcfg.rate_per_s),
            refreshed.get("over_budget", 0),
        ),
        JobPlan("comments", comments, hours_for(comments.total, pcfg.rate_per_s)),
    )
    inputs = {
        "page_size": page_size,
        "search_words": words,
        "roundtables": roundtables,
        "new_works_per_day": round(works_day, 4),
        "collect_window_days": window_days(),
        "authors_per_work": round(authors_per_work, 4),
        "from_defaults": facts.works_stored == 0,
        "long_text_share": round(long_share, 4)
        if collect_shape(platform).details == "long_text"
        else None,
        "refresh_listed": facts.refresh_listed,
        "refresh_not_listed": facts.refresh_not_listed,
        "refresh_listed_wanting_detail": facts.refresh_listed_wanting_detail,
        "refresh_profiles": refresh_profiles,
        "listing_covers_metrics": covers,
        "daily_requests": budget,
        "retry_rate": round(rate, 4),
        "comment_works": facts.comment_works,
    }
    budget_hours = config.schedule.max_hours_per_platform
    plan = PlatformPlan(platform, pcfg.rate_per_s, jobs, budget_hours, inputs)
    if plan.fits or not pcfg.rate_per_s:
        return plan
    advice = advice_for(
        platform,
        jobs[0],
        jobs[1],
        rate_per_s=pcfg.rate_per_s,
        budget_hours=budget_hours,
        retry=rate,
        window_days=config.schedule.refresh_younger_than_days,
        comments=jobs[2],
        comment_works=facts.comment_works,
    )
    return PlatformPlan(platform, pcfg.rate_per_s, jobs, budget_hours, inputs, advice)


def plan_requests(config: TrackerConfig, facts: Mapping[str, PlatformFacts]) -> list[PlatformPlan]:
    """Every enabled live platform's plan, in the config's order (the order jobs are planned)."""
    return [
        plan_platform(p, config.platforms[p], config, facts.get(p, PlatformFacts()))
        for p in config.enabled_platforms()
    ]


def plan_json(plans: Iterable[PlatformPlan], budget_hours: float) -> dict[str, Any]:
    plans = list(plans)
    return {
        "budget_hours": budget_hours,
        "platforms": [p.as_json() for p in plans],
        "over_budget": [p.platform for p in plans if not p.fits],
    }


# --------------------------------------------------------------------------- database (I/O)


def _request_figures(detail: Any) -> tuple[int, int]:
    """(attempts, retries) a run row recorded: ``requests`` by purpose, else its ``http``."""
    if not isinstance(detail, dict):
        return 0, 0
    found = detail.get("http")
    http: dict[str, Any] = found if isinstance(found, dict) else {}
    by_purpose = detail.get("requests")
    if not isinstance(by_purpose, dict):
        by_purpose = http.get("by_purpose")
    if isinstance(by_purpose, dict) and by_purpose:
        numbers = {k: v for k, v in by_purpose.items() if isinstance(v, int)}
        retried = numbers.get("retry", 0)
        return sum(v for k, v in numbers.items() if k != "retry"), retried
    attempts, retries = http.get("requests"), http.get("retries")
    if isinstance(attempts, int) and isinstance(retries, int):
        return attempts, retries
    return 0, 0


def _run_figures(engine: Engine, since: datetime, now: datetime) -> dict[str, tuple[int, int]]:
    totals: dict[str, tuple[int, int]] = {}
    with engine.connect() as conn:
        for platform, detail in run_details(conn, since, now):
            attempts, retries = _request_figures(detail)
            before = totals.get(platform, (0, 0))
            totals[platform] = (before[0] + attempts, before[1] + retries)
    return totals


def _refresh_candidates(
    engine: Engine, now: datetime, window: timedelta, platforms: Iterable[str]
) -> dict[str, dict[str, bool]]:
    """Per platform, each refresh candidate and whether a listing returns it (the refresh's own
    selection): the window's works, and the current top works older than the window, which no
    young listing page returns (a detail each)."""
    listed: dict[tuple[str, str], bool] = {}
    with engine.connect() as conn:
        for platform, post_id, published, matched_by in refresh_candidate_rows(conn, now, window):
            key = (platform, post_id)
            on_listing = published is not None and matched_by in LISTED_BY
            listed[key] = listed.get(key, False) or on_listing
        for platform in platforms:
            for post_id, (_, rank) in interaction_ranks(conn, platform).items():
                if is_top(rank):
                    listed.setdefault((platform, post_id), False)
    out: dict[str, dict[str, bool]] = {}
    for (platform, post_id), on_listing in listed.items():
        out.setdefault(platform, {})[post_id] = on_listing
    return out


def detail_authors(
    works: Mapping[str, tuple[str | None, datetime | None]], before: datetime
) -> int:
    """Distinct authors of ``works`` (author, publish time) published before ``before`` or at
    an unknown time: a detail read profiles them, while the authors of newer works were read
    by the day's collection hours before (a reading the connector reuses for 24 hours)."""
    return len({a for a, t in works.values() if a is not None and (t is None or t < before)})


def _sparse_refresh(
    engine: Engine, platform: str, candidates: Mapping[str, bool], now: datetime
) -> tuple[int, int]:
    """(listed candidates wanting a detail, authors those details profile) of a platform whose
    listing lacks a metric: the refresh's own :func:`wants_detail` on its own candidate facts."""
    listed = [k for k, on_listing in candidates.items() if on_listing]
    wanting = [f.key for f in candidate_facts(engine, platform, listed) if wants_detail(f, now)]
    detailed = wanting + [k for k, on_listing in candidates.items() if not on_listing]
    with engine.connect() as conn:
        works = post_authors(conn, platform, detailed)
    since = now - timedelta(days=window_days())
    aware = {k: (a, _aware(t)) for k, (a, t) in works.items()}
    return len(wanting), detail_authors(aware, since)


def _aware(when: datetime | None) -> datetime | None:
    """A stored time as UTC-aware (a SQLite row may come back naive)."""
    return when if when is None or when.tzinfo is not None else when.replace(tzinfo=UTC)


def projected(works: list[Candidate], growth: Mapping[str, int]) -> list[Candidate]:
    """Each work's comment count as the comment stage will see it: the stored count plus the
    growth its last two snapshots showed. The stage runs after the day's refresh has updated
    the counts, and a recently read work is read again only when its count grew."""
    return [
        w
        if w.comments is None or growth.get(w.post_id, 0) <= 0
        else replace(w, comments=w.comments + growth[w.post_id])
        for w in works
    ]


def _comment_facts(
    engine: Engine | None, config: TrackerConfig, now: datetime
) -> dict[str, tuple[int, int]]:
    """Per platform (works, expected requests) of the comment stage's day (module doc)."""
    from tracker.services.comments import choose_platform_works, comment_platforms

    cc = config.comments
    if not cc.enabled:
        return {}
    out: dict[str, tuple[int, int]] = {}
    if engine is None:
        hubs = hub_works(cc.hub_works)[0]
        for platform in comment_platforms(config):
            works = min(len(hubs.get(platform, [])), cc.daily_works_per_platform)
            out[platform] = (works, works)
        return out
    with engine.connect() as conn:
        for platform in comment_platforms(config):
            project = partial(_projected_from, conn, platform)
            choice = choose_platform_works(conn, config, platform, now, project=project)
            pages = sum(
                expected_pages(platform, w.comments, cc.max_pages_per_work) for w in choice.works
            )
            out[platform] = (len(choice.works), pages)
    return out


def _projected_from(conn: Connection, platform: str, works: list[Candidate]) -> list[Candidate]:
    return projected(works, comment_growth(conn, platform, [w.post_id for w in works]))


def read_facts(engine: Engine, config: TrackerConfig, now: datetime) -> dict[str, PlatformFacts]:
    """What the plan needs from the database, per platform."""
    since = now - timedelta(days=LOOKBACK_DAYS)
    with engine.connect() as conn:
        counts = plan_counts(conn, since, now, LONG_TEXT_CHARS)
    comments = _comment_facts(engine, config, now)
    window = timedelta(days=config.schedule.refresh_younger_than_days)
    candidates = _refresh_candidates(engine, now, window, config.enabled_platforms())
    sparse = {
        p: _sparse_refresh(engine, p, candidates.get(p, {}), now)
        for p in config.enabled_platforms()
        if not listing_covers_metrics(p)
    }
    runs = _run_figures(engine, since, now)
    return {
        p: PlatformFacts(
            works_recent=counts["works_recent"].get(p, 0),
            authors_recent=counts["authors_recent"].get(p, 0),
            long_texts_recent=counts["long_texts_recent"].get(p, 0),
            works_stored=counts["works_stored"].get(p, 0),
            refresh_listed=sum(candidates.get(p, {}).values()),
            refresh_not_listed=sum(not v for v in candidates.get(p, {}).values()),
            refresh_listed_wanting_detail=sparse[p][0] if p in sparse else None,
            refresh_profiles=sparse[p][1] if p in sparse else 0,
            attempts_recent=runs.get(p, (0, 0))[0],
            retries_recent=runs.get(p, (0, 0))[1],
            comment_works=comments.get(p, (0, 0))[0],
            comment_requests=comments.get(p, (0, 0))[1],
        )
        for p in config.enabled_platforms()
    }


def build_request_plan(
    engine: Engine | None, config: TrackerConfig, now: datetime
) -> list[PlatformPlan]:
    """The plan from the database (None: no database yet, every platform from defaults)."""
    if engine is not None:
        return plan_requests(config, read_facts(engine, config, now))
    comments = _comment_facts(None, config, now)
    facts = {
        p: PlatformFacts(comment_works=works, comment_requests=requests)
        for p, (works, requests) in comments.items()
    }
    return plan_requests(config, facts)
