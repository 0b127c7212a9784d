"""Rank-order helpers: the rows shown are the same whatever order the ranking returned."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboards.leaderboards import by_rank, flagged_works, risk_sample, top_by_rank


def _works(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 500
    rank = pd.array(rng.integers(1, 200, n), dtype="Int64")  # ties on purpose
    rank[rng.random(n) < 0.05] = pd.NA
    risk = rng.choice([0.0, 0.6, 0.9], n)
    return pd.DataFrame(
        {
            "platform": "weibo",
            "platform_post_id": [f"p{i}" for i in range(n)],
            "rank": rank,
            "likes": rng.integers(0, 1000, n),
            "comments": rng.integers(0, 50, n),
            "risk_score": risk,
            "risk_flag": risk >= 0.5,
        }
    )


def test_top_by_rank_is_the_head_of_the_full_sort() -> None:
    works = _works(1)
    for n in (1, 20, 499, 600):
        got = top_by_rank(works, n)
        want = by_rank(works).head(n)
        assert list(got["platform_post_id"]) == list(want["platform_post_id"])
    assert top_by_rank(works, 30)["rank"].notna().all()  # unranked works come last


def test_flagged_and_sample_do_not_depend_on_input_order() -> None:
    """With distinct ranks (ties in risk only), flagged works and the scatter sample are the
    same for any row order: ties in risk go to the better-ranked work."""
    works = _works(2)
    works["rank"] = pd.array(np.random.default_rng(4).permutation(len(works)) + 1, dtype="Int64")
    shuffled = works.sample(frac=1.0, random_state=3)
    a, b = flagged_works(works, 25), flagged_works(shuffled, 25)
    assert list(a["platform_post_id"]) == list(b["platform_post_id"])
    assert a["risk_score"].is_monotonic_decreasing
    s1, s2 = risk_sample(works, n=50), risk_sample(shuffled, n=50)
    assert sorted(s1["platform_post_id"]) == sorted(s2["platform_post_id"])
    assert s1["risk_flag"].sum() == works["risk_flag"].sum()
