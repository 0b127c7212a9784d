"""Organising units (city associations, societies, universities...): three kinds of score.

- **mobilisation** (动员力): distinct accounts with at least one work, works, platforms covered;
- **reach** (传播力): the sum of the quality scores of the unit's works;
- **share of voice** (声量占比, CrowdTangle's leaderboard measure): the unit's interactions as a
  share of all the campaign's interactions.

Each is a column; the list is ordered by one of them, chosen in settings or on the command line,
with the others as tie-breakers. An account registered under several units counts for each (the
registry says all of them mobilised it), so unit totals may add up to more than the campaign's.
Units of the registry with no work are listed with zeros: the summary must show them too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.ranking import keys
from tracker.ranking.keys import positions

__all__ = ["RANK_KEYS", "attach_primary_unit", "rank_units", "unit_scores"]

RANK_KEYS = ("active_accounts", "works", "platforms", "reach", "share_of_voice")
UNIT_COLUMNS = ("unit_id", "unit_name", "unit_kind", "city", "person")


def attach_primary_unit(
    works: pd.DataFrame,
    account_units: pd.DataFrame | None,
    *,
    account_codes: np.ndarray | None = None,
) -> pd.DataFrame:
    """Unit columns of each work's account: its first registered unit (lowest unit id) and
    ``unit_count`` (how many units list the account). Returns a frame on ``works``' index."""
    out = pd.DataFrame(index=works.index)
    if account_units is None or not len(account_units) or not len(works):
        for col in UNIT_COLUMNS:
            out[col] = pd.Series(pd.NA, index=works.index, dtype="object")
        out["unit_id"] = out["unit_id"].astype("Int64")
        out["unit_count"] = 0
        return out
    au = account_units.sort_values(["platform", "platform_uid", "unit_id"], kind="stable")
    counts = au.groupby(["platform", "platform_uid"], sort=False).size()
    first = au.drop_duplicates(["platform", "platform_uid"]).reset_index(drop=True)
    first["unit_count"] = counts.reindex(
        pd.MultiIndex.from_frame(first[["platform", "platform_uid"]])
    ).to_numpy()
    # Look each distinct account up once, then broadcast to its works by account code.
    acc = keys.account_codes(works) if account_codes is None else account_codes
    rep = keys.first_rows(acc)
    probe = pd.DataFrame(
        {
            "platform": works["platform"].to_numpy()[rep],
            "platform_uid": works["account_uid"].to_numpy()[rep],
        }
    )
    pos = positions(first, probe, ("platform", "platform_uid"))[acc]
    hit = pos >= 0
    take = np.where(hit, pos, 0)
    for col in ("unit_name", "unit_kind", "city", "person"):
        vals = (
            first[col].to_numpy(dtype=object)
            if col in first.columns
            else np.full(len(first), None, dtype=object)
        )
        out[col] = pd.Series(np.where(hit, vals[take], None), index=works.index, dtype=object)
    ids = first["unit_id"].to_numpy(dtype="int64")
    out["unit_id"] = pd.arrays.IntegerArray(np.where(hit, ids[take], 0), ~hit)
    cnt = first["unit_count"].to_numpy(dtype="int64")
    out["unit_count"] = np.where(hit, cnt[take], 0)
    return out[["unit_id", *[c for c in UNIT_COLUMNS if c != "unit_id"], "unit_count"]]


