"""Platform-fair percentiles: mid-ranks with ties averaged; empirical Bayes below 30 works."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tracker.ranking.platform_score import platform_percentile


def phi(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def test_ties_get_the_average_rank() -> None:
    x = pd.Series([1.0, 2.0, 2.0, 3.0])
    p = pd.Series(["weibo"] * 4)
    scores, _ = platform_percentile(x, p, min_works=4)
    # ranks 1, 2.5, 2.5, 4 of n=4 -> (r - 0.5)/4 × 100
    assert list(scores["pct"]) == [12.5, 50.0, 50.0, 87.5]
    assert list(scores["method"]) == ["rank"] * 4


def test_nan_is_not_ranked_and_does_not_count() -> None:
    x = pd.Series([1.0, np.nan, 3.0])
    p = pd.Series(["weibo"] * 3)
    scores, stats = platform_percentile(x, p, min_works=2)
    assert scores["pct"].iloc[0] == 25.0 and scores["pct"].iloc[2] == 75.0
    assert math.isnan(scores["pct"].iloc[1])
    assert stats.loc["weibo", "n"] == 2


def test_platforms_are_ranked_separately() -> None:
    x = pd.Series([1.0, 2.0, 1000.0, 2000.0])
    p = pd.Series(["zhihu", "zhihu", "douyin", "douyin"])
    scores, _ = platform_percentile(x, p, min_works=2)
    assert list(scores["pct"]) == [25.0, 75.0, 25.0, 75.0]


def _two_platforms(small_values: list[float]) -> tuple[pd.Series, pd.Series]:
    big = [float(v) for v in range(30)]  # mean 14.5, sample variance 77.5
    x = pd.Series(big + small_values)
    p = pd.Series(["big"] * 30 + ["small"] * len(small_values))
    return x, p


def test_platform_with_30_works_uses_plain_percentile() -> None:
    x, p = _two_platforms([100.0, 102.0, 104.0])
    scores, stats = platform_percentile(x, p, min_works=30)
    assert stats.loc["big", "method"] == "rank"
    assert scores["pct"].iloc[0] == pytest.approx(0.5 / 30 * 100)
    assert scores["pct"].iloc[29] == pytest.approx(29.5 / 30 * 100)


def test_small_platform_borrows_a_pooled_prior() -> None:
    x, p = _two_platforms([100.0, 102.0, 104.0])
    scores, stats = platform_percentile(x, p, min_works=30)
    # Hand computation (see platform_score's docstring):
    sigma2 = (29 * 77.5 + 2 * 4.0) / (29 + 2)  # pooled within-platform variance
    mu0 = (14.5 + 102.0) / 2  # mean of the platform means
    var_means = (14.5 - mu0) ** 2 + (102.0 - mu0) ** 2  # ddof=1 with 2 platforms
    tau2 = var_means - (sigma2 / 30 + sigma2 / 3) / 2
    b = (sigma2 / 3) / (tau2 + sigma2 / 3)
    mu_hat = (1 - b) * 102.0 + b * mu0
    expected = [100 * phi((v - mu_hat) / math.sqrt(sigma2)) for v in (100.0, 102.0, 104.0)]
    assert stats.loc["small", "method"] == "eb"
    assert stats.loc["small", "shrink"] == pytest.approx(b)
    assert stats.loc["small", "mean_shrunk"] == pytest.approx(mu_hat)
    assert list(scores["pct"].iloc[30:]) == pytest.approx(expected, abs=1e-4)
    assert expected[2] == pytest.approx(60.52, abs=0.01)  # the number read by hand
    assert list(scores["method"].iloc[30:]) == ["eb"] * 3


def test_small_platform_shrinks_fully_when_platforms_agree() -> None:
    # Platform means 14.5 and 12 differ less than sampling noise explains -> tau2 = 0, B = 1:
    # the small platform is scored against the pooled mean 13.25.
    x, p = _two_platforms([10.0, 12.0, 14.0])
    scores, stats = platform_percentile(x, p, min_works=30)
    sigma2 = (29 * 77.5 + 2 * 4.0) / 31
    assert stats.loc["small", "tau2"] == 0
    assert stats.loc["small", "shrink"] == 1
    assert scores["pct"].iloc[31] == pytest.approx(
        100 * phi((12 - 13.25) / math.sqrt(sigma2)), abs=1e-4
    )


def test_single_small_platform_is_not_shrunk() -> None:
    x = pd.Series([1.0, 2.0, 3.0])
    p = pd.Series(["kepuchina"] * 3)
    scores, stats = platform_percentile(x, p, min_works=30)
    assert stats.loc["kepuchina", "shrink"] == 0
    # mean 2, sd 1 -> 100·Φ(−1), 50, 100·Φ(1)
    assert list(scores["pct"]) == pytest.approx([100 * phi(-1), 50.0, 100 * phi(1)], abs=1e-4)


def test_lone_work_scores_fifty() -> None:
    scores, _ = platform_percentile(pd.Series([5.0]), pd.Series(["xuexi"]), min_works=30)
    assert scores["pct"].iloc[0] == 50.0
