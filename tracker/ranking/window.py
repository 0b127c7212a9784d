"""The campaign window: which works were published inside it, and which may be commended.

The rule (decided with the campaign office): a work published outside the campaign window
(``window_start`` to ``window_end``, local dates in the campaign's zone) is kept, scored and
listed, marked 窗口外, because staff must see what was posted with the tag; but unless staff
admitted it by hand (``tracker campaign include``, ``matched_by == "manual"``) it counts for
nothing in creator and unit scores and never enters a commendation list (recommendations, the
summary's 优秀作品 sheet and its best-work columns). Its score still takes part in the
percentiles: those describe the whole field of tagged works.

A work whose publish time is unknown counts as inside: nothing proves it outside, and a
platform that hides the time should not cost a unit its work.

Pure pandas: the campaign arrives as the ``campaign`` dict of ``RankingFrames`` (the stored
row: ``window_start`` and ``window_end`` as UTC instants, start of the first local day and end
of the last; plain dates are read in its ``timezone``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

__all__ = [
    "WINDOW_ZH",
    "commendable",
    "window_bounds",
    "window_flags",
    "window_label",
    "window_labels",
]

WINDOW_ZH = {"inside": "窗口内", "outside": "窗口外", "admitted": "人工加入"}
"""How a work stands against the window: published inside, outside, or outside but admitted
by staff (``人工加入``; an admitted work published inside is simply 窗口内)."""

DEFAULT_ZONE = "Asia/Shanghai"


def _bound(value: Any, zone: str, *, end: bool) -> pd.Timestamp | None:
    """One end of the window as a UTC instant: a stored instant as it is (naive read as UTC,
    the store's convention), a plain date as the start (or end) of that local day."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        local = datetime.combine(value, time.max if end else time.min, ZoneInfo(zone))
        return pd.Timestamp(local).tz_convert("UTC")
    ts = pd.Timestamp(value)
    if pd.isna(ts):
        return None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def window_bounds(
    campaign: Mapping[str, Any] | None,
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """(start, end) of the campaign window as UTC instants, both inclusive; None where the
    campaign (or that end of its window) is unknown, which leaves that side open."""
    if not campaign:
        return None, None
    zone = campaign.get("timezone") or DEFAULT_ZONE
    return (
        _bound(campaign.get("window_start"), zone, end=False),
        _bound(campaign.get("window_end"), zone, end=True),
    )


def window_flags(works: pd.DataFrame, campaign: Mapping[str, Any] | None) -> pd.DataFrame:
    """``in_window`` and ``admitted`` of each work (on ``works``' index).

    ``in_window``: published between the window's start and end, inclusive; True when the
    publish time is unknown (we cannot prove the work outside) or the campaign has no window.
    ``admitted``: staff added the work by hand (``matched_by == "manual"``); False when the
    frame has no ``matched_by``.
    """
    n = len(works)
    inside = np.ones(n, dtype=bool)
    start, end = window_bounds(campaign)
    if "published_at" in works.columns and (start is not None or end is not None):
        published = pd.to_datetime(works["published_at"], utc=True)
        known = published.notna().to_numpy()
        if start is not None:
            inside &= ~known | (published >= start).fillna(False).to_numpy(dtype=bool)
        if end is not None:
            inside &= ~known | (published <= end).fillna(False).to_numpy(dtype=bool)
    admitted = np.zeros(n, dtype=bool)
    if "matched_by" in works.columns:
        admitted = (works["matched_by"].astype("object") == "manual").to_numpy(dtype=bool)
    return pd.DataFrame({"in_window": inside, "admitted": admitted}, index=works.index)


def commendable(works: pd.DataFrame) -> np.ndarray:
    """Works that may count for commendation as far as the window goes: inside it or admitted.
    A frame without the flags (built before they existed) keeps every work."""
    mask = np.ones(len(works), dtype=bool)
    if "in_window" in works.columns:
        inside = works["in_window"].astype("boolean").fillna(True).to_numpy(dtype=bool)
        admitted = (
            works["admitted"].astype("boolean").fillna(False).to_numpy(dtype=bool)
            if "admitted" in works.columns
            else np.zeros(len(works), dtype=bool)
        )
        mask &= inside | admitted
    return mask


def window_label(in_window: Any, admitted: Any) -> str:
    """One work's 窗口内 / 窗口外 / 人工加入 from its flags (a missing flag: inside, not
    admitted), for a table built row by row."""
    if in_window is None or in_window is pd.NA or bool(in_window):
        return WINDOW_ZH["inside"]
    admitted_ok = admitted is not None and admitted is not pd.NA and bool(admitted)
    return WINDOW_ZH["admitted"] if admitted_ok else WINDOW_ZH["outside"]


def window_labels(works: pd.DataFrame) -> pd.Series:
    """窗口内 / 窗口外 / 人工加入 of each work (on ``works``' index); 窗口内 without the flags."""
    labels = np.full(len(works), WINDOW_ZH["inside"], dtype=object)
    if "in_window" in works.columns:
        outside = ~works["in_window"].astype("boolean").fillna(True).to_numpy(dtype=bool)
        admitted = (
            works["admitted"].astype("boolean").fillna(False).to_numpy(dtype=bool)
            if "admitted" in works.columns
            else np.zeros(len(works), dtype=bool)
        )
        labels[outside] = WINDOW_ZH["outside"]
        labels[outside & admitted] = WINDOW_ZH["admitted"]
    return pd.Series(labels, index=works.index, dtype=object)
