"""``tracker rank``, ``tracker review`` and ``tracker export works|creators|units|summary``.

Thin faces over ``services.rank``, ``services.review`` and ``exports.service``: parse options,
call the service, print. Works are named ``platform:post_id`` everywhere (``weibo:4998877665544332211``),
the form the tables and sheets print, so an id can be copied from a list into a command.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.text import Text

from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.cli.app import app
from tracker.cli.commands_core import export_app
from tracker.cli.context import CliState, state
from tracker.cli.tables import Col, is_unlimited, print_table, stdout_console
from tracker.cli.validate import AS_OF_HELP, as_of_option
from tracker.errors import TrackerError

if TYPE_CHECKING:
    import pandas as pd

    from tracker.exports.sheet import Sheet
    from tracker.ranking.selection import Selection
    from tracker.ranking.slices import RankedCampaign

rank_app = typer.Typer(help="评优排名：作品、创作者、单位", no_args_is_help=True)
review_app = typer.Typer(
    help="人工审核：列出待审作品、通过/不通过、导入审核表", no_args_is_help=True
)
app.add_typer(rank_app, name="rank")
app.add_typer(review_app, name="review")

FORMATS = ("table", "json", "csv")
TABLE_DEFAULT_TOP = 20
JSON_DROP = ("text", "fingerprint")


def _out() -> Console:
    """A console per call, so the width follows the environment of this invocation (unlimited
    when stdout is not a terminal: piped lists are never cut)."""
    return stdout_console()


def _err() -> Console:
    return Console(stderr=True)


# --- shared options ------------------------------------------------------------------------------

TOP_OPT = typer.Option(None, "--top", min=1, help="只列前 N 名（N ≥ 1；表格默认 20）")
PLATFORM_OPT = typer.Option([], "--platform", "-p", help="只看这些平台（平台代号或中文名，可重复）")
CITY_OPT = typer.Option(None, "--city", help="只看此城市的单位账号（如 广州 或 广州市）")
KIND_OPT = typer.Option(
    None, "--unit-kind", help="只看此类单位：city_association/society/... 或 市科协/学会/..."
)
UNREVIEWED_OPT = typer.Option(
    False, "--include-unreviewed", help="包括未审核和未通过的作品（默认只用审核通过的作品）"
)
FORMAT_OPT = typer.Option("table", "--format", help="table、json 或 csv")
CAMPAIGN_OPT = typer.Option(None, "--campaign", help="活动名称（默认配置中的第一个活动）")
AS_OF_OPT = typer.Option(None, "--as-of", help=AS_OF_HELP)
FROM_OPT = typer.Option(
    None, "--published-from", help="只看此日期（含）以后发布的作品，如 2024-09-01"
)
TO_OPT = typer.Option(None, "--published-to", help="只看此日期（含）以前发布的作品，如 2024-09-30")


def _filters(
    st: CliState,
    campaign: str | None,
    top: int | None,
    platform: list[str],
    city: str | None,
    unit_kind: str | None,
    include_unreviewed: bool,
    as_of: str | None = None,
    published_from: str | None = None,
    published_to: str | None = None,
) -> Selection:
    """The one filter object from the command line (see ``tracker.ranking.selection``)."""
    from datetime import date

    from tracker.ranking.selection import Selection
    from tracker.services.rank import normalise_platform, normalise_unit_kind

    zone = st.config.campaign(campaign).timezone

    def day(text: str | None, option: str) -> date | None:
        if not text:
            return None
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise TrackerError(f"{option} 应为日期，如 2024-09-01，收到 {text!r}") from None

    cut = as_of_option(as_of, zone)
    start, end = day(published_from, "--published-from"), day(published_to, "--published-to")
    if start and end and end < start:
        raise TrackerError("--published-to 早于 --published-from")
    return Selection(
        platforms=tuple(dict.fromkeys(normalise_platform(p) for p in platform)),
        cities=(city.strip(),) if city else (),
        unit_kinds=(normalise_unit_kind(unit_kind),) if unit_kind else (),
        date_from=start,
        date_to=end,
        include_unreviewed=include_unreviewed,
        as_of=cut,
        top=top,
        timezone=zone,
    )


def _ranked(
    st: CliState, campaign: str | None, filters: Selection, *, details: bool = True
) -> RankedCampaign:
    from tracker.services.database import open_database
    from tracker.services.rank import rank_service

    config = st.config
    engine = open_database(st.db)
    try:
        return rank_service(
            engine,
            config,
            campaign,
            include_unreviewed=filters.include_unreviewed,
            details=details,
            as_of=filters.as_of,
        )
    finally:
        engine.dispose()


def _with_details(st: CliState, rows: pd.DataFrame) -> pd.DataFrame:
    """Titles and links for just the rows a table shows (the ranking ran without them)."""
    from tracker.services.database import open_database
    from tracker.services.rank import with_details

    engine = open_database(st.db)
    try:
        return with_details(engine, rows)
    finally:
        engine.dispose()


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise TrackerError(f"--format 只能是 table、json 或 csv，收到 {fmt!r}")


# --- output helpers ------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        ts = pd.Timestamp(value)
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        return ts.isoformat()
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value if isinstance(value, (int, str)) else str(value)


FLOOR_JSON = {
    "floor_bits": "lower_bound_metrics",
    "latest_floor_bits": "latest_lower_bound_metrics",
}
"""Bit columns of the ranking -> the metric names a program reads ("100万+" is a floor)."""


def _floor_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its floor bits as lists of metric names (``["comments"]``)."""
    from tracker.ranking.floors import floor_names

    present = [c for c in FLOOR_JSON if c in frame.columns]
    if not present:
        return frame
    out = frame.copy(deep=False)
    for col in present:
        bits = out.pop(col).fillna(0).to_numpy(dtype="int64")
        out[FLOOR_JSON[col]] = [floor_names(b) for b in bits]
    return out


