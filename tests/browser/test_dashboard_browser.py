"""The dashboard in a real browser: pages, a filter, an approval, sign-in, and no XSS."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("dash", reason="the dashboard extra is not installed")
pytest.importorskip("dash_ag_grid", reason="the dashboard extra is not installed")

from sqlalchemy import select  # noqa: E402

from dashboards.app import NAV, create_app  # noqa: E402
from dashboards.auth import hash_password  # noqa: E402
from tracker.sim.names import XSS_PAYLOAD
from tracker.store.engine import make_engine  # noqa: E402
from tracker.store.models import Post, Review, ReviewEvent  # noqa: E402

from ..helpers.database import sqlite_copy  # noqa: E402
from ..helpers.worlds import SimDB  # noqa: E402
from .conftest import LiveServer, Opened, PagePool, Watch, page_id, watched_page  # noqa: E402

pytestmark = pytest.mark.browser

ALL_WATCHES: list[Watch] = []


@pytest.fixture(scope="module")
def site(
    browser_db: SimDB, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, Any]]:
    """A loopback dashboard on a private copy of the database (approvals write to it)."""
    url = sqlite_copy(browser_db.path, tmp_path_factory.mktemp("dash") / "dash.db")
    engine = make_engine(url)
    server = LiveServer(create_app(engine, browser_db.config))
    yield server, engine
    server.close()
    engine.dispose()


def open_page(browser: Any, url: str) -> tuple[Any, Any, Watch]:
    context, page, watch = watched_page(browser)
    ALL_WATCHES.append(watch)
    page.goto(url)
    page.wait_for_selector(".page", timeout=60_000)
    return context, page, watch


def shared_page(pool: PagePool, browser: Any, server: LiveServer, path: str) -> Opened:
    """The module's loaded page at ``path``, for tests that only look (see ``PagePool``)."""
    return pool.borrow(path, partial(open_page, browser, server.url + path))


def own_page(pool: PagePool, browser: Any, server: LiveServer, path: str) -> Opened:
    """An unchanged page at ``path`` that the test may change, then closes."""
    return pool.take(path, partial(open_page, browser, server.url + path))


def grid_column(page: Any, col: str) -> list[str]:
    cells = page.locator(f'.ag-center-cols-container .ag-row [col-id="{col}"]')
    return [c.strip() for c in cells.all_inner_texts()]


def _xss_work(engine: Any) -> tuple[str, str]:
    post = Post.__table__
    with engine.connect() as conn:
        row = conn.execute(
            select(post.c.platform, post.c.platform_post_id)
            .where(post.c.title.like("%onerror=alert(1)%"))
            .order_by(post.c.platform, post.c.platform_post_id)
        ).first()
    assert row is not None, "the simulator plants XSS titles"
    return row.platform, row.platform_post_id


def _check_drawn(page: Any, path: str, server: LiveServer, watch: Watch, artifacts: Path) -> None:
    """The page at ``path`` is drawn (its grid rows, its charts), has asked nothing of any
    other host and logged no error; its screenshot goes to the artifacts."""
    scope = f"#{page_id(path)}"
    page.wait_for_selector(scope, timeout=60_000)
    if path in ("/works", "/creators", "/units", "/map", "/review", "/runs"):
        page.wait_for_selector(f"{scope} .ag-row", timeout=30_000)
    if path not in ("/review", "/runs", "/city", "/unreported"):  # no charts there
        page.wait_for_selector(f"{scope} .js-plotly-plot .main-svg", timeout=30_000)
    # once drawn, no callback may still be on its way
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")
    outside = [u for u in watch.requests if not u.startswith(server.url)]
    assert outside == [], (path, outside)  # served assets are local only
    assert watch.console_errors == [] and watch.page_errors == [], path
    name = path.strip("/").replace("/", "_") or "overview"
    page.screenshot(path=str(artifacts / f"dashboard-{name}.png"), full_page=True)


