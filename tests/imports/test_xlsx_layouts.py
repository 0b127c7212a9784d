"""Submission workbooks as units really lay them out: two-row headers and HYPERLINK cells.

A header split over two rows (互动数据 merged above 点赞 | 评论 | 转发) must give every column
its field, and a column whose header cannot be understood is named in the report instead of
being dropped in silence. A link written as ``=HYPERLINK("https://…","点击查看")`` imports
the same as the URL itself, whether or not Excel cached the display text.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from tests.helpers.database import post
from tracker.config import TrackerConfig
from tracker.errors import ImportFormatError
from tracker.imports.detect import detect_format
from tracker.imports.service import import_paths
from tracker.imports.submissions import FIELDS, find_header

WEIBO = "https://weibo.com/1959830294/4069372986738497"
DOUYIN = "https://www.douyin.com/video/7414000000000000001"
BILI = "https://www.bilibili.com/video/BV117411r7R1"


def _save(wb: Any, path: Path) -> Path:
    wb.save(path)
    return path


def _two_row_workbook(path: Path, *, top: list[Any], sub: list[Any], merges: list[str]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(top)
    ws.append(sub)
    for rng in merges:
        ws.merge_cells(rng)
    ws.append(["广州市科学技术协会", "微博", WEIBO, "5.6万", 1200, 356, 88])
    ws.append(["深圳市科学技术协会", "抖音", DOUYIN, 100000, "3.4万", 1203, 856])
    return _save(wb, path)


def _metrics(engine: Engine, platform: str, post_id: str) -> tuple[Any, ...]:
    row = post(engine, platform, post_id)
    return row["views"], row["likes"], row["comments"], row["shares"]


def test_two_row_header_with_a_merged_group(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    """Row 1: 单位 | 平台 | 作品链接 | 阅读量 | 互动数据 (merged over three cells);
    row 2: blanks, then 点赞 | 评论 | 转发."""
    path = _two_row_workbook(
        tmp_path / "two-row.xlsx",
        top=["单位", "平台", "作品链接", "阅读量", "互动数据", None, None],
        sub=[None, None, None, None, "点赞", "评论", "转发"],
        merges=["E1:G1"],
    )
    report = import_paths(engine, [path], config=config)
    assert report.counts.new == 2 and report.counts.rejected == 0
    assert _metrics(engine, "weibo", "4069372986738497") == (56000, 1200, 356, 88)
    assert _metrics(engine, "douyin", "7414000000000000001") == (100000, 34000, 1203, 856)
    assert not [n for n in report.notes if "没有这些列" in n and "点赞" in n]


def test_two_row_header_whose_second_row_names_more_fields(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    """The sub-header row alone names more fields than the top row: still one header."""
    path = _two_row_workbook(
        tmp_path / "two-row-wide.xlsx",
        top=["单位", "作品信息", None, "互动数据", None, None, None],
        sub=[None, "平台", "作品链接", "阅读量", "点赞", "评论", "转发"],
        merges=["B1:C1", "D1:G1"],
    )
    assert detect_format(path).format == "submission"
    report = import_paths(engine, [path], config=config)
    assert report.counts.new == 2 and report.counts.rejected == 0
    assert _metrics(engine, "weibo", "4069372986738497") == (56000, 1200, 356, 88)
    weibo = post(engine, "weibo", "4069372986738497")
    assert weibo["context"]["reported_by_unit"] == "广州市科学技术协会"


def test_vertically_merged_header_cells(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    path = _two_row_workbook(
        tmp_path / "merged-down.xlsx",
        top=["单位", "平台", "作品链接", "阅读量", "互动数据", None, None],
        sub=[None, None, None, None, "点赞", "评论", "转发"],
        merges=["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:G1"],
    )
    report = import_paths(engine, [path], config=config)
    assert report.counts.new == 2
    assert _metrics(engine, "douyin", "7414000000000000001") == (100000, 34000, 1203, 856)


def test_two_row_header_in_a_csv(tmp_path: Path, engine: Engine, config: TrackerConfig) -> None:
    """The same layout saved as CSV (no merged cells, the group label in its first column)."""
    path = tmp_path / "two-row.csv"
    path.write_text(
        "单位,平台,作品链接,阅读量,互动数据,,\n"
        ",,,,点赞,评论,转发\n"
        f"广州市科学技术协会,微博,{WEIBO},5.6万,1200,356,88\n",
        encoding="gbk",
    )
    report = import_paths(engine, [path], config=config)
    assert report.counts.new == 1 and report.counts.rejected == 0
    assert _metrics(engine, "weibo", "4069372986738497") == (56000, 1200, 356, 88)


def test_unrecognised_header_columns_are_named(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    """A group label without sub-headers: its figures cannot be placed, and the report says so."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "单位", "平台", "作品链接", "阅读量", "互动数据", None, "在看数"])
    ws.merge_cells("F1:G1")
    ws.append([1, "广州市科学技术协会", "微博", WEIBO, "5.6万", 1200, 356, 7])
    path = _save(wb, tmp_path / "odd.xlsx")
    report = import_paths(engine, [path], config=config)
    assert report.counts.new == 1
    (note,) = [n for n in report.notes if "无法识别" in n and "列" in n]
    assert "互动数据（第 F 列）" in note and "互动数据（第 G 列）" in note
    assert "在看数（第 H 列）" in note and "序号" not in note


