"""The office-facing lists: works, creators, units and the campaign summary, Chinese headers.

Everything here is a pure function from ranked frames to ``Sheet``s; the writers (xlsx, csv)
only decide bytes. Display conversions happen once, here: platform ids become their Chinese
names (the id stays in 作品编号), UTC times become naive Beijing times under a header that says
so, review and risk flags become words, and ids stay strings.

The summary is what city associations and societies file: counts per city, per unit and per
platform over **all** campaign works (it reports mobilisation, not merit), while its "best work"
columns and the 优秀作品 sheet follow the recommendation rule (approved works only unless the
user includes unreviewed ones). Per city means the city of the account's first registered unit
(so campaign totals add up); per unit counts an account for every unit that lists it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.config import UNIT_KIND_NAMES_ZH
from tracker.exports.anonymise import anonymise_creators, anonymise_works
from tracker.exports.sheet import Column, Sheet, build_frame
from tracker.ranking.columns import RAW_INTERACTIONS_ZH, WEIGHTED_INTERACTIONS_ZH
from tracker.ranking.fixed_age import BASIS_ZH
from tracker.ranking.floors import FLOOR_BIT, any_floor, floor_labels_zh, frame_floor_bits
from tracker.ranking.selection import UNREGISTERED, Selection
from tracker.ranking.slices import RankedCampaign, scope_mask, unit_basis
from tracker.ranking.units import unit_scores
from tracker.ranking.window import WINDOW_ZH, commendable, window_labels
from tracker.readmodel.comments import PARTICIPATION_ABOUT_ZH, comments_read_zh
from tracker.readmodel.facts import by_city as by_city_figures
from tracker.readmodel.facts import by_platform, headline, ranked_facts, review_scope
from tracker.readmodel.facts import by_unit as by_unit_figures

__all__ = [
    "ABOUT_SHEET",
    "about_rows",
    "beijing_naive",
    "creators_sheet",
    "summary_sheets",
    "units_sheet",
    "works_sheet",
]

ABOUT_SHEET = "说明"
BEIJING = "Asia/Shanghai"
REVIEW_ZH = {"approved": "通过", "rejected": "不通过", "pending": "待审核"}
RUN_KIND_ZH = {"collect": "采集", "refresh": "刷新指标", "import": "导入", "job": "定时任务"}
TOP_WORKS = 20

WORK_COLUMNS: tuple[Column, ...] = (
    Column("rank", "排名", "int"),
    Column("overall_rank", "全活动排名", "int"),
    Column("work_id", "作品编号", "id"),
    Column("platform_zh", "平台", "text"),
    Column("platform_post_id", "作品ID", "id"),
    Column("title", "标题", "long"),
    Column("account_name", "账号名称", "text"),
    Column("account_uid", "账号ID", "id"),
    Column("unit_name", "所属单位", "text"),
    Column("unit_kind_zh", "单位类型", "text"),
    Column("city", "城市", "text"),
    Column("published_at", "发布时间（北京时间）", "time"),
    Column("window_zh", "活动窗口", "text"),
    Column("quality_score", "质量分", "score"),
    Column("quality_before_risk", "质量分（风险折减前）", "score"),
    Column("fair_score", "平台内公平分", "score"),
    Column("size_score", "粉丝校正分", "score"),
    Column("overperformance", "超常表现倍数", "ratio"),
    Column("over_score", "超常表现分", "score"),
    Column("reach_score", "传播覆盖分", "score"),
    Column("interactions", "加权互动量 I", "num"),
    Column("views", "播放/阅读", "int"),
    Column("likes", "点赞", "int"),
    Column("comments", "评论", "int"),
    Column("shares", "转发", "int"),
    Column("favorites", "收藏", "int"),
    Column("lower_bounds_zh", "下限指标", "text"),
    Column("followers_used", "粉丝数", "int"),
    Column("reading_basis_zh", "读数口径", "text"),
    Column("reading_at", "读数时间（北京时间）", "time"),
    Column("risk_score", "风险分", "ratio"),
    Column("risk_flag_zh", "待核查", "text"),
    Column("risk_reasons", "风险原因", "long"),
    Column("review_zh", "审核状态", "text"),
    Column("reviewer", "审核人", "text"),
    Column("reviewed_at", "审核时间（北京时间）", "time"),
    Column("url", "链接", "url"),
)
RANK_HEADER = WORK_COLUMNS[0].header
REVIEW_COLUMNS: tuple[Column, ...] = (
    Column("review_result", "审核结果", "text"),
    Column("review_note", "审核意见", "text"),
)

CREATOR_COLUMNS: tuple[Column, ...] = (
    Column("rank", "排名", "int"),
    Column("overall_rank", "全活动排名", "int"),
    Column("creator_name", "创作者", "text"),
    Column("creator_key", "创作者编号", "id"),
    Column("platforms_zh", "平台", "text"),
    Column("accounts", "账号数", "int"),
    Column("unit_name", "所属单位", "text"),
    Column("unit_kind_zh", "单位类型", "text"),
    Column("city", "城市", "text"),
    Column("works", "作品数", "int"),
    Column("scored_works", "可评分作品数", "int"),
    Column("activity", "活跃度", "ratio"),
    Column("quality_mean", "平均质量", "score"),
    Column("prior_mean", "平台均值", "score"),
    Column("shrink", "收缩系数B", "ratio"),
    Column("quality_shrunk", "收缩后质量", "score"),
    Column("creator_score", "创作者得分", "score"),
    Column("reference_index", "参考指数（BCI口径）", "score"),
    Column("interactions_total", "加权互动量 I 合计", "num"),
    Column("views_total", "播放合计", "int"),
    Column("followers_total", "粉丝合计", "int"),
    Column("best_work", "代表作品编号", "id"),
    Column("best_quality", "代表作品质量分", "score"),
    Column("flagged_works", "待核查作品数", "int"),
)

UNIT_COLUMNS: tuple[Column, ...] = (
    Column("rank", "排名", "int"),
    Column("overall_rank", "全活动排名", "int"),
    Column("unit_name", "单位", "text"),
    Column("unit_kind_zh", "单位类型", "text"),
    Column("city", "城市", "text"),
    Column("active_accounts", "活跃账号数", "int"),
    Column("works", "作品数", "int"),
    Column("platforms", "覆盖平台数", "int"),
    Column("creators", "创作者数", "int"),
    Column("reach", "传播力（质量分合计）", "score"),
    Column("quality_mean", "平均质量", "score"),
    Column("interactions", "加权互动量 I", "num"),
    Column("share_of_voice", "声量占比", "pct"),
)

BEST_COLUMNS: tuple[Column, ...] = (
    Column("best_title", "最佳作品", "long"),
    Column("best_work", "最佳作品编号", "id"),
    Column("best_quality", "最佳作品质量分", "score"),
)


# --- display conversions -------------------------------------------------------------------------


def beijing_naive(values: pd.Series) -> pd.Series:
    """UTC-aware times -> naive Beijing wall time (Excel cannot store a zone)."""
    s = pd.to_datetime(values, utc=True)
    return s.dt.tz_convert(BEIJING).dt.tz_localize(None)


def _platform_zh(values: pd.Series) -> pd.Series:
    return values.astype("object").map(lambda p: PLATFORM_NAMES_ZH.get(str(p), str(p)))


def _kind_zh(values: pd.Series) -> pd.Series:
    return values.astype("object").map(
        lambda k: None if k is None or k is pd.NA or k != k else UNIT_KIND_NAMES_ZH.get(k, k)
    )


def _work_id(
    frame: pd.DataFrame, platform: str = "platform", pid: str = "platform_post_id"
) -> pd.Series:
    return frame[platform].astype("str") + ":" + frame[pid].astype("str")


def _display_works(
    works: pd.DataFrame, reviews: pd.DataFrame | None, fixed_age_days: float
) -> pd.DataFrame:
    w = works.copy()
    w["work_id"] = _work_id(w)
    w["platform_zh"] = _platform_zh(w["platform"])
    w["unit_kind_zh"] = _kind_zh(w["unit_kind"]) if "unit_kind" in w.columns else None
    for col in ("published_at", "reading_at"):
        if col in w.columns:
            w[col] = beijing_naive(w[col])
    if "reading_basis" in w.columns:
        basis = {k: v.replace("N", f"{fixed_age_days:g}") for k, v in BASIS_ZH.items()}
        w["reading_basis_zh"] = w["reading_basis"].astype("object").map(basis)
    if "risk_flag" in w.columns:
        w["risk_flag_zh"] = np.where(w["risk_flag"].astype(bool), "是", "")
    w["lower_bounds_zh"] = floor_labels_zh(frame_floor_bits(w))
    w["window_zh"] = window_labels(w)
    w["review_zh"] = w["review_status"].astype("object").map(REVIEW_ZH).fillna("待审核")
    w["reviewer"] = None
    w["reviewed_at"] = pd.NaT
    if reviews is not None and len(reviews):
        r = reviews.copy()
        r["work_id"] = _work_id(r)
        r = r.drop_duplicates("work_id", keep="last").set_index("work_id")
        w["reviewer"] = w["work_id"].map(r["reviewer"])
        w["reviewed_at"] = beijing_naive(w["work_id"].map(r["decided_at"]))
    return w


# --- lists ---------------------------------------------------------------------------------------


def works_sheet(
    works: pd.DataFrame,
    *,
    reviews: pd.DataFrame | None = None,
    anonymise: bool = False,
    salt: str = "",
    for_review: bool = False,
    name: str = "作品",
    fixed_age_days: float = 7.0,
) -> Sheet:
    """The works list (one row a work). ``for_review`` adds empty 审核结果 / 审核意见 columns
    for staff to fill in and import back with ``tracker review import``."""
    w = anonymise_works(works, salt) if anonymise else works
    w = _display_works(w, reviews, fixed_age_days)
    columns = WORK_COLUMNS + (REVIEW_COLUMNS if for_review else ())
    frame, kinds = build_frame(w, columns)
    return Sheet(name, frame, kinds, floors=_work_floors(w))


FLOOR_HEADERS = {c.source: c.header for c in WORK_COLUMNS if c.source in FLOOR_BIT}
FLOORS_ABOUT = (
    "下限数",
    "平台只显示下限的数（如「100万+」「10万+」「1w+」）按下限记录，表中显示为「≥1,000,000」，"
    "xlsx 中单元格仍为数字（可排序、求和，但求和结果同样只是下限）；「下限指标」列列出该作品"
    "哪些指标为下限，含下限的加权互动量 I 同样显示为「≥」。实际数值不少于所示数字。",
)


def _work_floors(w: pd.DataFrame) -> dict[str, np.ndarray]:
    """Header -> rows whose figure is a floor: each metric by its bit, 加权互动量 I when a weighted
    term of it is a floor (``interactions_floor``)."""
    bits = frame_floor_bits(w)
    floors = {header: any_floor(bits, [m]) for m, header in FLOOR_HEADERS.items()}
    if "interactions_floor" in w.columns:
        floors["加权互动量 I"] = w["interactions_floor"].fillna(False).to_numpy(dtype=bool)
    return {h: mask for h, mask in floors.items() if mask.any()}


def creators_sheet(
    creators: pd.DataFrame,
    works: pd.DataFrame,
    *,
    anonymise: bool = False,
    salt: str = "",
    name: str = "创作者",
) -> Sheet:
    c = anonymise_creators(creators, works, salt) if anonymise else creators.copy()
    c["platforms_zh"] = (
        c["platforms"]
        .astype("object")
        .fillna("")
        .astype("str")
        .map(lambda s: "、".join(PLATFORM_NAMES_ZH.get(p, p) for p in s.split(",") if p))
    )
    c["unit_kind_zh"] = _kind_zh(c["unit_kind"]) if "unit_kind" in c.columns else None
    frame, kinds = build_frame(c, CREATOR_COLUMNS)
    return Sheet(name, frame, kinds)


def units_sheet(units: pd.DataFrame, *, name: str = "单位") -> Sheet:
    u = units.copy()
    u["unit_kind_zh"] = _kind_zh(u["unit_kind"])
    columns = UNIT_COLUMNS
    if "form_works_published" in u.columns:
        columns = (*UNIT_COLUMNS, *PARTICIPATION_COLUMNS)
    frame, kinds = build_frame(u, columns)
    return Sheet(name, frame, kinds)


# --- summary -------------------------------------------------------------------------------------


def _best(works: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    """Per group of ``key``: the best work's title, id and quality score."""
    q = works["quality_score"].to_numpy(dtype="float64", na_value=np.nan)
    ok = ~np.isnan(q)
    if not ok.any():
        return pd.DataFrame(columns=["best_title", "best_work", "best_quality"])
    sub = pd.DataFrame(
        {
            "key": key.to_numpy()[ok],
            "q": q[ok],
            "title": works["title"].astype("object").to_numpy()[ok],
            "id": _work_id(works).to_numpy()[ok],
        }
    ).sort_values(["key", "q", "id"], ascending=[True, False, True], kind="stable")
    first = sub.drop_duplicates("key").set_index("key")
    return pd.DataFrame(
        {"best_title": first["title"], "best_work": first["id"], "best_quality": first["q"]}
    )


