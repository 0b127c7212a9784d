"""The report's work table marks works published outside the campaign window."""

from __future__ import annotations

import re

import pandas as pd

from dashboards.report import table_html
from dashboards.report_build import WORK_TABLE


def test_work_table_has_a_window_column_marking_outside_and_admitted_works() -> None:
    rows = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "platform": ["weibo"] * 3,
            "label": ["里面", "外面", "人工"],
            "url": [None] * 3,
            "quality_score": [90.0, 80.0, 70.0],
            "review_status": ["approved"] * 3,
            "in_window": [True, False, False],
            "admitted": [False, False, True],
        }
    )
    page = table_html(rows, WORK_TABLE)
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", page)
    assert "窗口" in headers
    col = headers.index("窗口")
    body = re.findall(r"<tr>(.*?)</tr>", page)[1:]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row)[col] for row in body]
    assert cells == ["", "窗口外", "人工加入"]
