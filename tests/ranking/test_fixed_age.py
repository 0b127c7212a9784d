"""Reading metrics at a fixed age: first snapshot at/after the target, else the latest."""

from __future__ import annotations

import pandas as pd

from tracker.ranking.fixed_age import fixed_age_reading

T0 = pd.Timestamp("2024-09-01 00:00", tz="UTC")
D = pd.Timedelta(days=1)


def _posts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "platform": ["weibo", "weibo", "douyin", "douyin", "weibo"],
            "platform_post_id": ["1", "2", "1", "3", "9"],
            "published_at": [T0, T0, T0, pd.NaT, T0],
            "likes": pd.array([999, 888, 777, 666, 5], dtype="Int64"),
            "views": pd.array([None, None, 100, None, None], dtype="Int64"),
            "last_collected_at": [T0 + 20 * D] * 5,
        }
    )


def _snaps() -> pd.DataFrame:
    rows = [
        # weibo 1: before, exactly-at-or-after candidates at 7.5 and 9 days -> 7.5 wins
        ("weibo", "1", T0 + 3 * D, 10, None),
        ("weibo", "1", T0 + 9 * D, 90, None),
        ("weibo", "1", T0 + 7.5 * D, 75, None),
        # weibo 2: only snapshots before age 7 -> latest of them
        ("weibo", "2", T0 + 1 * D, 11, None),
        ("weibo", "2", T0 + 4 * D, 44, None),
        # douyin 1 shares the post id "1" with weibo 1 but is another work
        ("douyin", "1", T0 + 7 * D, 70, 7000),
        # douyin 3 has no publication time -> latest snapshot
        ("douyin", "3", T0 + 2 * D, 22, None),
        ("douyin", "3", T0 + 5 * D, 55, None),
        # unknown post: ignored
        ("weibo", "404", T0 + 7 * D, 1, None),
    ]
    df = pd.DataFrame(
        rows, columns=["platform", "platform_post_id", "captured_at", "likes", "views"]
    )
    df["likes"] = df["likes"].astype("Int64")
    df["views"] = pd.array(df["views"], dtype="Int64")
    df["followers_at_capture"] = pd.array([100] * len(df), dtype="Int64")
    return df


def test_fixed_age_picks_first_snapshot_at_or_after_target() -> None:
    out = fixed_age_reading(_posts(), _snaps(), days=7)
    assert list(out["reading_basis"]) == [
        "age",
        "latest_snapshot",
        "age",
        "latest_snapshot",
        "post_latest",
    ]
    assert list(out["likes"]) == [75, 44, 70, 55, 5]
    assert out["reading_at"].iloc[0] == T0 + 7.5 * D
    assert out["reading_age_days"].iloc[0] == 7.5
    assert out["reading_age_days"].iloc[1] == 4.0
    # exactly at the target counts as "at or after"
    assert out["reading_at"].iloc[2] == T0 + 7 * D
    assert out["views"].iloc[2] == 7000
    assert pd.isna(out["reading_age_days"].iloc[3])  # no publication time
    # no snapshot: the post row's latest values and its collection time
    assert out["reading_at"].iloc[4] == T0 + 20 * D
    assert out["reading_age_days"].iloc[4] == 20.0
    assert pd.isna(out["followers_at_capture"].iloc[4])
    assert out["followers_at_capture"].iloc[0] == 100


def test_null_metric_in_snapshot_stays_null() -> None:
    out = fixed_age_reading(_posts(), _snaps(), days=7)
    assert pd.isna(out["views"].iloc[0])  # weibo shows no views: NULL, never 0


def test_shorter_age_changes_the_reading() -> None:
    out = fixed_age_reading(_posts(), _snaps(), days=1)
    assert list(out["likes"].iloc[:2]) == [10, 11]


def test_no_snapshots_at_all() -> None:
    empty = _snaps().iloc[0:0]
    out = fixed_age_reading(_posts(), empty, days=7)
    assert (out["reading_basis"] == "post_latest").all()
    assert list(out["likes"]) == [999, 888, 777, 666, 5]
