"""The work quality score: a weighted blend of 0-100 components, NULL components left out.

Components (each a within-platform percentile, see ``platform_score``):

- ``fair_score``: ln(1+I) — how much engagement the work got, fair across platforms;
- ``size_score``: ln(c+I) minus what an account of the same follower count gets on that platform
  (``size_pseudo_count`` c, 0.3 by default).
  Raw engagement is driven mostly by audience size (followers span 10 to 10⁷); this residual is
  what the work itself earned, the interaction-rate idea of CrowdTangle and Tweet Binder's
  "engages more than expected" made robust to any power law between followers and engagement;
- ``over_score``: the CrowdTangle overperforming score against the account's own baseline;
- ``reach_score``: ln(1+views) where the platform shows views.

``quality = Σ w_k·c_k / Σ_known w_k``; the result is discounted by the risk score
(``× (1 − discount·risk)``), both numbers kept as columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.ranking.maths import renormalised_sum
from tracker.ranking.settings import QualityWeights

__all__ = ["COMPONENTS", "blend_quality", "size_residual"]

COMPONENTS = {
    "fair": "fair_score",
    "size_adjusted": "size_score",
    "overperformance": "over_score",
    "reach": "reach_score",
}


def size_residual(
    log_i: pd.Series,
    log_followers: pd.Series,
    platform: pd.Series,
    min_works: int,
    content_type: pd.Series | None = None,
    min_type_works: int = 3,
) -> tuple[pd.Series, pd.DataFrame, pd.Series]:
    """Residual of ln(c+I) after a per-platform straight-line fit on ln(1+followers), less the
    work's content-type offset.

    The slope is fitted per platform where it has ``min_works`` works with both values, and is
    the pooled within-platform slope elsewhere (a line through 3 points is noise). The intercept
    always passes through the platform's own means. A content type with ``min_type_works`` works
    on a platform (with both values) gets its own level: a repost, which reaches a twentieth of
    what an original does, is judged against reposts, and a text post against text posts, as
    CrowdTangle compares a post with its account's posts of the same type. The slope is fitted
    on the values with those levels taken out. Returns the residuals (NaN where either value is
    unknown), the per-platform fit numbers and each work's content-type offset (0 without
    content types).
    """
    y_all = np.asarray(log_i, dtype="float64")
    x_all = np.asarray(log_followers, dtype="float64")
    both = ~(np.isnan(y_all) | np.isnan(x_all))
    p_codes, p_names = pd.factorize(pd.Series(platform, copy=False).to_numpy()[both], sort=True)
    x, y = x_all[both], y_all[both]
    offset = np.zeros(len(y))
    stats, fitted = _line_fit(x, y, offset, p_codes, len(p_names), min_works)
    if content_type is not None and len(y):
        kinds = pd.Series(content_type, copy=False).to_numpy()[both]
        t_codes, t_names = pd.factorize(kinds, use_na_sentinel=False)
        key = p_codes * max(len(t_names), 1) + t_codes
        for _ in range(2):  # levels, then the slope without them, then the levels again
            offset = _type_levels(y - fitted, key, p_codes, len(p_names), min_type_works)
            stats, fitted = _line_fit(x, y, offset, p_codes, len(p_names), min_works)
    stats.index = pd.Index(p_names, name="p")
    resid = pd.Series(np.nan, index=log_i.index)
    resid[both] = y - fitted - offset
    type_offset = pd.Series(np.nan, index=log_i.index)
    type_offset[both] = offset
    return resid, stats, type_offset


def _line_fit(
    x: np.ndarray,
    y: np.ndarray,
    offset: np.ndarray,
    p: np.ndarray,
    n_platforms: int,
    min_works: int,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Per-platform line of ``y - offset`` on ``x`` through the platform means; returns the
    fit table (one row per platform code) and each work's fitted value (offset excluded)."""
    z = y - offset
    n = np.bincount(p, minlength=n_platforms).astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        x_mean = np.bincount(p, x, n_platforms) / n
        y_mean = np.bincount(p, z, n_platforms) / n
        dx = x - x_mean[p]
        dy = z - y_mean[p]
        sxy = np.bincount(p, dx * dy, n_platforms)
        sxx = np.bincount(p, dx * dx, n_platforms)
        total_sxx = float(sxx.sum())
        pooled = float(sxy.sum()) / total_sxx if total_sxx > 0 else 0.0
        own = np.where(sxx > 0, sxy / sxx, np.nan)
    slope = np.where(n >= min_works, own, pooled)
    slope = np.where(np.isnan(slope), pooled, slope)
    stats = pd.DataFrame(
        {
            "n": n.astype("int64"),
            "x_mean": x_mean,
            "y_mean": y_mean,
            "sxy": sxy,
            "sxx": sxx,
            "slope": slope,
            "pooled_slope": pooled,
        }
    )
    return stats, y_mean[p] + slope[p] * dx


