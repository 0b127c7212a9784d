"""The root typer app and its global options; subcommands register themselves here."""

from __future__ import annotations

import logging
from pathlib import Path

import typer
from rich.logging import RichHandler

from tracker.cli.context import make_state
from tracker.safe_files import protect, unprotect

app = typer.Typer(
    name="tracker",
    help="kepu-tracker：#千万IP创科普# 活动作品采集、追踪、评优与报告工具。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        help="数据库地址或 SQLite 文件路径（默认 ./data/tracker.db，或 TRACKER_DATABASE_URL）",
    ),
    config: Path | None = typer.Option(
        None, "--config", help="活动配置文件（默认 config/campaign.toml，或 TRACKER_CONFIG）"
    ),
    units: Path | None = typer.Option(
        None, "--units", help="单位名册 CSV（默认与配置文件同目录的 units.csv）"
    ),
    debug: bool = typer.Option(False, "--debug", help="出错时显示完整的调用栈"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="显示详细日志"),
) -> None:
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(
        level=level, format="%(message)s", handlers=[RichHandler(show_path=False)], force=True
    )
    ctx.obj = make_state(db, config, units, debug)
    # No output of this command may replace its database, config or units registry.
    protect(ctx.obj.protected_files())
    ctx.call_on_close(unprotect)
