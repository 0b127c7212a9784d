"""The rank service: one campaign's works, creators and units ranked, filtered for a list.

The ranking itself (``tracker.ranking``) is pure and always scores every campaign work, because
percentiles and baselines need the whole field. This module is the I/O edge around it: open the
store, read the frames, validate the ``[ranking]`` settings from config, then cut the list a
user asked for (platform, city, unit kind, top N). Recommendations use approved works only
unless ``include_unreviewed`` is set; a filtered list is re-numbered (``rank``) while the
campaign-wide place is kept as ``overall_rank``, so a city's list reads 1, 2, 3 and still says
where each work stands overall.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, case, exists, func, or_, select

from tracker.config import UNIT_KIND_NAMES_ZH, UNIT_KINDS, CampaignConfig, TrackerConfig
from tracker.errors import TrackerError
from tracker.ranking import RankingFrames, RankingResult, RankingSettings, rank_campaign
from tracker.ranking.keys import positions
from tracker.ranking.load import load_frames, load_work_details
from tracker.ranking.units import rank_units, unit_scores
from tracker.records import PLATFORM_NAMES_ZH, PLATFORMS
from tracker.store.models import Post, PostCampaign, Run
from tracker.store.registry import campaign_ids

__all__ = [
    "RankFilters",
    "RankedCampaign",
    "data_sources",
    "filter_creators",
    "filter_units",
    "filter_works",
    "normalise_platform",
    "normalise_unit_kind",
    "rank_service",
    "ranking_settings",
    "scope_mask",
    "with_details",
]

RUN = Run.__table__
POST = Post.__table__
LINK = PostCampaign.__table__
EXCERPT_CHARS = 80
_PLATFORM_BY_NAME = {v: k for k, v in PLATFORM_NAMES_ZH.items()}
_KIND_BY_NAME = {v: k for k, v in UNIT_KIND_NAMES_ZH.items()}


@dataclass(frozen=True, slots=True)
class RankFilters:
    """Which slice of a ranked campaign a list shows (``None``/empty = no restriction)."""

    platforms: tuple[str, ...] = ()
    city: str | None = None
    unit_kind: str | None = None
    include_unreviewed: bool = False
    top: int | None = None

    def describe_zh(self) -> str:
        parts = []
        if self.platforms:
            parts.append("平台 " + "、".join(PLATFORM_NAMES_ZH.get(p, p) for p in self.platforms))
        if self.city:
            parts.append(f"城市 {self.city}")
        if self.unit_kind:
            parts.append(f"单位类型 {UNIT_KIND_NAMES_ZH.get(self.unit_kind, self.unit_kind)}")
        if self.top:
            parts.append(f"前 {self.top} 名")
        parts.append(
            "含未审核作品" if self.include_unreviewed else "仅审核通过的作品（默认，推荐名单口径）"
        )
        return "；".join(parts)


@dataclass
class RankedCampaign:
    """A ranked campaign with what exports need to say how it was made."""

    campaign: CampaignConfig
    campaign_id: int
    frames: RankingFrames
    result: RankingResult
    sources: pd.DataFrame
    generated_at: datetime
    include_unreviewed: bool = False
    notes: list[str] = field(default_factory=list)
    participation: Any = None
    """``tracker.membership.participation.ParticipationFrames``: the notice's three forms
    (发布内容, 互动问答, 作品互动) per unit and per city, for the summary export."""
    unreported: Any = None
    """``tracker.membership.unreported.unreported_units``: registered units with no work and no
    submission, for the summary export's 未报送单位 sheet."""


def ranking_settings(config: TrackerConfig) -> RankingSettings:
    """The validated ``[ranking]`` table (errors name each bad key)."""
    return RankingSettings.from_mapping(config.ranking)


def normalise_platform(value: str) -> str:
    """A platform id from an id or its Chinese name (``微博`` -> ``weibo``)."""
    v = value.strip()
    if v.lower() in PLATFORMS:
        return v.lower()
    if v in _PLATFORM_BY_NAME:
        return _PLATFORM_BY_NAME[v]
    raise TrackerError(f"未知平台 {value!r}；可选: {', '.join(PLATFORMS)}")


def normalise_unit_kind(value: str) -> str:
    """A unit kind key from a key or its Chinese name (``市科协`` -> ``city_association``)."""
    v = value.strip()
    if v in UNIT_KINDS:
        return v
    if v in _KIND_BY_NAME:
        return _KIND_BY_NAME[v]
    choices = "、".join(f"{k}（{UNIT_KIND_NAMES_ZH[k]}）" for k in UNIT_KINDS)
    raise TrackerError(f"未知单位类型 {value!r}；可选: {choices}")


def _campaign_id(conn: Connection, campaign: CampaignConfig) -> int:
    ids = campaign_ids(conn)
    if campaign.name not in ids:
        raise TrackerError(f"活动 {campaign.name!r} 尚未写入数据库；请先运行 `tracker init`")
    return ids[campaign.name]


