"""The rank service: one campaign's works, creators and units ranked, filtered for a list.

The ranking itself (``tracker.ranking``) is pure and always scores every campaign work, because
percentiles and baselines need the whole field. This module is the I/O edge around it: open the
store, read the frames, validate the ``[ranking]`` settings from config, then cut the list a
user asked for (platform, city, unit kind, top N). Recommendations use approved works only
unless ``include_unreviewed`` is set; a filtered list is re-numbered (``rank``) while the
campaign-wide place is kept as ``overall_rank``, so a city's list reads 1, 2, 3 and still says
where each work stands overall. The slicing itself is pure and lives with the ranking
(``tracker.ranking.slices``), so the exports can cut lists without this service.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from connectors.catalogue import PLATFORM_NAMES_ZH, PLATFORMS
from tracker.config import UNIT_KIND_NAMES_ZH, UNIT_KINDS, CampaignConfig, TrackerConfig
from tracker.errors import TrackerError
from tracker.membership.counted import loaded_works
from tracker.ranking import RankingFrames, RankingResult, RankingSettings, rank_campaign
from tracker.ranking.as_of import cut_tables
from tracker.ranking.assemble import (
    chunk_fingerprint_key,
    comment_fingerprint_key,
    ranking_frames,
    with_review_rows,
)
from tracker.ranking.keys import positions
from tracker.ranking.memory import release_memory
from tracker.ranking.pipeline import with_reviews
from tracker.ranking.slices import RankedCampaign
from tracker.services.ranking_cache import kept
from tracker.store.queries import Connection, Engine
from tracker.store.queries.comments import comment_evidence, comments_read
from tracker.store.queries.ranking_inputs import (
    DETAIL_COLUMNS,
    RankingTables,
    load_reviews,
    load_work_details,
    read_ranking_tables,
)
from tracker.store.queries.works import campaign_excerpts, data_sources, work_excerpts
from tracker.store.registry import campaign_ids

__all__ = [
    "HANDOFF_KIND",
    "RankingHandoff",
    "handoff_key",
    "load_frames",
    "normalise_platform",
    "normalise_unit_kind",
    "one_read_of_stored_tables",
    "rank_for_handoff",
    "rank_service",
    "ranking_settings",
    "shared_reads_active",
    "with_details",
]

_PLATFORM_BY_NAME = {v: k for k, v in PLATFORM_NAMES_ZH.items()}
_KIND_BY_NAME = {v: k for k, v in UNIT_KIND_NAMES_ZH.items()}


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


_SHARED_TABLES: ContextVar[dict[tuple[Any, ...], RankingTables] | None] = ContextVar(
    "shared_ranking_tables", default=None
)


@contextmanager
def one_read_of_stored_tables() -> Iterator[None]:
    """Within the block, :func:`load_frames` reads each campaign's stored tables once.

    A report job ranks the same stored works more than once (its summary at the writing time,
    the report at the end of the day, each cutting its own ``as_of``), and that read is most of
    a ranking's cost (about 10 s at a million works). Only for blocks that write nothing to the
    store: the tables are those of the first read. The cache lives in this context (thread)
    only, so a job running beside it in another thread reads for itself.
    """
    token = _SHARED_TABLES.set({})
    try:
        yield
    finally:
        _SHARED_TABLES.reset(token)


def shared_reads_active() -> bool:
    """Whether :func:`load_frames` may hand back tables read earlier in this context (inside
    :func:`one_read_of_stored_tables`): a ranking made from them is of an earlier state than
    the store's version now, so it is never kept (``ranking_cache``)."""
    return _SHARED_TABLES.get() is not None


def _own_copy(tables: RankingTables) -> RankingTables:
    """Tables a caller may change freely: shallow copies, which copy-on-write keeps apart from
    the shared ones (the ranking pops and adds columns on what it is given)."""
    frames = {
        f.name: getattr(tables, f.name).copy(deep=False)
        for f in fields(tables)
        if isinstance(getattr(tables, f.name), pd.DataFrame)
    }
    campaign = dict(tables.campaign) if tables.campaign is not None else None
    return replace(tables, campaign=campaign, **frames)


def _stored_tables(conn: Connection, campaign_id: int, details: bool) -> RankingTables:
    """The campaign's stored tables: read now, or once per :func:`one_read_of_stored_tables`
    block (keyed by engine, not URL: every in-memory database has the same URL)."""
    shared = _SHARED_TABLES.get()
    key = (conn.engine, campaign_id, details)
    if shared is not None and key in shared:
        return _own_copy(shared[key])
    tables = read_ranking_tables(
        conn, campaign_id, details=details, fingerprint_key=chunk_fingerprint_key
    )
    if shared is None:
        return tables
    shared[key] = tables
    return _own_copy(tables)