def _print_json(frame: pd.DataFrame) -> None:
    frame = _floor_lists(frame)
    cols = [c for c in frame.columns if c not in JSON_DROP]
    data = [
        {c: _json_value(v) for c, v in zip(cols, row, strict=True)}
        for row in frame[cols].itertuples(index=False, name=None)
    ]
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _fmt(value: Any, digits: int = 1) -> str:
    v = _json_value(value)
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def _cut(value: Any, n: int | None, empty: str = "") -> Text:
    """User-written text for a table cell: one line, cut to ``n`` (``None``: never cut), never
    read as rich markup (a title such as ``[/]`` or ``[bold]`` must print as typed)."""
    v = _json_value(value)
    s = "" if v is None else " ".join(str(v).split())
    return Text(s if n is None or len(s) <= n else s[: n - 1] + "…") if s else Text(empty)


def _cutter(out: Console) -> Callable[..., Text]:
    """``_cut`` for ``out``: text is cut only on a terminal; piped output keeps it whole."""
    if is_unlimited(out):
        return lambda value, _n, empty="": _cut(value, None, empty)
    return _cut


def _shown(frame: pd.DataFrame, top: int | None, fmt: str) -> tuple[pd.DataFrame, int]:
    if fmt == "table" and top is None and len(frame) > TABLE_DEFAULT_TOP:
        return frame.head(TABLE_DEFAULT_TOP), len(frame)
    return frame, len(frame)


def _footer(shown: int, total: int, filters: Selection, empty_hint: str) -> None:
    err = _err()
    if total == 0:
        err.print(empty_hint if not filters.include_unreviewed else "没有符合条件的作品。")
    elif shown < total:
        err.print(
            f"共 {total} 条，显示前 {shown} 条（用 --top N 调整，或 --format csv/json 输出全部）"
        )
    if not filters.include_unreviewed:
        err.print("[dim]仅统计审核通过的作品；加 --include-unreviewed 查看全部[/dim]")


