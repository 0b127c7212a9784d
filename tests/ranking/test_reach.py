"""Leave-one-out account levels (``tracker.ranking.reach``) and their use in the ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tracker.ranking import RankingFrames, RankingSettings, rank_campaign
from tracker.ranking.evaluate import spearman
from tracker.ranking.explain import explain_work
from tracker.ranking.reach import leave_one_out_level, predicted_residual


def _world(rng: np.random.Generator, accounts: int = 60, per: int = 3) -> pd.DataFrame:
    """Accounts whose level differs a lot (sd 2) and works around it (sd 0.5)."""
    level = rng.normal(0, 2, accounts)
    acc = np.repeat(np.arange(accounts), per)
    return pd.DataFrame({"acc": acc, "d": level[acc] + rng.normal(0, 0.5, len(acc))})


def test_others_mean_leaves_the_work_out() -> None:
    d = np.array([1.0, 2.0, 6.0, 10.0])
    out = leave_one_out_level(d, np.array([0, 0, 0, 1]), np.zeros(4, int), np.ones(4, int))
    assert out["others"].tolist() == [2, 2, 2, 0]
    assert out["others_mean"].iloc[0] == pytest.approx(4.0)  # (2 + 6) / 2, not its own 1
    assert out["others_mean"].iloc[2] == pytest.approx(1.5)
    assert np.isnan(out["others_mean"].iloc[3])


def test_a_lone_work_gets_no_level_and_the_widest_uncertainty() -> None:
    f = _world(np.random.default_rng(1))
    d = np.append(f["d"].to_numpy(), 3.0)
    acc = np.append(f["acc"].to_numpy(), 999)
    out = leave_one_out_level(d, acc, np.zeros(len(d), int), np.ones(len(d), int))
    lone = out.iloc[-1]
    assert lone["shrink"] == 0 and lone["level"] == 0
    assert lone["posterior_var"] == pytest.approx(lone["tau2"])
    assert lone["reliability"] < out["reliability"].iloc[:-1].min()


def test_shrinkage_grows_with_the_number_of_other_works() -> None:
    rng = np.random.default_rng(2)
    f = pd.concat([_world(rng, 40, 2), _world(rng, 40, 6).assign(acc=lambda x: x["acc"] + 100)])
    out = leave_one_out_level(
        f["d"].to_numpy(), f["acc"].to_numpy(), np.zeros(len(f), int), np.ones(len(f), int)
    )
    one, five = out[out["others"] == 1], out[out["others"] == 5]
    assert 0.5 < one["shrink"].iloc[0] < five["shrink"].iloc[0] < 1.0
    # the estimated spreads are the world's: within 0.5² and between 2² (generous bounds)
    assert 0.15 < out["sigma2"].iloc[0] < 0.4
    assert 2.0 < out["tau2"].iloc[0] < 6.5


def test_no_spread_between_accounts_means_no_shrinkage_needed() -> None:
    rng = np.random.default_rng(3)
    d = rng.normal(0, 1, 300)
    out = leave_one_out_level(
        d, np.repeat(np.arange(100), 3), np.zeros(300, int), np.zeros(300, int)
    )
    assert out["shrink"].max() < 0.5
    assert out["reliability"].min() > 0.8


def test_levels_and_spreads_are_per_platform_and_rows_without_value_take_no_part() -> None:
    d = np.array([0.0, 4.0, np.nan, 1.0, 1.2, 0.8, 1.1])
    acc = np.array([0, 0, 0, 1, 1, 2, 2])
    plat = np.array([0, 0, 0, 1, 1, 1, 1])
    out = leave_one_out_level(d, acc, plat, np.zeros(7, int))
    assert out["others"].tolist() == [1, 1, 2, 1, 1, 1, 1]
    assert out["sigma2"].iloc[0] != pytest.approx(out["sigma2"].iloc[3])


def _frames(rng: np.random.Generator, n: int = 120) -> tuple[RankingFrames, np.ndarray]:
    """One platform; half the accounts show followers; quality drives likes beyond audience."""
    acc = rng.integers(0, 60, n)
    fol = np.round(10 ** rng.uniform(1, 6, 60))
    q = rng.uniform(0, 1, n)
    likes = np.round(0.05 * fol[acc] ** 0.7 * np.exp(3 * q + 0.3 * rng.normal(size=n)))
    known = acc % 2 == 0
    works = pd.DataFrame(
        {
            "platform": "douyin",
            "platform_post_id": [f"p{i}" for i in range(n)],
            "account_uid": [f"a{a}" for a in acc],
            "content_type": "video",
            "published_at": pd.Timestamp("2024-09-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 20 * 86400, n), unit="s"),
            "likes": pd.array(likes.astype(int), dtype="Int64"),
            "followers": pd.array(np.where(known, fol[acc], np.nan), dtype="float64").astype(
                "Int64"
            ),
        }
    )
    return RankingFrames(works=works), q


def _rho(score: pd.Series, quality: np.ndarray, rows: np.ndarray | None = None) -> float:
    """Spearman of a score with the planted quality, over ``rows`` (all by default)."""
    values = score.to_numpy(dtype="float64")
    if rows is None:
        return spearman(values, quality)
    return spearman(values[rows], quality[rows])


def test_works_without_followers_get_a_size_adjusted_score_that_tracks_quality() -> None:
    frames, q = _frames(np.random.default_rng(4))
    on = rank_campaign(frames).works
    off = rank_campaign(frames, RankingSettings(estimate_reach=False)).works
    no_fol = frames.works["followers"].isna().to_numpy()
    assert off["size_score"][no_fol].isna().all()
    assert on["size_score"].notna().all()
    assert set(on["reach_source"][no_fol].astype(str)) <= {"others", "platform"}
    assert set(on["reach_source"][~no_fol].astype(str)) == {"followers"}

    assert _rho(on["quality_score"], q) > _rho(off["quality_score"], q) + 0.05


def test_the_leave_one_out_baseline_scores_an_accounts_first_work() -> None:
    frames, _ = _frames(np.random.default_rng(5))
    earlier = rank_campaign(frames).works
    ranked = rank_campaign(
        frames, RankingSettings.from_mapping({"overperformance": {"baseline": "others"}})
    )
    others = ranked.works
    assert earlier["overperformance"].isna().sum() > 30  # first works of 60 accounts
    assert others["overperformance"].notna().all()
    first = earlier["overperformance"].isna().to_numpy()
    pid = others["platform_post_id"][first].iloc[0]
    assert "留一基准" in "\n".join(explain_work(ranked, "douyin", pid))


def test_fixed_age_reading_says_when_the_time_was_derived_from_the_id() -> None:
    frames, _ = _frames(np.random.default_rng(6), 40)
    frames.works["published_at_source"] = ["id"] + ["field"] * 39
    ranked = rank_campaign(frames)
    derived = "\n".join(explain_work(ranked, "douyin", "p0"))
    plain = "\n".join(explain_work(ranked, "douyin", "p1"))
    assert "由作品编号推算" in derived
    assert "由作品编号推算" not in plain


def test_a_work_without_followers_explains_where_its_audience_estimate_came_from() -> None:
    frames, _ = _frames(np.random.default_rng(7))
    ranked = rank_campaign(frames)
    w = ranked.works
    pid = w["platform_post_id"][w["followers"].isna().to_numpy()].iloc[0]
    text = "\n".join(explain_work(ranked, "douyin", pid))
    assert "粉丝数未知" in text and "可靠度" in text


def test_predicted_residual_is_the_regression_through_the_origin_per_platform() -> None:
    target = np.array([2.0, -2.0, 4.0, np.nan, 1.0, -1.0, np.nan])
    predictor = np.array([1.0, -1.0, 2.0, 3.0, 1.0, -1.0, 5.0])
    plat = np.array([0, 0, 0, 0, 1, 1, 1])
    out = predicted_residual(target, predictor, plat, min_pairs=3)
    # platform 0: target = 2 × predictor exactly, so β = 2 and the unknown row gets 6
    assert out[:4].tolist() == pytest.approx([2.0, -2.0, 4.0, 6.0])
    # platform 1 has two pairs, fewer than min_pairs: no prediction
    assert np.isnan(out[4:]).all()
    assert np.isnan(predicted_residual(target, np.full(7, np.nan), plat, 3)).all()


def _frames_with_views(rng: np.random.Generator, n: int = 900) -> tuple[RankingFrames, np.ndarray]:
    """Bilibili-like: every work shows its views, a third of accounts show followers, each
    account has one work (no history to learn its level from); views carry audience and
    quality, likes per view carry quality only (as the simulator draws them)."""
    fol = np.round(10 ** rng.uniform(1, 6, n))
    q = rng.beta(2, 3, n)
    views = np.round(3 * (fol + 50) ** 0.7 * np.exp(3 * (q - 0.5) + 0.5 * rng.normal(size=n)))
    likes = np.round(views * 0.05 * np.exp(q - 0.5 + 0.3 * rng.normal(size=n)))
    known = rng.uniform(size=n) < 1 / 3
    works = pd.DataFrame(
        {
            "platform": "bilibili",
            "platform_post_id": [f"b{i}" for i in range(n)],
            "account_uid": [f"u{i}" for i in range(n)],
            "content_type": "video",
            "published_at": pd.Timestamp("2024-09-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 20 * 86400, n), unit="s"),
            "views": pd.array(views.astype(int), dtype="Int64"),
            "likes": pd.array(likes.astype(int), dtype="Int64"),
            "followers": pd.array(np.where(known, fol, np.nan), dtype="float64").astype("Int64"),
        }
    )
    return RankingFrames(works=works), q


def test_works_without_followers_but_with_views_are_judged_by_their_own_views() -> None:
    frames, q = _frames_with_views(np.random.default_rng(8))
    on = rank_campaign(frames).works
    off = rank_campaign(frames, RankingSettings(reach_from_views=False)).works
    no_fol = frames.works["followers"].isna().to_numpy()
    assert set(on["reach_source"][no_fol].astype(str)) == {"views"}
    assert set(on["reach_source"][~no_fol].astype(str)) == {"followers"}
    assert set(off["reach_source"][no_fol].astype(str)) == {"platform"}
    # works with followers keep their score inputs exactly
    assert on["reach_residual"][~no_fol].tolist() == off["reach_residual"][~no_fol].tolist()

    for score in ("size_score", "quality_score"):
        assert _rho(on[score], q, no_fol) > _rho(off[score], q, no_fol) + 0.1, score


def test_a_work_judged_by_its_views_says_so() -> None:
    frames, _ = _frames_with_views(np.random.default_rng(9), 120)
    ranked = rank_campaign(frames)
    w = ranked.works
    pid = w["platform_post_id"][w["followers"].isna().to_numpy()].iloc[0]
    text = "\n".join(explain_work(ranked, "bilibili", pid))
    assert "粉丝数未知，按本作品播放量" in text
