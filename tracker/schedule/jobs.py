"""The scheduled jobs: plain module-level functions, named in the plan by textual reference.

Each takes a :class:`JobContext` (everything a run needs that is not in the config: the engine,
the clock, the stop flag, the alert sender, where reports go) and returns a :class:`JobOutcome`.
They write no ``kind="job"`` run row themselves: the runner's wrapper does that for every job the
same way, which is what makes catch-up and "failing twice" uniform. The services they call write
their own ``collect``/``refresh`` rows with cursors, so a stopped job resumes where it stopped.

Jobs are idempotent (upserts by natural key, snapshots by capture time, report files replaced),
so running one twice — after a crash between its work and its run row, say — is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.config import TrackerConfig
from tracker.schedule.alerts import Alert, blocked_alert, digest_alert
from tracker.schedule.reports import write_daily, write_weekly
from tracker.schedule.warm import keep_day_rankings
from tracker.services.collect import (
    CollectOptions,
    PlatformResult,
    collect_platform,
    refresh_platform,
)
from tracker.store.queries import Engine
from tracker.store.runs import RunCounts

log = logging.getLogger("tracker.schedule.jobs")

STOPPING_STATUSES = ("login_required", "signer_missing", "blocked")
"""Platform results that need a person (new cookie, signer, captcha): each raises an alert."""


class AlertSink(Protocol):
    def send(self, alert: Alert) -> Any: ...


@dataclass(slots=True)
class JobOutcome:
    status: str = "ok"
    counts: RunCounts = field(default_factory=RunCounts)
    error: str | None = None


@dataclass(slots=True)
class JobContext:
    engine: Engine
    config: TrackerConfig
    job_id: str
    scheduled_for: datetime
    now: Callable[[], datetime]
    should_stop: Callable[[], bool]
    alerts: AlertSink
    reports_dir: Path
    collect_options: CollectOptions = field(default_factory=CollectOptions)
    """Template for the collect service (base URLs, signer, env, sleep); clock and stop are set per job."""

    def options_for(self, platform: str) -> CollectOptions:
        return replace(
            self.collect_options,
            platforms=[platform],
            clock=self.now,
            should_stop=self.should_stop,
        )

    @property
    def local_date(self) -> date:
        """The Beijing (config time zone) date of the scheduled time."""
        return self.scheduled_for.astimezone(ZoneInfo(self.config.schedule.timezone)).date()


def _add(total: RunCounts, part: RunCounts) -> None:
    total.pages += part.pages
    total.items_read += part.items_read
    total.new += part.new
    total.updated += part.updated
    total.rejected += part.rejected
    total.skipped += part.skipped
    if part.claimed_total is not None:
        total.claimed_total = (total.claimed_total or 0) + part.claimed_total


def _platform_detail(result: PlatformResult) -> dict[str, Any]:
    return {
        "status": result.status,
        "run_id": result.run_id,
        "pages": result.counts.pages,
        "new": result.counts.new,
        "updated": result.counts.updated,
        "campaign_posts": result.campaign_posts,
        "message": result.message,
    }


def _alert_if_stopped(ctx: JobContext, result: PlatformResult) -> None:
    if result.status in STOPPING_STATUSES:
        ctx.alerts.send(
            blocked_alert(result.platform, result.status, result.message, job=ctx.job_id)
        )


def collect(ctx: JobContext, platform: str) -> JobOutcome:
    """Daily collection of one platform (resumes an interrupted run from its cursor).

    It reads the works published since the platform's last successful collection began, less
    two days (``incremental_since``): re-reading the whole listing every day cost requests in
    proportion to the campaign, not to the day's new works.
    """
    pcfg = ctx.config.platforms.get(platform)
    if pcfg is None or not pcfg.enabled:
        return JobOutcome("skipped", error=f"平台 {platform} 未启用")
    # Only what is new since the last successful run (less an overlap), not the whole listing.
    options = replace(ctx.options_for(platform), since_last_run=True)
    result = collect_platform(ctx.engine, ctx.config, platform, options)
    counts = RunCounts()
    _add(counts, result.counts)
    counts.detail = {"platform": platform, "platforms": {platform: _platform_detail(result)}}
    _alert_if_stopped(ctx, result)
    status = (
        result.status if result.status in ("ok", "interrupted", *STOPPING_STATUSES) else "failed"
    )
    return JobOutcome(status, counts, None if result.ok else result.message)


def refresh(ctx: JobContext) -> JobOutcome:
    """Re-read the metrics of works younger than ``refresh_younger_than_days``, every platform,
    then read the comments of the day's chosen works (``[comments]``, unless disabled): after
    the morning's collections and this refresh, the choice sees today's figures."""
    age = timedelta(days=ctx.config.schedule.refresh_younger_than_days)
    counts = RunCounts(detail={"platforms": {}})
    errors: list[str] = []
    stopped = False
    for platform in ctx.config.enabled_platforms():
        if ctx.should_stop():
            stopped = True
            break
        result = refresh_platform(ctx.engine, ctx.config, platform, ctx.options_for(platform), age)
        _add(counts, result.counts)
        counts.detail["platforms"][platform] = _platform_detail(result)
        _alert_if_stopped(ctx, result)
        if result.status == "interrupted":
            stopped = True
            break
        if not result.ok:
            errors.append(f"{PLATFORM_NAMES_ZH.get(platform, platform)}: {result.message}")
    if not stopped:
        stopped = _comments(ctx, counts, errors)
    if stopped:
        return JobOutcome("interrupted", counts, "stopped")
    if errors:
        return JobOutcome("failed", counts, "；".join(errors))
    return JobOutcome("ok", counts)


def _comments(ctx: JobContext, counts: RunCounts, errors: list[str]) -> bool:
    """The comment stage, platform by platform, into the job's counts (``detail.comments``);
    True when it was stopped."""
    from tracker.services.comments import comment_platforms, comments_platform

    if not ctx.config.comments.enabled:
        return False
    counts.detail["comments"] = {}
    for platform in comment_platforms(ctx.config):
        if ctx.should_stop():
            return True
        result = comments_platform(ctx.engine, ctx.config, platform, ctx.options_for(platform))
        counts.detail["comments"][platform] = {
            **_platform_detail(result),
            "comments": result.counts.detail.get("comments", 0),
            "comments_new": result.counts.detail.get("comments_new", 0),
        }
        _alert_if_stopped(ctx, result)
        if result.status == "interrupted":
            return True
        if not result.ok:
            name = PLATFORM_NAMES_ZH.get(platform, platform)
            errors.append(f"{name}评论: {result.message}")
    return False


def daily_report(ctx: JobContext) -> JobOutcome:
    """``reports/<yesterday>/`` plus the daily digest to the group robots.

    The job at 08:00 on the 10th reports the 9th: a whole Beijing day, collected that morning.
    """
    day = ctx.local_date - timedelta(days=1)
    out_dir, summary = write_daily(ctx.engine, ctx.config, ctx.reports_dir, day, now=ctx.now())
    ctx.alerts.send(digest_alert(summary))
    counts = RunCounts(
        items_read=summary["new_works"],
        detail={"day": day.isoformat(), "report_dir": str(out_dir), "files": summary["files"]},
    )
    return JobOutcome("ok", counts)


def weekly_summary(ctx: JobContext) -> JobOutcome:
    """``reports/weekly/<monday>/`` for the seven days before the scheduled day."""
    week_start = ctx.local_date - timedelta(days=7)
    out_dir, summary = write_weekly(
        ctx.engine, ctx.config, ctx.reports_dir, week_start, now=ctx.now()
    )
    ctx.alerts.send(digest_alert(summary, weekly=True))
    counts = RunCounts(
        items_read=summary["new_works"],
        detail={"week_start": week_start.isoformat(), "report_dir": str(out_dir)},
    )
    return JobOutcome("ok", counts)


def keep_rankings(ctx: JobContext) -> JobOutcome:
    """Big campaigns ranked ahead of the day's commands, each ranking kept
    (``tracker.schedule.warm``); nothing to do for small ones."""
    warmed = keep_day_rankings(ctx.engine, ctx.config, should_stop=ctx.should_stop)
    counts = RunCounts(
        items_read=sum(w.works for w in warmed),
        detail={
            "campaigns": {
                w.campaign: {"works": w.works, "kept": w.kept, "note": w.note} for w in warmed
            }
        },
    )
    if ctx.should_stop():
        return JobOutcome("interrupted", counts, "stopped")
    short = [w for w in warmed if w.incomplete]
    if short:
        # not a failure (every command still ranks correctly), but staff should move the job
        why = "；".join(f"{w.campaign}：{w.note or '排名未能全部保留'}" for w in short)
        return JobOutcome(
            "skipped", counts, f"{why}。请把 [schedule] keep_rankings 设在当天采集结束之后"
        )
    return JobOutcome("ok", counts)
