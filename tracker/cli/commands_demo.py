"""``tracker demo``: simulator -> collect (9-27, 9-30) -> import -> refresh -> rank -> report, in one command."""

from __future__ import annotations

import time
from pathlib import Path

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
from tracker.errors import TrackerError

console = Console()


@app.command("demo")
def demo_command(
    ctx: typer.Context,
    out: Path = typer.Option(
        Path("demo-output"), "--out", help="输出目录（其中的 tracker.db 每次重新创建）"
    ),
    scale: int = typer.Option(200, "--scale", min=10, help="模拟世界每个平台的作品数量级"),
    faults: str = typer.Option("none", "--faults", help="模拟器故障配置：none、flaky、hostile"),
    seed: int = typer.Option(2024, "--seed", help="模拟世界的随机种子"),
) -> None:
    """演示完整流程：启动本地模拟器 → 采集六个平台（9月27日、9月30日两次）→ 导入单位报送表 → 刷新指标 → 读取评论 → 排名 → 报告与 Excel。"""
    from dashboards.report_build import build_report
    from tracker.services.demo import next_commands, run_demo

    if faults not in ("none", "flaky", "hostile"):
        raise TrackerError(f"--faults 只能是 none、flaky 或 hostile，收到 {faults!r}")
    st = state(ctx)
    fallback = st.use_checkout_config()
    if fallback is not None:
        console.print(
            f"当前目录下没有 config/campaign.toml，使用项目自带的配置文件：{fallback}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    config = st.config
    started = time.perf_counter()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        tasks: dict[str, TaskID] = {}
        step_task: dict[str, TaskID] = {}

        def on_step(name: str) -> None:
            if "current" in step_task:
                progress.update(step_task["current"], completed=1, total=1)
            step_task["current"] = progress.add_task(name, total=None, info="")
            tasks.clear()  # each collection shows its own platform rows under its step

        def on_page(platform: str, page, counts) -> None:  # type: ignore[no-untyped-def]
            if platform not in tasks:
                tasks[platform] = progress.add_task(
                    f"  {PLATFORM_NAMES_ZH.get(platform, platform)}", total=None, info=""
                )
            progress.update(
                tasks[platform],
                advance=1,
                info=f"页 {counts.pages} · 新增 {counts.new} · 更新 {counts.updated}",
            )

        texts = st.config_texts()
        summary = run_demo(
            config,
            out,
            write_report=build_report,
            scale=scale,
            faults=faults,
            seed=seed,
            on_step=on_step,
            on_page=on_page,
            config_text=texts.config_text,
            config_source=texts.config_source,
        )
        if "current" in step_task:
            progress.update(step_task["current"], completed=1, total=1)

    steps = Table(title="演示完成：做了什么")
    for col in ("步骤", "结果", "用时"):
        steps.add_column(col)
    for name, result, seconds in summary.steps:
        steps.add_row(name, result, f"{seconds:.1f} 秒")
    console.print(steps)
    works = Table(title="数据库中的作品")
    for col in ("平台", "作品", "活动作品"):
        works.add_column(col)
    for platform, counts in summary.per_platform.items():
        works.add_row(
            PLATFORM_NAMES_ZH.get(platform, platform),
            str(counts.get("works", 0)),
            str(counts.get("campaign_works", 0)),
        )
    console.print(works)
    files = Table(title="输出文件")
    files.add_column("文件")
    for path in [summary.database, *summary.files]:
        files.add_row(str(path))
    console.print(files)
    console.print(
        f"用时 {time.perf_counter() - started:.0f} 秒。用浏览器打开 {out / 'report.html'} 查看报告。"
    )
    console.print("接下来可以运行（配置已存入演示数据库，不需要 config/ 目录）：", highlight=False)
    for command in next_commands(summary.database):
        console.print(f"  {command}", markup=False, highlight=False, soft_wrap=True)
