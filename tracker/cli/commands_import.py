"""``tracker import``: captures, saved responses, MediaCrawler output and units' lists.

Exit codes: 0 every file imported; 3 some files were skipped (unreadable) or failed (the others
imported; the report names each with its reason); 1 none imported (or a usage error);
2 an internal error (the entry point's). Rows rejected inside an imported file are in the
report and the reject table and do not change the exit code.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.cli.app import app
from tracker.cli.commands_collect import BASE_URL_OPT, SIGNER_OPT, parse_base_urls
from tracker.cli.context import state
from tracker.errors import StoreError, TrackerError

if TYPE_CHECKING:
    from connectors.base import Connector
    from tracker.config import TrackerConfig
    from tracker.http import HttpClient
    from tracker.imports.service import ImportReport
    from tracker.store.runs import RunCounts

console = Console(soft_wrap=True)  # file:line messages stay on one line, greppable
err_console = Console(stderr=True, soft_wrap=True)

SHOWN = 20


@app.command("import")
def import_command(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="要导入的文件或目录（格式按内容自动识别）"),
    platform: str | None = typer.Option(
        None, "--platform", help="平台 id：无法从内容判断平台的 JSON 按此解析；抓包只导入此平台"
    ),
    unit: str | None = typer.Option(
        None, "--unit", help="报送表中没有填写单位的行归属的单位（只用于单位报送表）"
    ),
    campaign: str | None = typer.Option(
        None, "--campaign", help="报送作品归入的活动（默认配置中的第一个活动）"
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="只解析并报告，不写入数据库"),
    fetch: bool = typer.Option(
        False,
        "--fetch",
        help="允许联网：解析短链接，读取科普中国/腾讯新闻/学习强国文章页，并通过已启用平台的接口读取报送作品的详情",
    ),
    format: str = typer.Option("table", "--format", help="输出格式：table 或 json"),
    base_url: list[str] = BASE_URL_OPT,
    signer: str | None = SIGNER_OPT,
) -> None:
    """导入 HAR 抓包、Zeeschuimer 导出、API 响应 JSON、MediaCrawler 数据和单位报送表。"""
    from connectors.links import UrlResolver
    from tracker.imports.online import HttpArticleFetcher, LinkClients
    from tracker.imports.service import import_paths
    from tracker.services.database import open_database

    if format not in ("table", "json"):
        raise TrackerError(f"--format 只能是 table 或 json，收到 {format!r}")
    base_urls = parse_base_urls(base_url)
    if (base_urls or signer) and not fetch:
        raise TrackerError("--base-url 和 --signer 只在联网读取时使用，请同时加上 --fetch")
    st = state(ctx)
    config = st.config
    engine = None
    missing = _missing_sqlite_file(st.database_url)
    if dry_run and missing:
        # a dry run must not create the database file just by looking at it
        err_console.print(f"数据库不存在（{missing}），预演时所有作品按新作品计", markup=False)
    else:
        try:
            engine = open_database(st.db)
        except StoreError as exc:
            if not dry_run:
                raise
            err_console.print(f"数据库不可用，预演时所有作品按新作品计: {exc}", markup=False)
    links = LinkClients() if fetch else None
    articles = HttpArticleFetcher(base_urls) if fetch else None
    connectors, clients = _live_connectors(config, base_urls, signer) if fetch else ({}, [])

    def progress(label: str, counts: RunCounts) -> None:
        if format == "table" and sys.stderr.isatty():
            err_console.print(
                f"  {label}: 已读 {counts.items_read}，新 {counts.new}，更新 {counts.updated}",
                end="\r",
            )

    try:
        report = import_paths(
            engine,
            paths,
            platform=platform,
            unit=unit,
            campaign=campaign,
            dry_run=dry_run,
            config=config,
            progress=progress,
            resolver=UrlResolver(links) if links else None,
            articles=articles,
            connectors=connectors or None,
        )
    finally:
        for client in clients:
            client.close()
        if engine is not None:
            engine.dispose()
        if links is not None:
            links.close()
        if articles is not None:
            articles.close()
    if format == "json":
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        _print(report)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def _live_connectors(
    config: TrackerConfig, base_urls: dict[str, str], signer: str | None
) -> tuple[dict[str, Connector], list[HttpClient]]:
    """The enabled platforms' connectors, to read submitted works' details (``--fetch``)."""
    from datetime import UTC, datetime

    from tracker.services.collect import CollectOptions, build_connector, build_http

    connectors: dict[str, Connector] = {}
    clients: list[HttpClient] = []
    options = CollectOptions(base_urls=base_urls, signer=signer)
    for platform in config.enabled_platforms():
        pcfg = config.platforms[platform]
        try:
            http = build_http(platform, pcfg, options, os.environ)
            clients.append(http)
            connectors[platform] = build_connector(platform, http, pcfg, lambda: datetime.now(UTC))
        except TrackerError as exc:  # a platform that cannot be set up only loses its details
            err_console.print(f"{platform}: 无法联网获取详情: {exc}", markup=False)
    return connectors, clients


def _missing_sqlite_file(url: str) -> str | None:
    """The path of a SQLite database file that does not exist yet, else None."""
    from tracker.services.database_location import database_file

    database = database_file(url)
    return None if database is None or Path(database).exists() else database


def _without_path(path: str, error: str) -> str:
    """The reason alone (errors usually start with their file, which is printed already)."""
    return error[len(path) :].lstrip(": ") if error.startswith(path) else error


def _print_file_errors(report: ImportReport) -> None:
    """Each skipped or failed file with its reason, then what the exit code means."""
    from tracker.imports.service import EXIT_NONE, EXIT_PARTIAL

    for f in report.failed_files:
        reason = _without_path(f.path, f.error or "")
        head = "跳过的文件" if f in report.skipped_files else "文件错误"
        err_console.print(f"{head}: {f.path}: {reason}", markup=False, highlight=False)
    failed = len(report.failed_files)
    if report.exit_code == EXIT_PARTIAL:
        err_console.print(
            f"{len(report.files)} 个文件中 {failed} 个未能完整导入，其余已导入"
            f"（退出码 {EXIT_PARTIAL}: some files skipped or failed）",
            markup=False,
        )
    elif report.exit_code == EXIT_NONE:
        err_console.print(f"没有文件导入成功（退出码 {EXIT_NONE}: nothing imported）", markup=False)


def _print(report: ImportReport) -> None:
    from tracker.imports.detect import FORMAT_NAMES_ZH

    c = report.counts
    head = "预演（未写入数据库）" if report.dry_run else f"导入完成（运行 #{report.run_id}）"
    comments = f"，评论 {report.comments} 条" if report.comments else ""
    console.print(
        f"{head}：读取 {c.items_read} 条，新作品 {c.new}，更新 {c.updated}{comments}，"
        f"拒绝 {c.rejected}，跳过 {c.skipped}；活动作品 {report.campaign_posts}"
    )
    table = Table()
    for col in ("文件", "格式", "读取", "作品", "账号", "评论", "拒绝", "跳过", "重复"):
        table.add_column(col)
    for f in report.files:
        table.add_row(
            f.path,
            FORMAT_NAMES_ZH.get(f.format, f.format),
            str(f.items_read),
            str(f.posts),
            str(f.accounts),
            str(f.comments),
            str(f.rejected),
            str(f.skipped),
            str(f.duplicates),
        )
    console.print(table)
    if report.platforms:
        console.print(
            "按平台: "
            + "，".join(
                f"{PLATFORM_NAMES_ZH.get(p, p)} {n}" for p, n in report.platforms.most_common()
            )
        )
    for f in report.files:
        if f.skipped_by:
            top = "，".join(f"{k} {v}" for k, v in f.skipped_by.most_common(5))
            console.print(f"{f.path} 跳过: {top}", markup=False)
    _print_file_errors(report)
    if report.rejects:
        err_console.print(
            f"拒绝的条目（前 {min(SHOWN, len(report.rejects))} 条，全部见 reject 表）:"
        )
        for r in report.rejects[:SHOWN]:
            err_console.print(f"  {r.location}: {r.reason}", markup=False, highlight=False)
    if report.duplicates:
        console.print("重复的行（只计一次）:")
        for d in report.duplicates[:SHOWN]:
            console.print(f"  {d}", markup=False, highlight=False)
    for note in report.notes[:SHOWN]:
        console.print(f"注意: {note}", markup=False, highlight=False)
    for platform, why in report.missing_parsers.items():
        console.print(f"注意: {PLATFORM_NAMES_ZH.get(platform, platform)}: {why}")
