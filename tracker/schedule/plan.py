"""The schedule as data: which jobs exist, when they fire, and when they last should have fired.

The plan is rebuilt from ``campaign.toml`` at every start (APScheduler keeps it in a
``MemoryJobStore``; nothing is pickled), so the config file stays the one source of truth and a
renamed function can never strand a stored job. Everything here is pure: a fake ``now`` gives the
same answers a real one would, which is how the tests check fire times without waiting.

Cron strings are the ordinary five-field crontab of the config file. APScheduler 3.x numbers
weekdays from Monday = 0 while crontab uses Sunday = 0 (its documented historical mistake), so
numeric weekdays are rewritten to names before they reach ``CronTrigger``: ``0 9 * * 1`` fires on
Mondays, as anyone who has written a crontab expects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.config import ScheduleConfig, TrackerConfig
from tracker.errors import ConfigError

JOBS_MODULE = "tracker.schedule.jobs"

_CRON_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_LOOKBACKS = (
    timedelta(hours=2),
    timedelta(days=2),
    timedelta(days=8),
    timedelta(days=32),
    timedelta(days=367),
    timedelta(days=8 * 366),
)
"""How far back to look for the latest fire time: short first, so a daily job costs one step."""


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One scheduled job: a stable id, a textual function reference, its cron and arguments."""

    id: str
    func: str
    cron: str
    description: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    """Where the cron came from in the config (for error messages): ``[schedule] refresh``."""
    key: tuple[str, ...] = ()
    """The same place as a key path (``("schedule", "refresh")``), to find its line in the file."""


@dataclass(frozen=True, slots=True)
class Plan:
    jobs: tuple[JobSpec, ...]
    timezone: ZoneInfo
    jitter_s: int
    misfire_grace_time_s: int

    def job(self, job_id: str) -> JobSpec:
        for spec in self.jobs:
            if spec.id == job_id:
                return spec
        raise KeyError(job_id)

    def trigger(self, spec: JobSpec, *, jitter: bool = False) -> CronTrigger:
        """The job's trigger; without jitter unless asked (nominal times are what runs record)."""
        return cron_trigger(
            spec.cron, self.timezone, jitter=self.jitter_s if jitter else None, source=spec.source
        )

    def next_fire_time(self, spec: JobSpec, now: datetime) -> datetime | None:
        """The next nominal fire time strictly after ``now`` (jitter comes on top, 0..jitter_s)."""
        return self.trigger(spec).get_next_fire_time(None, now + timedelta(microseconds=1))

    def latest_fire_time(self, spec: JobSpec, now: datetime) -> datetime | None:
        return latest_fire_time(self.trigger(spec), now)


def cron_weekdays(field_text: str) -> str:
    """Rewrite crontab weekday numbers (0/7 = Sunday) as names APScheduler reads unambiguously.

    Names (``mon``, ``mon-fri``) and ``*`` pass through; ``1-5`` becomes ``mon,tue,wed,thu,fri``,
    ``*/2`` every other day from Sunday, as crontab means it.
    """
    out: list[str] = []
    for part in field_text.split(","):
        part = part.strip()
        if not part:
            raise ValueError(f"empty weekday in {field_text!r}")
        if any(ch.isalpha() for ch in part) or part in ("*", "?"):
            out.append("*" if part == "?" else part)
            continue
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"bad step in weekday {part!r}")
        if base == "*":
            lo, hi = 0, 6
        elif "-" in base:
            lo_text, hi_text = base.split("-", 1)
            lo, hi = int(lo_text), int(hi_text)
        else:
            lo = hi = int(base)
            if step_text:
                hi = 6
        if not (0 <= lo <= 7 and 0 <= hi <= 7) or lo > hi:
            raise ValueError(f"weekday out of range in {part!r} (crontab: 0-7, 0 and 7 = Sunday)")
        days = {_CRON_WEEKDAYS[d % 7] for d in range(lo, hi + 1, step)}
        out.extend(d for d in _CRON_WEEKDAYS if d in days)
    unique = list(dict.fromkeys(out))
    if "*" in unique:
        return "*"
    return ",".join(unique)


