"""The report in a real browser: opened from file://, offline, every chart drawn, nothing runs."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest

from dashboards.pdf import find_chromium
from dashboards.report_build import build_report
from tracker.sim.names import XSS_PAYLOAD

from ..helpers.worlds import SimDB
from .conftest import Opened, PagePool, watched_page

pytestmark = pytest.mark.browser

CHARTS = 9


@pytest.fixture(scope="module")
def report_file(browser_db: SimDB, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    build_report(browser_db.engine, browser_db.config, out)
    return out


# Every chart laid out at its container's size: after a resize, plotly has caught up.
SETTLED_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(gd =>
  gd._fullLayout && Math.round(gd._fullLayout.width) === gd.clientWidth)"""


def _open_report(browser: Any, report: Path, width: int = 1280, height: int = 900) -> Opened:
    """The report at ``width``×``height``, every chart drawn."""
    context, page, watch = watched_page(browser, width=width, height=height)
    page.goto(report.as_uri(), wait_until="load")
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {CHARTS}"
    )
    return context, page, watch


def _report_page(pool: PagePool, browser: Any, report: Path, *, change: bool) -> Opened:
    """The module's loaded report: shared by the tests that only look at it, taken (and closed
    by the test) by one that changes it (see ``PagePool``)."""
    load = partial(_open_report, browser, report)
    return pool.take(report, load) if change else pool.borrow(report, load)


def test_report_toolbars_are_chinese_offline_and_clear_of_titles(
    browser, report_file: Path, page_pool
) -> None:  # type: ignore[no-untyped-def]
    from .test_dashboard_charts import BOXES_JS, CJK, TOOLBAR_JS, _overlap

    _, page, watch = _report_page(page_pool, browser, report_file, change=False)
    charts = page.evaluate(TOOLBAR_JS)
    boxes = page.evaluate(BOXES_JS)
    assert watch.console_errors == [] and watch.page_errors == []
    assert len(charts) == CHARTS
    for c in charts:
        english = [t for t in c["titles"] if not CJK.search(t or "")]
        assert c["titles"] and english == [], (c["id"], english)
        assert c["logo"] == 0 and c["cloud"] is False and not c["studio"], c
        assert c["locale"] == "zh-CN", c
    for gid in ("fig-daily", "fig-cumulative", "fig-types", "fig-unit-kinds"):
        parts = boxes[gid]
        assert parts["legend"] and parts["title"], gid
        for legend in parts["legend"]:
            for other in ("title", "plot", "axes"):
                assert not any(_overlap(legend, b) for b in parts[other]), (gid, other)


def test_report_opens_offline_with_every_chart_and_no_errors(
    browser, report_file: Path, page_pool, artifacts: Path
) -> None:  # type: ignore[no-untyped-def]
    # hovering the map changes the page: taken, not shared
    context, page, watch = _report_page(page_pool, browser, report_file, change=True)
    try:
        url = report_file.as_uri()
        page.wait_for_timeout(500)  # any late request (a map base layer) would show up now
        assert watch.requests == [url], watch.requests  # zero network requests
        assert watch.console_errors == [] and watch.page_errors == []
        plots = page.locator(".js-plotly-plot")
        assert plots.count() == CHARTS
        for i in range(CHARTS):
            assert plots.nth(i).locator(".main-svg").count() >= 1
        # the map draws the 21 prefectures, and hovering one names the city
        assert page.locator("#fig-map path.choroplethlocation").count() == 21
        page.locator("#fig-map").scroll_into_view_if_needed()
        box = page.locator("#fig-map .geolayer").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.45)
        page.wait_for_selector("#fig-map .hoverlayer .hovertext", timeout=5000)
        hover = page.locator("#fig-map .hoverlayer .hovertext").text_content() or ""
        assert "市" in hover and "作品" in hover
        # CJK text is laid out (not tofu-sized zero-width boxes)
        title_width = page.locator("header.top h1").evaluate("e => e.getBoundingClientRect().width")
        assert title_width > 200
        page.screenshot(path=str(artifacts / "report.png"), full_page=True)
    finally:
        context.close()


def test_report_planted_xss_is_text_and_never_runs(browser, report_file: Path, page_pool) -> None:  # type: ignore[no-untyped-def]
    # scrolls down and back up: the shared page is left as it was found
    with page_pool.visit(report_file, partial(_open_report, browser, report_file)) as opened:
        _, page, watch = opened
        page.mouse.wheel(0, 4000)
        page.wait_for_timeout(300)
        assert watch.dialogs == []
        assert page.locator('img[src="x"]').count() == 0
        assert XSS_PAYLOAD in page.locator("#leaderboards").inner_text()
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_function("window.scrollY === 0")


def test_report_prints_without_toolbars(
    browser, report_file: Path, page_pool, artifacts: Path
) -> None:  # type: ignore[no-untyped-def]
    # the shared report if one is loaded (taken: printing changes it), narrowed to the window
    # this test prints from; the charts stay as wide as at load (the report's column is
    # narrower than either window), so the printed page is the one a fresh load prints
    load = partial(_open_report, browser, report_file, width=1047, height=740)
    context, page, _ = page_pool.take(report_file, load)
    try:
        page.set_viewport_size({"width": 1047, "height": 740})
        page.wait_for_function(SETTLED_JS)
        page.emulate_media(media="print")
        assert not page.locator("nav.toc").is_visible()
        assert page.locator(".modebar-container").first.is_hidden()
        page.screenshot(path=str(artifacts / "report-print.png"), full_page=True)
        pdf = page.pdf(format="A4", landscape=True, print_background=True)
        assert pdf.startswith(b"%PDF") and len(pdf) > 100_000
    finally:
        context.close()


def test_tracker_report_pdf_through_headless_chromium(browser_db: SimDB, tmp_path: Path) -> None:
    if find_chromium() is None:
        pytest.skip("chromium is not on PATH")
    result = build_report(browser_db.engine, browser_db.config, tmp_path / "r.html", pdf=True)
    assert result.pdf_path == (tmp_path / "r.pdf").resolve()
    data = result.pdf_path.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 100_000
