"""Bilibili failure signals -> the tracker's typed errors (pure; used by the client's ``check``).

Bilibili reports most failures inside an HTTP 200 (or 412) JSON body with a negative ``code``, and
its worst one as *success*: a missing or wrong WBI signature answers ``code 0`` with
``data.v_voucher`` and no results. Reading that as "nothing found" would silently lose a day of
works, so ``v_voucher`` is checked before ``code``.

- throttles (retried with backoff): -412 request intercepted, -799 too frequent, -509 over limit;
- blocks (stop the platform): ``data.v_voucher`` under any code, -352 risk check failed,
  -401 illegal access, -403 no permission (a bad WBI gives -403 on some endpoints);
- login wall: -101 (except on ``nav``, which answers -101 to every anonymous caller).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from connectors._client_common import retry_after
from tracker.errors import Blocked, ConnectorError, LoginRequired, RateLimited

__all__ = ["BLOCK_CODES", "THROTTLE_CODES", "VoucherBlocked", "check_body"]

PLATFORM = "bilibili"
THROTTLE_CODES: frozenset[int] = frozenset({-412, -799, -509})
BLOCK_CODES: frozenset[int] = frozenset({-352, -401, -403})
LOGIN_CODES: frozenset[int] = frozenset({-101})


class VoucherBlocked(Blocked):
    """The ``v_voucher`` block: usually stale WBI keys, so worth one retry with fresh keys.
    A signed request tries that remedy before the HTTP layer's pause (``voucher_pause``)."""


def check_body(
    body: Any,
    response: Any = None,
    *,
    allow_codes: Collection[int] = (),
    cookie_variable: str | None = None,
    voucher_pause: bool = True,
) -> None:
    """Raise the typed error a Bilibili body stands for; return None when it carries data.

    ``allow_codes`` lets a caller handle codes itself (``nav``'s -101, ``view``'s not-found codes);
    ``voucher_pause=False`` raises a voucher at once, for a caller that first renews its keys.
    """
    if not isinstance(body, Mapping):
        raise Blocked("bilibili answered a body that is not a JSON object", platform=PLATFORM)
    data = body.get("data")
    if isinstance(data, Mapping) and data.get("v_voucher"):
        voucher = VoucherBlocked(
            "bilibili answered a risk-control voucher (data.v_voucher): the WBI signature, "
            "cookie (buvid3) or User-Agent was rejected",
            platform=PLATFORM,
        )
        voucher.pause_helps = voucher_pause
        raise voucher
    code = body.get("code")
    if code == 0 or code in allow_codes:
        return
    message = body.get("message")
    if code in THROTTLE_CODES:
        raise RateLimited(
            f"bilibili throttles this client (code {code}, {message!r})",
            platform=PLATFORM,
            retry_after=retry_after(response),
        )
    if code in BLOCK_CODES:
        raise Blocked(f"bilibili blocked the request (code {code}, {message!r})", platform=PLATFORM)
    if code in LOGIN_CODES:
        where = f"; renew {cookie_variable}" if cookie_variable else ""
        raise LoginRequired(
            f"bilibili requires a logged-in cookie (code {code}){where}",
            platform=PLATFORM,
            variable=cookie_variable,
        )
    raise ConnectorError(f"bilibili error code {code} ({message!r})", platform=PLATFORM)
