"""Figure builders: small DataFrames in, plotly Figures out, the same for the report and the app.

Pure functions (no database, no files except the vendored map read once), so they are tested
on hand-made frames. Conventions every chart follows:

- Chinese labels, and a CJK font stack that matches what office PCs have (微软雅黑 on Windows,
  苹方 on macOS, Noto/文泉驿 on Linux): plotly draws with the viewer's fonts.
- One colour per platform everywhere (the spec's ``colour``), so 微博 is the same red in the trend,
  the leaderboard and the scatter; one colour per unit kind (``UNIT_KIND_COLORS``). A colour
  belongs to its category, never to its rank, so setting a filter does not repaint the charts.
- Legends sit below the plot (where a wrapping legend cannot run into the title at any width),
  and count axes tick at whole numbers only (no "0.2 件").
- ``PLOTLY_CONFIG`` is the one toolbar config for the report and the dashboard: no button that
  sends a chart to a plotly server (the data would leave the office), no logo, Chinese tooltips
  (``dashboards.plotly_locale``).
- Platform text (titles, account and unit names) is HTML-escaped before it reaches plotly:
  plotly renders a subset of HTML in labels, and a title such as ``<img src=x onerror=...>``
  must show as text. Plotly turns the entities back into the characters on screen.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from connectors import catalogue
from connectors.catalogue import PLATFORM_NAMES_ZH, PLATFORMS
from dashboards.plotly_locale import PLOTLY_LOCALE
from tracker.config import UNIT_KIND_NAMES_ZH

__all__ = [
    "CONTENT_TYPE_NAMES_ZH",
    "FONT_FAMILY",
    "PLOTLY_CONFIG",
    "UNIT_KIND_COLORS",
    "city_map",
    "cumulative_interactions",
    "daily_new_works",
    "empty_figure",
    "platform_name",
    "risk_scatter",
    "safe_text",
    "top_bar",
    "top_works_bar",
    "unit_kind_color",
    "unit_kind_share",
    "work_growth",
    "works_by_content_type",
]

FONT_FAMILY = (
    '"Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", '
    '"Source Han Sans SC", "WenQuanYi Micro Hei", SimHei, sans-serif'
)

OTHER_COLOR = "#9E9E9E"
FLAG_COLOR = "#D32F2F"
UNREGISTERED_COLOR = "#BDBDBD"

# One colour per unit kind (the codes of ``tracker.config.UNIT_KIND_NAMES_ZH``), chosen apart
# from one another and from the grey of 未登记.
UNIT_KIND_COLORS: dict[str, str] = {
    "city_association": "#3F6FB5",
    "society": "#F28E2B",
    "university": "#59A14F",
    "department": "#E15759",
    "media": "#76B7B2",
    "enterprise": "#EDC948",
    "school": "#B07AA1",
    "other": "#FF9DA7",
}

CONTENT_TYPE_NAMES_ZH: dict[str, str] = {
    "video": "视频",
    "image": "图文",
    "text": "文字",
    "article": "文章",
    "answer": "回答",
    "repost": "转发",
    "live": "直播",
    "audio": "音频",
    "unknown": "未知",
}
METRIC_NAMES_ZH: dict[str, str] = {
    "views": "播放/阅读",
    "likes": "点赞",
    "comments": "评论",
    "shares": "转发",
    "favorites": "收藏",
    "interactions": "互动",
}
UNREGISTERED = "未登记"

PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "locale": PLOTLY_LOCALE,
    # plotly.js 3 shows a "Share chart..." button unless told not to; the Chart Studio button
    # and its ``showEditInChartStudio`` switch are gone from it (plotly refuses the key), so the
    # button names stay in the removal list so that no plotly.js version shows them.
    "showSendToCloud": False,
    "plotlyServerURL": "",  # plotly.py drops it when sending is off; plotly.js then has its
    # default address, which nothing can reach without the button
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToRemove": [
        "sendDataToCloud",
        "sendChartToCloud",
        "editInChartStudio",
        "lasso2d",
        "select2d",
    ],
}


def safe_text(value: Any, limit: int | None = None) -> str:
    """Platform text made safe for plotly labels (escaped, optionally shortened)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    text = " ".join(str(value).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text, quote=False)


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES_ZH.get(platform, platform)


def _platform_order(values: Iterable[str]) -> list[str]:
    present = set(values)
    known = [p for p in PLATFORMS if p in present]
    return known + sorted(present - set(known))


def _color(platform: str) -> str:
    found = catalogue.get(platform)
    return found.colour if found else OTHER_COLOR


