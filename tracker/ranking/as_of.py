"""The deadline cut: the stored tables as they stood at one instant.

The notice's lists are due on fixed dates (9-27, 10-10), and collection goes on afterwards. A
list "as of" an instant must hold what was known then: works first seen or published after it
are left out, and every metric comes from the latest snapshot at or before it, never from a
later refresh. Applied to the tables as read, before the ranking assembles its frames, so the
ranking, the read model and every file cut at the same instant see the same numbers.

Review decisions are not cut: staff review the cut data afterwards, and the pack carries their
decisions as recorded. Account follower counts are the latest known (the account table keeps no
history); the fixed-age reading uses the snapshots' own ``followers_at_capture``.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

__all__ = ["cut_tables"]

METRICS = ("views", "likes", "comments", "shares", "favorites")


def _kept(posts: pd.DataFrame, cut: pd.Timestamp) -> np.ndarray:
    """Posts published (when known) and first seen (when known) at or before ``cut``."""
    keep = np.ones(len(posts), dtype=bool)
    for col in ("published_at", "first_collected_at"):
        if col in posts.columns:
            at = pd.to_datetime(posts[col], utc=True)
            keep &= (at.isna() | (at <= cut)).to_numpy(dtype=bool)
    return keep


def _latest_values(
    posts: pd.DataFrame, snaps: pd.DataFrame, rows: np.ndarray, had_snapshot: np.ndarray
) -> pd.DataFrame:
    """``posts`` with metrics, floors and last_collected_at from their latest snapshot in
    ``snaps`` (``rows``: each snapshot's post); a post that has snapshots, none of them before
    the cut, keeps no metric rather than a later one."""
    out = posts.copy()
    n = len(out)
    last = np.full(n, -1, dtype=np.int64)
    if len(snaps):
        captured = pd.to_datetime(snaps["captured_at"], utc=True).to_numpy(dtype="datetime64[ns]")
        order = np.lexsort((captured, rows))
        ends = np.flatnonzero(np.r_[rows[order][1:] != rows[order][:-1], True])
        last[rows[order][ends]] = order[ends]
    hit = last >= 0
    reset = had_snapshot & ~hit
    take = np.where(hit, last, 0)
    for m in METRICS:
        if m not in out.columns or m not in snaps.columns:
            continue
        values = out[m].astype("Int64").array.copy()
        if hit.any():
            values[hit] = snaps[m].astype("Int64").array.take(take[hit])
        if reset.any():
            values[reset] = pd.NA
        out[m] = values
    if "lower_bounds" in out.columns and "lower_bounds" in snaps.columns:
        bounds = out["lower_bounds"].astype("object").to_numpy(copy=True)
        snap_bounds = snaps["lower_bounds"].astype("object").to_numpy()
        bounds[hit] = snap_bounds[take[hit]]
        bounds[reset] = None
        out["lower_bounds"] = pd.Categorical(bounds)
    if "last_collected_at" in out.columns:
        at = pd.to_datetime(out["last_collected_at"], utc=True).to_numpy(dtype="datetime64[ns]")
        if hit.any():
            snap_at = pd.to_datetime(snaps["captured_at"], utc=True).to_numpy(
                dtype="datetime64[ns]"
            )
            at[hit] = snap_at[take[hit]]
        at[reset] = np.datetime64("NaT")
        out["last_collected_at"] = pd.to_datetime(at).tz_localize("UTC")
    return out


def cut_tables(
    works: pd.DataFrame,
    history: pd.DataFrame,
    snapshots: pd.DataFrame,
    as_of: datetime,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(works, history, snapshots) as they stood at ``as_of`` (an aware instant).

    ``snapshots.post_row`` points into works then history (the read home's order); the
    returned snapshots point into the returned frames the same way.
    """
    cut = pd.Timestamp(as_of)
    if cut.tzinfo is None:
        raise ValueError("as_of must be an aware datetime")
    n_works = len(works)
    posts_keep = np.concatenate([_kept(works, cut), _kept(history, cut)])
    new_row = np.cumsum(posts_keep) - 1
    if "post_row" in snapshots.columns:
        rows = snapshots["post_row"].to_numpy(dtype=np.int64)
    else:
        rows = np.full(len(snapshots), -1, dtype=np.int64)
    had_snapshot = np.zeros(len(posts_keep), dtype=bool)
    had_snapshot[rows[rows >= 0]] = True
    captured = pd.to_datetime(snapshots["captured_at"], utc=True)
    snap_keep = (captured <= cut).to_numpy(dtype=bool) & (rows >= 0)
    snap_keep[snap_keep] &= posts_keep[rows[snap_keep]]
    snaps = snapshots[snap_keep].reset_index(drop=True)
    snap_rows = rows[snap_keep]

    parts = []
    for frame, offset in ((works, 0), (history, n_works)):
        keep = posts_keep[offset : offset + len(frame)]
        mine = (snap_rows >= offset) & (snap_rows < offset + len(frame))
        local = snap_rows[mine] - offset
        # rows of ``frame`` after dropping: a kept row's new local index
        local_new = np.cumsum(keep) - 1
        cut_frame = frame[keep].reset_index(drop=True)
        parts.append(
            _latest_values(
                cut_frame,
                snaps[mine].reset_index(drop=True),
                local_new[local],
                had_snapshot[offset : offset + len(frame)][keep],
            )
        )
    if "post_row" in snaps.columns:
        snaps["post_row"] = new_row[snap_rows].astype(np.int64)
    return parts[0], parts[1], snaps
