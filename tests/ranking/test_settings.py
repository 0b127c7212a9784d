"""RankingSettings: defaults, validation with clear key names, the Chinese description."""

from __future__ import annotations

import pytest

from tracker.errors import ConfigError
from tracker.ranking.settings import RankingSettings


def test_defaults_are_the_published_anchors() -> None:
    s = RankingSettings()
    assert s.interactions.as_dict() == {"likes": 1, "comments": 2, "shares": 3, "favorites": 2}
    assert s.fixed_age_days == 7
    assert s.min_platform_works == 30
    assert s.overperformance.history_size == 100
    assert s.overperformance.trim_fraction == 0.25
    assert s.overperformance.min_earlier_works == 3
    assert s.overperformance.min_expected == 10
    assert (s.creators.activity_weight, s.creators.quality_weight) == (0.2, 0.8)
    ri = s.reference_index
    assert (ri.activity_weight, ri.spread_weight, ri.shares, ri.comments, ri.likes, ri.scale) == (
        0.2,
        0.8,
        0.4,
        0.4,
        0.2,
        160,
    )
    assert s.risk.ratio_z == 4


def test_from_mapping_reads_nested_tables() -> None:
    s = RankingSettings.from_mapping(
        {"interactions": {"shares": 5}, "fixed_age_days": 3, "units": {"rank_by": "share_of_voice"}}
    )
    assert s.interactions.shares == 5
    assert s.interactions.likes == 1  # absent keys keep defaults
    assert s.fixed_age_days == 3
    assert s.units.rank_by == "share_of_voice"


def test_errors_name_every_bad_key() -> None:
    with pytest.raises(ConfigError) as err:
        RankingSettings.from_mapping(
            {"interactions": {"likes": -1}, "risk": {"ratio_zz": 3}, "units": {"rank_by": "fame"}}
        )
    msg = str(err.value)
    assert "ranking.interactions.likes: 数值过小" in msg
    assert "ranking.risk.ratio_zz: 未知的参数名" in msg
    assert "ranking.units.rank_by: 取值不在允许范围内" in msg


def test_all_zero_weights_rejected() -> None:
    with pytest.raises(ConfigError, match="at least one interaction weight"):
        RankingSettings.from_mapping(
            {"interactions": {"likes": 0, "comments": 0, "shares": 0, "favorites": 0}}
        )


def test_describe_zh_prints_the_weights_in_force() -> None:
    text = RankingSettings.from_mapping({"interactions": {"shares": 4}}).describe_zh()
    assert "互动量 I = 1×点赞 + 2×评论 + 4×转发 + 2×收藏" in text
    assert "发布后第 7 天" in text
    assert "少于 30 件的平台" in text
    assert "BCI = (0.2×W1 + 0.8×W2)×160" in text
    assert "0.2×活跃度 + 0.8×收缩后平均质量" in text
    assert "中间 50%" in text
