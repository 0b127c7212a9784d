"""The simulator's own check of Bilibili's WBI signature, written from the published algorithm.

The simulator stands in for Bilibili, so it must not borrow the connector's signing code: a
mistake there would then be accepted by the very check meant to catch it. This module is written
separately from the algorithm as published (bilibili-API-collect, ``docs/misc/sign/wbi.md``):

1. ``mixin_key``: ``img_key + sub_key`` read through the 64-entry ``MIXIN_KEY_ENC_TAB``, first
   32 characters;
2. the request's parameters with ``wts`` (``w_rid`` left out), the characters ``!'()*`` removed
   from every value, sorted by name, encoded as ``encodeURIComponent`` does (``%20`` for a space,
   upper-case hex);
3. ``w_rid = md5(query + mixin_key)``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote, urlencode

__all__ = ["MIXIN_KEY_ENC_TAB", "expected_w_rid", "mixin_key", "verify"]

MIXIN_KEY_ENC_TAB = [
    46, 47, 18, 2, 53, 8, 23, 32, 15, 50, 10, 31, 58, 3, 45, 35, 27, 43, 5, 49,
    33, 9, 42, 19, 29, 28, 14, 39, 12, 38, 41, 13, 37, 48, 7, 16, 24, 55, 40,
    61, 26, 17, 0, 1, 60, 51, 30, 4, 22, 25, 54, 21, 56, 59, 6, 63, 57, 62, 11,
    36, 20, 34, 44, 52,
]  # fmt: skip
"""The published table: position ``i`` of the mixin key is character ``TAB[i]`` of the keys."""

_DROPPED = frozenset("!'()*")


def mixin_key(img_key: str, sub_key: str) -> str:
    raw = img_key + sub_key
    return "".join(map(raw.__getitem__, MIXIN_KEY_ENC_TAB))[:32]


def expected_w_rid(params: Mapping[str, str], img_key: str, sub_key: str) -> str:
    """The ``w_rid`` Bilibili expects for ``params`` as received (``wts`` included)."""
    cleaned = {
        name: "".join(ch for ch in str(value) if ch not in _DROPPED)
        for name, value in params.items()
        if name != "w_rid"
    }
    query = urlencode(sorted(cleaned.items()), quote_via=quote, safe="")
    return hashlib.md5(f"{query}{mixin_key(img_key, sub_key)}".encode()).hexdigest()


def verify(params: Mapping[str, str], img_key: str, sub_key: str) -> bool:
    """True when the request carries ``wts`` and the right ``w_rid`` for these keys."""
    got = params.get("w_rid")
    if not got or "wts" not in params:
        return False
    return hmac.compare_digest(str(got), expected_w_rid(params, img_key, sub_key))
