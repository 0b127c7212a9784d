"""The deadline cut on the tables as read: what was known at one instant, nothing later."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from tracker.ranking.as_of import cut_tables
from tracker.ranking.selection import Selection, parse_as_of


def _t(s: str) -> pd.Timestamp:
    return pd.Timestamp(s, tz="UTC")


def _tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    works = pd.DataFrame(
        {
            "platform": ["weibo", "weibo", "douyin", "douyin"],
            "platform_post_id": ["a", "b", "c", "d"],
            "published_at": [_t("2024-09-02"), _t("2024-09-20"), pd.NaT, _t("2024-09-03")],
            "first_collected_at": [
                _t("2024-09-03"),
                _t("2024-09-28"),  # first seen after the cut
                _t("2024-09-05"),
                _t("2024-09-04"),
            ],
            "likes": pd.array([900, 50, 70, 5], dtype="Int64"),
            "views": pd.array([None, None, 700, None], dtype="Int64"),
            "lower_bounds": pd.Categorical(["likes", None, None, None]),
            "last_collected_at": [_t("2024-10-05")] * 4,
        }
    )
    history = pd.DataFrame(
        {
            "platform": ["weibo", "weibo"],
            "platform_post_id": ["h1", "h2"],
            "published_at": [_t("2024-08-01"), _t("2024-10-01")],
            "likes": pd.array([10, 20], dtype="Int64"),
            "last_collected_at": [_t("2024-10-05")] * 2,
        }
    )
    snaps = pd.DataFrame(
        {
            "platform": ["weibo"] * 4 + ["douyin"] * 3 + ["weibo"],
            "platform_post_id": ["a", "a", "a", "b", "c", "c", "d", "h1"],
            "captured_at": [
                _t("2024-09-03"),
                _t("2024-09-26"),
                _t("2024-10-05"),  # after the cut: never read
                _t("2024-09-28"),
                _t("2024-10-01"),  # c's only snapshots are after the cut
                _t("2024-10-05"),
                _t("2024-09-04"),
                _t("2024-09-10"),
            ],
            "likes": pd.array([100, 400, 900, 50, 60, 70, 5, 8], dtype="Int64"),
            "views": pd.array([None, None, None, None, 600, 700, None, None], dtype="Int64"),
            "lower_bounds": pd.Categorical([None, None, "likes", None, None, None, None, None]),
            "post_row": np.array([0, 0, 0, 1, 2, 2, 3, 4]),
        }
    )
    return works, history, snaps


CUT = datetime(2024, 9, 27, 16, 0, tzinfo=UTC)


def test_metrics_come_from_the_latest_snapshot_at_or_before_the_cut() -> None:
    works, history, snaps = cut_tables(*_tables(), CUT)
    assert list(works["platform_post_id"]) == ["a", "c", "d"]  # b was first seen after
    by_id = works.set_index("platform_post_id")
    assert by_id.loc["a", "likes"] == 400  # not the later 900
    assert pd.isna(by_id.loc["a", "lower_bounds"])  # the floor came with the later reading
    assert by_id.loc["a", "last_collected_at"] == _t("2024-09-26")
    # c was seen before the cut but read only after it: no metric rather than a later one
    assert pd.isna(by_id.loc["c", "likes"]) and pd.isna(by_id.loc["c", "views"])
    assert by_id.loc["d", "likes"] == 5
    assert list(history["platform_post_id"]) == ["h1"]  # h2 published after the cut
    assert history.loc[0, "likes"] == 8


def test_snapshots_after_the_cut_are_dropped_and_rows_point_at_the_cut_frames() -> None:
    works, history, snaps = cut_tables(*_tables(), CUT)
    assert (pd.to_datetime(snaps["captured_at"], utc=True) <= CUT).all()
    posts = pd.concat([works, history], ignore_index=True)
    rows = snaps["post_row"].to_numpy()
    assert list(posts["platform_post_id"].to_numpy()[rows]) == list(snaps["platform_post_id"])


def test_a_naive_cut_is_refused() -> None:
    with pytest.raises(ValueError):
        cut_tables(*_tables(), datetime(2024, 9, 27))


def test_as_of_text_forms() -> None:
    # a bare date is the end of that Beijing day
    assert parse_as_of("2024-09-27") == datetime(2024, 9, 27, 16, 0, tzinfo=UTC)
    assert parse_as_of("2024-09-27T18:00") == datetime(2024, 9, 27, 10, 0, tzinfo=UTC)
    assert parse_as_of("2024-09-27 18:00+00:00") == datetime(2024, 9, 27, 18, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="--as-of"):
        parse_as_of("9月27日")


def test_selection_describes_every_filter_it_holds() -> None:
    sel = Selection(
        platforms=("weibo",),
        cities=("深圳市",),
        unit_kinds=("society",),
        as_of=parse_as_of("2024-09-27"),
    )
    text = sel.describe_zh()
    for part in ("微博", "深圳市", "学会", "数据截至 2024-09-27 24:00", "仅审核通过"):
        assert part in text
    assert sel.as_dict()["as_of"] == "2024-09-27T16:00:00+00:00"