def data_sources(conn: Connection) -> pd.DataFrame:
    """Per platform and run kind: how many runs, when first started and last finished (ok runs).

    Printed on every export's 说明 sheet, because "as of when?" is the first question a reader
    of a ranking asks.
    """
    ok = RUN.c.status == "ok"
    stmt = (
        select(
            RUN.c.platform,
            RUN.c.kind,
            func.count().label("runs"),
            func.sum(case((ok, 1), else_=0)).label("ok_runs"),
            func.min(RUN.c.started_at).label("first_started"),
            func.max(RUN.c.finished_at).filter(ok).label("last_ok_finished"),
            func.sum(RUN.c.new).label("new"),
        )
        .group_by(RUN.c.platform, RUN.c.kind)
        .order_by(RUN.c.platform, RUN.c.kind)
    )
    rows = [dict(r._mapping) for r in conn.execute(stmt)]
    cols = ["platform", "kind", "runs", "ok_runs", "first_started", "last_ok_finished", "new"]
    return pd.DataFrame(rows, columns=cols)


def _excerpt_query(conn: Connection, *where: Any) -> pd.DataFrame:
    stmt = select(
        POST.c.platform,
        POST.c.platform_post_id,
        func.substr(POST.c.text, 1, EXCERPT_CHARS).label("excerpt"),
    ).where(or_(POST.c.title.is_(None), POST.c.title == ""), POST.c.text.is_not(None), *where)
    rows = conn.execute(stmt).all()
    return pd.DataFrame(rows, columns=["platform", "platform_post_id", "excerpt"])


def _campaign_excerpts(conn: Connection, campaign_id: int) -> pd.DataFrame:
    """The opening of the text of campaign works without a title (Weibo, Kuaishou...), so a
    list shows what the work says rather than an empty cell."""
    in_campaign = exists().where(
        LINK.c.platform == POST.c.platform,
        LINK.c.platform_post_id == POST.c.platform_post_id,
        LINK.c.campaign_id == campaign_id,
        LINK.c.excluded.is_(False),
    )
    return _excerpt_query(conn, in_campaign)


def _excerpts_of(conn: Connection, works: pd.DataFrame) -> pd.DataFrame:
    parts = [pd.DataFrame(columns=["platform", "platform_post_id", "excerpt"])]
    for platform, ids in works.groupby(works["platform"].astype("str"))["platform_post_id"]:
        unique = list(dict.fromkeys(ids.astype("str")))
        for lo in range(0, len(unique), 500):
            parts.append(
                _excerpt_query(
                    conn,
                    POST.c.platform == platform,
                    POST.c.platform_post_id.in_(unique[lo : lo + 500]),
                )
            )
    return pd.concat(parts, ignore_index=True)


def _fill_titles(works: pd.DataFrame, excerpts: pd.DataFrame) -> None:
    """Untitled works get the opening of their text as the title shown, in place."""
    if not len(excerpts) or not len(works):
        return
    probe = works[["platform", "platform_post_id"]].astype("str")
    pos = positions(excerpts, probe)
    title = works["title"].astype("object")
    missing = (title.isna() | (title.astype("str").str.strip() == "")).to_numpy()
    hit = (pos >= 0) & missing
    if not hit.any():
        return
    text = excerpts["excerpt"].astype("str").str.split().str.join(" ").to_numpy(dtype=object)
    values = title.to_numpy(dtype=object).copy()
    values[hit] = text[pos[hit]]
    works["title"] = values


def with_details(engine: Engine, works: pd.DataFrame) -> pd.DataFrame:
    """``works`` (a few rows, e.g. a table on screen) with title, url and source read for just
    those rows; for rankings made with ``details=False``."""
    out = works.reset_index(drop=True).copy()
    if not len(out):
        return out
    with engine.connect() as conn:
        details = load_work_details(conn, out)
        excerpts = _excerpts_of(conn, out)
    probe = out[["platform", "platform_post_id"]].astype("str")
    pos = positions(details, probe)
    hit = pos >= 0
    for col in ("title", "url", "source"):
        values = np.full(len(out), None, dtype=object)
        values[hit] = details[col].to_numpy(dtype=object)[pos[hit]]
        out[col] = values
    _fill_titles(out, excerpts)
    return out


