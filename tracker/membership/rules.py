"""Per-campaign membership rules from ``campaign.toml``, and how each link matched.

The notice does not use the tag everywhere: on Zhihu people answer inside the campaign's
roundtable (圆桌), on 腾讯新闻 they contribute to its topic page (专题), on 学习强国 they join the
related theme; elsewhere they add the tag. A tracker that only matched the tag would miss whole
platforms, so every ``post_campaign`` row says which rule admitted the work (``matched_by``) and
with what value (``matched_value``: the spelling, roundtable id, topic URL, theme, unit or note),
and exports can show it.

:class:`RuleLinker` applies every rule a single record can decide (tag, roundtable, theme, and the
topic page when the record says which page listed it); topic pages themselves are read by
:mod:`tracker.membership.topics`, submissions by the importer and manual decisions by
:mod:`tracker.membership.manual`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from connectors import catalogue
from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.config import CampaignConfig, TrackerConfig
from tracker.membership.topics import ThemeMatcher, topic_url_key
from tracker.normalize.tags import CampaignMatcher
from tracker.records import CampaignLink, PostRecord

__all__ = [
    "MATCHED_BY",
    "CampaignLinker",
    "MATCHED_BY_ZH",
    "platform_rules",
    "CampaignRules",
    "RuleLinker",
    "RuleRow",
    "campaign_rules",
    "matched_by_label",
]

MATCHED_BY: tuple[str, ...] = ("tag", "roundtable", "topic", "theme", "submission", "manual")
"""Every value ``post_campaign.matched_by`` may hold, in display order."""

MATCHED_BY_ZH: dict[str, str] = {
    "tag": "话题标签",
    "roundtable": "知乎圆桌",
    "topic": "腾讯新闻专题",
    "theme": "学习强国主题",
    "submission": "单位报送",
    "manual": "人工加入",
}


def platform_rules() -> dict[str, str]:
    """How the notice says each platform takes part (the tag is accepted everywhere as well).

    Read from the platform specs; a platform where the campaign does not run has no rule.
    """
    return {p: s.membership for p, s in catalogue.specs().items() if s.membership is not None}


_RULE_SETTING = {
    "roundtable": "zhihu_roundtables",
    "topic": "qqnews_topics",
    "theme": "xuexi_themes",
}


def matched_by_label(value: str | None) -> str:
    """The Chinese label of a ``matched_by`` value (unknown values are shown as they are)."""
    if value is None:
        return "—"
    return MATCHED_BY_ZH.get(value, value)


@dataclass(frozen=True, slots=True)
class RuleRow:
    """One rule for display: on ``platform`` (None = every platform) ``kind`` admits ``values``."""

    platform: str | None
    kind: str
    values: tuple[str, ...]

    @property
    def platform_zh(self) -> str:
        return "全部平台" if self.platform is None else PLATFORM_NAMES_ZH[self.platform]

    @property
    def kind_zh(self) -> str:
        return matched_by_label(self.kind)


@dataclass(frozen=True, slots=True)
class CampaignRules:
    """The membership rules of one campaign, as configured."""

    campaign: str
    tags: tuple[str, ...]
    roundtables: tuple[str, ...]
    topics: tuple[str, ...]
    themes: tuple[str, ...]

    @classmethod
    def from_config(cls, campaign: CampaignConfig) -> CampaignRules:
        m = campaign.membership
        return cls(
            campaign=campaign.name,
            tags=tuple(campaign.all_spellings),
            roundtables=tuple(m.zhihu_roundtables),
            topics=tuple(m.qqnews_topics),
            themes=tuple(m.xuexi_themes),
        )

    def rows(self) -> list[RuleRow]:
        """The tag for every platform, then each platform's own way of taking part."""
        out = [RuleRow(None, "tag", self.tags)]
        for platform, kind, values in (
            ("zhihu", "roundtable", self.roundtables),
            ("qqnews", "topic", self.topics),
            ("xuexi", "theme", self.themes),
        ):
            if values:
                out.append(RuleRow(platform, kind, values))
        return out

    def warnings(self) -> list[str]:
        """Platforms whose notice-given way of taking part has no configured value.

        Without them those platforms are matched by the tag alone, which the notice says most of
        their participants do not use; better said at configuration time than found in a report.
        """
        out = []
        for platform, kind in platform_rules().items():
            if kind == "tag":
                continue
            values = {"roundtable": self.roundtables, "topic": self.topics, "theme": self.themes}[
                kind
            ]
            if not values:
                out.append(
                    f"活动「{self.campaign}」：通知规定{PLATFORM_NAMES_ZH[platform]}通过"
                    f"{matched_by_label(kind)}参与，但 [campaigns.membership] "
                    f"{_RULE_SETTING[kind]} 为空，该平台只能按话题标签匹配"
                )
        return out


def campaign_rules(config: TrackerConfig) -> list[CampaignRules]:
    return [CampaignRules.from_config(c) for c in config.campaigns]


class CampaignLinker:
    """The rules a post's own text decides: the campaign tag, and the Zhihu roundtable."""

    def __init__(self, campaigns: Iterable[CampaignConfig]) -> None:
        self.campaigns = list(campaigns)
        self.matcher = CampaignMatcher({c.name: c.all_spellings for c in self.campaigns})
        self._roundtables = {
            rt: c.name for c in self.campaigns for rt in c.membership.zhihu_roundtables
        }

    def links_for(self, post: PostRecord) -> list[CampaignLink]:
        links = [
            CampaignLink(post.platform, post.platform_post_id, name, "tag", raw)
            for name, raw in self.matcher.match(post.hashtags, _match_text(post))
        ]
        roundtable = post.context.get("roundtable_id")
        if roundtable and roundtable in self._roundtables:
            name = self._roundtables[roundtable]
            if all(link.campaign != name for link in links):
                links.append(
                    CampaignLink(
                        post.platform, post.platform_post_id, name, "roundtable", roundtable
                    )
                )
        return links


def _match_text(post: PostRecord) -> str | None:
    if post.title and post.text:
        return f"{post.title}\n{post.text}"
    return post.text or post.title


class RuleLinker:
    """Tag and roundtable (``CampaignLinker``), plus theme and topic-page rules.

    A drop-in for ``CampaignLinker`` (same ``links_for``), composed rather than derived. A work
    gets one link per campaign; the first rule that admits it names the reason, in the order
    tag, roundtable, theme, topic (the tag is the campaign's own word, the others are how a
    platform stands in for it).
    """

    def __init__(self, campaigns: Iterable[CampaignConfig]) -> None:
        self.base = CampaignLinker(campaigns)
        self.campaigns = self.base.campaigns
        self.themes = ThemeMatcher({c.name: c.membership.xuexi_themes for c in self.campaigns})
        self._topics = {
            topic_url_key(url): c.name for c in self.campaigns for url in c.membership.qqnews_topics
        }

    def links_for(self, post: PostRecord) -> list[CampaignLink]:
        links = self.base.links_for(post)
        have = {link.campaign for link in links}
        if post.platform == "xuexi":
            for name, theme in self.themes.match(post.title, post.text):
                if name not in have:
                    have.add(name)
                    links.append(
                        CampaignLink(post.platform, post.platform_post_id, name, "theme", theme)
                    )
        topic = post.context.get("topic_url")
        if post.platform == "qqnews" and topic:
            name = self._topics.get(topic_url_key(topic))
            if name is not None and name not in have:
                links.append(
                    CampaignLink(post.platform, post.platform_post_id, name, "topic", topic)
                )
        return links
