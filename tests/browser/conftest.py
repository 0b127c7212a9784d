"""Browser fixtures: Debian's chromium driven by Playwright, live dashboard servers, artefacts.

Skipped with a reason when Playwright or ``/usr/bin/chromium`` is missing (CI installs both:
``apt-get install chromium fonts-noto-cjk`` and the ``browser`` extra). ``playwright install``
is never needed: the system browser is used.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ..helpers.config import REPO_ROOT
from ..helpers.worlds import SimDB, build_sim_db

CHROMIUM = os.environ.get("TRACKER_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
REBINDING_RULES = "MAP rebind.test 127.0.0.1, MAP attacker.test 127.0.0.1"


def _playwright() -> Any:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium fonts-noto-cjk)")
    return sync_api


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_api = _playwright()
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  # Two names that resolve to loopback, as a DNS-rebinding domain does after its
                  # first lookup (test_dashboard_rebinding); no other name is affected.
                  f"--host-resolver-rules={REBINDING_RULES}"],
        )  # fmt: skip
        yield b
        b.close()


@dataclass
class Watch:
    """Everything a page did that a test may want to assert on."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def watched_page(browser: Any, *, width: int = 1400, height: int = 1000) -> tuple[Any, Any, Watch]:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    watch = Watch()
    page.on("request", lambda r: watch.requests.append(r.url))
    page.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))

    def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return context, page, watch


Opened = tuple[Any, Any, Watch]
"""A loaded page: its browser context (closing it closes the page), the page and its watch."""


class PagePool:
    """Loaded pages a module's tests share, never one that a test has changed.

    Loading a dashboard page or the report costs the browser seconds of CPU (the Dash bundles,
    plotly.js, the first draw of every chart). A test that only looks at a page (reads text,
    evaluates a script, takes a screenshot) ``borrow``s it and leaves it open for the next one;
    a test that clicks, types, hovers, scrolls or navigates ``take``s it and closes it, and the
    pool forgets it. Whatever order the tests run in, each one gets the page as it was loaded,
    looked at by others at most.
    """

    def __init__(self) -> None:
        self._pages: dict[Hashable, Opened] = {}

    def borrow(self, key: Hashable, load: Callable[[], Opened]) -> Opened:
        """The shared page for ``key`` (loaded by ``load`` on first use); do not close it."""
        if key not in self._pages:
            self._pages[key] = load()
        return self._pages[key]

    def take(self, key: Hashable, load: Callable[[], Opened]) -> Opened:
        """The unchanged page for ``key`` if one is shared, else a new one; the caller closes it."""
        opened = self._pages.pop(key, None)
        return opened if opened is not None else load()

    @contextmanager
    def visit(self, key: Hashable, load: Callable[[], Opened]) -> Iterator[Opened]:
        """The shared page for ``key``, for a test that moves about in it but changes nothing
        the next test could see: it follows the app's own links (each test then goes to its page
        through the menu) or scrolls and scrolls back, never a filter, a form or a decision.

        If the test fails inside, where it left the page is unknown: the page is closed and
        forgotten, and the next test loads its own.
        """
        opened = self.borrow(key, load)
        try:
            yield opened
        except BaseException:
            if self._pages.get(key) is opened:
                del self._pages[key]
                opened[0].close()
            raise

    def close(self) -> None:
        for context, _, _ in self._pages.values():
            context.close()
        self._pages.clear()


def page_id(path: str) -> str:
    """The id of the element a dashboard page renders into (``pages.py``)."""
    return "page-" + (path.strip("/").split("/")[0] or "overview")


def through_menu(page: Any, base_url: str, path: str) -> None:
    """Go to the menu page at ``path`` as a user does, unless the page is there already, and
    wait for its container: Dash's in-app navigation loads no script again, where opening the
    address costs the browser seconds of parsing."""
    if page.url != base_url + path:
        page.locator(f'a.nav-link[href="{path}"]').click()
        page.wait_for_url(base_url + path)
    page.wait_for_selector(f"#{page_id(path)}", timeout=60_000)


@pytest.fixture(scope="module")
def page_pool() -> Iterator[PagePool]:
    pool = PagePool()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def browser_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimDB]:
    _playwright()  # skip before spending seconds on the simulator
    db = build_sim_db(tmp_path_factory.mktemp("browser-db"))
    yield db
    db.engine.dispose()


class LiveServer:
    """A Dash app's Flask server on a free port in a daemon thread."""

    def __init__(self, app: Any, host: str = "127.0.0.1") -> None:
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server = make_server(host, 0, app.server, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        # closing waits for the serving loop's next poll: a short one keeps teardown short
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def shared_site(browser_db: SimDB) -> Iterator[tuple[LiveServer, Any]]:
    """One loopback dashboard on the session database, for the tests that never write to it
    (no review decisions): its caches, the ranking above all, warm once per worker rather than
    once per module or test. Tests that record decisions run their own on a private copy."""
    pytest.importorskip("dash", reason="the dashboard extra is not installed")
    from dashboards.app import create_app

    app = create_app(browser_db.engine, browser_db.config)
    server = LiveServer(app)
    yield server, app
    server.close()
