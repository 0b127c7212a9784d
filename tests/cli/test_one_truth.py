"""One truth: the same selection gives the same figures in every output.

A demo database (accounts in two units, works outside the window, imports and submissions) gets
approved, rejected and pending works; then, for one filter combination per filter and at two
as-of instants (none, and between the collection and the refresh, where every metric differs),
the headline, per-platform and per-city figures are read back from the report's embedded data,
the summary workbook, ``rank ... --format json`` and the dashboard's own data calls, and must be
equal. A plain-SQL count of the works checks the shared answer against the database itself.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tracker.ranking.selection import Selection, parse_as_of

from ..helpers.cut_demo import run_tracker
from ..helpers.demo import demo_copy

REPO_ROOT = Path(__file__).resolve().parents[2]
CUT = "2024-10-01T08:00"  # Beijing: after the demo's collection (09-30 20:00), before its refresh


@dataclass(frozen=True)
class Db:
    root: Path
    db: Path

    def run(self, *args: str) -> str:
        return run_tracker(self.root, ["--db", str(self.db), *args])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Db]:
    # the demo's default size: several accounts listed by two units, works outside the window
    root = demo_copy(tmp_path_factory, "truth", scale=200)
    db = Db(root, root / "out" / "tracker.db")
    with sqlite3.connect(db.db) as conn:
        ids = [
            f"{p}:{i}"
            for p, i in conn.execute(
                "SELECT platform, platform_post_id FROM post_campaign ORDER BY 2 LIMIT 60"
            )
        ]
    db.run("review", "approve", *ids[:40], "--by", "测试")
    db.run("review", "reject", *ids[40:50], "--by", "测试")
    yield db


SHEETS = ("概况", "按城市", "按平台", "按单位")


@functools.cache
def _sheets(path: Path) -> dict[str, tuple[tuple[Any, ...], ...]]:
    """The rows of the compared sheets, read once per workbook: each workbook is written once
    per module and compared by several tests, and opening it is most of the cost of a read."""
    wb = load_workbook(path, read_only=True)
    try:
        return {name: tuple(wb[name].iter_rows(values_only=True)) for name in SHEETS}
    finally:
        wb.close()


def _sheet(path: Path, name: str) -> list[dict[str, Any]]:
    rows = _sheets(path)[name]
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def _xlsx_figures(path: Path) -> dict[str, Any]:
    about = {r["项目"]: r["数值"] for r in _sheet(path, "概况")}
    cities = {
        r["城市"]: (r["作品数"], r["账号数"], r["互动量（原始）"])
        for r in _sheet(path, "按城市")
        if r["作品数"]
    }
    platforms = {
        r["平台"]: (r["作品数"], r["账号数"], r["互动量（原始）"]) for r in _sheet(path, "按平台")
    }
    by_unit = _sheet(path, "按单位")
    units = {
        r["单位"]: (r["计入评分的作品数"], r["计入评分的账号数"])
        for r in by_unit
        if r["计入评分的作品数"]
    }
    # the units with any work of the selection are the 概况's 有作品的单位数
    assert sum(1 for r in by_unit if r["作品数"]) == about["有作品的单位数"]
    return {"about": about, "cities": cities, "platforms": platforms, "units": units}


def _report_figures(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="report-figures">(.*?)</script>', html)
    assert m, "the report embeds its figures"
    return json.loads(m.group(1))


CASES: dict[str, tuple[list[str], dict[str, Any]]] = {
    "all": ([], {}),
    "platform": (["--platform", "weibo"], {"platforms": ("weibo",)}),
    "city": (["--city", "深圳市"], {"cities": ("深圳市",)}),
    "unit-kind": (["--unit-kind", "university"], {"unit_kinds": ("university",)}),
    "published": (["--published-from", "2024-09-10"], {"date_from": "2024-09-10"}),
}


def _export(db: Db, name: str, args: list[str], as_of: str | None, reviewed: bool) -> Path:
    """The summary workbook of one selection, written once per module: the database does not
    change after the fixture, so every test comparing with the same selection reads one file."""
    out = db.root / f"{name}-{as_of or 'now'}-{reviewed}.xlsx"
    if not out.exists():
        extra = ["--as-of", as_of] if as_of else []
        extra += [] if reviewed else ["--include-unreviewed"]
        db.run("export", "summary", "-o", str(out), *args, *extra)
    return out


def _report(db: Db, case: str, args: list[str], as_of: str | None) -> dict[str, Any]:
    """The report's embedded figures for one selection, written once per module (as above)."""
    out = db.root / f"report-{case}-{as_of or 'now'}.html"
    if not out.exists():
        db.run("report", "-o", str(out), *args, *(["--as-of", as_of] if as_of else []))
    return _report_figures(out.read_text(encoding="utf-8"))


