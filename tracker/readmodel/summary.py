"""The read model's figures as plain JSON values: what a report embeds and a pack records.

One function turns the facts under a selection into the headline, per-platform and per-city
figures (and, given the ranking's unit table, per-unit ones), so every file that carries the
numbers in machine-readable form carries the same numbers, and a test can read them back from
any output and compare.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import pandas as pd

from tracker.ranking.selection import Selection
from tracker.readmodel.facts import Facts, by_city, by_platform, headline

__all__ = ["FIGURE_COLUMNS", "figures_json"]

FIGURE_COLUMNS = ("works", "accounts", "interactions", "weighted", "views", "flagged")
UNIT_COLUMNS = ("unit_id", "unit_name", "city", "unit_kind", "works", "active_accounts")


def _plain(value: Any) -> Any:
    """A JSON value: numbers as int/float (None for missing), times as ISO text."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return round(value, 6)
    return value


def _records(frame: pd.DataFrame, key: str, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    cols = [key, *(c for c in columns if c in frame.columns and c != key)]
    return [
        {c: _plain(v) for c, v in zip(cols, row, strict=True)}
        for row in frame[cols].itertuples(index=False)
    ]


def figures_json(
    facts: Facts, selection: Selection, units: pd.DataFrame | None = None
) -> dict[str, Any]:
    """Headline, per-platform, per-city and (with ``units``, the ranking's unit table of the
    same works) per-unit figures of ``facts`` under ``selection``."""
    head = {k: _plain(v) for k, v in headline(facts, selection).items()}
    out: dict[str, Any] = {
        "selection": selection.as_dict(),
        "headline": head,
        "by_platform": _records(by_platform(facts, selection), "platform", FIGURE_COLUMNS),
        "by_city": _records(by_city(facts, selection), "city", (*FIGURE_COLUMNS, "units")),
    }
    if units is not None:
        live = units[units["works"] > 0] if len(units) else units
        out["by_unit"] = _records(live.sort_values("unit_id"), "unit_id", UNIT_COLUMNS)
    return out
