"""How one work's or creator's score was built, term by term, in Chinese.

Every number quoted is read back from the result's columns (nothing is recomputed here), so the
explanation cannot drift from the ranking it explains.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.ranking.floors import FLOOR_BIT, floor_note_zh
from tracker.ranking.settings import METRIC_NAMES_ZH
from tracker.records import REVIEW_STATUS_ZH

if TYPE_CHECKING:
    from tracker.ranking.frames import RankingResult

__all__ = ["explain_creator", "explain_work"]

_BEIJING = "Asia/Shanghai"


def _na(v: Any) -> bool:
    """Missing, for every scalar a frame hands back (float32 NaN is not a Python float)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float | np.floating) and math.isnan(v)


def _int(v: Any) -> str:
    return f"{float(v):,.0f}"


def _f(v: Any, d: int = 1) -> str:
    return f"{float(v):,.{d}f}"


def _w(v: float) -> str:
    return f"{v:g}"


def _pname(p: str) -> str:
    return PLATFORM_NAMES_ZH.get(p, p)


def _time(v: Any) -> str:
    return pd.Timestamp(v).tz_convert(_BEIJING).strftime("%Y-%m-%d %H:%M")


def explain_work(result: RankingResult, platform: str, post_id: str) -> list[str]:
    """Lines explaining one work's quality score; raises KeyError if the work is not ranked."""
    w = result.works
    hit = w[
        (w["platform"].astype("str") == platform)
        & (w["platform_post_id"].astype("str") == str(post_id))
    ]
    if not len(hit):
        raise KeyError(f"作品 {platform}:{post_id} 不在本次排名中")
    r = hit.iloc[0]
    s = result.settings
    pz = _pname(platform)
    stats = result.platforms.loc[platform] if platform in result.platforms.index else None
    lines = [
        f"作品 {pz} {post_id}"
        + (f"（账号 {r['account_name']}）" if not _na(r.get("account_name")) else "")
    ]
    lines.append("1. " + _reading_line(r, s.fixed_age_days))
    lines.append("2. " + _interaction_line(r, s))
    lines.append("3. " + _fair_line(r, stats, pz, s.min_platform_works))
    lines.append("4. " + _size_line(r, stats, s.size_pseudo_count))
    lines.append("5. " + _over_line(r, s))
    lines.append("6. " + _reach_line(r))
    lines.append("7. " + _quality_line(r, s))
    lines.append("8. " + _risk_line(r, s))
    status = REVIEW_STATUS_ZH.get(str(r.get("review_status")), str(r.get("review_status")))
    rank = (
        "无"
        if _na(r["rank"])
        else f"全部作品第 {int(r['rank'])} 名，{pz}第 {int(r['platform_rank'])} 名"
    )
    lines.append(f"9. 排名：{rank}；审核状态：{status}")
    return lines


def _reading_line(r: pd.Series, days: float) -> str:
    basis = r["reading_basis"]
    when = "" if _na(r["reading_at"]) else f"{_time(r['reading_at'])} 北京时间"
    age = "" if _na(r["reading_age_days"]) else f"，作品龄 {_f(r['reading_age_days'])} 天"
    age += _time_source_note(r)
    if basis == "age":
        return f"读数口径：发布后第 {_w(days)} 天（当时或之后最近）的快照（{when}{age}）"
    if basis == "latest_snapshot":
        return f"读数口径：尚无第 {_w(days)} 天的快照，取最新快照（{when}{age}）"
    return f"读数口径：无快照，取作品最新数据（{when or '采集时间未知'}{age}）"


def _time_source_note(r: pd.Series) -> str:
    """Where the publish time behind the fixed-age reading came from, when not the listing's
    own field: a derived time is exact to the second but the reader should know it was
    derived, and without any time there is no fixed age at all."""
    if _na(r.get("published_at")):
        return "；发布时间未知，无法按固定作品龄读数"
    source = r.get("published_at_source")
    if source == "id":
        return "；发布时间由作品编号推算（平台编号中含发布时间）"
    if source == "display":
        return "；发布时间取自页面显示的相对时间（如「3天前」），精度有限"
    return ""


def _floor_bits(r: pd.Series) -> int:
    bits = r.get("floor_bits")
    return 0 if _na(bits) else int(bits)


def _floored(r: pd.Series, metric: str) -> bool:
    return bool(_floor_bits(r) & FLOOR_BIT[metric])


