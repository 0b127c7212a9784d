"""Size-adjusted residuals and the renormalised quality blend."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tracker.ranking.evaluate import spearman
from tracker.ranking.quality import blend_quality, size_residual
from tracker.ranking.settings import QualityWeights


def test_residual_against_a_per_platform_line() -> None:
    # platform a: y = 1 + 0.5·x exactly, except the last point 1 above the line
    x = pd.Series([0.0, 2.0, 4.0, 6.0, 2.0])
    y = pd.Series([1.0, 2.0, 3.0, 4.0, 3.0])
    p = pd.Series(["a"] * 5)
    resid, stats, _ = size_residual(y, x, p, min_works=5)
    # means x̄ = 2.8, ȳ = 2.6; Sxy = 9.6, Sxx = 20.8 -> slope 0.461538
    slope = 9.6 / 20.8
    assert slope == pytest.approx(0.461538, abs=1e-6)
    assert stats.loc["a", "slope"] == pytest.approx(slope)
    expected = y - 2.6 - slope * (x - 2.8)
    assert list(resid) == pytest.approx(list(expected))
    assert resid.sum() == pytest.approx(0.0)


def test_small_platform_uses_the_pooled_slope_and_unknown_followers_are_nan() -> None:
    x = pd.Series([0.0, 2.0, 4.0, 1.0, 3.0, np.nan])
    y = pd.Series([0.0, 2.0, 4.0, 10.0, 10.0, 5.0])
    p = pd.Series(["big", "big", "big", "small", "small", "small"])
    resid, stats, _ = size_residual(y, x, p, min_works=3)
    # big: slope 1 (own); small has 2 works -> pooled slope = (8 + 0)/(8 + 2) = 0.8
    assert stats.loc["big", "slope"] == pytest.approx(1.0)
    assert stats.loc["small", "slope"] == pytest.approx(0.8)
    assert resid.iloc[3] == pytest.approx(10 - 10 - 0.8 * (1 - 2))
    assert np.isnan(resid.iloc[5])


def _two_types(repost_level: float, seed: int = 3) -> tuple[pd.Series, ...]:
    """40 originals and 8 reposts on one platform: y = 0.7·x + quality + noise (+ level)."""
    rng = np.random.default_rng(seed)
    kind = pd.Series(["original"] * 40 + ["repost"] * 8)
    x = pd.Series(rng.uniform(3, 12, len(kind)))
    quality = pd.Series(rng.uniform(0, 1, len(kind)))
    level = np.where(kind == "repost", repost_level, 0.0)
    y = 0.7 * x + 3 * quality + rng.normal(0, 0.2, len(kind)) + level
    return x, y, quality, kind


def test_reposts_are_judged_against_reposts() -> None:
    """Reposts reach a twentieth (ln 0.05 ≈ −3): without a level of their own every repost sits
    at the bottom whatever its quality; with one, residuals follow quality in both types."""
    x, y, quality, kind = _two_types(np.log(0.05))
    p = pd.Series(["weibo"] * len(kind))
    plain, _, _ = size_residual(y, x, p, min_works=5)
    typed, _, offset = size_residual(y, x, p, min_works=5, content_type=kind, min_type_works=3)
    reposts = (kind == "repost").to_numpy()
    assert plain[reposts].max() < plain[~reposts].median()  # all reposts pushed down
    gap = offset[reposts].iloc[0] - offset[~reposts].iloc[0]
    assert gap == pytest.approx(np.log(0.05), abs=0.4)  # the real gap survives shrinkage
    assert offset.sum() == pytest.approx(0.0, abs=1e-9)  # the platform level is untouched
    assert spearman(typed, quality) > 0.95 > spearman(plain, quality)


def test_types_that_do_not_differ_are_not_pulled_apart_by_noise() -> None:
    x, y, quality, kind = _two_types(0.0)
    p = pd.Series(["zhihu"] * len(kind))
    _, _, offset = size_residual(y, x, p, min_works=5, content_type=kind, min_type_works=3)
    assert offset.abs().max() < 0.1  # empirical Bayes shrinks a noise gap to (almost) nothing


def test_rare_types_share_the_platform_level() -> None:
    x, y, quality, kind = _two_types(np.log(0.05))
    p = pd.Series(["weibo"] * len(kind))
    _, _, offset = size_residual(y, x, p, min_works=5, content_type=kind, min_type_works=9)
    assert offset.abs().max() == pytest.approx(0.0)  # 8 reposts < 9: no level of their own


def test_blend_renormalises_over_known_components() -> None:
    comps = pd.DataFrame(
        {
            "fair_score": [80.0, 80.0, np.nan],
            "size_score": [60.0, 60.0, np.nan],
            "over_score": [40.0, np.nan, np.nan],
            "reach_score": [np.nan, np.nan, np.nan],
        }
    )
    w = QualityWeights(fair=0.2, size_adjusted=0.5, overperformance=0.2, reach=0.1)
    out = blend_quality(comps, w)
    assert out["quality_raw"].iloc[0] == pytest.approx((0.2 * 80 + 0.5 * 60 + 0.2 * 40) / 0.9)
    assert out["quality_raw"].iloc[1] == pytest.approx((0.2 * 80 + 0.5 * 60) / 0.7)
    assert out["quality_weight_known"].iloc[1] == pytest.approx(0.7)
    assert np.isnan(out["quality_raw"].iloc[2])
