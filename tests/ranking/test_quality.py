"""Size-adjusted residuals and the renormalised quality blend."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tracker.ranking.quality import blend_quality, size_residual
from tracker.ranking.settings import QualityWeights


def test_residual_against_a_per_platform_line() -> None:
    # platform a: y = 1 + 0.5·x exactly, except the last point 1 above the line
    x = pd.Series([0.0, 2.0, 4.0, 6.0, 2.0])
    y = pd.Series([1.0, 2.0, 3.0, 4.0, 3.0])
    p = pd.Series(["a"] * 5)
    resid, stats = size_residual(y, x, p, min_works=5)
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
    resid, stats = size_residual(y, x, p, min_works=3)
    # big: slope 1 (own); small has 2 works -> pooled slope = (8 + 0)/(8 + 2) = 0.8
    assert stats.loc["big", "slope"] == pytest.approx(1.0)
    assert stats.loc["small", "slope"] == pytest.approx(0.8)
    assert resid.iloc[3] == pytest.approx(10 - 10 - 0.8 * (1 - 2))
    assert np.isnan(resid.iloc[5])


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
