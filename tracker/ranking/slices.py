"""Which slice of a ranked campaign a list shows, and the cut itself (pure pandas).

The ranking always scores every campaign work (percentiles and baselines need the whole
field); a list then shows a slice of it: a platform, a city, a unit kind, the top N, approved
works only unless ``include_unreviewed``. A filtered list is re-numbered (``rank``) while the
campaign-wide place is kept as ``overall_rank``, so a city's list reads 1, 2, 3 and still says
where each work stands overall. The command line, the dashboard and the exports all cut here,
so the same filters give the same list everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.config import UNIT_KIND_NAMES_ZH, CampaignConfig
from tracker.errors import TrackerError
from tracker.ranking.frames import RankingFrames, RankingResult
from tracker.ranking.units import rank_units, unit_scores

__all__ = [
    "RankFilters",
    "RankedCampaign",
    "filter_creators",
    "filter_units",
    "filter_works",
    "scope_mask",
]


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
