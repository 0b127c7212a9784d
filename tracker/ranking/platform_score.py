"""Platform-fair percentiles (0-100), with an empirical-Bayes prior for small platforms.

Raw counts are not comparable across platforms (Douyin likes vs Zhihu votes), so every work is
placed within its own platform. On a platform with many works that is the plain percentile: the
mid-rank ``(rank − 0.5)/n × 100`` with ties given their average rank (so a lone work scores 50,
the best of n scores ``100 − 50/n`` and equal works score equally).

On a platform with fewer than ``min_works`` works a rank is too coarse and too noisy (the best of
three works would score 83 whatever it is). There the score is read from a normal model of the
value instead, and the model borrows strength from the other platforms:

- ``σ²``  = pooled within-platform variance over all platforms with ≥ 2 works
  (``Σ (n_p − 1)·s_p² / Σ (n_p − 1)``);
- ``μ₀``  = the mean of the platform means (each platform counts once), ``τ²`` = their variance
  minus the sampling noise ``mean(σ²/n_p)`` (method of moments, floored at 0; with a single
  platform τ² is unknown and nothing is shrunk);
- the platform's mean is shrunk toward ``μ₀``: ``B = (σ²/n_p) / (τ² + σ²/n_p)``,
  ``μ̂_p = (1 − B)·m_p + B·μ₀`` (Normal-Normal empirical Bayes: the fewer works, the more the
  pooled prior counts);
- score = ``100 × Φ((x − μ̂_p) / σ)``.

A value that is only a floor (a count shown as "100万+", see ``floors``) is censored: it ranks
just above the exact values equal to it and never below them; the normal model reads the floor
itself, so its score is a lower bound. The platform's mean and spread use the floor as given.

The per-platform numbers are returned so explanations can quote them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.ranking.floors import rank_key
from tracker.ranking.maths import normal_cdf

__all__ = ["METHOD_ZH", "platform_percentile"]

METHOD_ZH = {"rank": "平台内百分位", "eb": "小样本经验贝叶斯"}


def platform_percentile(
    x: pd.Series, platform: pd.Series, min_works: int, floor: np.ndarray | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Percentile of ``x`` within ``platform`` (NaN x -> NaN score).

    ``floor`` marks the values that are lower bounds (censored; ranked above exact equals).

    Returns ``(scores, stats)``: ``scores`` on x's index with ``pct`` and ``method``
    (rank | eb); ``stats`` indexed by platform with n, mean, sd, prior_mean, tau2, sigma2,
    shrink (B), mean_shrunk and method.
    """
    values = np.asarray(x, dtype="float64")
    codes, names = pd.factorize(pd.Series(platform, copy=False), sort=True)
    known = ~np.isnan(values) & (codes >= 0)
    kv, kc = values[known], codes[known]
    g = pd.Series(kv).groupby(kc, sort=True)
    # Per-platform numbers on a handful of rows: plain arrays (a small frame's every operation
    # costs more than its arithmetic). Means and variances come from the grouped kernels.
    counts = np.bincount(kc, minlength=len(names))
    present = np.flatnonzero(counts)
    n_p = counts[present]
    mean = g.mean().to_numpy(dtype="float64")
    var = g.var(ddof=1).to_numpy(dtype="float64")

    multi = n_p >= 2
    dof = (n_p[multi] - 1).sum()
    sigma2 = float(np.nansum(var[multi] * (n_p[multi] - 1)) / dof) if dof else np.nan
    prior_mean = float(np.nanmean(mean)) if len(mean) else np.nan
    if len(mean) >= 2 and np.isfinite(sigma2):
        tau2 = max(0.0, float(np.nanvar(mean, ddof=1)) - float(np.nanmean(sigma2 / n_p)))
    else:
        tau2 = np.inf
    noise = sigma2 / n_p
    if np.isinf(tau2):
        shrink = np.zeros(len(n_p))
    else:
        denom = tau2 + noise
        with np.errstate(divide="ignore", invalid="ignore"):
            shrink = np.where(denom > 0, noise / denom, 1.0)
    mean_shrunk = (1 - shrink) * mean + shrink * prior_mean
    stats = pd.DataFrame(
        {
            "n": n_p,
            "mean": mean,
            "sd": np.sqrt(var),
            "prior_mean": np.full(len(n_p), prior_mean),
            "tau2": np.full(len(n_p), tau2),
            "sigma2": np.full(len(n_p), sigma2),
            "shrink": shrink,
            "mean_shrunk": mean_shrunk,
            "method": np.where(n_p >= min_works, "rank", "eb"),
        },
        index=pd.Index([str(p) for p in np.asarray(names, dtype=object)[present]], name="platform"),
    )

    # per-row lookups through dense platform codes (no string work on a million rows)
    n_by_code = np.zeros(len(names), dtype=np.float64)
    n_by_code[present] = n_p
    mu_by_code = np.full(len(names), np.nan)
    mu_by_code[present] = mean_shrunk
    pct = np.full(len(values), np.nan)
    if floor is not None and np.any(floor):
        ranked = rank_key(kv, np.asarray(floor, dtype=bool)[known])
        rank = pd.Series(ranked).groupby(kc, sort=True).rank(method="average").to_numpy()
    else:
        rank = g.rank(method="average").to_numpy()
    n_k = n_by_code[kc]
    pct_k = (rank - 0.5) / n_k * 100.0
    small_k = n_k < min_works
    if small_k.any():
        if np.isfinite(sigma2) and sigma2 > 0:
            z = (kv[small_k] - mu_by_code[kc[small_k]]) / np.sqrt(sigma2)
            pct_k[small_k] = 100.0 * normal_cdf(z)
        else:
            pct_k[small_k] = 50.0
    pct[known] = pct_k
    method_codes = np.full(len(values), -1, dtype=np.int8)
    method_codes[known] = small_k.astype(np.int8)
    scores = pd.DataFrame(
        {
            "pct": pct,
            "method": pd.Categorical.from_codes(method_codes, categories=["rank", "eb"]),
        },
        index=x.index,
    )
    return scores, stats
