"""Douyin failure signals -> the tracker's typed errors (pure; used by the client's ``check``).

Douyin rarely says "no": its blocks look like success. An HTTP 200 with an empty body (the HTTP
layer raises that as ``Blocked`` when the platform's settings set ``empty_body_blocked``), an
empty JSON object, or a search answer with ``search_nil_info.search_nil_type`` of
``verify_check`` (captcha), ``antispam_check``/``hit_shark`` (risk control) or
``params_check``/``invalid_app`` (device parameters refused) are all blocks; only ``no_result``
means nothing was found. Reading a block as "no results" would end a run early and silently.

- login wall: ``status_code`` 8 ("用户未登录") and 2483 ("请先登录，再继续搜索吧");
- throttle: ``status_code`` 2154 ("请求太频繁"), retried with backoff;
- the gateway's own refusal ``{"ok": 0, "msg": "..."}`` (no ``status_code``, no data) is an
  error too, never an empty page: read as success, a challenge search "finds" no challenge and
  the run ends as complete with nothing collected;
- anything else non-zero (or ``ok: 0``) is classified by its message: a login word is
  ``LoginRequired``, a verification or refusal word ``Blocked``, "too frequent" ``RateLimited``,
  anything else ``ParseError`` (an answer the parser cannot use), except codes a caller handles
  itself (``allow_codes``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from connectors.douyin.parse import BLOCK_NIL_TYPES
from tracker.errors import Blocked, LoginRequired, ParseError, RateLimited

__all__ = ["LOGIN_CODES", "THROTTLE_CODES", "check_body"]

PLATFORM = "douyin"
LOGIN_CODES: frozenset[int] = frozenset({8, 2483})
THROTTLE_CODES: frozenset[int] = frozenset({2154})
LOGIN_WORDS = ("登录", "未登陆", "login")
BLOCK_WORDS = ("验证", "captcha", "verify", "拒绝", "拦截", "封禁", "风控", "denied", "forbidden")
THROTTLE_WORDS = ("频繁", "太快", "too frequent", "too many")


def _code(value: Any) -> Any:
    """``"8"`` as 8: a proxy or an older API may send the code as a string. A code that is no
    number or text (a list, an object) is its text: never success, and never an unhashable
    value for the set lookups below (the parsers' ``_body`` runs saved bodies through here)."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, list | dict):
        return repr(value)
    return value


def _message(body: Mapping[str, Any]) -> str:
    for key in ("status_msg", "msg", "message"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _refused(body: Mapping[str, Any]) -> bool:
    """The gateway's ``{"ok": 0, "msg": ...}``: ``ok`` false and no ``status_code`` of its own."""
    return "status_code" not in body and body.get("ok", 1) in (0, "0", False)


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
    code = _code(body.get("status_code"))
    message = _message(body)
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
    nil_type = nil.get("search_nil_type") if isinstance(nil, Mapping) else None
    if isinstance(nil_type, str) and nil_type in BLOCK_NIL_TYPES:
        raise Blocked(
            f"douyin blocked the search (search_nil_type={nil_type!r}): "
            "a captcha or risk-control wall, not 'no results'",
            platform=PLATFORM,
        )
    if _refused(body):
        raise _by_message(
            f"douyin refused the request (ok: {body.get('ok')!r}", message, cookie_variable
        )
    if code in (0, None) or code in allow_codes:
        return
    raise _by_message(f"douyin error (status_code {code}", message, cookie_variable)


def _by_message(
    what: str, message: str, cookie_variable: str | None
) -> LoginRequired | Blocked | RateLimited | ParseError:
    """The error an unlisted failure body means, read from its message (see the module doc)."""
    text = f"{what}, {message!r})"
    folded = message.casefold()
    if any(word in folded for word in LOGIN_WORDS):
        where = f"; renew {cookie_variable} (请更新环境变量 {cookie_variable} 中的 Cookie)"
        return LoginRequired(
            f"douyin requires a logged-in cookie: {text}{where if cookie_variable else ''}",
            platform=PLATFORM,
            variable=cookie_variable,
        )
    if any(word in folded for word in THROTTLE_WORDS):
        return RateLimited(f"douyin throttles this client: {text}", platform=PLATFORM)
    if any(word in folded for word in BLOCK_WORDS):
        return Blocked(f"douyin blocked the request (平台拦截): {text}", platform=PLATFORM)
    return ParseError(f"{text}: not an answer the parser can use", platform=PLATFORM)
