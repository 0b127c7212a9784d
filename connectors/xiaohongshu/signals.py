"""Xiaohongshu failure signals -> the tracker's typed errors (pure; used by the client's ``check``).

Xiaohongshu mixes HTTP statuses with a body ``code``; several blocks look like success (the IP
captcha body says ``"success": true`` under HTTP 461), so the status is read with the body:

- HTTP 461 / 471 (headers ``Verifytype``/``Verifyuuid``), code 300012 (IP at risk), 300011
  (account flagged), HTTP 400/406 with ``code -1`` (the ``X-S`` signature is outdated or wrong):
  blocked;
- code 300013 (访问频次异常): rate limited, retried with backoff by the HTTP layer;
- code -100 / -101 (no or expired login), -104 (this login may not use the endpoint): login
  required;
- code -510000 / -510001 on ``feed``: the note is deleted or not viewable; only the detail call
  accepts them (``allow_not_found``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors._client_common import retry_after
from connectors.xiaohongshu.parse import NOT_FOUND_CODES
from tracker.errors import Blocked, ConnectorError, LoginRequired, RateLimited, SignatureRejected

__all__ = ["BLOCK_CODES", "CAPTCHA_STATUSES", "LOGIN_CODES", "THROTTLE_CODES", "check_body"]

PLATFORM = "xiaohongshu"
CAPTCHA_STATUSES: frozenset[int] = frozenset({461, 471})
THROTTLE_CODES: frozenset[int] = frozenset({300013})
BLOCK_CODES: frozenset[int] = frozenset({300011, 300012})
LOGIN_CODES: frozenset[int] = frozenset({-100, -101, -104})


def check_body(
    body: Any,
    response: Any = None,
    *,
    cookie_variable: str | None = None,
    allow_not_found: bool = False,
) -> None:
    """Raise the typed error a Xiaohongshu answer stands for; return None when it carries data."""
    status = getattr(response, "status_code", 200)
    headers = getattr(response, "headers", None) or {}
    if status in CAPTCHA_STATUSES:
        kind = headers.get("Verifytype") or headers.get("verifytype") or "?"
        raise Blocked(
            f"xiaohongshu answered a captcha (HTTP {status}, Verifytype {kind}; 小红书要求验证)",
            platform=PLATFORM,
        )
    if not isinstance(body, Mapping):
        raise Blocked("xiaohongshu answered a body that is not a JSON object", platform=PLATFORM)
    code = body.get("code", 0)
    message = body.get("msg") or body.get("message") or ""
    if code == 0 and status < 400:
        return
    if allow_not_found and code in NOT_FOUND_CODES:
        return
    if code in THROTTLE_CODES:
        raise RateLimited(
            f"xiaohongshu throttles this client (code {code}, {message!r})",
            platform=PLATFORM,
            retry_after=retry_after(response),
        )
    if code in BLOCK_CODES:
        raise Blocked(
            f"xiaohongshu blocked the request (code {code}, {message!r})", platform=PLATFORM
        )
    if code in LOGIN_CODES:
        renew = f"; renew {cookie_variable}" if cookie_variable else ""
        raise LoginRequired(
            f"xiaohongshu requires a logged-in cookie (code {code}, {message!r}){renew} "
            "(登录失效，请更新 Cookie)",
            platform=PLATFORM,
            variable=cookie_variable,
        )
    if status in (400, 406) or code == -1:
        raise SignatureRejected(
            f"xiaohongshu rejected the request signature (HTTP {status}, code {code}): the "
            "signer plug-in's X-S is missing or outdated",
            platform=PLATFORM,
        )
    if status >= 400:
        return  # the HTTP layer maps a bare status (401/403 login, 404, 5xx retried)
    raise ConnectorError(f"xiaohongshu error code {code} ({message!r})", platform=PLATFORM)
