"""Core commands: init, status, config check, export posts."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from connectors import catalogue
from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.cli.app import app
from tracker.cli.context import CliState, state
from tracker.cli.tables import Col, print_table, stdout_console
from tracker.errors import ConfigError, TrackerError
from tracker.normalize.times import to_shanghai
from tracker.safe_files import atomic_text_output

if TYPE_CHECKING:
    from tracker.config import CampaignConfig

console = Console()
err_console = Console(stderr=True)

config_app = typer.Typer(help="检查配置文件，或把配置写入数据库", no_args_is_help=True)
export_app = typer.Typer(help="导出数据", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(export_app, name="export")


@app.command("init")
def init_command(ctx: typer.Context) -> None:
    """创建或升级数据库，并写入活动配置和单位名册。"""
    from tracker.services.database import init_database

    st = state(ctx)
    result = init_database(st.db, st.config, st.units, st.config_texts())
    if result.revision_before is None:
        action = "已创建数据库"
    elif result.revision_before != result.revision_after:
        action = f"已升级数据库 ({result.revision_before} → {result.revision_after})"
    else:
        action = "数据库已是最新"
    console.print(  # a path is text, never markup: "[/]" is a folder name
        f"{action}: {result.url}（活动 {result.campaigns} 个，单位 {result.units} 个，"
        f"名册账号 {result.unit_accounts} 个）",
        markup=False,
    )


def _fmt_time(value) -> str:  # type: ignore[no-untyped-def]
    return to_shanghai(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _requests_and_retries(requests: int | None, retries: int | None) -> str:
    """``2637 / 12``; runs from before these figures were kept show a dash."""
    if requests is None:
        return "—"
    return f"{requests} / {retries or 0}"


def _count(n: int | None) -> str:
    return "—" if n is None else str(n)


def _configured_campaign(st: CliState) -> CampaignConfig | None:
    """The campaign whose works 活动作品 counts; None when the config cannot be read (the
    store inventory is still shown)."""
    try:
        return st.config.campaign(None)
    except ConfigError:
        return None


@app.command("status")
def status_command(
    ctx: typer.Context,
    format: str = typer.Option("table", "--format", help="table 或 json"),
) -> None:
    """数据库概况：各平台作品数、账号数和最近一次运行。"""
    from tracker.services.database import open_database
    from tracker.services.status import database_status

    st = state(ctx)
    if format not in ("table", "json"):
        raise TrackerError(f"--format 只能是 table 或 json，收到 {format!r}")
    engine = open_database(st.db)
    try:
        status = database_status(engine, st.database_label, _configured_campaign(st))
        # --- schedule section (tracker.schedule.status) ---
        from tracker.cli.commands_schedule import print_schedule_status, schedule_status_for

        schedule = schedule_status_for(engine, st)
    finally:
        engine.dispose()
    if format == "json":
        body = status.as_json()
        body["schedule"] = schedule.as_json() if schedule is not None else None
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        return
    out = stdout_console()  # the terminal's width; unlimited when piped, so nothing is cut
    columns = (
        Col("平台"),
        Col("作品"),
        Col("活动作品"),
        Col("账号", keep=3),
        Col("最近运行", keep=4),
        Col("状态"),
        Col("请求/重试", keep=2),
        Col("结束时间（北京时间）", keep=1),
    )
    rows = [
        (
            PLATFORM_NAMES_ZH.get(p.platform, p.platform),
            str(p.posts),
            _count(p.campaign_posts),
            str(p.accounts),
            p.last_run_kind or "—",
            p.last_run_status or "—",
            _requests_and_retries(p.last_run_requests, p.last_run_retries),
            _fmt_time(p.last_run_finished),
        )
        for p in status.platforms
    ]
    totals = status.as_json()["totals"]
    rows.append(
        (
            "合计",
            str(totals["posts"]),
            _count(totals["campaign_posts"]),
            str(totals["accounts"]),
            "",
            "",
            "",
            "",
        )
    )
    print_table(out, f"数据库 {escape(status.url)}", columns, rows, err_console)
    if not status.platforms:
        out.print("尚无数据。运行 `tracker collect` 采集，或 `tracker import` 导入。")
    if status.rejects:
        out.print(f"无法解析的条目 {status.rejects} 条已存入 reject 表。")
    for p in status.platforms:
        line = _purposes_line(p.last_run_purposes)
        if line or p.last_run_incomplete:
            name = PLATFORM_NAMES_ZH.get(p.platform, p.platform)
            parts = [x for x in (line, p.last_run_incomplete) if x]
            out.print(f"{name}最近一次运行：" + "；".join(parts), soft_wrap=True)
    print_schedule_status(out, schedule)  # --- schedule section ---


PURPOSE_ZH = {"listing": "列表页", "detail": "详情", "profile": "主页", "page": "文章页"}


def _purposes_line(purposes: dict[str, int] | None) -> str:
    """``请求 列表页 12、详情 3、主页 5（重试 2）`` from a run's requests by purpose."""
    if not purposes:
        return ""
    shown = [f"{PURPOSE_ZH[k]} {purposes[k]}" for k in PURPOSE_ZH if purposes.get(k)]
    retry = purposes.get("retry", 0)
    return "请求 " + "、".join(shown) + (f"（重试 {retry}）" if retry else "")


