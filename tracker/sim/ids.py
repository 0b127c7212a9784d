"""Stable hashing and reversible id schemes for the simulated world.

A world of 10^6 posts per platform is never stored, so every id must be computable from a post's
index *and* decodable back to that index when a request names it (``aweme_id=...``,
``bvid=...``, ``sec_user_id=...``). Each scheme here is a bijection (an affine map modulo a power
or a range, a time-ordered base plus stride with a hashed check part, or the publish second on
top of a rank and check) that produces ids in the platform's real shape: 16-digit Weibo mids
with base62 mblogids, 19-digit Douyin ids, ``3x...`` Kuaishou ids, Bilibili aid/BV pairs, 24-hex
Xiaohongshu ids and so on. Weibo, Douyin and Xiaohongshu ids encode the publish second the way
the real ones do (:class:`SecondIds`), since the connectors date posts by them.

Python's ``hash()`` is salted per process; everything here uses blake2b or integer mixing so a
seed gives the same world in every process.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from math import gcd

MASK64 = (1 << 64) - 1
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
WEIBO_MID_EPOCH = 515_483_463
"""A Weibo mid is ``(unix_second - WEIBO_MID_EPOCH) << 22`` plus 22 low bits."""


def stable_hash(*parts: object) -> int:
    """A 64-bit hash of ``parts`` (by their ``str``), identical across processes."""
    data = "\x1f".join(map(str, parts)).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def mix64(x: int) -> int:
    """splitmix64's finaliser: a cheap, well-spread hash of an integer (no allocation)."""
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def unit_float(x: int) -> float:
    """``mix64(x)`` mapped to [0, 1)."""
    return (mix64(x) >> 11) / float(1 << 53)


class Affine:
    """A seeded bijection of ``range(modulus)``: ``x -> (a*x + b) mod modulus``."""

    __slots__ = ("a", "a_inv", "b", "modulus")

    def __init__(self, key: int, modulus: int) -> None:
        a = (mix64(key) % modulus) | 1
        while gcd(a, modulus) != 1:
            a += 2
        self.a = a % modulus
        self.b = mix64(key ^ 0x5DEECE66D) % modulus
        self.modulus = modulus
        self.a_inv = pow(self.a, -1, modulus)

    def enc(self, x: int) -> int:
        return (self.a * x + self.b) % self.modulus

    def dec(self, y: int) -> int:
        return ((y - self.b) * self.a_inv) % self.modulus


def to_base(n: int, alphabet: str, width: int = 0) -> str:
    if n < 0:
        raise ValueError("negative")
    base = len(alphabet)
    out = []
    while n:
        n, r = divmod(n, base)
        out.append(alphabet[r])
    s = "".join(reversed(out)) or alphabet[0]
    return s.rjust(width, alphabet[0])


def from_base(s: str, alphabet: str) -> int:
    base = len(alphabet)
    n = 0
    for ch in s:
        d = alphabet.find(ch)
        if d < 0:
            raise ValueError(f"bad digit {ch!r}")
        n = n * base + d
    return n


class StrideIds:
    """Time-ordered numeric ids: ``base + index*stride + check`` where ``check`` is hashed.

    Real Bilibili aids and Zhihu ids grow with publication time; since a world's posts are
    published in index order, so do these (Weibo, Douyin and Xiaohongshu use :class:`SecondIds`,
    whose ids also say the second). ``check`` makes neighbouring ids look irregular and lets
    :meth:`decode` reject ids that were never issued.
    """

    __slots__ = ("base", "key", "stride")

    def __init__(self, key: int, base: int, stride: int) -> None:
        self.key = key
        self.base = base
        self.stride = stride

    def encode(self, index: int) -> int:
        return self.base + index * self.stride + mix64(self.key ^ index) % self.stride

    def decode(self, value: int) -> int | None:
        index, _ = divmod(value - self.base, self.stride)
        if index < 0 or self.encode(index) != value:
            return None
        return index


