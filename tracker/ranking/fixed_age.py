"""Read every work's metrics at a fixed age (default 7 days), as 清博's monthly lists do.

Counts grow with age; a work published the day before the deadline would lose to one published a
month earlier on age alone. So each work is judged on the first snapshot taken at or after
``published_at + N days``; a work not yet that old (or never re-sampled after that age) uses its
latest snapshot; a work with no snapshot at all uses the latest metrics on the post row. The basis
is a column, so exports can say which reading each score used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.ranking.floors import frame_floor_bits
from tracker.ranking.keys import from_ns, positions, to_ns

__all__ = ["BASIS_ZH", "READ_METRICS", "fixed_age_reading"]

READ_METRICS = ("views", "likes", "comments", "shares", "favorites")
NS_PER_DAY = 86_400 * 10**9

BASIS_ZH = {
    "age": "第N天快照",
    "latest_snapshot": "最新快照（未满期）",
    "post_latest": "作品最新数据（无快照）",
}


def fixed_age_reading(
    posts: pd.DataFrame,
    snapshots: pd.DataFrame,
    days: float,
    *,
    snapshot_pos: np.ndarray | None = None,
) -> pd.DataFrame:
    """Metrics of each post at age ``days``, on ``posts``' index.

    ``posts``: platform, platform_post_id, published_at and the metric columns (the latest values,
    used when there is no snapshot), optionally last_collected_at.
    ``snapshots``: platform, platform_post_id, captured_at, metric columns, optionally
    followers_at_capture. Snapshots of unknown posts are ignored. ``snapshot_pos`` (each
    snapshot's row in ``posts``, -1 if none) may be passed when already computed.

    Returns ``reading_basis`` (age | latest_snapshot | post_latest), ``reading_at``,
    ``reading_age_days``, the five metrics (nullable Int64), ``followers_at_capture`` and
    ``floor_bits``: which of the metrics read are floors ("100万+", see ``floors``), from the
    same snapshot (or post row) as the figures, so a figure and its mark never come apart.
    """
    n = len(posts)
    pub_ns, pub_known = to_ns(posts["published_at"])
    target = pub_ns + int(round(days * NS_PER_DAY))

    if "last_collected_at" in posts.columns:
        read_ns, read_known = to_ns(posts["last_collected_at"])
    else:
        read_ns, read_known = np.zeros(n, np.int64), np.zeros(n, bool)
    chosen_snap = np.full(n, -1, dtype=np.int64)
    chosen_after = np.zeros(n, dtype=bool)
    if len(snapshots) and n:
        pos = positions(posts, snapshots) if snapshot_pos is None else snapshot_pos
        t, t_known = to_ns(snapshots["captured_at"])
        ok = (pos >= 0) & t_known
        rows = np.flatnonzero(ok).astype(np.int64)
        pos, t = pos[ok], t[ok]
        after = pub_known[pos] & (t >= target[pos])
        # No sort: per post, the earliest snapshot at/after the target and the latest overall,
        # each found with one unbuffered ufunc.at over a packed (seconds, row) key.
        t0 = int(t.min())
        packed = ((t - t0) // 10**9).astype(np.int64) * _ROW_SPAN + rows
        big = np.iinfo(np.int64).max
        earliest_after = np.full(n, big, dtype=np.int64)
        np.minimum.at(earliest_after, pos[after], packed[after])
        latest = np.full(n, -1, dtype=np.int64)
        np.maximum.at(latest, pos, packed)
        has_after = earliest_after != big
        pick = np.where(has_after, earliest_after, latest)
        has = pick >= 0
        chosen_snap[has] = pick[has] % _ROW_SPAN
        chosen_after[has] = has_after[has]
        read_ns[has] = t_all_of(snapshots, chosen_snap[has])
        read_known[has] = True

    has_snap = chosen_snap >= 0
    post_rows = np.flatnonzero(has_snap)
    snap_take = chosen_snap[has_snap]
    out = pd.DataFrame(index=posts.index)
    basis = np.where(has_snap, np.where(chosen_after, "age", "latest_snapshot"), "post_latest")
    out["reading_basis"] = pd.Categorical(basis, categories=list(BASIS_ZH))
    out["reading_at"] = from_ns(read_ns, read_known, posts.index)
    ok_age = pub_known & read_known
    out["reading_age_days"] = np.where(ok_age, (read_ns - pub_ns) / NS_PER_DAY, np.nan)

    for m in (*READ_METRICS, "followers_at_capture"):
        if m in posts.columns and m != "followers_at_capture":
            values, missing = _int_parts(posts[m])
        else:
            values, missing = np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)
        if len(snap_take):
            if m in snapshots.columns:
                s_values, s_missing = _int_parts(snapshots[m])
                values[post_rows] = s_values[snap_take]
                missing[post_rows] = s_missing[snap_take]
            else:
                missing[post_rows] = True
        out[m] = pd.arrays.IntegerArray(values, missing)
    bits = frame_floor_bits(posts).copy()
    if len(snap_take):
        bits[post_rows] = frame_floor_bits(snapshots)[snap_take]
    out["floor_bits"] = bits
    return out


_ROW_SPAN = 1 << 27
"""Rows per packed key: snapshots up to 134 M, times up to 2^36 s after the first one."""


def t_all_of(snapshots: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Nanosecond capture times of the given snapshot rows."""
    t, _ = to_ns(snapshots["captured_at"].iloc[rows])
    return t


def _int_parts(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(int64 values with 0 for NA, NA mask) of a count column, as fresh writable arrays."""
    arr = s.astype("Int64").array
    return arr.to_numpy(dtype="int64", na_value=0).copy(), np.asarray(arr.isna()).copy()
