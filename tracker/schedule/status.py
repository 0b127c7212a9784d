"""The schedule part of ``tracker status``: next run and last result per job, and warnings.

Warnings are what a person must act on, worded so they can:

- a platform's cookie variable is not set in this environment (name the variable);
- a platform has been blocked / logged out / without signer since its first such run in a row;
- a job has had no successful run for 2 days (checked against the job's own cron: the latest
  scheduled time at least 2 days old must have succeeded, or a later one; a weekly job is not
  "overdue" on Tuesday). Only for times since the scheduler first ran on this database: one
  filled by hand with ``tracker collect``, or a scheduler started yesterday, gets no such warning.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.config import TrackerConfig
from tracker.schedule.plan import Plan, build_plan
from tracker.store.queries import Engine
from tracker.store.queries.runs import first_job_start, latest_job_runs, platform_run_statuses

STOPPED_STATUSES = {
    "blocked": "被平台拦截",
    "login_required": "登录失效",
    "signer_missing": "缺少签名插件",
}
OVERDUE_AFTER = timedelta(days=2)


@dataclass(slots=True)
class JobStatus:
    id: str
    description: str
    cron: str
    next_run: datetime | None
    last_status: str | None = None
    last_scheduled_for: datetime | None = None
    last_finished: datetime | None = None
    last_error: str | None = None
    last_success: datetime | None = None

    def as_json(self, zone: Any) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.astimezone(zone).isoformat() if value else None

        return {
            "id": self.id,
            "description": self.description,
            "cron": self.cron,
            "next_run": iso(self.next_run),
            "last_status": self.last_status,
            "last_scheduled_for": iso(self.last_scheduled_for),
            "last_finished": iso(self.last_finished),
            "last_error": self.last_error,
            "last_success": iso(self.last_success),
        }


@dataclass(slots=True)
class ScheduleStatus:
    timezone: Any
    jitter_s: int
    jobs: list[JobStatus]
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone.key,
            "jitter_s": self.jitter_s,
            "jobs": [j.as_json(self.timezone) for j in self.jobs],
            "warnings": list(self.warnings),
        }


def _first_job_start(engine: Engine) -> datetime | None:
    """When the scheduler first ran anything here (times before that were nobody's to run)."""
    with engine.connect() as conn:
        return first_job_start(conn)


def _latest_job_rows(engine: Engine) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per job id: its latest row, and its latest successful row."""
    with engine.connect() as conn:
        return latest_job_runs(conn)


def _stopped_since(engine: Engine, platform: str) -> tuple[str, datetime] | None:
    """(status, since) when the platform's latest collect/refresh runs all ended stopped."""
    with engine.connect() as conn:
        rows = platform_run_statuses(conn, platform)
    if not rows or rows[0].status not in STOPPED_STATUSES:
        return None
    since = rows[0].started_at
    for row in rows:
        if row.status not in STOPPED_STATUSES:
            break
        since = row.started_at
    return rows[0].status, since


def schedule_status(
    engine: Engine,
    config: TrackerConfig,
    *,
    now: datetime,
    env: Mapping[str, str] | None = None,
    plan: Plan | None = None,
) -> ScheduleStatus:
    plan = plan or build_plan(config)
    environ = os.environ if env is None else env
    zone = plan.timezone
    latest, successes = _latest_job_rows(engine)
    jobs = []
    warnings: list[str] = []
    for platform in config.enabled_platforms():
        pcfg = config.platforms[platform]
        if pcfg.cookie_env and not (environ.get(pcfg.cookie_env) or "").strip():
            warnings.append(
                f"{PLATFORM_NAMES_ZH.get(platform, platform)}：未设置 Cookie 环境变量 {pcfg.cookie_env}"
            )
    for platform in config.enabled_platforms():
        stopped = _stopped_since(engine, platform)
        if stopped:
            status, since = stopped
            pcfg = config.platforms[platform]
            hint = (
                f"（请更新 {pcfg.cookie_env}）"
                if status == "login_required" and pcfg.cookie_env
                else ""
            )
            warnings.append(
                f"{PLATFORM_NAMES_ZH.get(platform, platform)}：自 "
                f"{since.astimezone(zone).strftime('%Y-%m-%d %H:%M')} 起{STOPPED_STATUSES[status]}{hint}"
            )
    first_start = _first_job_start(engine)
    for spec in plan.jobs:
        row = latest.get(spec.id)
        ok = successes.get(spec.id)
        job = JobStatus(
            id=spec.id,
            description=spec.description,
            cron=spec.cron,
            next_run=plan.next_fire_time(spec, now),
        )
        if row is not None:
            job.last_status = row.status
            job.last_scheduled_for = row.scheduled_for
            job.last_finished = row.finished_at
            job.last_error = row.error
        if ok is not None:
            job.last_success = ok.finished_at
        jobs.append(job)
        expected = plan.latest_fire_time(spec, now - OVERDUE_AFTER)
        if first_start is not None and expected is not None and expected >= first_start:
            done_for = ok.scheduled_for if ok is not None else None
            if done_for is None or done_for < expected:
                when = (
                    f"最近一次成功：{ok.finished_at.astimezone(zone).strftime('%Y-%m-%d %H:%M')}"
                    if ok is not None and ok.finished_at
                    else "从未成功"
                )
                warnings.append(
                    f"任务 {spec.id}（{spec.description}）已超过 2 天没有成功运行（{when}）"
                )
    return ScheduleStatus(zone, plan.jitter_s, jobs, warnings)