def _floor_note(r: pd.Series, metrics: list[str]) -> str:
    """The floors among ``metrics`` in words ("；评论数为下限（100万+）…"), "" without any."""
    bits = sum(FLOOR_BIT[m] for m in metrics if _floored(r, m))
    if not bits:
        return ""
    note = floor_note_zh(bits, {m: float(r[m]) for m in metrics if not _na(r[m])})
    return f"；{note}：平台只显示下限，按下限计，实际不少于此数，排名时排在恰为此数的作品之前"


def _interaction_line(r: pd.Series, s: Any) -> str:
    weights = s.interactions.as_dict()
    terms, missing, used = [], [], []
    for m, wt in weights.items():
        if wt == 0:
            continue
        if _na(r[m]):
            missing.append(METRIC_NAMES_ZH[m])
        else:
            used.append(m)
            at_least = "≥" if _floored(r, m) else ""
            terms.append(f"{_w(wt)}×{METRIC_NAMES_ZH[m]} {at_least}{_int(r[m])}")
    if not terms:
        return "互动量 I：各项互动数均未公开，无法计算（以下各项不计）"
    floors = _floor_note(r, used)
    i = f"{'≥' if floors else '='} {_f(r['interactions'])}{floors}"
    if not missing:
        return f"互动量 I = {' + '.join(terms)} {i}"
    known = r["interaction_weight_known"]
    return (
        f"互动量 I = ({' + '.join(terms)}) × {_w(s.interactions.total)}/{_w(known)}"
        f"（{'、'.join(missing)}未公开，按已知项权重重新归一）{i}"
    )


def _fair_line(r: pd.Series, stats: pd.Series | None, pz: str, min_works: int) -> str:
    if _na(r["fair_score"]):
        return "平台内公平分：无互动量，不计"
    x = math.log1p(float(r["interactions"]))
    n = int(stats["fair_n"]) if stats is not None else 0
    if r["fair_method"] == "rank":
        return (
            f"平台内公平分：ln(1+I) = {_f(x, 3)}，在{pz}本次 {n:,} 件作品中的百分位 = "
            f"{_f(r['fair_score'])}（(名次−0.5)/件数×100，并列取平均名次）"
        )
    assert stats is not None
    sd = math.sqrt(stats["fair_sigma2"]) if not _na(stats["fair_sigma2"]) else float("nan")
    return (
        f"平台内公平分：{pz}仅 {n} 件作品（少于 {min_works} 件），按正态模型计分："
        f"平台均值 {_f(stats['fair_mean'], 3)} 向各平台均值 {_f(stats['fair_prior_mean'], 3)} 收缩"
        f"（B = {_f(stats['fair_shrink'], 3)}）得 {_f(stats['fair_mean_shrunk'], 3)}，合并标准差 {_f(sd, 3)}；"
        f"得分 = 100×Φ(({_f(x, 3)} − {_f(stats['fair_mean_shrunk'], 3)})/{_f(sd, 3)}) = {_f(r['fair_score'])}"
    )


def _size_line(r: pd.Series, stats: pd.Series | None, pseudo: float) -> str:
    source = r.get("reach_source")
    if not _na(source) and source == "views" and not _na(r["size_score"]):
        return (
            f"粉丝校正分：粉丝数未知，按本作品播放量 {_int(r.get('views'))} 比较：互动量比同平台"
            "同等播放量作品的预期高出多少，按该平台粉丝数已知作品上两种偏离的关系折算为 "
            f"{float(r['reach_residual']):+.3f}，平台内百分位 = {_f(r['size_score'])}"
        )
    if not _na(source) and source in ("others", "platform") and not _na(r["size_score"]):
        k = int(r.get("reach_others") or 0)
        basis = (
            f"用同账号其他 {k} 件作品的平均水平估计账号体量（向平台平均收缩，B = "
            f"{_f(r.get('reach_shrink'), 2)}）"
            if source == "others"
            else "也没有同账号其他作品，按平台同类作品的平均水平比较"
        )
        return (
            f"粉丝校正分：粉丝数未知，{basis}；偏离按可靠度 {_f(r.get('reach_reliability'), 2)} "
            f"收缩后为 {float(r['reach_residual']):+.3f}，平台内百分位 = {_f(r['size_score'])}"
        )
    if _na(r["size_score"]):
        why = "粉丝数未知" if _na(r["followers_used"]) else "互动量未知"
        return f"粉丝校正分：{why}，不计"
    slope = "" if stats is None else f"（该平台拟合斜率 {_f(stats['size_slope'], 3)}）"
    offset = r.get("size_type_offset")
    level = (
        ""
        if _na(offset) or abs(float(offset)) < 5e-4
        else f"（已扣除内容类型「{r.get('content_type')}」的水平 {float(offset):+.3f}）"
    )
    return (
        f"粉丝校正分：粉丝 {_int(r['followers_used'])}，ln({pseudo:g}+I) 比同等粉丝量账号的预期高出 "
        f"{float(r['size_residual']):+.3f}{slope}{level}，平台内百分位 = {_f(r['size_score'])}"
    )


