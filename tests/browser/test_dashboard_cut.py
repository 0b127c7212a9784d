"""The 数据截至 picker in a real browser: pick a day, the headline is the cut's, the export too.

On the demo (collected 2024-09-30 12:00 UTC, refreshed 2024-10-01 12:00 UTC, one work first
seen at the refresh), picking 2024-09-30 in the calendar cuts at the end of that Beijing day:
the 互动量（原始） card drops to the cut's value, a line under the filter bar names the cut, and
导出汇总 downloads a workbook whose 说明 names the cut and whose 概况 holds the figure shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("dash", reason="the dashboard extra is not installed")
pytest.importorskip("dash_ag_grid", reason="the dashboard extra is not installed")

from openpyxl import load_workbook  # noqa: E402

from dashboards.app import create_app  # noqa: E402
from tracker.config import load_config  # noqa: E402
from tracker.store.engine import make_engine  # noqa: E402

from ..helpers.cut_demo import build_cut_demo  # noqa: E402
from ..helpers.demo import demo_copy  # noqa: E402
from .conftest import LiveServer, _playwright, watched_page  # noqa: E402

pytestmark = pytest.mark.browser

CARD = '#overview-cards .card:has(.label:text-is("互动量（原始）")) .value'
CARD_CHANGED = """old => {
  const card = [...document.querySelectorAll('#overview-cards .card')]
    .find(c => c.querySelector('.label').innerText.trim() === '互动量（原始）');
  return card && card.querySelector('.value').innerText.trim() !== old;
}"""
CUT_TEXT = "数据截至 2024-09-30 24:00（北京时间）"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    _playwright()  # skip before building the demo
    demo = build_cut_demo(demo_copy(tmp_path_factory, "cut-site"))
    engine = make_engine(demo.url)
    server = LiveServer(create_app(engine, load_config(demo.config_path)))
    yield server
    server.close()
    engine.dispose()


def _number(text: str) -> int:
    return int(text.strip().replace(",", ""))


def _rows(path: Path, sheet: str) -> dict[Any, Any]:
    rows = load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True)
    return {r[0]: r[1] for r in rows if r and r[0] is not None}


def test_picking_a_deadline_cuts_the_headline_and_the_export(
    browser, site: LiveServer, tmp_path: Path, artifacts: Path
) -> None:  # type: ignore[no-untyped-def]
    context, page, watch = watched_page(browser)
    try:
        page.goto(site.url + "/")
        page.wait_for_selector(CARD, timeout=60_000)
        before = _number(page.locator(CARD).inner_text())
        assert page.locator("#asof-note").inner_text().strip() == ""
        # the calendar opens at the campaign's last month; the day is clicked, not typed
        page.locator("#f-asof").click()
        page.wait_for_selector(".dash-datepicker-content")
        page.locator(
            '.dash-datepicker-content td.dash-datepicker-calendar-date-inside:has(span:text-is("30"))'
        ).click()
        page.wait_for_function(CARD_CHANGED, arg=str(page.locator(CARD).inner_text()).strip())
        assert page.locator("#f-asof").input_value() == "2024-09-30"
        cut = _number(page.locator(CARD).inner_text())
        assert cut < before
        assert CUT_TEXT in page.locator("#asof-note").inner_text()
        page.screenshot(path=str(artifacts / "dashboard-cut.png"), full_page=True)

        page.keyboard.press("Escape")
        page.locator("#export-unreviewed input[type=checkbox]").check()
        with page.expect_download(timeout=120_000) as info:
            page.locator("#btn-export-summary").click()
        saved = tmp_path / "summary.xlsx"
        info.value.save_as(saved)
        page.wait_for_function(
            "() => (document.querySelector('#export-msg')||{}).innerText?.includes('已导出')"
        )
        assert watch.console_errors == [] and watch.page_errors == []
    finally:
        context.close()
    about = _rows(saved, "说明")
    assert CUT_TEXT in about["筛选条件"] and "含未审核作品" in about["筛选条件"]
    assert _rows(saved, "概况")["互动量（原始）合计"] == cut
