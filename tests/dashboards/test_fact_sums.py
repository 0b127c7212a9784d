"""The overview's grouped sums (``facts._sums_by``) against pandas' own groupby, on random
fact rows: categorical and plain keys, unused categories, missing keys, and both ways of
numbering the groups (one bin per combination, or the sorted distinct combinations)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tracker.readmodel.facts import _sums_by


def _rows(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    platforms = ["weibo", "douyin", "bilibili", "zhihu", "kuaishou"]
    day = rng.integers(19_900, 20_100, n).astype(np.int32)
    day[rng.random(n) < 0.05] = 40_000  # a far-off day: a wide range of day numbers
    content = rng.choice(["video", "image", "text", None], n).astype(object)
    return pd.DataFrame(
        {
            # 'zhihu' and 'xiaohongshu' are categories no row may use
            "platform": pd.Categorical(
                rng.choice(platforms[:4], n), categories=[*platforms, "xiaohongshu"]
            ),
            "day": day,
            "content_type": pd.Categorical(content),
            "works": rng.integers(0, 4, n).astype(np.int64),
            "interactions": rng.integers(0, 10**9, n).astype(np.int64),
        }
    )


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("max_bins", [None, 0])
@pytest.mark.parametrize(
    ("by", "columns"),
    [
        (["day", "platform"], ["works", "interactions"]),
        (["platform", "content_type"], ["works"]),
        (["content_type", "day"], ["interactions"]),
    ],
)
def test_sums_match_pandas_groupby(
    seed: int, max_bins: int | None, by: list[str], columns: list[str]
) -> None:
    rows = _rows(seed, 5_000 if seed % 2 else 37)
    want = rows[[*by, *columns]].groupby(by, sort=True, observed=True)[columns].sum().reset_index()
    got = _sums_by(rows, by, columns, max_bins=max_bins)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_no_rows_give_no_groups() -> None:
    rows = _rows(1, 50).iloc[:0]
    got = _sums_by(rows, ["day", "platform"], ["works"])
    assert len(got) == 0
    assert list(got.columns) == ["day", "platform", "works"]