def cron_trigger(
    expr: str, timezone: ZoneInfo, *, jitter: int | None = None, source: str = ""
) -> CronTrigger:
    """A ``CronTrigger`` from a five-field crontab string, with crontab weekday numbering."""
    fields = expr.split()
    where = f"{source}: " if source else ""
    if len(fields) != 5:
        raise ConfigError(f"{where}定时表达式应有 5 个字段（分 时 日 月 周），收到 {expr!r}")
    minute, hour, day, month, dow = fields
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=cron_weekdays(dow),
            timezone=timezone,
            jitter=jitter or None,
        )
    except ValueError as exc:
        raise ConfigError(f"{where}无效的定时表达式 {expr!r}: {exc}") from None


def latest_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The latest time at or before ``now`` the (jitter-free) trigger fires, or None.

    APScheduler 3 only answers "next after"; stepping forward from a little before ``now`` finds
    the latest one, widening the look-back only for sparse crons (weekly, monthly).
    """
    for lookback in _LOOKBACKS:
        t = trigger.get_next_fire_time(None, now - lookback)
        if t is None or t > now:
            continue
        while True:
            nxt = trigger.get_next_fire_time(t, t + timedelta(seconds=1))
            if nxt is None or nxt > now:
                return t
            t = nxt
    return None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except Exception as exc:  # noqa: BLE001 - any zone lookup failure is a config error
        raise ConfigError(f"[schedule] timezone: 未知时区 {name!r}") from exc


def _schedule_job(
    schedule: ScheduleConfig, job_id: str, func: str, key: str, description: str
) -> JobSpec:
    """A job whose time is the ``[schedule]`` key ``key``."""
    return JobSpec(
        id=job_id,
        func=f"{JOBS_MODULE}:{func}",
        cron=getattr(schedule, key),
        description=description,
        source=f"[schedule] {key}",
        key=("schedule", key),
    )


def _job_specs(config: TrackerConfig) -> tuple[JobSpec, ...]:
    """Every job the config asks for, in a stable order: collections, refresh, report, weekly,
    then the kept rankings (unless ``keep_rankings`` is empty)."""
    sc = config.schedule
    jobs: list[JobSpec] = []
    for platform in config.enabled_platforms():
        pcfg = config.platforms[platform]
        jobs.append(
            JobSpec(
                id=f"collect:{platform}",
                func=f"{JOBS_MODULE}:collect",
                cron=pcfg.schedule,
                description=f"采集{PLATFORM_NAMES_ZH.get(platform, platform)}",
                kwargs={"platform": platform},
                source=f"[platforms.{platform}] schedule",
                key=("platforms", platform, "schedule"),
            )
        )
    refresh = f"刷新 {sc.refresh_younger_than_days} 天内作品的指标"
    jobs.append(_schedule_job(sc, "refresh", "refresh", "refresh", refresh))
    jobs.append(_schedule_job(sc, "report", "daily_report", "report", "日报与导出（前一天）"))
    jobs.append(
        _schedule_job(sc, "weekly", "weekly_summary", "weekly_summary", "周报（上周一至周日）")
    )
    if sc.keep_rankings.strip():
        kept = "预先排名并保留（大型活动：名单、看板、报告直接读取）"
        jobs.append(_schedule_job(sc, "keep_rankings", "keep_rankings", "keep_rankings", kept))
    return tuple(jobs)


def plan_problems(config: TrackerConfig) -> list[tuple[tuple[str, ...], str]]:
    """Every reason ``build_plan`` refuses the config, as (key path, one-line message).

    ``build_plan`` and ``config check`` both ask here, so the check passes exactly the crons
    and time zone the scheduler accepts; a bad time zone still lets the crons be checked.
    """
    sc = config.schedule
    problems: list[tuple[tuple[str, ...], str]] = []
    try:
        zone = _zone(sc.timezone)
    except ConfigError as exc:
        problems.append((("schedule", "timezone"), str(exc)))
        zone = ZoneInfo("UTC")
    plan = Plan(_job_specs(config), zone, sc.jitter_s, sc.misfire_grace_time_s)
    for spec in plan.jobs:
        try:
            plan.trigger(spec, jitter=True)
        except ConfigError as exc:
            problems.append((spec.key, str(exc)))
    return problems


def build_plan(config: TrackerConfig) -> Plan:
    """Every job the config asks for, in a stable order: collections, refresh, report, weekly.

    Fails at start-up, naming each bad setting, not at the first fire.
    """
    problems = plan_problems(config)
    if problems:
        raise ConfigError("\n".join(message for _, message in problems))
    sc = config.schedule
    return Plan(_job_specs(config), _zone(sc.timezone), sc.jitter_s, sc.misfire_grace_time_s)
