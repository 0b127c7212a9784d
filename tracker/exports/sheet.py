"""A list ready to be written: Chinese headers, and what kind of value each column holds.

The kind decides how a writer treats a column, so the rules live in one place: ``id`` columns
are text with a text number format (long platform ids must never become numbers), ``text`` and
``long`` are user-generated strings (never formulas; ``long`` gets a wider, wrapped column),
``time`` is a naive Beijing datetime, and the numeric kinds carry their display precision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

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
    """A named table with Chinese headers; ``kinds`` maps each header to its kind."""

    name: str
    frame: pd.DataFrame
    kinds: Mapping[str, str] = field(default_factory=dict)
    title: str | None = None

    def kind(self, header: str) -> str:
        return self.kinds.get(header, "text")


def build_frame(source: pd.DataFrame, columns: Sequence[Column]) -> tuple[pd.DataFrame, dict]:
    """Select and rename ``columns`` (absent sources become empty columns) -> (frame, kinds)."""
    data = {}
    kinds = {}
    for col in columns:
        if col.source in source.columns:
            values = source[col.source]
        else:
            values = pd.Series([None] * len(source), index=source.index, dtype="object")
        data[col.header] = values.reset_index(drop=True)
        kinds[col.header] = col.kind
    return pd.DataFrame(data), kinds
