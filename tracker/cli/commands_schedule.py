"""``tracker schedule [--once] [--dry-run]`` and the schedule section of ``tracker status``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from tracker.cli.app import app
from tracker.cli.commands_collect import (
    BASE_URL_OPT,
    NOW_OPT,
    SIGNER_OPT,
    _parse_when,
    parse_base_urls,
)
from tracker.cli.context import CliState, state
from tracker.cli.tables import Col, print_table
from tracker.errors import ConfigError, TrackerError

if TYPE_CHECKING:
    from tracker.schedule.plan import Plan
    from tracker.schedule.runner import JobRun
    from tracker.schedule.status import ScheduleStatus
    from tracker.store.queries import Engine

console = Console(stderr=True)

STATUS_ZH = {
    "ok": "完成",
    "interrupted": "已中断（下次从断点继续）",
    "skipped": "跳过",
    "failed": "失败",
    "login_required": "需要重新登录",
    "signer_missing": "缺少签名插件",
    "blocked": "被平台拦截",
    "running": "运行中",
}


def _fmt(value: datetime | None, plan: Plan) -> str:
    return value.astimezone(plan.timezone).strftime("%Y-%m-%d %H:%M") if value else "—"


def _print_plan(plan: Plan, now: datetime) -> None:
    """One line per job on stdout: id, next nominal run (ISO 8601, +08:00), what it does."""
    for spec in plan.jobs:
        nxt = plan.next_fire_time(spec, now)
        when = nxt.isoformat() if nxt else "—"
        typer.echo(f"{spec.id}\t{when}\t{spec.description}\t{spec.cron}")
    console.print(
        f"时区 {plan.timezone.key}；每个任务在上述时间后随机延迟 0–{plan.jitter_s} 秒。",
        soft_wrap=True,
    )
    console.print(
        f"进程繁忙或短暂停止时，{plan.misfire_grace_time_s} 秒内错过的任务仍会执行；"
        "更早错过的由启动时的补跑处理。",
        soft_wrap=True,
    )


def _print_request_plan(st: CliState, now: datetime) -> None:
    """The day's requests per platform (``tracker plan``) on stderr, under the jobs; without a
    database yet, from the plan's defaults (a dry run never creates one)."""
    from tracker.cli.commands_plan import print_plan_table
    from tracker.services.database import open_database
    from tracker.services.plan import build_request_plan

    config = st.config
    try:
        engine = open_database(st.db)
    except TrackerError as exc:
        console.print(f"（{exc}；请求预算按默认值估计）", soft_wrap=True)
        engine = None
    try:
        plans = build_request_plan(engine, config, now)
    finally:
        if engine is not None:
            engine.dispose()
    print_plan_table(console, plans, config.schedule.max_hours_per_platform)


def _results_table(results: list[JobRun], plan: Plan) -> Table:
    table = Table(title="调度任务结果")
    for col in ("任务", "计划时间（北京时间）", "状态", "页数", "新增", "更新", "说明"):
        table.add_column(col)
    for r in results:
        c = r.counts
        table.add_row(
            r.job_id,
            _fmt(r.scheduled_for, plan),
            STATUS_ZH.get(r.status, r.status),
            str(c.pages) if c else "",
            str(c.new) if c else "",
            str(c.updated) if c else "",
            r.error or "",
        )
    return table


@app.command("schedule")
def schedule_command(
    ctx: typer.Context,
    once: bool = typer.Option(
        False,
        "--once",
        help="只运行当前到期（含错过）的任务，然后退出；供 cron / systemd 定时器使用",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="列出每个任务及其下次运行时间，然后退出"),
    reports_dir: Path | None = typer.Option(
        None, "--reports-dir", help="日报目录（默认取配置中的 schedule.reports_dir）"
    ),
    base_url: list[str] = BASE_URL_OPT,
    signer: str | None = SIGNER_OPT,
    now: str | None = NOW_OPT,
) -> None:
    """无人值守运行：按 campaign.toml 定时采集、刷新指标、生成日报周报并发送告警。"""
    from tracker.schedule.plan import build_plan

    st = state(ctx)
    config = st.config
    plan = build_plan(config)
    fixed_now = _parse_when(now, "--now")
    clock = (lambda: fixed_now) if fixed_now else (lambda: datetime.now(UTC))
    if dry_run:
        _print_plan(plan, clock())
        _print_request_plan(st, clock())
        return
    log = logging.getLogger("tracker.schedule")
    if log.getEffectiveLevel() > logging.INFO:
        log.setLevel(logging.INFO)
    from tracker.schedule.alerts import CHANNEL_NAMES, AlertSender
    from tracker.schedule.lock import instance_lock
    from tracker.schedule.runner import Runner, StopToken, is_failure, stop_on_signals
    from tracker.services.collect import CollectOptions
    from tracker.services.database import open_database

    engine = open_database(st.db)
    try:
        with instance_lock(engine) as lock:
            log.debug("scheduler lock: %s", lock.description)
            stop = StopToken()
            alerts = AlertSender(clock=clock)
            channels = "、".join(CHANNEL_NAMES[c] for c in alerts.channels) or "未配置"
            runner = Runner(
                engine,
                config,
                plan=plan,
                now=clock,
                alerts=alerts,
                reports_dir=reports_dir,
                collect_options=CollectOptions(base_urls=parse_base_urls(base_url), signer=signer),
                stop=stop,
            )
            with stop_on_signals(stop, notify=_notify_stop):
                if once:
                    results = runner.run_due()
                else:
                    console.print(f"调度已启动（数据库 {st.database_label}；告警：{channels}）")
                    _print_plan(plan, clock())
                    results = runner.serve()
    finally:
        engine.dispose()
    if once:
        if results:
            Console().print(_results_table(results, plan))
        else:
            console.print("没有到期的任务。")
        if stop.is_set():
            console.print("已按请求停止；中断的任务下次运行时从断点继续。")
        if any(is_failure(r.status) for r in results):
            raise typer.Exit(1)
    else:
        console.print("调度已停止。")


def _notify_stop() -> None:
    console.print("[yellow]收到停止信号：当前页完成并保存断点后退出…[/yellow]")


# --------------------------------------------------------------------------- tracker status


def schedule_status_for(engine: Engine, st: CliState) -> ScheduleStatus | None:
    """The schedule section, or None when the config cannot be read (status still works)."""
    from tracker.schedule.status import schedule_status

    try:
        return schedule_status(engine, st.config, now=datetime.now(UTC))
    except ConfigError:
        return None


def print_schedule_status(out: Console, status: ScheduleStatus | None) -> None:
    if status is None:
        out.print("（无法读取配置文件，略过调度信息）")
        return
    zone = status.timezone

    def fmt(value: datetime | None) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else "—"

    columns = (  # a narrow terminal leaves out the least needed columns rather than cut all
        Col("任务"),
        Col("说明", keep=3, flex=True),
        Col("下次运行"),
        Col("上次结果"),
        Col("上次计划时间", keep=4),
        Col("最近成功", keep=2),
        Col("错误", keep=1, flex=True),
    )
    rows = [
        (
            job.id,
            job.description,
            fmt(job.next_run),
            STATUS_ZH.get(job.last_status or "", job.last_status or "—"),
            fmt(job.last_scheduled_for),
            fmt(job.last_success),
            (job.last_error or "")[:80],
        )
        for job in status.jobs
    ]
    title = f"定时任务（{zone.key}，随机延迟 0–{status.jitter_s} 秒）"
    print_table(out, title, columns, rows)
    for warning in status.warnings:
        out.print(f"[yellow]⚠ {warning}[/yellow]")
