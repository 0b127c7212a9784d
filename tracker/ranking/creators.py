"""Creators: accounts linked across platforms, scored on activity plus shrunk mean quality.

Linking: two accounts are one creator when the unit registry gives them the same ``person``, or
when a manual link table puts them under the same name; links are transitive (connected
components of the account–person–link graph). A creator's key is the smallest ``platform:uid``
among its accounts, so it is stable and readable.

Score (ranking-anchors §6.4-6.5)::

    活跃度   a = min(1, ln(1 + works) / ln(1 + cap))
    质量     θ = (1 − B)·ȳ + B·μ,   B = (σ²/n) / (τ² + σ²/n)
    得分     100 × (w_a·a + w_q·θ/100)

ȳ is the mean work quality of the creator's n scored works; μ, σ², τ² are the platform's mean
work quality, within-account variance and between-account variance (method of moments:
``var(account means) − mean(σ²/n_a)``, floored at ``min_between_variance_ratio × σ²``); a creator
on several platforms uses the averages over its works. A creator with one lucky work has large
``σ²/n`` and is pulled most of the way back to the platform mean, so consistency beats one hit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.ranking import keys
from tracker.ranking.keys import positions
from tracker.ranking.settings import CreatorSettings

__all__ = ["creator_keys", "creator_scores", "platform_priors"]


def creator_keys(
    accounts: pd.DataFrame,
    account_units: pd.DataFrame | None = None,
    links: pd.DataFrame | None = None,
) -> pd.Series:
    """Creator key of each account (``accounts``: platform, account_uid), on its index.

    ``account_units``: platform, platform_uid, person. ``links``: platform, platform_uid, creator.
    A row without an ``account_uid`` (the works nobody attributed, e.g. a submitted link read
    without ``--fetch``) is nobody's account, so its key is None and no name can join it to a
    creator; a registry or link row naming an account without works adds no edge.
    """
    n = len(accounts)
    known = accounts["account_uid"].notna().to_numpy()
    acc_key = pd.Series(
        np.where(known, keys.account_key(accounts).to_numpy(dtype=object), None),
        index=accounts.index,
        dtype=object,
    )
    acc_idx, name_codes = _name_edges(accounts, account_units, links)
    if not len(acc_idx):
        return acc_key
    n_names = int(name_codes.max()) + 1
    name_idx = n + name_codes
    # Label propagation: every node takes the smallest label among its neighbours until stable;
    # the number of rounds is the graph's diameter (a handful), never the number of accounts.
    # Keys sort as text; the unknown ones (never linked, so never a representative) as "".
    order = np.argsort(acc_key.fillna("").to_numpy(dtype=object), kind="stable")
    rank_of = np.empty(n, dtype=np.int64)
    rank_of[order] = np.arange(n)
    label = np.concatenate([rank_of, np.full(n_names, n + 10**9, dtype=np.int64)])
    while True:
        before = label.copy()
        np.minimum.at(label, name_idx, label[acc_idx])
        np.minimum.at(label, acc_idx, label[name_idx])
        if np.array_equal(before, label):
            break
    rep = order[label[:n]]
    return pd.Series(acc_key.to_numpy()[rep], index=accounts.index, dtype=object)


def _name_edges(
    accounts: pd.DataFrame, account_units: pd.DataFrame | None, links: pd.DataFrame | None
) -> tuple[np.ndarray, np.ndarray]:
    """(account row, name code) of each registry person and link name that names one of
    ``accounts``; both empty when none does (a person whose accounts have no works yet)."""
    edges_acc: list[np.ndarray] = []
    edges_name: list[pd.Series] = []
    lookup_cols = ("platform", "account_uid")
    for frame, col, prefix in ((account_units, "person", "person:"), (links, "creator", "link:")):
        if frame is None or col not in frame.columns or not len(frame):
            continue
        named = frame[frame[col].notna()]
        names = named[col].astype("object").astype("str").str.strip()
        filled = (names != "").to_numpy()
        named, names = named[filled], names[filled]
        if not len(named):
            continue
        probe = pd.DataFrame(
            {
                "platform": named["platform"].to_numpy(),
                "account_uid": named["platform_uid"].to_numpy(),
            }
        )
        pos = positions(accounts, probe, lookup_cols)
        keep = pos >= 0
        edges_acc.append(pos[keep])
        edges_name.append(prefix + names[keep])
    if not edges_acc or not sum(len(e) for e in edges_acc):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    name_codes, _ = pd.factorize(pd.concat(edges_name, ignore_index=True))
    return np.concatenate(edges_acc).astype(np.int64), name_codes.astype(np.int64)


def platform_priors(
    works: pd.DataFrame,
    quality_col: str,
    settings: CreatorSettings,
    *,
    account_codes: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per platform: ``mu`` (mean work quality), ``sigma2`` (within-account variance),
    ``tau2`` (between-account variance), ``works`` and ``accounts`` counts."""
    q = works[quality_col].to_numpy(dtype="float64", na_value=np.nan)
    known = ~np.isnan(q)
    p_codes, p_names = pd.factorize(works["platform"], sort=True)
    acc = keys.account_codes(works) if account_codes is None else account_codes
    f = pd.DataFrame({"p": p_codes[known], "a": acc[known], "q": q[known]})
    g_acc = f.groupby("a", sort=False)
    f["mean"] = g_acc["q"].transform("mean")
    f["sq"] = (f["q"] - f["mean"]) ** 2
    # three plain reductions: a named ``agg`` costs several times their sum on few rows
    acc_t = pd.DataFrame({"p": g_acc["p"].first(), "n": g_acc.size(), "mean": g_acc["q"].mean()})
    g_p = f.groupby("p", sort=True)
    plat = pd.DataFrame(
        {
            "mu": g_p["q"].mean(),
            "works": g_p.size(),
            "accounts": acc_t.groupby("p").size(),
            "total_var": g_p["q"].var(ddof=1),
        }
    )
    within = g_p["sq"].sum()
    dof = (acc_t["n"] - 1).groupby(acc_t["p"]).sum()
    sigma2 = (within / dof).where(dof > 0)
    plat["sigma2"] = sigma2.reindex(plat.index).fillna(plat["total_var"])
    between = acc_t.groupby("p")["mean"].var(ddof=1)
    noise = (acc_t["p"].map(plat["sigma2"]) / acc_t["n"]).groupby(acc_t["p"]).mean()
    tau2 = between - noise
    floor = settings.min_between_variance_ratio * plat["sigma2"]
    plat["tau2"] = np.maximum(tau2.reindex(plat.index).fillna(floor), floor)
    plat.index = pd.Index([str(p_names[i]) for i in plat.index], name="platform")
    return plat.drop(columns="total_var")


