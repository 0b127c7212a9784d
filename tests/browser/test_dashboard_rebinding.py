"""DNS rebinding and a cross-site POST against the live loopback dashboard, in Chromium.

The session browser's ``--host-resolver-rules`` (tests/browser/conftest.py) makes ``rebind.test`` resolve to 127.0.0.1, which is what a
rebinding domain does after its first lookup. The page it loads must be the dashboard's 400,
and a POST from a foreign page (``http://attacker.test``) must be answered 403.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

pytest.importorskip("dash", reason="the dashboard extra is not installed")

from .conftest import LiveServer  # noqa: E402

pytestmark = pytest.mark.browser


class _AttackerPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the handler API's name
        body = b"<!DOCTYPE html><p>attacker</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


def _attacker_site() -> ThreadingHTTPServer:
    """A foreign site on loopback (a public one would be stopped by Chromium's private network
    rules before it reached the dashboard, proving nothing about the dashboard)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AttackerPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_rebinding_name_and_a_cross_site_post_are_refused(
    browser: Any, shared_site: tuple[LiveServer, Any]
) -> None:
    server, _ = shared_site  # refused requests change nothing: the session's dashboard serves
    attacker = _attacker_site()
    context = browser.new_context()
    page = context.new_page()
    try:
        rebound = page.goto(f"http://rebind.test:{server.port}/")
        assert rebound is not None and rebound.status == 400
        assert "Host" in page.content()
        # A foreign page (another site on this machine) posts to the real dashboard.
        page.goto(f"http://attacker.test:{attacker.server_port}/")
        target = f"{server.url}/_dash-update-component"
        with page.expect_response(target) as answer:
            page.evaluate(
                """(url) => fetch(url, {method: "POST", mode: "no-cors", body: "{}",
                                         headers: {"Content-Type": "text/plain"}}).catch(() => 0)""",
                target,
            )
        assert answer.value.status == 403
        ok = page.goto(server.url + "/")
        assert ok is not None and ok.status == 200
        page.wait_for_selector(".page", timeout=60_000)
    finally:
        context.close()
        attacker.shutdown()
        attacker.server_close()
