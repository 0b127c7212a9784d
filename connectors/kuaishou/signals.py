"""Kuaishou failure signals -> the tracker's typed errors (pure; used by the client's ``check``).

Kuaishou answers almost every failure as HTTP 200 with a ``result`` code, at the top level (REST)
or under ``data.<operation>`` (GraphQL). Reading those as "no results" would silently lose works,
so every code but 1 is an error:

- ``result 2``: rate limited (retried with backoff by the HTTP layer);
- ``result 50``: the request was not signed, or the signature was rejected (blocked);
- ``result 2001`` / a ``captchaConfig``: the antispam captcha (blocked);
- ``result 109``: login required (assumed from Kuaishou's web APIs; not in the public notes);
- GraphQL ``errors`` without data: the query itself failed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from connectors._client_common import retry_after
from connectors.kuaishou.parse import RESULT_MEANINGS, result_code
from tracker.errors import Blocked, ConnectorError, LoginRequired, RateLimited, SignatureRejected

__all__ = ["BLOCK_CODES", "LOGIN_CODES", "THROTTLE_CODES", "check_body"]

PLATFORM = "kuaishou"
THROTTLE_CODES: frozenset[int] = frozenset({2})
BLOCK_CODES: frozenset[int] = frozenset({50, 2001})
LOGIN_CODES: frozenset[int] = frozenset({109})


def _containers(body: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The objects that may carry a ``result``: the body itself and each GraphQL operation."""
    yield "", body
    data = body.get("data")
    if isinstance(data, Mapping):
        for name, value in data.items():
            if isinstance(value, Mapping):
                yield f"{name}.", value


def check_body(body: Any, response: Any = None, *, cookie_variable: str | None = None) -> None:
    """Raise the typed error a Kuaishou body stands for; return None when it carries data."""
    if not isinstance(body, Mapping):
        raise Blocked("kuaishou answered a body that is not a JSON object", platform=PLATFORM)
    for where, container in _containers(body):
        if container.get("captchaConfig"):
            raise Blocked(
                f"kuaishou asks for a captcha ({where}captchaConfig; 快手要求验证码)",
                platform=PLATFORM,
            )
        code = result_code(container)
        if code is None or code == 1:
            continue
        message = container.get("error_msg") or RESULT_MEANINGS.get(code, "")
        if code in THROTTLE_CODES:
            raise RateLimited(
                f"kuaishou throttles this client ({where}result {code}, {message!r})",
                platform=PLATFORM,
                retry_after=retry_after(response),
            )
        if code in BLOCK_CODES:
            hint = (
                "; the signer plug-in's __NS_hxfalcon was missing or rejected" if code == 50 else ""
            )
            error = SignatureRejected if code == 50 else Blocked
            raise error(
                f"kuaishou blocked the request ({where}result {code}, {message!r}){hint}",
                platform=PLATFORM,
            )
        if code in LOGIN_CODES:
            renew = f"; renew {cookie_variable}" if cookie_variable else ""
            raise LoginRequired(
                f"kuaishou requires a logged-in cookie ({where}result {code}){renew} "
                "(登录失效，请更新 Cookie)",
                platform=PLATFORM,
                variable=cookie_variable,
            )
        raise ConnectorError(
            f"kuaishou error ({where}result {code}, {message!r})", platform=PLATFORM
        )
    errors = body.get("errors")
    if errors and not isinstance(body.get("data"), Mapping):
        first = errors[0] if isinstance(errors, list) and errors else errors
        message = first.get("message") if isinstance(first, Mapping) else first
        raise ConnectorError(f"kuaishou graphql error: {message!r}", platform=PLATFORM)