def unit_scores(
    works: pd.DataFrame,
    account_units: pd.DataFrame | None,
    units: pd.DataFrame | None,
    rank_by: str,
    *,
    account_codes: np.ndarray | None = None,
) -> pd.DataFrame:
    """One row per unit. ``works`` needs platform, account_uid, creator_key, quality_score,
    interactions; ``account_units`` platform, platform_uid, unit_id; ``units`` unit_id,
    unit_name, unit_kind, city (all registry units, listed even without works)."""
    total_i = float(np.nansum(works["interactions"].to_numpy(dtype="float64", na_value=np.nan)))
    cols = ["unit_id", "active_accounts", "works", "platforms", "creators", "reach",
            "quality_mean", "interactions", "share_of_voice"]  # fmt: skip
    scores = pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    if account_units is not None and len(account_units) and len(works):
        acc = keys.account_codes(works) if account_codes is None else account_codes
        first = pd.Series(np.arange(len(works))).groupby(acc).first()
        uniq = pd.DataFrame(
            {
                "platform": works["platform"].to_numpy()[first.to_numpy()],
                "account_uid": works["account_uid"].to_numpy()[first.to_numpy()],
            }
        )
        probe = pd.DataFrame(
            {
                "platform": account_units["platform"].to_numpy(),
                "account_uid": account_units["platform_uid"].to_numpy(),
            }
        )
        hit = positions(uniq, probe, ("platform", "account_uid"))
        au_code = np.where(hit >= 0, first.index.to_numpy()[np.maximum(hit, 0)], -1)
        au = pd.DataFrame({"acc": au_code, "unit_id": account_units["unit_id"].to_numpy()})
        au = au[au["acc"] >= 0].drop_duplicates()
        creator = keys.creator_codes(works)[0] if "creator_key" in works.columns else acc
        wf = pd.DataFrame(
            {
                "acc": acc,
                "platform": pd.factorize(works["platform"])[0],
                "creator": creator,
                "q": works["quality_score"].to_numpy(dtype="float64", na_value=np.nan),
                "i": works["interactions"].to_numpy(dtype="float64", na_value=np.nan),
            }
        )
        joined = wf.merge(au, on="acc", how="inner")
        if len(joined):
            g = joined.groupby("unit_id", sort=False)
            distinct = g[["acc", "platform", "creator"]].nunique()  # one pass, not three
            sums = g[["q", "i"]].sum(min_count=1)
            scores = pd.DataFrame(
                {
                    "active_accounts": distinct["acc"],
                    "works": g.size(),
                    "platforms": distinct["platform"],
                    "creators": distinct["creator"],
                    "reach": sums["q"],
                    "quality_mean": g["q"].mean(),
                    "interactions": sums["i"],
                }
            )
            scores["share_of_voice"] = scores["interactions"] / total_i if total_i > 0 else np.nan
            scores = scores.reset_index()
    if units is not None and len(units):
        base = units[
            [c for c in ("unit_id", "unit_name", "unit_kind", "city") if c in units.columns]
        ]
        out = base.merge(scores, on="unit_id", how="left")
    else:
        out = scores
    for c in ("active_accounts", "works", "platforms", "creators"):
        out[c] = out[c].fillna(0).astype("int64")
    for c in ("reach", "interactions", "share_of_voice"):
        out[c] = out[c].astype("float64").fillna(0.0)
    return rank_units(out, rank_by)


def rank_units(units: pd.DataFrame, by: str) -> pd.DataFrame:
    """Order by ``by`` (descending) with the other keys as tie-breakers; adds ``rank``."""
    if by not in RANK_KEYS:
        raise ValueError(f"unknown unit ranking key {by!r}; choose one of {', '.join(RANK_KEYS)}")
    keys = [by, *[k for k in RANK_KEYS if k != by]]
    out = units.sort_values(keys, ascending=False, kind="stable", na_position="last").reset_index(
        drop=True
    )
    # Equal units share the first position of their group; NULL counts as equal to −∞ (the
    # sort puts both last), so rows equal that way need not be neighbours: grouped, not by runs.
    values = out[keys].to_numpy(dtype="float64", na_value=np.nan)
    filled = np.where(np.isnan(values), -np.inf, values)
    if len(out):
        _, group = np.unique(filled, axis=0, return_inverse=True)
        group = group.reshape(-1)
        first_pos = np.full(int(group.max()) + 1, len(out), dtype=np.int64)
        np.minimum.at(first_pos, group, np.arange(len(out)))
        out["rank"] = (first_pos[group] + 1).astype("int64")
    else:
        out["rank"] = pd.Series(dtype="int64")
    out["rank_by"] = by
    return out
