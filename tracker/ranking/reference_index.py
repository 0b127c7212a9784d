"""A 清博 BCI-style spread index, shown beside our scores because campaign staff know it.

Published provincial form (ranking-anchors §2.2)::

    W1 = ln(发博数 + 1)
    W2 = 0.4·ln(转发数 + 1) + 0.4·ln(评论数 + 1) + 0.2·ln(点赞数 + 1)
    BCI = (0.2·W1 + 0.8·W2) × 160

over the evaluation window: here the account's campaign works, with counts read at the fixed age.
BCI is a Weibo index; on other platforms it is "BCI-style" and labelled so. Where a platform does
not show a count at all (every work NULL), that term is left out and the other W2 weights are
scaled up to the same total, as for interactions; it never counts as zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.ranking.maths import as_float, renormalised_sum
from tracker.ranking.settings import ReferenceIndexSettings

__all__ = ["reference_index"]


def reference_index(
    works: pd.DataFrame, by: list[str] | np.ndarray, settings: ReferenceIndexSettings
) -> pd.DataFrame:
    """BCI per group of works: ``by`` is a list of columns (``["platform", "account_uid"]``,
    ``["creator_key"]``) or an array of group codes aligned with the rows.

    ``works`` needs likes, comments, shares (fixed-age readings). Returns columns ``bci_works``,
    ``bci_shares``, ``bci_comments``, ``bci_likes`` (sums, NA when unknown for every work),
    ``bci_w1``, ``bci_w2`` and ``reference_index``, indexed by ``by``.
    """
    metrics = ("shares", "comments", "likes")
    if isinstance(by, np.ndarray):
        frame = pd.DataFrame({"group": by})
        keys = ["group"]
    else:
        frame = works[by].reset_index(drop=True)
        keys = list(by)
    for m in metrics:
        frame[m] = as_float(works[m]) if m in works.columns else np.nan
    g = frame.groupby(keys, observed=True, sort=False)
    sums = g[list(metrics)].sum(min_count=1)
    out = pd.DataFrame(index=sums.index)
    out["bci_works"] = g.size()
    for m in metrics:
        out[f"bci_{m}"] = sums[m]
    w1 = np.log(out["bci_works"].to_numpy(dtype="float64") + 1.0)
    logs = {m: np.log1p(sums[m].to_numpy(dtype="float64")) for m in metrics}
    weights = {"shares": settings.shares, "comments": settings.comments, "likes": settings.likes}
    raw, known_w = renormalised_sum(logs, weights)
    w2 = raw * (sum(weights.values()) / known_w)
    out["bci_w1"] = w1
    out["bci_w2"] = w2
    out["reference_index"] = (
        settings.activity_weight * w1 + settings.spread_weight * w2
    ) * settings.scale
    return out
