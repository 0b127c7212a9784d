"""The officer's week in a real browser: the city picker, week over week, who has not reported."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import pytest

pytest.importorskip("dash", reason="the dashboard extra is not installed")
pytest.importorskip("dash_ag_grid", reason="the dashboard extra is not installed")

from sqlalchemy import text  # noqa: E402

from ..helpers.oracle import unreported_by_sql  # noqa: E402
from ..helpers.worlds import SimDB  # noqa: E402
from .conftest import LiveServer, Opened, PagePool, through_menu, watched_page  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(shared_site: tuple[LiveServer, Any], browser_db: SimDB) -> tuple[LiveServer, Any]:
    """Read-only (no review decisions): the session's dashboard and its database's engine."""
    return shared_site[0], browser_db.engine


def _city_works(engine: Any, city: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT COUNT(DISTINCT p.platform || ':' || p.platform_post_id) FROM post p"
                    " JOIN post_campaign pc ON pc.platform = p.platform"
                    "  AND pc.platform_post_id = p.platform_post_id"
                    " JOIN account_unit au ON au.platform = p.platform"
                    "  AND au.platform_uid = p.account_uid"
                    " JOIN unit u ON u.id = au.unit_id"
                    " WHERE pc.excluded = 0 AND p.deleted = 0 AND u.city = :c"
                ),
                {"c": city},
            ).scalar_one()
        )


def _open(browser: Any, url: str) -> Opened:
    context, page, watch = watched_page(browser)
    page.goto(url)
    page.wait_for_selector(".page", timeout=60_000)
    return context, page, watch


def _dashboard(pool: PagePool, browser: Any, server: LiveServer, *, change: bool) -> Opened:
    """The module's one loaded dashboard (opened at the unreported list): shared by the test
    that only reads it, taken (and closed) by the one that picks a city, which goes to its page
    through the menu; one load of the scripts for both (see ``PagePool``)."""
    load = partial(_open, browser, server.url + "/unreported")
    return pool.take("dashboard", load) if change else pool.borrow("dashboard", load)


def test_unreported_list_is_visible_and_matches_the_registry(browser, site, page_pool) -> None:  # type: ignore[no-untyped-def]
    server, engine = site
    _, page, watch = _dashboard(page_pool, browser, server, change=False)
    rows = page.locator("#page-unreported .unreported-row")
    rows.first.wait_for(timeout=30_000)
    assert rows.first.is_visible()
    names = [r.locator("td").first.inner_text().strip() for r in rows.all()]
    want = unreported_by_sql(engine)
    assert want and sorted(names) == sorted(want)
    groups = [g.strip() for g in page.locator(".unreported-group").all_inner_texts()]
    assert groups[0].startswith("省直单位")
    body = page.locator("#page-unreported").inner_text()
    assert "None" not in body and "nan" not in body
    assert watch.page_errors == []


def test_city_picker_shows_the_city_figures_and_week_over_week(browser, site, page_pool) -> None:  # type: ignore[no-untyped-def]
    server, engine = site
    context, page, watch = _dashboard(page_pool, browser, server, change=True)
    try:
        through_menu(page, server.url, "/city")
        page.wait_for_selector("#city-view", timeout=30_000)
        page.locator("#city-picker").click()
        page.locator("[role=option]", has_text="深圳市").first.click()
        page.wait_for_function(
            "() => document.querySelector('#city-view h3')"
            " && document.querySelector('#city-view h3').innerText.startsWith('深圳市')",
            timeout=30_000,
        )
        cards = page.locator("#city-cards").inner_text()
        works = cards.split("作品总数")[1].split()[0].replace(",", "")
        assert int(works) == _city_works(engine, "深圳市")
        units = page.locator("#city-units tbody tr td:first-child").all_inner_texts()
        with engine.connect() as conn:
            registered = {
                r[0]
                for r in conn.execute(
                    text("SELECT name FROM unit WHERE city = '深圳市' AND kind != 'department'")
                )
            }
        assert set(units) == registered
        weekly = page.locator("#city-week")
        assert weekly.is_visible()
        assert "近7天" in weekly.inner_text() and "深圳市" in weekly.inner_text()
        missing = page.locator("#city-view .unreported-row td:first-child").all_inner_texts()
        assert set(missing) == {n for n in unreported_by_sql(engine) if n in registered}
        assert watch.page_errors == []
    finally:
        context.close()


def test_report_week_over_week_table_is_visible(browser, site, browser_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dashboards.report_build import build_report

    _, engine = site
    out = tmp_path / "sz.html"
    build_report(engine, browser_db.config, out, city="深圳市")
    context, page, _ = watched_page(browser)
    try:
        page.goto(out.as_uri())
        table = page.locator("#weekly table").first
        table.wait_for(timeout=30_000)
        assert table.is_visible()
        assert "作品·近7天" in table.inner_text()
        assert page.locator("#unreported-list").is_visible()
    finally:
        context.close()


def _pdf_pages(data: bytes) -> int:
    try:
        from pypdf import PdfReader
    except ModuleNotFoundError:
        return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    import io

    return len(PdfReader(io.BytesIO(data)).pages)


def test_print_cities_prints_one_a4_page_per_city(browser, browser_db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dashboards.city_print import build_city_print

    out = tmp_path / "各市简报.html"
    build_city_print(browser_db.engine, browser_db.config, out)
    n_cities = out.read_text(encoding="utf-8").count('<section class="city-page"')
    assert n_cities > 1
    # 703 px: the width of A4 portrait inside the page's 12 mm margins, as when printing
    context, page, watch = watched_page(browser, width=703, height=1000)
    try:
        page.goto(out.as_uri())
        page.emulate_media(media="print")
        overflow = page.evaluate(
            "() => [...document.querySelectorAll('section.city-page')]"
            ".filter(s => s.scrollHeight > s.clientHeight + 1).map(s => s.dataset.city)"
        )
        assert overflow == [], f"cut off at the page end: {overflow}"
        data = page.pdf(format="A4")
        assert _pdf_pages(data) == n_cities
        assert all(r.startswith(("file:", "data:", "about:")) for r in watch.requests)
        assert watch.page_errors == []
    finally:
        context.close()
