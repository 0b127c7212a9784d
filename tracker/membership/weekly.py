"""Week over week: each city's and unit's works, interactions and participation in the last 7
days against the 7 before.

The weeks end at the report's as-of time (the latest collection, or the end of ``--date``):
``this`` is [as_of − 7 d, as_of), ``previous`` [as_of − 14 d, as_of − 7 d).

- works: campaign works (excluded and deleted ones left out) published in the week;
- interactions: what the week added to the campaign's works' interactions (likes + comments +
  shares + favorites), read from the metric snapshots: the latest snapshot at or before the
  week's end minus the latest at or before its start (a work without a snapshot counts 0);
- participation: accounts (per unit) and units (per city) with a work published in the week.

Cities are the units' registry cities; provincial units (省直单位) are their own row, as in
:mod:`tracker.membership.unreported`. The change is absolute and relative; the relative change
is ``None`` (shown "—") when the earlier week is 0. :func:`week_over_week` is pure;
:func:`load_week_inputs` reads its rows through the read home.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from tracker.membership.counted import CountedWorks
from tracker.membership.unreported import group_order, unit_group
from tracker.store.queries import Connection
from tracker.store.queries.participation import latest_capture, week_rows

__all__ = [
    "WEEK",
    "WeekInputs",
    "WeekOverWeek",
    "change_text",
    "load_week_inputs",
    "week_over_week",
]

WEEK = timedelta(days=7)
METRICS = ("likes", "comments", "shares", "favorites")
MEASURES = ("works", "interactions", "participants")


@dataclass(slots=True)
class WeekOverWeek:
    as_of: datetime
    cities: pd.DataFrame
    """group, then for each measure ``<m>_this``, ``<m>_prev``, ``<m>_change``, ``<m>_pct``
    (``participants`` = units with a work in the week)."""
    units: pd.DataFrame
    """unit_id, unit_name, unit_kind, city, group and the same columns (``participants`` =
    accounts with a work in the week)."""


@dataclass(slots=True)
class WeekInputs:
    works: pd.DataFrame
    snapshots: pd.DataFrame
    as_of: datetime | None


def _utc(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True)


def _level(snapshots: pd.DataFrame, at: pd.Timestamp) -> pd.Series:
    """Each work's interactions at ``at``: its latest snapshot at or before it (of two taken
    at the same instant, the later row)."""
    if not len(snapshots):
        return pd.Series(dtype="float64")
    s = snapshots[(snapshots["_t"] <= at).to_numpy(dtype=bool)]
    if not len(s):
        return pd.Series(dtype="float64")
    key = s["_key"].to_numpy()
    if key.dtype == np.int64:  # sorted in numpy: by work, then time, then row
        t = s["_t"].to_numpy(dtype="datetime64[ns]").view(np.int64)
        order = np.lexsort((np.arange(len(s)), t, key))
        ends = np.r_[key[order][1:] != key[order][:-1], True]
        rows = order[ends]
        return pd.Series(s["_i"].to_numpy()[rows], index=key[rows])
    last = s.sort_values("_t", kind="stable").drop_duplicates("_key", keep="last")
    return last.set_index("_key")["_i"]


def _key(frame: pd.DataFrame) -> pd.Series:
    return frame["platform"].astype("str") + "\x1f" + frame["platform_post_id"].astype("str")


def _with_change(frame: pd.DataFrame) -> pd.DataFrame:
    for m in MEASURES:
        this, prev = frame[f"{m}_this"], frame[f"{m}_prev"]
        frame[f"{m}_change"] = this - prev
        pct = (this - prev) / prev.where(prev > 0)
        frame[f"{m}_pct"] = pct.astype("object").where(pct.notna(), None)
    return frame


def week_over_week(
    works: pd.DataFrame,
    snapshots: pd.DataFrame,
    account_units: pd.DataFrame,
    units: pd.DataFrame,
    as_of: datetime,
) -> WeekOverWeek:
    """Per city and per unit: this week against the previous (see the module doc).

    ``works``: platform, platform_post_id, account_uid, published_at (the counted works).
    ``snapshots``: platform, platform_post_id, captured_at and the metrics; optionally
    ``work_row``, each snapshot's row in ``works`` (-1 for none; ``works`` then lists each
    post once), which spares matching them by key.
    ``account_units``: platform, platform_uid, unit_id. ``units``: unit_id, unit_name,
    unit_kind, city (every registry unit is listed, zeros included).
    """
    end = pd.Timestamp(as_of)
    end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
    mid, start = end - WEEK, end - 2 * WEEK
    w = works.copy()
    s = snapshots.copy()
    w_keys: pd.Series | None = None
    s_keys: pd.Series | None = None
    if "work_row" in s.columns:  # the snapshot's row in works, each work once: the key
        w_keys = pd.Series(np.arange(len(w), dtype=np.int64), index=w.index)
        s_keys = pd.Series(s["work_row"].to_numpy(dtype=np.int64), index=s.index)
    if len(w):
        w["_key"] = w_keys if w_keys is not None else _key(w)
    else:
        w["_key"] = pd.Series(dtype="object")
    t = _utc(w["published_at"]) if len(w) else pd.Series(dtype="datetime64[ns, UTC]")
    w["_this"] = ((t >= mid) & (t < end)).fillna(False).to_numpy(dtype=bool)
    w["_prev"] = ((t >= start) & (t < mid)).fillna(False).to_numpy(dtype=bool)
    if len(s):
        s["_key"] = s_keys if s_keys is not None else _key(s)
        s["_t"] = _utc(s["captured_at"])
        s["_i"] = sum(
            pd.to_numeric(s[m], errors="coerce").fillna(0) if m in s.columns else 0 for m in METRICS
        )
    levels = {at: _level(s, at) for at in (start, mid, end)}
    keys = w["_key"]

    def at(when: pd.Timestamp) -> np.ndarray:
        return keys.map(levels[when]).fillna(0).to_numpy(dtype="float64")

    w["_i_this"] = at(end) - at(mid) if len(w) else 0.0
    w["_i_prev"] = at(mid) - at(start) if len(w) else 0.0

    au = account_units[["platform", "platform_uid", "unit_id"]].drop_duplicates()
    au = au.rename(columns={"platform_uid": "account_uid"}).astype(
        {"platform": "str", "account_uid": "str"}
    )
    joined = w.astype({"platform": "str", "account_uid": "str"}).merge(
        au, on=["platform", "account_uid"], how="inner"
    )
    base = units[["unit_id", "unit_name", "unit_kind", "city"]].drop_duplicates("unit_id").copy()
    base["group"] = unit_group(base["city"], base["unit_kind"])
    joined = joined.merge(base[["unit_id", "group"]], on="unit_id", how="left")
    acct = joined["platform"] + "\x1f" + joined["account_uid"]
    joined = joined.assign(_acct=acct)

    def per(by: str, who: str) -> pd.DataFrame:
        rows = {}
        for week in ("this", "prev"):
            mine = joined[joined[f"_{week}"].to_numpy(dtype=bool)]
            g = mine.groupby(by, sort=False)
            rows[f"works_{week}"] = g["_key"].nunique()
            rows[f"participants_{week}"] = g[who].nunique()
            inter = joined.drop_duplicates([by, "_key"]).groupby(by, sort=False)[f"_i_{week}"].sum()
            rows[f"interactions_{week}"] = inter
        # Indexed by every registry unit or group, in the registry's dtype: a week with no
        # work at all groups nothing, and an empty groupby's float index would not merge.
        return pd.DataFrame(rows).reindex(pd.Index(base[by].unique(), name=by))

    unit_rows = per("unit_id", "_acct")
    city_rows = per("group", "unit_id")
    cols = [f"{m}_{wk}" for m in MEASURES for wk in ("this", "prev")]
    out_units = base.merge(unit_rows, left_on="unit_id", right_index=True, how="left")
    ordered = sorted(base["group"].unique(), key=group_order)
    groups = pd.DataFrame({"group": pd.Series(ordered, dtype="object")})
    out_cities = groups.merge(city_rows, left_on="group", right_index=True, how="left")
    for frame in (out_units, out_cities):
        for c in cols:
            frame[c] = frame[c].fillna(0).round().astype("int64") if c in frame else 0
        _with_change(frame)
    out_units = out_units.assign(_o=out_units["group"].map(group_order)).sort_values(
        ["_o", "unit_name"], kind="stable"
    )
    return WeekOverWeek(
        end.to_pydatetime(),
        out_cities.reset_index(drop=True),
        out_units.drop(columns="_o").reset_index(drop=True),
    )


def change_text(change: int, pct: float | None) -> str:
    """``+12（+25.0%）``; ``—`` for the percentage when the earlier week was 0."""
    rel = "—" if pct is None or pd.isna(pct) else f"{100 * pct:+.1f}%"
    return f"{change:+,}（{rel}）"


def load_week_inputs(
    conn: Connection,
    campaign_id: int,
    until: datetime | None = None,
    counted: CountedWorks | None = None,
) -> WeekInputs:
    """The counted works of a campaign, their snapshots up to ``until`` and the as-of time
    (``until``, else the latest snapshot), from the read home; with ``counted`` (the same works
    and snapshots, taken from the ranking's frames: ``tracker.membership.counted``) only the
    as-of time is read."""
    if counted is None:
        rows = week_rows(conn, campaign_id, until)
        return WeekInputs(rows.works, rows.snapshots, rows.as_of)
    works = counted.works[["platform", "platform_post_id", "account_uid", "published_at"]]
    snaps = counted.snapshots
    if until is not None and len(snaps):
        snaps = snaps[(snaps["captured_at"] <= pd.Timestamp(until)).to_numpy(dtype=bool)]
    return WeekInputs(works, snaps, until if until is not None else latest_capture(conn))