def load_frames(
    conn: Connection,
    campaign_id: int,
    *,
    details: bool = False,
    links: pd.DataFrame | None = None,
    as_of: datetime | None = None,
    settings: RankingSettings | None = None,
) -> RankingFrames:
    """Everything ``rank_campaign`` needs for one campaign: the read home reads the stored
    tables (with the ranking's fingerprint rule, applied chunk by chunk), the ranking assembles
    its frames from them; freed heap goes back to the system before scoring starts.

    ``details=True`` adds title, url, source and matched_by to the works (for exporting every
    work; for a top-N table use ``load_work_details`` on the rows shown). ``links`` is an
    optional manual creator link table (platform, platform_uid, creator). ``as_of`` (aware)
    cuts the tables at that instant (``tracker.ranking.as_of``). ``settings`` give the rule
    for comparing comment texts (``[ranking.risk]``; the defaults when None). Inside
    :func:`one_read_of_stored_tables` the stored tables are read once per campaign.
    """
    tables = _stored_tables(conn, campaign_id, details)
    risk = (settings or RankingSettings()).risk
    comments = comment_evidence(
        conn,
        campaign_id,
        fingerprint=comment_fingerprint_key(risk.comment_min_chars),
        window_s=risk.comment_copy_window_hours * 3600,
        as_of=as_of,
    )
    if as_of is not None:
        tables.works, tables.history, tables.snapshots = cut_tables(
            tables.works, tables.history, tables.snapshots, as_of
        )
    release_memory(len(tables.works) + len(tables.history) + len(tables.snapshots))
    return ranking_frames(
        works=tables.works,
        history=tables.history,
        snapshots=tables.snapshots,
        accounts=tables.accounts,
        account_units=tables.account_units,
        units=tables.units,
        reviews=tables.reviews,
        campaign=tables.campaign,
        links=links,
        comments=comments,
    )


def _campaign_id(conn: Connection, campaign: CampaignConfig) -> int:
    ids = campaign_ids(conn)
    if campaign.name not in ids:
        raise TrackerError(f"活动 {campaign.name!r} 尚未写入数据库；请先运行 `tracker init`")
    return ids[campaign.name]


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
        excerpts = work_excerpts(conn, out)
    probe = out[["platform", "platform_post_id"]].astype("str")
    pos = positions(details, probe)
    hit = pos >= 0
    for col in DETAIL_COLUMNS:
        values = np.full(len(out), None, dtype=object)
        values[hit] = details[col].to_numpy(dtype=object)[pos[hit]]
        out[col] = values
    _fill_titles(out, excerpts)
    return out


@dataclass(frozen=True, slots=True)
class RankingHandoff:
    """A ranking with what a later step of the same run needs to use it instead of ranking the
    same stored works again (the demo's report after its lists, which ranked them already).

    The step that takes it checks that it is the ranking it would make (the campaign, the
    settings, the review scope, no cut on either side; ``dashboards.leaderboards``); the caller
    that hands it on vouches that nothing was written to the store since it was made.
    """

    ranked: RankedCampaign
    as_of: datetime | None
    """The cut the frames were read at; None when uncut."""
    details: bool
    """Whether the works carry title, url and source (``load_frames(details=True)``)."""
    loaded: pd.DataFrame | None
    """The frames' works as loaded (``loaded_works``), for the counted works; None with a cut,
    whose frames no longer hold what those lists count."""


def rank_service(
    engine: Engine,
    config: TrackerConfig,
    campaign: str | None = None,
    *,
    include_unreviewed: bool = False,
    details: bool = True,
    now: datetime | None = None,
    as_of: datetime | None = None,
) -> RankedCampaign:
    """Rank one configured campaign from the store.

    Creator and unit aggregates use approved works only unless ``include_unreviewed``. With
    ``details`` every work carries its title (or the opening of its text), url and source, as
    lists and exports need; without, only the scores are read (use ``with_details`` on the rows
    shown). ``as_of`` (aware) ranks the campaign as it stood at that instant: the same cut
    for the works, their metrics and the participation figures.
    """
    return rank_for_handoff(
        engine,
        config,
        campaign,
        include_unreviewed=include_unreviewed,
        details=details,
        now=now,
        as_of=as_of,
    ).ranked