def _ranked_works(db: Db, args: list[str], as_of: str | None, reviewed: bool) -> list[dict]:
    extra = ["--as-of", as_of] if as_of else []
    extra += [] if reviewed else ["--include-unreviewed"]
    return json.loads(db.run("rank", "works", "--format", "json", *args, *extra))


def _sql_works(db: Db, sel: Selection, reviewed: bool) -> int:
    """The works of a platform / review status straight from the tables (an oracle that
    shares no code with the read model)."""
    sql = (
        "SELECT count(*) FROM post_campaign pc JOIN post p USING (platform, platform_post_id) "
        "LEFT JOIN review r ON r.platform = p.platform AND r.platform_post_id = p.platform_post_id "
        "WHERE pc.excluded = 0"
    )
    params: list[Any] = []
    if sel.platforms:
        sql += f" AND p.platform IN ({','.join('?' * len(sel.platforms))})"
        params += list(sel.platforms)
    if reviewed:
        sql += " AND r.status = 'approved'"
    if sel.as_of is not None:
        cut = sel.as_of.strftime("%Y-%m-%d %H:%M:%S")
        sql += " AND (p.first_collected_at IS NULL OR p.first_collected_at <= ?)"
        sql += " AND (p.published_at IS NULL OR p.published_at <= ?)"
        params += [cut, cut]
    with sqlite3.connect(db.db) as conn:
        return int(conn.execute(sql, params).fetchone()[0])


@pytest.mark.parametrize("as_of", [None, CUT])
@pytest.mark.parametrize("reviewed", [False, True], ids=["all-works", "approved"])
@pytest.mark.parametrize("case", list(CASES))
def test_workbook_and_ranked_list_agree(
    demo: Db, case: str, reviewed: bool, as_of: str | None
) -> None:
    args, _ = CASES[case]
    xlsx = _xlsx_figures(_export(demo, case, args, as_of, reviewed))
    works = _ranked_works(demo, args, as_of, reviewed)
    about = xlsx["about"]
    assert about["作品数"] == len(works)
    assert about["作品数"] == sum(v[0] for v in xlsx["platforms"].values())
    accounts = {(w["platform"], w["account_uid"]) for w in works}
    assert about["账号数"] == len(accounts)
    if case in ("all", "platform"):
        sel = Selection(
            platforms=CASES[case][1].get("platforms", ()),
            as_of=parse_as_of(as_of) if as_of else None,
        )
        assert about["作品数"] == _sql_works(demo, sel, reviewed)
    if reviewed:
        assert about["审核通过作品数"] == about["作品数"]
        assert about["待审核作品数"] == 0 and about["审核未通过作品数"] == 0