def unit_kind_color(kind: Any) -> str:
    """The kind's own colour; 未登记 (no kind) is grey, an unknown code the neutral grey."""
    if kind is None or kind is pd.NA or (isinstance(kind, float) and np.isnan(kind)):
        return UNREGISTERED_COLOR
    if kind == UNREGISTERED:
        return UNREGISTERED_COLOR
    return UNIT_KIND_COLORS.get(str(kind), OTHER_COLOR)


def _kind_name(kind: Any) -> str:
    if kind is None or kind is pd.NA or (isinstance(kind, float) and np.isnan(kind)):
        return UNREGISTERED
    return UNIT_KIND_NAMES_ZH.get(str(kind), safe_text(kind))


def _count_axis(peak: Any) -> dict[str, Any]:
    """Axis settings for a count (works, interactions): from zero, whole-number ticks only.

    Plotly picks its own tick step, and below about ten it steps by 0.5 or 0.2, which reads as
    "0.2 件". Up to ten the step is fixed at 1; above that plotly's steps are whole anyway.
    """
    out: dict[str, Any] = {"rangemode": "tozero", "exponentformat": "none"}  # 25,000 not 25k
    top = float(peak) if peak is not None and pd.notna(peak) else 0.0
    if top <= 10:
        out.update(tick0=0, dtick=1)
    return out


_GRID: dict[str, Any] = {"gridcolor": "#eee", "zerolinecolor": "#ccc"}


def _shared_layout(title: str) -> dict[str, Any]:
    return {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": FONT_FAMILY, "size": 13, "color": "#222"},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        # below everything, in the figure's own coordinates: plotly grows the bottom margin to
        # fit it, so a legend of ten platforms wraps downwards, away from the title and the axis
        "legend": {
            "orientation": "h",
            "yref": "container",
            "yanchor": "bottom",
            "y": 0.0,
            "x": 0,
            "xanchor": "left",
            "traceorder": "normal",
        },
        "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "separators": ".,",
    }


def _figure(
    data: Iterable[Any],
    title: str,
    *,
    xaxis: Mapping[str, Any] | None = None,
    yaxis: Mapping[str, Any] | None = None,
    **kw: Any,
) -> go.Figure:
    """The chart built in one go, its layout validated once by the constructor.

    Setting the same properties with update calls afterwards went through plotly's relayout
    machinery once per call, several milliseconds each, and a chart took six of them.
    """
    layout = {
        **_shared_layout(title),
        **kw,
        "xaxis": {**(xaxis or {}), **_GRID},
        "yaxis": {**(yaxis or {}), **_GRID},
    }
    return go.Figure(data=list(data), layout=layout)


def _layout(fig: go.Figure, title: str, **kw: Any) -> go.Figure:
    """The shared layout on a built figure, for a chart whose axes are set by selector."""
    fig.update_layout(**_shared_layout(title), **kw)
    fig.update_xaxes(**_GRID)
    fig.update_yaxes(**_GRID)
    return fig


def empty_figure(title: str, message: str = "暂无数据") -> go.Figure:
    """A chart placeholder that says why it is empty instead of drawing blank axes."""
    note = {
        "text": message, "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
        "showarrow": False, "font": {"size": 16, "color": "#888"},
    }  # fmt: skip
    return _figure(
        [],
        title,
        annotations=[note],
        height=320,
        xaxis={"visible": False},
        yaxis={"visible": False},
    )


def daily_new_works(df: pd.DataFrame, title: str = "每日新增作品（按平台）") -> go.Figure:
    """Stacked bars; ``df``: day, platform, works."""
    if df.empty:
        return empty_figure(title)
    bars = []
    for p in _platform_order(df["platform"]):
        part = df[df["platform"] == p].sort_values("day")
        bars.append(
            go.Bar(
                x=part["day"],
                y=part["works"],
                name=platform_name(p),
                marker_color=_color(p),
                hovertemplate="%{x|%Y-%m-%d}<br>" + platform_name(p) + "：%{y:,} 件<extra></extra>",
            )
        )
    return _figure(
        bars,
        title,
        barmode="stack",
        bargap=0.15,
        height=380,
        xaxis={"title": "发布日期（北京时间）", "tickformat": "%m-%d"},
        yaxis={"title": "作品数（件）", **_count_axis(df.groupby("day")["works"].sum().max())},
    )


