"""Every weight and threshold of the ranking method, validated, with a Chinese description.

The values live in the ``[ranking]`` table of ``config/campaign.toml`` (sub-tables such as
``[ranking.interactions]``); absent keys keep the defaults below. The defaults are the published
anchors where one exists (CrowdTangle's 100-post trimmed-mean baseline, 清博 BCI weights,
``0.2·ln(1+作品数) + 0.8·质量`` for creators) and our own measured choices elsewhere (blend weights,
risk thresholds), each explained beside the field. ``describe_zh`` renders the whole method in
words so every export and report can print the formula it was ranked with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tracker.errors import ConfigError

__all__ = [
    "CreatorSettings",
    "InteractionWeights",
    "OverperformanceSettings",
    "QualityWeights",
    "RankingSettings",
    "ReferenceIndexSettings",
    "RiskSettings",
    "UnitSettings",
]

METRIC_NAMES_ZH = {
    "views": "播放/阅读",
    "likes": "点赞",
    "comments": "评论",
    "shares": "转发",
    "favorites": "收藏",
}


class _Strict(BaseModel):
    # TOML allows inf and nan; a weight of inf turns every score into NaN.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class InteractionWeights(_Strict):
    """``I = w_l·点赞 + w_c·评论 + w_s·转发 + w_f·收藏`` (CrowdTangle's weighted interactions)."""

    likes: float = Field(1.0, ge=0)
    comments: float = Field(2.0, ge=0)
    shares: float = Field(3.0, ge=0)
    favorites: float = Field(2.0, ge=0)

    @model_validator(mode="after")
    def _some_weight(self) -> InteractionWeights:
        if self.total <= 0:
            raise ValueError("at least one interaction weight must be positive")
        return self

    @property
    def total(self) -> float:
        return self.likes + self.comments + self.shares + self.favorites

    def as_dict(self) -> dict[str, float]:
        return {
            "likes": self.likes,
            "comments": self.comments,
            "shares": self.shares,
            "favorites": self.favorites,
        }


class OverperformanceSettings(_Strict):
    """CrowdTangle's overperforming score against the account's own recent works."""

    history_size: int = Field(100, ge=1, le=1000)
    """At most this many earlier works of the same account and content type form the baseline."""
    trim_fraction: float = Field(0.25, ge=0, lt=0.5)
    """Share dropped from each end before averaging (0.25 = the middle 50 %)."""
    min_expected: float = Field(10.0, gt=0)
    """Baselines below this many weighted interactions are treated as this minimum."""
    min_earlier_works: int = Field(3, ge=1)
    """Fewer earlier works than this: no baseline, the score is NULL (``earlier`` only)."""
    baseline: Literal["others", "earlier"] = "earlier"
    """``others``: every other known work of the account (campaign and non-campaign, earlier or
    later: leave-one-out), shrunk towards the platform's level in proportion to how few there
    are, so an account's first and only work gets a baseline too (ranking after the fact).
    ``earlier``: CrowdTangle's own rule, earlier works only (most accounts publish 1-3 campaign
    works, so most works then get none). The default: on the simulator's worlds (seeds 7-10)
    ``others`` lowered the mean within-platform Spearman by about 0.01 (its percentile mostly
    repeats the size-adjusted score), so it is offered, not imposed."""


class QualityWeights(_Strict):
    """Blend of 0-100 components into the work quality score (NULL components left out).

    Defaults were chosen on the simulator's seeded worlds (seeds 7-10, about 46 campaign works
    per platform; engagement heavy-tailed, driven by a hidden quality and by audience size,
    followers 10..10⁷): raw engagement there mostly measures audience size (Spearman with the
    hidden quality ≈ 0.25 within a platform) while the size-adjusted residual reaches ≈ 0.65,
    so it carries most of the weight; moving 0.15 of weight from the raw and CrowdTangle scores
    to it raised the mean within-platform Spearman by about 0.02 on every platform. The raw
    platform-fair score is kept as a hedge for worlds where better creators also have bigger
    audiences; the CrowdTangle score only sees a work against its own account, so it adds
    little to absolute quality and is mostly shown for its own sake.
    """

    fair: float = Field(0.05, ge=0)
    """Platform-fair score: percentile of ln(1+I) within the platform."""
    size_adjusted: float = Field(0.75, ge=0)
    """Percentile of ln(c+I) above what accounts of the same follower count get."""
    overperformance: float = Field(0.1, ge=0)
    """Percentile of the CrowdTangle overperforming score."""
    reach: float = Field(0.1, ge=0)
    """Percentile of ln(1+views) where the platform shows views."""

    @model_validator(mode="after")
    def _some_weight(self) -> QualityWeights:
        if self.fair + self.size_adjusted + self.overperformance + self.reach <= 0:
            raise ValueError("at least one quality weight must be positive")
        return self

    def as_dict(self) -> dict[str, float]:
        return {
            "fair": self.fair,
            "size_adjusted": self.size_adjusted,
            "overperformance": self.overperformance,
            "reach": self.reach,
        }


class CreatorSettings(_Strict):
    """Creator score = 100 × (activity_weight × 活跃度 + quality_weight × 收缩后质量/100)."""

    activity_weight: float = Field(0.2, ge=0)
    quality_weight: float = Field(0.8, ge=0)
    activity_cap_works: int = Field(20, ge=1)
    """活跃度 = ln(1+作品数) / ln(1+cap), capped at 1, so both terms share a 0-1 scale."""
    shrinkage: bool = True
    """Normal-Normal empirical Bayes toward the platform mean (off: plain mean)."""
    min_between_variance_ratio: float = Field(0.05, ge=0, le=1)
    """Floor of the between-creator variance as a share of the within-creator variance, so the
    moment estimate can never collapse every creator onto the mean."""
    use_lower_bound: bool = False
    """Rank by the posterior lower bound instead of the posterior mean (rewards consistency)."""
    lower_bound_z: float = Field(1.2816, ge=0)
    """z of the lower bound (1.2816 = the 10th percentile of the posterior)."""

    @model_validator(mode="after")
    def _some_weight(self) -> CreatorSettings:
        if self.activity_weight + self.quality_weight <= 0:
            raise ValueError("activity_weight + quality_weight must be positive")
        return self


class UnitSettings(_Strict):
    rank_by: Literal["active_accounts", "works", "platforms", "reach", "share_of_voice"] = "reach"
    """Column that orders the unit list (the others are shown beside it)."""


class ReferenceIndexSettings(_Strict):
    """清博 BCI as re-published by provincial data platforms (ranking-anchors §2.2)."""

    activity_weight: float = Field(0.2, ge=0)
    spread_weight: float = Field(0.8, ge=0)
    shares: float = Field(0.4, ge=0)
    comments: float = Field(0.4, ge=0)
    likes: float = Field(0.2, ge=0)
    scale: float = Field(160.0, gt=0)

    @model_validator(mode="after")
    def _some_weight(self) -> ReferenceIndexSettings:
        if self.shares + self.comments + self.likes <= 0:
            raise ValueError("at least one spread weight must be positive")
        return self


class RiskSettings(_Strict):
    """Fake-engagement evidence for review (never silent deletion).

    Each signal becomes a strength in [0, 1) with the Hill curve ``x^k/(x^k + T^k)``, which is
    exactly 0.5 at the signal's threshold T; strengths combine as ``1 − Π(1 − s)`` (any one
    strong signal, or several weaker ones, raise the risk).
    """

    ratio_z: float = Field(4.0, gt=0)
    """Robust z (median/MAD per platform and count band) of the like ratios (likes/comments,
    likes/shares, likes/views; combined Σz/√k) at which the ratio signal alone reaches 0.5."""
    min_platform_works_for_ratios: int = Field(10, ge=3)
    ratio_bins: int = Field(10, ge=1, le=100)
    """Count bands (of the ratio's denominator) within which medians/MADs are taken."""
    ratio_min_bin_works: int = Field(20, ge=3)
    min_robust_scale: float = Field(0.1, gt=0)
    """Floor of 1.4826·MAD so a platform of identical ratios does not divide by zero."""
    likes_over_views: float = Field(1.0, gt=0)
    """likes/views at which the signal reaches 0.5 (likes above views is not organic)."""
    jump_ratio: float = Field(5.0, gt=1)
    """Growth per hour of a snapshot interval over that of the interval before it."""
    jump_min_count: float = Field(20.0, ge=0)
    jump_min_share: float = Field(0.3, ge=0, le=1)
    """A jump must add at least this share of the interactions seen at its end."""
    jump_min_age_hours: float = Field(24.0, ge=0)
    """Intervals starting earlier than this age are ramp-up, never judged as jumps."""
    lockstep_min_works: int = Field(3, ge=2)
    """Jumps (at least half the jump threshold) of this many works of different accounts ending
    in the same hour are lockstep; the lockstep signal reaches 0.5 at this count."""
    follower_jump_ratio: float = Field(0.5, gt=0)
    """Relative follower gain between snapshots at which the signal reaches 0.5."""
    follower_jump_min: int = Field(1000, ge=0)
    follower_jump_window_hours: float = Field(48.0, gt=0)
    follower_jump_weight: float = Field(0.6, ge=0, le=1)
    """Account-level evidence counts for less on any one work."""
    duplicate_others: float = Field(2.0, gt=0)
    """Other creators on the same platform with the same normalised text at which the signal
    reaches 0.5 before ``duplicate_weight``. Reposts never count (see ``duplicate_accounts``)."""
    duplicate_weight: float = Field(0.6, ge=0, le=1)
    """Shared text is evidence about the text, not about this work's engagement, and units
    often hand their members one template caption: three creators with one text is then
    normal (0.3, a reason for review, no flag); four or more still flag on their own
    (0.6 × 0.835 at three others)."""
    min_fingerprint_chars: int = Field(12, ge=1)
    comment_readable_share: float = Field(0.4, gt=0, lt=1)
    """Readable comments (stored, top-level and replies) over the comment count the platform
    claims at which the hidden-comments signal reaches 0.5. Platforms hide or delete some
    comments, so a share somewhat below 1 is normal; bought comments nobody can read push it
    far down. Judged only for works whose comments were read."""
    comment_min_claimed: int = Field(20, ge=1)
    """Fewer claimed comments than this are never judged (a few hidden comments mean nothing)."""
    comment_read_gap_hours: float = Field(24.0, gt=0)
    """The claimed count is the reading nearest to the time the comments were read; further
    apart than this, the two are not compared."""
    comment_read_limit: int = Field(0, ge=0)
    """The most comments a collection reads per work, when known (0: not known); works with at
    least this many readable comments are not judged (the read may have stopped at the limit)."""
    comment_ceiling_works: int = Field(3, ge=2)
    """A readable count shared exactly by this many works of one platform that all look hidden
    is a reading limit (a collector that reads only so many comments per work), not evidence:
    works at it are not judged."""
    comment_copy_accounts: float = Field(10.0, gt=1)
    """Distinct accounts posting one comment text (normalised as the post fingerprint) within
    ``comment_copy_window_hours`` of each other, on a work or across works of the platform, at
    which the comment-copies signal reaches 0.5."""
    comment_copy_window_hours: float = Field(1.0, gt=0)
    comment_min_chars: int = Field(10, ge=1)
    """Comments shorter than this once normalised ("好", "赞", emoji) never count as copies."""
    steepness: float = Field(4.0, gt=0)
    flag_threshold: float = Field(0.5, gt=0, lt=1)
    reason_min_strength: float = Field(0.2, ge=0, lt=1)
    """Signals weaker than this are not listed as reasons (they still add to the score)."""
    discount: float = Field(0.5, ge=0, le=1)
    """Quality score × (1 − discount × risk), the 西瓜指数 D-factor idea, shown in exports."""


class RankingSettings(_Strict):
    """The ranking method's parameters (``[ranking]`` in campaign.toml)."""

    interactions: InteractionWeights = Field(default_factory=InteractionWeights)
    fixed_age_days: float = Field(7.0, gt=0)
    min_platform_works: int = Field(30, ge=2)
    """Platforms with fewer campaign works are scored against a pooled empirical-Bayes prior."""
    size_pseudo_count: float = Field(0.3, gt=0)
    """The c in ln(c + I) of the size-adjusted score. ln(1 + I) squeezes a work's 0, 1 and 2
    interactions together, though on a small account they are most of what there is to tell
    works apart; with c = 0.3 the mean within-platform Spearman with the simulator's hidden
    quality rose by 0.01-0.03 on every platform (seeds 7-10; c = 1 → 0.3 → 0.1 → 0.03:
    0.676, 0.696, 0.695, 0.693). Percentile scores do not depend on it."""
    min_content_type_works: int = Field(3, ge=2)
    """A content type with this many works on a platform gets its own level in the
    size-adjusted score (reposts against reposts); rarer types share the platform's."""
    estimate_reach: bool = True
    """Size-adjusted score where followers are missing: the account's level from its other
    works (leave-one-out, empirical-Bayes shrunk; ``tracker.ranking.reach``). Off: such works
    have no size-adjusted score and the blend falls back to raw engagement."""
    reach_from_views: bool = True
    """Where followers are missing but the work's views are known (Bilibili and Kuaishou
    search results carry plays, not followers), the size-adjusted residual is predicted from
    the residual of ln(c+I) on ln(1+views) instead of the account's other works
    (``tracker.ranking.reach.predicted_residual``). Needs ``estimate_reach``."""
    overperformance: OverperformanceSettings = Field(default_factory=OverperformanceSettings)
    quality: QualityWeights = Field(default_factory=QualityWeights)
    creators: CreatorSettings = Field(default_factory=CreatorSettings)
    units: UnitSettings = Field(default_factory=UnitSettings)
    reference_index: ReferenceIndexSettings = Field(default_factory=ReferenceIndexSettings)
    risk: RiskSettings = Field(default_factory=RiskSettings)

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any] | None, *, where: str = "ranking"
    ) -> RankingSettings:
        """Validate the ``[ranking]`` table; errors name each bad key (``ranking.risk.ratio_z``)."""
        try:
            return cls.model_validate(dict(data or {}))
        except ValidationError as exc:
            lines = [f"{key}: {message}" for key, message in _problems(exc, where)]
            raise ConfigError("排名参数有误：\n" + "\n".join(lines)) from exc

    def describe_zh(self) -> str:
        """The method in words, with the weights in force (printed on every export)."""
        return "\n".join(describe_lines(self))