SUMMARY_GROUP_COLUMNS: tuple[Column, ...] = (
    Column("accounts", "账号数", "int"),
    Column("works", "作品数", "int"),
    Column("interactions", RAW_INTERACTIONS_ZH, "int"),
    Column("weighted", WEIGHTED_INTERACTIONS_ZH, "num"),
    Column("views", "播放/阅读（平台公开的）", "int"),
    Column("quality_mean", "平均质量分", "score"),
    Column("flagged", "待核查作品数", "int"),
)


def _work_cities(works: pd.DataFrame, links: pd.DataFrame | None) -> tuple[np.ndarray, pd.Series]:
    """(row, city) pairs: a work belongs to every city of its account's units, once each, and
    to ``UNREGISTERED`` when no unit lists its account (the read model's counting rule)."""
    key = works["platform"].astype("str") + "\x1f" + works["account_uid"].astype("str")
    if links is None or not len(links):
        return np.arange(len(works)), pd.Series([UNREGISTERED] * len(works), dtype=object)
    lk = links["platform"].astype("str") + "\x1f" + links["platform_uid"].astype("str")
    pairs = pd.DataFrame({"key": lk.to_numpy(), "city": links["city"].astype("object")})
    pairs = pairs.dropna().drop_duplicates()
    probe = pd.DataFrame({"row": np.arange(len(works)), "key": key.to_numpy()})
    joined = probe.merge(pairs, on="key", how="left")
    listed = set(lk)
    unlisted = ~probe["key"].isin(listed)
    joined = joined[joined["city"].notna() | joined["row"].isin(probe["row"][unlisted])]
    city = joined["city"].where(joined["city"].notna(), UNREGISTERED).astype(object)
    return joined["row"].to_numpy(), city.reset_index(drop=True)


