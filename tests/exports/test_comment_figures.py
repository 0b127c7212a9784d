"""Comments where participation is shown: 作品互动 = 转发活动作品 + 评论活动作品 in the summary
workbook, the city report, the printable city pages and the dashboard's city page, and the
comments read in the data sources; with no comment stored, the same outputs show zeros."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from dashboards.city_print import build_city_print
from dashboards.pages import city_view
from dashboards.report_build import build_report
from dashboards.source import DashboardData
from tests.helpers.config import load_test_config
from tests.helpers.database import make_db
from tracker.config import TrackerConfig, UnitRow
from tracker.exports.service import export_list
from tracker.membership.page_store import PageStore
from tracker.ranking.selection import Selection
from tracker.records import AccountRecord, CommentRecord, Metrics, ParsedPage, PostRecord
from tracker.services.rank import rank_service

AT = datetime(2024, 9, 20, tzinfo=UTC)
NOW = datetime(2024, 10, 20, tzinfo=UTC)
TAG = "#千万IP创科普#"
REGISTRY = [
    UnitRow(1, "甲单位", "university", "广州市", "weibo", "2001", None, None),
    UnitRow(2, "乙单位", "society", "广州市", "weibo", "2002", None, None),
    UnitRow(3, "丙单位", "society", "深圳市", "weibo", "2003", None, None),
]
# (reposts, comments, 作品互动) per unit and per city, as stored below
UNITS = {"甲单位": (0, 2, 2), "乙单位": (0, 1, 1), "丙单位": (1, 1, 2)}
CITIES = {"广州市": (0, 3, 3), "深圳市": (1, 1, 2)}


def _comment(cid: str, work: str, uid: str, text: str, **kw: object) -> CommentRecord:
    return CommentRecord(
        "weibo", cid, work, AT, commenter_uid=uid, text=text, published_at=AT, **kw
    )  # type: ignore[arg-type]


def _page() -> ParsedPage:
    posts = [
        PostRecord("weibo", w, AT, account_uid="1001", text=f"{TAG} 科普{w}", content_type="text",
                   published_at=AT, metrics=Metrics(likes=10, comments=5))
        for w in ("w1", "w2")
    ]  # fmt: skip
    posts.append(PostRecord("weibo", "x9", AT, account_uid="9999", text="无话题", published_at=AT))
    posts.append(
        PostRecord("weibo", "rp1", AT, account_uid="2003", text="转发", content_type="repost",
                   repost_of="w1", published_at=AT)
    )  # fmt: skip
    comments = [
        _comment("c1", "w1", "2001", "讲得真清楚"),
        _comment("c2", "w1", "2001", "回复@某某:对", parent_comment_id="c1", root_comment_id="c1"),
        _comment("c3", "x9", "2002", f"{TAG} 带话题评论", hashtags=[TAG]),
        _comment("c4", "w2", "2003", "学到了"),
        _comment("c5", "w1", "9000", "路人评论"),
    ]
    accounts = [
        AccountRecord("weibo", u, name=f"用户{u}") for u in ("1001", "2001", "2002", "2003")
    ]
    return ParsedPage(posts=posts, accounts=accounts, comments=comments)


def _database(tmp_path: Path, *, comments: bool) -> tuple[Engine, TrackerConfig]:
    config = load_test_config(tmp_path)
    engine = make_db(tmp_path, config, REGISTRY)
    page = _page()
    if not comments:
        page.comments = []
    with engine.begin() as conn:
        store = PageStore.for_connection(conn, config.campaigns, source="live", run_id=None)
        store.store(conn, page, seen_at=AT)
    return engine, config


def _rows(path: Path, sheet: str, key: str) -> dict[str, dict[str, object]]:
    values = list(load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    header = list(values[0])
    return {
        str(r[header.index(key)]): dict(zip(header, r, strict=True)) for r in values[1:] if r[0]
    }


def _forms(row: dict[str, object]) -> tuple[object, object, object]:
    return (row["转发活动作品"], row["评论活动作品"], row["参与形式：作品互动"])


def _about(path: Path) -> dict[str, str]:
    rows = load_workbook(path, read_only=True)["说明"].iter_rows(values_only=True)
    return {str(r[0]): str(r[1]) for r in rows if r[0]}


def _cells(fragment: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[dh][^>]*>.*?</t[dh]>", fragment, re.S)]  # fmt: skip


def _unit_rows(page: str, unit: str) -> list[str]:
    """The cells of the table row naming ``unit``."""
    for row in re.findall(r"<tr[^>]*>.*?</tr>", page, re.S):
        cells = _cells(row)
        if cells and cells[0] == unit:
            return cells
    raise AssertionError(f"no row for {unit}")


def _header(page: str, first: str) -> list[str]:
    for row in re.findall(r"<tr[^>]*>.*?</tr>", page, re.S):
        cells = _cells(row)
        if cells and cells[0] == first and "评论活动作品" in cells:
            return cells
    raise AssertionError("no participation header")


@pytest.mark.parametrize("stored", [True, False], ids=["comments", "none"])
def test_summary_workbook_shows_comments_per_unit_and_city(tmp_path: Path, stored: bool) -> None:
    engine, config = _database(tmp_path, comments=stored)
    try:
        ranked = rank_service(engine, config, include_unreviewed=True, now=NOW)
        out = tmp_path / "summary.xlsx"
        export_list(ranked, "summary", Selection(include_unreviewed=True), out, created=NOW)
    finally:
        engine.dispose()
    units = _rows(out, "按单位", "单位")
    cities = _rows(out, "按城市", "城市")
    want_units = UNITS if stored else {u: (f[0], 0, f[0]) for u, f in UNITS.items()}
    want_cities = CITIES if stored else {c: (f[0], 0, f[0]) for c, f in CITIES.items()}
    assert {u: _forms(units[u]) for u in UNITS} == want_units
    assert {c: _forms(cities[c]) for c in CITIES} == want_cities
    about = _about(out)
    n = "5 条，来自 3 个作品" if stored else "0 条，来自 0 个作品"
    assert f"已读取评论 {n}" in about["评论数据"]
    assert "作品互动 = 转发活动作品 + 评论活动作品" in about["参与形式"]
    assert "回复按评论计" in about["参与形式"] and "微博上带活动话题的评论" in about["参与形式"]


@pytest.mark.parametrize("stored", [True, False], ids=["comments", "none"])
def test_city_report_print_and_dashboard_show_comments(tmp_path: Path, stored: bool) -> None:
    engine, config = _database(tmp_path, comments=stored)
    try:
        report = tmp_path / "report.html"
        build_report(engine, config, report, city="广州市", now=NOW)
        printed = tmp_path / "cities.html"
        build_city_print(engine, config, printed, now=NOW, city="广州市")
        data = DashboardData(engine, config)
        cid = data.campaigns()[0].id
        view = city_view(data, Selection(campaign_id=cid, include_unreviewed=True), "广州市")
    finally:
        engine.dispose()
    page = report.read_text(encoding="utf-8")
    n = "5 条，来自 3 个作品" if stored else "0 条，来自 0 个作品"
    assert f"已读取评论 {n}" in html.unescape(page)
    for text in (page, printed.read_text(encoding="utf-8")):
        header = _header(text, "单位")
        for unit in ("甲单位", "乙单位"):
            cells = _unit_rows(text, unit)
            got = tuple(
                cells[header.index(c)] for c in ("转发活动作品", "评论活动作品", "作品互动")
            )
            reposts, comments, interactions = UNITS[unit] if stored else (0, 0, 0)
            assert got == (str(reposts), str(comments), str(interactions)), (unit, got)
    # the dashboard's city page: the same columns, the same figures
    table = _component(view, "city-units")
    head, body = table.children
    header = [th.children for th in head.children.children]
    rows = {tr.children[0].children: [td.children for td in tr.children] for tr in body.children}
    for unit in ("甲单位", "乙单位"):
        got = tuple(
            rows[unit][header.index(c)] for c in ("转发活动作品", "评论活动作品", "作品互动")
        )
        want = UNITS[unit] if stored else (0, 0, 0)
        assert got == tuple(str(v) for v in want), (unit, got)


def _component(root: Any, wanted: str) -> Any:
    """The Dash component with id ``wanted`` under ``root``."""
    if getattr(root, "id", None) == wanted:
        return root
    children = getattr(root, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = _component(child, wanted)
            if found is not None:
                return found
    return None
