"""清博 BCI-style reference index with the published weights."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tracker.ranking.reference_index import reference_index
from tracker.ranking.settings import ReferenceIndexSettings


def _works(shares: list, comments: list, likes: list, account: str = "a") -> pd.DataFrame:
    n = len(likes)
    return pd.DataFrame(
        {
            "platform": ["weibo"] * n,
            "account_uid": [account] * n,
            "shares": pd.array(shares, dtype="Int64"),
            "comments": pd.array(comments, dtype="Int64"),
            "likes": pd.array(likes, dtype="Int64"),
        }
    )


def test_published_formula_by_hand() -> None:
    # 9 works; totals: 99 shares, 99 comments, 999 likes
    w = _works([11] * 9, [11] * 9, [111] * 9)
    out = reference_index(w, ["platform", "account_uid"], ReferenceIndexSettings())
    row = out.loc[("weibo", "a")]
    w1 = math.log(10)
    w2 = 0.4 * math.log(100) + 0.4 * math.log(100) + 0.2 * math.log(1000)
    assert row["bci_w1"] == pytest.approx(w1)
    assert row["bci_w2"] == pytest.approx(w2)
    assert row["reference_index"] == pytest.approx((0.2 * w1 + 0.8 * w2) * 160)
    assert row["reference_index"] == pytest.approx(722.09, abs=0.01)


def test_unexposed_metric_is_left_out_not_zero() -> None:
    # Zhihu-like: no shares at all -> W2 = (0.4·ln(C+1) + 0.2·ln(L+1)) × 1.0/0.6
    w = _works([None, None], [49, 50], [499, 500])
    out = reference_index(w, ["platform", "account_uid"], ReferenceIndexSettings())
    row = out.loc[("weibo", "a")]
    assert pd.isna(row["bci_shares"])
    expected_w2 = (0.4 * math.log(100) + 0.2 * math.log(1000)) / 0.6
    assert row["bci_w2"] == pytest.approx(expected_w2)


def test_partly_known_metric_sums_known_values() -> None:
    w = _works([None, 9], [0, 0], [0, 0])
    out = reference_index(w, ["platform", "account_uid"], ReferenceIndexSettings())
    assert out.loc[("weibo", "a"), "bci_shares"] == 9