def _recommendable(works: pd.DataFrame, include_unreviewed: bool) -> np.ndarray:
    """Positions of the works a best-work column or the 优秀作品 sheet may name: approved (unless
    ``include_unreviewed``), and published in the campaign window or admitted by staff."""
    keep = commendable(works)
    if not include_unreviewed:
        keep &= (works["review_status"].astype("object") == "approved").to_numpy(dtype=bool)
    return np.flatnonzero(keep)


BEST_SOURCES = ("platform", "account_uid", "platform_post_id", "title", "quality_score")
"""The columns the best-work picks read (``_best``, ``_work_cities``, ``_unit_best``): the
picks work on these alone, not on copies of every column of the works."""


def _overview(head: dict[str, Any], works: pd.DataFrame, units: pd.DataFrame) -> Sheet:
    """概况: the read model's headline facts (each work once, whatever its units)."""
    rows: list[tuple[str, Any]] = [
        ("作品数", head["works"]),
        ("账号数", head["accounts"]),
        (
            "创作者数",
            int(works["creator_key"].nunique()) if "creator_key" in works.columns else None,
        ),
        ("覆盖平台数", head["platforms"]),
        (f"{RAW_INTERACTIONS_ZH}合计", head["interactions"]),
        (f"{WEIGHTED_INTERACTIONS_ZH} 合计", head["weighted"]),
        ("播放/阅读合计（平台公开的）", head["views"]),
        ("登记单位数", len(units)),
        ("有作品的单位数", head["units"]),
        ("有作品的城市数", head["cities"]),
        ("未登记单位的作品数", head["unregistered_works"]),
        ("审核通过作品数", head["approved"]),
        ("审核未通过作品数", head["rejected"]),
        ("待审核作品数", head["pending"]),
        ("待核查（风险）作品数", head["flagged"]),
        ("活动窗口外作品数", head["out_window"]),
    ]
    frame = pd.DataFrame({"项目": [r[0] for r in rows], "数值": [r[1] for r in rows]})
    return Sheet("概况", frame, {"项目": "text", "数值": "num"})


