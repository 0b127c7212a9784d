"""The report's charts serialise exactly as plotly's own ``to_html`` would, without its copy."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboards import figures
from dashboards.figures import PLOTLY_CONFIG
from dashboards.geodata import load_prefectures
from dashboards.report import figure_html


def _plotly_html(fig: go.Figure, div_id: str) -> str:
    body = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        config=copy.deepcopy(PLOTLY_CONFIG),
        div_id=div_id,
        default_width="100%",
    )
    return f'<figure class="chart">{body}</figure>'


def _charts() -> list[go.Figure]:
    days = pd.to_datetime(["2024-09-01", "2024-09-02", "2024-09-02"])
    daily = pd.DataFrame(
        {"day": days, "platform": ["weibo", "weibo", "douyin"], "works": [3, 1, 2],
         "interactions": [30, 5, 12]}
    )  # fmt: skip
    top = pd.DataFrame(
        {"label": ["<b>甲</b>", "乙"], "quality_score": [9.5, 3.25], "platform": ["weibo", "bilibili"],
         "account_name": ["号", None], "unit_name": ["单位", "单位"]}
    )  # fmt: skip
    cities = pd.DataFrame({"city": ["广州市"], "works": [4], "accounts": [2]})
    return [
        figures.daily_new_works(daily),
        figures.cumulative_interactions(daily),
        figures.top_works_bar(top),
        figures.city_map(cities, load_prefectures()),
        figures.empty_figure("空"),
        go.Figure(go.Bar(x=np.arange(5), y=np.array([1.5, 2, 3, 4, 5]))),  # typed arrays
    ]


@pytest.mark.parametrize("index", range(6))
def test_figure_html_is_plotly_s_own_and_leaves_the_figure_alone(index: int) -> None:
    fig = _charts()[index]
    before = fig.to_json()
    geojson = fig.data[0].geojson if fig.data and isinstance(fig.data[0], go.Choropleth) else None
    kept = copy.deepcopy(geojson)
    assert figure_html(fig, "fig-x") == _plotly_html(fig, "fig-x")
    assert fig.to_json() == before
    assert geojson == kept