def cumulative_interactions(
    df: pd.DataFrame, title: str = "累计互动（按平台，点赞+评论+转发+收藏）"
) -> go.Figure:
    """Lines of the running total of interactions by publication day; ``df``: day, platform,
    interactions (of the works published that day, latest counts)."""
    if df.empty:
        return empty_figure(title)
    days = pd.DatetimeIndex(sorted(df["day"].unique()))
    lines = []
    peak = 0.0
    for p in _platform_order(df["platform"]):
        part = df[df["platform"] == p].groupby("day")["interactions"].sum()
        running = part.reindex(days, fill_value=0).cumsum()
        peak = max(peak, float(running.max()))
        lines.append(
            go.Scatter(
                x=running.index,
                y=running.to_numpy(),
                mode="lines",
                name=platform_name(p),
                line={"color": _color(p), "width": 2},
                hovertemplate="%{x|%Y-%m-%d}<br>" + platform_name(p) + "：%{y:,}<extra></extra>",
            )
        )
    return _figure(
        lines,
        title,
        height=380,
        xaxis={"title": "发布日期（北京时间）", "tickformat": "%m-%d"},
        yaxis={"title": "累计互动数", **_count_axis(peak)},
    )


def works_by_content_type(df: pd.DataFrame, title: str = "作品内容类型分布") -> go.Figure:
    """Horizontal stacked bars per content type; ``df``: platform, content_type, works."""
    if df.empty:
        return empty_figure(title)
    d = df.copy()
    d["type_zh"] = d["content_type"].map(lambda t: CONTENT_TYPE_NAMES_ZH.get(t, safe_text(t)))
    order = d.groupby("type_zh")["works"].sum().sort_values().index.tolist()
    bars = []
    for p in _platform_order(d["platform"]):
        part = d[d["platform"] == p].set_index("type_zh")["works"].reindex(order, fill_value=0)
        bars.append(
            go.Bar(
                y=order,
                x=part.to_numpy(),
                orientation="h",
                name=platform_name(p),
                marker_color=_color(p),
                hovertemplate="%{y}<br>" + platform_name(p) + "：%{x:,} 件<extra></extra>",
            )
        )
    peak = d.groupby("type_zh")["works"].sum().max()
    return _figure(
        bars,
        title,
        barmode="stack",
        height=max(300, 60 + 36 * len(order)),
        xaxis={"title": "作品数（件）", **_count_axis(peak)},
    )


def top_works_bar(top: pd.DataFrame) -> go.Figure:
    """The works-by-quality chart: one definition for the dashboard and the report."""
    return top_bar(
        top,
        label="label",
        value="quality_score",
        title="作品质量分 前 20",
        value_title="质量分",
        hover={"account_name": "账号", "unit_name": "单位"},
    )


def top_bar(
    df: pd.DataFrame,
    *,
    label: str,
    value: str,
    title: str,
    value_title: str,
    platform: str | None = "platform",
    hover: Mapping[str, str] | None = None,
    n: int = 20,
) -> go.Figure:
    """Top-``n`` horizontal bars (best on top), coloured by platform when there is one.

    ``label`` is escaped and shortened here; ``hover`` maps extra columns to their Chinese
    names for the hover box (also escaped).
    """
    if df.empty:
        return empty_figure(title)
    d = df.nlargest(n, value) if len(df) > n else df.sort_values(value, ascending=False)
    d = d.iloc[::-1]  # plotly draws the first bar at the bottom
    labels = [
        f"{i}. {safe_text(v, 24)}" for i, v in zip(range(len(d), 0, -1), d[label], strict=True)
    ]
    hover = dict(hover or {})
    custom = np.column_stack(
        [[safe_text(v, 80) for v in d[label]]] + [[safe_text(v, 80) for v in d[c]] for c in hover]
    ) if len(d) else None  # fmt: skip
    extra = "".join(
        f"<br>{name}：%{{customdata[{i + 1}]}}" for i, name in enumerate(hover.values())
    )
    colors = [_color(p) for p in d[platform]] if platform and platform in d.columns else "#3F6FB5"
    traces: list[Any] = [
        go.Bar(
            y=labels,
            x=d[value].to_numpy(dtype="float64"),
            orientation="h",
            marker_color=colors,
            customdata=custom,
            showlegend=False,
            hovertemplate="%{customdata[0]}<br>" + value_title + "：%{x:,.1f}" + extra + "<extra></extra>",
        )
    ]  # fmt: skip
    if platform and platform in d.columns:
        # a legend of the platforms present, drawn with invisible marker-only traces
        for p in _platform_order(d[platform].astype("str")):
            traces.append(
                go.Scatter(
                    x=[None], y=[None], mode="markers", name=platform_name(p),
                    marker={"color": _color(p), "symbol": "square", "size": 10},
                )
            )  # fmt: skip
    return _figure(
        traces,
        title,
        height=max(320, 90 + 24 * len(d)),
        showlegend=bool(platform),
        xaxis={"title": value_title, "rangemode": "tozero"},
        yaxis={"automargin": True, "tickfont": {"size": 12}},
    )