FLOOR_NOTE = (
    "「≥」：该作品有指标平台只显示下限（如「100万+」），加权互动量 I 按下限计、实际不少于此数；"
    "用 --explain 平台:作品ID 查看是哪项指标。"
)
NO_APPROVED = (
    "没有符合条件的审核通过作品。先用 `tracker review list` 查看待审作品、"
    "`tracker review approve 平台:作品ID --by 审核人` 审核，或加 --include-unreviewed。"
)


WINDOW_NOTE = (
    "「窗口外」：活动时间以外发布，照常评分、列出，但不计入创作者与单位得分，也不进入推荐名单；"
    "「人工加入」：窗口外但经 tracker campaign include 人工加入，照常计入。"
)


def _window_marks(works: pd.DataFrame) -> list[str] | None:
    """窗口外 / 人工加入 (blank inside) of each row, or None when every row is inside."""
    from tracker.ranking.window import WINDOW_ZH, window_labels

    labels = window_labels(works)
    if (labels == WINDOW_ZH["inside"]).all():
        return None
    return ["" if v == WINDOW_ZH["inside"] else str(v) for v in labels]


def _print_csv(sheet: Sheet) -> None:
    """A list as CSV on standard output, for programs (plain UTF-8, LF), through the one guarded
    writer: a title like ``=cmd|...`` opened by someone in Excel must stay text."""
    from tracker.exports.csv import write_csv

    write_csv(sys.stdout, sheet, crlf=False)


def _explain(lines: list[str]) -> None:
    out = _out()
    for line in lines:
        out.print(line, markup=False, highlight=False)


# --- tracker rank --------------------------------------------------------------------------------


@rank_app.command("works")
def rank_works_command(
    ctx: typer.Context,
    top: int | None = TOP_OPT,
    platform: list[str] = PLATFORM_OPT,
    city: str | None = CITY_OPT,
    unit_kind: str | None = KIND_OPT,
    include_unreviewed: bool = UNREVIEWED_OPT,
    format: str = FORMAT_OPT,
    campaign: str | None = CAMPAIGN_OPT,
    as_of: str | None = AS_OF_OPT,
    published_from: str | None = FROM_OPT,
    published_to: str | None = TO_OPT,
    explain: str | None = typer.Option(
        None, "--explain", help="逐项说明一件作品的得分如何算出（平台:作品ID）"
    ),
) -> None:
    """作品质量排名（默认只列审核通过的作品）。"""
    from tracker.exports.lists import REVIEW_ZH, works_sheet
    from tracker.ranking import explain_work
    from tracker.ranking.slices import filter_works
    from tracker.services.review import parse_work_id

    _check_format(format)
    st = state(ctx)
    filters = _filters(
        st, campaign, top, platform, city, unit_kind, include_unreviewed,
        as_of, published_from, published_to,
    )  # fmt: skip
    ranked = _ranked(st, campaign, filters, details=format != "table" and not explain)
    if explain:
        p, pid = parse_work_id(explain)
        try:
            _explain(explain_work(ranked.result, p, pid))
        except KeyError as exc:
            raise TrackerError(f"作品 {explain} 不在活动 {ranked.campaign.name} 的排名中") from exc
        return
    works = filter_works(ranked.result.works, filters, ranked.frames.account_units)
    if format == "json":
        _print_json(works)
        return
    if format == "csv":
        _print_csv(
            works_sheet(
                works,
                reviews=ranked.frames.reviews,
                fixed_age_days=ranked.result.settings.fixed_age_days,
            )
        )
        return
    shown, total = _shown(works, top, format)
    shown = _with_details(st, shown)
    out = _out()
    cut = _cutter(out)
    right = {"justify": "right"}
    # Narrow terminal: rank, id, title, score and review state stay; the others go first.
    columns = (
        Col("排名", options=right),
        Col("作品编号"),
        Col("账号", keep=3),
        Col("标题", flex=True),
        Col("城市", keep=4),
        Col("质量分", options=right),
        Col("加权互动量 I", keep=2, options=right),
        Col("风险分", keep=1, options=right),
        Col("审核"),
    )
    rows = []
    floored = False
    for r in shown.itertuples(index=False):
        at_least = bool(getattr(r, "interactions_floor", False))
        floored |= at_least
        rows.append(
            (
                _fmt(r.rank),
                f"{r.platform}:{r.platform_post_id}",
                cut(r.account_name, 16),
                cut(r.title, 24),
                cut(r.city, 8),
                _fmt(r.quality_score),
                ("≥" if at_least else "") + _fmt(r.interactions, 0),
                _fmt(r.risk_score, 2) + (" ⚠" if bool(r.risk_flag) else ""),
                REVIEW_ZH.get(str(r.review_status), str(r.review_status)),
            )
        )
    marks = _window_marks(shown)
    table_columns: tuple[Col, ...] = columns
    table_rows: list[tuple[Any, ...]] = list(rows)
    if marks is not None:  # only when a row shown is outside the window: no empty column
        table_columns = (*columns, Col("窗口"))
        table_rows = [(*row, mark) for row, mark in zip(rows, marks, strict=True)]
    title = f"{ranked.campaign.name} 作品排名（{filters.describe_zh()}）"
    print_table(out, title, table_columns, table_rows, _err())
    if floored:
        _err().print(FLOOR_NOTE, markup=False)
    if marks is not None:
        _err().print(WINDOW_NOTE, markup=False)
    _footer(len(shown), total, filters, NO_APPROVED)


