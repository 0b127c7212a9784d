"""The dashboard's charts as a user sees them: a Chinese toolbar with no way to send a chart
off the machine, titles clear of legends at common screen widths, whole-number ticks on counts,
and one colour per platform and per unit kind whatever the filter."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import pytest

pytest.importorskip("dash", reason="the dashboard extra is not installed")

from dashboards.filters import UNREGISTERED  # noqa: E402

from .conftest import LiveServer, Opened, PagePool, watched_page  # noqa: E402

pytestmark = pytest.mark.browser

OVERVIEW_CHARTS = ("fig-daily", "fig-cumulative", "fig-types", "fig-unit-kinds")
CJK = re.compile(r"[\u4e00-\u9fff]")

# Boxes (left, top, right, bottom) of the parts of every chart on the page, by the graph's id.
BOXES_JS = """() => Object.fromEntries(Array.from(document.querySelectorAll('.js-plotly-plot'))
  .map(gd => {
    const box = sel => Array.from(gd.querySelectorAll(sel)).map(e => {
      const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom];
    }).filter(b => b[2] > b[0] && b[3] > b[1]);
    return [gd.closest('[id^=fig-]').id, {
      title: box('.g-gtitle .gtitle'), legend: box('.legend .bg'),
      plot: box('.nsewdrag').concat(box('.pielayer .trace')),
      axes: box('.xtitle').concat(box('.xaxislayer-above .xtick text')),
    }];
  }))"""

TOOLBAR_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => ({
  id: gd.closest('[id^=fig-]').id,
  titles: Array.from(gd.querySelectorAll('.modebar-btn')).map(b => b.getAttribute('data-title')),
  logo: gd.querySelectorAll('.modebar-btn--logo').length,
  cloud: gd._context.showSendToCloud, studio: gd._context.showEditInChartStudio,
  locale: gd._context.locale,
}))"""

# Ticks of the count axes: the daily works (y) and the content types (x).
TICKS_JS = """() => ({
  daily: Array.from(document.querySelectorAll('#fig-daily .ytick text')).map(t => t.textContent),
  types: Array.from(document.querySelectorAll('#fig-types .xtick text')).map(t => t.textContent),
})"""

COLOURS_JS = """() => Object.fromEntries(Array.from(document.querySelectorAll('.js-plotly-plot'))
  .map(gd => {
    const out = {};
    gd.data.forEach(t => {
      if (t.type === 'pie') { t.labels.forEach((l, i) => { out[l] = t.marker.colors[i]; }); }
      else if (t.name) { out[t.name] = (t.marker && t.marker.color) || (t.line && t.line.color); }
    });
    return [gd.closest('[id^=fig-]').id, out];
  }))"""


@pytest.fixture(scope="module")
def site(shared_site: tuple[LiveServer, Any]) -> tuple[LiveServer, Any]:
    """Read-only: these tests never write, so the session's dashboard serves."""
    return shared_site


def _overview(browser: Any, url: str, width: int = 1400) -> Opened:
    context, page, watch = watched_page(browser, width=width, height=1000)
    page.goto(url + "/")
    page.wait_for_selector("#page-overview", timeout=60_000)
    page.wait_for_function(
        f"document.querySelectorAll('#page-overview .js-plotly-plot .main-svg').length >= "
        f"{2 * len(OVERVIEW_CHARTS)}"
    )
    page.wait_for_timeout(300)  # the responsive relayout after the first draw
    return context, page, watch


def _look_at_overview(pool: PagePool, browser: Any, url: str, width: int = 1400) -> Any:
    """The module's loaded overview at ``width``, for a test that only reads it."""
    return pool.borrow(("overview", width), partial(_overview, browser, url, width))[1]


def _own_overview(pool: PagePool, browser: Any, url: str, width: int = 1400) -> tuple[Any, Any]:
    """An unchanged overview at ``width`` (one a test only looked at, else a new one) that the
    test may filter, then closes."""
    context, page, _ = pool.take(("overview", width), partial(_overview, browser, url, width))
    return context, page


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_toolbar_is_chinese_and_cannot_send_a_chart_away(browser, site, page_pool) -> None:  # type: ignore[no-untyped-def]
    server, _ = site
    charts = _look_at_overview(page_pool, browser, server.url).evaluate(TOOLBAR_JS)
    assert {c["id"] for c in charts} == set(OVERVIEW_CHARTS)
    for c in charts:
        assert c["titles"], c["id"]
        english = [t for t in c["titles"] if not CJK.search(t or "")]
        assert english == [], (c["id"], english)
        assert not any("Chart Studio" in t or "分享" in t for t in c["titles"]), c
        assert c["logo"] == 0 and c["cloud"] is False and not c["studio"], c
        assert c["locale"] == "zh-CN", c


