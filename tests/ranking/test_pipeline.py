"""rank_campaign end to end on a small hand-made campaign, and the Chinese explanations."""

from __future__ import annotations

import pandas as pd
import pytest

from tracker.ranking import (
    RankingFrames,
    RankingSettings,
    explain_creator,
    explain_work,
    rank_campaign,
)
from tracker.ranking.columns import COLUMNS_ZH, CREATOR_COLUMNS, UNIT_COLUMNS, WORK_COLUMNS

T0 = pd.Timestamp("2024-09-10 00:00", tz="UTC")
D = pd.Timedelta(days=1)


def _frames(reviews: pd.DataFrame | None = None) -> RankingFrames:
    works = pd.DataFrame(
        {
            "platform": ["weibo", "zhihu", "weibo"],
            "platform_post_id": ["4998877665544332211", "z1", "w3"],
            "account_uid": ["a", "b", "c"],
            "account_name": ["科普君", "知乎答主", "小号"],
            "content_type": ["text", "answer", "text"],
            "published_at": [T0, T0, T0 + D],
            "likes": pd.array([999, 50, 3], dtype="Int64"),
            "comments": pd.array([999, 10, 0], dtype="Int64"),
            "shares": pd.array([999, None, 0], dtype="Int64"),
            "favorites": pd.array([999, 5, 0], dtype="Int64"),
            "followers": pd.array([5000, 200, None], dtype="Int64"),
            "last_collected_at": [T0 + 20 * D] * 3,
        }
    )
    history = pd.DataFrame(
        {
            "platform": ["weibo"] * 5,
            "platform_post_id": [f"h{i}" for i in range(5)],
            "account_uid": ["a"] * 5,
            "content_type": ["text"] * 5,
            "published_at": [T0 - (10 - i) * D for i in range(5)],
            "likes": pd.array([10, 20, 30, 40, 1000], dtype="Int64"),
            "comments": pd.array([0] * 5, dtype="Int64"),
            "shares": pd.array([0] * 5, dtype="Int64"),
            "favorites": pd.array([0] * 5, dtype="Int64"),
        }
    )
    snapshots = pd.DataFrame(
        {
            "platform": ["weibo", "weibo"],
            "platform_post_id": ["4998877665544332211", "4998877665544332211"],
            "captured_at": [T0 + 7 * D, T0 + 12 * D],
            "likes": pd.array([120, 500], dtype="Int64"),
            "comments": pd.array([30, 90], dtype="Int64"),
            "shares": pd.array([10, 40], dtype="Int64"),
            "favorites": pd.array([5, 9], dtype="Int64"),
            "followers_at_capture": pd.array([4800, 5000], dtype="Int64"),
        }
    )
    account_units = pd.DataFrame(
        {
            "platform": ["weibo", "zhihu"],
            "platform_uid": ["a", "b"],
            "unit_id": [1, 1],
            "unit_name": ["广州市科协", "广州市科协"],
            "unit_kind": ["city_association", "city_association"],
            "city": ["广州市", "广州市"],
            "person": [None, None],
        }
    )
    units = pd.DataFrame(
        {
            "unit_id": [1],
            "unit_name": ["广州市科协"],
            "unit_kind": ["city_association"],
            "city": ["广州市"],
        }
    )
    return RankingFrames(
        works=works,
        history=history,
        snapshots=snapshots,
        account_units=account_units,
        units=units,
        reviews=reviews,
    )


def test_every_component_is_a_column_with_a_chinese_header() -> None:
    r = rank_campaign(_frames())
    for cols, frame in (
        (WORK_COLUMNS, r.works),
        (CREATOR_COLUMNS, r.creators),
        (UNIT_COLUMNS, r.units),
    ):
        missing = [c for c in cols if c not in frame.columns]
        assert not missing
        assert all(c in COLUMNS_ZH for c in cols)


def test_work_values() -> None:
    r = rank_campaign(_frames())
    w = r.works.set_index("platform_post_id")
    big = w.loc["4998877665544332211"]  # the id stays an exact string
    assert big["reading_basis"] == "age"
    assert big["interactions"] == 220.0  # read at day 7, not the latest 999s
    assert big["latest_likes"] == 999
    assert big["expected"] == 30.0
    assert big["overperformance"] == pytest.approx(220 / 30)
    assert big["followers_used"] == 4800  # followers at the reading, not the latest
    z = w.loc["z1"]
    assert z["interactions"] == pytest.approx((50 + 20 + 10) * 8 / 5)
    assert pd.isna(z["overperformance"])  # no earlier works
    assert w.loc["w3", "interactions"] == 3.0
    assert pd.isna(w.loc["w3", "size_residual"])  # followers unknown: no follower line
    # ... so its audience is judged from the account's other works or the platform's level
    assert w.loc["w3", "reach_source"] in ("others", "platform")
    assert pd.notna(w.loc["w3", "size_score"])
    assert sorted(r.works["rank"]) == [1, 2, 3]  # works keep the input order
    assert r.works["review_status"].eq("pending").all()


