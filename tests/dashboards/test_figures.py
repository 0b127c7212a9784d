"""Figure builders on hand-made frames: labels, colours, escaping, values."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from connectors.catalogue import spec
from dashboards import figures
from dashboards.figures import FONT_FAMILY
from dashboards.geodata import load_prefectures

XSS = "<img src=x onerror=alert(1)>"


def daily() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": pd.to_datetime(["2024-09-01", "2024-09-01", "2024-09-02", "2024-09-04"]),
            "platform": ["weibo", "douyin", "weibo", "douyin"],
            "works": [3, 1, 2, 5],
            "interactions": [10, 100, 5, 50],
        }
    )


def test_daily_new_works_is_stacked_per_platform_in_platform_order() -> None:
    fig = figures.daily_new_works(daily())
    assert fig.layout.barmode == "stack"
    assert [t.name for t in fig.data] == ["微博", "抖音"]  # tracker.records.PLATFORMS order
    weibo = fig.data[0]
    assert list(weibo.y) == [3, 2]
    assert weibo.marker.color == spec("weibo").colour
    assert "每日新增作品" in fig.layout.title.text
    assert fig.layout.font.family == FONT_FAMILY and "Microsoft YaHei" in FONT_FAMILY
    assert fig.layout.yaxis.title.text == "作品数（件）"


def test_cumulative_interactions_is_a_running_total_over_all_days() -> None:
    fig = figures.cumulative_interactions(daily())
    weibo = next(t for t in fig.data if t.name == "微博")
    douyin = next(t for t in fig.data if t.name == "抖音")
    # days 09-01, 09-02, 09-04 (shared axis; a platform with nothing that day stays flat)
    assert list(weibo.y) == [10, 15, 15]
    assert list(douyin.y) == [100, 100, 150]
    assert weibo.line.color == spec("weibo").colour


def test_content_types_are_named_in_chinese_and_stacked_by_platform() -> None:
    df = pd.DataFrame(
        {"platform": ["zhihu", "zhihu", "bilibili"], "content_type": ["answer", "article", "video"],
         "works": [4, 1, 7]}
    )  # fmt: skip
    fig = figures.works_by_content_type(df)
    assert set(fig.data[0].y) == {"视频", "回答", "文章"}
    zhihu = next(t for t in fig.data if t.name == "知乎")
    assert dict(zip(zhihu.y, zhihu.x, strict=True)) == {"文章": 1, "回答": 4, "视频": 0}


def test_top_bar_ranks_best_on_top_and_escapes_labels() -> None:
    df = pd.DataFrame(
        {
            "label": ["甲作品", XSS + "乙", "丙作品"],
            "quality_score": [50.0, 90.0, 70.0],
            "platform": ["weibo", "bilibili", "zhihu"],
            "account_name": ["a", "<b>b</b>", "c"],
        }
    )
    fig = figures.top_bar(
        df, label="label", value="quality_score", title="前 20", value_title="质量分",
        hover={"account_name": "账号"},
    )  # fmt: skip
    bar = fig.data[0]
    assert list(bar.x) == [50.0, 70.0, 90.0]  # plotly draws the first bar at the bottom
    assert bar.y[-1] == "1. &lt;img src=x onerror=aler…"  # shortened to 24 characters, escaped
    assert bar.y[0] == "3. 甲作品"
    assert bar.customdata[-1][1] == "&lt;b&gt;b&lt;/b&gt;"
    assert bar.marker.color[-1] == spec("bilibili").colour
    assert not any(XSS in str(v) for v in (bar.y, bar.customdata))
    assert [t.name for t in fig.data[1:]] == ["微博", "知乎", "哔哩哔哩"]  # the legend


def test_top_bar_keeps_only_n() -> None:
    df = pd.DataFrame({"label": [f"w{i}" for i in range(30)], "v": range(30), "platform": "weibo"})
    fig = figures.top_bar(df, label="label", value="v", title="t", value_title="v", n=20)
    assert len(fig.data[0].y) == 20 and fig.data[0].y[-1] == "1. w29"


def test_work_growth_puts_views_on_a_second_axis_and_skips_unexposed_metrics() -> None:
    snaps = pd.DataFrame(
        {
            "captured_at": pd.to_datetime(["2024-09-02T00:00Z", "2024-09-05T00:00Z"]),
            "views": [1000, 5000],
            "likes": [10, 40],
            "comments": [1, 2],
            "shares": [None, None],
            "favorites": [None, None],
        }
    )
    fig = figures.work_growth(snaps)
    names = [t.name for t in fig.data]
    assert names == ["点赞", "评论", "播放/阅读（右轴）"]
    assert fig.data[-1].yaxis == "y2"
    # shown in Beijing time
    assert str(fig.data[0].x[0]).startswith("2024-09-02T08:00") or str(fig.data[0].x[0]).startswith(
        "2024-09-02 08:00"
    )


def test_city_map_covers_all_21_prefectures_with_zero_for_missing_cities() -> None:
    df = pd.DataFrame({"city": ["广州市", "深圳市"], "works": [12, 5], "accounts": [4, 2]})
    fig = figures.city_map(df, load_prefectures())
    (trace,) = fig.data
    assert isinstance(trace, go.Choropleth)
    assert len(trace.locations) == 21 and trace.featureidkey == "id"
    z = dict(zip(trace.locations, trace.z, strict=True))
    assert z["440100"] == 12 and z["440300"] == 5 and z["445300"] == 0
    assert fig.layout.geo.visible is False  # no base map layers, nothing to download
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["作品数", "活跃账号数"]
    accounts = dict(zip(trace.locations, buttons[1].args[0]["z"][0], strict=True))
    assert accounts["440100"] == 4


def test_city_map_embeds_the_boundaries_it_is_given_without_copying_them() -> None:
    # a copy of the 21 boundaries took most of a map request's time; the figure carries the
    # caller's own object, unchanged
    df = pd.DataFrame({"city": ["广州市"], "works": [1], "accounts": [1]})
    geojson = load_prefectures()
    fig = figures.city_map(df, geojson)
    assert fig.data[0].geojson is geojson
    assert geojson == load_prefectures()
    assert fig.to_plotly_json()["data"][0]["geojson"] == geojson


def test_unit_kind_share_uses_chinese_kind_names() -> None:
    df = pd.DataFrame(
        {"unit_kind": ["society", "city_association", "未登记"], "works": [3, 5, 2],
         "interactions": [300, 500, 200]}
    )  # fmt: skip
    fig = figures.unit_kind_share(df)
    pie = fig.data[0]
    assert list(pie.labels) == ["市科协", "学会", "未登记"]
    assert list(pie.values) == [500, 300, 200]
    assert pie.marker.colors[-1] == "#BDBDBD"


def test_risk_scatter_is_log_log_with_flagged_works_highlighted() -> None:
    df = pd.DataFrame(
        {
            "platform": ["weibo", "weibo", "douyin"],
            "likes": [100, 5000, 0],
            "comments": [10, 0, 3],
            "risk_flag": [False, True, False],
            "risk_score": [0.01, 0.93, 0.0],
            "risk_reasons": ["", "点赞/评论比异常偏高", ""],
            "label": ["a", XSS, "c"],
        }
    )
    fig = figures.risk_scatter(df)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    flagged = fig.data[-1]
    assert flagged.name == "待核查" and flagged.marker.color == figures.FLAG_COLOR
    assert list(flagged.x) == [5001] and list(flagged.y) == [1]  # +1 so zeros can be drawn
    assert flagged.customdata[0][0].startswith("&lt;img")
    assert flagged.customdata[0][2] == "5,000"
    assert {t.name for t in fig.data[:-1]} == {"微博", "抖音"}


@pytest.mark.parametrize(
    "builder",
    [
        figures.daily_new_works,
        figures.cumulative_interactions,
        figures.works_by_content_type,
        figures.unit_kind_share,
        figures.risk_scatter,
        figures.work_growth,
    ],
)
def test_empty_data_gives_a_titled_placeholder(builder) -> None:  # type: ignore[no-untyped-def]
    fig = builder(pd.DataFrame())
    assert len(fig.data) == 0
    assert fig.layout.annotations[0].text in ("暂无数据", "暂无快照")


def test_safe_text_escapes_shortens_and_handles_missing() -> None:
    assert figures.safe_text(XSS) == "&lt;img src=x onerror=alert(1)&gt;"
    assert figures.safe_text("a  b\nc") == "a b c"
    assert figures.safe_text("一二三四五", 4) == "一二三…"
    assert figures.safe_text(None) == "" and figures.safe_text(float("nan")) == ""


def test_a_unit_kind_keeps_its_colour_whatever_else_is_shown() -> None:
    full = pd.DataFrame(
        {"unit_kind": ["city_association", "society", "media"], "works": [5, 3, 1],
         "interactions": [500, 300, 100]}
    )  # fmt: skip
    alone = full[full["unit_kind"] != "city_association"]  # 学会 now leads the donut
    colours = [
        dict(zip(fig.data[0].labels, fig.data[0].marker.colors, strict=True))
        for fig in (figures.unit_kind_share(full), figures.unit_kind_share(alone))
    ]
    assert colours[0]["学会"] == colours[1]["学会"] == figures.UNIT_KIND_COLORS["society"]
    assert colours[0]["媒体"] == colours[1]["媒体"] == figures.UNIT_KIND_COLORS["media"]
    assert figures.unit_kind_color(None) == figures.unit_kind_color("未登记") == "#BDBDBD"


def test_every_unit_kind_has_its_own_colour() -> None:
    from tracker.config import UNIT_KIND_NAMES_ZH

    assert set(figures.UNIT_KIND_COLORS) == set(UNIT_KIND_NAMES_ZH)
    colours = list(figures.UNIT_KIND_COLORS.values()) + ["#BDBDBD"]
    assert len(set(colours)) == len(colours)


@pytest.mark.parametrize("works, dtick", [([1, 0, 1], 1), ([3, 2, 40], None)])
def test_count_axes_tick_at_whole_numbers(works: list[int], dtick: int | None) -> None:
    df = pd.DataFrame(
        {"day": pd.to_datetime(["2024-09-01", "2024-09-02", "2024-09-03"]),
         "platform": ["weibo"] * 3, "works": works, "interactions": works}
    )  # fmt: skip
    fig = figures.daily_new_works(df)
    assert fig.layout.yaxis.dtick == dtick and fig.layout.yaxis.rangemode == "tozero"
    types = figures.works_by_content_type(
        pd.DataFrame({"platform": ["weibo"], "content_type": ["video"], "works": [sum(works)]})
    )
    assert types.layout.xaxis.dtick == (1 if sum(works) <= 10 else None)


def test_the_toolbar_config_keeps_charts_on_the_machine_and_speaks_chinese() -> None:
    config = figures.PLOTLY_CONFIG
    assert config["displaylogo"] is False and config["showSendToCloud"] is False
    assert not config["plotlyServerURL"] and config["locale"] == "zh-CN"
    removed = set(config["modeBarButtonsToRemove"])
    assert {"sendDataToCloud", "sendChartToCloud", "editInChartStudio"} <= removed