def _over_line(r: pd.Series, s: Any) -> str:
    op = s.overperformance
    k = 0 if _na(r["earlier_works"]) else int(r["earlier_works"])
    if op.baseline == "others" and not _na(r["overperformance"]):
        return (
            f"超常表现（留一基准）：期望 E = {_f(r['expected'])}（同账号其他 {k} 件已知作品的平均"
            f"水平，按件数向平台平均收缩，B = {_f(r.get('baseline_shrink'), 2)}），"
            f"实际 A = {_f(r['interactions'])}，倍数 {float(r['overperformance']):.2f}；"
            f"平台内百分位 = {_f(r['over_score'])}"
        )
    if _na(r["overperformance"]):
        if k < op.min_earlier_works:
            return f"超常表现：同账号此前同类作品 {k} 件，少于 {op.min_earlier_works} 件，不计"
        return "超常表现：互动量未知，不计"
    trim = _w(100 * op.trim_fraction)
    a, e, m = r["interactions"], r["expected"], op.min_expected
    rule = r["overperformance_rule"]
    calc = {
        "above": f"A ≥ E，A/E = {_f(a)}/{_f(e)}",
        "below": f"0 < A < E，−E/A = −{_f(e)}/{_f(a)}",
        "zero": f"A = 0，−2×E = −2×{_f(e)}",
        "low_above": f"E 低于最小基准 {_w(m)}，A ≥ E，A/{_w(m)} = {_f(a)}/{_w(m)}",
        "low_below": f"E 低于最小基准 {_w(m)}，A < E，−(E−A)/{_w(m)} = −({_f(e)}−{_f(a)})/{_w(m)}",
    }[rule]
    return (
        f"超常表现（CrowdTangle）：期望 E = {_f(e)}（同账号此前 {k} 件同类作品去掉高低各 {trim}% 后的均值），"
        f"实际 A = {_f(a)}；{calc} = {float(r['overperformance']):.2f} 倍；平台内百分位 = {_f(r['over_score'])}"
    )


def _reach_line(r: pd.Series) -> str:
    if _na(r["views"]):
        return "传播覆盖：播放/阅读量未公开，不计"
    at_least = "≥" if _floored(r, "views") else ""
    return (
        f"传播覆盖：播放/阅读 {at_least}{_int(r['views'])}，ln(1+播放) 的平台内百分位 = "
        f"{_f(r['reach_score'])}{_floor_note(r, ['views'])}"
    )


def _quality_line(r: pd.Series, s: Any) -> str:
    names = {
        "fair": ("fair_score", "公平分"),
        "size_adjusted": ("size_score", "粉丝校正分"),
        "overperformance": ("over_score", "超常表现分"),
        "reach": ("reach_score", "传播覆盖分"),
    }
    terms = []
    for key, wt in s.quality.as_dict().items():
        col, zh = names[key]
        if wt and not _na(r[col]):
            terms.append(f"{_w(wt)}×{zh} {_f(r[col])}")
    if not terms:
        return "质量分：各项均无法计算，不计"
    return (
        f"质量分（风险折减前）= ({' + '.join(terms)}) ÷ {_w(round(float(r['quality_weight_known']), 6))}"
        f" = {_f(r['quality_before_risk'])}"
    )


def _risk_line(r: pd.Series, s: Any) -> str:
    risk = float(r["risk_score"])
    reasons = (
        r["risk_reasons"]
        if isinstance(r["risk_reasons"], str) and r["risk_reasons"]
        else "无异常迹象"
    )
    flag = "，已标记待核查" if bool(r["risk_flag"]) else ""
    comments = _comment_evidence(r)
    if _na(r["quality_before_risk"]):
        return f"风险分 = {risk:.2f}（{reasons}）{flag}{comments}"
    return (
        f"风险分 = {risk:.2f}（{reasons}）{flag}；质量分 = {_f(r['quality_before_risk'])} × "
        f"(1 − {_w(s.risk.discount)}×{risk:.2f}) = {_f(r['quality_score'])}{comments}"
    )


