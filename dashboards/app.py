"""The web dashboard (Dash 4 + dash-ag-grid), read-only except for review decisions.

``create_app(engine, config, host=..., users=...)`` builds the app; ``tracker dashboard`` runs
it. Everything it serves is local: Dash's own bundles (``serve_locally``), plotly.js from the
installed package, our CSS and the offline-map script from ``assets/``; nothing comes from a
CDN, so it works on an intranet without internet.

Pages: 总览 ``/``, 作品 ``/works``, 创作者 ``/creators``, 单位 ``/units``, 地图 ``/map``,
作品详情 ``/work/<platform>/<id>``, 审核 ``/review``, 运行日志 ``/runs``. The filter bar
(campaign, platform, city, unit kind, publication dates, and the deadline cut 数据截至, which
shows the campaign as it stood at the end of that Beijing day, as ``--as-of`` does) applies to
every page, and the export buttons write the same xlsx as ``tracker export``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import dash
from dash import Input, Output, State, ctx, dcc, html, no_update

from connectors.catalogue import PLATFORMS
from dashboards import pages
from dashboards.auth import current_user, install_login, install_request_guard, require_users
from dashboards.figures import platform_name
from dashboards.filters import Selection
from dashboards.source import DashboardData
from tracker.config import UNIT_KIND_NAMES_ZH, TrackerConfig
from tracker.errors import TrackerError
from tracker.exports.service import export_list
from tracker.store.queries import Engine

__all__ = ["create_app"]

ASSETS = Path(__file__).resolve().parent / "assets"
NAV = (
    ("/", "总览"),
    ("/works", "作品"),
    ("/creators", "创作者"),
    ("/units", "单位"),
    ("/map", "地图"),
    ("/city", "地市报告"),
    ("/unreported", "未报送单位"),
    ("/review", "审核"),
    ("/runs", "运行日志"),
)
FILTERS = [
    Input("f-campaign", "value"),
    Input("f-platform", "value"),
    Input("f-city", "value"),
    Input("f-kind", "value"),
    Input("f-dates", "start_date"),
    Input("f-dates", "end_date"),
    Input("f-asof", "date"),
]
FILTER_STATES = [State(i.component_id, i.component_property) for i in FILTERS]
REVIEW_GRID = {"type": "work-grid", "page": "review"}


def create_app(
    engine: Engine,
    config: TrackerConfig,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    users: dict[str, str] | None = None,
    secret_key: str | None = None,
    title: str = "千万IP创科普 数据看板",
    allowed_hosts: list[str] | None = None,
) -> dash.Dash:
    """The dashboard app; refuses a non-loopback ``host`` without ``users``.

    Requests must name ``host``/``port`` (or loopback, or one of ``allowed_hosts``, by default
    ``TRACKER_DASHBOARD_HOSTS``) in their ``Host``, and POSTs must come from the dashboard's own
    origin (``dashboards.auth.install_request_guard``).
    """
    users = dict(users or {})
    require_users(host, users)
    data = DashboardData(engine, config)
    app = dash.Dash(
        __name__,
        title=title,
        assets_folder=str(ASSETS),
        serve_locally=True,
        suppress_callback_exceptions=True,
        update_title="加载中…",
    )
    app.server.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    install_request_guard(app.server, host=host, port=port, names=allowed_hosts)
    if users:
        install_login(app.server, users, secret_key=secret_key)
    auth_on = bool(users)
    app.layout = lambda: _layout(data, title, auth_on)
    _register(app, data)
    app.tracker_data = data  # type: ignore[attr-defined]  # for tests and warm-up
    return app


# --- layout -------------------------------------------------------------------------------------


def _layout(data: DashboardData, title: str, auth_on: bool) -> html.Div:
    try:
        campaigns = data.campaigns()
        options = data.options()
    except LookupError as exc:
        return html.Div([html.H1(title), html.P(str(exc))], className="shell")
    present = [p for p in PLATFORMS if p in set(options["platforms"])]
    user = current_user()
    user_bits: list[Any] = [html.Span(f"当前用户：{user}", id="current-user")]
    if auth_on:
        user_bits.append(html.A("退出", href="/logout", className="logout"))
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dcc.Download(id="download"),
            html.Header([html.H1(title), html.Div(user_bits, className="user")], className="top"),
            html.Nav(
                [dcc.Link(label, href=href, className="nav-link") for href, label in NAV],
                className="nav",
            ),
            html.Div(
                [
                    dcc.Dropdown(
                        id="f-campaign",
                        options=[{"label": c.title, "value": c.id} for c in campaigns],
                        value=campaigns[0].id if campaigns else None,
                        clearable=False,
                        className="f-campaign",
                    ),
                    dcc.Dropdown(
                        id="f-platform",
                        options=[{"label": platform_name(p), "value": p} for p in present],
                        multi=True,
                        placeholder="全部平台",
                        className="f-platform",
                    ),
                    dcc.Dropdown(
                        id="f-city",
                        options=[{"label": c, "value": c} for c in options["cities"]],
                        placeholder="全部城市",
                        className="f-city",
                    ),
                    dcc.Dropdown(
                        id="f-kind",
                        options=[
                            {"label": UNIT_KIND_NAMES_ZH.get(k, k), "value": k}
                            for k in options["unit_kinds"]
                        ],
                        placeholder="全部单位类型",
                        className="f-kind",
                    ),
                    dcc.DatePickerRange(
                        id="f-dates",
                        display_format="YYYY-MM-DD",
                        start_date_placeholder_text="发布起始日",
                        end_date_placeholder_text="发布截止日",
                        clearable=True,
                        first_day_of_week=1,
                    ),
                    html.Div(
                        [
                            html.Span("数据截至", className="f-label"),
                            dcc.DatePickerSingle(
                                id="f-asof",
                                display_format="YYYY-MM-DD",
                                placeholder="最新",
                                clearable=True,
                                first_day_of_week=1,
                                # deadlines fall near the campaign's end, not today
                                initial_visible_month=(
                                    campaigns[0].config.window_end.isoformat()
                                    if campaigns
                                    else None
                                ),
                            ),
                        ],
                        className="f-asof",
                    ),
                    html.Div(
                        [
                            html.Button("导出作品 xlsx", id="btn-export-works", className="btn"),
                            html.Button("导出汇总 xlsx", id="btn-export-summary", className="btn"),
                            dcc.Checklist(
                                id="export-unreviewed",
                                options=[{"label": "含未审核作品", "value": "yes"}],
                                value=[],
                                inline=True,
                            ),
                        ],
                        className="exports",
                    ),
                ],
                className="filters",
            ),
            html.Div(id="asof-note", className="asof-note"),
            html.Div(id="export-msg", className="msg"),
            dcc.Loading(html.Div(id="page"), type="circle", delay_show=300),
        ],
        className="shell",
    )


# --- callbacks ------------------------------------------------------------------------------------


def _route(data: DashboardData, path: str, f: Any) -> Any:
    path = unquote(path or "/").rstrip("/") or "/"
    if path == "/":
        return pages.overview_page(data, f)
    if path == "/works":
        return pages.works_page(data, f)
    if path == "/creators":
        return pages.creators_page(data, f)
    if path == "/units":
        return pages.units_page(data, f)
    if path == "/map":
        return pages.map_page(data, f)
    if path == "/city":
        return pages.city_page(data, f)
    if path == "/unreported":
        return pages.unreported_page(data, f)
    if path == "/review":
        return pages.review_page(data, f, current_user())
    if path == "/runs":
        return pages.runs_page(data)
    parts = path.split("/")
    if len(parts) == 4 and parts[1] == "work" and parts[2] in PLATFORMS:
        return pages.work_page(data, f, parts[2], parts[3])
    return pages.not_found_page()


def _register(app: dash.Dash, data: DashboardData) -> None:
    @app.callback(Output("page", "children"), Input("url", "pathname"), *FILTERS)
    def render(path: str, campaign, platforms, city, kind, start, end, as_of):  # type: ignore[no-untyped-def]
        f = data.filters(campaign, platforms, city, kind, start, end, as_of)
        return _route(data, path, f)

    @app.callback(
        Output("asof-note", "children"), Input("f-campaign", "value"), Input("f-asof", "date")
    )
    def asof_note(campaign, as_of):  # type: ignore[no-untyped-def]
        return cut_note(data.filters(campaign, as_of=as_of))

    @app.callback(
        Output("city-view-wrap", "children"),
        Input("city-picker", "value"),
        *[State(i.component_id, i.component_property) for i in FILTERS],
        prevent_initial_call=True,
    )
    def pick_city(chosen, campaign, platforms, city, kind, start, end, as_of):  # type: ignore[no-untyped-def]
        if not chosen:
            return no_update
        f = data.filters(campaign, platforms, city, kind, start, end, as_of)
        return pages.city_view(data, f, chosen)

    @app.callback(
        Output("review-approve", "children"),
        Output("review-reject", "children"),
        Input(REVIEW_GRID, "selectedRows"),
    )
    def review_labels(selected):  # type: ignore[no-untyped-def]
        return pages.review_button_labels(len(selected or []))

    @app.callback(
        Output(REVIEW_GRID, "rowData"),
        Output(REVIEW_GRID, "selectedRows"),
        Output("review-count", "children"),
        Output("review-msg", "children"),
        Input("review-approve", "n_clicks"),
        Input("review-reject", "n_clicks"),
        Input("review-show", "value"),
        State(REVIEW_GRID, "selectedRows"),
        State("review-note", "value"),
        *FILTER_STATES,
        prevent_initial_call=True,
    )
    def review_action(
        _a, _r, show, selected, note, campaign, platforms, city, kind, start, end, as_of
    ):  # type: ignore[no-untyped-def]
        # Acts on the rows ticked at the moment of the click, then clears the ticks: the grid
        # gets new rows, and a selection kept from before would name works no longer shown.
        f = data.filters(campaign, platforms, city, kind, start, end, as_of)
        msg = ""
        if ctx.triggered_id in ("review-approve", "review-reject"):
            status = "approved" if ctx.triggered_id == "review-approve" else "rejected"
            keys = [(r["platform_id"], r["post_id"]) for r in (selected or [])]
            if not keys:
                msg = "未勾选作品，未做任何更改。请先勾选要审核的作品。"
            else:
                msg = _decide(data, keys, status, note)
        rows, total = pages.review_rows(data, f, show or "pending")
        return rows, [], f"共 {total:,} 件", msg

    @app.callback(
        Output("detail-msg", "children"),
        Input("detail-approve", "n_clicks"),
        Input("detail-reject", "n_clicks"),
        State("detail-key", "data"),
        State("detail-note", "value"),
        prevent_initial_call=True,
    )
    def detail_review(_a, _r, key, note):  # type: ignore[no-untyped-def]
        if not key:
            return no_update
        status = "approved" if ctx.triggered_id == "detail-approve" else "rejected"
        return _decide(data, [(key[0], key[1])], status, note)

    @app.callback(
        Output("download", "data"),
        Output("export-msg", "children"),
        Input("btn-export-works", "n_clicks"),
        Input("btn-export-summary", "n_clicks"),
        State("export-unreviewed", "value"),
        *FILTER_STATES,
        prevent_initial_call=True,
    )
    def export(_w, _s, unreviewed, campaign, platforms, city, kind, start, end, as_of):  # type: ignore[no-untyped-def]
        which = "works" if ctx.triggered_id == "btn-export-works" else "summary"
        # The very selection on screen (publish dates and the deadline cut included), so the
        # file holds what is shown and its 说明 sheet names the cut.
        filters = data.filters(campaign, platforms, city, kind, start, end, as_of).with_(
            include_unreviewed=bool(unreviewed)
        )
        ranked = data.ranked_with_reviews(campaign, filters.as_of)
        name = {"works": "作品", "summary": "汇总"}[which]
        filename = f"{ranked.campaign.name}_{name}.xlsx"
        with tempfile.TemporaryDirectory(prefix="tracker-export-") as tmp:
            path = Path(tmp) / "export.xlsx"
            try:
                result = export_list(ranked, which, filters, path, fmt="xlsx")
            except TrackerError as exc:
                return no_update, f"导出失败：{exc}"
            content = path.read_bytes()
        note = (
            ""
            if filters.include_unreviewed
            else "（仅审核通过的作品，勾选“含未审核作品”可导出全部）"
        )
        return dcc.send_bytes(content, filename), f"已导出 {result.rows:,} 行{note}"


def cut_note(f: Selection) -> str:
    """The line under the filter bar while a deadline cut is set (empty without one), so a
    page read at a cut is never taken for the latest data."""
    if f.as_of is None:
        return ""
    return (
        f"数据截至 {f.as_of_text()}（北京时间）：作品、指标、排名与导出均为截至该时间已采集的数据。"
    )


def _decide(data: DashboardData, keys: list[tuple[str, str]], status: str, note: str | None) -> str:
    user = current_user()
    try:
        summary = data.review(keys, status, user, note)
    except (TrackerError, ValueError) as exc:
        return f"未能记录：{exc}"
    word = "通过" if status == "approved" else "不通过"
    changed = len(summary.written)
    same = len(summary.unchanged)
    tail = f"，{same} 件原已是该结果" if same else ""
    return f"已记录 {changed} 件为“{word}”（审核人 {user}）{tail}"
