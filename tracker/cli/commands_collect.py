"""``tracker collect`` and ``tracker refresh``: live collection with a progress bar per platform.

Exit codes, so cron and CI can tell a partial run from a complete one::

    0  every platform completed
    3  some platforms did not complete (login wall, block, signer missing, failure, stopped)
    1  no platform completed
    2  internal error (the CLI's last-resort handler, ``tracker.cli.main``)
"""

from __future__ import annotations

import signal
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.cli.app import app
from tracker.cli.context import state
from tracker.cli.validate import (
    MAX_AGE_DAYS,
    base_url_option,
    now_option,
    parse_age,
    parse_when,
    signer_option,
    since_option,
    until_option,
    younger_than_option,
)
from tracker.errors import TrackerError

if TYPE_CHECKING:
    from tracker.services.collect import CollectOptions, PlatformResult

console = Console(stderr=True)

EXIT_OK = 0
EXIT_NONE = 1
EXIT_SOME = 3

STATUS_ZH = {
    "ok": "完成",
    "interrupted": "已中断（可续采）",
    "login_required": "需要重新登录",
    "signer_missing": "缺少签名插件",
    "blocked": "被平台拦截",
    "failed": "失败",
}


def parse_base_urls(values: list[str]) -> dict[str, str]:
    from tracker.config import base_url_problem

    out = {}
    for value in values:
        platform, sep, url = value.partition("=")
        if not sep or base_url_problem(url) is not None:
            raise TrackerError(
                f"--base-url 应写作 平台=URL，例如 weibo=http://127.0.0.1:8000/weibo，收到 {value!r}"
            )
        out[platform.strip()] = url.strip()
    return out


def _parse_when(value: str | None, name: str) -> datetime | None:
    try:
        return parse_when(value)
    except ValueError as exc:
        raise TrackerError(f"{name} 无法识别的时间 {value!r}") from exc


class _StopFlag:
    """SIGTERM/SIGINT finish the current page, save its cursor, then stop."""

    def __init__(self) -> None:
        self.stop = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> _StopFlag:
        for sig in (signal.SIGTERM, signal.SIGINT):
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, _frame: object) -> None:
        if self.stop:  # a second Ctrl-C means now
            raise KeyboardInterrupt
        self.stop = True
        console.print("[yellow]收到停止信号：完成当前页并保存断点后退出…[/yellow]")

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]


def _summary(results: list[PlatformResult], title: str) -> Table:
    table = Table(title=title)
    for col in ("平台", "状态", "页数", "读取", "新增", "更新", "拒收", "平台声称总数", "说明"):
        table.add_column(col)
    for r in results:
        c = r.counts
        table.add_row(
            PLATFORM_NAMES_ZH.get(r.platform, r.platform),
            STATUS_ZH.get(r.status, r.status),
            str(c.pages),
            str(c.items_read),
            str(c.new),
            str(c.updated),
            str(c.rejected),
            "—" if c.claimed_total is None else str(c.claimed_total),
            r.message or "",
        )
    return table


def run_exit_code(results: Sequence[PlatformResult]) -> int:
    """The exit code of a collect or refresh: 0 all platforms completed, 3 some, 1 none.

    Only ``ok`` is completed: a platform stopped by a login wall, a block or a signal still has
    works to read, and a scheduler must see that without parsing the table.
    """
    done = sum(1 for r in results if r.ok)
    if done == len(results):
        return EXIT_OK
    return EXIT_SOME if done else EXIT_NONE


def _finish(results: Sequence[PlatformResult]) -> None:
    """Name what did not complete on stderr, then exit with :func:`run_exit_code`."""
    for r in results:
        if r.status not in ("ok", "interrupted") and r.message:
            console.print(f"[red]{r.message}[/red]")
    code = run_exit_code(results)
    if code == EXIT_SOME:
        unfinished = "、".join(
            PLATFORM_NAMES_ZH.get(r.platform, r.platform) for r in results if not r.ok
        )
        console.print(
            f"[yellow]部分平台未完成：{unfinished}（退出码 3；some platforms did not complete）[/yellow]"
        )
    elif code == EXIT_NONE:
        console.print("[red]没有平台完成（退出码 1；no platform completed）[/red]")
    if code != EXIT_OK:
        raise typer.Exit(code)


def _options(
    platform: list[str],
    since: str | None,
    until: str | None,
    max_pages: int | None,
    restart: bool,
    base_url: list[str],
    signer: str | None,
    now: str | None,
    stop: _StopFlag,
    workers: int | None = None,
) -> CollectOptions:
    from tracker.services.collect import CollectOptions

    fixed_now = _parse_when(now, "--now")
    return CollectOptions(
        platforms=platform or None,
        since=_parse_when(since, "--since"),
        until=_parse_when(until, "--until"),
        max_pages=max_pages,
        restart=restart,
        base_urls=parse_base_urls(base_url),
        signer=signer,
        clock=(lambda: fixed_now) if fixed_now else (lambda: datetime.now(UTC)),
        should_stop=lambda: stop.stop,
        workers=workers,
        since_last_run=since is None,
    )


