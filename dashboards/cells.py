"""Table cells shared by the HTML report and the printable city pages.

Each is a ``Column`` formatter ``(value, row) -> html``: the report and the city pages must show a
platform, a unit kind, a review status or a floored figure ("≥1,000,000") the same way, so the
formatters live here once instead of one page borrowing the other's private helpers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from connectors.catalogue import PLATFORM_NAMES_ZH
from dashboards.figures import safe_text
from dashboards.report import fmt_value, safe_link
from tracker.config import UNIT_KIND_NAMES_ZH
from tracker.ranking.floors import FLOOR_BIT
from tracker.records import REVIEW_STATUS_ZH

__all__ = [
    "Cell",
    "at_least",
    "beijing_time",
    "kind_cell",
    "platform_cell",
    "platform_list",
    "review_cell",
    "work_cell",
]

Cell = Callable[[Any, dict[str, Any]], str]


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and pd.isna(v))


def platform_cell(v: Any, _rec: Any) -> str:
    """The platform's Chinese name (an unknown code as it is)."""
    return safe_text(PLATFORM_NAMES_ZH.get(str(v), str(v)))


def work_cell(_v: Any, rec: dict[str, Any]) -> str:
    """The work's label, linked to its page when the URL is safe to link."""
    return safe_link(rec.get("url"), rec.get("label") or "")


def review_cell(v: Any, _rec: Any) -> str:
    return safe_text(REVIEW_STATUS_ZH.get(str(v), str(v)))


def kind_cell(v: Any, _rec: Any) -> str:
    """The unit kind's Chinese name; "—" for a work whose account has no unit."""
    if _missing(v):
        return "—"
    return safe_text(UNIT_KIND_NAMES_ZH.get(str(v), str(v)))


def platform_list(v: Any) -> str:
    """``"weibo,bilibili"`` (or ``、``-separated) as ``"微博、哔哩哔哩"``."""
    if _missing(v):
        return "—"
    parts = [p.strip() for p in str(v).replace("、", ",").split(",") if p.strip()]
    return "、".join(PLATFORM_NAMES_ZH.get(p, p) for p in parts)


def at_least(fmt: str, metric: str | None = None) -> Cell:
    """A number cell shown as "≥1,000,000" when the figure is only a floor ("100万+"):
    ``metric``'s bit in ``floor_bits``, or, for I (``metric`` None), ``interactions_floor``."""

    def cell(v: Any, rec: dict[str, Any]) -> str:
        text = fmt_value(v, fmt)
        if metric is None:
            floored = bool(rec.get("interactions_floor"))
        else:
            bits = rec.get("floor_bits")
            floored = not pd.isna(bits) and bool(int(bits) & FLOOR_BIT[metric])
        return safe_text(("≥" if floored and text != "—" else "") + text)

    return cell


def beijing_time(v: Any) -> str:
    """A UTC timestamp as Beijing ``YYYY-MM-DD HH:MM`` ("—" when there is none)."""
    if v is None:
        return "—"
    return pd.Timestamp(v).tz_convert("Asia/Shanghai").strftime("%Y-%m-%d %H:%M")