@config_app.command("check")
def config_check_command(ctx: typer.Context) -> None:
    """校验 campaign.toml 与 units.csv（含排名参数、定时表达式、签名插件），并列出各平台需要的环境变量。"""
    import os

    from tracker.cli.config_check import check_all

    st = state(ctx)
    stored = st.stored
    checked, registry, problems = check_all(
        lambda: st.config,
        lambda: st.units,
        st.config_path,
        os.environ,
        source=(stored.config_text, st.stored_label("campaign.toml")) if stored else None,
    )
    if problems or checked is None or registry is None:
        raise ConfigError(
            f"配置检查未通过，共 {len(problems)} 处问题 (config check failed):\n  "
            + "\n  ".join(problems)
        )
    cfg, units = checked, registry
    where = st.stored_label("campaign.toml") if stored else str(st.config_path)
    console.print(f"[green]✓[/green] {where}: 活动 {len(cfg.campaigns)} 个", highlight=False)
    for c in cfg.campaigns:
        console.print(
            f"  · {c.name}: 标签 {', '.join(c.all_spellings)}；时间 {c.window_start} 至 {c.window_end}"
        )
    console.print(
        f"[green]✓[/green] 单位名册: {len(units)} 行，{len({u.unit for u in units})} 个单位"
    )
    for pid, p in cfg.platforms.items():
        notes = []
        if not p.enabled:
            notes.append("未启用")
        if pid not in catalogue.live_platforms():
            notes.append("无采集连接器，只能导入")
        if p.cookie_env:
            notes.append(f"{p.cookie_env} {'已设置' if os.environ.get(p.cookie_env) else '未设置'}")
        if p.signer_env or p.signer:
            spec, where = p.signer_spec(pid, os.environ)
            notes.append(f"签名插件 {where} 已设置" if spec else f"签名插件 {p.signer_env} 未设置")
        console.print(
            f"  · {PLATFORM_NAMES_ZH.get(pid, pid)} ({pid}): {p.base_url}；{'；'.join(notes)}"
        )


@config_app.command("apply")
def config_apply_command(ctx: typer.Context) -> None:
    """把 campaign.toml 与 units.csv 的当前内容写入数据库（活动、单位名册和保存的配置文本）。

    之后在没有 config/ 目录的地方运行 `tracker --db 数据库 命令`，读取的就是这次写入的配置。
    """
    from tracker.config import parse_config_text, parse_units_text
    from tracker.services.database import apply_config

    st = state(ctx)
    texts = st.file_texts()  # always the files: applying the stored copy to itself is no update
    config = parse_config_text(texts.config_text, st.config_path)
    units = (
        parse_units_text(texts.units_text, texts.units_source or "units.csv")
        if texts.units_text is not None
        else []
    )
    result = apply_config(st.db, config, units, texts)
    units_note = f"单位名册 {texts.units_source}" if texts.units_source else "无单位名册"
    console.print(
        f"已把配置写入数据库 {result.url}：{texts.config_source}（活动 {result.campaigns} 个），"
        f"{units_note}（单位 {result.units} 个，名册账号 {result.unit_accounts} 个）",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@export_app.command("posts")
def export_posts_command(
    ctx: typer.Context,
    format: str = typer.Option("jsonl", "--format", help="目前支持 jsonl"),
    output: str = typer.Option(..., "-o", "--output", help="输出文件，或 - 表示标准输出"),
) -> None:
    """导出全部作品（每行一个 JSON 对象，含最新指标与所属活动）。"""
    from tracker.services.database import open_database
    from tracker.services.export_posts import write_jsonl

    st = state(ctx)
    if format != "jsonl":
        raise TrackerError(f"export posts 只支持 --format jsonl，收到 {format!r}")
    engine = open_database(st.db)
    try:
        if output == "-":
            n = write_jsonl(engine, sys.stdout)
            sys.stdout.flush()
        else:
            path = Path(output)
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_text_output(path) as fh:
                n = write_jsonl(engine, fh)
            err_console.print(f"已导出 {n} 条作品到 {path}", markup=False)
    finally:
        engine.dispose()
