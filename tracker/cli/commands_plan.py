"""``tracker plan``: the requests a day's jobs will send per platform, and whether they fit.

The figures come from :mod:`tracker.services.plan`; ``tracker schedule --dry-run`` prints the
same table (on stderr there, since its stdout is one tab-separated line per job).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.cli.app import app
from tracker.cli.commands_collect import NOW_OPT, _parse_when
from tracker.cli.context import state
from tracker.cli.tables import Col, print_table, stdout_console
from tracker.errors import TrackerError

if TYPE_CHECKING:
    from tracker.services.plan import PlatformPlan

JOB_ZH = {"collect": "每日采集", "refresh": "指标刷新", "comments": "评论读取"}
COLUMNS = (
    Col("平台"),
    Col("任务"),
    Col("列表页"),
    Col("详情"),
    Col("主页"),
    Col("评论"),
    Col("重试"),
    Col("合计请求"),
    Col("用时（小时）"),
    Col("是否在预算内"),
)


def _hours(value: float | None) -> str:
    return "不限速" if value is None else f"{value:.2f}"


def plan_rows(plans: list[PlatformPlan]) -> list[tuple[str, ...]]:
    """A row per platform and job, then the platform's day in total with the verdict."""
    rows: list[tuple[str, ...]] = []
    for plan in plans:
        name = PLATFORM_NAMES_ZH.get(plan.platform, plan.platform)
        for job in plan.jobs:
            r = job.requests
            rows.append(
                (
                    name,
                    JOB_ZH[job.job],
                    str(r.listing),
                    str(r.detail),
                    str(r.profile),
                    str(r.comments),
                    str(r.retry),
                    str(r.total),
                    _hours(job.hours),
                    "",
                )
            )
        verdict = "是" if plan.fits else f"否（预算 {plan.budget_hours:g} 小时）"
        rows.append(
            (name, "全天合计", "", "", "", "", "", str(plan.total), _hours(plan.hours), verdict)
        )
    return rows


def print_plan_table(out: Console, plans: list[PlatformPlan], budget_hours: float) -> None:
    """The Chinese table, a note on defaults, and one line per platform over budget."""
    title = f"每日请求预算（每个平台每天 {budget_hours:g} 小时）"
    print_table(out, title, COLUMNS, plan_rows(plans))
    defaults = [p for p in plans if p.inputs.get("from_defaults")]
    if defaults:
        names = "、".join(PLATFORM_NAMES_ZH.get(p.platform, p.platform) for p in defaults)
        out.print(
            f"{names}：数据库中还没有作品，按每天 "
            f"{defaults[0].inputs['new_works_per_day']:g} 条新作品估计。",
            soft_wrap=True,
        )
    for plan in plans:
        if plan.advice:
            out.print(f"[yellow]⚠ {plan.advice}[/yellow]", soft_wrap=True)


def _now(value: str | None) -> datetime:
    return _parse_when(value, "--now") or datetime.now(UTC)


@app.command("plan")
def plan_command(
    ctx: typer.Context,
    format: str = typer.Option("table", "--format", help="table 或 json"),
    now: str | None = NOW_OPT,
) -> None:
    """估计每个平台每天的请求数（列表页、详情、主页、评论、重试）和按限速所需小时数，检查是否在预算内。"""
    from tracker.services.database import open_database
    from tracker.services.plan import build_request_plan, plan_json

    if format not in ("table", "json"):
        raise TrackerError(f"--format 只能是 table 或 json，收到 {format!r}")
    st = state(ctx)
    config = st.config
    engine = open_database(st.db)
    try:
        plans = build_request_plan(engine, config, _now(now))
    finally:
        engine.dispose()
    budget = config.schedule.max_hours_per_platform
    if format == "json":
        body = plan_json(plans, budget)
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        return
    print_plan_table(stdout_console(), plans, budget)