def test_unrecognised_columns_in_a_csv_are_named(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(f"单位,作品链接,赞,评\n中山大学,{BILI},5,6\n", encoding="utf-8")
    report = import_paths(engine, [path], config=config)
    assert report.counts.new == 1
    (note,) = [n for n in report.notes if "无法识别" in n and "列" in n]
    assert "赞（第 3 列）" in note and "评（第 4 列）" in note


@settings(max_examples=60, deadline=None)
@given(
    layout=st.lists(
        st.tuples(
            st.sampled_from(sorted(set(FIELDS) - {"url"})),
            st.sampled_from(["alone", "merged-down", "grouped"]),
        ),
        min_size=1,
        max_size=6,
        unique_by=lambda t: t[0],
    ),
    url_place=st.sampled_from(["alone", "merged-down", "grouped"]),
)
def test_any_two_row_header_recovers_every_field(
    layout: list[tuple[str, str]], url_place: str
) -> None:
    """Property: a field named in the top row (blank or merged down below it) or under a group
    label in the second row is found in its own column, and data starts after the second row."""
    layout = [("url", url_place), *layout]
    top: list[Any] = []
    sub: list[Any] = []
    for field, place in layout:
        name = FIELDS[field][0]
        if place == "alone":
            top.append(name)
            sub.append(None)
        elif place == "merged-down":  # how load_sheets shows a vertical merge: both rows
            top.append(name)
            sub.append(name)
        else:
            top.append("互动数据")
            sub.append(name)
    if all(place != "grouped" for _, place in layout):
        sub[0] = "说明"  # a second row that names nothing new is not part of the header
    data = [WEIBO if f == "url" else 12 for f, _ in layout]
    found = find_header([["2024 年作品报送表"], top, sub, data])
    assert found is not None
    index, columns = found
    expected_end = 2 if any(place == "grouped" for _, place in layout) else 1
    assert index == expected_end
    assert columns == {f: [j] for j, (f, _) in enumerate(layout)}


# --- HYPERLINK formulas ---------------------------------------------------------------------------


def _formula_workbook(path: Path, links: list[Any]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["单位", "作品链接", "点赞"])
    for i, link in enumerate(links):
        ws.append(["中山大学", link, 10 + i])
    return _save(wb, path)


def _cache_display_text(path: Path, text: str) -> Path:
    """Give every formula cell the cached string Excel writes (openpyxl writes none)."""
    name = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as zin:
        items = {i: zin.read(i) for i in zin.namelist()}
    xml = items[name].decode()

    def cached(match: re.Match[str]) -> str:
        return f'<c {match[1]} t="str">{match[2]}<v>{text}</v></c>'

    xml = re.sub(r'<c (r="[A-Z]+[0-9]+")>(<f>.*?</f>)<v ?/></c>', cached, xml)
    items[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item, data in items.items():
            zout.writestr(item, data)
    return path


@pytest.mark.parametrize("cached", [False, True], ids=["openpyxl-no-cache", "excel-cached-text"])
def test_hyperlink_formula_reads_its_target(
    tmp_path: Path, engine: Engine, config: TrackerConfig, cached: bool
) -> None:
    path = _formula_workbook(
        tmp_path / "formula.xlsx",
        [
            f'=HYPERLINK("{WEIBO}","点击查看")',
            f'=hyperlink( "{DOUYIN}" )',
            f'=HYPERLINK("{BILI}";"看视频")',
        ],
    )
    if cached:
        _cache_display_text(path, "点击查看")
    report = import_paths(engine, [path], config=config)
    assert report.counts.new == 3 and report.counts.rejected == 0, report.rejects
    assert post(engine, "weibo", "4069372986738497")["likes"] == 10
    assert post(engine, "douyin", "7414000000000000001")["likes"] == 11
    assert post(engine, "bilibili", "BV117411r7R1")["likes"] == 12


def test_hyperlink_to_a_cell_and_a_real_hyperlink(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["单位", "作品链接", "点赞", "备用链接"])
    ws.append(["中山大学", '=HYPERLINK(D2,"打开")', 1, WEIBO])
    ws.append(["中山大学", "点击查看", 2, None])
    ws.cell(3, 2).hyperlink = DOUYIN  # a real cell hyperlink behind display text
    ws.append(["中山大学", '=HYPERLINK("https://"&D4,"拼接")', 3, "example.com/x"])
    path = _save(wb, tmp_path / "links.xlsx")
    report = import_paths(engine, [path], config=config)
    assert report.counts.new == 2 and report.counts.rejected == 1
    assert post(engine, "weibo", "4069372986738497")["likes"] == 1
    assert post(engine, "douyin", "7414000000000000001")["likes"] == 2
    (reject,) = report.rejects
    assert reject.location.endswith(":4") and "HYPERLINK" in reject.payload  # formula kept


def test_formula_cached_values_elsewhere_are_kept(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    """Loading formulas for HYPERLINK must not replace other formulas' cached values."""
    path = _formula_workbook(tmp_path / "sum.xlsx", [f'=HYPERLINK("{WEIBO}","点击查看")'])
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active["C2"] = "=1+1"
    wb.save(path)
    _cache_display_text(path, "2")
    report = import_paths(engine, [path], config=config)
    assert report.counts.new == 1
    assert post(engine, "weibo", "4069372986738497")["likes"] == 2


def test_unknown_group_header_without_link_column_still_errors(tmp_path: Path) -> None:
    path = _two_row_workbook(
        tmp_path / "nolink.xlsx",
        top=["单位", "平台", "地址信息", "阅读量", "互动数据", None, None],
        sub=[None, None, None, None, "点赞", "评论", "转发"],
        merges=["E1:G1"],
    )
    with pytest.raises(ImportFormatError, match="缺少必需的列“作品链接”"):
        detect_format(path)


def test_title_row_and_serial_column_are_not_reported(tmp_path: Path) -> None:
    """A title merged across the sheet above a one-row header is no two-row header, and the
    序号 column holds no work data: the report stays quiet about both."""
    from tests.imports.test_submissions import write_workbook
    from tracker.imports.submissions import _find_header, _unrecognised_note, load_sheets

    (sheet,) = load_sheets(write_workbook(tmp_path / "list.xlsx"), "list")
    header = _find_header([values for _, values in sheet.rows])
    assert header is not None and (header.first, header.last) == (1, 1)
    assert _unrecognised_note("list", sheet, header) is None