@rank_app.command("creators")
def rank_creators_command(
    ctx: typer.Context,
    top: int | None = TOP_OPT,
    platform: list[str] = PLATFORM_OPT,
    city: str | None = CITY_OPT,
    unit_kind: str | None = KIND_OPT,
    include_unreviewed: bool = UNREVIEWED_OPT,
    format: str = FORMAT_OPT,
    campaign: str | None = CAMPAIGN_OPT,
    as_of: str | None = AS_OF_OPT,
    published_from: str | None = FROM_OPT,
    published_to: str | None = TO_OPT,
    explain: str | None = typer.Option(
        None, "--explain", help="逐项说明一位创作者的得分（创作者编号或 平台:账号ID）"
    ),
) -> None:
    """创作者排名：活跃度 + 收缩后的平均作品质量，跨平台账号合并计算。"""
    from tracker.exports.lists import creators_sheet
    from tracker.ranking import explain_creator
    from tracker.ranking.slices import filter_creators

    _check_format(format)
    st = state(ctx)
    filters = _filters(
        st, campaign, top, platform, city, unit_kind, include_unreviewed,
        as_of, published_from, published_to,
    )  # fmt: skip
    ranked = _ranked(st, campaign, filters, details=False)
    if explain:
        try:
            _explain(explain_creator(ranked.result, explain.strip()))
        except KeyError as exc:
            hint = (
                "" if include_unreviewed else "（只统计审核通过的作品；可加 --include-unreviewed）"
            )
            raise TrackerError(f"创作者 {explain} 不在本次排名中{hint}") from exc
        return
    creators = filter_creators(ranked.result.creators, filters)
    if format == "json":
        _print_json(creators)
        return
    if format == "csv":
        _print_csv(creators_sheet(creators, ranked.result.works))
        return
    shown, total = _shown(creators, top, format)
    out = _out()
    cut = _cutter(out)
    right = {"justify": "right"}
    columns = (
        Col("排名", options=right),
        Col("创作者", flex=True),
        Col("创作者编号"),
        Col("平台", keep=2),
        Col("单位", keep=3),
        Col("作品数", keep=1, options=right),
        Col("收缩后质量", keep=1, options=right),
        Col("创作者得分", options=right),
    )
    rows = [
        (
            _fmt(r.rank),
            cut(r.creator_name, 16),
            Text(str(r.creator_key)),
            "、".join(PLATFORM_NAMES_ZH.get(p, p) for p in str(r.platforms).split(",") if p),
            cut(r.unit_name, 14),
            _fmt(r.works),
            _fmt(r.quality_shrunk),
            _fmt(r.creator_score),
        )
        for r in shown.itertuples(index=False)
    ]
    title = f"{ranked.campaign.name} 创作者排名（{filters.describe_zh()}）"
    print_table(out, title, columns, rows, _err())
    _footer(len(shown), total, filters, NO_APPROVED)


