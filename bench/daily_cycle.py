"""Benchmark: a campaign collected and refreshed once a day, counted in requests, not CPU.

Live collection is bounded by the platforms' rate limits (``[platforms.<id>] rate_per_s``,
0.3-1 request/s), so what a day of collection costs is its requests, and whether the day's jobs
fit into the day is requests ÷ rate. This bench runs the scheduler's two daily jobs against the
simulator on its virtual clock, day after day, and counts every request by purpose from the run
results (``counts.detail["requests"]``). Nothing waits: the HTTP rate limit is switched off and
the hours are computed from the counted requests at the configured rates.

Each virtual day (Beijing time, as the shipped schedule):

- 06:30, the daily collection: ``collect_platform`` for each enabled live platform with what
  the scheduler's ``collect`` job passes (the platform, the clock; ``since_last_run``: works
  published since the last successful run began, less two days; the config's ``max_pages``; an
  interrupted run's cursor is resumed by the service itself);
- 12:00, the metric refresh: ``refresh_platform`` with ``[schedule] refresh_younger_than_days``
  and the config's ``daily_requests`` budget, as the ``refresh`` job, then the comment stage
  the same job ends with (``comments_platform`` per platform whose connector reads comments,
  ``[comments] daily_works_per_platform`` and ``max_pages_per_work``); its requests count in
  the platform's hours;
- 24:00, freshness: the share of stored campaign works published in the last 14 days whose
  latest snapshot is under 24 h old, and the same for each platform's top 200 by interactions.

Before the last day's jobs, ``tracker plan``'s estimate (``tracker.services.plan``) is taken
from the database as it stands and printed next to the requests the day then measured.

The baseline of every figure is a quantity of the same run: requests per new work (collection),
per refreshed work (refresh: candidates minus those the budget left out), hours per day against
the ``[schedule] max_hours_per_platform`` budget.

    python bench/daily_cycle.py                      # 10 days, ~5,000 campaign works
    python bench/daily_cycle.py --days 30 --works 50000

Prints a Markdown table per platform, the targets met or not, the plan check, then one JSON
line. Writes nothing but a temporary database.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform as host
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, and_, func, select  # noqa: E402

from tracker.config import TrackerConfig, load_config  # noqa: E402
from tracker.services.collect import (  # noqa: E402
    CollectOptions,
    PlatformResult,
    collect_platform,
    refresh_platform,
)
from tracker.services.comments import comment_platforms, comments_platform  # noqa: E402
from tracker.services.database import init_database  # noqa: E402
from tracker.services.plan import build_request_plan  # noqa: E402
from tracker.services.refresh_plan import NEAR_CUT_RANK, listing_covers_metrics  # noqa: E402
from tracker.sim.api import SimServer  # noqa: E402
from tracker.sim.truth import iter_world_truth  # noqa: E402
from tracker.sim.world import DEFAULT_NOW, World  # noqa: E402
from tracker.store.engine import make_engine, sqlite_url  # noqa: E402
from tracker.store.models import MetricSnapshot, Post, PostCampaign  # noqa: E402

BEIJING = ZoneInfo("Asia/Shanghai")
COLLECT_AT = timedelta(hours=6, minutes=30)
REFRESH_AT = timedelta(hours=12)
FRESH = timedelta(hours=24)
YOUNG = timedelta(days=14)
PURPOSES = ("listing", "detail", "profile")
TARGET_PER_REFRESHED = 0.15
TARGET_YOUNG_FRESH = 0.95
TARGET_TOP_FRESH = 1.0
PROBE_SCALE = 2000
INTERACTIONS = ("likes", "comments", "shares", "favorites")


# --------------------------------------------------------------------------- figures (pure)


@dataclass(slots=True)
class DayFigures:
    """One platform on one virtual day."""

    collect: dict[str, int] = field(default_factory=dict)
    refresh: dict[str, int] = field(default_factory=dict)
    comments: dict[str, int] = field(default_factory=dict)
    """The comment stage's requests (part of the refresh job's day)."""
    new_works: int = 0
    refreshed: int = 0
    candidates: int = 0
    over_budget: int = 0
    listed: int = 0
    """Candidates the refresh's listing pass returned (no detail needed for those)."""
    statuses: tuple[str, str] = ("", "")
    young: tuple[int, int] = (0, 0)
    """(fresh, all) stored campaign works younger than 14 days at the day's end."""
    top: tuple[int, int] = (0, 0)
    """(fresh, all) of the platform's top 200 campaign works by interactions."""


