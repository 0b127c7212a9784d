"""Weighted interactions ``I`` with NULL terms left out and the weights renormalised.

A platform that does not show shares (or a submitted work with only likes) must not be scored as
if it had zero shares: NULL means unknown. So ``I = Σ_known w·m × (Σ_all w / Σ_known w)`` — the
known terms scaled up to the full weight. When every term is NULL, ``I`` is NA.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.ranking.maths import as_float, renormalised_sum
from tracker.ranking.settings import InteractionWeights

__all__ = ["INTERACTION_METRICS", "interactions"]

INTERACTION_METRICS = ("likes", "comments", "shares", "favorites")


def interactions(metrics: pd.DataFrame, weights: InteractionWeights) -> pd.DataFrame:
    """Columns ``interactions`` (renormalised I), ``interactions_raw`` (Σ over known terms) and
    ``interaction_weight_known`` (Σ w over known terms), on ``metrics``' index.

    Missing metric columns count as NULL for every row.
    """
    w = weights.as_dict()
    values = {
        m: (as_float(metrics[m]) if m in metrics.columns else np.full(len(metrics), np.nan))
        for m in INTERACTION_METRICS
    }
    raw, known_w = renormalised_sum(values, w)
    scaled = raw * (weights.total / known_w)
    return pd.DataFrame(
        {
            "interactions": scaled,
            "interactions_raw": raw,
            "interaction_weight_known": known_w,
        },
        index=metrics.index,
    )