def ranking_problems(
    data: Mapping[str, Any] | None, *, where: str = "ranking"
) -> list[tuple[str, str]]:
    """Every bad key of the ``[ranking]`` table as (dotted key, message); empty when it is valid.

    The very check ``from_mapping`` makes for ``rank``, ``export`` and ``report``, so ``config
    check`` can list each problem with its line instead of passing what those commands refuse.
    """
    try:
        RankingSettings.model_validate(dict(data or {}))
    except ValidationError as exc:
        return _problems(exc, where)
    return []


def _problems(exc: ValidationError, where: str) -> list[tuple[str, str]]:
    return [
        (".".join(str(p) for p in (where, *err["loc"])), f"{_zh_error(err)} ({err['msg']})")
        for err in exc.errors()
    ]


def _zh_error(err: Mapping[str, Any]) -> str:
    kind = str(err.get("type", ""))
    return {
        "extra_forbidden": "未知的参数名",
        "greater_than_equal": "数值过小",
        "greater_than": "数值过小",
        "less_than_equal": "数值过大",
        "less_than": "数值过大",
        "float_parsing": "应为数字",
        "float_type": "应为数字",
        "finite_number": "应为有限的数字（不能是 inf 或 nan）",
        "int_parsing": "应为整数",
        "int_type": "应为整数",
        "int_from_float": "应为整数",
        "bool_parsing": "应为 true 或 false",
        "bool_type": "应为 true 或 false",
        "literal_error": "取值不在允许范围内",
        "value_error": "取值不合理",
        "model_type": "应为一个表",
        "dict_type": "应为一个表",
    }.get(kind, "取值无效")


