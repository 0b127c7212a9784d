"""``tracker report``, ``tracker dashboard`` and ``tracker dashboard-passwd``.

Dash is an optional extra, so it is imported only when ``tracker dashboard`` runs; a missing
install is a clear message, not a traceback.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import typer
from rich.console import Console

from tracker.cli.app import app
from tracker.cli.context import state
from tracker.cli.validate import AS_OF_HELP, as_of_option
from tracker.errors import TrackerError

console = Console(stderr=True)


REPORT_DAYS = (date(2000, 1, 1), date(2099, 12, 31))
"""``--date`` range: the report steps days and weeks around it, which overflows near year 9999."""


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise TrackerError(f"--date 应写作 YYYY-MM-DD，例如 2024-09-20，收到 {value!r}") from exc
    first, last = REPORT_DAYS
    if not first <= day <= last:
        raise TrackerError(f"--date 应在 {first} 至 {last} 之间 (out of range)，收到 {value!r}")
    return day


@app.command("report")
def report_command(
    ctx: typer.Context,
    output: Path = typer.Option(Path("report.html"), "-o", "--output", help="输出的 HTML 文件"),
    campaign: str | None = typer.Option(None, "--campaign", help="活动名称（默认配置中的第一个）"),
    day: str | None = typer.Option(
        None, "--date", help="报告截至的日期（北京时间，YYYY-MM-DD）；默认截至最近一次采集"
    ),
    pdf: bool = typer.Option(
        False, "--pdf", help="同时用无头 Chromium 生成 PDF（需已安装 chromium）"
    ),
    city: str | None = typer.Option(
        None, "--city", help="只生成该城市的报告（如 深圳市）：本市单位、作品与未报送单位"
    ),
    print_cities: bool = typer.Option(
        False,
        "--print-cities",
        help="生成各市简报：每市一页 A4，便于打印（与 --city 同用时只含该市；可加 --pdf）",
    ),
    as_of: str | None = typer.Option(None, "--as-of", help=AS_OF_HELP),
) -> None:
    """生成单文件 HTML 报告（离线可打开，可打印），可选同时生成 PDF。"""
    from dashboards.report_build import build_report
    from tracker.services.database import open_database

    st = state(ctx)
    when = _parse_day(day)
    cut = as_of_option(as_of, st.config.campaign(campaign).timezone)
    if cut is not None and when is not None:
        raise TrackerError("--date 与 --as-of 只能选一个")
    engine = open_database(st.db)
    try:
        with console.status("正在生成报告…"):
            if print_cities:
                from dashboards.city_print import build_city_print

                result = build_city_print(
                    engine, st.config, output, campaign=campaign, day=when, pdf=pdf, city=city
                )
            else:
                result = build_report(
                    engine,
                    st.config,
                    output,
                    campaign=campaign,
                    day=when,
                    pdf=pdf,
                    city=city,
                    as_of=cut,
                )
    finally:
        engine.dispose()
    size_mb = result.size_bytes / 1_000_000
    console.print(
        f"已生成{'各市简报' if print_cities else '报告'} {result.path}（作品 {result.works:,} 件，{size_mb:.1f} MB，用时 {result.seconds:.1f} 秒）",
        soft_wrap=True,
        markup=False,
    )
    if result.pdf_path is not None:
        console.print(f"已生成 PDF {result.pdf_path}", soft_wrap=True, markup=False)


@app.command("dashboard")
def dashboard_command(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址；非本机地址必须配置登录用户"),
    port: int = typer.Option(8050, "--port", min=1, max=65535, help="端口（1-65535）"),
    users: Path | None = typer.Option(
        None,
        "--users",
        help="登录用户文件（每行 用户名:密码哈希；或设置 TRACKER_DASHBOARD_USERS）",
    ),
    allowed_host: list[str] = typer.Option(
        [],
        "--allowed-host",
        help="另外允许的访问名称（主机名或 主机名:端口，可重复；或设置 TRACKER_DASHBOARD_HOSTS）",
    ),
) -> None:
    """启动网页数据看板（只读，审核操作除外）。"""
    try:
        from dashboards.app import create_app
        from dashboards.auth import load_allowed_names, load_users
    except ModuleNotFoundError as exc:
        raise TrackerError(
            f"仪表盘需要可选依赖 dash 和 dash-ag-grid（缺少 {exc.name}）：pip install 'kepu-tracker[dashboard]'"
        ) from exc
    from tracker.services.database import open_database

    st = state(ctx)
    table = load_users(users)
    engine = open_database(st.db)
    # The Host check needs the real port, and names beyond loopback (see dashboards.auth).
    names = [*load_allowed_names(), *allowed_host]
    dash_app = create_app(engine, st.config, host=host, port=port, users=table, allowed_hosts=names)
    data = dash_app.tracker_data  # type: ignore[attr-defined]
    # Pre-aggregate and rank the default campaign in the background, so the first overview and
    # the first leaderboard open quickly (both are then cached until the next collection run).
    threading.Thread(target=_warm, args=(data,), name="dashboard-warm-up", daemon=True).start()
    who = f"已配置登录用户 {len(table)} 个" if table else "仅本机访问，无需登录"
    shown = f"[{host}]" if ":" in host else host
    console.print(f"数据看板：http://{shown}:{port}/ （{who}；Ctrl-C 退出）", soft_wrap=True)
    try:
        dash_app.run(host=host, port=port, debug=False)
    finally:
        engine.dispose()


def _warm(data) -> None:  # type: ignore[no-untyped-def]
    try:
        data.overview(data.filters(None))
        data.ranked(None)
    except Exception:  # noqa: BLE001 - a warm-up failure shows again on the page that needs it
        pass


@app.command("dashboard-passwd")
def dashboard_passwd_command(
    name: str = typer.Argument(..., help="用户名"),
) -> None:
    """生成一行登录用户配置（用户名:密码哈希），写入用户文件或 TRACKER_DASHBOARD_USERS。"""
    from dashboards.auth import hash_password

    if ":" in name or ";" in name or not name.strip():
        raise TrackerError("用户名不能为空，也不能含 : 或 ;")
    password = typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码", err=True)
    if len(password) < 8:
        raise TrackerError("密码至少 8 位")
    typer.echo(f"{name.strip()}:{hash_password(password)}")