def test_every_page_loads_locally_without_errors(browser, site, page_pool, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    """Every page, opened by its address and reached through the menu as a user moves.

    The pages later tests use again are opened by address and kept; the rest are reached from
    one opened page through the menu, since each fresh load costs the browser about two
    seconds of script parsing. Every address serves the app itself (checked over HTTP).
    """
    server, engine = site
    platform, post_id = _xss_work(engine)
    xss_path = f"/work/{platform}/{post_id}"
    for path in ("/works", "/review", xss_path):  # opened by address, shared with later tests
        _, page, watch = shared_page(page_pool, browser, server, path)
        _check_drawn(page, path, server, watch, artifacts)
    menu_paths = [href for href, _ in NAV if href not in ("/works", "/review")]
    with httpx.Client(base_url=server.url) as client:
        for path in menu_paths:
            answer = client.get(path)
            assert answer.status_code == 200 and "_dash-renderer" in answer.text, path
    context, page, watch = open_page(browser, server.url + menu_paths[0])
    try:
        _check_drawn(page, menu_paths[0], server, watch, artifacts)
        for path in menu_paths[1:]:
            page.locator(f'a.nav-link[href="{path}"]').click()
            page.wait_for_url(server.url + path)
            _check_drawn(page, path, server, watch, artifacts)
    finally:
        context.close()


def test_platform_filter_changes_the_works_leaderboard(browser, site, page_pool) -> None:  # type: ignore[no-untyped-def]
    server, _ = site
    context, page, _ = own_page(page_pool, browser, server, "/works")
    try:
        page.wait_for_selector(".ag-row")
        before_note = page.locator("#works-note").inner_text()
        before = grid_column(page, "platform")
        assert len(set(before)) > 1
        page.locator("#f-platform").click()
        page.locator('[role=option]:has(input[value="bilibili"])').click()
        page.keyboard.press("Escape")
        page.wait_for_function(
            "note => document.querySelector('#works-note') && document.querySelector('#works-note').innerText !== note",
            arg=before_note,
        )
        page.wait_for_selector(".ag-row")
        after = grid_column(page, "platform")
        assert after and set(after) == {"哔哩哔哩"}
        ranks = [int(r) for r in grid_column(page, "rank")]
        assert ranks == sorted(ranks)
        total = int(
            re.search(r"共 ([\d,]+) 件", page.locator("#works-note").inner_text())
            .group(1)
            .replace(",", "")
        )
        assert total < int(re.search(r"共 ([\d,]+) 件", before_note).group(1).replace(",", ""))
    finally:
        context.close()


def test_approve_click_records_the_decision(browser, site, page_pool, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    server, engine = site
    context, page, _ = own_page(page_pool, browser, server, "/review")
    try:
        page.wait_for_selector(".ag-row")
        first = page.locator(".ag-center-cols-container .ag-row").first
        row_index = first.get_attribute("row-index")
        label = first.locator('[col-id="label"]').inner_text()
        page.locator(
            f'.ag-pinned-left-cols-container .ag-row[row-index="{row_index}"] input[type=checkbox], '
            f'.ag-center-cols-container .ag-row[row-index="{row_index}"] input[type=checkbox]'
        ).first.check()
        page.locator("#review-note").fill("浏览器测试：核实无误")
        page.locator("#review-approve").click()
        page.wait_for_function(
            "() => (document.querySelector('#review-msg')||{}).innerText?.includes('已记录 1 件')"
        )
        page.screenshot(path=str(artifacts / "dashboard-review-approved.png"), full_page=True)
    finally:
        context.close()
    with engine.connect() as conn:
        reviews = conn.execute(select(Review.__table__)).all()
        events = conn.execute(select(ReviewEvent.__table__)).all()
        post = Post.__table__
        title = conn.execute(
            select(post.c.title, post.c.text).where(
                post.c.platform == reviews[0].platform,
                post.c.platform_post_id == reviews[0].platform_post_id,
            )
        ).one()
    assert len(reviews) == 1 and reviews[0].status == "approved"
    assert reviews[0].reviewer.startswith("本机:") and reviews[0].note == "浏览器测试：核实无误"
    assert len(events) == 1 and events[0].status == "approved"
    shown = label.rstrip("…")
    assert shown[:10] in " ".join((title.title or "", title.text or "")).replace("\n", " ")


def test_planted_xss_shows_as_text_and_never_runs(browser, site, page_pool) -> None:  # type: ignore[no-untyped-def]
    server, engine = site
    platform, post_id = _xss_work(engine)
    _, page, watch = shared_page(page_pool, browser, server, f"/work/{platform}/{post_id}")
    page.wait_for_selector("#work-title")
    page.wait_for_selector(".js-plotly-plot .main-svg")
    assert XSS_PAYLOAD in page.locator("#work-title").inner_text()
    assert page.locator('img[src="x"]').count() == 0
    assert watch.dialogs == []
    # and across every page opened by this module
    assert all(w.dialogs == [] for w in ALL_WATCHES)


def test_non_loopback_bind_refuses_unauthenticated_requests(
    browser, browser_db: SimDB, tmp_path: Path, artifacts: Path
) -> None:  # type: ignore[no-untyped-def]
    url = sqlite_copy(browser_db.path, tmp_path / "auth.db")
    engine = make_engine(url)
    users = {"zhangsan": hash_password("s3cret-pass")}
    server = LiveServer(
        create_app(engine, browser_db.config, host="0.0.0.0", users=users, secret_key="t"),
        host="0.0.0.0",
    )
    context, page, watch = watched_page(browser)
    try:
        api = page.request.get(server.url + "/_dash-layout")
        assert api.status == 401
        update = page.request.post(server.url + "/_dash-update-component", data="{}")
        assert update.status == 401
        page.goto(server.url + "/review")
        assert "/login" in page.url and page.locator("#username").is_visible()
        page.screenshot(path=str(artifacts / "dashboard-login.png"))
        page.locator("#username").fill("zhangsan")
        page.locator("#password").fill("wrong")
        page.locator("button[type=submit]").click()
        assert "用户名或密码错误" in page.content()
        page.locator("#username").fill("zhangsan")
        page.locator("#password").fill("s3cret-pass")
        page.locator("button[type=submit]").click()
        page.wait_for_selector("#page-review .ag-row", timeout=60_000)
        assert page.url.endswith("/review")
        assert "zhangsan" in page.locator("#current-user").inner_text()
        first = page.locator(".ag-center-cols-container .ag-row").first
        idx = first.get_attribute("row-index")
        page.locator(
            f'.ag-pinned-left-cols-container .ag-row[row-index="{idx}"] input[type=checkbox], '
            f'.ag-center-cols-container .ag-row[row-index="{idx}"] input[type=checkbox]'
        ).first.check()
        page.locator("#review-reject").click()
        page.wait_for_function(
            "() => (document.querySelector('#review-msg')||{}).innerText?.includes('已记录 1 件')"
        )
        assert watch.dialogs == []
    finally:
        context.close()
        server.close()
    with engine.connect() as conn:
        (review,) = conn.execute(select(Review.__table__)).all()
    engine.dispose()
    assert review.status == "rejected" and review.reviewer == "zhangsan"
