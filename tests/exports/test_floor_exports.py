"""A count stored as a floor ("100万+") shows as "≥" in every staff-facing list.

The simulator world is collected as usual; one campaign work then gets its comment count marked
as a floor on the post and on every snapshot (as a Weibo "100万+" would be stored), and each
list is checked: the xlsx cell stays a number with a "≥" number format and a 下限指标 column,
the 说明 sheet explains it, the CSV cell reads "≥…", ``rank works`` shows "≥" in its table and
lists the floored metrics in JSON.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import create_engine, update

from tracker.store.models import MetricSnapshot, Post


def _mark_comments_floor(url: str, platform: str, post_id: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for table in (Post.__table__, MetricSnapshot.__table__):
                conn.execute(
                    update(table)
                    .where(table.c.platform == platform, table.c.platform_post_id == post_id)
                    .values(lower_bounds="comments")
                )
    finally:
        engine.dispose()


def _floored_work(cli: Any, world: Any) -> dict[str, Any]:
    """The best-ranked work with a known comment count, marked as a floor; its ranked row."""
    works = json.loads(cli("rank", "works", "--include-unreviewed", "--format", "json").out)
    work = next(w for w in works if w["comments"] is not None and w["comments"] > 0)
    _mark_comments_floor(world.url, work["platform"], work["platform_post_id"])
    return work


def _export(cli: Any, tmp_path: Path, *args: str, name: str) -> Path:
    out = tmp_path / name
    res = cli("export", "works", "--include-unreviewed", *args, "-o", str(out))
    assert res.code == 0, res.err
    return out


def test_xlsx_keeps_the_number_shows_at_least_and_explains(cli, world, tmp_path) -> None:
    work = _floored_work(cli, world)
    wb = load_workbook(_export(cli, tmp_path, name="w.xlsx"))
    ws = wb["作品"]
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    col = {h: i for i, h in enumerate(header)}
    wid = f"{work['platform']}:{work['platform_post_id']}"
    (row,) = [r for r in rows[1:] if r[col["作品编号"]].value == wid]
    comments = row[col["评论"]]
    assert comments.data_type == "n" and comments.value == work["comments"]  # still a number
    assert comments.number_format == '"≥"#,##0'
    assert row[col["下限指标"]].value == "评论"
    assert row[col["加权互动量 I"]].number_format == '"≥"#,##0.0'
    assert row[col["点赞"]].number_format == "#,##0"  # exact figures keep the plain format
    others = [r for r in rows[1:] if r[col["作品编号"]].value != wid]
    assert all(r[col["下限指标"]].value is None for r in others)
    assert all(r[col["评论"]].number_format != '"≥"#,##0' for r in others)
    about = {r[0].value: r[1].value for r in wb["说明"].iter_rows(min_row=2) if r[0].value}
    assert "≥1,000,000" in about["下限数"] and "下限指标" in about["下限数"]


def test_csv_writes_at_least_in_the_cell(cli, world, tmp_path) -> None:
    work = _floored_work(cli, world)
    text = _export(cli, tmp_path, "--format", "csv", name="w.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    wid = f"{work['platform']}:{work['platform_post_id']}"
    (row,) = [r for r in rows[1:] if r[header.index("作品编号")] == wid]
    assert row[header.index("评论")] == f"≥{work['comments']}"
    assert row[header.index("下限指标")] == "评论"
    assert row[header.index("加权互动量 I")].startswith("≥")
    assert not any(r[header.index("评论")].startswith("≥") for r in rows[1:] if r is not row)


def test_rank_works_table_and_json_say_it_is_a_floor(cli, world) -> None:
    work = _floored_work(cli, world)
    works = json.loads(cli("rank", "works", "--include-unreviewed", "--format", "json").out)
    (mine,) = [w for w in works if w["platform_post_id"] == work["platform_post_id"]]
    assert mine["lower_bound_metrics"] == ["comments"]
    assert mine["latest_lower_bound_metrics"] == ["comments"]
    assert mine["interactions_floor"] is True
    assert all(w["lower_bound_metrics"] == [] for w in works if w is not mine)

    top = str(int(mine["rank"]))
    res = cli("rank", "works", "--include-unreviewed", "--top", top)
    assert res.code == 0, res.err
    assert f"≥{mine['interactions']:,.0f}" in res.out
    assert "平台只显示下限" in res.err

    wid = f"{mine['platform']}:{mine['platform_post_id']}"
    explained = cli("rank", "works", "--include-unreviewed", "--explain", wid).out
    assert "评论数为下限" in explained and f"评论 ≥{mine['comments']:,}" in explained


def test_html_report_work_table_showsat_least(cli, world, tmp_path) -> None:
    work = _floored_work(cli, world)
    out = tmp_path / "report.html"
    res = cli("report", "-o", str(out))
    assert res.code == 0, res.err
    page = out.read_text(encoding="utf-8")
    works = json.loads(cli("rank", "works", "--include-unreviewed", "--format", "json").out)
    (mine,) = [w for w in works if w["platform_post_id"] == work["platform_post_id"]]
    assert mine["rank"] <= 20  # the best work with comments: in the report's top-20 table
    assert f"≥{mine['interactions']:,.1f}" in page
    assert "「≥」表示平台只显示下限" in page


def test_report_cells_mark_floors_only() -> None:
    from dashboards.cells import at_least

    comments = at_least("int", "comments")
    assert comments(1_000_000, {"floor_bits": 4}) == "≥1,000,000"
    assert comments(1_000_000, {"floor_bits": 2}) == "1,000,000"  # likes floored, not comments
    assert comments(None, {"floor_bits": 4}) == "—"
    interactions = at_least("float1")
    assert interactions(2_005_320.0, {"interactions_floor": True}) == "≥2,005,320.0"
    assert interactions(10.0, {"interactions_floor": False}) == "10.0"
