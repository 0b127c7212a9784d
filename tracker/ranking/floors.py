"""Counts the platform only showed as a floor ("100万+"): censored values, one bit per metric.

The store keeps such a figure (1,000,000) with the metric named in ``lower_bounds``
(``records.Metrics.lower_bounds``). The ranking reads those texts once into a small integer of
bits per row (``floor_bits``), so a million rows cost a byte each and every step can ask "is
this metric a floor?" with one ``&``.

How a floor is used, and why:

- **ranks**: a floor c says the true value X ≥ c. Against an exact value it is never lower, and
  against an exact c it is ranked above (ties broken up): the convention of Gehan's
  generalised Wilcoxon test for censored data, where a value censored at c exceeds an
  observation of exactly c. Two floors at the same c stay tied. A score read from a normal
  model (small platforms) uses c itself: a lower bound of the score.
- **risk evidence**: a signal that a floor can only make look *weaker* (the floor in a ratio's
  numerator, or at the end of a growth interval) is still evidence; a signal that a floor can
  make look *stronger* (the floor in a ratio's denominator, or at the start of a growth
  interval: "100万+" then an exact 3,456,789 is no jump) is not evidence and is left out.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from tracker.ranking.settings import METRIC_NAMES_ZH
from tracker.records import read_lower_bounds

__all__ = [
    "FLOOR_BIT",
    "any_floor",
    "floor_bits",
    "floor_labels_zh",
    "floor_names",
    "floor_note_zh",
    "frame_floor_bits",
    "rank_key",
    "shown_floor",
]

FLOOR_BIT: dict[str, int] = {
    "views": 1,
    "likes": 2,
    "comments": 4,
    "shares": 8,
    "favorites": 16,
}
"""The bit of each metric in ``floor_bits``."""


def floor_bits(values: pd.Series | np.ndarray | Iterable[str | None]) -> np.ndarray:
    """``uint8`` bits of stored ``lower_bounds`` texts (``None``: 0). Each distinct text is
    read once: a million rows hold a handful of them."""
    arr = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    codes, uniques = pd.factorize(arr.astype(object), use_na_sentinel=True)
    per_text = np.array(
        [sum(FLOOR_BIT[m] for m in read_lower_bounds(str(t))) for t in uniques] + [0],
        dtype=np.uint8,
    )
    return per_text[codes]  # code -1 (NULL) takes the trailing 0


def frame_floor_bits(frame: pd.DataFrame) -> np.ndarray:
    """A frame's ``floor_bits`` column; read from ``lower_bounds`` texts when it has those
    instead (hand-built frames); zeros when it has neither (every figure exact)."""
    if "floor_bits" in frame.columns:
        return frame["floor_bits"].fillna(0).to_numpy(dtype=np.uint8)
    if "lower_bounds" in frame.columns:
        return floor_bits(frame["lower_bounds"])
    return np.zeros(len(frame), dtype=np.uint8)


def any_floor(bits: np.ndarray, metrics: Iterable[str]) -> np.ndarray:
    """Rows where any of ``metrics`` is a floor."""
    mask = sum(FLOOR_BIT[m] for m in metrics)
    return (np.asarray(bits, dtype=np.uint8) & np.uint8(mask)) != 0


def rank_key(values: np.ndarray, floor: np.ndarray | None) -> np.ndarray:
    """``values`` to rank with, a floor just above its exact equals (see the module text):
    the next float up ties with no other value, so it moves past exact equals only."""
    values = np.asarray(values, dtype="float64")
    if floor is None or not np.any(floor):
        return values
    return np.where(floor, np.nextafter(values, np.inf), values)


def floor_names(bits: int) -> list[str]:
    """The metric names of one row's bits, in the store's metric order."""
    return [m for m, bit in FLOOR_BIT.items() if int(bits) & bit]


def floor_labels_zh(bits: np.ndarray) -> np.ndarray:
    """Per row, the Chinese names of its floored metrics ("评论、转发"), ``None`` without any:
    the marker column of the lists. Built per distinct value (at most 32 of them)."""
    bits = np.asarray(bits, dtype=np.uint8)
    labels = np.array(
        ["、".join(METRIC_NAMES_ZH[m] for m in floor_names(b)) or None for b in range(32)],
        dtype=object,
    )
    return labels[bits & 31]


def shown_floor(value: float) -> str:
    """A floor as a platform displays it ("100万+", "10万+", "999+"), for explanations."""
    n = int(value)
    for unit, size in (("亿", 100_000_000), ("万", 10_000)):
        if n >= size and n % (size // 10) == 0:
            text = f"{n / size:.1f}".removesuffix(".0")
            return f"{text}{unit}+"
    return f"{n:,}+"


def floor_note_zh(bits: int, values: dict[str, float]) -> str:
    """One row's floors in words ("评论数为下限（100万+）、转发数为下限（10万+）"); "" if none."""
    parts = [
        f"{METRIC_NAMES_ZH[m]}数为下限（{shown_floor(values[m])}）"
        for m in floor_names(bits)
        if m in values
    ]
    return "、".join(parts)
