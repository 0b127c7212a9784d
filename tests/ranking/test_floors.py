"""A count shown as a floor ("100万+") is censored in the ranking: at least its floor, never exact.

- ranks: a work whose comments are "100万+" ranks at or above an otherwise equal work with
  exactly 1,000,000 comments (ties broken up), and the explanation says the figure is a floor;
- risk: a floor never makes evidence (a ratio over a floored denominator, a "jump" from a floor
  to the exact figure behind it).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tracker.ranking import RankingFrames, explain_work, rank_campaign
from tracker.ranking.floors import floor_bits, floor_note_zh, rank_key, shown_floor
from tracker.ranking.platform_score import platform_percentile
from tracker.ranking.risk import ratio_signals, snapshot_jumps
from tracker.ranking.settings import InteractionWeights, RiskSettings

T0 = pd.Timestamp("2024-09-10 00:00", tz="UTC")
D = pd.Timedelta(days=1)
H = pd.Timedelta(hours=1)
N_OTHERS = 40  # above min_platform_works: the plain within-platform percentile applies


def _works(floor_mark: str | None) -> pd.DataFrame:
    """Two works alike in every figure (1,000,000 comments), the first with ``floor_mark``,
    among ``N_OTHERS`` ordinary works of one platform."""
    n = N_OTHERS + 2
    rng = np.random.default_rng(7)
    likes = np.r_[[5_000, 5_000], rng.integers(10, 20_000, N_OTHERS)]
    comments = np.r_[[1_000_000, 1_000_000], rng.integers(0, 2_000, N_OTHERS)]
    return pd.DataFrame(
        {
            "platform": ["weibo"] * n,
            "platform_post_id": ["floor", "exact", *[f"o{i}" for i in range(N_OTHERS)]],
            "account_uid": ["a", "b", *[f"u{i}" for i in range(N_OTHERS)]],
            "content_type": ["text"] * n,
            "published_at": [T0] * n,
            "likes": pd.array(likes, dtype="Int64"),
            "comments": pd.array(comments, dtype="Int64"),
            "shares": pd.array([100] * n, dtype="Int64"),
            "favorites": pd.array([10] * n, dtype="Int64"),
            "followers": pd.array([50_000, 50_000, *rng.integers(100, 10**6, N_OTHERS)], "Int64"),
            "last_collected_at": [T0 + 20 * D] * n,
            "lower_bounds": [floor_mark, None, *[None] * N_OTHERS],
        }
    )


def test_a_floor_ranks_at_least_as_high_as_the_exact_figure_and_is_explained() -> None:
    r = rank_campaign(RankingFrames(works=_works("comments")))
    w = r.works.set_index("platform_post_id")
    floor, exact = w.loc["floor"], w.loc["exact"]
    assert floor["comments"] == exact["comments"] == 1_000_000  # the figure is kept
    assert floor["interactions"] == exact["interactions"]
    assert bool(floor["interactions_floor"]) and not bool(exact["interactions_floor"])
    # censored: ≥ the floor, so ranked above the exact equal, never below
    assert floor["fair_score"] > exact["fair_score"]
    assert floor["size_score"] > exact["size_score"]
    assert floor["rank"] < exact["rank"]

    lines = explain_work(r, "weibo", "floor")
    assert "2×评论 ≥1,000,000" in lines[2]
    assert "评论数为下限（100万+）" in lines[2]
    assert "评论数为下限" not in " ".join(explain_work(r, "weibo", "exact"))


def test_without_the_mark_the_two_works_tie() -> None:
    r = rank_campaign(RankingFrames(works=_works(None)))
    w = r.works.set_index("platform_post_id")
    assert w.loc["floor", "fair_score"] == w.loc["exact", "fair_score"]
    assert w.loc["floor", "rank"] == w.loc["exact", "rank"]


def test_a_floor_read_from_a_snapshot_marks_the_reading() -> None:
    """The day-7 snapshot holds the floor; the post row's later exact figure is not the
    reading, so the reading keeps the snapshot's mark."""
    works = _works(None)
    snaps = pd.DataFrame(
        {
            "platform": ["weibo"],
            "platform_post_id": ["floor"],
            "captured_at": [T0 + 7 * D],
            "likes": pd.array([5_000], dtype="Int64"),
            "comments": pd.array([1_000_000], dtype="Int64"),
            "shares": pd.array([100], dtype="Int64"),
            "favorites": pd.array([10], dtype="Int64"),
            "lower_bounds": ["comments"],
        }
    )
    r = rank_campaign(RankingFrames(works=works, snapshots=snaps))
    w = r.works.set_index("platform_post_id")
    assert w.loc["floor", "reading_basis"] == "age"
    assert int(w.loc["floor", "floor_bits"]) == 4 and int(w.loc["exact", "floor_bits"]) == 0
    assert w.loc["floor", "rank"] < w.loc["exact", "rank"]