def _type_levels(
    resid: np.ndarray, key: np.ndarray, p: np.ndarray, n_platforms: int, min_type_works: int
) -> np.ndarray:
    """Each work's content-type offset: its (platform, type) mean residual shrunk by empirical
    Bayes.

    The type mean is shrunk toward its platform's level by ``B = τ² / (τ² + σ²/n)``: σ² is the
    pooled spread of works around their type's mean, τ² the spread of the type means beyond
    what σ²/n explains (method of moments). Where types do not differ, τ² ≈ 0 and every offset
    ≈ 0, so a platform's three types of similar reach are not pulled apart by noise; a real gap
    (reposts) survives almost whole. Types with fewer than ``min_type_works`` works share the
    platform's level. Offsets average 0 over each platform's works, so the platform's own level
    is untouched.
    """
    n_keys = int(key.max()) + 1
    n = np.bincount(key, minlength=n_keys).astype("float64")
    present = n > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(key, resid, n_keys) / n
        ss = np.bincount(key, (resid - mean[key]) ** 2, n_keys)
    plat_of_key = np.zeros(n_keys, dtype=np.int64)
    plat_of_key[key] = p
    total = np.bincount(plat_of_key, n, n_platforms)
    centre = np.bincount(plat_of_key, np.where(present, mean * n, 0.0), n_platforms) / np.maximum(
        total, 1
    )
    dev = np.where(present, mean - centre[plat_of_key], 0.0)
    n_types = np.bincount(plat_of_key, present.astype("float64"), n_platforms)
    sigma2 = np.bincount(plat_of_key, ss, n_platforms) / np.maximum(total - n_types, 1)
    own = n >= min_type_works
    between = np.bincount(plat_of_key, np.where(own, n * dev**2, 0.0), n_platforms)
    counted = np.bincount(plat_of_key, np.where(own, n, 0.0), n_platforms)
    n_own = np.bincount(plat_of_key, own.astype("float64"), n_platforms)
    tau2 = np.clip(
        (between - np.maximum(n_own - 1, 0) * sigma2) / np.maximum(counted, 1), 0.0, None
    )
    s2 = sigma2[plat_of_key]
    t2 = tau2[plat_of_key]
    with np.errstate(invalid="ignore", divide="ignore"):
        shrink = np.nan_to_num(t2 / (t2 + s2 / np.maximum(n, 1)))
    level = np.where(own & (n_own[plat_of_key] >= 2), shrink * dev, 0.0)
    # re-centre: the platform's work-weighted mean offset is 0
    shift = np.bincount(plat_of_key, level * n, n_platforms) / np.maximum(total, 1)
    return (level - shift[plat_of_key])[key]


def blend_quality(components: pd.DataFrame, weights: QualityWeights) -> pd.DataFrame:
    """``quality_raw`` (renormalised blend) and ``quality_weight_known`` from component columns."""
    w = weights.as_dict()
    values = {
        name: components[col].to_numpy(dtype="float64", na_value=np.nan)
        for name, col in COMPONENTS.items()
    }
    total, known_w = renormalised_sum(values, w)
    return pd.DataFrame(
        {"quality_raw": total / known_w, "quality_weight_known": known_w}, index=components.index
    )
