"""Weighted interactions with NULL terms left out and the weights renormalised."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tracker.ranking.interactions import interactions
from tracker.ranking.settings import InteractionWeights


def _frame(**cols: list) -> pd.DataFrame:
    return pd.DataFrame({k: pd.array(v, dtype="Int64") for k, v in cols.items()})


def test_all_terms_known() -> None:
    m = _frame(likes=[120], comments=[30], shares=[10], favorites=[5])
    out = interactions(m, InteractionWeights())
    # 1×120 + 2×30 + 3×10 + 2×5 = 220
    assert out["interactions"].iloc[0] == 220
    assert out["interaction_weight_known"].iloc[0] == 8


def test_null_terms_left_out_and_weights_renormalised() -> None:
    m = _frame(likes=[120], comments=[30], shares=[None], favorites=[None])
    out = interactions(m, InteractionWeights())
    # known: 1×120 + 2×30 = 180 over weight 3 of 8 -> 180 × 8/3 = 480
    assert out["interactions_raw"].iloc[0] == 180
    assert out["interaction_weight_known"].iloc[0] == 3
    assert out["interactions"].iloc[0] == pytest.approx(480)


def test_zero_counts_are_known_not_null() -> None:
    m = _frame(likes=[0], comments=[0], shares=[0], favorites=[None])
    out = interactions(m, InteractionWeights())
    assert out["interactions"].iloc[0] == 0
    assert out["interaction_weight_known"].iloc[0] == 6


def test_all_null_is_na() -> None:
    m = _frame(likes=[None], comments=[None], shares=[None], favorites=[None])
    out = interactions(m, InteractionWeights())
    assert math.isnan(out["interactions"].iloc[0])


def test_missing_columns_count_as_null_and_custom_weights() -> None:
    m = _frame(likes=[10])
    out = interactions(m, InteractionWeights(likes=2, comments=0, shares=0, favorites=0))
    assert out["interactions"].iloc[0] == 20
