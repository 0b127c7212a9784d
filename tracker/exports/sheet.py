"""A list ready to be written: Chinese headers, and what kind of value each column holds.

The kind decides how a writer treats a column, so the rules live in one place: ``id`` columns
are text with a text number format (long platform ids must never become numbers), ``text`` and
``long`` are user-generated strings (never formulas; ``long`` gets a wider, wrapped column),
``time`` is a naive Beijing datetime, and the numeric kinds carry their display precision.

``floors`` marks the numbers that are only lower bounds (a count the platform showed as
"100万+"): the writers show them as "≥1,000,000", and the xlsx cell stays a number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["KINDS", "Column", "Kind", "Sheet", "build_frame"]

Kind = Literal["id", "text", "long", "int", "num", "score", "ratio", "pct", "time", "url"]
KINDS: tuple[str, ...] = (
    "id",
    "text",
    "long",
    "int",
    "num",
    "score",
    "ratio",
    "pct",
    "time",
    "url",
)
TEXT_KINDS = frozenset({"id", "text", "long", "url"})


@dataclass(frozen=True, slots=True)
class Column:
    """One output column: the source column of the frame, its header and its kind."""

    source: str
    header: str
    kind: Kind = "text"


@dataclass
class Sheet:
    """A named table with Chinese headers; ``kinds`` maps each header to its kind.

    ``floors`` maps a numeric column's header to a boolean mask over the frame's rows: the
    value is a floor (≥). Columns without floors are simply absent.
    """

    name: str
    frame: pd.DataFrame
    kinds: Mapping[str, str] = field(default_factory=dict)
    title: str | None = None
    floors: Mapping[str, np.ndarray] = field(default_factory=dict)

    def kind(self, header: str) -> str:
        return self.kinds.get(header, "text")

    def floor(self, header: str, start: int = 0, stop: int | None = None) -> np.ndarray | None:
        """The floor mask of ``header`` for rows ``start:stop``; ``None`` when it has none."""
        mask = self.floors.get(header)
        if mask is None:
            return None
        part = np.asarray(mask, dtype=bool)[start:stop]
        return part if part.any() else None


def build_frame(source: pd.DataFrame, columns: Sequence[Column]) -> tuple[pd.DataFrame, dict]:
    """Select and rename ``columns`` (absent sources become empty columns) -> (frame, kinds)."""
    kinds = {col.header: col.kind for col in columns}
    names = list(source.columns)
    if len(set(names)) == len(names) and len(kinds) == len(columns):
        return _taken_frame(source, columns, {name: i for i, name in enumerate(names)}), kinds
    data = {}
    for col in columns:
        if col.source in source.columns:
            values = source[col.source]
        else:
            values = pd.Series([None] * len(source), index=source.index, dtype="object")
        data[col.header] = values.reset_index(drop=True)
    return pd.DataFrame(data), kinds


def _taken_frame(source: pd.DataFrame, columns: Sequence[Column], where: dict) -> pd.DataFrame:
    """``build_frame`` with one positional take of the present columns instead of a column at a
    time (a frame from many Series costs more than the writing of a small list)."""
    present = [col for col in columns if col.source in where]
    frame = source.iloc[:, [where[col.source] for col in present]]
    frame = frame.set_axis([col.header for col in present], axis=1).reset_index(drop=True)
    for i, col in enumerate(columns):
        if col.source not in where:
            frame.insert(i, col.header, pd.Series([None] * len(frame), dtype="object"))
    return frame
