"""Creator linking across platforms and the shrunk creator score."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tracker.ranking.creators import creator_keys, creator_scores, platform_priors
from tracker.ranking.settings import CreatorSettings


def _works() -> pd.DataFrame:
    rows = [("a1", 40.0), ("a1", 60.0), ("a2", 70.0), ("a2", 90.0), ("a3", 100.0)]
    return pd.DataFrame(
        {
            "platform": ["weibo"] * 5,
            "platform_post_id": [f"p{i}" for i in range(5)],
            "account_uid": [a for a, _ in rows],
            "creator_key": [f"weibo:{a}" for a, _ in rows],
            "quality_score": [q for _, q in rows],
        }
    )


def test_platform_prior_by_method_of_moments() -> None:
    priors = platform_priors(_works(), "quality_score", CreatorSettings())
    row = priors.loc["weibo"]
    assert row["mu"] == pytest.approx(72.0)  # mean of the 5 works
    assert row["sigma2"] == pytest.approx(200.0)  # (200 + 200) / (1 + 1)
    # account means 50, 80, 100: variance 633.33; minus mean(200/2, 200/2, 200/1) = 133.33
    assert row["tau2"] == pytest.approx(500.0)


def test_one_lucky_work_is_pulled_toward_the_platform_mean() -> None:
    creators, _ = creator_scores(_works(), CreatorSettings())
    c = creators.set_index("creator_key")
    a3 = c.loc["weibo:a3"]
    # B = (200/1) / (500 + 200/1) = 2/7; θ = 5/7·100 + 2/7·72 = 92
    assert a3["shrink"] == pytest.approx(2 / 7)
    assert a3["quality_shrunk"] == pytest.approx(92.0)
    a1 = c.loc["weibo:a1"]
    assert a1["shrink"] == pytest.approx(1 / 6)  # (200/2)/(500 + 100)
    assert a1["quality_shrunk"] == pytest.approx(50 * 5 / 6 + 72 / 6)
    activity = math.log(2) / math.log(21)
    assert a3["activity"] == pytest.approx(activity)
    assert a3["creator_score"] == pytest.approx(100 * (0.2 * activity + 0.8 * 0.92))
    assert a3["creator_score"] == pytest.approx(78.15, abs=0.01)
    # the one-hit creator no longer beats the consistent one by 20 points, only by ~8
    assert c.loc["weibo:a2", "quality_shrunk"] == pytest.approx(80 * 5 / 6 + 72 / 6)


def test_without_shrinkage_the_plain_mean_is_used() -> None:
    creators, _ = creator_scores(_works(), CreatorSettings(shrinkage=False))
    assert creators.set_index("creator_key").loc["weibo:a3", "quality_shrunk"] == 100.0


def test_lower_bound_option() -> None:
    s = CreatorSettings(use_lower_bound=True, lower_bound_z=1.0)
    creators, _ = creator_scores(_works(), s)
    a3 = creators.set_index("creator_key").loc["weibo:a3"]
    sd = math.sqrt(2 / 7 * 500)  # posterior variance B·τ²
    assert a3["quality_lower"] == pytest.approx(92 - sd)
    activity = math.log(2) / math.log(21)
    assert a3["creator_score"] == pytest.approx(100 * (0.2 * activity + 0.8 * (92 - sd) / 100))


def test_activity_is_capped() -> None:
    w = pd.DataFrame(
        {
            "platform": ["weibo"] * 30,
            "platform_post_id": [str(i) for i in range(30)],
            "account_uid": ["a"] * 30,
            "creator_key": ["weibo:a"] * 30,
            "quality_score": [50.0] * 30,
        }
    )
    creators, _ = creator_scores(w, CreatorSettings(activity_cap_works=20))
    assert creators["activity"].iloc[0] == 1.0


def test_accounts_linked_by_person_and_links_transitively() -> None:
    accounts = pd.DataFrame(
        {
            "platform": ["weibo", "douyin", "bilibili", "zhihu", "kuaishou"],
            "account_uid": ["w1", "d1", "b1", "z1", "k1"],
        }
    )
    account_units = pd.DataFrame(
        {
            "platform": ["weibo", "douyin", "zhihu"],
            "platform_uid": ["w1", "d1", "z1"],
            "person": ["张三", " 张三 ", None],
        }
    )
    links = pd.DataFrame(
        {"platform": ["douyin", "bilibili"], "platform_uid": ["d1", "b1"], "creator": ["zs", "zs"]}
    )
    keys = creator_keys(accounts, account_units, links)
    # weibo~douyin by person, douyin~bilibili by link: one creator, smallest account key
    assert list(keys) == ["bilibili:b1", "bilibili:b1", "bilibili:b1", "zhihu:z1", "kuaishou:k1"]


def test_linked_creator_is_ranked_once_with_all_works() -> None:
    w = pd.DataFrame(
        {
            "platform": ["weibo", "douyin", "douyin"],
            "platform_post_id": ["1", "2", "3"],
            "account_uid": ["w1", "d1", "d2"],
            "creator_key": ["douyin:d1", "douyin:d1", "douyin:d2"],
            "quality_score": [60.0, 80.0, 50.0],
            "account_name": ["张三微博", "张三抖音", "李四"],
            "person": ["张三", "张三", None],
        }
    )
    creators, _ = creator_scores(w, CreatorSettings())
    c = creators.set_index("creator_key")
    assert len(c) == 2
    assert c.loc["douyin:d1", "works"] == 2
    assert c.loc["douyin:d1", "platforms"] == "douyin,weibo"
    assert c.loc["douyin:d1", "accounts"] == 2
    assert c.loc["douyin:d1", "creator_name"] == "张三"
    assert c.loc["douyin:d2", "creator_name"] == "李四"
    assert c.loc["douyin:d1", "best_work"] == "douyin:2"
