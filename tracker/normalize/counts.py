"""Parse the count strings platforms display (``1.2万``, ``100万+``, ``169.8w``, ``1.1亿``, ``3,456``).

Every connector funnels its counts through :func:`parse_count` so that "10万+" means the same thing on
every platform. Scaling is done in :class:`decimal.Decimal` because binary floats turn ``1.1亿`` into
``110000000.00000001`` and ``169.8w`` into ``1697999.9999999998``; a ranking that moves by one because
of float error is a bug nobody can find later.

A missing metric is ``None`` (never 0): platforms show ``-`` or an empty string when they hide a count.

A trailing ``+`` ("100万+", "10万+", "1w+") means the platform stopped counting out loud: the figure
is a floor, not the count. :func:`parse_count` keeps returning the floor for callers that only
need a number; :func:`parse_count_bound` also says that it is a floor, and :func:`lower_bounded`
names the metrics of a record that are, so the store, the outputs and the ranking can treat such
a figure as "at least" instead of exact.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import NamedTuple

__all__ = ["CountReading", "lower_bounded", "parse_count", "parse_count_bound"]

# Placeholders platforms use for "not shown". Compared after NFKC + strip.
_MISSING = frozenset({"", "-", "--", "—", "——"})

# Multipliers by unit, compared case-insensitively. "w" is the pinyin shorthand for 万 used by
# Douyin/Kuaishou web; "m" shows up on TikTok-style UIs.
_UNITS: dict[str, int] = {
    "": 1,
    "k": 1_000,
    "千": 1_000,
    "w": 10_000,
    "万": 10_000,
    "m": 1_000_000,
    "百万": 1_000_000,
    "千万": 10_000_000,
    "亿": 100_000_000,
}

_COUNT_RE = re.compile(
    r"(?P<num>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<unit>百万|千万|[k千w万m亿]?)\s*(?P<plus>\+?)",
    re.ASCII,
)

# Separators people put inside numbers: thousands commas and (thin/normal) spaces.
_INNER_SEP_RE = re.compile(r"[,\s\u00a0\u2009\u202f']")


def _bad(value: object, why: str) -> ValueError:
    return ValueError(f"cannot parse count {value!r}: {why}")


def _round_half_up(d: Decimal) -> int:
    # A context wide enough for the whole value: the default 28 digits would round long digit
    # strings and make quantize() raise InvalidOperation (not a ValueError).
    ctx = Context(prec=max(28, d.adjusted() + 2), rounding=ROUND_HALF_UP)
    return int(d.quantize(Decimal(1), context=ctx))


class CountReading(NamedTuple):
    """A parsed count and whether the platform only showed a floor of it ("100万+")."""

    value: int | None
    lower_bound: bool


def parse_count(value: str | int | float | None) -> int | None:
    """Return the count as a non-negative ``int``, ``None`` when the platform shows no count.

    A displayed floor ("100万+") gives the floor (1,000,000); use :func:`parse_count_bound` to
    know that it is one. Raises ``ValueError`` (and only ``ValueError``) for anything that is not
    a count, including negative numbers and booleans, so a connector can turn it into a
    ``RejectRecord``.
    """
    return parse_count_bound(value).value


def parse_count_bound(value: str | int | float | None) -> CountReading:
    """Like :func:`parse_count`, plus ``lower_bound``: the text ended in "+" ("10万+", "1w+").

    Numbers (ints, floats) are always exact; only a display string can be a floor. A missing
    count is ``(None, False)``: there is no figure to be a floor of.
    """
    if isinstance(value, str):
        return _parse_count_str(value)
    return CountReading(_parse_count_number(value), False)


def lower_bounded(**raw: object) -> frozenset[str]:
    """The names whose raw value is a displayed floor ("100万+"), for ``Metrics.lower_bounds``.

    Connectors call it beside the ``parse_count`` calls of the same raw values, so a figure
    keeps its "at least" meaning without each parser re-implementing the "+" rule. Never
    raises: a value that is not a count is the count parser's to reject, not a floor.
    """
    floors = []
    for name, value in raw.items():
        if isinstance(value, str):
            try:
                reading = _parse_count_str(value)
            except ValueError:
                continue
            if reading.lower_bound and reading.value is not None:
                floors.append(name)
    return frozenset(floors)


def _parse_count_number(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        # bool is an int subclass; a True "count" is always a mapping bug upstream.
        raise _bad(value, "a boolean is not a count")
    if isinstance(value, int):
        if value < 0:
            raise _bad(value, "negative")
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise _bad(value, "not a finite number")
        if value < 0:
            raise _bad(value, "negative")
        # repr() gives the shortest decimal that round-trips, so 1.15 stays 1.15 rather than
        # 1.149999... and rounds half up as a reader would expect.
        return _round_half_up(Decimal(repr(value)))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _bad(value, "not a finite number")
        if value < 0:
            raise _bad(value, "negative")
        return _round_half_up(value)
    raise _bad(value, f"unsupported type {type(value).__name__}")


def _parse_count_str(raw: str) -> CountReading:
    s = unicodedata.normalize("NFKC", raw).strip()
    if s in _MISSING:
        return CountReading(None, False)
    if s.startswith("-"):
        raise _bad(raw, "negative")
    s = _INNER_SEP_RE.sub("", s).lower()
    m = _COUNT_RE.fullmatch(s)
    if m is None:
        raise _bad(raw, "not a number with an optional unit (万/w/亿/k/千) and '+'")
    try:
        number = Decimal(m.group("num"))
    except InvalidOperation as exc:  # pragma: no cover - the regex only admits valid decimals
        raise _bad(raw, "not a decimal number") from exc
    ctx = Context(prec=len(m.group("num")) + 12)  # exact: the unit adds at most 9 digits
    value = _round_half_up(ctx.multiply(number, Decimal(_UNITS[m.group("unit")])))
    return CountReading(value, bool(m.group("plus")))