def rank_service(
    engine: Engine,
    config: TrackerConfig,
    campaign: str | None = None,
    *,
    include_unreviewed: bool = False,
    details: bool = True,
    now: datetime | None = None,
) -> RankedCampaign:
    """Rank one configured campaign from the store.

    Creator and unit aggregates use approved works only unless ``include_unreviewed``. With
    ``details`` every work carries its title (or the opening of its text), url and source, as
    lists and exports need; without, only the scores are read (use ``with_details`` on the rows
    shown).
    """
    cfg = config.campaign(campaign)
    settings = ranking_settings(config)
    with engine.connect() as conn:
        cid = _campaign_id(conn, cfg)
        frames = load_frames(conn, cid, details=details)
        sources = data_sources(conn)
        excerpts = _campaign_excerpts(conn, cid) if details else None
        participation = None
        unreported = None
        if details:
            from tracker.membership.participation import participation_frames

            participation = participation_frames(conn, cid)
            from tracker.membership.unreported import load_unreported

            unreported = load_unreported(conn, cid)
    result = rank_campaign(frames, settings, approved_only=not include_unreviewed)
    if excerpts is not None:
        _fill_titles(result.works, excerpts)
    return RankedCampaign(
        campaign=cfg,
        campaign_id=cid,
        frames=frames,
        result=result,
        sources=sources,
        generated_at=now or datetime.now(UTC),
        include_unreviewed=include_unreviewed,
        participation=participation,
        unreported=unreported,
    )


def _city_mask(cities: pd.Series, city: str) -> np.ndarray:
    """``广州`` and ``广州市`` name the same city."""
    c = city.strip().removesuffix("市")
    values = cities.astype("object").where(cities.notna(), "")
    short = values.astype("str").str.removesuffix("市")
    return (short == c).to_numpy(dtype=bool)


def _renumber(frame: pd.DataFrame, score: str) -> pd.DataFrame:
    """Keep the campaign-wide place as ``overall_rank``; ``rank`` becomes the place in this list."""
    out = frame.copy()
    out["overall_rank"] = out["rank"] if "rank" in out.columns else pd.NA
    out["rank"] = out[score].rank(method="min", ascending=False).astype("Int64")
    out = out.sort_values(["rank"], na_position="last", kind="stable").reset_index(drop=True)
    return out


def _top(frame: pd.DataFrame, top: int | None) -> pd.DataFrame:
    if top is None:
        return frame
    if top <= 0:
        raise TrackerError(f"--top 应为正整数，收到 {top}")
    return frame.head(top).reset_index(drop=True)


def scope_mask(works: pd.DataFrame, filters: RankFilters) -> np.ndarray:
    """Works on the platform(s), of accounts of the city / unit kind (review status ignored)."""
    mask = np.ones(len(works), dtype=bool)
    if filters.platforms:
        mask &= works["platform"].astype("object").isin(filters.platforms).to_numpy(dtype=bool)
    if filters.city:
        mask &= _city_mask(works["city"], filters.city)
    if filters.unit_kind:
        mask &= (works["unit_kind"].astype("object") == filters.unit_kind).to_numpy(dtype=bool)
    return mask


def filter_works(works: pd.DataFrame, filters: RankFilters) -> pd.DataFrame:
    """The works list: approved only by default, then platform / city / unit kind, then top N."""
    mask = scope_mask(works, filters)
    if not filters.include_unreviewed:
        mask &= (works["review_status"].astype("object") == "approved").to_numpy(dtype=bool)
    out = _renumber(works.loc[mask], "quality_score")
    return _top(out, filters.top)


def filter_creators(creators: pd.DataFrame, filters: RankFilters) -> pd.DataFrame:
    """Creators active on the platform(s), of the city / unit kind of their main account."""
    mask = np.ones(len(creators), dtype=bool)
    if filters.platforms:
        # "weibo,zhihu" -> ",weibo,zhihu," so a platform matches as a whole item
        on = "," + creators["platforms"].astype("object").fillna("").astype("str") + ","
        hit = np.zeros(len(creators), dtype=bool)
        for p in filters.platforms:
            hit |= on.str.contains(f",{p},", regex=False).to_numpy(dtype=bool)
        mask &= hit
    if filters.city:
        mask &= _city_mask(creators["city"], filters.city)
    if filters.unit_kind:
        mask &= (creators["unit_kind"].astype("object") == filters.unit_kind).to_numpy(dtype=bool)
    out = _renumber(creators.loc[mask], "creator_score")
    return _top(out, filters.top)


def filter_units(ranked: RankedCampaign, filters: RankFilters) -> pd.DataFrame:
    """Units of the city / kind; with a platform, the unit scores counted on that platform only."""
    result = ranked.result
    rank_by = result.settings.units.rank_by
    units = result.units
    if filters.platforms:
        works = result.works
        basis = works if filters.include_unreviewed else works[works["review_status"] == "approved"]
        basis = basis[basis["platform"].astype("object").isin(filters.platforms)]
        units = unit_scores(
            basis.reset_index(drop=True),
            ranked.frames.account_units,
            ranked.frames.units,
            rank_by,
        )
    mask = np.ones(len(units), dtype=bool)
    if filters.city:
        mask &= _city_mask(units["city"], filters.city)
    if filters.unit_kind:
        mask &= (units["unit_kind"].astype("object") == filters.unit_kind).to_numpy(dtype=bool)
    out = units.loc[mask].reset_index(drop=True)
    if not filters.platforms:
        out["overall_rank"] = out["rank"]
    out = rank_units(out.drop(columns=["rank", "rank_by"], errors="ignore"), rank_by)
    return _top(out, filters.top)
