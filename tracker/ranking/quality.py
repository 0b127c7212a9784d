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
    log_i: pd.Series,
    log_followers: pd.Series,
    platform: pd.Series,
    min_works: int,
    content_type: pd.Series | None = None,
    min_type_works: int = 3,
) -> tuple[pd.Series, pd.DataFrame, pd.Series]:
    """Residual of ln(1+I) after a per-platform straight-line fit on ln(1+followers), less the
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
    y = pd.Series(np.asarray(log_i, dtype="float64"), index=log_i.index)
    x = pd.Series(np.asarray(log_followers, dtype="float64"), index=log_i.index)
    plat = pd.Series(platform, copy=False).set_axis(log_i.index)
    both = y.notna() & x.notna()
    frame = pd.DataFrame({"x": x[both], "y": y[both], "p": plat[both]})
    if content_type is not None:
        kind = pd.Series(content_type, copy=False).set_axis(log_i.index)[both]
        frame["t"] = kind.astype("object").where(kind.notna(), "").to_numpy()
    offset = pd.Series(0.0, index=frame.index)
    stats, resid_both = _line_fit(frame, offset, min_works)
    if content_type is not None and len(frame):
        for _ in range(2):  # levels, then the slope without them, then the levels again
            table = _type_levels(resid_both, frame["p"], frame["t"], min_type_works)
            idx = pd.MultiIndex.from_arrays([frame["p"], frame["t"]])
            offset = pd.Series(table["offset"].reindex(idx).to_numpy(), index=frame.index)
            stats, resid_both = _line_fit(frame, offset, min_works)
        resid_both = resid_both - offset
    resid = pd.Series(np.nan, index=log_i.index)
    resid[both] = resid_both
    type_offset = pd.Series(np.nan, index=log_i.index)
    type_offset[both] = offset
    return resid, stats, type_offset


def _line_fit(
    frame: pd.DataFrame, offset: pd.Series, min_works: int
) -> tuple[pd.DataFrame, pd.Series]:
    """Per-platform line of ``y - offset`` on ``x`` through the platform means; returns the
    fit table and ``y`` less the line (the offset still in it)."""
    y = frame["y"] - offset
    g = frame.groupby("p", observed=True, sort=True)
    stats = pd.DataFrame(
        {
            "n": g.size(),
            "x_mean": g["x"].mean(),
            "y_mean": y.groupby(frame["p"], observed=True, sort=True).mean(),
        }
    )
    dx = frame["x"] - frame["p"].map(stats["x_mean"]).astype("float64")
    dy = y - frame["p"].map(stats["y_mean"]).astype("float64")
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
    slope = frame["p"].map(stats["slope"]).astype("float64")
    return stats, dy + offset - slope * dx


def _type_levels(
    resid: pd.Series, platform: pd.Series, kind: pd.Series, min_type_works: int
) -> pd.DataFrame:
    """Content-type offsets per (platform, type), shrunk by empirical Bayes.

    Each type's mean residual is shrunk toward its platform's level by
    ``B = τ² / (τ² + σ²/n)``: σ² is the pooled spread of works around their type's mean, τ²
    the spread of the type means beyond what σ²/n explains (method of moments). Where types
    do not differ, τ² ≈ 0 and every offset ≈ 0, so a platform's three types of similar reach
    are not pulled apart by noise; a real gap (reposts) survives almost whole. Types with fewer
    than ``min_type_works`` works share the platform's level. Offsets average 0 over each
    platform's works, so the platform's own level is untouched.
    """
    keys = [platform, kind]
    groups = resid.groupby(keys, observed=True, sort=True)
    table = pd.DataFrame({"n": groups.size(), "mean": groups.mean(), "ss": groups.var(ddof=0)})
    table["ss"] *= table["n"]
    by_platform = table.groupby(level=0, observed=True, sort=False)
    total = by_platform["n"].transform("sum")
    centre = (table["mean"] * table["n"]).groupby(level=0, observed=True).transform("sum") / total
    dev = table["mean"] - centre
    n_types = by_platform["n"].transform("size")
    sigma2 = by_platform["ss"].transform("sum") / (total - n_types).clip(lower=1)
    own = table["n"] >= min_type_works
    between = (table["n"] * dev**2).where(own, 0.0).groupby(level=0, observed=True).transform("sum")
    counted = table["n"].where(own, 0).groupby(level=0, observed=True).transform("sum")
    n_own = own.groupby(level=0, observed=True).transform("sum")
    tau2 = ((between - (n_own - 1).clip(lower=0) * sigma2) / counted.clip(lower=1)).clip(lower=0)
    shrink = tau2 / (tau2 + sigma2 / table["n"])
    table["offset"] = (shrink.fillna(0.0) * dev).where(own & (n_own >= 2), 0.0)
    # re-centre: the platform's work-weighted mean offset is 0
    weighted = (table["offset"] * table["n"]).groupby(level=0, observed=True).transform("sum")
    table["offset"] -= weighted / total
    return table


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