def work_growth(df: pd.DataFrame, title: str = "作品数据增长（历次采集快照）") -> go.Figure:
    """One line per metric the platform exposes; ``df``: captured_at, views, likes, comments,
    shares, favorites. Views go on a second axis (they are orders of magnitude larger)."""
    if df.empty:
        return empty_figure(title, "暂无快照")
    d = df.sort_values("captured_at")
    x = (
        pd.to_datetime(d["captured_at"], utc=True)
        .dt.tz_convert("Asia/Shanghai")
        .dt.tz_localize(None)
    )
    fig = go.Figure()
    counts = [m for m in ("likes", "comments", "shares", "favorites") if m in d.columns]
    peak = d[counts].max().max() if counts else 0
    palette = {
        "likes": "#E6162D",
        "comments": "#0066FF",
        "shares": "#FF7A00",
        "favorites": "#2E7D32",
    }
    for m, color in palette.items():
        if m in d.columns and d[m].notna().any():
            fig.add_trace(
                go.Scatter(
                    x=x, y=d[m], mode="lines+markers", name=METRIC_NAMES_ZH[m],
                    line={"color": color}, connectgaps=False,
                    hovertemplate="%{x|%Y-%m-%d %H:%M}<br>" + METRIC_NAMES_ZH[m] + "：%{y:,}<extra></extra>",
                )
            )  # fmt: skip
    if "views" in d.columns and d["views"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=x, y=d["views"], mode="lines+markers", name="播放/阅读（右轴）",
                line={"color": "#616161", "dash": "dot"}, yaxis="y2",
                hovertemplate="%{x|%Y-%m-%d %H:%M}<br>播放/阅读：%{y:,}<extra></extra>",
            )
        )  # fmt: skip
        fig.update_layout(
            yaxis2={"overlaying": "y", "side": "right", "title": "播放/阅读", "showgrid": False,
                    **_count_axis(d["views"].max())}
        )  # fmt: skip
    fig.update_xaxes(title="采集时间（北京时间）")
    fig.update_yaxes(title="互动量（原始）", selector={"anchor": "x"}, **_count_axis(peak))
    return _layout(fig, title, height=380)


def city_map(
    df: pd.DataFrame,
    geojson: Mapping[str, Any],
    title: str = "各地市作品与活跃账号",
) -> go.Figure:
    """Guangdong prefecture choropleth; ``df``: city, works, accounts.

    One trace (so the boundaries are embedded once); two buttons switch the colour between
    works and active accounts. Cities with nothing are drawn at zero, not left out, so a blank
    city is visibly a city without works. No base map and no tiles: works offline.

    The figure holds ``geojson`` itself, set after the trace is built: a trace passed to
    ``go.Figure`` is deep-copied, which for the 21 boundaries took most of a map request's
    time. Callers hand over their own copy (``load_prefectures`` returns a new one each call).
    """
    features = geojson.get("features", [])
    names = {f["id"]: f["properties"]["name"] for f in features}
    by_name = df.set_index("city") if len(df) else pd.DataFrame(columns=["works", "accounts"])
    ids = list(names)
    works = [int(by_name["works"].get(names[i], 0)) if len(by_name) else 0 for i in ids]
    accounts = [int(by_name["accounts"].get(names[i], 0)) if len(by_name) else 0 for i in ids]
    labels = [names[i] for i in ids]
    choropleth = go.Choropleth(
        featureidkey="id",
        locations=ids,
        z=works,
        text=labels,
        customdata=np.column_stack([works, accounts]) if ids else None,
        colorscale="Blues",
        zmin=0,
        marker_line_color="#ffffff",
        marker_line_width=0.8,
        colorbar={"title": {"text": "作品数"}, "thickness": 14, "tick0": 0,
                  "dtick": _count_axis(max(works, default=0)).get("dtick")},
        hovertemplate="%{text}<br>作品：%{customdata[0]:,} 件<br>活跃账号：%{customdata[1]:,} 个<extra></extra>",
    )  # fmt: skip
    fig = _figure(
        [choropleth],
        title,
        geo={"fitbounds": "locations", "visible": False, "projection": {"type": "mercator"}},
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "x": 0.0,
                "y": 1.0,
                "xanchor": "left",
                "yanchor": "bottom",
                "showactive": True,
                "buttons": [
                    {"label": "作品数", "method": "restyle",
                     "args": [{"z": [works], "colorbar.title.text": "作品数",
                               "colorbar.dtick": _count_axis(max(works, default=0)).get("dtick")}]},
                    {"label": "活跃账号数", "method": "restyle",
                     "args": [{"z": [accounts], "colorbar.title.text": "活跃账号数",
                               "colorbar.dtick": _count_axis(max(accounts, default=0)).get("dtick")}]},
                ],
            }
        ],
        height=520,
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
    )  # fmt: skip
    fig.update_traces(geojson=geojson)
    return fig


