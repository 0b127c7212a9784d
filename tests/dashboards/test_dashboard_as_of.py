"""The 数据截至 cut in the dashboard's data: the same figures as ``export summary --as-of``.

On the demo (collected 2024-09-30 12:00 UTC, refreshed 2024-10-01 12:00 UTC, one work first
seen at the refresh), picking 2024-09-30 cuts at the end of that Beijing day, between the two:
the headline and the per-city figures must equal the summary workbook exported with
``--as-of 2024-09-30 --include-unreviewed``, and differ from the uncut ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

pytest.importorskip("dash", reason="the dashboard extra is not installed")

from dashboards.source import DashboardData  # noqa: E402
from tracker.config import load_config  # noqa: E402
from tracker.ranking.selection import parse_as_of  # noqa: E402
from tracker.store.engine import make_engine  # noqa: E402

from ..helpers.cut_demo import CUT_DAY, CutDemo, build_cut_demo  # noqa: E402
from ..helpers.demo import demo_copy  # noqa: E402


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> CutDemo:
    return build_cut_demo(demo_copy(tmp_path_factory, "cut-demo"))


@pytest.fixture
def data(demo: CutDemo) -> Iterator[DashboardData]:
    data = DashboardData(make_engine(demo.url), load_config(demo.config_path))
    yield data
    data.engine.dispose()


def _sheet(path: Path, name: str) -> list[tuple[Any, ...]]:
    return list(load_workbook(path, read_only=True)[name].iter_rows(values_only=True))


def _summary(demo: CutDemo, *extra: str) -> Path:
    out = demo.root / f"summary{'-'.join(extra)}.xlsx"
    demo.tracker("export", "summary", "--include-unreviewed", "-o", str(out), *extra)
    return out


def test_the_picker_day_is_the_end_of_that_beijing_day(data: DashboardData) -> None:
    f = data.filters(None, as_of=CUT_DAY)
    assert f.as_of == datetime(2024, 9, 30, 16, 0, tzinfo=UTC)
    assert f.as_of == parse_as_of(CUT_DAY, f.timezone)
    # the picker may send a date-time; only its day counts
    assert data.filters(None, as_of=f"{CUT_DAY}T00:00:00").as_of == f.as_of
    assert data.filters(None, as_of=None).as_of is None
    assert data.filters(None, as_of="").as_of is None


def test_cut_overview_equals_the_summary_exported_with_as_of(
    demo: CutDemo, data: DashboardData
) -> None:
    about = dict(_sheet(_summary(demo, "--as-of", CUT_DAY), "概况")[1:])
    now = dict(_sheet(_summary(demo), "概况")[1:])
    uncut = data.filters(None)
    f = uncut.with_(as_of=parse_as_of(CUT_DAY, uncut.timezone))
    head = data.overview(f)["headline"]
    assert (head["works"], head["accounts"], head["interactions"]) == (
        about["作品数"],
        about["账号数"],
        about["互动量（原始）合计"],
    )
    assert head["units"] == about["有作品的单位数"]
    # the cut is a real one: a work fewer, and the refresh's metrics not read
    assert about["作品数"] == now["作品数"] - 1
    before = data.overview(uncut)["headline"]
    assert (before["works"], before["interactions"]) == (now["作品数"], now["互动量（原始）合计"])
    assert head["works"] == before["works"] - 1
    assert head["interactions"] < before["interactions"]


def test_cut_cities_equal_the_summary_city_sheet(demo: CutDemo, data: DashboardData) -> None:
    rows = _sheet(_summary(demo, "--as-of", CUT_DAY), "按城市")
    header = rows[0]
    sheet = {
        r["城市"]: (r["作品数"], r["账号数"], r["互动量（原始）"])
        for r in (dict(zip(header, row, strict=False)) for row in rows[1:])
        if r["作品数"]
    }
    cities = data.cities(data.filters(None, as_of=CUT_DAY))
    shown = {r.city: (r.works, r.accounts, r.interactions) for r in cities.itertuples() if r.works}
    assert shown == sheet


def test_leaderboards_rank_the_campaign_as_of_the_cut(demo: CutDemo, data: DashboardData) -> None:
    f = data.filters(None, as_of=CUT_DAY)
    cut = data.ranked(f.campaign_id, f.as_of)
    now = data.ranked(f.campaign_id)
    works = cut.result.works
    keys = set(
        zip(works["platform"].astype("str"), works["platform_post_id"].astype("str"), strict=True)
    )
    assert demo.late_work not in keys
    assert len(now.result.works) == len(cut.result.works) + 1
    assert data.ranked(f.campaign_id, f.as_of) is cut  # kept for the next page
