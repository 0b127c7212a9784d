"""Bilibili video ids: the ``BV`` id is the post id; ``av`` numbers convert to it.

The tracker keys a Bilibili work by its ``bvid`` (the id in today's public URLs). Older links and
some API fields use the numeric ``aid`` (``av170001``); the two are a reversible encoding of each
other (base-58 over a fixed alphabet, with a XOR mask and two swapped positions), so a submission
that cites ``av…`` and a live run that reads ``BV…`` end on the same post.
"""

from __future__ import annotations

import re

__all__ = ["aid_to_bvid", "bvid_to_aid", "is_bvid"]

_ALPHABET = "FcwAPNKTMug3GV5Lj7EJnHpWsx4tb8haYeviqBz6rkCy12mUSDQX9RdoZf"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
_BASE = 58
_XOR = 23442827791579
_MASK = (1 << 51) - 1
_MAX_AID = 1 << 51
_BVID_RE = re.compile(r"^BV1[1-9A-HJ-NP-Za-km-z]{9}$")


def is_bvid(value: str) -> bool:
    return bool(_BVID_RE.match(value))


def _swap(chars: list[str]) -> None:
    chars[3], chars[9] = chars[9], chars[3]
    chars[4], chars[7] = chars[7], chars[4]


def aid_to_bvid(aid: int) -> str:
    """``BV…`` for a numeric ``aid`` (valid for every aid below 2**51)."""
    if isinstance(aid, bool) or not isinstance(aid, int) or not 0 < aid < _MAX_AID:
        raise ValueError(f"not a Bilibili aid: {aid!r}")
    chars = list("BV1000000000")
    n = (_MAX_AID | aid) ^ _XOR
    pos = len(chars) - 1
    while n > 0:
        chars[pos] = _ALPHABET[n % _BASE]
        n //= _BASE
        pos -= 1
    _swap(chars)
    return "".join(chars)


def bvid_to_aid(bvid: str) -> int:
    """The numeric ``aid`` behind a ``BV…`` id."""
    if not isinstance(bvid, str) or not is_bvid(bvid):
        raise ValueError(f"not a Bilibili BV id: {bvid!r}")
    chars = list(bvid)
    _swap(chars)
    n = 0
    for c in chars[3:]:
        n = n * _BASE + _INDEX[c]
    return (n & _MASK) ^ _XOR
