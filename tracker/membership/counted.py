"""The campaign's counted works, taken from the ranking's frames instead of read again.

The report ranks the campaign first: its frames already hold every work linked to the campaign
and not excluded (deleted ones included, as the ranking scores them) and every snapshot of those
works. Week over week, participation and the not-reported list each used to read the same works
(and week over week the same snapshots) from the store once more: at a million works, three
more scans of the biggest tables (about 8 s of a 30 s report).

They count the works linked, not excluded and not deleted, uncut by any day. So the frames
serve only while they are still uncut: taken straight after loading, before ``until`` drops the
works published after a day (those still count here: a week's interactions, a unit that has
reported), and never for a deadline cut (``as_of`` leaves out works first seen after it, which
these reads keep). :func:`counted_works` is the one place the rule is applied; the frames as
read keep ids as the store holds them, so the values are the same the direct reads return.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tracker.ranking import RankingFrames
from tracker.ranking.keys import positions

__all__ = ["CountedWorks", "counted_works", "loaded_works"]

WORK_COLUMNS = ("platform", "platform_post_id", "account_uid", "content_type", "published_at")
SNAPSHOT_METRICS = ("likes", "comments", "shares", "favorites")


@dataclass(slots=True)
class CountedWorks:
    """The counted works and their snapshots, as the store's direct reads give them."""

    works: pd.DataFrame
    """platform, platform_post_id, account_uid, content_type (ids as ``object``, ``None`` when
    missing) and published_at (UTC): one row per work linked, not excluded, not deleted."""
    snapshots: pd.DataFrame
    """platform, platform_post_id, captured_at and the interaction metrics of every snapshot
    of a linked, not excluded work (deleted ones included: nothing counts them), and
    ``work_row``: its row in ``works`` (-1 for a deleted work's)."""
    accounts: pd.DataFrame
    """platform, account_uid of the counted works, each pair once (in no particular order)."""


def _stored(values: pd.Series) -> pd.Series:
    """A column as the direct reads hold it: plain objects, ``None`` for a missing value (a
    categorical's missing value would read back as NaN and print as ``nan``)."""
    plain = values.astype("object")
    return plain.where(plain.notna(), None)


def loaded_works(frames: RankingFrames) -> pd.DataFrame | None:
    """The columns :func:`counted_works` needs of ``frames.works`` as loaded, sharing their
    arrays (no copy): kept before ``until`` replaces the works, they cost next to nothing.
    None when a column is missing (then the reads go to the store)."""
    works = frames.works
    if not {*WORK_COLUMNS, "deleted"} <= set(works.columns):
        return None
    return pd.DataFrame({c: works[c] for c in (*WORK_COLUMNS, "deleted")}, copy=False)


def counted_works(works: pd.DataFrame | None, snaps: pd.DataFrame) -> CountedWorks | None:
    """The counted works of the ranking's works as loaded (:func:`loaded_works`: before any
    ``until`` cut; never of frames cut ``as_of``) and their snapshots among ``snaps`` (the
    frames' snapshots). None when a column the rule needs is missing."""
    if works is None or not {*WORK_COLUMNS, "deleted"} <= set(works.columns):
        return None
    if not {"platform", "platform_post_id", "captured_at"} <= set(snaps.columns):
        return None
    deleted = works["deleted"].astype("boolean").fillna(True).to_numpy(dtype=bool)
    kept = works[~deleted]
    out = pd.DataFrame(
        {c: _stored(kept[c]) for c in WORK_COLUMNS if c != "published_at"}
        | {"published_at": pd.to_datetime(kept["published_at"], utc=True)}
    ).reset_index(drop=True)
    return CountedWorks(out, _work_snapshots(works, snaps, deleted), _accounts(kept))


def _accounts(works: pd.DataFrame) -> pd.DataFrame:
    """Each (platform, account_uid) once: deduplicated on the columns' integer codes (the
    frames hold them as categoricals), so a million pairs are never hashed as strings."""
    p_codes, p_names = pd.factorize(works["platform"], use_na_sentinel=False)
    u_codes, u_names = pd.factorize(works["account_uid"], use_na_sentinel=False)
    key = p_codes.astype(np.int64) * (len(u_names) + 1) + u_codes.astype(np.int64)
    _, first = np.unique(key, return_index=True)
    first.sort()
    return pd.DataFrame(
        {
            "platform": _stored(pd.Series(np.asarray(p_names, dtype=object)[p_codes[first]])),
            "account_uid": _stored(pd.Series(np.asarray(u_names, dtype=object)[u_codes[first]])),
        }
    )


def _work_snapshots(works: pd.DataFrame, snaps: pd.DataFrame, deleted: np.ndarray) -> pd.DataFrame:
    """The snapshots of ``works``: by the read home's ``post_row`` (works first, then the
    accounts' other posts) when it points at the same posts, else matched by key; with
    ``work_row``, each one's row among the counted works (-1 for a deleted work's)."""
    rows = _rows(works, snaps)
    mine = rows >= 0
    part = snaps[mine]
    counted_row = np.where(deleted, -1, np.cumsum(~deleted) - 1)
    out = pd.DataFrame(
        {
            "platform": _stored(part["platform"]),
            "platform_post_id": _stored(part["platform_post_id"]),
            "captured_at": pd.to_datetime(part["captured_at"], utc=True),
            "work_row": counted_row[rows[mine]].astype(np.int64),
        }
    )
    for m in SNAPSHOT_METRICS:
        if m in part.columns:
            out[m] = part[m].astype("Int64")
    return out.reset_index(drop=True)


def _rows(works: pd.DataFrame, snaps: pd.DataFrame) -> np.ndarray:
    """Each snapshot's row in ``works`` (-1 for a snapshot of another post)."""
    n = len(works)
    if not len(snaps):
        return np.zeros(0, dtype=np.int64)
    if "post_row" in snaps.columns:
        rows = snaps["post_row"].to_numpy(dtype=np.int64)
        inside = (rows >= 0) & (rows < n)
        at = rows[inside]
        same = (
            works["platform_post_id"].to_numpy(dtype=object)[at]
            == snaps["platform_post_id"].to_numpy(dtype=object)[inside]
        ) & (
            works["platform"].to_numpy(dtype=object)[at]
            == snaps["platform"].to_numpy(dtype=object)[inside]
        )
        # Past the works, ``post_row`` points at the accounts' other posts, which the read
        # home reads as posts that are not campaign works: none of them is a work here.
        if same.all():
            return np.where(inside, rows, -1)
    return positions(works, snaps)