@pytest.mark.parametrize("as_of", [None, CUT])
@pytest.mark.parametrize("case", ["all", "city"])
def test_report_and_workbook_agree(demo: Db, case: str, as_of: str | None) -> None:
    args, _ = CASES[case]
    report = _report(demo, case, args, as_of)
    xlsx = _xlsx_figures(_export(demo, case, args, as_of, reviewed=False))
    head, about = report["headline"], xlsx["about"]
    assert head["works"] == about["作品数"]
    assert head["accounts"] == about["账号数"]
    assert head["interactions"] == about["互动量（原始）合计"]
    assert head["weighted"] == pytest.approx(about["加权互动量 I 合计"])
    assert head["views"] == about["播放/阅读合计（平台公开的）"]
    assert head["units"] == about["有作品的单位数"]
    assert (
        head["approved"] == about["审核通过作品数"]
        and head["rejected"] == about["审核未通过作品数"]
    )
    assert head["out_window"] == about["活动窗口外作品数"]
    cities = {
        r["city"]: (r["works"], r["accounts"], r["interactions"])
        for r in report["by_city"]
        if r["works"]
    }
    assert cities == xlsx["cities"]
    names = {"weibo": "微博", "douyin": "抖音", "kuaishou": "快手", "zhihu": "知乎"}
    for r in report["by_platform"]:
        if r["platform"] in names:
            assert xlsx["platforms"][names[r["platform"]]] == (
                r["works"],
                r["accounts"],
                r["interactions"],
            )


@pytest.mark.parametrize("as_of", [None, CUT])
@pytest.mark.parametrize("case", ["all", "city", "platform"])
def test_units_agree_in_report_workbook_and_ranked_list(
    demo: Db, case: str, as_of: str | None
) -> None:
    """Per-unit figures: the report's unit table (campaign-wide or one city), the summary's
    按单位 and ``rank units --format json`` count the same works for each unit."""
    args, _ = CASES[case]
    cut = ["--as-of", as_of] if as_of else []
    xlsx = _xlsx_figures(_export(demo, case, args, as_of, reviewed=False))["units"]
    ranked = json.loads(
        demo.run("rank", "units", "--format", "json", "--include-unreviewed", *args, *cut)
    )
    listed = {u["unit_name"]: (u["works"], u["active_accounts"]) for u in ranked if u["works"]}
    assert listed == xlsx
    if case != "platform":  # the report has no platform filter
        report = _report(demo, case, args, as_of)
        shown = {
            u["unit_name"]: (u["works"], u["active_accounts"])
            for u in report["by_unit"]
            if case == "all" or u["city"] == "深圳市"
        }
        assert shown == xlsx


def test_the_cut_changes_the_numbers(demo: Db) -> None:
    """Between the collection and the refresh every metric differs: a cut that read the later
    snapshots would pass the agreement tests above and still be wrong."""
    now = _xlsx_figures(_export(demo, "all", [], None, reviewed=False))["about"]
    cut = _xlsx_figures(_export(demo, "all", [], CUT, reviewed=False))["about"]
    assert cut["作品数"] <= now["作品数"]
    assert cut["互动量（原始）合计"] < now["互动量（原始）合计"]


@pytest.mark.parametrize("as_of", [None, CUT])
@pytest.mark.parametrize("case", list(CASES))
def test_dashboard_and_workbook_agree(
    demo: Db, dashboard: Any, case: str, as_of: str | None
) -> None:
    from datetime import date

    args, kw = CASES[case]
    if "date_from" in kw:
        kw = {**kw, "date_from": date.fromisoformat(kw["date_from"])}
    xlsx = _xlsx_figures(_export(demo, case, args, as_of, reviewed=False))
    f = dashboard.filters(None).with_(**kw, as_of=parse_as_of(as_of) if as_of else None)
    head = dashboard.overview(f)["headline"]
    cities = dashboard.cities(f)
    about = xlsx["about"]
    assert head["works"] == about["作品数"]
    assert head["accounts"] == about["账号数"]
    assert head["interactions"] == about["互动量（原始）合计"]
    assert head["units"] == about["有作品的单位数"]
    shown = {r.city: (r.works, r.accounts, r.interactions) for r in cities.itertuples() if r.works}
    assert shown == xlsx["cities"]


@pytest.fixture(scope="module")
def dashboard(demo: Db) -> Iterator[Any]:
    """The dashboard's data source on the demo, one per module as a running dashboard has one
    for every request."""
    pytest.importorskip("dash", reason="the dashboard extra is not installed")
    from dashboards.source import DashboardData
    from tracker.config import load_config
    from tracker.store.engine import make_engine, sqlite_url

    config = load_config(demo.root / "config" / "campaign.toml")
    data = DashboardData(make_engine(sqlite_url(demo.db)), config)
    yield data
    data.engine.dispose()
