"""An account's usual level when followers or history are missing: leave-one-out, shrunk.

Real data often gives a work without its account's follower count (search listings of Bilibili,
Kuaishou and Xiaohongshu, captures, submissions) and most accounts publish only 1-3 campaign
works. Judging such a work by its raw engagement mostly measures its audience. What is known
instead is the account's *other* works: each one says how much this account usually gets. So a
work is compared with the mean of all the account's other known works (campaign and
non-campaign, earlier or later: leave-one-out), and that mean is trusted in proportion to how
many there are — Normal-Normal empirical Bayes, as for small platforms and creators:

- ``d`` = ln(c+I) minus a prior: what accounts of the same follower count get where followers are
  known, the platform's level otherwise;
- ``σ²`` (per platform) = the spread of a work around its own account's mean, pooled over
  accounts with ≥ 2 works; ``τ²`` (per platform and prior kind) = the spread of accounts' levels
  beyond that (``var(d) − σ²``, floored at 0). Where followers are known ``τ²`` is small (the
  follower line already explains the level); where they are not it is large;
- for a work with ``k`` other works of mean ``m``: ``B = τ² / (τ² + σ²/k)``, level ``B·m``,
  left-over uncertainty ``P = (1−B)·τ²`` (``B = 0``, ``P = τ²`` without other works);
- the work's own deviation ``r = d − B·m`` is read as evidence about the work in proportion to
  how much of its spread the work itself explains: ``reliability = σ² / (σ² + P)``, score
  ``r × reliability`` (the posterior mean of the work's own effect under the same model). A
  lone work without followers therefore sits near the middle of its platform instead of at the
  top or bottom its audience put it.

Where the platform shows the work's own views (Bilibili and Kuaishou search results carry plays
but no followers), those are its reach: ``predicted_residual`` turns the residual of ln(c+I) on
ln(1+views) into a guess of the follower-line residual, and no account level is needed.

Pure functions over aligned arrays; pandas only for the grouped sums.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["SOURCE_ZH", "leave_one_out_level", "predicted_residual"]

SOURCE_ZH = {
    "followers": "粉丝数",
    "views": "本作品播放量",
    "others": "同账号其他作品",
    "platform": "平台平均水平",
}


def leave_one_out_level(
    d: np.ndarray,
    account: np.ndarray,
    platform: np.ndarray,
    prior_kind: np.ndarray,
) -> pd.DataFrame:
    """Leave-one-out account level of every row, shrunk by empirical Bayes (see module doc).

    ``d``: deviation of each post's ln(c+I) from its prior (NaN when unknown: takes no part).
    ``account``: integer account code (−1 = no account: never pooled). ``platform``: integer
    platform code. ``prior_kind``: integer, which prior ``d`` is measured from (0 followers
    known, 1 platform level); ``τ²`` is estimated for each kind separately.

    Returns, aligned with the rows: ``others`` (k, other known works of the account),
    ``others_mean`` (m, NaN when k = 0), ``shrink`` (B), ``level`` (B·m), ``posterior_var`` (P),
    ``sigma2``, ``tau2`` and ``reliability`` (σ²/(σ²+P)).
    """
    d = np.asarray(d, dtype="float64")
    acc = np.asarray(account, dtype=np.int64)
    plat = np.asarray(platform, dtype=np.int64)
    kind = np.asarray(prior_kind, dtype=np.int64)
    n = len(d)
    known = ~np.isnan(d) & (acc >= 0)
    dz = np.where(known, d, 0.0)
    # per-account sums over known rows (an account lives on one platform)
    a_codes, a_of = np.unique(acc, return_inverse=True)
    n_a = np.bincount(a_of, known.astype("float64"))
    s_a = np.bincount(a_of, dz)
    ss_a = np.bincount(a_of, dz * dz)
    k = np.where(known, n_a[a_of] - 1, n_a[a_of])
    k = np.where(acc >= 0, k, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(k > 0, (s_a[a_of] - dz) / k, np.nan)

    n_p = int(plat.max()) + 1 if n else 0
    # σ²: within-account spread, pooled over accounts with ≥ 2 known works, per platform
    with np.errstate(invalid="ignore", divide="ignore"):
        within_ss = ss_a - np.where(n_a > 0, s_a * s_a / n_a, 0.0)
    a_plat = np.zeros(len(a_codes), dtype=np.int64)
    a_plat[a_of] = plat
    multi = (n_a >= 2) & (a_codes >= 0)
    ss_p = np.bincount(a_plat[multi], within_ss[multi], n_p)
    dof_p = np.bincount(a_plat[multi], n_a[multi] - 1, n_p)
    cnt_p = np.bincount(plat[known], minlength=n_p).astype("float64")
    sum_p = np.bincount(plat[known], d[known], n_p)
    sq_p = np.bincount(plat[known], d[known] ** 2, n_p)
    with np.errstate(invalid="ignore", divide="ignore"):
        var_p = sq_p / cnt_p - (sum_p / cnt_p) ** 2
        sigma2_p = np.where(dof_p >= 2, ss_p / dof_p, var_p)
    # τ² per (platform, prior kind): total spread of d minus the within-account spread
    n_k = int(kind.max()) + 1 if n else 1
    key = plat * n_k + kind
    cnt = np.bincount(key[known], minlength=n_p * n_k).astype("float64")
    s1 = np.bincount(key[known], d[known], n_p * n_k)
    s2 = np.bincount(key[known], d[known] ** 2, n_p * n_k)
    with np.errstate(invalid="ignore", divide="ignore"):
        var_k = s2 / cnt - (s1 / cnt) ** 2
        tau2_k = np.clip(var_k - sigma2_p[np.arange(n_p * n_k) // n_k], 0.0, None)
    tau2_k = np.nan_to_num(tau2_k, nan=0.0)
    sigma2 = np.nan_to_num(sigma2_p[plat], nan=0.0) if n else np.zeros(0)
    tau2 = tau2_k[key] if n else np.zeros(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shrink = np.where(k > 0, tau2 / (tau2 + sigma2 / np.maximum(k, 1)), 0.0)
    shrink = np.nan_to_num(shrink, nan=0.0)
    level = np.where(k > 0, shrink * np.nan_to_num(m), 0.0)
    post_var = (1.0 - shrink) * tau2
    with np.errstate(invalid="ignore", divide="ignore"):
        reliability = np.where(sigma2 + post_var > 0, sigma2 / (sigma2 + post_var), 1.0)
    return pd.DataFrame(
        {
            "others": k.astype(np.int64),
            "others_mean": m,
            "shrink": shrink,
            "level": level,
            "posterior_var": post_var,
            "sigma2": sigma2,
            "tau2": tau2,
            "reliability": reliability,
        }
    )


def predicted_residual(
    target: np.ndarray, predictor: np.ndarray, platform: np.ndarray, min_pairs: int
) -> np.ndarray:
    """``target`` predicted from ``predictor`` by a per-platform line through the origin
    (``β = cov / var`` over rows with both), for every row with a predictor.

    Both are residuals (mean about 0 on each platform). Used for a work whose followers are
    unknown but whose views are: ``target`` is the follower-line residual of works with
    followers, ``predictor`` the residual of ln(c+I) on ln(1+views). β is the regression of
    the one on the other where both are known, so the prediction is the best linear guess of
    the follower residual, on its scale and shrunk by their correlation. A platform with fewer
    than ``min_pairs`` such works gets no prediction (NaN).
    """
    t = np.asarray(target, dtype="float64")
    x = np.asarray(predictor, dtype="float64")
    plat = np.asarray(platform, dtype=np.int64)
    out = np.full(len(x), np.nan)
    if not len(x):
        return out
    both = ~np.isnan(t) & ~np.isnan(x)
    n_p = int(plat.max()) + 1
    cnt = np.bincount(plat[both], minlength=n_p).astype("float64")
    sx = np.bincount(plat[both], x[both], n_p)
    st = np.bincount(plat[both], t[both], n_p)
    sxx = np.bincount(plat[both], x[both] ** 2, n_p)
    sxt = np.bincount(plat[both], x[both] * t[both], n_p)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = sxx / cnt - (sx / cnt) ** 2
        cov = sxt / cnt - (sx / cnt) * (st / cnt)
        beta = np.where((cnt >= min_pairs) & (var > 0), cov / var, np.nan)
    has = ~np.isnan(x)
    out[has] = beta[plat[has]] * x[has]
    return out
