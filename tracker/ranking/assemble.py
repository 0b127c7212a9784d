"""The stored tables -> ``RankingFrames``: the ranking's own rules applied to what was read.

The read home (``tracker.store.queries.ranking_inputs``) reads works, history, snapshots,
accounts, units and reviews as the store holds them. Turning stored ``lower_bounds`` texts into
``floor_bits``, the fingerprint key of each work, and attaching each work's account, primary
unit and review status are the ranking's rules, kept here as pure pandas: the store never
imports the ranking, and these need no database to test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from tracker.ranking.floors import floor_bits
from tracker.ranking.frames import RankingFrames
from tracker.ranking.keys import account_codes, first_rows, positions
from tracker.ranking.risk import fingerprint_key, keyed_if_long, text_fingerprint
from tracker.ranking.settings import RankingSettings
from tracker.ranking.units import attach_primary_unit

__all__ = [
    "attach_work_context",
    "chunk_fingerprint_key",
    "comment_fingerprint_key",
    "ranking_frames",
    "review_status_of",
    "with_review_rows",
]

TEXT_MIN_CHARS = RankingSettings().risk.min_fingerprint_chars


def chunk_fingerprint_key(fingerprints: np.ndarray, texts: np.ndarray) -> Any:
    """64-bit keys of one chunk of works as read: the stored fingerprint, else (rows stored
    before the store kept one) the normalised start of the body. Called by the read home per
    chunk, so no body stays in memory."""
    key = fingerprint_key(fingerprints).array
    missing = np.asarray(pd.isna(fingerprints), dtype=bool)  # never fingerprinted: use the text
    if missing.any():
        text = pd.Series(texts[missing], dtype=object)
        values = key.to_numpy(dtype="int64", na_value=0).copy()
        from_text = text_fingerprint(text, TEXT_MIN_CHARS).array
        values[missing] = from_text.to_numpy(dtype="int64", na_value=0)
        mask = missing.copy()
        mask[missing] = np.asarray(from_text.isna())
        key = pd.arrays.IntegerArray(values, mask)
    return key


def comment_fingerprint_key(min_chars: int) -> Callable[[np.ndarray, np.ndarray], Any]:
    """The rule the read home applies, chunk by chunk, to the stored comment text keys: NA
    where fewer than ``min_chars`` characters were keyed (so "好", "赞" and emoji never match);
    the key itself is ``text_fingerprint``'s, kept when the comment was written."""

    def key(keys: np.ndarray, lengths: np.ndarray) -> Any:
        return keyed_if_long(keys, lengths, min_chars)

    return key


def ranking_frames(
    *,
    works: pd.DataFrame,
    history: pd.DataFrame,
    snapshots: pd.DataFrame,
    accounts: pd.DataFrame,
    account_units: pd.DataFrame,
    units: pd.DataFrame,
    reviews: pd.DataFrame,
    campaign: dict[str, Any] | None,
    links: pd.DataFrame | None = None,
    comments: pd.DataFrame | None = None,
) -> RankingFrames:
    """The frames ``rank_campaign`` takes, from the tables as read (changed in place: a copy
    of a million-row frame would double the peak)."""
    for frame in (works, history):
        if "lower_bounds" in frame.columns:
            frame["floor_bits"] = floor_bits(frame.pop("lower_bounds"))
    if "lower_bounds" in snapshots.columns:
        at = list(snapshots.columns).index("lower_bounds")
        snapshots.insert(at, "floor_bits", floor_bits(snapshots.pop("lower_bounds")))
    attach_work_context(works, accounts, account_units, reviews)
    return RankingFrames(
        works=works,
        history=history,
        snapshots=snapshots,
        accounts=accounts,
        account_units=account_units,
        units=units,
        reviews=reviews,
        links=links,
        campaign=campaign,
        comments=comments,
    )


def attach_work_context(
    works: pd.DataFrame,
    accounts: pd.DataFrame,
    account_units: pd.DataFrame,
    reviews: pd.DataFrame,
) -> None:
    """Each work's account (name, followers, verified), first unit and review status, in place
    (a copy of a million-row frame would double the peak)."""
    codes = account_codes(works)
    _attach_accounts(works, accounts, codes)
    for col, values in attach_primary_unit(works, account_units, account_codes=codes).items():
        works[col] = values
    works["review_status"] = review_status_of(works, reviews)


def review_status_of(works: pd.DataFrame, reviews: pd.DataFrame) -> pd.Categorical:
    """Each work's status in the review rows ``reviews``; ``pending`` where it has none."""
    status = np.full(len(works), "pending", dtype=object)
    if len(reviews):
        pos = positions(works, reviews)
        hit = pos >= 0
        status[pos[hit]] = reviews["status"].to_numpy(dtype=object)[hit]
    return pd.Categorical(status)


def with_review_rows(frames: RankingFrames, reviews: pd.DataFrame) -> RankingFrames:
    """``frames`` with the store's review rows now (``load_reviews``) in place of those they
    were read with, each work's ``review_status`` attached again; nothing else is copied."""
    works = frames.works.copy(deep=False)
    works["review_status"] = review_status_of(works, reviews)
    return replace(frames, works=works, reviews=reviews)


def _attach_accounts(works: pd.DataFrame, accounts: pd.DataFrame, codes: np.ndarray) -> None:
    """account_name, followers (latest) and verified of each work's account, in place."""
    n = len(works)
    if not n:
        works["account_name"] = pd.Series(dtype=object)
        works["followers"] = pd.array([], dtype="Int64")
        works["verified"] = pd.array([], dtype="boolean")
        return
    rep = first_rows(codes)
    probe = pd.DataFrame(
        {
            "platform": works["platform"].to_numpy()[rep],
            "platform_uid": works["account_uid"].to_numpy()[rep],
        }
    )
    pos = positions(accounts, probe, ("platform", "platform_uid"))[codes]
    hit = pos >= 0
    take = np.where(hit, pos, -1)
    none = np.array([None], dtype=object)  # take -1 -> None
    names = np.append(accounts["name"].to_numpy(dtype=object), none)
    works["account_name"] = pd.Series(names[take], dtype=object)
    works["followers"] = accounts["followers"].array.take(take, allow_fill=True)
    works["verified"] = accounts["verified"].array.take(take, allow_fill=True)
