"""A cookie (or query token) must never reach logs, exception text, repr or stats."""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Any

import httpx
import pytest
import respx

from tracker.errors import ConnectorError, LoginRequired, ParseError, RateLimited
from tracker.http import CommandSigner, HttpClient, HttpSettings, SignerError

COOKIE_SECRET = "SENTINEL-c00kie-7f3a9e"
SESSION_SECRET = "SENTINEL-setcookie-41b2"
TOKEN_SECRET = "SENTINEL-xsec-token-88d0"
SECRETS = (COOKIE_SECRET, SESSION_SECRET, TOKEN_SECRET, "SENTINEL")

BASE = "https://edith.xiaohongshu.test"


def everything_about(exc: BaseException) -> str:
    parts = [str(exc), repr(exc), repr(exc.args), "".join(traceback.format_exception(exc))]
    return "\n".join(parts)


def test_secrets_never_leak_over_a_failing_run(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # root level: httpx / httpcore debug lines included
    env = {"XHS_COOKIE": f"a1={COOKIE_SECRET}; web_session={COOKIE_SECRET}-2"}
    settings = HttpSettings(cookie_env="XHS_COOKIE", max_attempts=3)
    echo_stdin_and_fail = CommandSigner(
        [sys.executable, "-c", "import sys; sys.stderr.write(sys.stdin.read()); sys.exit(1)"]
    )
    seen: list[str] = []
    params = {"keyword": "千万IP创科普", "xsec_token": TOKEN_SECRET}

    with respx.mock(assert_all_called=False) as router:
        router.get(f"{BASE}/api/sns/web/v1/homefeed").mock(
            return_value=httpx.Response(
                200, json={}, headers={"Set-Cookie": f"gid={SESSION_SECRET}; Path=/"}
            )
        )
        router.get(f"{BASE}/api/sns/web/v1/feed").mock(
            side_effect=[
                httpx.Response(503),
                httpx.ReadTimeout("timed out"),
                httpx.Response(403, text=f"forbidden {COOKIE_SECRET}"),
            ]
        )
        router.get(f"{BASE}/api/sns/web/v1/flaky").mock(return_value=httpx.Response(502))
        router.get(f"{BASE}/api/sns/web/v1/html").mock(
            return_value=httpx.Response(200, html=f"<p>{COOKIE_SECRET}</p>")
        )
        router.get(f"{BASE}/api/sns/web/v1/throttled").mock(
            return_value=httpx.Response(429, headers={"Retry-After": "1"})
        )
        router.get(f"{BASE}/api/sns/web/v1/redirect").mock(
            return_value=httpx.Response(
                302, headers={"Location": f"https://login.xiaohongshu.test/?t={TOKEN_SECRET}"}
            )
        )
        router.get(f"{BASE}/api/sns/web/v1/signed").mock(return_value=httpx.Response(200, json={}))

        http = HttpClient(
            "xiaohongshu",
            BASE,
            settings=settings,
            signer=echo_stdin_and_fail,
            sleep=lambda s: None,
            env=env,
        )
        with http:
            http.get_json("/api/sns/web/v1/homefeed")  # picks up the session cookie
            failures: list[tuple[str, type[BaseException]]] = [
                ("/api/sns/web/v1/feed", LoginRequired),
                ("/api/sns/web/v1/flaky", ConnectorError),
                ("/api/sns/web/v1/html", ParseError),
                ("/api/sns/web/v1/throttled", RateLimited),
                ("/api/sns/web/v1/redirect", LoginRequired),
            ]
            for path, expected in failures:
                with pytest.raises(expected) as info:
                    http.get_json(path, params=params)
                seen.append(everything_about(info.value))
            with pytest.raises(SignerError) as signer_info:
                http.get_json("/api/sns/web/v1/signed", params=params, sign=True)
            seen.append(everything_about(signer_info.value))
            seen.extend([repr(http), repr(http.settings), repr(http.stats), repr(http.signer)])
            assert http.stats.retries >= 4  # the run really went through retries

    seen.append(caplog.text)
    seen.extend(r.getMessage() for r in caplog.records)
    assert any("retrying" in r.getMessage() for r in caplog.records)
    assert any(r.name == "httpx" for r in caplog.records)  # httpx's own request log was seen
    blob = "\n".join(seen)
    # The run produced real messages about the right places ...
    assert "XHS_COOKIE" in blob and "edith.xiaohongshu.test/api/sns/web/v1/feed" in blob
    assert "exited with code 1" in blob
    # ... and no secret anywhere.
    for secret in SECRETS:
        assert secret not in blob


def test_signer_stderr_is_redacted_but_kept(caplog: Any) -> None:
    request = {
        "platform": "xiaohongshu",
        "method": "GET",
        "url": f"https://x.test/a?xsec_token={TOKEN_SECRET}",
        "params": {"xsec_token": TOKEN_SECRET},
        "body": None,
        "cookies": {"a1": COOKIE_SECRET},
    }
    fail = CommandSigner(
        [sys.executable, "-c", "import sys; print(sys.stdin.read(), file=sys.stderr); sys.exit(5)"]
    )
    with pytest.raises(SignerError) as info:
        fail.sign(request)
    text = str(info.value)
    assert "code 5" in text and '"platform": "xiaohongshu"' in text
    assert COOKIE_SECRET not in text and TOKEN_SECRET not in text