def test_percentile_breaks_ties_up_for_floors_only() -> None:
    x = pd.Series([1.0, 1.0, 1.0, 2.0])
    plat = pd.Series(["p"] * 4)
    floor = np.array([True, True, False, False])
    pct, _ = platform_percentile(x, plat, min_works=2, floor=floor)
    # the two floors tie with each other, above the exact 1.0, below the exact 2.0
    assert list(pct["pct"]) == [(2.5 - 0.5) / 4 * 100] * 2 + [12.5, 87.5]
    assert rank_key(np.array([1.0]), None)[0] == 1.0


def test_floor_texts_and_display() -> None:
    bits = floor_bits(pd.Series(["comments,shares", None, "views", "comments,shares"]))
    assert bits.tolist() == [12, 0, 1, 12]
    assert shown_floor(1_000_000) == "100万+"
    assert shown_floor(100_000) == "10万+"
    assert shown_floor(12_000) == "1.2万+"
    assert shown_floor(200_000_000) == "2亿+"
    assert shown_floor(999) == "999+"
    assert floor_note_zh(12, {"comments": 1e6, "shares": 1e5}) == (
        "评论数为下限（100万+）、转发数为下限（10万+）"
    )


def _jump_case(mark: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Comments read as "100万+" on days 2 and 3, then the exact figure on day 4."""
    works = pd.DataFrame(
        {
            "platform": ["weibo"],
            "platform_post_id": ["w"],
            "account_uid": ["a"],
            "published_at": [T0],
        }
    )
    snaps = pd.DataFrame(
        {
            "platform": ["weibo"] * 3,
            "platform_post_id": ["w"] * 3,
            "captured_at": [T0 + 2 * D, T0 + 3 * D, T0 + 4 * D],
            "likes": pd.array([5_000, 5_010, 5_020], dtype="Int64"),
            "comments": pd.array([1_000_000, 1_000_000, 3_456_789], dtype="Int64"),
            "lower_bounds": [mark, mark, None],
        }
    )
    return works, snaps


def test_a_floor_then_the_exact_figure_is_no_jump() -> None:
    works, snaps = _jump_case(None)
    unmarked = snapshot_jumps(works, snaps, InteractionWeights(), RiskSettings())
    assert unmarked["jump_ratio"].iloc[0] > RiskSettings().jump_ratio  # read as exact: a "jump"
    works, snaps = _jump_case("comments")
    marked = snapshot_jumps(works, snaps, InteractionWeights(), RiskSettings())
    assert math.isnan(marked["jump_ratio"].iloc[0])


def test_a_floored_denominator_is_no_ratio_evidence() -> None:
    works = pd.DataFrame(
        {
            "platform": ["kuaishou"] * 2,
            "likes": pd.array([150_000, 150_000], dtype="Int64"),
            "views": pd.array([100_000, 100_000], dtype="Int64"),  # "10w+" on the first
            "lower_bounds": ["views", None],
        }
    )
    out = ratio_signals(works, RiskSettings())
    assert math.isnan(out["likes_per_view"].iloc[0])
    assert out["likes_per_view"].iloc[1] == pytest.approx(1.5)