@rank_app.command("units")
def rank_units_command(
    ctx: typer.Context,
    top: int | None = TOP_OPT,
    platform: list[str] = PLATFORM_OPT,
    city: str | None = CITY_OPT,
    unit_kind: str | None = KIND_OPT,
    include_unreviewed: bool = UNREVIEWED_OPT,
    format: str = FORMAT_OPT,
    campaign: str | None = CAMPAIGN_OPT,
    as_of: str | None = AS_OF_OPT,
    published_from: str | None = FROM_OPT,
    published_to: str | None = TO_OPT,
) -> None:
    """单位排名：动员力、传播力、声量占比（排序依据见 campaign.toml 的 ranking.units.rank_by）。"""
    from tracker.exports.lists import units_sheet
    from tracker.ranking.slices import filter_units

    _check_format(format)
    st = state(ctx)
    filters = _filters(
        st, campaign, top, platform, city, unit_kind, include_unreviewed,
        as_of, published_from, published_to,
    )  # fmt: skip
    ranked = _ranked(st, campaign, filters, details=False)
    units = filter_units(ranked, filters)
    if format == "json":
        _print_json(units)
        return
    if format == "csv":
        _print_csv(units_sheet(units))
        return
    shown, total = _shown(units, top, format)
    out = _out()
    cut = _cutter(out)
    right = {"justify": "right"}
    columns = (
        Col("排名", options=right),
        Col("单位", flex=True),
        Col("城市", keep=3),
        Col("活跃账号", keep=2, options=right),
        Col("作品数", keep=1, options=right),
        Col("平台数", keep=2, options=right),
        Col("传播力", options=right),
        Col("声量占比", keep=1, options=right),
    )
    rows = [
        (
            _fmt(r.rank),
            cut(r.unit_name, 20),
            cut(r.city, 8),
            _fmt(r.active_accounts),
            _fmt(r.works),
            _fmt(r.platforms),
            _fmt(r.reach),
            f"{100 * float(r.share_of_voice):.1f}%",
        )
        for r in shown.itertuples(index=False)
    ]
    title = f"{ranked.campaign.name} 单位排名（{filters.describe_zh()}）"
    print_table(out, title, columns, rows, _err())
    _footer(len(shown), total, filters, "没有符合条件的单位。")


# --- tracker review ------------------------------------------------------------------------------


