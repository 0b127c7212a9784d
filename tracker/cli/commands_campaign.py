"""``tracker campaign``: membership rules, manual include/exclude, topic pages, participation."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from connectors.catalogue import PLATFORM_NAMES_ZH, PLATFORMS
from tracker.cli.app import app
from tracker.cli.commands_collect import parse_base_urls
from tracker.cli.context import state
from tracker.cli.validate import AS_OF_HELP, as_of_option
from tracker.errors import TrackerError
from tracker.normalize.times import to_shanghai
from tracker.safe_files import atomic_text_output

if TYPE_CHECKING:
    import pandas as pd

    from tracker.exports.sheet import Sheet
    from tracker.membership.manual import ManualResult

console = Console()
err_console = Console(stderr=True)

campaign_app = typer.Typer(
    help="活动成员：匹配规则、人工加入/排除作品、腾讯新闻专题页、参与形式统计", no_args_is_help=True
)
app.add_typer(campaign_app, name="campaign")

_STATE_ZH = {"excluded": "已排除", "included": "人工加入"}
_EVENT_ZH = {"included": "加入", "excluded": "排除"}
_RUN_STATUS_ZH = {
    "ok": "完成",
    "failed": "失败",
    "interrupted": "已中断",
    "login_required": "需要登录",
    "blocked": "被拦截",
}


def _when(value: Any) -> str:
    import pandas as pd

    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, str):
        return value
    return to_shanghai(value).strftime("%Y-%m-%d %H:%M")


def _check_format(value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise TrackerError(f"--format 只能是 {' / '.join(allowed)}，收到 {value!r}")


def _print_results(results: list[ManualResult], format: str) -> None:
    from tracker.membership.manual import OUTCOME_ZH

    if format == "json":
        body = [
            {
                "input": r.text,
                "action": r.action,
                "outcome": r.outcome,
                "platform": r.platform,
                "post_id": r.post_id,
                "url": r.url,
                "previous_matched_by": r.previous,
                "stub_created": r.stub_created,
                "message": r.message,
            }
            for r in results
        ]
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        return
    for r in results:
        colour = "green" if r.changed else "red" if not r.ok else "yellow"
        extra = "（数据库中尚无此作品，已建占位记录，待刷新补全）" if r.stub_created else ""
        console.print(f"[{colour}]{OUTCOME_ZH[r.outcome]}[/{colour}] {escape(r.message)}{extra}")
        if not r.ok:
            console.print(f"    输入: {escape(r.text)}")


def _decide(
    ctx: typer.Context,
    action: str,
    urls: list[str],
    note: str,
    by: str,
    campaign: str | None,
    format: str,
) -> None:
    from tracker.membership.manual import exclude_works, include_works
    from tracker.services.database import open_database

    _check_format(format, ("text", "json"))
    st = state(ctx)
    name = st.config.campaign(campaign).name
    engine = open_database(st.db)
    try:
        fn = include_works if action == "include" else exclude_works
        results = fn(engine, urls, campaign=name, note=note, by=by)
    finally:
        engine.dispose()
    _print_results(results, format)
    if any(not r.ok for r in results):
        raise typer.Exit(1)


@campaign_app.command("include")
def include_command(
    ctx: typer.Context,
    urls: list[str] = typer.Argument(..., help="作品链接（可多个），或 平台:作品id"),
    note: str = typer.Option(..., "--note", help="理由（必填，写入审核记录）"),
    by: str = typer.Option(..., "--by", help="操作人（必填）"),
    campaign: str | None = typer.Option(None, "--campaign", help="活动名称（默认第一个活动）"),
    format: str = typer.Option("text", "--format", help="text 或 json"),
) -> None:
    """把规则没有匹配到的作品人工加入活动（可撤销之前的排除）。"""
    _decide(ctx, "include", urls, note, by, campaign, format)


@campaign_app.command("exclude")
def exclude_command(
    ctx: typer.Context,
    urls: list[str] = typer.Argument(..., help="作品链接（可多个），或 平台:作品id"),
    note: str = typer.Option(..., "--note", help="理由（必填，写入审核记录）"),
    by: str = typer.Option(..., "--by", help="操作人（必填）"),
    campaign: str | None = typer.Option(None, "--campaign", help="活动名称（默认第一个活动）"),
    format: str = typer.Option("text", "--format", help="text 或 json"),
) -> None:
    """把误匹配的作品排除出活动：作品保留并标记，之后任何采集都不会再把它加回来。"""
    _decide(ctx, "exclude", urls, note, by, campaign, format)


def _membership_counts(conn: Any, campaign: str) -> list[dict[str, Any]]:
    from tracker.membership.rules import MATCHED_BY
    from tracker.store.queries.membership import membership_counts

    by_platform: dict[str, dict[str, Any]] = {}
    for platform, matched_by, excluded, n in membership_counts(conn, campaign):
        row = by_platform.setdefault(
            platform, {"platform": platform, **{m: 0 for m in MATCHED_BY}, "excluded": 0}
        )
        if excluded:
            row["excluded"] += n
        else:
            row[matched_by] = row.get(matched_by, 0) + n
    order = {p: i for i, p in enumerate(PLATFORMS)}
    return sorted(by_platform.values(), key=lambda r: order.get(r["platform"], 99))


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        out.append(
            {
                k: (v.isoformat() if isinstance(v, datetime) else None if _is_na(v) else v)
                for k, v in row.items()
            }
        )
    return out


def _is_na(value: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@campaign_app.command("list")
def list_command(
    ctx: typer.Context,
    manual: bool = typer.Option(False, "--manual", help="只列出人工决定（加入、排除）及其历史"),
    campaign: str | None = typer.Option(None, "--campaign", help="活动名称（默认第一个活动）"),
    format: str = typer.Option("table", "--format", help="table 或 json"),
) -> None:
    """活动作品按平台和匹配方式的数量；加 --manual 列出人工加入/排除的作品与操作记录。"""
    from tracker.membership.manual import decision_history, manual_decisions
    from tracker.membership.rules import MATCHED_BY, matched_by_label
    from tracker.services.database import open_database

    _check_format(format, ("table", "json"))
    st = state(ctx)
    name = st.config.campaign(campaign).name
    engine = open_database(st.db)
    try:
        with engine.connect() as conn:
            if manual:
                decisions = manual_decisions(conn, name)
                history = decision_history(conn, campaign=name)
            else:
                counts = _membership_counts(conn, name)
    finally:
        engine.dispose()
    if not manual:
        if format == "json":
            body = {"campaign": name, "platforms": counts}
            sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
            return
        table = Table(title=f"活动「{name}」的作品（按匹配方式）")
        table.add_column("平台")
        for m in MATCHED_BY:
            table.add_column(matched_by_label(m), justify="right")
        table.add_column("已排除", justify="right")
        for row in counts:
            table.add_row(
                PLATFORM_NAMES_ZH.get(row["platform"], row["platform"]),
                *(str(row[m]) for m in MATCHED_BY),
                str(row["excluded"]),
            )
        console.print(table)
        if not counts:
            console.print("尚无活动作品。")
        return
    if format == "json":
        body = {
            "campaign": name,
            "decisions": _records(decisions),
            "history": _records(history),
        }
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    table = Table(title=f"活动「{name}」的人工决定（当前状态）")
    for col in ("状态", "平台", "作品", "原匹配方式", "理由", "操作人", "链接"):
        table.add_column(col)
    for row in decisions.to_dict("records"):
        table.add_row(
            _STATE_ZH[row["state"]],
            PLATFORM_NAMES_ZH.get(row["platform"], row["platform"]),
            row["platform_post_id"],
            matched_by_label(row["matched_by"]),
            escape(row["note"] or ""),
            escape(row["decided_by"] or ""),
            "" if _is_na(row["url"]) else escape(str(row["url"])),
        )
    console.print(table)
    log = Table(title="操作记录（按时间）")
    for col in ("时间（北京时间）", "操作", "平台", "作品", "操作人", "理由"):
        log.add_column(col)
    for row in history.to_dict("records"):
        log.add_row(
            _when(row["decided_at"]),
            _EVENT_ZH.get(row["status"], row["status"]),
            PLATFORM_NAMES_ZH.get(row["platform"], row["platform"]),
            row["platform_post_id"],
            escape(row["reviewer"]),
            escape(row["note"] or ""),
        )
    console.print(log)


@campaign_app.command("rules")
def rules_command(ctx: typer.Context) -> None:
    """各活动的成员规则：话题标签、知乎圆桌、腾讯新闻专题页、学习强国主题。"""
    from tracker.membership.rules import campaign_rules

    st = state(ctx)
    for rules in campaign_rules(st.config):
        table = Table(title=f"活动「{rules.campaign}」的成员规则")
        for col in ("平台", "方式", "值"):
            table.add_column(col)
        for row in rules.rows():
            table.add_row(row.platform_zh, row.kind_zh, escape("、".join(row.values)))
        console.print(table)
        for warning in rules.warnings():
            console.print(f"[yellow]提示[/yellow] {escape(warning)}")


@campaign_app.command("topics")
def topics_command(
    ctx: typer.Context,
    files: list[Path] = typer.Option(
        [], "--file", help="已保存的专题页 HTML（可多次）；不给则联网读取配置的专题页"
    ),
    url: str | None = typer.Option(None, "--url", help="保存的专题页原本的网址（用于匹配活动）"),
    campaign: str | None = typer.Option(
        None, "--campaign", help="活动名称（默认按专题页网址确定）"
    ),
    fetch_articles: bool = typer.Option(
        True, "--articles/--no-articles", help="是否读取文章页补全标题、作者、时间"
    ),
    base_url: list[str] = typer.Option(
        [], "--base-url", help="覆盖地址，如 qqnews=http://127.0.0.1:8000/qqnews"
    ),
) -> None:
    """读取腾讯新闻专题页，把其中列出的文章计为活动作品（匹配方式：腾讯新闻专题）。"""
    from tracker.services.collect import CollectOptions
    from tracker.services.database import open_database
    from tracker.services.topics import collect_topics, import_topic_html

    st = state(ctx)
    engine = open_database(st.db)
    results = []
    try:
        if files:
            from connectors.workref import WorkRef
            from tracker.imports.online import HttpArticleFetcher

            fetcher = HttpArticleFetcher(parse_base_urls(base_url)) if fetch_articles else None
            try:
                for path in files:
                    try:
                        html = path.read_text(encoding="utf-8", errors="replace")
                    except OSError as exc:
                        raise TrackerError(f"无法读取 {path}: {exc}") from exc

                    def fetch(ref: WorkRef, f: Any = fetcher) -> str:
                        return f.fetch(ref)

                    results.append(
                        import_topic_html(
                            engine,
                            st.config,
                            html,
                            label=str(path),
                            topic_url=url,
                            campaign=campaign,
                            fetch=fetch if fetcher is not None else None,
                        )
                    )
            finally:
                if fetcher is not None:
                    fetcher.close()
        else:
            options = CollectOptions(base_urls=parse_base_urls(base_url))
            results.append(
                collect_topics(engine, st.config, options, fetch_articles=fetch_articles)
            )
    finally:
        engine.dispose()
    for r in results:
        if r.run_id is None:
            console.print(escape(r.message or ""))
            continue
        colour = "green" if r.ok else "red"
        console.print(
            f"[{colour}]{_RUN_STATUS_ZH.get(r.status, r.status)}[/{colour}] "
            f"专题页 {r.counts.pages} 个，列出文章 {r.counts.items_read} 篇，"
            f"新增 {r.counts.new}，更新 {r.counts.updated}，拒收 {r.counts.rejected}"
            + (f"；{escape(r.message)}" if r.message else "")
        )
        for entry in r.counts.detail.get("topics", []):
            if entry.get("error"):
                console.print(
                    f"    [red]读取失败[/red] {escape(entry['url'])}: {escape(entry['error'])}"
                )
    if any(not r.ok for r in results):
        raise typer.Exit(1)


@campaign_app.command("themes")
def themes_command(ctx: typer.Context) -> None:
    """按学习强国主题名（如“科普向'新'力”）把库中的学习强国文章计为活动作品。"""
    from tracker.membership.topics import link_themes
    from tracker.services.database import open_database

    st = state(ctx)
    engine = open_database(st.db)
    try:
        n = link_themes(engine, st.config)
    finally:
        engine.dispose()
    console.print(f"新增学习强国主题匹配 {n} 篇")


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    from tracker.membership.participation import PARTICIPATION_COLUMNS_ZH

    names = {
        "unit_name": "单位",
        "unit_kind": "类型",
        "city": "城市",
        "platform": "平台",
        "account_uid": "账号",
        **PARTICIPATION_COLUMNS_ZH,
    }
    out = frame.drop(columns=[c for c in ("unit_id",) if c in frame.columns])
    if "platform" in out.columns:
        out["platform"] = out["platform"].map(lambda p: PLATFORM_NAMES_ZH.get(p, p))
    return out.rename(columns=names)


def _write_output(path: Path, text: str, encoding: str) -> None:
    """Atomically, and never over the database, config or registry (``tracker.safe_files``)."""
    with atomic_text_output(path, encoding=encoding, newline="") as fh:
        fh.write(text)


def _csv_sheet(frame: pd.DataFrame) -> Sheet:
    """The table for the one guarded CSV writer: counts stay numbers, the rest (unit names from
    the registry, account ids from imports) is text that the Excel formula guard applies to."""
    from tracker.exports.sheet import Sheet

    return Sheet("参与", frame, {col: _csv_kind(frame[col]) for col in frame.columns})


def _csv_kind(values: pd.Series) -> str:
    import pandas as pd

    if pd.api.types.is_bool_dtype(values):
        return "text"
    if pd.api.types.is_integer_dtype(values):
        return "int"
    return "num" if pd.api.types.is_float_dtype(values) else "text"


@campaign_app.command("participation")
def participation_command(
    ctx: typer.Context,
    level: str = typer.Option("unit", "--by", help="unit（单位）、city（城市）或 account（账号）"),
    campaign: str | None = typer.Option(None, "--campaign", help="活动名称（默认第一个活动）"),
    format: str = typer.Option("table", "--format", help="table、csv 或 json"),
    in_window: bool = typer.Option(
        False, "--in-window", help="只统计活动时间窗口内发布的作品（默认统计全部活动作品）"
    ),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="输出文件（csv/json）；默认标准输出"
    ),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
) -> None:
    """三种参与形式（发布内容、互动问答、作品互动）按单位、城市或账号统计。"""
    from tracker.exports.csv import write_csv, write_csv_file
    from tracker.membership.participation import (
        COUNT_COLUMNS,
        FORM_COLUMNS,
        PARTICIPATION_COLUMNS_ZH,
        participation_frames,
    )
    from tracker.services.database import open_database

    _check_format(format, ("table", "csv", "json"))
    if level not in ("unit", "city", "account"):
        raise TrackerError(f"--by 只能是 unit、city 或 account，收到 {level!r}")
    st = state(ctx)
    chosen = st.config.campaign(campaign)
    name = chosen.name
    engine = open_database(st.db)
    try:
        with engine.connect() as conn:
            window = chosen.window_utc() if in_window else None
            cut = as_of_option(as_of, chosen.timezone)
            frames = participation_frames(conn, name, window=window, as_of=cut)
    finally:
        engine.dispose()
    frame = {"unit": frames.units, "city": frames.cities, "account": frames.accounts}[level]
    if format == "table":
        keep = {
            "unit": ["unit_name", "city", "participating_accounts", *FORM_COLUMNS],
            "city": [
                "city",
                "units",
                "participating_units",
                "participating_accounts",
                *FORM_COLUMNS,
            ],
            "account": ["platform", "account_uid", *FORM_COLUMNS],
        }[level]
        shown = _labelled(frame[keep])
        level_zh = {"unit": "单位", "city": "城市", "account": "账号"}[level]
        table = Table(title=f"活动「{name}」参与形式统计（按{level_zh}）")
        for col in shown.columns:
            table.add_column(
                str(col), justify="right" if col in PARTICIPATION_COLUMNS_ZH.values() else "left"
            )
        for row in shown.itertuples(index=False):
            table.add_row(*("" if _is_na(v) else escape(str(v)) for v in row))
        console.print(table)
        return
    if format == "csv":
        sheet = _csv_sheet(_labelled(frame))
        if output is None:
            write_csv(sys.stdout, sheet, crlf=False)
        else:
            write_csv_file(output, sheet)  # Excel opens UTF-8 with a BOM; atomic, target checked
    else:
        body = {
            "campaign": name,
            "level": level,
            "columns": list(frame.columns),
            "forms": {c: PARTICIPATION_COLUMNS_ZH[c] for c in COUNT_COLUMNS},
            "rows": _records(frame),
        }
        text = json.dumps(body, ensure_ascii=False, indent=2, default=str) + "\n"
        if output is None:
            sys.stdout.write(text)
        else:
            _write_output(output, text, "utf-8")
    if output is not None:
        err_console.print(f"已写出 {len(frame)} 行到 {output}")