def creator_scores(
    works: pd.DataFrame,
    settings: CreatorSettings,
    *,
    quality_col: str = "quality_score",
    account_codes: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per creator with every component, and the per-platform priors used.

    ``works`` needs creator_key, platform, account_uid, ``quality_col``; optional columns are
    summarised when present (interactions, views, risk_flag, risk_score, account_name, person,
    unit_name, unit_kind, city, followers). ``account_codes`` may be passed when computed.
    """
    acc = keys.account_codes(works) if account_codes is None else account_codes
    priors = platform_priors(works, quality_col, settings, account_codes=acc)
    c_codes, c_keys = keys.creator_codes(works)
    p_codes, p_names = pd.factorize(works["platform"])
    p_index = pd.Index([str(p) for p in p_names])

    def per_work(col: str) -> np.ndarray:
        return priors[col].reindex(p_index).to_numpy(dtype="float64")[p_codes[scored]]

    q = works[quality_col].to_numpy(dtype="float64", na_value=np.nan)
    scored = ~np.isnan(q)
    # The grouped means (one pass over four columns); every later step is per creator on plain
    # arrays: a Series would align indexes at each of a dozen small operations.
    frame = pd.DataFrame(
        {
            "q": q[scored],
            "mu": per_work("mu"),
            "sigma2": per_work("sigma2"),
            "tau2": per_work("tau2"),
        }
    )
    n_c = int(c_codes.max()) + 1 if len(c_codes) else 0
    works_n = np.bincount(c_codes, minlength=n_c)
    present = np.flatnonzero(works_n)
    slot = np.full(n_c, -1, dtype=np.int64)
    slot[present] = np.arange(len(present))
    means = np.full((len(present), 4), np.nan)
    if scored.any():
        g = frame.groupby(c_codes[scored], sort=True).mean()
        means[slot[g.index.to_numpy()]] = g.to_numpy(dtype="float64")
    quality_mean, prior_mean, sigma2, tau2 = means.T
    scored_n = np.bincount(c_codes[scored], minlength=n_c)[present].astype("int64")
    noise = sigma2 / np.where(scored_n > 0, scored_n, np.nan)
    if settings.shrinkage:
        denom = tau2 + noise
        with np.errstate(divide="ignore", invalid="ignore"):
            shrink = np.where(denom > 0, noise / denom, 0.0)
        shrink = np.where(np.isnan(shrink), 0.0, shrink)
    else:
        shrink = np.zeros(len(present))
    shrink = np.where(np.isnan(quality_mean), np.nan, shrink)
    quality_shrunk = (1 - shrink) * quality_mean + shrink * prior_mean
    spread = shrink * tau2
    post_sd = np.sqrt(np.where(spread < 0, 0.0, spread))
    quality_lower = quality_shrunk - settings.lower_bound_z * post_sd
    cap = np.log1p(settings.activity_cap_works)
    activity = np.minimum(1.0, np.log1p(works_n[present].astype("float64")) / cap)
    basis = quality_lower if settings.use_lower_bound else quality_shrunk
    out = pd.DataFrame(
        {
            "works": works_n[present],
            "scored_works": scored_n,
            "quality_mean": quality_mean,
            "prior_mean": prior_mean,
            "sigma2": sigma2,
            "tau2": tau2,
            "shrink": shrink,
            "quality_shrunk": quality_shrunk,
            "quality_sd": post_sd,
            "quality_lower": quality_lower,
            "activity": activity,
            "creator_score": 100.0
            * (settings.activity_weight * activity + settings.quality_weight * basis / 100.0),
        },
        index=pd.Index(present, name="c"),
    )
    out = out.join(_summaries(works, c_codes, acc, p_codes, p_names))
    out.insert(0, "creator_key", np.asarray(c_keys, dtype=object)[out.index.to_numpy()])
    out["rank"] = out["creator_score"].rank(method="min", ascending=False).astype("Int64")
    # best score first, then more works, then first seen (numeric keys: no string sort)
    score = out["creator_score"].to_numpy(dtype="float64", na_value=np.nan)
    order = np.lexsort(
        (np.arange(len(out)), -out["works"].to_numpy(), np.nan_to_num(-score, nan=np.inf))
    )
    return out.take(order).reset_index(drop=True), priors


def _summaries(
    works: pd.DataFrame, c: np.ndarray, acc: np.ndarray, p_codes: np.ndarray, p_names: pd.Index
) -> pd.DataFrame:
    """Descriptive columns per creator code (names, platforms, totals, best work).

    An account belongs to exactly one creator, so per-account facts (platform, followers) are
    taken once per account and folded into creators with ``ufunc.at`` — no sorts of the works.
    """
    n = len(works)
    n_c = int(c.max()) + 1 if n else 0
    out = pd.DataFrame(index=pd.RangeIndex(n_c, name="c"))
    acc_rows = keys.first_rows(acc)
    acc_rows = acc_rows[acc_rows < n]
    acc_creator = c[acc_rows]
    out["accounts"] = np.bincount(acc_creator, minlength=n_c)
    # Platforms as a bit mask per creator (bits in name order), one label per distinct mask.
    sorted_names = sorted(str(p) for p in p_names)
    bit_of = np.array([sorted_names.index(str(p)) for p in p_names], dtype=np.int64)
    masks = np.zeros(n_c, dtype=np.int64)
    np.bitwise_or.at(masks, acc_creator, np.int64(1) << bit_of[p_codes[acc_rows]])
    labels = {
        m: ",".join(x for i, x in enumerate(sorted_names) if m >> i & 1) for m in np.unique(masks)
    }
    counts = {m: bin(int(m)).count("1") for m in labels}
    out["platforms"] = pd.Series(masks).map(labels).astype(object)
    out["platform_count"] = pd.Series(masks).map(counts).to_numpy()
    for col in ("interactions", "views"):
        if col in works.columns:
            vals = pd.Series(works[col].to_numpy(dtype="float64", na_value=np.nan))
            out[f"{col}_total"] = vals.groupby(c).sum(min_count=1)
    if "risk_flag" in works.columns:
        out["flagged_works"] = np.bincount(
            c, weights=works["risk_flag"].to_numpy(dtype=float), minlength=n_c
        ).astype(np.int64)
    if "risk_score" in works.columns:
        out["max_risk"] = pd.Series(works["risk_score"].to_numpy(dtype="float64")).groupby(c).max()
    if "quality_score" in works.columns and n:
        q = pd.Series(works["quality_score"].to_numpy(dtype="float64", na_value=np.nan))
        ok = q.notna().to_numpy()
        if ok.any():
            best_rows = q[ok].groupby(c[ok]).idxmax()
            rows = best_rows.to_numpy()
            plat_s = works["platform"].to_numpy()[rows].astype(str).astype(object)
            ids = works["platform_post_id"].to_numpy()[rows].astype(str).astype(object)
            out.loc[best_rows.index, "best_work"] = plat_s + ":" + ids
            out.loc[best_rows.index, "best_quality"] = q.to_numpy()[rows]
    # The representative account: the one with most works (ties: first seen).
    acc_n = np.bincount(acc)
    rank_key = acc_n[acc].astype(np.int64) * (1 << 32) + (
        (1 << 32) - 1 - np.arange(n, dtype=np.int64)
    )
    best_key = np.full(n_c, -1, dtype=np.int64)
    np.maximum.at(best_key, c, rank_key)
    rep_rows = (1 << 32) - 1 - (best_key & ((1 << 32) - 1))
    for col in ("account_name", "person", "unit_name", "unit_kind", "city"):
        if col in works.columns:
            out[col] = pd.Series(works[col].to_numpy(dtype=object)[rep_rows], dtype=object)
    if "followers" in works.columns:
        fol = (
            pd.Series(works["followers"].to_numpy(dtype="float64", na_value=np.nan))
            .groupby(acc)
            .max()
        )
        per_acc = fol.reindex(acc[acc_rows]).to_numpy()
        total = np.zeros(n_c)
        known = ~np.isnan(per_acc)
        np.add.at(total, acc_creator[known], per_acc[known])
        any_known = np.zeros(n_c, dtype=bool)
        any_known[acc_creator[known]] = True
        out["followers_total"] = np.where(any_known, total, np.nan)
    name = out.get("person")
    acc_name = out.get("account_name")
    if name is not None and acc_name is not None:
        out["creator_name"] = name.where(name.notna(), acc_name)
    elif acc_name is not None:
        out["creator_name"] = acc_name
    return out
