"""Membership rules from campaign.toml and the linker that applies them to one record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from connectors.catalogue import PLATFORMS
from tests.helpers.config import CAMPAIGN, TOPIC_URL, load_test_config
from tracker.membership.rules import (
    MATCHED_BY,
    CampaignRules,
    RuleLinker,
    campaign_rules,
    matched_by_label,
    platform_rules,
)
from tracker.records import PostRecord

AT = datetime(2024, 9, 20, tzinfo=UTC)


def test_rules_from_the_project_config(tmp_path: Path) -> None:
    config = load_test_config(tmp_path, topics=[TOPIC_URL])
    (rules,) = campaign_rules(config)
    assert rules == CampaignRules(
        campaign=CAMPAIGN,
        tags=("#千万IP创科普#", "千万ip创科普", "千万IP创科普"),
        roundtables=("qianwanip",),
        topics=(TOPIC_URL,),
        themes=("科普向'新'力",),
    )
    shown = [(r.platform_zh, r.kind_zh, r.values) for r in rules.rows()]
    assert shown == [
        ("全部平台", "话题标签", ("#千万IP创科普#", "千万ip创科普", "千万IP创科普")),
        ("知乎", "知乎圆桌", ("qianwanip",)),
        ("腾讯新闻", "腾讯新闻专题", (TOPIC_URL,)),
        ("学习强国", "学习强国主题", ("科普向'新'力",)),
    ]
    assert rules.warnings() == []


def test_missing_platform_rule_is_warned(tmp_path: Path) -> None:
    (rules,) = campaign_rules(load_test_config(tmp_path))  # qqnews_topics = [] in the project
    (warning,) = rules.warnings()
    assert "腾讯新闻" in warning and "qqnews_topics" in warning


def test_every_platform_of_the_notice_has_a_rule_and_labels_exist() -> None:
    assert set(platform_rules()) == set(PLATFORMS) - {"tiktok"}
    assert set(platform_rules().values()) <= set(MATCHED_BY)
    assert [matched_by_label(m) for m in MATCHED_BY] == [
        "话题标签",
        "知乎圆桌",
        "腾讯新闻专题",
        "学习强国主题",
        "单位报送",
        "人工加入",
    ]
    assert matched_by_label(None) == "—"
    assert matched_by_label("other") == "other"


def _how(linker: RuleLinker, post: PostRecord) -> list[tuple[str, str, str | None]]:
    return [(x.campaign, x.matched_by, x.matched_value) for x in linker.links_for(post)]


def test_linker_applies_tag_roundtable_theme_and_topic(tmp_path: Path) -> None:
    linker = RuleLinker(load_test_config(tmp_path, topics=[TOPIC_URL]).campaigns)
    tagged = PostRecord(
        "weibo", "5078100000000001", AT, text="#千万IP创科普# 科普", hashtags=["#千万IP创科普#"]
    )
    near = PostRecord("weibo", "5078100000000002", AT, text="#千万IP创科普大赛#")
    answer = PostRecord(
        "zhihu", "3600000001", AT, text="没有标签", context={"roundtable_id": "qianwanip"}
    )
    other_rt = PostRecord("zhihu", "3600000002", AT, text="x", context={"roundtable_id": "other"})
    theme = PostRecord("xuexi", "1" * 20, AT, title="科普向‘新’力｜走进深海")
    listed = PostRecord(
        "qqnews", "20240915A01ABC00", AT, title="无标签", context={"topic_url": TOPIC_URL + "/"}
    )
    unlisted = PostRecord(
        "qqnews", "20240915A01ABC01", AT, context={"topic_url": "https://news.qq.com/zt/x"}
    )
    both = PostRecord("xuexi", "2" * 20, AT, title="科普向'新'力", text="#千万IP创科普#")
    assert _how(linker, tagged) == [(CAMPAIGN, "tag", "#千万IP创科普#")]
    assert _how(linker, near) == []
    assert _how(linker, answer) == [(CAMPAIGN, "roundtable", "qianwanip")]
    assert _how(linker, other_rt) == []
    assert _how(linker, theme) == [(CAMPAIGN, "theme", "科普向'新'力")]
    assert _how(linker, listed) == [(CAMPAIGN, "topic", TOPIC_URL + "/")]
    assert _how(linker, unlisted) == []
    assert _how(linker, both) == [(CAMPAIGN, "tag", "#千万IP创科普#")]  # one link per campaign
