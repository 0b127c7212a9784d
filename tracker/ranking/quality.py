"""The work quality score: a weighted blend of 0-100 components, NULL components left out.

Components (each a within-platform percentile, see ``platform_score``):

- ``fair_score``: ln(1+I) — how much engagement the work got, fair across platforms;
- ``size_score``: ln(1+I) minus what an account of the same follower count gets on that platform.
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
    log_i: pd.Series, log_followers: pd.Series, platform: pd.Series, min_works: int
) -> tuple[pd.Series, pd.DataFrame]:
    """Residual of ln(1+I) after a per-platform straight-line fit on ln(1+followers).

    The slope is fitted per platform where it has ``min_works`` works with both values, and is
    the pooled within-platform slope elsewhere (a line through 3 points is noise). The intercept
    always passes through the platform's own means, so residuals average 0 on every platform.
    Returns the residuals (NaN where either value is unknown) and per-platform fit numbers.
    """
    y = pd.Series(np.asarray(log_i, dtype="float64"), index=log_i.index)
    x = pd.Series(np.asarray(log_followers, dtype="float64"), index=log_i.index)
    plat = pd.Series(platform, copy=False).set_axis(log_i.index)
    both = y.notna() & x.notna()
    frame = pd.DataFrame({"x": x[both], "y": y[both], "p": plat[both]})
    g = frame.groupby("p", observed=True, sort=True)
    stats = pd.DataFrame({"n": g.size(), "x_mean": g["x"].mean(), "y_mean": g["y"].mean()})
    dx = frame["x"] - frame["p"].map(stats["x_mean"]).astype("float64")
    dy = frame["y"] - frame["p"].map(stats["y_mean"]).astype("float64")
    moments = (
        pd.DataFrame({"sxy": dx * dy, "sxx": dx * dx, "p": frame["p"]})
        .groupby("p", observed=True, sort=True)[["sxy", "sxx"]]
        .sum()
    )
    stats = stats.join(moments)
    total_sxx = float(stats["sxx"].sum()) if len(stats) else 0.0
    pooled = float(stats["sxy"].sum()) / total_sxx if total_sxx > 0 else 0.0
    own = (stats["sxy"] / stats["sxx"]).where(stats["sxx"] > 0)
    stats["slope"] = own.where(stats["n"] >= min_works, pooled).fillna(pooled)
    stats["pooled_slope"] = pooled
    resid = pd.Series(np.nan, index=log_i.index)
    slope = frame["p"].map(stats["slope"]).astype("float64")
    resid[both] = dy - slope * dx
    return resid, stats


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