def rank_for_handoff(
    engine: Engine,
    config: TrackerConfig,
    campaign: str | None = None,
    *,
    include_unreviewed: bool = False,
    details: bool = True,
    now: datetime | None = None,
    as_of: datetime | None = None,
) -> RankingHandoff:
    """:func:`rank_service`, kept as a :class:`RankingHandoff` for a later step of the same run
    (the report) that would otherwise rank the same stored works again. An uncut ranking of a
    big campaign is also kept on disk for later commands (``ranking_cache``)."""
    cfg = config.campaign(campaign)
    settings = ranking_settings(config)
    generated_at = now or datetime.now(UTC)
    if as_of is not None or shared_reads_active():
        return _handoff(engine, cfg, settings, include_unreviewed, details, generated_at, as_of)
    handoff = kept(
        engine,
        HANDOFF_KIND,
        handoff_key(cfg, settings, include_unreviewed, details),
        lambda: _handoff(engine, cfg, settings, include_unreviewed, details, generated_at, None),
        lambda h: len(h.ranked.result.works),
        refresh=lambda h: _handoff_reviewed(engine, h),
    )
    if handoff.ranked.generated_at == generated_at:
        return handoff
    return replace(handoff, ranked=replace(handoff.ranked, generated_at=generated_at))


HANDOFF_KIND = "ranking"


def _handoff_reviewed(engine: Engine, handoff: RankingHandoff) -> RankingHandoff:
    ranked = handoff.ranked
    frames, result = reviewed_now(engine, ranked.campaign_id, ranked.frames, ranked.result)
    if result is ranked.result:
        return handoff
    return replace(handoff, ranked=replace(ranked, frames=frames, result=result))


def reviewed_now(
    engine: Engine, campaign_id: int, frames: RankingFrames, result: RankingResult
) -> tuple[RankingFrames, RankingResult]:
    """A kept ranking (``ranking_cache.kept``) and its frames brought to the review decisions
    stored now: themselves when those are the decisions they were made with, else the works'
    scores kept and the aggregates made again (``with_reviews``)."""
    with engine.connect() as conn:
        reviews = load_reviews(conn, campaign_id)
    if frames.reviews is not None and _same_rows(frames.reviews, reviews):
        return frames, result
    now = with_review_rows(frames, reviews)
    return now, with_reviews(result, now)


def _same_rows(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Whether two reads of the review table hold the same rows, in whatever order."""
    if a.equals(b):
        return True
    if len(a) != len(b) or list(a.columns) != list(b.columns):
        return False
    by = ["platform", "platform_post_id"]
    return a.sort_values(by, ignore_index=True).equals(b.sort_values(by, ignore_index=True))


def handoff_key(
    cfg: CampaignConfig, settings: RankingSettings, include_unreviewed: bool, details: bool
) -> tuple[Any, ...]:
    """What besides the store an uncut :func:`rank_for_handoff` depends on: its kept
    ranking's key (``ranking_cache``)."""
    return (cfg, settings, include_unreviewed, details)


def _handoff(
    engine: Engine,
    cfg: CampaignConfig,
    settings: RankingSettings,
    include_unreviewed: bool,
    details: bool,
    generated_at: datetime,
    as_of: datetime | None,
) -> RankingHandoff:
    with engine.connect() as conn:
        cid = _campaign_id(conn, cfg)
        frames = load_frames(conn, cid, details=details, as_of=as_of, settings=settings)
        sources = data_sources(conn, as_of=as_of)
        read = comments_read(conn, as_of=as_of)
        excerpts = campaign_excerpts(conn, cid) if details else None
        participation = None
        unreported = None
        if details:
            from tracker.membership.participation import participation_frames

            participation = participation_frames(conn, cid, as_of=as_of)
            from tracker.membership.unreported import load_unreported

            unreported = load_unreported(conn, cid, as_of=as_of)
    # Taken before the ranking, as the report takes them (they share the arrays: no copy).
    loaded = loaded_works(frames) if as_of is None else None
    result = rank_campaign(frames, settings, approved_only=not include_unreviewed)
    if excerpts is not None:
        _fill_titles(result.works, excerpts)
    ranked = RankedCampaign(
        campaign=cfg,
        campaign_id=cid,
        frames=frames,
        result=result,
        sources=sources,
        generated_at=generated_at,
        include_unreviewed=include_unreviewed,
        participation=participation,
        unreported=unreported,
        comments_read=read,
    )
    return RankingHandoff(ranked, as_of, details, loaded)