@review_app.command("list")
def review_list_command(
    ctx: typer.Context,
    flagged: bool = typer.Option(False, "--flagged", help="只列出有风险迹象（待核查）的作品"),
    status: str = typer.Option(
        "pending", "--status", help="pending（待审，默认）、approved、rejected 或 all"
    ),
    top: int | None = typer.Option(None, "--top", min=1, help="只列前 N 条（N ≥ 1；表格默认 20）"),
    format: str = FORMAT_OPT,
    campaign: str | None = CAMPAIGN_OPT,
    output: Path | None = typer.Option(
        None,
        "-o",
        "--output",
        help="审核表写入此 csv 文件（UTF-8 带 BOM，Excel 直接打开）；默认标准输出",
    ),
) -> None:
    """审核队列：有风险迹象的作品排在最前（附风险原因），其余按质量分排序。"""
    from tracker.exports.csv import write_csv_file
    from tracker.exports.lists import REVIEW_ZH, works_sheet
    from tracker.services.review import review_queue

    _check_format(format)
    if output is not None and format != "csv":
        raise TrackerError("-o/--output 只用于 --format csv（审核表文件）")
    if status not in ("pending", "approved", "rejected", "all"):
        raise TrackerError(f"--status 只能是 pending、approved、rejected 或 all，收到 {status!r}")
    st = state(ctx)
    from tracker.ranking.selection import Selection

    ranked = _ranked(st, campaign, Selection(include_unreviewed=True), details=format != "table")
    queue = review_queue(
        ranked.result.works, status=None if status == "all" else status, flagged_only=flagged
    )
    if top is not None:
        queue = queue.head(top)
    if format == "json":
        _print_json(queue)
        return
    if format == "csv":
        sheet = works_sheet(
            queue,
            reviews=ranked.frames.reviews,
            fixed_age_days=ranked.result.settings.fixed_age_days,
            for_review=True,
        )
        if output is None:
            _print_csv(sheet)
        else:
            rows = write_csv_file(output, sheet)
            _err().print(
                f"已写出 {rows} 行到 {output}；填好「审核结果」列后运行 "
                f"tracker review import {output} --by 审核人",
                markup=False,
            )
        return
    shown, total = _shown(queue, top, format)
    shown = _with_details(st, shown)
    out = _out()
    cut = _cutter(out)
    columns = (
        Col("作品编号"),
        Col("账号", keep=3),
        Col("标题", flex=True),
        Col("质量分"),
        Col("风险分", keep=1),
        Col("风险原因", keep=2, flex=True),
        Col("审核状态"),
    )
    rows = [
        (
            f"{r.platform}:{r.platform_post_id}",
            cut(r.account_name, 14),
            cut(r.title, 20),
            _fmt(r.quality_score),
            _fmt(r.risk_score, 2) + (" ⚠" if bool(r.risk_flag) else ""),
            cut(r.risk_reasons, 60, "—"),
            REVIEW_ZH.get(str(r.review_status), str(r.review_status)),
        )
        for r in shown.itertuples(index=False)
    ]
    title = f"{ranked.campaign.name} 审核队列（{'仅待核查' if flagged else '风险作品在前'}）"
    err = _err()
    print_table(out, title, columns, rows, err)
    if total == 0:
        err.print("审核队列为空。")
    elif len(shown) < total:
        err.print(f"共 {total} 条，显示前 {len(shown)} 条（用 --top N 调整）")


def _decide(ctx: typer.Context, ids: list[str], status: str, note: str | None, by: str) -> None:
    from tracker.services.database import open_database
    from tracker.services.review import STATUS_ZH, decide

    st = state(ctx)
    engine = open_database(st.db)
    try:
        summary = decide(engine, ids, status, reviewer=by, note=note)
    finally:
        engine.dispose()
    out = _out()
    word = STATUS_ZH[status]
    if summary.written:
        out.print(f"已记录 {len(summary.written)} 条审核结果（{word}），审核人 {by}")
    if summary.unchanged:
        out.print(f"{len(summary.unchanged)} 条与当前审核结果相同，未重复记录")


REVIEWER_OPT = typer.Option(..., "--by", help="审核人姓名（记入审核记录）")
NOTE_OPT = typer.Option(None, "--note", help="审核意见")
IDS_ARG = typer.Argument(..., help="作品编号（平台:作品ID），可给多个")


@review_app.command("approve")
def review_approve_command(
    ctx: typer.Context,
    ids: list[str] = IDS_ARG,
    note: str | None = NOTE_OPT,
    by: str = REVIEWER_OPT,
) -> None:
    """审核通过：作品进入推荐名单。"""
    _decide(ctx, ids, "approved", note, by)


@review_app.command("reject")
def review_reject_command(
    ctx: typer.Context,
    ids: list[str] = IDS_ARG,
    note: str | None = NOTE_OPT,
    by: str = REVIEWER_OPT,
) -> None:
    """审核不通过：作品不进入推荐名单（不会删除，仍可查询）。"""
    _decide(ctx, ids, "rejected", note, by)


