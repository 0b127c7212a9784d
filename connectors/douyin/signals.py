"""Douyin failure signals -> the tracker's typed errors (pure; used by the client's ``check``).

Douyin rarely says "no": its blocks look like success. An HTTP 200 with an empty body (the HTTP
layer raises that as ``Blocked`` when the platform's settings set ``empty_body_blocked``), an
empty JSON object, or a search answer with ``search_nil_info.search_nil_type`` of
``verify_check`` (captcha), ``antispam_check``/``hit_shark`` (risk control) or
``params_check``/``invalid_app`` (device parameters refused) are all blocks; only ``no_result``
means nothing was found. Reading a block as "no results" would end a run early and silently.

- login wall: ``status_code`` 8 ("用户未登录") and 2483 ("请先登录，再继续搜索吧");
- throttle: ``status_code`` 2154 ("请求太频繁"), retried with backoff;
- anything else non-zero is an API error, except codes a caller handles itself (``allow_codes``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from connectors.douyin.parse import BLOCK_NIL_TYPES
from tracker.errors import Blocked, ConnectorError, LoginRequired, RateLimited

__all__ = ["LOGIN_CODES", "THROTTLE_CODES", "check_body"]

PLATFORM = "douyin"
LOGIN_CODES: frozenset[int] = frozenset({8, 2483})
THROTTLE_CODES: frozenset[int] = frozenset({2154})


def check_body(
    body: Any,
    response: Any = None,
    *,
    allow_codes: Collection[int] = (),
    cookie_variable: str | None = None,
) -> None:
    """Raise the typed error a Douyin body stands for; return None when it carries data."""
    if body is None or (isinstance(body, str | Mapping | list) and not body):
        raise Blocked(
            "douyin answered an empty body (the platform's silent block, not 'no results')",
            platform=PLATFORM,
        )
    if not isinstance(body, Mapping):
        raise Blocked("douyin answered a body that is not a JSON object", platform=PLATFORM)
    code = body.get("status_code")
    message = body.get("status_msg")
    if code in LOGIN_CODES:
        where = f"; renew {cookie_variable}" if cookie_variable else ""
        raise LoginRequired(
            f"douyin requires a logged-in cookie (status_code {code}, {message!r}){where}",
            platform=PLATFORM,
            variable=cookie_variable,
        )
    if code in THROTTLE_CODES:
        raise RateLimited(f"douyin throttles this client (status_code {code})", platform=PLATFORM)
    nil = body.get("search_nil_info")
    if isinstance(nil, Mapping) and nil.get("search_nil_type") in BLOCK_NIL_TYPES:
        raise Blocked(
            f"douyin blocked the search (search_nil_type={nil.get('search_nil_type')!r}): "
            "a captcha or risk-control wall, not 'no results'",
            platform=PLATFORM,
        )
    if code in (0, None) or code in allow_codes:
        return
    raise ConnectorError(f"douyin error status_code {code} ({message!r})", platform=PLATFORM)