def _with_best(counts: pd.DataFrame, best: pd.DataFrame) -> pd.DataFrame:
    return counts.join(best, how="left")


PARTICIPATION_FORMS = ("works_published", "qa_posts", "interactions", "reposts", "comments")
PARTICIPATION_COLUMNS = (
    Column("form_works_published", "参与形式：发布内容", "int"),
    Column("form_qa_posts", "参与形式：互动问答", "int"),
    Column("form_interactions", "参与形式：作品互动", "int"),
    Column("form_reposts", "转发活动作品", "int"),
    Column("form_comments", "评论活动作品", "int"),
)
"""The notice's three forms of participation (发布内容, 互动问答, 作品互动), and 作品互动's two
parts (转发活动作品 + 评论活动作品), counted per unit and per city by
``tracker.membership.participation`` (prefixed: units already have an ``interactions`` column,
the weighted engagement of their works)."""


def _with_participation(frame: pd.DataFrame, ranked: RankedCampaign, key: str) -> pd.DataFrame:
    part = getattr(ranked, "participation", None)
    source = None
    if part is not None:
        source = part.cities if key == "city" else part.units
    out = frame.copy()
    targets = [f"form_{c}" for c in PARTICIPATION_FORMS]
    if source is None or key not in source.columns or out.empty:
        for c in targets:
            out[c] = 0
        return out
    forms = source[[key, *[c for c in PARTICIPATION_FORMS if c in source.columns]]]
    forms = forms.drop_duplicates(key).rename(columns={c: f"form_{c}" for c in PARTICIPATION_FORMS})
    out = out.merge(forms, on=key, how="left")
    for c in targets:
        out[c] = out[c].fillna(0).astype("int64") if c in out.columns else 0
    return out