@review_app.command("import")
def review_import_command(
    ctx: typer.Context,
    file: str = typer.Argument(..., help="填好「审核结果」列的 xlsx 或 csv"),
    by: str | None = typer.Option(
        None, "--by", help="审核人姓名（文件中有「审核人」列时以该列为准）"
    ),
    note: str | None = typer.Option(None, "--note", help="文件中没写审核意见时使用的意见"),
) -> None:
    """导入审核表：「审核结果」列填 通过/不通过/待定；任何一行有问题则整份不导入并列出行号。"""
    from tracker.services.database import open_database
    from tracker.services.review import STATUS_ZH, import_review_file

    st = state(ctx)
    engine = open_database(st.db)
    try:
        summary, rows = import_review_file(engine, file, reviewer=by, note=note)
    finally:
        engine.dispose()
    out = _out()
    counts: dict[str, int] = {}
    for d in summary.written:
        counts[d.status] = counts.get(d.status, 0) + 1
    detail = "，".join(f"{STATUS_ZH[s]} {n} 条" for s, n in sorted(counts.items())) or "无变化"
    out.print(f"已导入 {file}：{rows} 行有审核结果，写入 {len(summary.written)} 条（{detail}）")
    if summary.unchanged:
        out.print(f"{len(summary.unchanged)} 条与当前审核结果相同，未重复记录")
    if summary.skipped_blank:
        out.print(f"{summary.skipped_blank} 行「审核结果」为空，已跳过")


# --- tracker export works|creators|units|summary ------------------------------------------------


def _export(
    ctx: typer.Context,
    which: str,
    format: str,
    output: str,
    anonymise: bool,
    by: str | None,
    filters: Selection,
    campaign: str | None,
) -> None:
    from tracker.exports.service import LIST_NAMES_ZH, export_list

    if by is not None and by != "city":
        raise TrackerError(f"--by 目前只支持 city，收到 {by!r}")
    ranked = _ranked(state(ctx), campaign, filters)
    result = export_list(
        ranked,
        which,
        filters,
        output,
        fmt=format,
        anonymise=anonymise,
        by_city=by == "city",
    )
    err = _err()
    files = "、".join(str(p) for p in result.paths)
    err.print(
        f"已导出{LIST_NAMES_ZH[which]}名单（{result.rows} 行；工作表 {'、'.join(result.sheets)}）到 {files}"
    )
    if not filters.include_unreviewed and which in ("works", "creators", "units"):
        err.print("[dim]仅含审核通过的作品；加 --include-unreviewed 导出全部（附审核结果列）[/dim]")


EXPORT_FORMAT_OPT = typer.Option("xlsx", "--format", help="xlsx 或 csv（UTF-8 带 BOM）")
OUTPUT_OPT = typer.Option(..., "-o", "--output", help="输出文件")
ANON_OPT = typer.Option(
    False, "--anonymise", "--anonymize", help="公开名单：个人账号名称以散列代替"
)


def _register_export(which: str, doc: str) -> None:
    def command(
        ctx: typer.Context,
        format: str = EXPORT_FORMAT_OPT,
        output: str = OUTPUT_OPT,
        anonymise: bool = ANON_OPT,
        by: str | None = typer.Option(
            None, "--by", help="city：每个城市单独一个工作表（仅 summary）"
        ),
        top: int | None = typer.Option(
            None, "--top", min=1, help="只导出前 N 名（N ≥ 1；不写则全部导出）"
        ),
        platform: list[str] = PLATFORM_OPT,
        city: str | None = CITY_OPT,
        unit_kind: str | None = KIND_OPT,
        include_unreviewed: bool = UNREVIEWED_OPT,
        campaign: str | None = CAMPAIGN_OPT,
        as_of: str | None = AS_OF_OPT,
        published_from: str | None = FROM_OPT,
        published_to: str | None = TO_OPT,
    ) -> None:
        filters = _filters(
            state(ctx), campaign, top, platform, city, unit_kind, include_unreviewed,
            as_of, published_from, published_to,
        )  # fmt: skip
        _export(ctx, which, format, output, anonymise, by, filters, campaign)

    command.__doc__ = doc
    export_app.command(which)(command)


_register_export("works", "导出作品名单（xlsx 首页为「说明」：活动、时间、数据来源、计算方法）。")
_register_export("creators", "导出创作者名单。")
_register_export("units", "导出单位名单。")
_register_export(
    "summary",
    "导出活动汇总：按城市、按单位、按平台的账号数、作品数、互动量与最佳作品；--by city 每市一页。",
)
