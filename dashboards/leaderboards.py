"""The ranking, read for display: compute once, then slice and label for tables and charts.

The ranking layer scores the whole campaign (percentiles need the whole field), so the report
and the dashboard rank once and *filter the ranked works* for display: a platform filter shows
that platform's works with their campaign-wide rank. Labels (title, start of text) are looked up
only for the rows shown, so ranking a million works never drags their texts into memory twice.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from dashboards.filters import UNREGISTERED, Selection, label_of
from tracker.membership.counted import CountedWorks, counted_works, loaded_works
from tracker.ranking import RankingFrames, RankingResult, RankingSettings, rank_campaign
from tracker.ranking.slices import scope_mask
from tracker.services.rank import (
    RankingHandoff,
    load_frames,
    reviewed_now,
    shared_reads_active,
)
from tracker.services.ranking_cache import cache_dir, kept
from tracker.store.queries import Connection, Engine
from tracker.store.queries.dashboard import work_labels
from tracker.store.queries.ranking_inputs import DETAIL_COLUMNS

__all__ = [
    "COUNTED_KIND",
    "by_rank",
    "compute_ranking",
    "counted_key",
    "filter_creators",
    "filter_units",
    "filter_works",
    "flagged_works",
    "labelled",
    "rank_and_count",
    "reuse_fits",
    "risk_sample",
]


def compute_ranking(
    conn: Connection,
    campaign_id: int,
    settings: RankingSettings,
    *,
    until: datetime | None = None,
    as_of: datetime | None = None,
    approved_only: bool = False,
) -> tuple[RankingFrames, RankingResult]:
    """Rank the campaign from the store.

    ``as_of`` is the deadline cut (works published or first seen after it left out, metrics
    from the snapshots before it); ``until`` only drops works published after it and keeps the
    latest metrics (a report "for" a past day, backfilled from today's data).

    Titles and texts are not loaded (at a million works they cost more than the ranking
    itself); ``labelled`` fetches them for the few rows a page or report shows.
    """
    frames, result, _ = rank_and_count(
        conn, campaign_id, settings, until=until, as_of=as_of, approved_only=approved_only
    )
    return frames, result


def rank_and_count(
    conn: Connection,
    campaign_id: int,
    settings: RankingSettings,
    *,
    until: datetime | None = None,
    as_of: datetime | None = None,
    approved_only: bool = False,
    reuse: RankingHandoff | None = None,
) -> tuple[RankingFrames, RankingResult, CountedWorks | None]:
    """:func:`compute_ranking`, and the counted works its frames already hold (for week over
    week, participation and the not-reported list, which would otherwise read them again):
    taken before ``until`` drops works, and None with ``as_of`` (the cut frames no longer
    hold what those lists count; they read the store).

    ``reuse``: a ranking the caller has just made of the same stored works (nothing written
    since); taken instead of ranking again when it is the one this call would make
    (:func:`reuse_fits`), else ignored.
    """
    if reuse is not None and reuse_fits(
        reuse, campaign_id, settings, until=until, as_of=as_of, approved_only=approved_only
    ):
        return _handed_on(reuse)
    if (
        until is None
        and as_of is None
        and not shared_reads_active()
        and cache_dir(conn.engine) is not None
    ):
        # read on a connection of its own, begun after the store's version is taken (the
        # caller's may have begun earlier; see ``ranking_cache``)
        engine = conn.engine
        return kept(
            engine,
            COUNTED_KIND,
            counted_key(campaign_id, settings, approved_only),
            lambda: _ranked_and_counted(engine, campaign_id, settings, approved_only),
            lambda ranked: len(ranked[1].works),
            refresh=lambda ranked: (
                *reviewed_now(engine, campaign_id, ranked[0], ranked[1]),
                ranked[2],
            ),
        )
    return _rank_and_count(conn, campaign_id, settings, until, as_of, approved_only)


COUNTED_KIND = "counted-ranking"


def counted_key(
    campaign_id: int, settings: RankingSettings, approved_only: bool
) -> tuple[Any, ...]:
    """What besides the store an uncut :func:`rank_and_count` depends on: its kept ranking's
    key (``ranking_cache``)."""
    return (campaign_id, settings, approved_only)


def _ranked_and_counted(
    engine: Engine, campaign_id: int, settings: RankingSettings, approved_only: bool
) -> tuple[RankingFrames, RankingResult, CountedWorks | None]:
    with engine.connect() as conn:
        return _rank_and_count(conn, campaign_id, settings, None, None, approved_only)


def _rank_and_count(
    conn: Connection,
    campaign_id: int,
    settings: RankingSettings,
    until: datetime | None,
    as_of: datetime | None,
    approved_only: bool,
) -> tuple[RankingFrames, RankingResult, CountedWorks | None]:
    frames = load_frames(conn, campaign_id, details=False, as_of=as_of, settings=settings)
    loaded = loaded_works(frames) if as_of is None else None
    if until is not None and len(frames.works):
        published = frames.works["published_at"]
        keep = published.isna() | (published <= pd.Timestamp(until))
        frames.works = frames.works[keep.to_numpy()].reset_index(drop=True)
    result = rank_campaign(frames, settings, approved_only=approved_only)
    return frames, result, counted_works(loaded, frames.snapshots)


def reuse_fits(
    handoff: RankingHandoff,
    campaign_id: int,
    settings: RankingSettings,
    *,
    until: datetime | None,
    as_of: datetime | None,
    approved_only: bool,
) -> bool:
    """Whether ``handoff`` is the ranking :func:`rank_and_count` would make: the same campaign,
    settings of the same values and the same review scope, and no cut on either side (an
    ``until`` or ``as_of`` here, or a cut it was made at)."""
    ranked = handoff.ranked
    return (
        until is None
        and as_of is None
        and handoff.as_of is None
        and handoff.loaded is not None
        and ranked.campaign_id == campaign_id
        and ranked.result.approved_only == approved_only
        and ranked.result.settings == settings
    )


def _blank_details(works: pd.DataFrame) -> pd.DataFrame:
    """Ranked ``works`` as a ranking without details holds them: the detail columns empty."""
    out = works.copy(deep=False)  # copy-on-write: the caller's frame stays as it was
    for col in DETAIL_COLUMNS:
        if col in out.columns:
            out[col] = pd.Series([None] * len(out), index=out.index, dtype="object")
    return out


def _handed_on(
    handoff: RankingHandoff,
) -> tuple[RankingFrames, RankingResult, CountedWorks | None]:
    """The frames, ranking and counted works of ``handoff`` as :func:`rank_and_count` gives
    them uncut: titles, urls and sources blanked when it was ranked with details (the report
    looks titles up for the rows it shows, as it does after its own ranking)."""
    frames, result = handoff.ranked.frames, handoff.ranked.result
    if handoff.details:
        loaded = frames.works.drop(columns=[c for c in DETAIL_COLUMNS if c in frames.works])
        frames = replace(frames, works=loaded)
        result = replace(result, works=_blank_details(result.works))
    return frames, result, counted_works(handoff.loaded, frames.snapshots)


def filter_works(
    works: pd.DataFrame, f: Selection, links: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Ranked works narrowed by the dashboard filters (ranks stay campaign-wide); the same cut
    as every list and file (``tracker.ranking.slices.scope_mask``)."""
    return by_rank(works[scope_mask(works, f, links)])


def by_rank(frame: pd.DataFrame) -> pd.DataFrame:
    """Best first, whatever order the ranking layer returned the rows in."""
    if "rank" not in frame.columns:
        return frame
    return frame.sort_values("rank", na_position="last", kind="stable")


def top_by_rank(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    """The first ``n`` rows of ``by_rank(frame)`` without reordering the rest: at a million
    works of a hundred columns, sorting the whole frame for twenty rows costs seconds."""
    if "rank" not in frame.columns:
        return frame.head(n)
    rank = frame["rank"].to_numpy(dtype="float64", na_value=np.inf)
    order = np.argsort(rank, kind="stable")[:n]
    return frame.iloc[order]


def filter_creators(creators: pd.DataFrame, f: Selection) -> pd.DataFrame:
    mask = np.ones(len(creators), dtype=bool)
    if f.platforms and "platforms" in creators.columns:
        plats = creators["platforms"].astype("str")
        hit = np.zeros(len(creators), dtype=bool)
        for p in f.platforms:
            hit |= plats.str.contains(p, regex=False).to_numpy()
        mask &= hit
    if f.cities and "city" in creators.columns:
        mask &= creators["city"].astype("object").isin(f.cities).to_numpy()
    if f.unit_kinds and "unit_kind" in creators.columns:
        kinds = creators["unit_kind"].astype("object")
        kinds = kinds.where(kinds.notna(), UNREGISTERED)
        mask &= kinds.isin(f.unit_kinds).to_numpy()
    return by_rank(creators[mask])


def filter_units(units: pd.DataFrame, f: Selection) -> pd.DataFrame:
    mask = np.ones(len(units), dtype=bool)
    if f.cities:
        mask &= units["city"].astype("object").isin(f.cities).to_numpy()
    if f.unit_kinds:
        mask &= units["unit_kind"].astype("object").isin(f.unit_kinds).to_numpy()
    return by_rank(units[mask])


def labelled(conn: Connection | None, works: pd.DataFrame) -> pd.DataFrame:
    """``works`` (a few rows) with ``label`` (plain text) and filled ``url``/``account_name``."""
    out = works.copy()
    if not len(out):
        out["label"] = pd.Series(dtype="object")
        return out
    titles = out["title"] if "title" in out.columns else pd.Series([None] * len(out))
    texts = out["text"] if "text" in out.columns else pd.Series([None] * len(out))
    need = titles.isna().to_numpy() & texts.isna().to_numpy()
    if conn is not None and need.any():
        keys = list(
            zip(
                out.loc[need, "platform"].astype("str"),
                out.loc[need, "platform_post_id"].astype("str"),
                strict=True,
            )
        )
        extra = work_labels(conn, keys).set_index(["platform", "platform_post_id"])
        idx = pd.MultiIndex.from_arrays(
            [out["platform"].astype("str"), out["platform_post_id"].astype("str")]
        )
        looked = extra.reindex(idx)
        titles = titles.where(~need, looked["title"].to_numpy())
        texts = texts.where(~need, looked["text"].to_numpy())
        for col in ("url", "account_name"):
            if col in out.columns:
                out[col] = out[col].where(out[col].notna(), looked[col].to_numpy())
    out["label"] = [
        label_of(t, x, str(i))
        for t, x, i in zip(titles, texts, out["platform_post_id"], strict=True)
    ]
    return out


def flagged_works(works: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    flagged = works[works["risk_flag"].fillna(False).astype(bool).to_numpy()]
    flagged = by_rank(flagged)  # ties in risk go to the better-ranked work, in any input order
    return flagged.sort_values("risk_score", ascending=False, kind="stable").head(n)


def risk_sample(works: pd.DataFrame, n: int = 3000, seed: int = 7) -> pd.DataFrame:
    """Every flagged work plus a fixed random sample of the others (for the scatter)."""
    cols = [
        c
        for c in (
            "platform",
            "platform_post_id",
            "likes",
            "comments",
            "risk_flag",
            "risk_score",
            "risk_reasons",
            "title",
            "text",
        )
        if c in works.columns
    ]
    d = by_rank(works[[*cols, "rank"]] if "rank" in works.columns else works[cols])
    d = d[d["likes"].notna().to_numpy() & d["comments"].notna().to_numpy()][cols]
    flag = d["risk_flag"].fillna(False).astype(bool).to_numpy()
    rest = d[~flag]
    if len(rest) > n:
        rest = rest.sample(n=n, random_state=seed)
    out = pd.concat([rest, d[flag]], ignore_index=True)
    out["label"] = [
        label_of(t, x, str(i))
        for t, x, i in zip(
            out.get("title", pd.Series([None] * len(out))),
            out.get("text", pd.Series([None] * len(out))),
            out["platform_post_id"],
            strict=True,
        )
    ]
    return out


def summary_counts(result: RankingResult) -> dict[str, Any]:
    w = result.works
    return {
        "ranked": int(len(w)),
        "flagged": int(w["risk_flag"].fillna(False).astype(bool).sum()) if len(w) else 0,
    }