def units_with_participation(units: pd.DataFrame, ranked: RankedCampaign) -> pd.DataFrame:
    """The unit list with the three participation forms beside the mobilisation columns."""
    return _with_participation(units, ranked, "unit_id")


def summary_sheets(
    ranked: RankedCampaign,
    filters: Selection,
    *,
    by_city: bool = False,
    anonymise: bool = False,
) -> list[Sheet]:
    """概况, 按城市, 按单位, 按平台, 优秀作品, and with ``by_city`` one sheet per city.

    Every sheet counts the same works: the selection's (platforms, publish dates, cities, unit
    kinds) under its review rule, approved only unless ``include_unreviewed``. The figures are
    the read model's (``tracker.readmodel.facts``), so they equal the report's and the
    dashboard's for the same selection; the best-work columns follow the recommendation rule.
    """
    salt = ranked.campaign.name
    result = ranked.result
    links = ranked.frames.account_units
    scoped = review_scope(result.works[scope_mask(result.works, filters, links)], filters)
    facts = ranked_facts(scoped, links, filters)
    works = anonymise_works(scoped, salt) if anonymise else scoped
    all_units = unit_scores(
        unit_basis(scoped, filters),
        ranked.frames.account_units,
        ranked.frames.units,
        result.settings.units.rank_by,
    )
    all_units = all_units[_unit_scope(all_units, filters)].reset_index(drop=True)
    best_rows = _recommendable(works, filters.include_unreviewed)
    best_basis = works[[c for c in BEST_SOURCES if c in works.columns]].iloc[best_rows]
    sheets = [_overview(headline(facts, filters), works, all_units)]

    # per city: a work counts once in each city of its account's units
    counts = by_city_figures(facts, filters).set_index("city")
    rows, cities_of = _work_cities(best_basis, links)
    best = _best(best_basis.iloc[rows].reset_index(drop=True), cities_of)
    counts = _with_best(counts, best)
    order = _city_order(ranked.frames.units, counts)
    counts = counts.reindex(order)
    counts.index.name = "city"
    counts = counts.reset_index()
    for c in ("units", "accounts", "works", "interactions", "flagged"):
        counts[c] = counts[c].fillna(0).astype("int64")
    counts = _with_participation(counts, ranked, "city")
    frame, kinds = build_frame(
        counts,
        (
            Column("city", "城市", "text"),
            Column("units", "有作品的单位数", "int"),
            *SUMMARY_GROUP_COLUMNS,
            *PARTICIPATION_COLUMNS,
            *BEST_COLUMNS,
        ),
    )
    sheets.append(Sheet("按城市", frame, kinds))

    # per unit (every registry unit, zeros included): its activity (作品数, every work of the
    # selection) beside its score, which counts only works inside the window or admitted
    unit_best = _unit_best(best_basis, ranked.frames.account_units)
    activity = by_unit_figures(facts, filters)[["unit_id", "works", "accounts"]]
    activity = activity.rename(columns={"works": "works_all", "accounts": "accounts_all"})
    u = all_units.merge(activity, on="unit_id", how="left")
    for c in ("works_all", "accounts_all"):
        u[c] = u[c].fillna(0).astype("int64")
    u = u.merge(unit_best, left_on="unit_id", right_index=True, how="left")
    u["unit_kind_zh"] = _kind_zh(u["unit_kind"])
    u = _with_participation(u, ranked, "unit_id")
    frame, kinds = build_frame(
        u,
        (
            Column("rank", "排名", "int"),
            *UNIT_COLUMNS[2:5],
            Column("accounts_all", "有作品的账号数", "int"),
            Column("works_all", "作品数", "int"),
            Column("active_accounts", "计入评分的账号数", "int"),
            Column("works", "计入评分的作品数", "int"),
            *UNIT_COLUMNS[7:],
            *PARTICIPATION_COLUMNS,
            *BEST_COLUMNS,
        ),
    )
    sheets.append(Sheet("按单位", frame, kinds))

    # per platform
    pc = by_platform(facts, filters).set_index("platform")
    pc = _with_best(pc, _best(best_basis, best_basis["platform"].astype("object")))
    pc = pc.reset_index()
    pc["platform_zh"] = _platform_zh(pc["platform"])
    frame, kinds = build_frame(
        pc, (Column("platform_zh", "平台", "text"), *SUMMARY_GROUP_COLUMNS, *BEST_COLUMNS)
    )
    sheets.append(Sheet("按平台", frame, kinds))

    # best works overall
    top = works.iloc[best_rows[_by_quality(best_basis, np.arange(len(best_basis)))[:TOP_WORKS]]]
    top = top.copy()
    top["rank"] = np.arange(1, len(top) + 1)
    top_sheet = works_sheet(
        top,
        reviews=ranked.frames.reviews,
        fixed_age_days=ranked.result.settings.fixed_age_days,
        name="优秀作品",
    )
    sheets.append(_slim_works(top_sheet))

    unreported = unreported_sheet(ranked, filters, anonymise=anonymise)
    if unreported is not None:
        sheets.append(unreported)

    if by_city:
        sheets.extend(_city_sheets(ranked, works, order))
    return sheets


