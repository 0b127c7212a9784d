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

from tracker.config import CampaignConfig
from tracker.errors import TrackerError
from tracker.ranking.frames import RankingFrames, RankingResult
from tracker.ranking.selection import UNREGISTERED, Selection
from tracker.ranking.units import rank_units, unit_scores
from tracker.ranking.window import commendable

__all__ = [
    "RankedCampaign",
    "filter_creators",
    "filter_units",
    "filter_works",
    "scope_mask",
    "unit_basis",
]


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
    comments_read: tuple[int, int] | None = None
    """(comments, works): the stored comments (replies included) and the works they are on,
    for the 说明 sheet's data sources; None when not read."""


def _short_city(values: pd.Series) -> pd.Series:
    """``广州`` and ``广州市`` name the same city."""
    out = values.astype("object").where(values.notna(), "")
    return out.astype("str").str.strip().str.removesuffix("市")


def _cities_mask(cities: pd.Series, wanted: tuple[str, ...]) -> np.ndarray:
    want = {c.strip().removesuffix("市") for c in wanted}
    return _short_city(cities).isin(want).to_numpy(dtype=bool)


def _kinds_mask(kinds: pd.Series, wanted: tuple[str, ...]) -> np.ndarray:
    values = kinds.astype("object").where(kinds.notna(), UNREGISTERED)
    return values.isin(wanted).to_numpy(dtype=bool)


def _linked_mask(works: pd.DataFrame, links: pd.DataFrame, filters: Selection) -> np.ndarray:
    """Works whose account is listed by at least one unit of the cities and kinds asked for:
    an account of two units belongs to both units' cities (``UNREGISTERED`` as a kind keeps
    works of accounts no unit lists)."""
    keep = np.ones(len(links), dtype=bool)
    if filters.cities:
        keep &= _cities_mask(links["city"], filters.cities)
    kinds = tuple(k for k in filters.unit_kinds if k != UNREGISTERED)
    if filters.unit_kinds:
        keep &= _kinds_mask(links["unit_kind"], kinds) if kinds else np.zeros(len(links), bool)

    def key(platform: pd.Series, uid: pd.Series) -> pd.Series:
        return platform.astype("str") + "\x1f" + uid.astype("object").fillna("").astype("str")

    work_keys = key(works["platform"], works["account_uid"])
    mask = work_keys.isin(set(key(links["platform"], links["platform_uid"])[keep])).to_numpy()
    if UNREGISTERED in filters.unit_kinds and not filters.cities:
        listed = set(key(links["platform"], links["platform_uid"]))
        mask |= ~work_keys.isin(listed).to_numpy()
    return np.asarray(mask, dtype=bool)


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


def scope_mask(
    works: pd.DataFrame, filters: Selection, links: pd.DataFrame | None = None
) -> np.ndarray:
    """Works on the platform(s), published in the date range, of accounts of the cities / unit
    kinds (review status ignored). With ``links`` (the registry's account_units) an account of
    several units counts for each of their cities and kinds; without, the work's own ``city`` /
    ``unit_kind`` columns (its account's first unit) decide."""
    mask = np.ones(len(works), dtype=bool)
    if filters.platforms:
        mask &= works["platform"].astype("object").isin(filters.platforms).to_numpy(dtype=bool)
    start, end = filters.utc_range()
    if (start is not None or end is not None) and "published_at" in works.columns:
        published = works["published_at"]
        if start is not None:
            mask &= (published >= pd.Timestamp(start)).fillna(False).to_numpy(dtype=bool)
        if end is not None:
            mask &= (published < pd.Timestamp(end)).fillna(False).to_numpy(dtype=bool)
    if not filters.cities and not filters.unit_kinds:
        return mask
    if links is not None and "account_uid" in works.columns:
        return mask & _linked_mask(works, links, filters)
    return mask & _unit_columns_mask(works, filters)


def _unit_columns_mask(frame: pd.DataFrame, filters: Selection) -> np.ndarray:
    """Rows (creators, units, works without links) whose own city / unit_kind columns match."""
    mask = np.ones(len(frame), dtype=bool)
    if filters.cities:
        mask &= _cities_mask(frame["city"], filters.cities)
    if filters.unit_kinds:
        mask &= _kinds_mask(frame["unit_kind"], filters.unit_kinds)
    return mask


def filter_works(
    works: pd.DataFrame, filters: Selection, links: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The works list: approved only by default, then platform / city / unit kind / publish
    date (``links``: see ``scope_mask``), then top N."""
    mask = scope_mask(works, filters, links)
    if not filters.include_unreviewed:
        mask &= (works["review_status"].astype("object") == "approved").to_numpy(dtype=bool)
    out = _renumber(works.loc[mask], "quality_score")
    return _top(out, filters.top)


def filter_creators(creators: pd.DataFrame, filters: Selection) -> pd.DataFrame:
    """Creators active on the platform(s), of the city / unit kind of their main account."""
    mask = np.ones(len(creators), dtype=bool)
    if filters.platforms:
        # "weibo,zhihu" -> ",weibo,zhihu," so a platform matches as a whole item
        on = "," + creators["platforms"].astype("object").fillna("").astype("str") + ","
        hit = np.zeros(len(creators), dtype=bool)
        for p in filters.platforms:
            hit |= on.str.contains(f",{p},", regex=False).to_numpy(dtype=bool)
        mask &= hit
    mask &= _unit_columns_mask(creators, filters)
    out = _renumber(creators.loc[mask], "creator_score")
    return _top(out, filters.top)


def unit_basis(works: pd.DataFrame, filters: Selection) -> pd.DataFrame:
    """The works unit scores count under a selection: its platforms and publish dates, its
    review rule, and only works inside the campaign window or admitted by staff (the rule of
    ``rank_campaign``), so a narrowed unit list and the summary's 按单位 count like the
    campaign-wide one."""
    mask = scope_mask(works, filters.with_(cities=(), unit_kinds=()))
    if not filters.include_unreviewed:
        mask &= (works["review_status"].astype("object") == "approved").to_numpy(dtype=bool)
    mask &= commendable(works)
    return works[mask].reset_index(drop=True)


def filter_units(ranked: RankedCampaign, filters: Selection) -> pd.DataFrame:
    """Units of the city / kind; with a platform, the unit scores counted on that platform only."""
    result = ranked.result
    rank_by = result.settings.units.rank_by
    units = result.units
    narrowed = bool(filters.platforms or filters.date_from or filters.date_to)
    if narrowed:
        units = unit_scores(
            unit_basis(result.works, filters),
            ranked.frames.account_units,
            ranked.frames.units,
            rank_by,
        )
    mask = np.ones(len(units), dtype=bool)
    mask &= _unit_columns_mask(units, filters)
    out = units.loc[mask].reset_index(drop=True)
    if not narrowed:
        out["overall_rank"] = out["rank"]
    out = rank_units(out.drop(columns=["rank", "rank_by"], errors="ignore"), rank_by)
    return _top(out, filters.top)
