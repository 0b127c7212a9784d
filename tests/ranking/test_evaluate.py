"""The measurement harness: Spearman per platform and flag precision/recall."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tracker.ranking.evaluate import flag_precision_recall, spearman, spearman_by_platform


def test_spearman_by_hand_with_ties() -> None:
    # ranks x: 1, 2.5, 2.5, 4 ; y: 1, 2, 3, 4 -> Pearson of the ranks
    rho = spearman([1, 2, 2, 3], [10, 20, 30, 40])
    rx, ry = [1, 2.5, 2.5, 4], [1, 2, 3, 4]
    mx, my = sum(rx) / 4, sum(ry) / 4
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    den = math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))
    assert rho == pytest.approx(cov / den)
    assert rho == pytest.approx(0.9487, abs=1e-4)
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert math.isnan(spearman([1, 2], [1, 2]))


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    works = pd.DataFrame(
        {
            "platform": ["weibo"] * 4 + ["douyin"] * 3,
            "platform_post_id": ["1", "2", "3", "4", "1", "2", "3"],
            "quality_score": [10.0, 20.0, 30.0, 40.0, 5.0, 4.0, 3.0],
            "risk_score": [0.9, 0.1, 0.6, 0.2, 0.0, 0.7, None],
        }
    )
    truth = pd.DataFrame(
        {
            "platform": ["weibo"] * 4 + ["douyin"] * 3,
            "post_id": ["1", "2", "3", "4", "1", "2", "3"],
            "quality": [1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0],
            "anomaly": ["bought_likes", None, None, "lockstep", None, "bought_likes", ""],
        }
    )
    return works, truth


def test_spearman_by_platform() -> None:
    works, truth = _frames()
    out = spearman_by_platform(works, truth).set_index("platform")
    assert out.loc["weibo", "spearman"] == pytest.approx(1.0)
    assert out.loc["douyin", "spearman"] == pytest.approx(-1.0)
    assert out.loc["全部", "works"] == 7


def test_flag_precision_recall() -> None:
    works, truth = _frames()
    res = flag_precision_recall(works, truth, 0.5)
    # flagged: weibo 1 (pos), weibo 3 (neg), douyin 2 (pos); positives: w1, w4, d2
    assert (res["true_positives"], res["false_positives"], res["false_negatives"]) == (2, 1, 1)
    assert res["precision"] == pytest.approx(2 / 3)
    assert res["recall"] == pytest.approx(2 / 3)
    only_bought = flag_precision_recall(works, truth, 0.5, positive_labels=["bought_likes"])
    assert only_bought["recall"] == 1.0
