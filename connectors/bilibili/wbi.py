"""Bilibili WBI request signing, in pure Python.

Bilibili's web API rejects unsigned search calls with a block that *looks like success*
(``code 0`` with ``data.v_voucher``), so the signature must be exact. The scheme:

1. ``img_key`` and ``sub_key`` are the file-name stems of ``data.wbi_img.img_url``/``sub_url``
   returned by ``x/web-interface/nav`` (served even when logged out, with code -101). They rotate
   daily, so callers cache them and refresh on a block.
2. ``mixin_key`` is ``img_key + sub_key`` reordered by a fixed 64-entry table, cut to 32 chars.
3. Add ``wts`` (epoch seconds), sort by key, drop the characters ``!'()*`` from every value and
   URL-encode with ``encodeURIComponent`` semantics: upper-case hex and a space as ``%20``. Form
   encoding (``+`` for a space) produces a different digest; that is the classic trap.
4. ``w_rid = md5(query + mixin_key)``.

The connector signs with :func:`sign`. The simulator checks signatures with its own
implementation (``tracker.sim.bilibili_wbi``), written separately from the published algorithm,
so a mistake here is caught by the simulator instead of being shared with it.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

__all__ = [
    "MIXIN_KEY_ENC_TAB",
    "gen_buvid3",
    "keys_from_nav",
    "mixin_key",
    "sign",
    "signing_string",
    "verify",
]

MIXIN_KEY_ENC_TAB: tuple[int, ...] = (
    46, 47, 18, 2, 53, 8, 23, 32, 15, 50, 10, 31, 58, 3, 45, 35, 27, 43, 5, 49,
    33, 9, 42, 19, 29, 28, 14, 39, 12, 38, 41, 13, 37, 48, 7, 16, 24, 55, 40,
    61, 26, 17, 0, 1, 60, 51, 30, 4, 22, 25, 54, 21, 56, 59, 6, 63, 57, 62, 11,
    36, 20, 34, 44, 52,
)  # fmt: skip
"""The published reordering table (64 positions into ``img_key + sub_key``)."""

_FILTERED = str.maketrans("", "", "!'()*")
_SIGNATURE_KEYS = frozenset({"w_rid"})


def mixin_key(img_key: str, sub_key: str) -> str:
    """The 32-character key mixed into every signature."""
    raw = img_key + sub_key
    if len(raw) < 64:
        raise ValueError(f"WBI keys too short: need 64 characters in total, got {len(raw)}")
    return "".join(raw[i] for i in MIXIN_KEY_ENC_TAB)[:32]


def _stem(url: str) -> str:
    return url.rsplit("/", 1)[-1].split(".", 1)[0]


def keys_from_nav(body: Mapping[str, Any]) -> tuple[str, str]:
    """``(img_key, sub_key)`` from a ``x/web-interface/nav`` body.

    The nav call answers code -101 ("not logged in") to anonymous clients yet still carries the
    keys, so the code is deliberately not checked here.
    """
    data = body.get("data") if isinstance(body, Mapping) else None
    wbi = data.get("wbi_img") if isinstance(data, Mapping) else None
    if not isinstance(wbi, Mapping):
        raise ValueError("nav response has no data.wbi_img")
    img_url, sub_url = wbi.get("img_url"), wbi.get("sub_url")
    if not isinstance(img_url, str) or not isinstance(sub_url, str):
        raise ValueError("nav response data.wbi_img lacks img_url/sub_url")
    img_key, sub_key = _stem(img_url), _stem(sub_url)
    if len(img_key) != 32 or len(sub_key) != 32:
        raise ValueError("nav response wbi_img keys are not 32 characters long")
    return img_key, sub_key


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def signing_string(params: Mapping[str, Any]) -> str:
    """The sorted, filtered, ``%20``-encoded query that is hashed (``w_rid`` itself left out)."""
    items = sorted((str(k), _text(v)) for k, v in params.items() if k not in _SIGNATURE_KEYS)
    return "&".join(
        f"{quote(k, safe='')}={quote(v.translate(_FILTERED), safe='')}" for k, v in items
    )


def _digest(params: Mapping[str, Any], key: str) -> str:
    return hashlib.md5((signing_string(params) + key).encode("utf-8")).hexdigest()


def sign(params: Mapping[str, Any], img_key: str, sub_key: str, *, wts: int) -> dict[str, str]:
    """A copy of ``params`` (values as strings) with ``wts`` and ``w_rid`` added.

    The original values are sent unfiltered; only the hashed string drops ``!'()*``, exactly as
    the browser does.
    """
    out = {str(k): _text(v) for k, v in params.items() if k not in _SIGNATURE_KEYS}
    out["wts"] = str(int(wts))
    out["w_rid"] = _digest(out, mixin_key(img_key, sub_key))
    return out


def verify(params: Mapping[str, Any], img_key: str, sub_key: str) -> bool:
    """True when ``params`` (as received, ``wts`` included) carry the right ``w_rid``."""
    got = params.get("w_rid")
    if not isinstance(got, str) or "wts" not in params:
        return False
    expected = _digest(params, mixin_key(img_key, sub_key))
    return hmac.compare_digest(got, expected)


def gen_buvid3(rng: random.Random | None = None) -> str:
    """An anonymous device id in the browser's ``buvid3`` form (``<UUID>NNNNNinfoc``).

    Search answers an HTML risk page or -412 when the Cookie carries no ``buvid3``; any well-formed
    value is accepted, so one is generated when the configured cookie has none.
    """
    r = rng or random.Random()
    u = uuid.UUID(int=r.getrandbits(128), version=4)
    return f"{str(u).upper()}{r.randrange(100000):05d}infoc"
