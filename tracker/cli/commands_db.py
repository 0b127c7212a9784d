"""``tracker db migrate-to URL``: move the database to PostgreSQL when SQLite is outgrown.

A thin face over ``services.transfer``: progress per table on stderr (rows copied / total), a
short summary on stdout. Every URL shown has its password hidden.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from tracker.cli.app import app
from tracker.cli.context import state
from tracker.errors import StoreError

if TYPE_CHECKING:
    from tracker.services.transfer import TableProgress

db_app = typer.Typer(help="数据库维护：把 SQLite 数据库迁移到 PostgreSQL", no_args_is_help=True)
app.add_typer(db_app, name="db")

err_console = Console(stderr=True)


@db_app.command("migrate-to")
def migrate_to_command(
    ctx: typer.Context,
    url: str = typer.Argument(
        ..., help="目标 PostgreSQL 数据库地址，如 postgresql+psycopg://用户@主机:5432/库名"
    ),
    replace: bool = typer.Option(
        False, "--replace", help="目标数据库已有作品等数据时，先清空它的全部表再迁移"
    ),
) -> None:
    """把当前 SQLite 数据库（--db 或 TRACKER_DATABASE_URL）的全部数据复制到 PostgreSQL。

    先按本工具的表结构建好目标数据库（同 `tracker init`），再逐表复制并核对行数；
    出错时目标数据库回滚到迁移前的状态。迁移前请停止采集和定时任务。
    """
    from tracker.services.transfer import TargetNotEmpty, migrate_to_postgresql, target_label

    st = state(ctx)
    shown = target_label(url)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("行"),
        console=err_console,
        transient=False,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def on_progress(step: TableProgress) -> None:
            if step.table not in tasks:
                tasks[step.table] = progress.add_task(step.table, total=step.total)
            progress.update(tasks[step.table], completed=step.copied)

        try:
            result = migrate_to_postgresql(st.db, url, replace=replace, progress=on_progress)
        except TargetNotEmpty as exc:
            raise StoreError(
                f"{shown}：{exc}。如确要用当前数据库替换目标数据库的全部数据，请加 --replace"
            ) from None
    replaced = (
        f"；目标数据库原有的 {sum(result.replaced.values())} 行已替换" if result.replaced else ""
    )
    Console(soft_wrap=True).print(
        f"已迁移到 {shown}：{len(result.rows)} 张表，共 {result.total_rows} 行，"
        f"用时 {result.seconds:.1f} 秒；各表行数已核对一致，结构版本 {result.revision}{replaced}。\n"
        f"之后请用 --db 或 TRACKER_DATABASE_URL 指向这个地址。",
        markup=False,
        highlight=False,
    )