@pytest.mark.parametrize("width", [1280, 1400, 1920])
def test_overview_titles_and_legends_never_overlap(browser, site, page_pool, width: int) -> None:  # type: ignore[no-untyped-def]
    server, _ = site
    charts = _look_at_overview(page_pool, browser, server.url, width).evaluate(BOXES_JS)
    assert set(OVERVIEW_CHARTS) <= set(charts)
    for gid in OVERVIEW_CHARTS:
        parts = charts[gid]
        assert parts["title"] and parts["legend"] and parts["plot"], (gid, parts)
        for legend in parts["legend"]:
            for other in ("title", "plot", "axes"):
                hits = [b for b in parts[other] if _overlap(legend, b)]
                assert hits == [], (width, gid, other, legend, hits)


def _smallest_city(app: Any) -> str:
    data = app.tracker_data
    campaign = data.campaigns()[0].id
    cities = data.cities(data.filters(campaign, None, None, None, None, None))
    cities = cities[(cities["city"] != UNREGISTERED) & (cities["works"] > 0)]
    return str(cities.sort_values(["works", "city"]).iloc[0]["city"])


def _wait_for_new_cards(page: Any, change: Any) -> None:
    """Apply a filter with ``change(page)`` and wait until the overview shows its numbers."""
    before = page.locator("#overview-cards .value").first.inner_text()
    change(page)
    page.wait_for_function(
        "n => { const c = document.querySelector('#overview-cards .value');"
        " return c && c.innerText !== n; }",
        arg=before,
    )
    page.wait_for_selector("#page-overview .js-plotly-plot .main-svg")
    page.wait_for_timeout(500)


def test_count_axes_have_whole_number_ticks(browser, site, page_pool, artifacts) -> None:  # type: ignore[no-untyped-def]
    server, app = site
    city = _smallest_city(app)  # a few works a day: where plotly would draw 0.2, 0.4, ...

    def pick_city(page: Any) -> None:
        page.locator("#f-city").click()
        # type only once the dropdown's search box has the focus (keys sent before it opens
        # are lost on a busy machine)
        page.wait_for_function(
            "() => document.activeElement && document.activeElement.tagName === 'INPUT'"
            " && !!document.activeElement.closest('[role=listbox], .dash-dropdown-content,"
            " [class*=dropdown]')"
        )
        page.keyboard.type(city)
        # click the city's own option: Enter takes the first option the list has filtered so
        # far, which on a busy machine can be a city of fewer letters or one with no works
        page.locator(f'[role=option]:has(input[value="{city}"])').click()
        page.wait_for_function(
            "c => document.querySelector('#f-city').innerText.includes(c)", arg=city
        )

    context, page = _own_overview(page_pool, browser, server.url)
    try:
        _wait_for_new_cards(page, pick_city)
        # the cards change before plotly has redrawn the axes on a busy machine
        try:
            page.wait_for_function(
                f"() => Object.values(({TICKS_JS})()).every(labels => labels.length >= 2)"
            )
        except Exception:  # noqa: BLE001 - the assertions below say what the page showed
            page.screenshot(path=str(artifacts / "dashboard-city-ticks-failed.png"))
        ticks = page.evaluate(TICKS_JS)
        shown = (page.locator("#f-city").inner_text(), page.locator("#overview-cards").inner_text())
    finally:
        context.close()
    for axis, labels in ticks.items():
        assert len(labels) >= 2, (city, shown, axis, labels)
        fractional = [t for t in labels if not re.fullmatch(r"[\d,]+", t.strip())]
        assert fractional == [], (city, axis, labels)


def test_colours_stay_with_their_platform_and_unit_kind(browser, site, page_pool) -> None:  # type: ignore[no-untyped-def]
    server, _ = site

    def pick_bilibili(page: Any) -> None:
        page.locator("#f-platform").click()
        page.locator('[role=option]:has(input[value="bilibili"])').click()
        page.keyboard.press("Escape")

    # the colours are the traces' own, whatever the width: the overview the 1920 check only
    # looked at serves, rather than a new load
    context, page = _own_overview(page_pool, browser, server.url, 1920)
    try:
        before = page.evaluate(COLOURS_JS)
        _wait_for_new_cards(page, pick_bilibili)
        after = page.evaluate(COLOURS_JS)
    finally:
        context.close()
    for gid in OVERVIEW_CHARTS:
        shared = set(before[gid]) & set(after[gid])
        assert shared, gid
        moved = {
            k: (before[gid][k], after[gid][k]) for k in shared if before[gid][k] != after[gid][k]
        }
        assert moved == {}, (gid, moved)
    # one colour per platform across the charts, and no two platforms or kinds alike
    platforms: dict[str, set[str]] = {}
    for gid in ("fig-daily", "fig-cumulative", "fig-types"):
        for name, colour in before[gid].items():
            platforms.setdefault(name, set()).add(colour)
    assert all(len(c) == 1 for c in platforms.values()), platforms
    assert len({next(iter(c)) for c in platforms.values()}) == len(platforms)
    kinds = before["fig-unit-kinds"]
    assert len(set(kinds.values())) == len(kinds), kinds