def total_requests(by_purpose: Mapping[str, int]) -> int:
    """Requests sent: every purpose but ``retry`` (a retry is counted under its purpose too)."""
    return sum(n for k, n in by_purpose.items() if k != "retry")


def hours(requests: int, rate_per_s: float | None) -> float:
    """Simulated hours at the configured rate (0 for a platform without a rate limit)."""
    return requests / rate_per_s / 3600 if rate_per_s else 0.0


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def share(pair: tuple[int, int]) -> float | None:
    fresh, every = pair
    return fresh / every if every else None


def summarise(
    platform: str, days: Sequence[DayFigures], rate_per_s: float | None, budget_hours: float
) -> dict[str, Any]:
    """One platform's row: totals over the days, per-work ratios, hours, freshness, targets."""
    collect = sum(total_requests(d.collect) for d in days)
    refresh = sum(total_requests(d.refresh) for d in days)
    new = sum(d.new_works for d in days)
    refreshed = sum(d.refreshed for d in days)
    comments = sum(total_requests(d.comments) for d in days)
    daily = [
        hours(
            total_requests(d.collect) + total_requests(d.refresh) + total_requests(d.comments),
            rate_per_s,
        )
        for d in days
    ]
    young = [s for s in (share(d.young) for d in days) if s is not None]
    top = [s for s in (share(d.top) for d in days) if s is not None]
    covers = listing_covers_metrics(platform)
    per_refreshed = ratio(refresh, refreshed)
    by_purpose: dict[str, dict[str, int]] = {"collect": {}, "refresh": {}, "comments": {}}
    for d in days:
        for job, counts in (
            ("collect", d.collect),
            ("refresh", d.refresh),
            ("comments", d.comments),
        ):
            for k, n in counts.items():
                by_purpose[job][k] = by_purpose[job].get(k, 0) + n
    return {
        "platform": platform,
        "rate_per_s": rate_per_s,
        "listing_covers_metrics": covers,
        "new_works": new,
        "collect_requests": collect,
        "requests_per_new_work": per_work(collect, new),
        "refreshed_works": refreshed,
        "refresh_requests": refresh,
        "requests_per_refreshed_work": per_work(refresh, refreshed),
        "over_budget": sum(d.over_budget for d in days),
        "comment_requests": comments,
        "listed_share": rounded(
            ratio(sum(d.listed for d in days), sum(d.candidates for d in days))
        ),
        "daily_requests": [
            [total_requests(d.collect), total_requests(d.refresh), total_requests(d.comments)]
            for d in days
        ],
        "hours_per_day": round(sum(daily) / len(daily), 3) if daily else 0.0,
        "worst_day_hours": round(max(daily), 3) if daily else 0.0,
        "young_fresh_worst": rounded(min(young) if young else None),
        "young_fresh_mean": rounded(sum(young) / len(young) if young else None),
        "top_fresh_worst": rounded(min(top) if top else None),
        "requests_by_purpose": by_purpose,
        "statuses": sorted({s for d in days for s in d.statuses if s}),
        "targets": {
            "per_refreshed_work": None
            if not covers
            else (per_refreshed is not None and per_refreshed <= TARGET_PER_REFRESHED),
            "fits_hours": bool(daily) and max(daily) <= budget_hours + 1e-9,
            "young_fresh": bool(young) and min(young) >= TARGET_YOUNG_FRESH,
            "top_fresh": bool(top) and min(top) >= TARGET_TOP_FRESH,
        },
    }


def per_work(requests: int, works: int) -> float | None:
    value = ratio(requests, works)
    return None if value is None else round(value, 3)


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def _met(value: bool | None) -> str:
    return "n/a" if value is None else ("met" if value else "NOT met")


