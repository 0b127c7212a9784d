"""Measuring the ranking against a world whose truth is known (the simulator's, or a test's).

Pure functions over two frames: the ranked works (``platform``, ``platform_post_id`` and score
columns) and the truth (``platform``, ``post_id``, the hidden ``quality`` and the planted
``anomaly`` label, NULL for organic works). Spearman is computed without SciPy as the Pearson
correlation of average ranks, which is its definition with ties.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["flag_precision_recall", "spearman", "spearman_by_platform"]


def spearman(a: pd.Series | np.ndarray, b: pd.Series | np.ndarray) -> float:
    """Spearman's rho of two aligned series, pairs with a NaN dropped (NaN if < 3 pairs)."""
    x = pd.Series(np.asarray(a, dtype="float64"))
    y = pd.Series(np.asarray(b, dtype="float64"))
    ok = x.notna() & y.notna()
    if ok.sum() < 3:
        return float("nan")
    rx = x[ok].rank(method="average")
    ry = y[ok].rank(method="average")
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def _joined(works_df: pd.DataFrame, truth_df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    truth = truth_df.rename(columns={"post_id": "platform_post_id"})
    left = works_df[["platform", "platform_post_id", *columns]].copy()
    for frame in (left, truth):
        frame["platform"] = frame["platform"].astype("str")
        frame["platform_post_id"] = frame["platform_post_id"].astype("str")
    return left.merge(truth, on=["platform", "platform_post_id"], how="inner")


def spearman_by_platform(
    works_df: pd.DataFrame,
    truth_df: pd.DataFrame,
    *,
    score: str = "quality_score",
    truth: str = "quality",
) -> pd.DataFrame:
    """Spearman between ``score`` and the hidden ``truth``: one row per platform plus ``全部``
    (all platforms pooled), with the number of works compared."""
    j = _joined(works_df, truth_df, [score])
    rows = [
        {
            "platform": p,
            "works": int(g[score].notna().sum()),
            "spearman": spearman(g[score], g[truth]),
        }
        for p, g in j.groupby("platform", sort=True)
    ]
    rows.append(
        {
            "platform": "全部",
            "works": int(j[score].notna().sum()),
            "spearman": spearman(j[score], j[truth]),
        }
    )
    return pd.DataFrame(rows)


def flag_precision_recall(
    works_df: pd.DataFrame,
    truth_df: pd.DataFrame,
    threshold: float,
    *,
    score: str = "risk_score",
    label: str = "anomaly",
    positive_labels: Iterable[str] | None = None,
) -> dict[str, float | int]:
    """Precision and recall of ``score >= threshold`` against planted anomalies.

    A truth row is positive when its ``label`` is one of ``positive_labels`` (default: any
    non-empty label). Returns precision, recall, f1 and the counts behind them.
    """
    j = _joined(works_df, truth_df, [score])
    lab = j[label]
    if positive_labels is None:
        pos = lab.notna() & (lab.astype("str").str.strip() != "")
    else:
        pos = lab.isin(list(positive_labels))
    flagged = j[score].astype("float64").fillna(0.0) >= threshold
    tp = int((pos & flagged).sum())
    fp = int((~pos & flagged).sum())
    fn = int((pos & ~flagged).sum())
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "flagged": tp + fp,
        "positives": tp + fn,
    }
