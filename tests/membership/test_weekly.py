"""Week over week from hand-made works and snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd

from tracker.membership.weekly import change_text, week_over_week

AS_OF = datetime(2024, 10, 20, 12, 0, tzinfo=UTC)
D = timedelta(days=1)


def _frames() -> tuple[pd.DataFrame, ...]:
    units = pd.DataFrame(
        {
            "unit_id": [1, 2, 3, 4],
            "unit_name": ["深圳市科协", "深圳大学", "省卫健委", "珠海市科协"],
            "unit_kind": ["city_association", "university", "department", "city_association"],
            "city": ["深圳市", "深圳市", "广州市", "珠海市"],
        }
    )
    account_units = pd.DataFrame(
        {
            "platform": ["weibo", "weibo", "douyin"],
            "platform_uid": ["sz1", "szu", "wj"],
            "unit_id": [1, 2, 3],
        }
    )
    works = pd.DataFrame(
        [
            ("weibo", "a", "sz1", AS_OF - 2 * D),  # this week
            ("weibo", "b", "sz1", AS_OF - 3 * D),  # this week
            ("weibo", "c", "szu", AS_OF - 9 * D),  # previous week
            ("douyin", "d", "wj", AS_OF - 10 * D),  # previous week
            ("weibo", "e", "sz1", AS_OF - 20 * D),  # older: interactions only
            ("weibo", "f", "stranger", AS_OF - 1 * D),  # not in the registry
            ("weibo", "g", "sz1", AS_OF + 1 * D),  # after the as-of time
        ],
        columns=["platform", "platform_post_id", "account_uid", "published_at"],
    )
    snaps = pd.DataFrame(
        [
            # work e: 10 at the start of the previous week, 30 at its end, 35 now
            ("weibo", "e", AS_OF - 15 * D, 10, 0, 0, None),
            ("weibo", "e", AS_OF - 8 * D, 20, 5, 5, None),
            ("weibo", "e", AS_OF - 1 * D, 25, 5, 5, None),
            ("weibo", "a", AS_OF - 1 * D, 4, 1, 0, 1),  # 6
            ("weibo", "c", AS_OF - 8 * D, 7, 0, 0, 0),  # 7 in the previous week
            ("weibo", "c", AS_OF - 2 * D, 9, 0, 0, 0),  # +2 this week
            ("douyin", "d", AS_OF - 9 * D, 3, None, None, None),  # 3 previous week
            ("weibo", "a", AS_OF + 1 * D, 100, 0, 0, 0),  # after as-of: ignored
        ],
        columns=["platform", "platform_post_id", "captured_at", "likes", "comments", "shares",
                 "favorites"],
    )  # fmt: skip
    return works, snaps, account_units, units


def test_cities_and_units_this_week_against_the_previous() -> None:
    works, snaps, au, units = _frames()
    wow = week_over_week(works, snaps, au, units, AS_OF)
    cities = wow.cities.set_index("group")
    assert list(wow.cities["group"]) == ["省直单位", "深圳市", "珠海市"]
    sz = cities.loc["深圳市"]
    assert (sz["works_this"], sz["works_prev"]) == (2, 1)
    assert (sz["works_change"], sz["works_pct"]) == (1, 1.0)
    # interactions: a +6, c +2, e +5 this week; c +7, e +20 previous week
    assert (sz["interactions_this"], sz["interactions_prev"]) == (13, 27)
    assert (sz["participants_this"], sz["participants_prev"]) == (1, 1)  # units with a work
    prov = cities.loc["省直单位"]
    assert (prov["works_this"], prov["works_prev"], prov["interactions_prev"]) == (0, 1, 3)
    assert prov["works_pct"] == -1.0
    zh = cities.loc["珠海市"]
    assert (zh["works_this"], zh["works_prev"], zh["works_pct"]) == (0, 0, None)

    u = wow.units.set_index("unit_name")
    assert list(wow.units["unit_name"]) == ["省卫健委", "深圳大学", "深圳市科协", "珠海市科协"]
    assert (u.loc["深圳市科协", "works_this"], u.loc["深圳市科协", "works_prev"]) == (2, 0)
    assert u.loc["深圳市科协", "works_pct"] is None  # earlier week 0: no percentage
    assert u.loc["深圳市科协", "interactions_this"] == 11
    assert u.loc["深圳大学", "interactions_this"] == 2
    assert u.loc["深圳市科协", "participants_this"] == 1  # accounts with a work


def test_change_text() -> None:
    assert change_text(5, 0.25) == "+5（+25.0%）"
    assert change_text(-3, -0.5) == "-3（-50.0%）"
    assert change_text(4, None) == "+4（—）"
    assert change_text(0, None) == "+0（—）"


def test_no_registry_work_at_all_gives_zeros_not_an_error() -> None:
    """A campaign's first days (or a registry nobody in it has published yet): every unit and
    group is listed with zeros. An empty grouping once failed to merge (float index)."""
    works, snaps, au, units = _frames()
    for frame_works in (works.iloc[0:0], works[works["account_uid"] == "stranger"]):
        wow = week_over_week(frame_works, snaps.iloc[0:0], au, units, AS_OF)
        assert list(wow.cities["group"]) == ["省直单位", "深圳市", "珠海市"]
        assert wow.cities["works_this"].tolist() == [0, 0, 0]
        assert len(wow.units) == len(units) and wow.units["interactions_prev"].sum() == 0


def test_an_empty_registry_gives_empty_tables() -> None:
    """Before units.csv is filled in (the scheduler's weekly job runs anyway)."""
    works, snaps, au, units = _frames()
    wow = week_over_week(works, snaps, au.iloc[0:0], units.iloc[0:0], AS_OF)
    assert wow.cities.empty and wow.units.empty
