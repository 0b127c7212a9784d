"""CrowdTangle's overperforming score: did this work beat the account's own normal?

Baseline ``E`` (CrowdTangle help article 2013937): the account's previous works of the same
content type — at most ``history_size`` (100), read at the same fixed age — with the top and
bottom ``trim_fraction`` (25 %) dropped and the middle averaged. Trimming follows SciPy's
``trim_mean`` convention: ``g = floor(n × trim)`` values are cut from each end, so 3 earlier works
keep all three, 4 keep the middle two, 100 keep the middle 50. "Previous" means published strictly
earlier; works of unknown time or unknown ``I`` take no part. Fewer than ``min_earlier_works``
earlier works: no baseline, score NULL.

Score, with actual ``A`` and minimum ``m`` (CrowdTangle's rules):

- ``E ≥ m``: ``A ≥ E`` -> ``A/E``; ``0 < A < E`` -> ``−E/A``; ``A = 0`` -> ``−2·E``.
- ``E < m`` (a tiny baseline, where ratios mean little): ``A ≥ E`` -> ``A/m`` (9 against a
  baseline of 2 with minimum 10 scores 0.9); ``A < E`` -> ``−(E − A)/m``, which lies between 0
  and −1. CrowdTangle only says the low-baseline underperformance case "gives scores between 0 and
  −1"; this form is our reading of it: it keeps the score increasing in ``A`` and nearly
  continuous at ``A = E``.

The computation is vectorised: all posts are sorted once by (account, content type, time); each
target work's window of earlier values is gathered with fancy indexing into a matrix (bucketed by
window width and chunked to bound memory), sorted row-wise, and trimmed with cumulative sums.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tracker.ranking import keys
from tracker.ranking.keys import to_ns

__all__ = ["RULE_ZH", "crowdtangle_score", "expected_interactions"]

RULE_ZH = {
    "above": "高于基准 A/E",
    "below": "低于基准 −E/A",
    "zero": "零互动 −2×E",
    "low_above": "低基准 A/最小基准",
    "low_below": "低基准 −(E−A)/最小基准",
}
_MAX_CELLS = 4_000_000


def crowdtangle_score(
    actual: np.ndarray, expected: np.ndarray, minimum: float
) -> tuple[np.ndarray, np.ndarray]:
    """Score and rule name (see module docstring); NaN/None where A or E is unknown."""
    a = np.asarray(actual, dtype="float64")
    e = np.asarray(expected, dtype="float64")
    known = ~(np.isnan(a) | np.isnan(e))
    low = e < minimum
    with np.errstate(divide="ignore", invalid="ignore"):
        conds = [
            known & low & (a >= e),
            known & low & (a < e),
            known & ~low & (a >= e),
            known & ~low & (a > 0) & (a < e),
            known & ~low & (a <= 0),
        ]
        score = np.select(
            conds,
            [a / minimum, -(e - a) / minimum, a / e, -e / a, -2.0 * e],
            default=np.nan,
        )
    rule = np.select(
        conds, ["low_above", "low_below", "above", "below", "zero"], default=""
    ).astype(object)
    rule[rule == ""] = None
    return score, rule


def expected_interactions(
    posts: pd.DataFrame,
    interactions: pd.Series,
    targets: pd.Series,
    *,
    history_size: int,
    trim_fraction: float,
    account_codes: np.ndarray | None = None,
) -> pd.DataFrame:
    """Baseline of each target post from the same account's earlier posts of the same type.

    ``posts``: platform, account_uid, content_type, published_at. ``interactions``: I at the
    fixed age (aligned with posts). ``targets``: boolean mask of posts that need a baseline.
    Returns ``earlier_works`` (how many earlier works formed the window, ≤ history_size; NA for
    non-targets) and ``expected`` (trimmed mean, NaN when there is no earlier work).
    ``account_codes`` (``keys.account_codes(posts)``) may be passed when already computed.
    """
    n = len(posts)
    earlier = np.zeros(n, dtype=np.int64)
    expected = np.full(n, np.nan)
    values = np.asarray(interactions, dtype="float64")
    t_ns, t_known = to_ns(posts["published_at"])
    usable = t_known & ~np.isnan(values) & posts["account_uid"].notna().to_numpy()
    rows = np.flatnonzero(usable)
    target_mask = np.asarray(targets, dtype=bool)
    if len(rows):
        acc = keys.account_codes(posts) if account_codes is None else account_codes
        ctype = pd.factorize(posts["content_type"], use_na_sentinel=False)[0].astype(np.int64)
        group = pd.factorize(acc[rows] * (ctype.max() + 1) + ctype[rows])[0]
        t = t_ns[rows]
        order = np.lexsort((t, group))
        g_s, t_s, v_s = group[order], t[order], values[rows][order]
        m = len(order)
        idx = np.arange(m)
        new_group = np.ones(m, dtype=bool)
        new_group[1:] = g_s[1:] != g_s[:-1]
        new_block = new_group.copy()
        new_block[1:] |= t_s[1:] != t_s[:-1]
        group_start = np.maximum.accumulate(np.where(new_group, idx, 0))
        block_start = np.maximum.accumulate(np.where(new_block, idx, 0))
        n_prev = np.minimum(block_start - group_start, history_size)

        sorted_rows = rows[order]
        is_target = target_mask[sorted_rows] & (n_prev > 0)
        tgt = np.flatnonzero(is_target)
        e_sorted = _trimmed_window_means(
            v_s, block_start[tgt], n_prev[tgt], trim_fraction, history_size
        )
        earlier[sorted_rows[tgt]] = n_prev[tgt]
        expected[sorted_rows[tgt]] = e_sorted
    out = pd.DataFrame(
        {"earlier_works": pd.array(earlier, dtype="Int64"), "expected": expected}, index=posts.index
    )
    out.loc[~target_mask, "earlier_works"] = pd.NA
    return out


def _trimmed_window_means(
    values: np.ndarray, end: np.ndarray, count: np.ndarray, trim: float, max_width: int
) -> np.ndarray:
    """Trimmed mean of ``values[end − count : end]`` for each (end, count) pair."""
    result = np.full(len(end), np.nan)
    if not len(end):
        return result
    # Bucket by window width (powers of two) so small windows are not padded to 100 columns.
    widths = np.minimum(2 ** np.ceil(np.log2(np.maximum(count, 1))).astype(np.int64), max_width)
    for width in np.unique(widths):
        sel = np.flatnonzero(widths == width)
        step = max(1, _MAX_CELLS // int(width))
        offsets = np.arange(-int(width), 0)
        for lo in range(0, len(sel), step):
            part = sel[lo : lo + step]
            e, c = end[part], count[part]
            gather = e[:, None] + offsets[None, :]
            valid = offsets[None, :] >= -c[:, None]
            mat = np.where(valid, values[np.clip(gather, 0, None)], np.nan)
            mat.sort(axis=1)  # NaN sorts last
            g = np.floor(c * trim).astype(np.int64)
            csum = np.zeros((len(part), int(width) + 1))
            np.cumsum(np.nan_to_num(mat, nan=0.0), axis=1, out=csum[:, 1:])
            rr = np.arange(len(part))
            kept = c - 2 * g
            total = csum[rr, c - g] - csum[rr, g]
            result[part] = total / kept
    return result