def _by_quality(works: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """``rows`` (positions in ``works``) best quality score first, ties and unscored works in
    their order: ``sort_values(ascending=False, na_position="last", kind="stable")`` on the one
    column, without carrying every other column through the sort."""
    q = works["quality_score"].iloc[rows].reset_index(drop=True)
    order = q.sort_values(ascending=False, na_position="last", kind="stable").index
    return rows[order.to_numpy()]


def _city_sheets(ranked: RankedCampaign, works: pd.DataFrame, order: list[str]) -> list[Sheet]:
    """One slim works sheet per city, ranked within the city. Every display column depends on
    its own row only, so the works are shown once and each city takes its rows."""
    rows, cities_of = _work_cities(works, ranked.frames.account_units)
    shown = _slim_works(
        works_sheet(
            works.reset_index(drop=True),
            reviews=ranked.frames.reviews,
            fixed_age_days=ranked.result.settings.fixed_age_days,
        )
    )
    all_floors = {h: np.asarray(m, dtype=bool) for h, m in shown.floors.items()}
    sheets = []
    for name in order:
        mine = _by_quality(works, np.unique(rows[(cities_of == name).to_numpy()]))
        frame = shown.frame.iloc[mine].reset_index(drop=True)
        frame[RANK_HEADER] = np.arange(1, len(frame) + 1)
        floors = {h: m[mine] for h, m in all_floors.items() if m[mine].any()}
        sheets.append(Sheet(name, frame, dict(shown.kinds), shown.title, floors))
    return sheets


UNREPORTED_COLUMNS = (
    Column("group", "分组", "text"),
    Column("unit_name", "单位", "text"),
    Column("unit_kind_zh", "单位类型", "text"),
    Column("city", "城市", "text"),
    Column("person", "联系人", "text"),
    Column("accounts", "登记账号", "long"),
)


def unreported_sheet(
    ranked: RankedCampaign, filters: Selection, *, anonymise: bool = False
) -> Sheet | None:
    """未报送单位: registered units with no work and no submission, grouped (省直单位 apart).

    With a city filter only that city's own units (省直单位 stay provincial); anonymised
    exports leave out the contact and accounts columns.
    """
    frame = getattr(ranked, "unreported", None)
    if frame is None:
        return None
    if filters.cities:
        want = {c.strip().removesuffix("市") for c in filters.cities}
        frame = frame[frame["group"].astype("str").str.removesuffix("市").isin(want).to_numpy()]
    if filters.unit_kinds:
        frame = frame[frame["unit_kind"].isin(filters.unit_kinds).to_numpy()]
    columns = UNREPORTED_COLUMNS[:4] if anonymise else UNREPORTED_COLUMNS
    out, kinds = build_frame(frame.reset_index(drop=True), columns)
    return Sheet("未报送单位", out, kinds)


SLIM_HEADERS = (
    "排名",
    "作品编号",
    "平台",
    "作品ID",
    "标题",
    "账号名称",
    "所属单位",
    "单位类型",
    "城市",
    "发布时间（北京时间）",
    "活动窗口",
    "加权互动量 I",
    "播放/阅读",
    "质量分",
    "风险分",
    "待核查",
    "审核状态",
    "链接",
)


def _slim_works(sheet: Sheet) -> Sheet:
    """Summary sheets show fewer columns than the full works list."""
    cols = [h for h in SLIM_HEADERS if h in sheet.frame.columns]
    floors = {h: m for h, m in sheet.floors.items() if h in cols}
    return Sheet(
        sheet.name, sheet.frame[cols], {h: sheet.kind(h) for h in cols}, sheet.title, floors
    )


def _unit_scope(units: pd.DataFrame, filters: Selection) -> np.ndarray:
    return scope_mask(units, Selection(cities=filters.cities, unit_kinds=filters.unit_kinds))


def _city_order(units: pd.DataFrame | None, counts: pd.DataFrame) -> list[str]:
    """Registry order first (city associations are listed by adcode), then other cities by
    number of works, and works without a registered unit last."""
    order: list[str] = []
    if units is not None and len(units):
        registry = units.sort_values("unit_id", kind="stable")["city"].dropna().astype("str")
        order = list(dict.fromkeys(registry))
    rest = counts.drop(index=[c for c in (*order, UNREGISTERED) if c in counts.index])
    order += list(rest.sort_values("works", ascending=False, kind="stable").index)
    if UNREGISTERED in counts.index:
        order.append(UNREGISTERED)
    return order


def _unit_best(works: pd.DataFrame, account_units: pd.DataFrame | None) -> pd.DataFrame:
    if account_units is None or not len(account_units) or not len(works):
        return pd.DataFrame(columns=["best_title", "best_work", "best_quality"])
    au = account_units[["platform", "platform_uid", "unit_id"]].copy()
    au["platform"] = au["platform"].astype("str")
    au["platform_uid"] = au["platform_uid"].astype("str")
    # only what ``_best`` reads: the works' other columns need not go through the join
    w = pd.DataFrame(
        {
            "platform": works["platform"].astype("str"),
            "platform_uid": works["account_uid"].astype("str"),
            **{c: works[c] for c in BEST_SOURCES[2:] if c in works.columns},
        }
    )
    joined = w.merge(au, on=["platform", "platform_uid"], how="inner")
    if not len(joined):
        return pd.DataFrame(columns=["best_title", "best_work", "best_quality"])
    return _best(joined, joined["unit_id"])


# --- the 说明 sheet ------------------------------------------------------------------------------


def _fmt_time(value: Any) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return "—"
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return ts.tz_convert(BEIJING).strftime("%Y-%m-%d %H:%M")


def _window_about(works: pd.DataFrame) -> str:
    """The campaign-window rule in words, with how many of the campaign's works it sets apart."""
    labels = window_labels(works)
    outside = int((labels == WINDOW_ZH["outside"]).sum())
    admitted = int((labels == WINDOW_ZH["admitted"]).sum())
    return (
        "活动时间以外发布的作品照常评分、列出，「活动窗口」列标为「窗口外」，但不计入创作者与"
        "单位得分，也不进入优秀作品、最佳作品和推荐名单；工作人员用 tracker campaign include "
        "人工加入的作品标为「人工加入」，照常计入；发布时间未知的作品视为窗口内。"
        f"全活动共有窗口外作品 {outside} 件，人工加入的窗口外作品 {admitted} 件。"
    )


def about_rows(
    ranked: RankedCampaign,
    filters: Selection,
    *,
    lists: Sequence[str],
    anonymise: bool = False,
    extra: Sequence[tuple[str, str]] = (),
) -> list[tuple[str, str]]:
    """(项目, 内容) rows of the 说明 sheet: what, when, from where, and how it was ranked."""
    c = ranked.campaign
    rows: list[tuple[str, str]] = [
        ("活动", c.name),
        ("活动标题", c.title or ""),
        ("活动标签", "、".join(c.all_spellings)),
        ("活动时间", f"{c.window_start} 至 {c.window_end}（{c.timezone}）"),
        ("活动窗口", _window_about(ranked.result.works)),
        ("导出时间", _fmt_time(ranked.generated_at) + "（北京时间）"),
        ("本文件包含", "、".join(lists)),
        ("筛选条件", filters.describe_zh()),
        ("时间口径", "表中时间均为北京时间（UTC+8），不带时区。"),
        (
            "计数口径",
            "每件作品在合计中只计一次；账号同属两个单位时，作品在两个单位、两个城市各计一次，"
            "所以按城市、按单位各行相加可能大于合计。未被名册单位登记的账号归入「未登记」。"
            f"「{RAW_INTERACTIONS_ZH}」为平台公开的点赞、评论、转发、收藏之和（最近一次采集，未加权）；"
            f"「{WEIGHTED_INTERACTIONS_ZH}」为排名使用的固定时点加权互动量。",
        ),
        ("参与形式", PARTICIPATION_ABOUT_ZH),
        (
            "编号说明",
            "作品编号为「平台:作品ID」，可直接用于 tracker review approve/reject；"
            "作品ID、账号ID 以文本保存，请勿转为数字（长编号会丢失末几位）。",
        ),
    ]
    if anonymise:
        rows.append(
            (
                "匿名化",
                "未认证的个人账号名称与账号ID已替换为「用户+散列值」（同一账号在本活动各名单中一致）；"
                "认证账号和单位自有账号保留原名；单位名册中的联系人姓名已删除。",
            )
        )
    src = ranked.sources
    if len(src):
        for r in src.itertuples(index=False):
            # A run without a platform (an import of several) reads back as a missing value.
            value = r.platform
            platform = (
                PLATFORM_NAMES_ZH.get(value, value)
                if isinstance(value, str) and value
                else "全部平台"
            )
            kind = RUN_KIND_ZH.get(r.kind, r.kind)
            rows.append(
                (
                    f"数据来源：{platform}（{kind}）",
                    f"运行 {int(r.runs)} 次（成功 {int(r.ok_runs or 0)} 次），"
                    f"首次开始 {_fmt_time(r.first_started)}，"
                    f"最近一次成功完成 {_fmt_time(r.last_ok_finished)}（北京时间），"
                    f"新增作品 {int(r.new or 0)} 件",
                )
            )
    else:
        rows.append(("数据来源", "数据库中没有采集或导入记录"))
    read = getattr(ranked, "comments_read", None)
    if read is not None:
        rows.append(("评论数据", comments_read_zh(*read)))
    works = ranked.result.works
    if "source" in works.columns and len(works):
        by_source = works["source"].astype("object").value_counts()
        names = {
            "live": "平台采集",
            "capture": "浏览器抓包",
            "submission": "单位报送",
            "import": "导入",
        }
        rows.append(
            (
                "作品来源构成",
                "；".join(f"{names.get(k, k)} {v} 件" for k, v in by_source.items()),
            )
        )
    if len(works) and frame_floor_bits(works).any():
        rows.append(FLOORS_ABOUT)
    method = ranked.result.settings.describe_zh().splitlines()
    rows.append(("计算方法", method[0] if method else ""))
    rows.extend(("", line) for line in method[1:])
    rows.extend(extra)
    return rows


def about_sheet(rows: Sequence[tuple[str, str]]) -> Sheet:
    frame = pd.DataFrame({"项目": [r[0] for r in rows], "内容": [r[1] for r in rows]})
    return Sheet(ABOUT_SHEET, frame, {"项目": "text", "内容": "long"})
