"""Unit ranks: equal units share the first rank of their group, and an unknown key ties with −∞
(as the rank key reads it) even where the sort does not put the two side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.ranking.units import RANK_KEYS, rank_units


def _units(reach: list[float]) -> pd.DataFrame:
    n = len(reach)
    return pd.DataFrame(
        {
            "unit_name": [f"u{i}" for i in range(n)],
            "active_accounts": [1] * n,
            "works": [2] * n,
            "platforms": [1] * n,
            "reach": reach,
            "share_of_voice": [0.5] * n,
        }
    )


def test_runs_of_equal_units_take_their_first_position() -> None:
    out = rank_units(_units([3.0, 5.0, 3.0, 5.0, 1.0, np.nan]), "reach")
    assert list(out["reach"].fillna(-1.0)) == [5.0, 5.0, 3.0, 3.0, 1.0, -1.0]
    assert list(out["rank"]) == [1, 1, 3, 3, 5, 6]
    assert out["rank"].dtype == np.int64


def test_an_unknown_key_ties_with_minus_infinity() -> None:
    # sorted: 5, -inf, then NULL last; the NULL still shares the rank of -inf
    out = rank_units(_units([np.nan, -np.inf, 5.0]), "reach")
    assert list(out["unit_name"]) == ["u2", "u1", "u0"]
    assert list(out["rank"]) == [1, 2, 2]


def test_no_units() -> None:
    out = rank_units(_units([]), "works")
    assert len(out) == 0
    assert list(out.columns) == ["unit_name", *RANK_KEYS, "rank", "rank_by"]
