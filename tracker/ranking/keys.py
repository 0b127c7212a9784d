"""Row lookups by the natural keys ``(platform, platform_post_id)`` / ``(platform, platform_uid)``.

Everything downstream works on integer row positions (fast numpy indexing, no string merges over
millions of snapshot rows); this is the one place where string keys become positions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "account_codes",
    "account_key",
    "creator_codes",
    "first_rows",
    "from_ns",
    "positions",
    "to_ns",
]


def positions(
    table: pd.DataFrame,
    lookup: pd.DataFrame,
    cols: tuple[str, str] = ("platform", "platform_post_id"),
) -> np.ndarray:
    """Row position in ``table`` of each row of ``lookup`` by the two key columns; -1 if absent.

    ``table`` keys must be unique (they are primary keys in the store).
    """
    if len(table) == 0 or len(lookup) == 0:
        return np.full(len(lookup), -1, dtype=np.int64)
    a, b = cols
    # Factorising both sides against the same uniques is far cheaper than a MultiIndex of
    # strings: two integer codes combine into one int64 key.
    pa, pa_uniques = pd.factorize(pd.concat([table[a], lookup[a]], ignore_index=True), sort=False)
    pb, pb_uniques = pd.factorize(pd.concat([table[b], lookup[b]], ignore_index=True), sort=False)
    key = pa.astype(np.int64) * (len(pb_uniques) + 1) + pb.astype(np.int64)
    n = len(table)
    index = pd.Index(key[:n])
    found = index.get_indexer(key[n:])
    missing = (pa[n:] < 0) | (pb[n:] < 0)
    found[missing] = -1
    return found.astype(np.int64)


def account_codes(frame: pd.DataFrame, uid_col: str = "account_uid") -> np.ndarray:
    """Dense integer code of each row's account (platform, uid): the grouping key everywhere
    below, so millions of rows are never grouped by strings twice."""
    if not len(frame):
        return np.zeros(0, dtype=np.int64)
    p = pd.factorize(frame["platform"])[0].astype(np.int64)
    u, uniques = pd.factorize(frame[uid_col])
    key = p * (len(uniques) + 1) + u.astype(np.int64)
    return pd.factorize(key)[0].astype(np.int64)


def first_rows(codes: np.ndarray) -> np.ndarray:
    """Row of the first occurrence of each dense code 0..max (no sort: one ufunc.at pass)."""
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    first = np.full(int(codes.max()) + 1, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.int64))
    return first


def creator_codes(works: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Dense creator codes of the rows and the creator key of each code.

    Uses the integer ``creator_code`` column when the pipeline has set one (a million-row
    string factorisation saved per use), else factorises ``creator_key``.
    """
    if "creator_code" in works.columns:
        codes, _ = pd.factorize(works["creator_code"].to_numpy())
        keys = (
            works["creator_key"].to_numpy(dtype=object)[first_rows(codes)]
            if len(codes)
            else np.zeros(0, object)
        )
        return codes.astype(np.int64), keys
    codes, uniques = pd.factorize(works["creator_key"])
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def account_key(frame: pd.DataFrame, uid_col: str = "account_uid") -> pd.Series:
    """``platform:uid`` — the display and grouping key of an account."""
    return frame["platform"].astype("str") + ":" + frame[uid_col].astype("str")


def to_ns(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """UTC nanoseconds as int64 and a 'known' mask (NaT -> False)."""
    if len(s) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    dt = pd.to_datetime(s, utc=True)
    known = dt.notna().to_numpy().copy()
    ns = np.asarray(dt.dt.as_unit("ns").array.asi8, dtype=np.int64).copy()
    ns[~known] = 0
    return ns, known


def from_ns(ns: np.ndarray, known: np.ndarray, index: pd.Index) -> pd.Series:
    """The inverse of ``to_ns``: a ``datetime64[ns, UTC]`` Series with NaT where not known."""
    vals = np.where(known, ns, np.iinfo(np.int64).min).view("datetime64[ns]")
    return pd.Series(vals, index=index).dt.tz_localize("UTC")