def test_explain_work_term_by_term() -> None:
    r = rank_campaign(_frames())
    lines = explain_work(r, "weibo", "4998877665544332211")
    assert lines[0] == "作品 微博 4998877665544332211（账号 科普君）"
    assert (
        lines[1]
        == "1. 读数口径：发布后第 7 天（当时或之后最近）的快照（2024-09-17 08:00 北京时间，作品龄 7.0 天）"
    )
    assert lines[2] == "2. 互动量 I = 1×点赞 120 + 2×评论 30 + 3×转发 10 + 2×收藏 5 = 220.0"
    assert lines[3].startswith("3. 平台内公平分：微博仅 2 件作品（少于 30 件），按正态模型计分")
    over = r.works.set_index("platform_post_id").loc["4998877665544332211", "over_score"]
    assert lines[5] == (
        "5. 超常表现（CrowdTangle）：期望 E = 30.0（同账号此前 5 件同类作品去掉高低各 25% 后的均值），"
        f"实际 A = 220.0；A ≥ E，A/E = 220.0/30.0 = 7.33 倍；平台内百分位 = {over:,.1f}"
    )
    assert lines[6] == "6. 传播覆盖：播放/阅读量未公开，不计"
    fair = r.works.set_index("platform_post_id").loc["4998877665544332211", "fair_score"]
    # the unknown reach term is left out of the sum and of the divisor, never shown as nan
    assert lines[7] == (
        f"7. 质量分（风险折减前）= (0.05×公平分 {fair:.1f} + 0.75×粉丝校正分 50.0 + "
        f"0.1×超常表现分 {over:.1f}) ÷ 0.9 = "
        f"{(0.05 * round(fair, 1) + 0.75 * 50 + 0.1 * round(over, 1)) / 0.9:.1f}"
    )
    assert lines[9].startswith("9. 排名：全部作品第 ")
    z = explain_work(r, "zhihu", "z1")
    assert (
        z[2]
        == "2. 互动量 I = (1×点赞 50 + 2×评论 10 + 2×收藏 5) × 8/5（转发未公开，按已知项权重重新归一）= 128.0"
    )
    assert z[5] == "5. 超常表现：同账号此前同类作品 0 件，少于 3 件，不计"
    with pytest.raises(KeyError):
        explain_work(r, "weibo", "nope")


def test_explain_creator() -> None:
    r = rank_campaign(_frames())
    lines = explain_creator(r, "weibo:a")
    assert lines[0] == "创作者 科普君（weibo:a），账号 1 个：微博 科普君；作品 1 件（可评分 1 件）"
    assert lines[1] == "1. 活跃度 = min(1, ln(1+1)/ln(1+20)) = min(1, 0.693/3.045) = 0.228"
    assert lines[3].startswith("3. 经验贝叶斯收缩：平台均值 μ = ")
    assert lines[4].startswith("4. 创作者得分 = 100×(0.2×0.228 + 0.8×")
    assert explain_creator(r, "weibo", "a") == lines


def test_approved_only_aggregates_use_approved_works() -> None:
    reviews = pd.DataFrame(
        {"platform": ["weibo"], "platform_post_id": ["4998877665544332211"], "status": ["approved"]}
    )
    r = rank_campaign(_frames(reviews), approved_only=True)
    assert list(r.creators["creator_key"]) == ["weibo:a"]
    unit = r.units.set_index("unit_name").loc["广州市科协"]
    assert unit["works"] == 1
    w = r.works.set_index("platform_post_id")
    assert w.loc["4998877665544332211", "review_status"] == "approved"
    assert w.loc["z1", "review_status"] == "pending"
    # all works are still scored (percentiles need the whole field)
    assert w["quality_score"].notna().sum() == 3


def test_top_works_and_recommendable() -> None:
    reviews = pd.DataFrame(
        {
            "platform": ["weibo", "zhihu"],
            "platform_post_id": ["w3", "z1"],
            "status": ["approved", "rejected"],
        }
    )
    frames = _frames(reviews)
    frames.works["deleted"] = [False, False, False]
    r = rank_campaign(frames)
    top = r.top_works()
    assert list(top["rank"]) == [1, 2, 3]
    assert list(r.top_works(1)["rank"]) == [1]
    weibo = r.top_works(platform="weibo")
    assert list(weibo["platform"]) == ["weibo", "weibo"] and list(weibo["platform_rank"]) == [1, 2]
    rec = r.top_works(recommendable_only=True)
    assert list(rec["platform_post_id"]) == ["w3"]  # approved, not deleted


def test_settings_change_the_result() -> None:
    s = RankingSettings.from_mapping({"fixed_age_days": 12})
    r = rank_campaign(_frames(), s)
    big = r.works.set_index("platform_post_id").loc["4998877665544332211"]
    assert big["interactions"] == 500 + 2 * 90 + 3 * 40 + 2 * 9
