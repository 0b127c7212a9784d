"""Fake-engagement signals, their strengths, the combined risk score and the reasons."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest

from tracker.ranking.risk import (
    duplicate_accounts,
    follower_jumps,
    ratio_signals,
    risk_score,
    snapshot_jumps,
    text_fingerprint,
)
from tracker.ranking.settings import InteractionWeights, RiskSettings

T0 = pd.Timestamp("2024-09-01", tz="UTC")
H = pd.Timedelta(hours=1)
D = pd.Timedelta(days=1)


def hill(x: float, t: float, k: float = 4.0) -> float:
    return x**k / (x**k + t**k)


def _platform(likes: list[int], comments: list[int]) -> pd.DataFrame:
    n = len(likes)
    return pd.DataFrame(
        {
            "platform": ["weibo"] * n,
            "likes": pd.array(likes, dtype="Int64"),
            "comments": pd.array(comments, dtype="Int64"),
            "shares": pd.array([None] * n, dtype="Int64"),
            "views": pd.array([None] * n, dtype="Int64"),
        }
    )


def test_robust_z_by_hand_on_one_band() -> None:
    comments = list(range(10, 22))  # 12 works
    likes = [10 * c + (c % 3) * 7 for c in comments]
    likes[-1] = 20 * 10 * comments[-1]  # bought: 20× the likes, same comments
    works = _platform(likes, comments)
    s = RiskSettings(ratio_bins=1, min_platform_works_for_ratios=10)
    out = ratio_signals(works, s)
    r = [math.log((lk + 1) / (c + 1)) for lk, c in zip(likes, comments, strict=True)]
    med = statistics.median(r)
    mad = statistics.median([abs(v - med) for v in r])
    den = max((likes[-1] + 1) * math.exp(-med) - 1, 0)
    count_sd = math.sqrt(1 / (likes[-1] + 1) + 1 / (den + 1))
    scale = max(1.4826 * mad, count_sd, 0.1)
    z = (r[-1] - med) / scale
    assert out["z_likes_comments"].iloc[-1] == pytest.approx(z)
    assert z > 20
    # only one ratio known (no shares, no views): combined z = z / √1
    assert out["ratio_z"].iloc[-1] == pytest.approx(z)
    assert abs(out["ratio_z"].iloc[0]) < 2


def test_too_few_works_give_no_z() -> None:
    works = _platform([100, 200, 4000], [10, 20, 10])
    out = ratio_signals(works, RiskSettings())
    assert out["ratio_z"].isna().all()


def test_stouffer_combination_of_two_ratios() -> None:
    n = 12
    works = _platform([100] * n, [10] * n)
    works["shares"] = pd.array([5] * n, dtype="Int64")
    works.loc[n - 1, "likes"] = 2000
    out = ratio_signals(works, RiskSettings(ratio_bins=1))
    zc, zs = out["z_likes_comments"].iloc[-1], out["z_likes_shares"].iloc[-1]
    assert out["ratio_z"].iloc[-1] == pytest.approx((zc + zs) / math.sqrt(2))


def test_likes_per_view() -> None:
    works = _platform([150, 5, 0], [1, 1, 0])
    works["views"] = pd.array([100, 1000, 0], dtype="Int64")
    out = ratio_signals(works, RiskSettings())
    assert list(out["likes_per_view"]) == [1.5, 0.005, 0.0]


def _snap_rows(post: str, account_likes: list[tuple[pd.Timedelta, int]]) -> list[tuple]:
    return [("weibo", post, T0 + dt, lk, 0, 0, 0) for dt, lk in account_likes]


def _jump_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    works = pd.DataFrame(
        {
            "platform": ["weibo"] * 5,
            "platform_post_id": ["burst", "calm", "l1", "l2", "l3"],
            "account_uid": ["a", "b", "c", "d", "e"],
            "published_at": [T0] * 5,
        }
    )
    curve = [(1 * D, 100), (2 * D, 120), (3 * D, 130)]
    rows = _snap_rows("burst", [*curve, (4 * D, 630)])
    rows += _snap_rows("calm", [*curve, (4 * D, 134)])
    for p in ("l1", "l2", "l3"):  # three accounts jump in the same hour
        rows += _snap_rows(p, [*curve, (3 * D + 20 * H, 300)])
    snaps = pd.DataFrame(
        rows,
        columns=[
            "platform",
            "platform_post_id",
            "captured_at",
            "likes",
            "comments",
            "shares",
            "favorites",
        ],
    )
    for c in ("likes", "comments", "shares", "favorites"):
        snaps[c] = snaps[c].astype("Int64")
    return works, snaps


def test_jump_that_earlier_growth_does_not_explain() -> None:
    works, snaps = _jump_data()
    out = snapshot_jumps(works, snaps, InteractionWeights(), RiskSettings())
    # +500 in day 3->4 after +10 in day 2->3: (500/24h)/(10/24h) = 50
    assert out["jump_ratio"].iloc[0] == pytest.approx(50.0)
    assert out["jump_added"].iloc[0] == 500
    assert out["jump_at"].iloc[0] == T0 + 4 * D
    # +4 is below the minimum count: not judged at all
    assert math.isnan(out["jump_ratio"].iloc[1])
    # lockstep: (170/20h)/(10/24h) = 20.4, three accounts in the same hour
    assert out["jump_ratio"].iloc[2] == pytest.approx(170 / 20 / (10 / 24))
    assert list(out["lockstep_others"]) == [0, 0, 2, 2, 2]


def test_ramp_up_is_never_a_jump() -> None:
    works = pd.DataFrame(
        {
            "platform": ["weibo"],
            "platform_post_id": ["new"],
            "account_uid": ["a"],
            "published_at": [T0],
        }
    )
    # nothing in the first hour, then +500 before the work is a day old: a normal take-off
    rows = _snap_rows("new", [(1 * H, 0), (20 * H, 500), (2 * D, 520)])
    snaps = pd.DataFrame(
        rows,
        columns=[
            "platform",
            "platform_post_id",
            "captured_at",
            "likes",
            "comments",
            "shares",
            "favorites",
        ],
    )
    out = snapshot_jumps(works, snaps, InteractionWeights(), RiskSettings())
    assert math.isnan(out["jump_ratio"].iloc[0])
    late = snapshot_jumps(works, snaps, InteractionWeights(), RiskSettings(jump_min_age_hours=0))
    assert late["jump_ratio"].iloc[0] > 1000  # judged from age 0 it would look like a burst


def test_follower_jump() -> None:
    posts = pd.DataFrame(
        {"platform": ["weibo", "weibo"], "platform_post_id": ["1", "2"], "account_uid": ["a", "a"]}
    )
    snaps = pd.DataFrame(
        {
            "platform": ["weibo"] * 4,
            "platform_post_id": ["1", "1", "2", "2"],
            "captured_at": [T0, T0 + 10 * D, T0 + 10 * D + 20 * H, T0 + 30 * D],
            "followers_at_capture": pd.array([900, 1000, 2500, 2600], dtype="Int64"),
        }
    )
    out = follower_jumps(posts, snaps, RiskSettings()).set_index(["platform", "account_uid"])
    # +100 over 10 days is too slow to count; +1500 within 20 h is +150 %
    assert out.loc[("weibo", "a"), "follower_jump"] == pytest.approx(1.5)
    assert out.loc[("weibo", "a"), "follower_jump_added"] == 1500
    assert len(out) == 1


def test_text_fingerprint_folds_tags_links_mentions_and_punctuation() -> None:
    texts = pd.Series(
        [
            "#千万IP创科普# 今天讲讲黑洞是怎么形成的！https://t.cn/abc @科普君",
            "今天讲讲黑洞是怎么形成的 #千万ip创科普",
            "今天讲讲白洞是怎么形成的",
            "短文本",
            None,
        ]
    )
    fp = text_fingerprint(texts, min_chars=8)
    assert fp.iloc[0] == fp.iloc[1]
    assert fp.iloc[2] != fp.iloc[0]
    assert pd.isna(fp.iloc[3]) and pd.isna(fp.iloc[4])


def test_duplicates_count_other_creators_on_the_same_platform() -> None:
    works = pd.DataFrame(
        {
            "platform": ["weibo", "weibo", "weibo", "douyin", "weibo"],
            "account_uid": ["a", "b", "c", "a2", "a"],
            "creator_key": ["weibo:a", "weibo:b", "weibo:c", "douyin:a2", "weibo:a"],
        }
    )
    fp = pd.Series(["x", "x", "x", "x", "y"])
    assert list(duplicate_accounts(works, fp)) == [2, 2, 2, 0, 0]


def test_reposts_are_never_duplicates_nor_counted_as_copies() -> None:
    """Three creators repost with the stock words "转发微博"; a fourth and fifth copy one text.
    The reposts read alike by design; the copied originals count each other only."""
    works = pd.DataFrame(
        {
            "platform": ["weibo"] * 5,
            "account_uid": ["a", "b", "c", "d", "e"],
            "content_type": ["repost", "repost", "repost", "text", "text"],
        }
    )
    fp = pd.Series(["x", "x", "x", "y", "y"])
    assert list(duplicate_accounts(works, fp)) == [0, 0, 0, 1, 1]
    # a repost sharing an original's text does not add a creator to the original's count
    fp_shared = pd.Series(["y", "y", "y", "y", "y"])
    assert list(duplicate_accounts(works, fp_shared)) == [0, 0, 0, 1, 1]


def test_noisy_or_and_reasons() -> None:
    signals = pd.DataFrame(
        {
            "ratio_z": [4.0, 0.0, np.nan],
            "z_likes_comments": [4.0, 0.0, np.nan],
            "z_likes_shares": [np.nan, 0.0, np.nan],
            "z_likes_views": [np.nan, 0.0, np.nan],
            "likes_per_view": [1.0, 0.01, np.nan],
            "jump_ratio": [np.nan, np.nan, 10.0],
            "jump_added": [np.nan, np.nan, 500.0],
            "lockstep_others": [0, 0, 2],
            "follower_jump": [np.nan, np.nan, 1.5],
            "duplicate_others": [0, 0, 2],
        }
    )
    out = risk_score(signals, RiskSettings())
    # row 0: two signals at their thresholds: 1 − (1 − 0.5)(1 − 0.5) = 0.75
    assert out["risk_ratio"].iloc[0] == pytest.approx(0.5)
    assert out["risk_views"].iloc[0] == pytest.approx(0.5)
    assert out["risk_score"].iloc[0] == pytest.approx(0.75)
    assert bool(out["risk_flag"].iloc[0])
    assert (
        out["risk_reasons"].iloc[0] == "点赞/评论比异常偏高（合并稳健z=4.0）；点赞数达播放量的100%"
    )
    # row 1: nothing
    assert out["risk_score"].iloc[1] == pytest.approx(0.0, abs=1e-6)
    assert out["risk_reasons"].iloc[1] == ""
    assert not bool(out["risk_flag"].iloc[1])
    # row 2: jump 10 (T 5), lockstep 3 works (T 3), followers +150 % (T 50 %, weight 0.6),
    # dup 2 (T 2, weight 0.6)
    parts = [hill(10, 5), hill(3, 3), 0.6 * hill(1.5, 0.5), 0.6 * hill(2, 2)]
    assert out["risk_score"].iloc[2] == pytest.approx(1 - np.prod([1 - p for p in parts]))
    reasons = out["risk_reasons"].iloc[2].split("；")
    assert reasons == [
        "快照间互动激增（增速为前一区间的10.0倍，新增500）",
        "与另外2个账号的作品在同一小时内同步激增",
        "账号粉丝短时激增+150%",
        "与另外2个创作者在同一平台发布的文本几乎相同",
    ]


def test_shared_text_alone_flags_only_from_four_creators() -> None:
    """A unit's template caption on three creators' works is a reason for review, not a flag;
    the same text from four or more creators flags on its own."""
    signals = pd.DataFrame({"duplicate_others": [1, 2, 3, 5]})
    out = risk_score(signals, RiskSettings())
    assert out["risk_flag"].tolist() == [False, False, True, True]
    assert out["risk_duplicate"].iloc[1] == pytest.approx(0.6 * 0.5)
    assert out["risk_reasons"].iloc[1] == "与另外2个创作者在同一平台发布的文本几乎相同"
