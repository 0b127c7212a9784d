"""The Dash app without a browser: served resources, pages as components, reviews, exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("dash", reason="the dashboard extra is not installed")
pytest.importorskip("dash_ag_grid", reason="the dashboard extra is not installed")

import dash  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import select  # noqa: E402

from dashboards import pages  # noqa: E402
from dashboards.app import ASSETS, create_app  # noqa: E402
from dashboards.auth import hash_password  # noqa: E402
from dashboards.offline import GEO_ASSETS_JS  # noqa: E402
from dashboards.plotly_locale import PLOTLY_LOCALE_JS  # noqa: E402
from dashboards.source import DashboardData  # noqa: E402
from tracker.errors import ConfigError  # noqa: E402
from tracker.exports.service import export_list  # noqa: E402
from tracker.ranking.selection import Selection  # noqa: E402
from tracker.sim.names import XSS_PAYLOAD
from tracker.store.models import Review, ReviewEvent  # noqa: E402

from ..helpers.worlds import SimDB  # noqa: E402


def _find(component, predicate):  # type: ignore[no-untyped-def]
    """Every component in a Dash tree for which ``predicate`` holds."""
    found = []
    stack = [component]
    while stack:
        c = stack.pop()
        if isinstance(c, (list, tuple)):
            stack.extend(reversed(c))  # depth-first, in document order
            continue
        if c is None or isinstance(c, (str, int, float)):
            continue
        if predicate(c):
            found.append(c)
        stack.append(getattr(c, "children", None))
    return found


def _grid(component):  # type: ignore[no-untyped-def]
    (grid,) = _find(component, lambda c: type(c).__name__ == "AgGrid")
    return grid


@pytest.fixture(scope="module")
def data(sim_db: SimDB) -> DashboardData:
    return DashboardData(sim_db.engine, sim_db.config)


def test_index_and_assets_are_served_locally(sim_db: SimDB) -> None:
    app = create_app(sim_db.engine, sim_db.config)
    client = app.server.test_client()
    index = client.get("/")
    assert index.status_code == 200
    page = index.get_data(as_text=True)
    assert "千万IP创科普 数据看板" in page
    srcs = [s for s in __import__("re").findall(r'(?:src|href)="([^"]+)"', page)]
    assert srcs and all(s.startswith("/") for s in srcs), srcs
    assert "/assets/geo-offline.js" in page and "/assets/dashboard.css" in page
    assert "/assets/plotly-locale-zh-cn.js" in page and "/assets/work-links.js" in page
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200
    assert "f-platform" in layout.get_data(as_text=True)


def test_assets_are_local_and_the_geo_stub_is_current() -> None:
    assert (ASSETS / "geo-offline.js").read_text(encoding="utf-8") == GEO_ASSETS_JS
    css = (ASSETS / "dashboard.css").read_text(encoding="utf-8")
    assert "http" not in css and "@import" not in css and "Microsoft YaHei" in css
    assert (ASSETS / "plotly-locale-zh-cn.js").read_text(encoding="utf-8") == PLOTLY_LOCALE_JS
    assert sorted(p.name for p in ASSETS.iterdir()) == [
        "dashboard.css",
        "geo-offline.js",
        "plotly-locale-zh-cn.js",
        "work-links.js",
    ]


def test_non_loopback_without_users_is_refused(sim_db: SimDB) -> None:
    with pytest.raises(ConfigError, match="必须配置登录用户"):
        create_app(sim_db.engine, sim_db.config, host="0.0.0.0")


def test_non_loopback_with_users_requires_sign_in(sim_db: SimDB) -> None:
    users = {"alice": hash_password("pa55word!")}
    app = create_app(sim_db.engine, sim_db.config, host="0.0.0.0", users=users, secret_key="k")
    client = app.server.test_client()
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 302
    assert client.get("/_dash-layout").status_code == 401
    assert client.post("/_dash-update-component", json={}).status_code == 401
    client.post("/login", data={"username": "alice", "password": "pa55word!", "next": "/"})
    assert client.get("/_dash-layout").status_code == 200


def test_overview_page_cards(data: DashboardData, sim_db: SimDB) -> None:
    f = data.filters(None)
    page = pages.overview_page(data, f)
    graphs = _find(page, lambda c: isinstance(c, dash.dcc.Graph))
    assert {g.id for g in graphs} == {"fig-daily", "fig-cumulative", "fig-types", "fig-unit-kinds"}
    with sim_db.engine.connect() as conn:
        works = conn.exec_driver_sql("SELECT count(*) FROM post_campaign").scalar_one()
    values = [c.children for c in _find(page, lambda c: getattr(c, "className", "") == "value")]
    assert values[0] == f"{works:,}"


def test_works_page_is_ranked_and_filtered(data: DashboardData) -> None:
    f = data.filters(None)
    rows = _grid(pages.works_page(data, f)).rowData
    ranks = [r["rank"] for r in rows]
    assert ranks == sorted(ranks) and ranks[0] == 1
    weibo = _grid(pages.works_page(data, f.with_(platforms=("weibo",)))).rowData
    assert weibo and {r["platform"] for r in weibo} == {"微博"} and len(weibo) < len(rows)
    assert any(
        XSS_PAYLOAD in (r["label"] or "") for r in rows
    )  # text, rendered as text by the grid


def test_creators_units_map_runs_pages_render(data: DashboardData) -> None:
    f = data.filters(None)
    creators = _grid(pages.creators_page(data, f)).rowData
    assert creators[0]["rank"] == 1 and creators[0]["score"] >= creators[-1]["score"]
    units = _grid(pages.units_page(data, f)).rowData
    assert {u["kind"] for u in units} >= {"市科协", "学会"}
    city = data.filters(None, city="广州市")
    assert {u["city"] for u in _grid(pages.units_page(data, city)).rowData} == {"广州市"}
    cities = _grid(pages.map_page(data, f)).rowData
    assert "广州市" in {c["city"] for c in cities}
    runs = _grid(pages.runs_page(data)).rowData
    assert len(runs) == 12 and {r["status"] for r in runs} == {"成功"}
    assert {r["kind"] for r in runs} == {"采集"}


def test_work_page_explains_the_score(data: DashboardData) -> None:
    f = data.filters(None)
    top = data.ranked(None).result.works.sort_values("rank").iloc[0]
    page = pages.work_page(data, f, str(top["platform"]), str(top["platform_post_id"]))
    (explain,) = _find(page, lambda c: getattr(c, "id", None) == "work-explain")
    lines = [li.children for li in explain.children]
    assert lines[0].startswith("1. 读数口径") and lines[1].startswith("2. 互动量 I")
    assert "排名：全部作品第 1 名" in lines[-1]
    missing = pages.work_page(data, f, "weibo", "no-such-id")
    assert missing.id == "page-missing"


def test_review_writes_review_and_event_with_the_user(sim_db_copy: SimDB) -> None:
    data = DashboardData(sim_db_copy.engine, sim_db_copy.config)
    f = data.filters(None)
    rows, total = pages.review_rows(data, f, "pending")
    assert total == len(rows) > 0
    first = rows[0]
    assert first["risk"] == max(r["risk"] for r in rows)  # flagged works first
    key = (first["platform_id"], first["post_id"])
    summary = data.review([key], "approved", "alice", "核实无误")
    assert len(summary.written) == 1
    with sim_db_copy.engine.connect() as conn:
        review = conn.execute(select(Review.__table__)).one()
        events = conn.execute(select(ReviewEvent.__table__)).all()
    assert (review.platform, review.platform_post_id, review.status) == (*key, "approved")
    assert review.reviewer == "alice" and review.note == "核实无误"
    assert len(events) == 1 and events[0].reviewer == "alice"
    rows_after, total_after = pages.review_rows(data, f, "pending")
    assert total_after == total - 1 and key not in {
        (r["platform_id"], r["post_id"]) for r in rows_after
    }
    approved = [
        r for r in pages.review_rows(data, f, "all")[0] if (r["platform_id"], r["post_id"]) == key
    ]
    assert approved[0]["review"] == "已通过" and approved[0]["reviewer"] == "alice"


def test_export_is_the_cli_workbook_with_fresh_reviews(sim_db_copy: SimDB, tmp_path: Path) -> None:
    data = DashboardData(sim_db_copy.engine, sim_db_copy.config)
    data.ranked(None)  # cached before the decision below
    top = data.ranked(None).result.works.sort_values("rank").iloc[0]
    data.review([(str(top["platform"]), str(top["platform_post_id"]))], "approved", "bob", None)
    ranked = data.ranked_with_reviews(None)
    out = tmp_path / "works.xlsx"
    result = export_list(ranked, "works", Selection(), out)
    assert result.rows == 1  # approved works only, as `tracker export works` by default
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames[0] == "说明" and "作品" in wb.sheetnames
    wb.close()


def test_dash_layout_json_has_chinese_filters(sim_db: SimDB) -> None:
    app = create_app(sim_db.engine, sim_db.config)
    body = json.loads(app.server.test_client().get("/_dash-layout").get_data(as_text=True))
    text = json.dumps(body, ensure_ascii=False)
    for word in (
        "全部平台",
        "全部城市",
        "全部单位类型",
        "导出作品 xlsx",
        "总览",
        "审核",
        "运行日志",
    ):
        assert word in text
