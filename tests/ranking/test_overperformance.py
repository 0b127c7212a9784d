"""CrowdTangle's overperforming score: sign rules, minimum baseline, trimmed-mean baselines."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tracker.ranking.overperformance import crowdtangle_score, expected_interactions


@pytest.mark.parametrize(
    ("actual", "expected", "score", "rule"),
    [
        (100, 50, 2.0, "above"),  # CrowdTangle's example: 100 vs 50 -> 2.0x
        (50, 50, 1.0, "above"),
        (100, 200, -2.0, "below"),  # 200 expected, 100 actual -> -2x
        (1, 200, -200.0, "below"),
        (0, 200, -400.0, "zero"),  # A = 0 -> -2 × E
        (9, 2, 0.9, "low_above"),  # benchmark 2, actual 9, minimum 10 -> 0.9x
        (50, 2, 5.0, "low_above"),  # beyond the minimum: A / minimum
        (2, 8, -0.6, "low_below"),  # -(8 - 2)/10, between 0 and -1
        (0, 8, -0.8, "low_below"),
        (10, 10, 1.0, "above"),  # E equal to the minimum is a normal baseline
    ],
)
def test_sign_rules(actual: float, expected: float, score: float, rule: str) -> None:
    s, r = crowdtangle_score(np.array([actual], float), np.array([expected], float), minimum=10)
    assert s[0] == pytest.approx(score)
    assert r[0] == rule


def test_unknown_actual_or_baseline_is_null() -> None:
    s, r = crowdtangle_score(np.array([np.nan, 5.0]), np.array([10.0, np.nan]), minimum=10)
    assert np.isnan(s).all()
    assert list(r) == [None, None]


T0 = pd.Timestamp("2024-08-01", tz="UTC")


def _posts(
    values: list[float], *, ctype: list[str] | None = None, account: str = "a"
) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame(
        {
            "platform": ["weibo"] * n,
            "account_uid": [account] * n,
            "content_type": ctype or ["text"] * n,
            "published_at": [T0 + pd.Timedelta(days=i) for i in range(n)],
            "I": values,
        }
    )


def _run(posts: pd.DataFrame, targets: list[bool], **kw: object) -> pd.DataFrame:
    params = {"history_size": 100, "trim_fraction": 0.25} | kw
    return expected_interactions(posts, posts["I"], pd.Series(targets), **params)  # type: ignore[arg-type]


def test_middle_fifty_percent_of_earlier_works() -> None:
    posts = _posts([10, 20, 30, 40, 1000, 60])
    out = _run(posts, [False] * 5 + [True])
    # 5 earlier works, floor(5 × 0.25) = 1 dropped at each end: mean(20, 30, 40) = 30
    assert out["earlier_works"].iloc[5] == 5
    assert out["expected"].iloc[5] == 30.0
    assert pd.isna(out["earlier_works"].iloc[0])  # not a target


def test_three_earlier_works_keep_all_and_fewer_are_counted() -> None:
    posts = _posts([3, 6, 9, 100])
    out = _run(posts, [True] * 4)
    assert list(out["earlier_works"]) == [0, 1, 2, 3]
    assert out["expected"].iloc[3] == 6.0  # floor(3 × 0.25) = 0: plain mean
    assert math.isnan(out["expected"].iloc[0])


def test_history_size_keeps_only_the_most_recent() -> None:
    posts = _posts([1000, 1000, 10, 20, 30, 40, 5])
    out = _run(posts, [False] * 6 + [True], history_size=4)
    # last 4 earlier: 10, 20, 30, 40 -> drop one each end -> 25
    assert out["earlier_works"].iloc[6] == 4
    assert out["expected"].iloc[6] == 25.0


def test_other_content_types_accounts_and_unknowns_are_not_baseline() -> None:
    posts = pd.concat(
        [
            _posts([10, 20, 30], ctype=["video"] * 3),
            _posts([5000, 5000], ctype=["text", "text"]),
            _posts([7000, 7000, 7000], account="b", ctype=["video"] * 3),
            _posts([np.nan, 40], ctype=["video", "video"]),
        ],
        ignore_index=True,
    )
    # make the last two the latest posts of account a
    posts.loc[8:, "published_at"] = [T0 + pd.Timedelta(days=20), T0 + pd.Timedelta(days=21)]
    targets = [False] * 9 + [True]
    out = _run(posts, targets)
    assert out["earlier_works"].iloc[9] == 3  # the three videos; NaN I and texts excluded
    assert out["expected"].iloc[9] == 20.0


def test_same_time_works_are_not_earlier() -> None:
    posts = _posts([10, 20, 30, 40])
    posts.loc[3, "published_at"] = posts.loc[2, "published_at"]
    out = _run(posts, [False, False, True, True])
    assert out["earlier_works"].iloc[2] == 2
    assert out["earlier_works"].iloc[3] == 2


def _reference(posts: pd.DataFrame, h: int, trim: float) -> list[float]:
    """A deliberately naive per-row implementation to check the vectorised one against."""
    res = []
    for _, row in posts.iterrows():
        prev = posts[
            (posts.account_uid == row.account_uid)
            & (posts.content_type == row.content_type)
            & (posts.published_at < row.published_at)
            & posts.I.notna()
        ].sort_values("published_at")
        vals = sorted(prev["I"].to_numpy()[-h:])
        if not vals or np.isnan(row.I):
            res.append(np.nan)
            continue
        g = int(math.floor(len(vals) * trim))
        res.append(float(np.mean(vals[g : len(vals) - g])))
    return res


def test_vectorised_baseline_matches_a_naive_loop() -> None:
    rng = np.random.default_rng(3)
    n = 600
    posts = pd.DataFrame(
        {
            "platform": rng.choice(["weibo", "douyin"], n),
            "account_uid": rng.choice(["a", "b", "c", "d"], n),
            "content_type": rng.choice(["video", "text"], n),
            "published_at": T0 + pd.to_timedelta(rng.integers(0, 400, n), unit="h"),
            "I": np.where(rng.random(n) < 0.05, np.nan, rng.lognormal(3, 1, n).round()),
        }
    )
    posts["account_uid"] = posts["platform"] + posts["account_uid"]
    out = _run(posts, [True] * n, history_size=37, trim_fraction=0.25)
    ref = _reference(posts, 37, 0.25)
    got = out["expected"].to_numpy().copy()
    got[np.isnan(posts["I"].to_numpy())] = np.nan
    np.testing.assert_allclose(got, np.array(ref), rtol=1e-12, equal_nan=True)
