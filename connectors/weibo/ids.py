"""Weibo post ids: the numeric ``mid`` is the post id; the base62 ``mblogid`` converts to it.

weibo.com URLs and the ``ajax/statuses`` API name a post by its ``mblogid`` (``OxYz12AbC``),
m.weibo.cn and the stored key by its ``mid``. The two are a reversible encoding, so a submitted
link, a capture and a live run end on the same post.
"""

from __future__ import annotations

from connectors.workref import WorkUrlError

__all__ = ["BASE62", "mblogid_to_mid", "mid_to_mblogid"]

BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_B62 = {c: i for i, c in enumerate(BASE62)}


def _b62_decode(chunk: str) -> int:
    value = 0
    for c in chunk:
        if c not in _B62:
            raise WorkUrlError(f"微博短 id 含非法字符 {c!r}")
        value = value * 62 + _B62[c]
    return value


def _b62_encode(number: int) -> str:
    if number == 0:
        return "0"
    out = []
    while number:
        number, digit = divmod(number, 62)
        out.append(BASE62[digit])
    return "".join(reversed(out))


def mblogid_to_mid(mblogid: str) -> str:
    """Weibo's base62 short id (``OxYz12AbC``) -> the numeric ``mid``.

    The mid is cut into 7-digit groups from the right and each group written as 4 base62 digits
    (the leftmost group unpadded), so decoding reverses that group by group.
    """
    if not mblogid:
        raise WorkUrlError("空的微博短 id")
    parts: list[str] = []
    rest = mblogid
    while rest:
        chunk, rest = rest[-4:], rest[:-4]
        digits = str(_b62_decode(chunk))
        if rest and len(digits) > 7:
            raise WorkUrlError(f"不是微博短 id: {mblogid!r}")
        parts.append(digits.rjust(7, "0") if rest else digits)
    return "".join(reversed(parts))


def mid_to_mblogid(mid: str) -> str:
    """The numeric ``mid`` -> Weibo's base62 short id (inverse of :func:`mblogid_to_mid`)."""
    if not mid.isdigit():
        raise WorkUrlError(f"不是微博 mid: {mid!r}")
    parts: list[str] = []
    rest = mid
    while rest:
        chunk, rest = rest[-7:], rest[:-7]
        enc = _b62_encode(int(chunk))
        parts.append(enc.rjust(4, "0") if rest else enc)
    return "".join(reversed(parts))
