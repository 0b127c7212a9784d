"""Unit scores: mobilisation, reach, share of voice; ranking key chosen by the user."""

from __future__ import annotations

import pandas as pd
import pytest

from tracker.ranking.units import attach_primary_unit, rank_units, unit_scores


def _data() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    works = pd.DataFrame(
        {
            "platform": ["weibo", "weibo", "douyin", "weibo"],
            "platform_post_id": ["1", "2", "3", "4"],
            "account_uid": ["a", "a", "b", "c"],
            "creator_key": ["weibo:a", "weibo:a", "douyin:b", "weibo:c"],
            "quality_score": [80.0, 60.0, 40.0, 20.0],
            "interactions": [100.0, 50.0, 50.0, 800.0],
        }
    )
    account_units = pd.DataFrame(
        {
            "platform": ["weibo", "douyin", "weibo", "weibo"],
            "platform_uid": ["a", "b", "a", "c"],
            "unit_id": [1, 1, 2, 2],
            "unit_name": ["广州市科协", "广州市科协", "省物理学会", "省物理学会"],
            "unit_kind": ["city_association", "city_association", "society", "society"],
            "city": ["广州市", "广州市", None, None],
            "person": [None, None, None, None],
        }
    )
    units = pd.DataFrame(
        {
            "unit_id": [1, 2, 3],
            "unit_name": ["广州市科协", "省物理学会", "深圳市科协"],
            "unit_kind": ["city_association", "society", "city_association"],
            "city": ["广州市", None, "深圳市"],
        }
    )
    return works, account_units, units


def test_unit_scores_by_hand() -> None:
    works, au, units = _data()
    out = unit_scores(works, au, units, "reach").set_index("unit_name")
    gz = out.loc["广州市科协"]
    assert (gz["active_accounts"], gz["works"], gz["platforms"], gz["creators"]) == (2, 3, 2, 2)
    assert gz["reach"] == 180.0
    assert gz["interactions"] == 200.0
    assert gz["share_of_voice"] == pytest.approx(0.2)  # of 1000 campaign interactions
    phys = out.loc["省物理学会"]
    assert (phys["active_accounts"], phys["works"], phys["platforms"]) == (2, 3, 1)
    assert phys["reach"] == 160.0
    assert phys["share_of_voice"] == pytest.approx(0.95)
    sz = out.loc["深圳市科协"]  # registered, mobilised nobody: listed with zeros
    assert (sz["works"], sz["reach"], sz["share_of_voice"]) == (0, 0.0, 0.0)


def test_ranking_key_and_tie_breakers() -> None:
    works, au, units = _data()
    by_reach = unit_scores(works, au, units, "reach")
    assert list(by_reach["unit_name"]) == ["广州市科协", "省物理学会", "深圳市科协"]
    by_sov = rank_units(by_reach, "share_of_voice")
    assert list(by_sov["unit_name"]) == ["省物理学会", "广州市科协", "深圳市科协"]
    assert list(by_sov["rank"]) == [1, 2, 3]
    # 2 active accounts each and 3 works each: platforms covered (2 vs 1) breaks the tie
    by_acc = rank_units(by_reach, "active_accounts")
    assert list(by_acc["unit_name"][:2]) == ["广州市科协", "省物理学会"]
    with pytest.raises(ValueError, match="unknown unit ranking key"):
        rank_units(by_reach, "fame")


def test_equal_units_share_a_rank() -> None:
    df = pd.DataFrame(
        {
            "unit_name": ["甲", "乙", "丙"],
            "active_accounts": [1, 1, 0],
            "works": [2, 2, 0],
            "platforms": [1, 1, 0],
            "reach": [5.0, 5.0, 0.0],
            "share_of_voice": [0.5, 0.5, 0.0],
        }
    )
    assert list(rank_units(df, "reach")["rank"]) == [1, 1, 3]


def test_primary_unit_is_the_lowest_id_and_counts_units() -> None:
    works, au, _ = _data()
    out = attach_primary_unit(works, au)
    assert list(out["unit_name"]) == ["广州市科协", "广州市科协", "广州市科协", "省物理学会"]
    assert list(out["unit_count"]) == [2, 2, 1, 1]
    assert list(out["unit_id"]) == [1, 1, 1, 2]
