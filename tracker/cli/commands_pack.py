"""``tracker pack --as-of 2024-09-27 -o DIR``: the deadline pack (see ``tracker.services.pack``)."""

from __future__ import annotations

from pathlib import Path

import typer

from tracker.cli.app import app
from tracker.cli.context import state
from tracker.cli.validate import AS_OF_HELP, as_of_option


@app.command("pack")
def pack_command(
    ctx: typer.Context,
    as_of: str = typer.Option(..., "--as-of", help=AS_OF_HELP),
    output: Path = typer.Option(
        ..., "-o", "--output", help="输出文件夹（不存在时创建；其中同名文件会被替换）"
    ),
    campaign: str | None = typer.Option(None, "--campaign", help="活动名称（默认配置中的第一个）"),
    include_unreviewed: bool = typer.Option(
        False,
        "--include-unreviewed",
        help="创作者、单位与汇总也计入未审核作品（作品清单总是含全部作品，推荐名单总是只含可推荐作品）",
    ),
) -> None:
    """截止日数据包：报告、活动汇总（按城市）、作品、创作者、单位、推荐名单与 manifest.json，同一时刻截止。"""
    from dashboards.report_build import build_report
    from tracker.ranking.selection import Selection
    from tracker.services.database import open_database
    from tracker.services.pack import run_pack

    st = state(ctx)
    cut = as_of_option(as_of, st.config.campaign(campaign).timezone)
    assert cut is not None  # --as-of is required

    def written(name: str, detail: str) -> None:
        typer.echo(f"已写出 {output / name}（{detail}）")

    engine = open_database(st.db)
    try:
        result = run_pack(
            engine,
            st.config,
            output,
            as_of=cut,
            write_report=build_report,
            campaign=campaign,
            include_unreviewed=include_unreviewed,
            on_file=written,
        )
    finally:
        engine.dispose()
    c = result.counts
    cut_text = Selection(as_of=result.as_of, timezone=result.timezone).as_of_text()
    typer.echo(
        f"数据截至 {cut_text}（北京时间）：作品 {c['works']:,} 件，账号 {c['accounts']:,} 个，"
        f"有作品的单位 {c['units']:,} 个，推荐作品 {c['recommended']:,} 件"
    )
    typer.echo(f"清单 manifest：{result.manifest}")
