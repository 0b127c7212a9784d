"""``bench/rank_ceiling.py``: the bounds it reports must be able to tell information from noise.

The bench bounds what any score could recover of the simulator's hidden quality; a docs claim
(the sparse target lies above every score's reach) rests on it. So each bound is checked on
frames whose answer is known: quality written into the counts exactly gives 1, counts that
carry no quality give about 0, and the account term reads the account's *other* works only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..helpers.bench import load_bench


def _works(quality: np.ndarray, likes: np.ndarray, followers: np.ndarray) -> pd.DataFrame:
    n = len(quality)
    return pd.DataFrame(
        {
            "platform": "weibo",
            "account": [f"a{i // 2}" for i in range(n)],
            "quality": quality,
            "followers": followers,
            "views": None,
            "likes": likes,
            "comments": np.maximum(likes // 4, 0),
            "shares": np.maximum(likes // 10, 0),
            "favorites": None,
        }
    )


def test_quality_written_into_the_counts_is_recovered_whole() -> None:
    bench = load_bench("rank_ceiling")
    rng = np.random.default_rng(3)
    quality = rng.uniform(0, 1, 400)
    followers = rng.integers(0, 100_000, 400)
    alpha = bench.MODELS["weibo"].alpha
    likes = np.round(np.exp(alpha * np.log(followers + 50.0) + 4.0 * quality)).astype(int)
    got = bench.bounds(_works(quality, likes, followers), "weibo")
    assert got["oracle"] > 0.99
    assert min(got[b] for b in bench.BOUNDS) > 0.99


def test_counts_without_quality_bound_nothing() -> None:
    bench = load_bench("rank_ceiling")
    rng = np.random.default_rng(4)
    quality = rng.uniform(0, 1, 2_000)
    followers = rng.integers(0, 100_000, 2_000)
    likes = rng.integers(0, 5_000, 2_000)
    got = bench.bounds(_works(quality, likes, followers), "weibo")
    assert max(abs(got[b]) for b in bench.BOUNDS) < 0.15


def test_the_account_term_never_reads_the_work_itself() -> None:
    bench = load_bench("rank_ceiling")
    values = np.array([1.0, 3.0, 10.0, 5.0])
    accounts = pd.Series(["a", "a", "b", "c"])
    others, has = bench._others_mean(values, accounts)
    assert others.tolist() == [3.0, 1.0, 0.0, 0.0]
    assert has.tolist() == [True, True, False, False]