PLATFORM_OPT = typer.Option(
    [], "--platform", "-p", help="只采集这些平台（可重复）；默认全部已启用平台"
)
BASE_URL_OPT = typer.Option(
    [],
    "--base-url",
    callback=base_url_option,
    help="平台=URL：把连接器指向另一个地址（测试、演示用模拟器）",
)
SIGNER_OPT = typer.Option(
    None,
    "--signer",
    callback=signer_option,
    help='签名插件："dev"、"cmd:命令" 或 "http://127.0.0.1:端口/sign"',
)
NOW_OPT = typer.Option(
    None,
    "--now",
    callback=now_option,
    help="把当前时间固定为此时刻（配合模拟器的虚拟时钟）",
    hidden=True,
)


@app.command("collect")
def collect_command(
    ctx: typer.Context,
    platform: list[str] = PLATFORM_OPT,
    since: str | None = typer.Option(
        None,
        "--since",
        callback=since_option,
        help="只要此时间之后发布的作品（须早于 --until）；不写则从该平台上次成功采集开始前 2 天起"
        "（首次采集、或写了 --until 时不限）",
    ),
    until: str | None = typer.Option(
        None, "--until", callback=until_option, help="只要此时间之前发布的作品"
    ),
    max_pages: int | None = typer.Option(
        None,
        "--max-pages",
        min=1,
        help="每个平台最多翻页数（≥ 1）；不写则按配置的 max_pages，配置也没有则不限",
    ),
    restart: bool = typer.Option(False, "--restart", help="忽略上次中断的断点，从头采集"),
    base_url: list[str] = BASE_URL_OPT,
    signer: str | None = SIGNER_OPT,
    now: str | None = NOW_OPT,
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="同时采集的平台数（默认全部平台同时进行；1 = 逐个平台）"
    ),
    comments: bool = typer.Option(
        True,
        "--comments/--no-comments",
        help="采集作品列表后读取当天选定作品的评论（[comments]；配置 enabled = false 时不读）",
    ),
) -> None:
    """采集各平台带活动标签的作品（每页提交并保存断点，可随时中断后续采），再读取选定作品的评论。"""
    from tracker.services.collect import collect
    from tracker.services.comments import collect_comments
    from tracker.services.database import open_database

    st = state(ctx)
    config = st.config
    engine = open_database(st.db)
    try:
        with (
            _StopFlag() as stop,
            Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[info]}"),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            ) as progress,
        ):
            tasks: dict[str, TaskID] = {}

            def on_page(platform_id: str, page, counts) -> None:  # type: ignore[no-untyped-def]
                if platform_id not in tasks:
                    tasks[platform_id] = progress.add_task(
                        PLATFORM_NAMES_ZH.get(platform_id, platform_id), total=None, info=""
                    )
                progress.update(
                    tasks[platform_id],
                    advance=1,
                    info=f"页 {counts.pages} · 新增 {counts.new} · 更新 {counts.updated} · 拒收 {counts.rejected}",
                )

            options = _options(
                platform, since, until, max_pages, restart, base_url, signer, now, stop, workers
            )
            results = collect(engine, config, options, on_page)
            comment_results: list[PlatformResult] = []
            if comments and not stop.stop:
                stopped = {r.platform: r.status for r in results if r.status in _SESSION_STOPS}
                comment_results = collect_comments(engine, config, options, skip=stopped)
    finally:
        engine.dispose()
    Console().print(_summary(results, "采集结果"))
    if comment_results:
        Console().print(_comment_summary(comment_results))
    _finish([*results, *comment_results])


_SESSION_STOPS = ("login_required", "signer_missing", "blocked")
"""A listing stopped by these needs a person first: its comments are not read in the same run."""


def _comment_summary(results: list[PlatformResult]) -> Table:
    table = Table(title="评论采集结果")
    for col in ("平台", "状态", "作品", "请求", "评论", "新增评论", "说明"):
        table.add_column(col)
    for r in results:
        detail = r.counts.detail
        requests = detail.get("requests") or {}
        table.add_row(
            PLATFORM_NAMES_ZH.get(r.platform, r.platform),
            STATUS_ZH.get(r.status, r.status),
            str(detail.get("works", 0)),
            str(requests.get("comments", 0)),
            str(detail.get("comments", 0)),
            str(detail.get("comments_new", 0)),
            r.message or "",
        )
    return table


def _parse_age(value: str) -> timedelta:
    try:
        return parse_age(value)
    except ValueError as exc:
        raise TrackerError(f"--younger-than {exc}") from None


@app.command("refresh")
def refresh_command(
    ctx: typer.Context,
    younger_than: str = typer.Option(
        "14d",
        "--younger-than",
        callback=younger_than_option,
        help=f"刷新发布不超过这么久的作品（如 14d、36h、2w；大于 0，至多 {MAX_AGE_DAYS} 天）",
    ),
    platform: list[str] = PLATFORM_OPT,
    base_url: list[str] = BASE_URL_OPT,
    signer: str | None = SIGNER_OPT,
    now: str | None = NOW_OPT,
) -> None:
    """通过详情接口重新读取已知作品的指标，追加快照。"""
    from tracker.services.collect import refresh_platform
    from tracker.services.database import open_database

    st = state(ctx)
    config = st.config
    age = _parse_age(younger_than)
    engine = open_database(st.db)
    results = []
    try:
        with _StopFlag() as stop:
            options = _options(platform, None, None, None, False, base_url, signer, now, stop)
            for p in options.platforms or config.enabled_platforms():
                if p not in config.platforms:
                    raise TrackerError(f"未配置的平台 {p!r}")
                results.append(refresh_platform(engine, config, p, options, age))
    finally:
        engine.dispose()
    Console().print(_summary(results, "指标刷新结果"))
    _finish(results)