TABLE_HEADER = (
    "| platform | rate/s | new works | collect req | req/new work | refreshed | refresh req "
    "| req/refreshed | comment req | h/day | worst day h | fresh <14 d (worst) "
    "| top 200 fresh (worst) |"
)


def table(rows: Iterable[Mapping[str, Any]]) -> str:
    lines = [TABLE_HEADER, "|" + "---|" * 13]
    for r in rows:
        lines.append(
            f"| {r['platform']} | {r['rate_per_s'] or '不限速'} | {r['new_works']:,} "
            f"| {r['collect_requests']:,} | {_num(r['requests_per_new_work'])} "
            f"| {r['refreshed_works']:,} | {r['refresh_requests']:,} "
            f"| {_num(r['requests_per_refreshed_work'], 3)} | {r['comment_requests']:,} "
            f"| {_num(r['hours_per_day'])} "
            f"| {_num(r['worst_day_hours'])} | {_pct(r['young_fresh_worst'])} "
            f"| {_pct(r['top_fresh_worst'])} |"
        )
    return "\n".join(lines)


def targets_table(rows: Iterable[Mapping[str, Any]], budget_hours: float) -> str:
    lines = [
        f"| platform | refresh ≤ {TARGET_PER_REFRESHED} req/work (listing has metrics) "
        f"| ≤ {budget_hours:g} h every day | ≥ 95 % fresh < 14 d | 100 % top 200 fresh |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        t = r["targets"]
        lines.append(
            f"| {r['platform']} | {_met(t['per_refreshed_work'])} | {_met(t['fits_hours'])} "
            f"| {_met(t['young_fresh'])} | {_met(t['top_fresh'])} |"
        )
    return "\n".join(lines)


def plan_table(checks: Iterable[Mapping[str, Any]]) -> str:
    lines = [
        "| platform | plan collect | measured collect | plan refresh | measured refresh "
        "| plan comments | measured comments | plan / measured (day) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in checks:
        lines.append(
            f"| {c['platform']} | {c['plan_collect']:,} | {c['measured_collect']:,} "
            f"| {c['plan_refresh']:,} | {c['measured_refresh']:,} "
            f"| {c['plan_comments']:,} | {c['measured_comments']:,} | {_num(c['ratio'])} |"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- the world


def campaign_works_per_scale(seed: int, platforms: Sequence[str]) -> float:
    """Campaign works of ``platforms`` per unit of simulator scale, counted in a probe world
    (the world's mix is the same at every scale, so the count grows linearly)."""
    world = World(seed=seed, scale=PROBE_SCALE)
    found = sum(
        1
        for t in iter_world_truth(world, DEFAULT_NOW, platforms=list(platforms))
        if t["matches_campaign"]
    )
    return found / PROBE_SCALE


def scale_for(works: int, per_scale: float) -> int:
    return max(1, math.ceil(works / per_scale))


# --------------------------------------------------------------------------- database (I/O)


def _utc(when: datetime | None) -> datetime | None:
    if when is None or when.tzinfo is not None:
        return when
    return when.replace(tzinfo=UTC)


def freshness(
    engine: Engine, platforms: Sequence[str], at: datetime, top_n: int = NEAR_CUT_RANK
) -> dict[str, dict[str, tuple[int, int]]]:
    """Per platform (fresh, all) for campaign works younger than 14 days and for the top
    ``top_n`` by raw interactions (the refresh's own ranking), at ``at``."""
    post, link, snap = Post.__table__, PostCampaign.__table__, MetricSnapshot.__table__
    campaign = (
        select(link.c.platform, link.c.platform_post_id)
        .where(link.c.excluded.is_(False))
        .distinct()
        .subquery()
    )
    works = select(
        post.c.platform,
        post.c.platform_post_id,
        post.c.published_at,
        *[func.coalesce(post.c[m], 0) for m in INTERACTIONS],
    ).join(
        campaign,
        and_(
            campaign.c.platform == post.c.platform,
            campaign.c.platform_post_id == post.c.platform_post_id,
        ),
    )
    works = works.where(post.c.deleted.is_(False), post.c.platform.in_(list(platforms)))
    latest = select(
        snap.c.platform, snap.c.platform_post_id, func.max(snap.c.captured_at)
    ).group_by(snap.c.platform, snap.c.platform_post_id)
    with engine.connect() as conn:
        rows = conn.execute(works).all()
        last = {(p, i): _utc(t) for p, i, t in conn.execute(latest)}
    out: dict[str, dict[str, tuple[int, int]]] = {}
    by_platform: dict[str, list[tuple[int, str, bool]]] = {p: [] for p in platforms}
    young: dict[str, list[bool]] = {p: [] for p in platforms}
    for p, post_id, published, *metrics in rows:
        seen = last.get((p, post_id))
        fresh = seen is not None and at - seen < FRESH
        by_platform[p].append((sum(metrics), post_id, fresh))
        published = _utc(published)
        if published is not None and at - YOUNG <= published <= at:
            young[p].append(fresh)
    for p in platforms:
        top = sorted(by_platform[p], key=lambda r: (-r[0], r[1]))[:top_n]
        out[p] = {
            "young": (sum(young[p]), len(young[p])),
            "top": (sum(f for _, _, f in top), len(top)),
        }
    return out


def options(sim: SimServer, platform: str) -> CollectOptions:
    """What the scheduler's jobs pass (``JobContext.options_for``) plus the simulator's
    addresses; the rate limit is off (hours are computed from the counts) and nothing sleeps."""
    return CollectOptions(
        platforms=[platform],
        base_urls=sim.base_urls,
        signer="dev",
        clock=lambda: sim.now,
        sleep=lambda _s: None,
        http_overrides={"rate_per_s": None, "backoff_initial_s": 0},
        since_last_run=True,  # as the collect job; the refresh takes no notice of it
    )


def by_purpose(result: PlatformResult) -> dict[str, int]:
    found = result.counts.detail.get("requests")
    return dict(found) if isinstance(found, dict) else {}


def run_day(
    engine: Engine, config: TrackerConfig, sim: SimServer, platforms: Sequence[str], day: datetime
) -> dict[str, DayFigures]:
    """The day's collection (06:30) and refresh (12:00, the comment stage after it) of every
    platform."""
    window = timedelta(days=config.schedule.refresh_younger_than_days)
    figures = {p: DayFigures() for p in platforms}
    readers = set(comment_platforms(config, list(platforms))) if config.comments.enabled else set()
    sim.set_clock(day + COLLECT_AT)
    collected = {p: collect_platform(engine, config, p, options(sim, p)) for p in platforms}
    sim.set_clock(day + REFRESH_AT)
    for p in platforms:
        refreshed = refresh_platform(engine, config, p, options(sim, p), window)
        f, c = figures[p], collected[p]
        f.collect, f.refresh = by_purpose(c), by_purpose(refreshed)
        f.new_works = c.counts.new
        f.candidates = int(refreshed.counts.detail.get("candidates", 0))
        f.over_budget = int(refreshed.counts.detail.get("over_budget", 0))
        f.refreshed = max(0, f.candidates - f.over_budget)
        f.listed = int(refreshed.counts.detail.get("listed", 0))
        f.statuses = (c.status, refreshed.status)
    for p in platforms:  # the refresh job ends with the comment stage (the day's figures known)
        if p in readers:
            figures[p].comments = by_purpose(comments_platform(engine, config, p, options(sim, p)))
    return figures


def plan_estimate(
    engine: Engine, config: TrackerConfig, at: datetime
) -> dict[str, tuple[int, int, int, bool]]:
    """``tracker plan``'s estimate at ``at``, per platform: (collect, refresh, comments, fits)."""
    return {
        plan.platform: (
            plan.jobs[0].requests.total,
            plan.jobs[1].requests.total,
            plan.jobs[2].requests.total,
            plan.fits,
        )
        for plan in build_request_plan(engine, config, at)
    }


def plan_check(
    estimate: Mapping[str, tuple[int, int, int, bool]], measured: Mapping[str, DayFigures]
) -> list[dict[str, Any]]:
    """The plan's estimate next to the requests the day then measured."""
    out = []
    for platform, day in measured.items():
        if platform not in estimate:
            continue
        collect, refresh, comments, fits = estimate[platform]
        got_c, got_r = total_requests(day.collect), total_requests(day.refresh)
        got_m = total_requests(day.comments)
        out.append(
            {
                "platform": platform,
                "plan_collect": collect,
                "measured_collect": got_c,
                "plan_refresh": refresh,
                "measured_refresh": got_r,
                "plan_comments": comments,
                "measured_comments": got_m,
                "ratio": rounded(ratio(collect + refresh + comments, got_c + got_r + got_m)),
                "plan_fits": fits,
            }
        )
    return out


def machine() -> str:
    return f"{host.machine()} {os.cpu_count()} cores, Python {sys.version.split()[0]}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=10, help="virtual days (default 10)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--works",
        type=int,
        default=5000,
        help="campaign works in the simulated world, live platforms (default 5,000)",
    )
    size.add_argument("--scale", type=int, help="the simulator's scale (overrides --works)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--start",
        default="2024-09-01",
        help="first virtual day, Beijing (the campaign month is 2024-09-01..30)",
    )
    parser.add_argument("--faults", default="none", help="simulator fault profile")
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "campaign.toml")
    parser.add_argument("--quiet", action="store_true", help="no per-day progress on stderr")
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("--days must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    config = load_config(args.config)
    platforms = config.enabled_platforms()
    per_scale = campaign_works_per_scale(args.seed, platforms)
    scale = args.scale or scale_for(args.works, per_scale)
    start = datetime.fromisoformat(args.start).replace(tzinfo=BEIJING)
    budget_hours = config.schedule.max_hours_per_platform
    history: dict[str, list[DayFigures]] = {p: [] for p in platforms}
    checks: list[dict[str, Any]] = []
    started, cpu0 = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        url = sqlite_url(Path(tmp) / "daily.db")
        with SimServer(seed=args.seed, scale=scale, faults=args.faults, clock=start) as sim:
            init_database(url, config, [], now=sim.now)
            engine = make_engine(url)
            try:
                for n in range(args.days):
                    day = start + timedelta(days=n)
                    # the plan is read before the day's jobs, as staff would run it
                    estimate = (
                        plan_estimate(engine, config, day + COLLECT_AT)
                        if n == args.days - 1
                        else None
                    )
                    figures = run_day(engine, config, sim, platforms, day)
                    end = day + timedelta(days=1)
                    fresh = freshness(engine, platforms, end.astimezone(UTC))
                    for p in platforms:
                        figures[p].young = fresh[p]["young"]
                        figures[p].top = fresh[p]["top"]
                        history[p].append(figures[p])
                    if estimate is not None:
                        checks = plan_check(estimate, figures)
                    if not args.quiet:
                        print(
                            f"day {n + 1}/{args.days} {day.date()}: "
                            + ", ".join(
                                f"{p} {total_requests(figures[p].collect)}+"
                                f"{total_requests(figures[p].refresh)} req"
                                for p in platforms
                            ),
                            file=sys.stderr,
                            flush=True,
                        )
            finally:
                engine.dispose()
    rows = [
        summarise(p, history[p], config.platforms[p].rate_per_s, budget_hours) for p in platforms
    ]
    report = {
        "bench": "daily_cycle",
        "days": args.days,
        "start": start.date().isoformat(),
        "scale": scale,
        "campaign_works_in_world": round(per_scale * scale),
        "faults": args.faults,
        "budget_hours": budget_hours,
        "refresh_window_days": config.schedule.refresh_younger_than_days,
        "platforms": rows,
        "plan_check_last_day": checks,
        "wall_s": round(time.perf_counter() - started, 1),
        "cpu_s": round(time.process_time() - cpu0, 1),
        "machine": machine(),
        "date": datetime.now(UTC).date().isoformat(),
    }
    print(table(rows))
    print()
    print(targets_table(rows, budget_hours))
    print()
    print(plan_table(checks))
    print()
    print(json.dumps(report, ensure_ascii=False))
    return report


if __name__ == "__main__":
    main()