def _n(x: float) -> str:
    """A weight as people write it: 1 not 1.0, 0.25 not 0.250000."""
    return f"{x:g}"


def describe_lines(s: RankingSettings) -> list[str]:
    w = s.interactions
    q = s.quality
    op = s.overperformance
    c = s.creators
    ri = s.reference_index
    r = s.risk
    keep = round(100 * (1 - 2 * op.trim_fraction))
    return [
        "作品排名方法（v1，参数见 campaign.toml 的 [ranking]）：",
        f"1. 互动量 I = {_n(w.likes)}×点赞 + {_n(w.comments)}×评论 + {_n(w.shares)}×转发 + "
        f"{_n(w.favorites)}×收藏；平台未公开的指标不计入，其余权重按比例放大（重新归一）；"
        "播放/阅读量不计入互动量，单列为传播覆盖。",
        f"2. 固定读数时点：取发布后第 {_n(s.fixed_age_days)} 天当时或之后最近的一次快照；"
        "尚未满期的取最新快照；没有快照的取作品最新数据。读数口径在表中单列。"
        "平台只显示下限的数（如「100万+」）按下限计、标为「≥」：排名时视为不少于该数"
        "（与恰为该数的作品同分时排在其前），由下限造成的比值或快照间「激增」不计入风险分。",
        f"3. 平台内公平分：ln(1+I) 在本次活动同一平台作品中的百分位（0-100，并列取平均名次）；"
        f"作品少于 {s.min_platform_works} 件的平台，按正态模型计算百分位，"
        "平台均值用经验贝叶斯向各平台合并均值收缩。",
        f"4. 粉丝校正分：ln({_n(s.size_pseudo_count)}+I) 减去同平台同等粉丝量账号的预期值"
        "（按 ln(1+粉丝数) 线性拟合）后的"
        f"百分位，衡量作品本身是否超出账号体量；同平台某一内容类型（如转发）作品不少于 "
        f"{s.min_content_type_works} 件时，按该类型自身的水平比较（转发与转发比）。"
        + (
            "粉丝数未知时（部分平台搜索结果、截图与报送不带粉丝数），用同账号其他作品的平均水平"
            "估计账号体量，按作品件数向平台平均收缩；估计越不确定，作品自身的偏离越向中间收缩"
            "（可靠度 = σ²/(σ²+P)），没有粉丝数也没有其他作品的作品因此落在平台中段附近。"
            + (
                "平台公开播放量时（如 B 站、快手的搜索结果有播放、无粉丝），改用本作品播放量："
                "ln(c+I) 减去同平台同等播放量作品的预期值，再按该平台粉丝数已知作品上两种偏离的"
                "回归系数折算到粉丝校正的尺度。"
                if s.reach_from_views
                else ""
            )
            if s.estimate_reach
            else "粉丝数未知时此项不计。"
        ),
        f"5. 超常表现（CrowdTangle 方法）：期望值 E = 同账号此前最多 {op.history_size} 件同类作品"
        f"（同样读数时点）互动量去掉高低各 {_n(100 * op.trim_fraction)}% 后中间 {keep}% 的均值；"
        "实际值 A ≥ E 记 A/E 倍，0 < A < E 记 −E/A 倍，A = 0 记 −2×E；"
        f"E 低于最小基准 {_n(op.min_expected)} 时，A ≥ E 记 A/{_n(op.min_expected)}，"
        f"A < E 记 −(E−A)/{_n(op.min_expected)}（介于 0 与 −1 之间）；"
        + (
            "基准取同账号全部其他已知作品（活动内外、发布先后不限，即「留一」），按作品件数向平台"
            "平均水平收缩：其他作品越少越接近平台平均（经验贝叶斯，B = τ²/(τ²+σ²/k)），"
            "因此账号的第一件、唯一一件作品也有基准。"
            if op.baseline == "others"
            else f"此前同类作品少于 {op.min_earlier_works} 件时不计。"
        )
        + "参与加权的是该倍数在平台内的百分位。",
        "6. 传播覆盖：播放/阅读量（平台公开时）ln(1+播放) 的平台内百分位；粉丝数单列。",
        f"7. 作品质量分 = ({_n(q.fair)}×平台内公平分 + {_n(q.size_adjusted)}×粉丝校正分 + "
        f"{_n(q.overperformance)}×超常表现分 + {_n(q.reach)}×传播覆盖分) ÷ 已知项权重之和；"
        f"再乘以 (1 − {_n(r.discount)}×风险分)。",
        f"8. 创作者得分 = 100 × ({_n(c.activity_weight)}×活跃度 + {_n(c.quality_weight)}×收缩后平均质量/100)，"
        f"活跃度 = ln(1+作品数)/ln(1+{c.activity_cap_works})（最高 1）；"
        + (
            "平均质量用正态-正态经验贝叶斯向所在平台均值收缩（作品越少收缩越多），"
            if c.shrinkage
            else "平均质量不作收缩，"
        )
        + ("取后验下界排名；" if c.use_lower_bound else "取后验均值排名；")
        + "同一人在多个平台的账号（单位名册中同一联系人或人工关联）合并为一位创作者。",
        "9. 单位得分：动员力（有作品的账号数、作品数、覆盖平台数）、传播力（作品质量分之和）、"
        f"声量占比（互动量占全活动的比例）并列展示，当前按「{_UNIT_KEYS_ZH[s.units.rank_by]}」排序。",
        f"10. 参考指数（清博 BCI 公开口径）：W1 = ln(作品数+1)，W2 = {_n(ri.shares)}×ln(转发+1) + "
        f"{_n(ri.comments)}×ln(评论+1) + {_n(ri.likes)}×ln(点赞+1)，"
        f"BCI = ({_n(ri.activity_weight)}×W1 + {_n(ri.spread_weight)}×W2)×{_n(ri.scale)}；仅供对照，不参与排名。",
        f"11. 风险分（0-1，供人工审核，不自动删除）：点赞与评论/转发/播放之比在同平台、同等评论"
        f"（转发、播放）量作品中的稳健 z 值（中位数/MAD，不低于计数本身的随机误差），各比值合并为"
        f" Σz/√k，阈值 {_n(r.ratio_z)}；点赞超过播放；快照间无法由此前增长解释的激增（增速达前一区间的"
        f" {_n(r.jump_ratio)} 倍），及 {r.lockstep_min_works} 个以上账号同一小时同步激增；账号粉丝短时激增"
        f"（{_n(100 * r.follower_jump_ratio)}%）；同一平台多个创作者发布近乎相同的文本"
        f"（转发不计；单位下发统一文案很常见，该项强度乘以 {_n(r.duplicate_weight)}）；"
        "评论（只看本系统读完全部评论的作品；未读取、只读了前几页或从文件导入的评论不判断）："
        "平台显示的评论数远多于实际能读到的评论（评论、回复各按编号计一次），"
        f"即可读评论 ÷ 评论数 低于 {_n(r.comment_readable_share)} 时该项强度为 0.5"
        f"（按 评论数 ÷ 可读评论 与 {_n(1 / r.comment_readable_share)} 比较；"
        f"评论数取与读取评论时间最接近的一次采集，相隔超过 {_n(r.comment_read_gap_hours)} 小时、"
        f"评论数少于 {r.comment_min_claimed} 条，或可读条数恰为多件作品共同的读取上限时不判断）；"
        f"多个账号在 {_n(r.comment_copy_window_hours)} 小时内发布相同评论（同一作品或同平台其他活动作品，"
        f"去掉话题、链接、@、标点和表情后比较，不足 {r.comment_min_chars} 个字的短评如「好」「赞」不计），"
        f"{_n(r.comment_copy_accounts)} 个账号时该项强度为 0.5。"
        f"各项强度按 1−∏(1−强度) 合并，≥ {_n(r.flag_threshold)} 标记为待核查。",
    ]


_UNIT_KEYS_ZH = {
    "active_accounts": "活跃账号数",
    "works": "作品数",
    "platforms": "覆盖平台数",
    "reach": "传播力",
    "share_of_voice": "声量占比",
}
