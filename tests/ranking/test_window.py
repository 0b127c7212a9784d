"""The campaign window in the ranking: works outside it are scored and marked, but commend nobody."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tracker.config import CampaignConfig
from tracker.ranking import RankingFrames, rank_campaign

ZONE = "Asia/Shanghai"


def _local(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=ZONE).tz_convert("UTC")


def _campaign_row() -> dict:
    """The campaign as the store keeps it: the window as UTC instants, and its zone."""
    cfg = CampaignConfig(
        name="kepu",
        tags=["#千万IP创科普#"],
        window_start=date(2024, 9, 1),
        window_end=date(2024, 9, 30),
        timezone=ZONE,
    )
    start, end = cfg.window_utc()
    return {"name": cfg.name, "window_start": start, "window_end": end, "timezone": ZONE}


# id -> (account, local publish time or None, matched_by)
WORKS = {
    "in": ("a", "2024-09-01 00:00", "tag"),  # the window's first instant
    "before": ("a", "2024-08-31 23:59", "tag"),
    "after": ("b", "2024-10-01 00:30", "tag"),  # still 30 September in UTC
    "admitted": ("c", "2024-08-20 10:00", "manual"),
    "no_time": ("d", None, "tag"),
}


def _frames(campaign: dict | None) -> RankingFrames:
    ids = list(WORKS)
    works = pd.DataFrame(
        {
            "platform": ["weibo"] * len(ids),
            "platform_post_id": ids,
            "account_uid": [WORKS[i][0] for i in ids],
            "content_type": ["text"] * len(ids),
            "published_at": pd.Series(
                [_local(WORKS[i][1]) if WORKS[i][1] else pd.NaT for i in ids],
                dtype="datetime64[ns, UTC]",
            ),
            "likes": pd.array([100, 900, 800, 50, 40], dtype="Int64"),
            "comments": pd.array([10, 90, 80, 5, 4], dtype="Int64"),
            "shares": pd.array([1, 9, 8, 1, 0], dtype="Int64"),
            "favorites": pd.array([2, 9, 8, 1, 1], dtype="Int64"),
            "followers": pd.array([1000, 1000, 2000, 300, 100], dtype="Int64"),
            "matched_by": pd.Categorical([WORKS[i][2] for i in ids]),
        }
    )
    account_units = pd.DataFrame(
        {
            "platform": ["weibo"] * 5,
            "platform_uid": ["a", "b", "c", "d", "b"],
            "unit_id": [1, 1, 1, 1, 2],
            "unit_name": ["广州市科协"] * 4 + ["深圳市科协"],
            "unit_kind": ["city_association"] * 5,
            "city": ["广州市"] * 4 + ["深圳市"],
            "person": [None] * 5,
        }
    )
    units = pd.DataFrame(
        {
            "unit_id": [1, 2],
            "unit_name": ["广州市科协", "深圳市科协"],
            "unit_kind": ["city_association"] * 2,
            "city": ["广州市", "深圳市"],
        }
    )
    reviews = pd.DataFrame(
        {"platform": ["weibo"] * len(ids), "platform_post_id": ids, "status": ["approved"] * 5}
    )
    return RankingFrames(
        works=works,
        account_units=account_units,
        units=units,
        reviews=reviews,
        campaign=campaign,
    )


def test_window_flags_of_each_work() -> None:
    w = rank_campaign(_frames(_campaign_row())).works.set_index("platform_post_id")
    assert w["in_window"].to_dict() == {
        "in": True,
        "before": False,
        "after": False,
        "admitted": False,
        "no_time": True,  # unknown publish time: nothing proves it outside
    }
    assert w["admitted"].to_dict() == {
        "in": False,
        "before": False,
        "after": False,
        "admitted": True,
        "no_time": False,
    }
    assert w["recommendable"].to_dict() == {
        "in": True,
        "before": False,
        "after": False,
        "admitted": True,
        "no_time": True,
    }
    # kept and scored: the percentiles still see the whole field of tagged works
    assert w["quality_score"].notna().all() and w["rank"].notna().all()


@pytest.mark.parametrize("approved_only", [False, True])
def test_creators_and_units_ignore_works_outside_the_window(approved_only: bool) -> None:
    r = rank_campaign(_frames(_campaign_row()), approved_only=approved_only)
    creators = r.creators.set_index("creator_key")
    # b published only after the window: no creator; a counts its one work inside
    assert sorted(creators.index) == ["weibo:a", "weibo:c", "weibo:d"]
    assert creators.loc["weibo:a", "works"] == 1
    assert creators.loc["weibo:a", "best_work"] == "weibo:in"
    w = r.works.set_index("platform_post_id")
    units = r.units.set_index("unit_name")
    gz, sz = units.loc["广州市科协"], units.loc["深圳市科协"]
    assert (gz["works"], gz["active_accounts"]) == (3, 3)
    counted = ["in", "admitted", "no_time"]
    assert gz["interactions"] == pytest.approx(w.loc[counted, "interactions"].sum())
    assert gz["reach"] == pytest.approx(w.loc[counted, "quality_score"].astype(float).sum())
    assert gz["share_of_voice"] == pytest.approx(1.0)  # out-of-window interactions: no voice
    assert (sz["works"], sz["active_accounts"], sz["interactions"]) == (0, 0, 0.0)


def test_a_window_given_as_local_dates_reads_the_same() -> None:
    row = _campaign_row() | {"window_start": date(2024, 9, 1), "window_end": date(2024, 9, 30)}
    w = rank_campaign(_frames(row)).works.set_index("platform_post_id")
    assert list(w.index[~w["in_window"]]) == ["before", "after", "admitted"]


def test_without_a_campaign_every_work_counts_as_inside() -> None:
    r = rank_campaign(_frames(None))
    assert r.works["in_window"].all()
    assert sorted(r.creators["creator_key"]) == ["weibo:a", "weibo:b", "weibo:c", "weibo:d"]
