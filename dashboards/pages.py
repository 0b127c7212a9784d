"""The dashboard's pages as functions: data in, Dash components out (no callbacks here).

Every text from a platform goes into a component as a plain string (React escapes it) or into a
grid cell (dash-ag-grid renders text, never HTML); figures get escaped text via ``figures``.
Grids carry at most ``GRID_ROWS`` rows: a browser table of a million works helps nobody, and the
full lists are one click away as xlsx.
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import pandas as pd
from dash import dcc, html

from dashboards import figures
from dashboards.figures import PLOTLY_CONFIG, platform_name
from dashboards.filters import UNREGISTERED, Selection
from dashboards.geodata import load_prefectures
from dashboards.leaderboards import filter_creators, filter_units, filter_works
from dashboards.source import DashboardData
from tracker.config import UNIT_KIND_NAMES_ZH
from tracker.ranking import explain_work
from tracker.records import REVIEW_STATUS_ZH, RUN_KIND_ZH, RUN_STATUS_ZH
from tracker.services.review import review_queue

__all__ = [
    "GRID_ROWS",
    "creators_page",
    "map_page",
    "not_found_page",
    "overview_page",
    "review_button_labels",
    "review_page",
    "runs_page",
    "units_page",
    "unreported_page",
    "city_page",
    "city_view",
    "work_page",
    "works_page",
]

GRID_ROWS = 1000

GRID_LOCALE_ZH = {
    "page": "页",
    "of": "/",
    "to": "至",
    "more": "更多",
    "next": "下一页",
    "last": "末页",
    "first": "首页",
    "previous": "上一页",
    "loadingOoo": "加载中…",
    "noRowsToShow": "没有数据",
    "filterOoo": "筛选…",
    "equals": "等于",
    "notEqual": "不等于",
    "blank": "为空",
    "notBlank": "不为空",
    "lessThan": "小于",
    "greaterThan": "大于",
    "lessThanOrEqual": "小于等于",
    "greaterThanOrEqual": "大于等于",
    "inRange": "介于",
    "inRangeStart": "从",
    "inRangeEnd": "到",
    "contains": "包含",
    "notContains": "不包含",
    "startsWith": "开头是",
    "endsWith": "结尾是",
    "andCondition": "且",
    "orCondition": "或",
    "applyFilter": "应用",
    "resetFilter": "重置",
    "clearFilter": "清除",
    "cancelFilter": "取消",
    "pageSizeSelectorLabel": "每页行数：",
    "ariaPageSizeSelectorLabel": "每页行数",
    "selectAll": "全选",
    "searchOoo": "搜索…",
    "sortAscending": "升序",
    "sortDescending": "降序",
    "columns": "列",
    "filters": "筛选",
}


# --- small helpers --------------------------------------------------------------------------------


def _graph(fig: Any, gid: str) -> dcc.Graph:
    return dcc.Graph(id=gid, figure=fig, config=PLOTLY_CONFIG, className="chart")


def _card(label: str, value: str, note: str = "") -> html.Div:
    return html.Div(
        [
            html.Div(label, className="label"),
            html.Div(value, className="value"),
            html.Div(note, className="note"),
        ],
        className="card",
    )


def _n(v: Any) -> str:
    return "—" if v is None or pd.isna(v) else f"{int(v):,}"


def _round(v: Any, d: int = 1) -> Any:
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return None
    return round(float(v), d)


def _time(v: Any) -> str | None:
    if v is None or v is pd.NaT or (isinstance(v, float) and pd.isna(v)):
        return None
    ts = pd.Timestamp(v)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return ts.tz_convert("Asia/Shanghai").strftime("%Y-%m-%d %H:%M")


def _kind(v: Any) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return UNREGISTERED
    return UNIT_KIND_NAMES_ZH.get(str(v), str(v))


def _text(v: Any) -> str | None:
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return None
    return str(v)


def grid(
    gid: Any, rows: list[dict], columns: list[dict], *, selectable: bool = False, height: int = 560
) -> dag.AgGrid:
    options: dict[str, Any] = {
        "localeText": GRID_LOCALE_ZH,
        "pagination": True,
        "paginationPageSize": 50,
        "animateRows": False,
        "enableCellTextSelection": True,
        "tooltipShowDelay": 300,
    }
    if selectable:
        options["rowSelection"] = {
            "mode": "multiRow",
            "checkboxes": True,
            "headerCheckbox": True,
            "enableClickSelection": False,
        }
    return dag.AgGrid(
        id=gid,
        rowData=rows,
        columnDefs=columns,
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "minWidth": 70},
        dashGridOptions=options,
        getRowId="params.data.key",
        style={"height": f"{height}px", "width": "100%"},
        className="grid",
    )


def _num(field: str, header: str, width: int = 110) -> dict:
    return {"field": field, "headerName": header, "type": "numericColumn", "width": width,
            "filter": "agNumberColumnFilter"}  # fmt: skip


def _col(field: str, header: str, width: int | None = None, **kw: Any) -> dict:
    d: dict[str, Any] = {"field": field, "headerName": header, **kw}
    if width:
        d["width"] = width
    else:
        d["flex"] = 1
        d["minWidth"] = 180
    return d


# --- overview ---------------------------------------------------------------------------------------


def overview_page(data: DashboardData, f: Selection) -> html.Div:
    ov = data.overview(f)
    h = ov["headline"]
    cards = html.Div(
        [
            _card("作品总数", _n(h["works"])),
            _card("活跃账号", _n(h["accounts"]), "发布过活动作品的账号"),
            _card("覆盖平台", _n(h["platforms"])),
            _card("参与单位", _n(h["units"]), f"覆盖 {h['cities']} / 21 个地市"),
            _card("互动量（原始）", _n(h["interactions"]), "点赞+评论+转发+收藏，未加权"),
            _card("播放/阅读", _n(h["views"]), "仅公开播放量的平台"),
            _card("已审核通过", _n(h["approved"]), f"未通过 {h['rejected']:,} 件"),
            _card("最近采集", _time(h["last_collected_at"]) or "—", "北京时间"),
        ],
        className="cards",
        id="overview-cards",
    )
    return html.Div(
        [
            html.H2("总览"),
            cards,
            html.Div(
                [
                    _graph(figures.daily_new_works(ov["daily"]), "fig-daily"),
                    _graph(figures.cumulative_interactions(ov["daily"]), "fig-cumulative"),
                ],
                className="two",
            ),
            html.Div(
                [
                    _graph(figures.works_by_content_type(ov["types"]), "fig-types"),
                    _graph(figures.unit_kind_share(ov["kinds"]), "fig-unit-kinds"),
                ],
                className="two",
            ),
        ],
        className="page",
        id="page-overview",
    )


# --- leaderboards -----------------------------------------------------------------------------------


def _work_rows(works: pd.DataFrame) -> list[dict]:
    rows = []
    for r in works.to_dict("records"):
        rows.append(
            {
                "key": f"{r['platform']}:{r['platform_post_id']}",
                "platform_id": str(r["platform"]),
                "post_id": str(r["platform_post_id"]),
                "rank": None if pd.isna(r["rank"]) else int(r["rank"]),
                "platform": platform_name(str(r["platform"])),
                "label": r.get("label"),
                "account": _text(r.get("account_name")),
                "unit": _text(r.get("unit_name")),
                "city": _text(r.get("city")),
                "quality": _round(r.get("quality_score")),
                "fair": _round(r.get("fair_score")),
                "size": _round(r.get("size_score")),
                "over": _round(r.get("overperformance"), 2),
                "reach": _round(r.get("reach_score")),
                "interactions": _round(r.get("interactions")),
                "risk": _round(r.get("risk_score"), 2),
                "flag": "是" if bool(r.get("risk_flag")) else "",
                "review": REVIEW_STATUS_ZH.get(
                    str(r.get("review_status")), str(r.get("review_status"))
                ),
                "published": _time(r.get("published_at")),
            }
        )
    return rows


WORK_COLUMNS = [
    _num("rank", "排名", 80),
    _col("platform", "平台", 90),
    _col("label", "作品", None, tooltipField="label", cellRenderer="WorkLink"),
    _col("account", "账号", 130),
    _col("unit", "所属单位", 150),
    _col("city", "城市", 90),
    _num("quality", "质量分", 95),
    _num("fair", "公平分", 95),
    _num("size", "粉丝校正分", 110),
    _num("over", "超常表现(倍)", 120),
    _num("reach", "传播覆盖分", 110),
    _num("interactions", "加权互动量 I", 105),
    _num("risk", "风险分", 90),
    _col("flag", "待核查", 90),
    _col("review", "审核", 90),
    _col("published", "发布时间", 150),
]


def works_page(data: DashboardData, f: Selection) -> html.Div:
    ranked = data.ranked(f.campaign_id, f.as_of)
    works = filter_works(ranked.result.works, f, ranked.frames.account_units)
    shown = data.fresh_statuses(data.labelled(works.head(GRID_ROWS)))
    top = shown.head(20)
    note = f"共 {len(works):,} 件作品符合筛选条件，按质量分排序；表中列出前 {len(shown):,} 件，点击作品标题查看详情与得分说明。"
    return html.Div(
        [
            html.H2("作品排行"),
            html.P(note, className="lead", id="works-note"),
            _graph(
                figures.top_works_bar(top),
                "fig-top-works",
            ),  # fmt: skip
            grid({"type": "work-grid", "page": "works"}, _work_rows(shown), WORK_COLUMNS),
        ],
        className="page",
        id="page-works",
    )


def creators_page(data: DashboardData, f: Selection) -> html.Div:
    ranked = data.ranked(f.campaign_id, f.as_of)
    creators = filter_creators(ranked.result.creators, f)
    shown = creators.head(GRID_ROWS)
    rows = [
        {
            "key": str(r["creator_key"]),
            "rank": None if pd.isna(r["rank"]) else int(r["rank"]),
            "name": _text(r.get("creator_name")) or str(r["creator_key"]),
            "platforms": "、".join(
                platform_name(p) for p in str(r.get("platforms") or "").split(",") if p
            ),
            "unit": _text(r.get("unit_name")),
            "city": _text(r.get("city")),
            "works": int(r["works"]),
            "activity": _round(r.get("activity"), 2),
            "quality_mean": _round(r.get("quality_mean")),
            "quality_shrunk": _round(r.get("quality_shrunk")),
            "score": _round(r.get("creator_score")),
            "bci": _round(r.get("reference_index")),
            "interactions": _round(r.get("interactions_total")),
            "flagged": int(r.get("flagged_works") or 0),
        }
        for r in shown.to_dict("records")
    ]
    columns = [
        _num("rank", "排名", 80),
        _col("name", "创作者", None),
        _col("platforms", "平台", 140),
        _col("unit", "所属单位", 150),
        _col("city", "城市", 90),
        _num("works", "作品数", 90),
        _num("activity", "活跃度", 90),
        _num("quality_mean", "平均质量", 100),
        _num("quality_shrunk", "收缩后质量", 110),
        _num("score", "创作者得分", 110),
        _num("bci", "参考指数(BCI)", 120),
        _num("interactions", "加权互动量 I 合计", 110),
        _num("flagged", "待核查作品", 110),
    ]
    bar_data = shown.head(20).assign(
        platform=shown.head(20)["platforms"].astype("str").str.split(",").str[0]
    )
    return html.Div(
        [
            html.H2("创作者排行"),
            html.P(
                f"共 {len(creators):,} 位创作者；得分 = 活跃度与经验贝叶斯收缩后平均质量的加权和"
                "（同一人在多个平台的账号已合并）。",
                className="lead",
            ),
            _graph(
                figures.top_bar(
                    bar_data,
                    label="creator_name",
                    value="creator_score",
                    title="创作者得分 前 20",
                    value_title="创作者得分",
                    hover={"unit_name": "单位"},
                ),
                "fig-top-creators",
            ),  # fmt: skip
            grid("grid-creators", rows, columns),
        ],
        className="page",
        id="page-creators",
    )


def units_page(data: DashboardData, f: Selection) -> html.Div:
    ranked = data.ranked(f.campaign_id, f.as_of)
    units = filter_units(ranked.result.units, f)
    rows = [
        {
            "key": str(r["unit_id"]),
            "rank": None if pd.isna(r["rank"]) else int(r["rank"]),
            "name": _text(r.get("unit_name")),
            "kind": _kind(r.get("unit_kind")),
            "city": _text(r.get("city")),
            "accounts": int(r["active_accounts"]),
            "works": int(r["works"]),
            "platforms": int(r["platforms"]),
            "reach": _round(r.get("reach")),
            "sov": _round(100 * float(r.get("share_of_voice") or 0), 2),
        }
        for r in units.to_dict("records")
    ]
    columns = [
        _num("rank", "排名", 80),
        _col("name", "单位", None),
        _col("kind", "类型", 110),
        _col("city", "城市", 100),
        _num("accounts", "活跃账号", 100),
        _num("works", "作品数", 90),
        _num("platforms", "覆盖平台", 100),
        _num("reach", "传播力", 100),
        _num("sov", "声量占比(%)", 120),
    ]
    active = units[units["works"] > 0]
    return html.Div(
        [
            html.H2("单位排行"),
            html.P(
                "动员力（活跃账号、作品、覆盖平台）、传播力（作品质量分合计）与声量占比并列展示；"
                "名册中尚无作品的单位也列出（数值为 0）。",
                className="lead",
            ),
            _graph(
                figures.top_bar(
                    active,
                    label="unit_name",
                    value="reach",
                    title="单位传播力 前 20",
                    value_title="传播力（质量分合计）",
                    platform=None,
                    hover={"city": "城市"},
                ),
                "fig-top-units",
            ),  # fmt: skip
            grid("grid-units", rows, columns),
        ],
        className="page",
        id="page-units",
    )


# --- who has not reported --------------------------------------------------------------------------


def scoped_unreported(unreported: pd.DataFrame, f: Selection) -> pd.DataFrame:
    """The list narrowed to the city filter (the city's own units: 省直单位 stay provincial) and
    the unit-kind filter."""
    out = unreported
    if f.cities:
        out = out[out["group"].isin(f.cities).to_numpy()]
    if f.unit_kinds:
        out = out[out["unit_kind"].isin(f.unit_kinds).to_numpy()]
    return out


UNREPORTED_HEADERS = (
    ("unit_name", "单位"),
    ("unit_kind_zh", "类型"),
    ("city", "城市"),
    ("person", "联系人"),
    ("accounts", "登记账号"),
)


def unreported_table(unreported: pd.DataFrame) -> html.Div:
    """One table per group (省直单位 first, then the cities), every cell plain text."""
    if not len(unreported):
        return html.Div(html.P("名册中的单位均已有作品或报送。", className="empty"))
    blocks: list[Any] = []
    for group, rows in unreported.groupby("group", sort=False):
        blocks.append(html.H3(f"{group}（{len(rows)} 个）", className="unreported-group"))
        head = html.Thead(html.Tr([html.Th(t) for _, t in UNREPORTED_HEADERS]))
        body = html.Tbody(
            [
                html.Tr(
                    [html.Td(str(r[k])) for k, _ in UNREPORTED_HEADERS], className="unreported-row"
                )
                for r in rows.to_dict("records")
            ]
        )
        blocks.append(html.Table([head, body], className="plain-table"))
    return html.Div(blocks)


def unreported_page(data: DashboardData, f: Selection) -> html.Div:
    shown = scoped_unreported(data.unreported(f.campaign_id, f.as_of), f)
    registry = data.registered_units()
    if f.cities:
        registry = registry[registry["city"].isin(f.cities).to_numpy()]
        registry = registry[(registry["unit_kind"] != "department").to_numpy()]
    if f.unit_kinds:
        registry = registry[registry["unit_kind"].isin(f.unit_kinds).to_numpy()]
    scope = f"{f.cities[0]}名册" if f.cities else "单位名册"
    return html.Div(
        [
            html.H2("尚未报送的单位"),
            html.P(
                f"{scope}共 {len(registry):,} 个单位，其中 {len(shown):,} 个单位尚无活动作品、也未报送。"
                "省直单位（厅局单位）单列，其余按城市分组；联系人取自单位名册。",
                className="lead",
                id="unreported-lead",
            ),
            unreported_table(shown),
        ],
        className="page",
        id="page-unreported",
    )


# --- one city (the same view as `tracker report --city`) ------------------------------------------


def _plain(df: pd.DataFrame, cols: list[tuple[str, str, str]], tid: str) -> html.Table:
    """A plain table; ``fmt`` "int", "float1" or "text"; missing values as "—"."""

    def cell(v: Any, fmt: str) -> str:
        if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
            return "—"
        if fmt == "int":
            return f"{int(v):,}"
        if fmt == "float1":
            return f"{float(v):,.1f}"
        return str(v)

    head = html.Thead(html.Tr([html.Th(t) for _, t, _ in cols]))
    body = html.Tbody(
        [html.Tr([html.Td(cell(r.get(k), f)) for k, _, f in cols]) for r in df.to_dict("records")]
    )
    return html.Table([head, body], className="plain-table", id=tid)


def city_view(data: DashboardData, f: Selection, city: str) -> html.Div:
    """The city's cards, unit participation, week over week, best and flagged works and the
    units that have not reported, from the same pure functions as the city report."""
    from tracker.membership.cityview import city_units, city_works
    from tracker.membership.weekly import change_text

    fc = f.with_(cities=(city,))
    h = data.overview(fc)["headline"]
    ranked = data.ranked(f.campaign_id, f.as_of)
    part = ranked.participation.units if ranked.participation is not None else None
    view = city_units(ranked.result.units, part, city)
    works = city_works(ranked.result.works, city)
    top = data.labelled(works.sort_values("rank", kind="stable").head(20)) if len(works) else works
    flagged = (
        works[works["risk_flag"].fillna(False).astype(bool).to_numpy()] if len(works) else works
    )
    unreported = scoped_unreported(data.unreported(f.campaign_id, f.as_of), fc)
    weekly = data.weekly(f.campaign_id, f.as_of)
    week_rows: list[Any] = []
    if weekly is not None:
        for frame, label, tid in (
            (weekly.cities[(weekly.cities["group"] == city).to_numpy()], "group", "city-week"),
            (weekly.units[(weekly.units["group"] == city).to_numpy()], "unit_name", "units-week"),
        ):
            frame = frame.copy()
            for m in ("works", "interactions", "participants"):
                frame[f"{m}_delta"] = [
                    change_text(int(c), p)
                    for c, p in zip(frame[f"{m}_change"], frame[f"{m}_pct"], strict=True)
                ]
            who = "参与单位" if label == "group" else "参与账号"
            cols = [(label, "城市" if label == "group" else "单位", "text")]
            for m, name in (("works", "作品"), ("interactions", "互动"), ("participants", who)):
                cols += [
                    (f"{m}_this", f"{name}·近7天", "int"),
                    (f"{m}_prev", f"{name}·前7天", "int"),
                    (f"{m}_delta", f"{name}·变化", "text"),
                ]
            week_rows.append(_plain(frame, cols, tid))
    cards = html.Div(
        [
            _card("作品总数", _n(h["works"])),
            _card("活跃账号", _n(h["accounts"]), "发布过活动作品的账号"),
            _card("参与单位", f"{view.participating:,}", f"名册登记 {view.registered:,} 个"),
            _card("参与率", view.rate_text, "不含省直单位"),
            _card("互动量（原始）", _n(h["interactions"]), "点赞+评论+转发+收藏，未加权"),
            _card("未报送单位", f"{len(unreported):,}", "无作品、无报送"),
        ],
        className="cards",
        id="city-cards",
    )
    work_cols = [
        ("rank", "排名", "int"),
        ("label", "作品", "text"),
        ("account_name", "账号", "text"),
        ("unit_name", "所属单位", "text"),
        ("quality_score", "质量分", "float1"),
        ("risk_score", "风险分", "float1"),
    ]
    unit_cols = [
        ("unit_name", "单位", "text"),
        ("participating_accounts", "参与账号", "int"),
        ("works_published", "发布内容", "int"),
        ("qa_posts", "互动问答", "int"),
        ("interactions", "作品互动", "int"),
        ("reposts", "转发活动作品", "int"),
        ("comments", "评论活动作品", "int"),
        ("works", "计入排名的作品", "int"),
        ("reach", "传播力", "float1"),
    ]
    return html.Div(
        [
            html.H3(f"{city}：核心数据"),
            cards,
            html.H3("各单位参与情况"),
            html.P(
                f"{city}名册登记 {view.registered:,} 个单位（不含省直单位），已参与 "
                f"{view.participating:,} 个，参与率 {view.rate_text}。",
                className="lead",
            ),
            _plain(view.table, unit_cols, "city-units"),
            html.H3("近 7 天与前 7 天对比"),
            html.Div(week_rows or [html.P("尚无采集数据，无法比较。")], id="city-weekly"),
            html.H3("优秀作品（前 20）"),
            _plain(top, work_cols, "city-top"),
            html.H3(f"待核查作品（{len(flagged):,} 件）"),
            _plain(
                data.labelled(flagged.head(20)) if len(flagged) else flagged,
                work_cols,
                "city-flagged",
            ),
            html.H3(f"尚未报送的单位（{len(unreported):,} 个）"),
            unreported_table(unreported),
        ],
        id="city-view",
    )


def city_page(data: DashboardData, f: Selection) -> html.Div:
    cities = [c for c in data.options()["cities"] if c]
    chosen = f.cities[0] if f.cities and f.cities[0] in cities else (cities[0] if cities else None)
    return html.Div(
        [
            html.H2("地市报告"),
            html.P(
                "选择城市查看其单位参与、近两周对比、优秀作品、待核查作品和未报送单位"
                "（与 tracker report --city 相同）。",
                className="lead",
            ),
            dcc.Dropdown(
                id="city-picker",
                options=[{"label": c, "value": c} for c in cities],
                value=chosen,
                clearable=False,
                className="city-picker",
            ),
            html.Div(
                city_view(data, f, chosen) if chosen else html.P("名册中没有城市。"),
                id="city-view-wrap",
            ),
        ],
        className="page",
        id="page-city",
    )


# --- map ------------------------------------------------------------------------------------------


def map_page(data: DashboardData, f: Selection) -> html.Div:
    cities = data.cities(f)
    registered = cities[cities["city"] != UNREGISTERED]
    rows = [
        {
            "key": str(r["city"]),
            "city": str(r["city"]),
            "works": int(r["works"]),
            "accounts": int(r["accounts"]),
            "interactions": int(r["interactions"]),
        }
        for r in cities.to_dict("records")
    ]
    columns = [
        _col("city", "地市", None),
        _num("works", "作品数", 110),
        _num("accounts", "活跃账号", 110),
        _num("interactions", "互动量（原始）", 120),
    ]
    return html.Div(
        [
            html.H2("地市分布"),
            html.P(
                "按账号在单位名册中所属单位的城市统计；“未登记”为名册外账号（不在地图上）。",
                className="lead",
            ),
            _graph(figures.city_map(registered, load_prefectures()), "fig-map"),
            grid("grid-cities", rows, columns, height=420),
        ],
        className="page",
        id="page-map",
    )


# --- work detail ------------------------------------------------------------------------------------


def work_page(data: DashboardData, f: Selection, platform: str, post_id: str) -> html.Div:
    from dashboards.filters import label_of
    from tracker.store.queries.dashboard import work_detail, work_snapshots

    with data.engine.connect() as conn:
        detail = work_detail(conn, platform, post_id)
        snaps = work_snapshots(conn, platform, post_id) if detail else None
    if detail is None:
        return not_found_page(f"没有这件作品：{platform}:{post_id}")
    label = label_of(detail.get("title"), detail.get("text"), post_id, limit=120)
    url = detail.get("url")
    link: Any = (
        html.A(
            "打开原作品页面", href=url, target="_blank", rel="noopener noreferrer", id="work-link"
        )
        if isinstance(url, str) and url.lower().startswith(("http://", "https://"))
        else html.Span("（无原作品链接）")
    )
    ranked = data.ranked(f.campaign_id, f.as_of)
    try:
        lines = explain_work(ranked.result, platform, post_id)
    except KeyError:
        lines = ["这件作品不在当前活动的排名中（可能未匹配活动标签，或已被排除）。"]
        if f.as_of is not None:
            lines = [
                f"这件作品不在数据截至 {f.as_of_text()} 的排名中（可能在截至时间之后才采集或发布）。"
            ]
    status = REVIEW_STATUS_ZH.get(detail.get("review_status") or "pending", "待审核")
    reviewer = detail.get("reviewer")
    facts = [
        ("平台", platform_name(platform)),
        ("作品ID", post_id),
        ("账号", detail.get("account_name") or detail.get("account_uid") or "—"),
        ("发布时间", _time(detail.get("published_at")) or "—"),
        ("内容类型", figures.CONTENT_TYPE_NAMES_ZH.get(detail.get("content_type") or "", detail.get("content_type") or "—")),
        ("最近采集", _time(detail.get("last_collected_at")) or "—"),
        ("来源", detail.get("source") or "—"),
        ("审核状态", status + (f"（{reviewer}）" if reviewer else "")),
    ]  # fmt: skip
    body = detail.get("text")
    return html.Div(
        [
            dcc.Store(id="detail-key", data=[platform, post_id]),
            html.H2(label, id="work-title"),
            html.Div(link, className="lead"),
            html.Dl(
                [item for k, v in facts for item in (html.Dt(k), html.Dd(str(v)))],
                className="facts",
            ),
            html.Details(
                [html.Summary("作品正文"), html.P(str(body)[:2000], className="body-text")]
            )
            if isinstance(body, str) and body
            else None,
            _graph(
                figures.work_growth(snaps if snaps is not None else pd.DataFrame()), "fig-growth"
            ),
            html.H3("得分说明"),
            html.Div([html.P(line) for line in lines[1:]], className="explain", id="work-explain")
            if len(lines) > 1
            else html.P(lines[0]),
            html.H3("审核"),
            _decision_bar("detail"),
        ],  # fmt: skip
        className="page",
        id="page-work",
    )


def review_button_labels(selected: int | None) -> tuple[str, str]:
    """The queue's buttons name how many works a click will change, so a click never surprises:
    "通过（2）" with two ticked, "通过（0）" with none."""
    n = selected or 0
    return f"通过（{n}）", f"不通过（{n}）"


def _decision_bar(prefix: str, labels: tuple[str, str] = ("通过", "不通过")) -> html.Div:
    """Note field and approve/reject buttons; ids ``<prefix>-note|approve|reject|msg`` are what
    the review callbacks listen to (the work page and the queue each have one)."""
    return html.Div(
        [
            dcc.Input(
                id=f"{prefix}-note", placeholder="审核意见（可选）", className="note", maxLength=500
            ),
            html.Button(labels[0], id=f"{prefix}-approve", className="btn approve"),
            html.Button(labels[1], id=f"{prefix}-reject", className="btn reject"),
            html.Span(id=f"{prefix}-msg", className="msg"),
        ],
        className="review-bar",
    )


# --- review queue -------------------------------------------------------------------------------


REVIEW_COLUMNS = [
    _col("platform", "平台", 90),
    _col("label", "作品", None, tooltipField="label", cellRenderer="WorkLink"),
    _col("account", "账号", 130),
    _num("risk", "风险分", 90),
    _col("reasons", "风险原因", 260, tooltipField="reasons"),
    _num("quality", "质量分", 95),
    _col("review", "审核", 90),
    _col("reviewer", "审核人", 110),
    _col("note", "审核意见", 160),
]  # fmt: skip


def review_rows(data: DashboardData, f: Selection, show: str) -> tuple[list[dict], int]:
    """The queue: flagged works first (highest risk first), then by quality score.

    Statuses are read fresh for the candidates (the cached ranking does not see decisions made
    since it was computed), then the view is cut to pending / flagged / everything.
    """
    ranked = data.ranked(f.campaign_id, f.as_of)
    works = filter_works(ranked.result.works, f, ranked.frames.account_units)
    ordered = review_queue(works, status=None)
    candidates = data.fresh_statuses(ordered.head(GRID_ROWS * 5))
    if show == "pending":
        queue = candidates[candidates["review_status"] == "pending"]
    elif show == "flagged":
        queue = candidates[candidates["risk_flag"].fillna(False).astype(bool).to_numpy()]
    else:
        queue = candidates
    shown = data.labelled(queue.head(GRID_ROWS))
    rows = [
        {
            "key": f"{r['platform']}:{r['platform_post_id']}",
            "platform_id": str(r["platform"]),
            "post_id": str(r["platform_post_id"]),
            "platform": platform_name(str(r["platform"])),
            "label": r.get("label"),
            "account": _text(r.get("account_name")),
            "risk": _round(r.get("risk_score"), 2),
            "reasons": _text(r.get("risk_reasons")) or "",
            "quality": _round(r.get("quality_score")),
            "review": REVIEW_STATUS_ZH.get(
                str(r.get("review_status")), str(r.get("review_status"))
            ),
            "reviewer": _text(r.get("reviewer")),
            "note": _text(r.get("review_note")),
        }
        for r in shown.to_dict("records")
    ]
    return rows, len(queue)


def review_page(data: DashboardData, f: Selection, user: str) -> html.Div:
    rows, total = review_rows(data, f, "pending")
    return html.Div(
        [
            html.H2("审核队列"),
            html.P(
                "有风险标记的作品排在最前（风险分从高到低）。勾选作品后填写意见，点击“通过”或“不通过”"
                "（按钮上的数字是将要更改的作品数，每次审核后勾选清空）；点击作品标题查看详情。"
                f"审核结果记录在审核日志中，审核人：{user}。",
                className="lead",
            ),
            html.Div(
                [
                    dcc.RadioItems(
                        id="review-show",
                        options=[
                            {"label": "待审核", "value": "pending"},
                            {"label": "全部有风险标记", "value": "flagged"},
                            {"label": "全部", "value": "all"},
                        ],
                        value="pending",
                        inline=True,
                    ),
                    html.Span(f"共 {total:,} 件", id="review-count", className="muted"),
                ],
                className="review-bar",
            ),
            grid({"type": "work-grid", "page": "review"}, rows, REVIEW_COLUMNS, selectable=True),
            _decision_bar("review", review_button_labels(0)),
        ],
        className="page",
        id="page-review",
    )


# --- run log ------------------------------------------------------------------------------------


def runs_page(data: DashboardData) -> html.Div:
    runs, rejects = data.runs()
    rows = [
        {
            "key": str(r["id"]),
            "id": int(r["id"]),
            "platform": platform_name(str(r["platform"])) if _text(r["platform"]) else "—",
            "kind": RUN_KIND_ZH.get(r["kind"], r["kind"]),
            "job": _text(r.get("job")),
            "started": _time(r["started_at"]),
            "finished": _time(r["finished_at"]),
            "status": RUN_STATUS_ZH.get(r["status"], r["status"]),
            "pages": int(r["pages"] or 0),
            "new": int(r["new"] or 0),
            "updated": int(r["updated"] or 0),
            "rejected": int(r["rejected"] or 0),
            "claimed": None if pd.isna(r["claimed_total"]) else int(r["claimed_total"]),
            "error": _text(r.get("error")) or "",
        }
        for r in runs.to_dict("records")
    ]
    failed = sum(1 for r in rows if r["status"] not in ("成功", "进行中"))
    columns = [
        _num("id", "编号", 80),
        _col("platform", "平台", 100),
        _col("kind", "任务", 100),
        _col("job", "计划任务", 120),
        _col("started", "开始（北京时间）", 160),
        _col("finished", "结束（北京时间）", 160),
        _col("status", "状态", 130),
        _num("pages", "页数", 80),
        _num("new", "新增", 80),
        _num("updated", "更新", 80),
        _num("rejected", "无法解析", 100),
        _num("claimed", "平台声称总数", 120),
        _col("error", "错误信息", None, tooltipField="error"),
    ]
    return html.Div(
        [
            html.H2("运行日志"),
            html.P(
                f"最近 {len(rows)} 次运行，其中未成功 {failed} 次；无法解析的原始条目共 {rejects:,} 条已保存在 reject 表。",
                className="lead",
            ),
            grid("grid-runs", rows, columns),
        ],
        className="page",
        id="page-runs",
    )


def not_found_page(message: str = "页面不存在") -> html.Div:
    return html.Div([html.H2("未找到"), html.P(message)], className="page", id="page-missing")
