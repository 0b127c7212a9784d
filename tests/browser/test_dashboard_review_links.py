"""The review queue acts on the current selection only, and a work's title opens its page.

The review tests record decisions, so each runs its own dashboard on a private copy of the
database; the title tests only read, so they share the session's dashboard (and its ranking),
and the two that only follow links share one loaded page, each reaching its page through the
menu."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("dash", reason="the dashboard extra is not installed")
pytest.importorskip("dash_ag_grid", reason="the dashboard extra is not installed")

from sqlalchemy import select  # noqa: E402

from dashboards.app import create_app  # noqa: E402
from tracker.store.engine import make_engine  # noqa: E402
from tracker.store.models import Review, ReviewEvent  # noqa: E402

from ..helpers.database import sqlite_copy  # noqa: E402
from ..helpers.worlds import SimDB  # noqa: E402
from .conftest import LiveServer, Opened, page_id, through_menu, watched_page  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture
def site(browser_db: SimDB, tmp_path: Path) -> Iterator[tuple[LiveServer, Any]]:
    """A loopback dashboard on a private copy of the database (each test writes decisions)."""
    engine = make_engine(sqlite_copy(browser_db.path, tmp_path / "dash.db"))
    server = LiveServer(create_app(engine, browser_db.config))
    yield server, engine
    server.close()
    engine.dispose()


def _opened(browser: Any, url: str) -> Opened:
    context, page, watch = watched_page(browser)
    page.goto(url)
    page.wait_for_selector(".page", timeout=60_000)
    return context, page, watch


def _open(browser: Any, url: str) -> tuple[Any, Any]:
    context, page, _ = _opened(browser, url)
    return context, page


def _tick(page: Any, index: int) -> None:
    page.locator(
        f'.ag-pinned-left-cols-container .ag-row[row-index="{index}"] input[type=checkbox], '
        f'.ag-center-cols-container .ag-row[row-index="{index}"] input[type=checkbox]'
    ).first.check()


def _wait_msg(page: Any, text: str) -> str:
    page.wait_for_function(
        "t => (document.querySelector('#review-msg') || {}).innerText?.includes(t)", arg=text
    )
    return page.locator("#review-msg").inner_text()


def _decisions(engine: Any) -> tuple[list[Any], list[Any]]:
    with engine.connect() as conn:
        reviews = conn.execute(select(Review.__table__)).all()
        events = conn.execute(select(ReviewEvent.__table__)).all()
    return reviews, events


def test_review_buttons_act_on_the_current_selection_only(browser, site) -> None:  # type: ignore[no-untyped-def]
    server, engine = site
    context, page = _open(browser, server.url + "/review")
    try:
        page.wait_for_selector(".ag-row")
        assert page.locator("#review-approve").inner_text() == "通过（0）"
        _tick(page, 0)
        page.wait_for_function(
            "() => document.querySelector('#review-approve').innerText === '通过（1）'"
        )
        assert page.locator("#review-reject").inner_text() == "不通过（1）"
        page.locator("#review-approve").click()
        _wait_msg(page, "已记录 1 件")
        # the decision cleared the selection: nothing is ticked and the buttons say so
        page.wait_for_function(
            "() => document.querySelector('#review-reject').innerText === '不通过（0）'"
        )
        assert page.locator(".ag-row input[type=checkbox]:checked").count() == 0
        page.locator("#review-reject").click()
        msg = _wait_msg(page, "未勾选")
        assert "已记录" not in msg
    finally:
        context.close()
    reviews, events = _decisions(engine)
    assert [r.status for r in reviews] == ["approved"]  # the approval was not overturned
    assert [e.status for e in events] == ["approved"]


def test_review_buttons_count_the_ticked_rows(browser, site) -> None:  # type: ignore[no-untyped-def]
    server, engine = site
    context, page = _open(browser, server.url + "/review")
    try:
        page.wait_for_selector(".ag-row")
        _tick(page, 0)
        _tick(page, 1)
        page.wait_for_function(
            "() => document.querySelector('#review-reject').innerText === '不通过（2）'"
        )
        assert page.locator("#review-approve").inner_text() == "通过（2）"
        page.locator("#review-reject").click()
        _wait_msg(page, "已记录 2 件")
    finally:
        context.close()
    reviews, _ = _decisions(engine)
    assert sorted(r.status for r in reviews) == ["rejected", "rejected"]


@pytest.mark.parametrize("path", ["/works", "/review"])
def test_a_work_title_opens_its_details(browser, shared_site, page_pool, path: str) -> None:  # type: ignore[no-untyped-def]
    server, _ = shared_site
    # following a title changes no filter and records nothing: the next test in this page goes
    # to its own through the menu (see ``PagePool.visit``)
    with page_pool.visit("links", partial(_opened, browser, server.url + path)) as (_, page, _):
        through_menu(page, server.url, path)
        scope = f"#{page_id(path)}"
        page.wait_for_selector(f"{scope} .ag-row")
        cell = page.locator(
            f'{scope} .ag-center-cols-container .ag-row[row-index="0"] [col-id="label"]'
        )
        title = cell.inner_text().strip().rstrip("…")
        assert title
        assert page.url == server.url + path  # not a work's page yet
        cell.locator("a").click()
        page.wait_for_selector("#page-work #work-title", timeout=30_000)
        assert "/work/" in page.url
        assert page.locator("#work-title").inner_text().startswith(title)
        link = page.locator("#work-link")
        if link.count():  # the original post opens in a new tab, without an opener
            assert link.get_attribute("target") == "_blank"
            assert "noopener" in (link.get_attribute("rel") or "")


def test_a_title_link_keeps_the_filters(browser, shared_site) -> None:  # type: ignore[no-untyped-def]
    server, _ = shared_site
    context, page = _open(browser, server.url + "/works")
    try:
        page.wait_for_selector(".ag-row")
        page.locator("#f-platform").click()
        page.locator('[role=option]:has(input[value="bilibili"])').click()
        page.keyboard.press("Escape")
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.ag-center-cols-container .ag-row "
            "[col-id=platform]')).every(c => c.innerText.trim() === '哔哩哔哩')"
        )
        first = page.locator('.ag-center-cols-container .ag-row[row-index="0"] [col-id="label"] a')
        href = first.get_attribute("href") or ""
        assert href.startswith("/work/bilibili/")
        first.click()
        page.wait_for_selector("#work-title", timeout=30_000)
        assert page.url.endswith(href)
        assert "哔哩哔哩" in page.locator("#f-platform").inner_text()  # same tab, same filters
    finally:
        context.close()