def unit_kind_share(df: pd.DataFrame, title: str = "各类单位声量占比（互动数）") -> go.Figure:
    """Donut of interactions by unit kind; ``df``: unit_kind, works, interactions."""
    if df.empty or df["interactions"].sum() <= 0:
        return empty_figure(title)
    d = df.copy()
    d["kind_zh"] = d["unit_kind"].map(_kind_name)
    d["color"] = d["unit_kind"].map(unit_kind_color)
    d = d.groupby("kind_zh", as_index=False).agg(
        works=("works", "sum"), interactions=("interactions", "sum"), color=("color", "first")
    )
    d = d.sort_values(["interactions", "kind_zh"], ascending=[False, True])
    pie = go.Pie(
        labels=d["kind_zh"], values=d["interactions"], hole=0.45, sort=False,
        marker={"colors": d["color"].tolist()}, customdata=d["works"], textinfo="label+percent",
        hovertemplate="%{label}<br>互动：%{value:,}（%{percent}）<br>作品：%{customdata:,} 件<extra></extra>",
    )  # fmt: skip
    return _figure([pie], title, height=380)


def risk_scatter(
    df: pd.DataFrame, title: str = "互动异常检查：点赞与评论（对数坐标，红色为待核查）"
) -> go.Figure:
    """Likes vs comments, log-log (each +1 so zeros show), flagged works in red on top.

    ``df``: platform, likes, comments, risk_flag, risk_score, label (title or id),
    risk_reasons. Pass a bounded sample: every flagged work plus a sample of the rest.
    """
    d = df.dropna(subset=["likes", "comments"]) if len(df) else df
    if d.empty:
        return empty_figure(title)
    flag = d["risk_flag"].fillna(False).astype(bool)
    normal = d[~flag]
    points = []
    for p in _platform_order(normal["platform"].astype("str")):
        part = normal[normal["platform"].astype("str") == p]
        points.append(_scatter(part, platform_name(p), _color(p), opacity=0.45, size=6))
    flagged = d[flag]
    if len(flagged):
        points.append(_scatter(flagged, "待核查", FLAG_COLOR, opacity=0.95, size=11, symbol="x"))
    return _figure(
        points,
        title,
        height=460,
        xaxis={"type": "log", "title": "点赞数 + 1（对数）"},
        yaxis={"type": "log", "title": "评论数 + 1（对数）"},
    )


def _scatter(
    part: pd.DataFrame, name: str, color: str, *, opacity: float, size: int, symbol: str = "circle"
) -> go.Scatter:
    likes = part["likes"].to_numpy(dtype="float64")
    comments = part["comments"].to_numpy(dtype="float64")
    n = len(part)
    risk = part["risk_score"] if "risk_score" in part.columns else pd.Series([np.nan] * n)
    reasons = part["risk_reasons"] if "risk_reasons" in part.columns else pd.Series([""] * n)
    custom = np.column_stack(
        [
            [safe_text(v, 40) for v in part["label"]],
            [platform_name(str(p)) for p in part["platform"]],
            [f"{v:,.0f}" for v in likes],
            [f"{v:,.0f}" for v in comments],
            [f"{float(v):.2f}" if pd.notna(v) else "—" for v in risk],
            [safe_text(v, 80) for v in reasons],
        ]
    )
    return go.Scatter(
        x=likes + 1, y=comments + 1, mode="markers", name=name,
        marker={"color": color, "size": size, "opacity": opacity, "symbol": symbol},
        customdata=custom,
        hovertemplate=(
            "%{customdata[0]}<br>%{customdata[1]}：点赞 %{customdata[2]}，评论 %{customdata[3]}"
            "<br>风险分 %{customdata[4]} %{customdata[5]}<extra></extra>"
        ),
    )  # fmt: skip