class SecondIds:
    """Snowflake-style ids that carry their post's publish second: ``((t - epoch) << bits) | low``.

    Real Weibo mids (``epoch`` 515483463, 22 low bits), Douyin aweme ids (``epoch`` 0, 32 bits)
    and Xiaohongshu ObjectIds (the first 8 hex digits, 64 bits below) say when the post was made,
    and the connectors read that time when a body lacks one. Here ``low`` is ``rank * slot +
    check``: ``rank`` is the post's place among the posts published in the same second
    (``index - first_at(t)``), ``check`` a hash of the index below ``slot = 2**bits //
    max_per_second``. So ids grow with the index, decode in O(1) (``first_at(t) + rank``), and
    :meth:`decode` accepts exactly the ids :meth:`encode` issues.

    ``time_of(index)`` is the publish second of ``index`` (non-decreasing), ``first_at(t)`` the
    first index published at or after ``t`` (``n`` when none), and ``max_per_second`` an upper
    bound on the posts published in any one second; :meth:`encode` refuses a post past it.
    """

    __slots__ = ("bits", "epoch", "first_at", "key", "max_per_second", "n", "slot", "time_of")

    def __init__(
        self,
        key: int,
        *,
        bits: int,
        epoch: int,
        n: int,
        time_of: Callable[[int], int],
        first_at: Callable[[int], int],
        max_per_second: int,
    ) -> None:
        slot = (1 << bits) // max(1, max_per_second)
        if slot < 2:
            raise ValueError(f"{max_per_second} posts a second do not fit in {bits} bits")
        self.key = key
        self.bits = bits
        self.epoch = epoch
        self.n = n
        self.time_of = time_of
        self.first_at = first_at
        self.max_per_second = max_per_second
        self.slot = slot

    def encode(self, index: int) -> int:
        if not 0 <= index < self.n:
            raise IndexError(index)
        t = self.time_of(index)
        rank = index - self.first_at(t)
        if not 0 <= rank < self.max_per_second or t < self.epoch:
            raise ValueError(f"post {index} at {t} does not fit the id scheme")
        low = rank * self.slot + mix64(self.key ^ index) % self.slot
        return ((t - self.epoch) << self.bits) | low

    def decode(self, value: int) -> int | None:
        """The index ``value`` was issued for, or ``None`` when no post has that id."""
        if value < 0:
            return None
        t = (value >> self.bits) + self.epoch
        rank = (value & ((1 << self.bits) - 1)) // self.slot
        if rank >= self.max_per_second:
            return None
        index = self.first_at(t) + rank
        if not 0 <= index < self.n or self.encode(index) != value:
            return None
        return index


# --- Weibo mid <-> mblogid (base62 in groups of 7 decimal digits) ---------------------------


def mid_to_mblogid(mid: str) -> str:
    """Weibo's short id: the decimal mid cut into 7-digit groups from the right, each in base62."""
    parts = []
    rest = mid
    while rest:
        chunk, rest = rest[-7:], rest[:-7]
        enc = to_base(int(chunk), BASE62)
        parts.append(enc.rjust(4, "0") if rest else enc)
    return "".join(reversed(parts))


def mblogid_to_mid(mblogid: str) -> str:
    parts = []
    rest = mblogid
    while rest:
        chunk, rest = rest[-4:], rest[:-4]
        dec = str(from_base(chunk, BASE62))
        parts.append(dec.rjust(7, "0") if rest else dec)
    return "".join(reversed(parts))


# --- Bilibili aid <-> bvid (the public BV algorithm) -----------------------------------------

_BV_XOR = 23442827791579
_BV_MASK = (1 << 51) - 1
_BV_MAX = 1 << 51
_BV_ALPHABET = "FcwAPNKTMug3GV5Lj7EJnHpWsx4tb8haYeviqBz6rkCy12mUSDQX9RdoZf"
_BV_POSITIONS = (8, 7, 0, 5, 1, 3, 2, 4, 6)


def aid_to_bvid(aid: int) -> str:
    chars = [""] * 9
    value = (_BV_MAX | aid) ^ _BV_XOR
    for pos in _BV_POSITIONS:
        value, digit = divmod(value, 58)
        chars[pos] = _BV_ALPHABET[digit]
    return "BV1" + "".join(chars)


def is_bvid(value: str) -> bool:
    """``BV1`` and nine characters of the BV alphabet (base 58: no ``0``, ``O``, ``I``, ``l``)."""
    return (
        len(value) == 12 and value.startswith("BV1") and all(c in _BV_ALPHABET for c in value[3:])
    )


def bvid_to_aid(bvid: str) -> int:
    if len(bvid) != 12 or not bvid.upper().startswith("BV1"):
        raise ValueError(f"not a bvid: {bvid!r}")
    body = bvid[3:]
    value = 0
    for pos in reversed(_BV_POSITIONS):
        digit = _BV_ALPHABET.find(body[pos])
        if digit < 0:
            raise ValueError(f"not a bvid: {bvid!r}")
        value = value * 58 + digit
    return (value ^ _BV_XOR) & _BV_MASK


# --- opaque tokens ------------------------------------------------------------------------------


def token(key: int, nbytes: int, *, prefix_bytes: bytes = b"") -> str:
    """URL-safe base64 without padding of ``prefix_bytes`` followed by hash-derived filler."""
    filler = hashlib.blake2b(key.to_bytes(8, "little"), digest_size=64).digest()
    raw = (prefix_bytes + filler)[:nbytes]
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def untoken(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