def _comment_evidence(r: pd.Series) -> str:
    """What the stored comments said, even when no signal fired (the reviewer sees they were
    read, and against which count)."""
    readable = r.get("comments_readable")
    if _na(readable):
        return "；评论未读取，不计评论证据"
    text = f"；评论证据：可读评论 {_int(readable)} 条"
    claimed = r.get("comments_claimed")
    text += "（未与评论数比较）" if _na(claimed) else f"，对照评论数 {_int(claimed)}"
    copies = r.get("comment_copies")
    if copies is not None and not _na(copies) and float(copies) >= 2:
        text += f"，相同评论最多来自 {_int(copies)} 个账号"
    return text


def explain_creator(result: RankingResult, key: str, uid: str | None = None) -> list[str]:
    """Lines explaining one creator's score.

    ``key`` is a creator key, or an account as ``platform:uid``, or a platform with ``uid``.
    """
    if uid is not None:
        key = f"{key}:{uid}"
    c = result.creators
    hit = c[c["creator_key"] == key]
    if not len(hit):
        acc = result.works[
            (
                result.works["platform"].astype("str")
                + ":"
                + result.works["account_uid"].astype("str")
            )
            == key
        ]
        if len(acc):
            hit = c[c["creator_key"] == acc["creator_key"].iloc[0]]
    if not len(hit):
        raise KeyError(f"创作者 {key} 不在本次排名中")
    r = hit.iloc[0]
    s = result.settings.creators
    name = r.get("creator_name")
    accounts = result.works.loc[result.works["creator_key"] == r["creator_key"]]
    acc_list = sorted(
        set(
            accounts["platform"].astype("str").map(_pname)
            + " "
            + accounts["account_name"]
            .astype("str")
            .where(accounts["account_name"].notna(), accounts["account_uid"].astype("str"))
        )
    )
    lines = [
        f"创作者 {name if not _na(name) else r['creator_key']}（{r['creator_key']}），"
        f"账号 {int(r['accounts'])} 个：{'、'.join(acc_list)}；作品 {int(r['works'])} 件（可评分 {int(r['scored_works'])} 件）"
    ]
    cap = s.activity_cap_works
    lines.append(
        f"1. 活跃度 = min(1, ln(1+{int(r['works'])})/ln(1+{cap})) = "
        f"min(1, {math.log1p(r['works']):.3f}/{math.log1p(cap):.3f}) = {r['activity']:.3f}"
    )
    if _na(r["quality_mean"]):
        lines.append("2. 平均作品质量：作品均无法评分，创作者得分不计")
        return lines
    lines.append(f"2. 平均作品质量 ȳ = {_f(r['quality_mean'])}（{int(r['scored_works'])} 件）")
    if s.shrinkage:
        n = int(r["scored_works"])
        lines.append(
            f"3. 经验贝叶斯收缩：平台均值 μ = {_f(r['prior_mean'])}，作品间方差 σ² = {_f(r['sigma2'])}，"
            f"创作者间方差 τ² = {_f(r['tau2'])}；B = (σ²/{n})/(τ² + σ²/{n}) = {r['shrink']:.3f}；"
            f"收缩后质量 = (1−{r['shrink']:.3f})×{_f(r['quality_mean'])} + {r['shrink']:.3f}×{_f(r['prior_mean'])} "
            f"= {_f(r['quality_shrunk'])}"
        )
    else:
        lines.append(f"3. 不作收缩：质量 = {_f(r['quality_shrunk'])}")
    if s.use_lower_bound:
        basis = f"后验下界 {_f(r['quality_shrunk'])} − {_w(s.lower_bound_z)}×{_f(r['quality_sd'])} = {_f(r['quality_lower'])}"
        q = r["quality_lower"]
    else:
        basis = f"收缩后质量 {_f(r['quality_shrunk'])}"
        q = r["quality_shrunk"]
    lines.append(
        f"4. 创作者得分 = 100×({_w(s.activity_weight)}×{r['activity']:.3f} + {_w(s.quality_weight)}×{_f(q)}/100)"
        f" = {_f(r['creator_score'])}（质量取{basis}）；排名第 {int(r['rank'])}"
    )
    if "reference_index" in r.index and not _na(r["reference_index"]):
        lines.append(f"5. 参考指数（清博 BCI 公开口径，不参与排名）= {_f(r['reference_index'])}")
    return lines
