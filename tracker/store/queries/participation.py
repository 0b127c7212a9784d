"""Who took part in a campaign: the rows behind participation, not-reported and week over week.

Each function returns the store's rows as object-dtype frames (ids and names as stored); the
counting, grouping and comparing are pure pandas in ``tracker.membership`` (``participation``,
``unreported``, ``weekly``), which call these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, func, or_, select
from sqlalchemy.sql import Select

from tracker.store.models import AccountUnit, MetricSnapshot, Post, PostCampaign, Unit
from tracker.store.queries.arrow_reader import ColumnarReader, columnar_frame, columnar_reader
from tracker.store.queries.frame_reader import raw_text, read_frame
from tracker.store.registry import campaign_id

__all__ = [
    "ParticipationRows",
    "UnreportedRows",
    "WeekRows",
    "latest_capture",
    "participation_rows",
    "unreported_rows",
    "week_rows",
]

P = Post.__table__
PC = PostCampaign.__table__
AU = AccountUnit.__table__
U = Unit.__table__
S = MetricSnapshot.__table__

_KEY = ["platform", "platform_post_id"]
WEEK_METRICS = ("likes", "comments", "shares", "favorites")
"""The interaction metrics week over week reads from the snapshots."""


@dataclass(slots=True)
class ParticipationRows:
    works: pd.DataFrame
    reposts: pd.DataFrame
    excluded: pd.DataFrame
    account_units: pd.DataFrame
    units: pd.DataFrame


@dataclass(slots=True)
class UnreportedRows:
    works: pd.DataFrame
    submissions: pd.DataFrame
    account_units: pd.DataFrame
    units: pd.DataFrame


@dataclass(slots=True)
class WeekRows:
    works: pd.DataFrame
    snapshots: pd.DataFrame
    as_of: datetime | None


def _rows(
    conn: Connection,
    stmt: Select[Any],
    columns: list[str],
    reader: ColumnarReader | None = None,
) -> pd.DataFrame:
    """A statement's rows as an object-dtype frame (ids and names stay as the store has them).

    Read columnar with ``reader`` (the big reads), else through the driver's cursor: at a
    million works SQLAlchemy's rows cost 3-4 s a query."""
    frame = (
        columnar_frame(conn, stmt, reader=reader) if reader is not None else read_frame(conn, stmt)
    ).astype("object")
    frame.columns = pd.Index(columns)
    return frame


def _in_window(window: tuple[datetime, datetime] | None) -> list[Any]:
    """Works published inside ``window`` (inclusive); works of unknown time are kept."""
    if window is None:
        return []
    start, end = window
    return [or_(P.c.published_at.is_(None), P.c.published_at.between(start, end))]


def _known_by(as_of: datetime | None) -> list[Any]:
    """Posts published and first seen at or before ``as_of`` (the deadline cut); unknown
    times are kept."""
    if as_of is None:
        return []
    return [
        or_(P.c.published_at.is_(None), P.c.published_at <= as_of),
        or_(P.c.first_collected_at.is_(None), P.c.first_collected_at <= as_of),
    ]


def _registry(conn: Connection, *, person: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(account_units, units) of the registry, unit ids as ``int64``."""
    au_cols = [AU.c.platform, AU.c.platform_uid, AU.c.unit_id, *([AU.c.person] if person else [])]
    account_units = _rows(conn, select(*au_cols), [c.name for c in au_cols])
    units = _rows(
        conn,
        select(U.c.id, U.c.name, U.c.kind, U.c.city).order_by(U.c.id),
        ["unit_id", "unit_name", "unit_kind", "city"],
    )
    for frame in (account_units, units):
        frame["unit_id"] = frame["unit_id"].astype("int64")
    return account_units, units


def participation_rows(
    conn: Connection,
    campaign: str | int,
    *,
    window: tuple[datetime, datetime] | None = None,
    as_of: datetime | None = None,
    works: pd.DataFrame | None = None,
) -> ParticipationRows:
    """The campaign's counted works, every repost, its excluded works and the registry.

    ``window`` (UTC instants) keeps only works and reposts published inside it; by default
    every linked work counts, as in the ranking. ``as_of`` leaves out posts published or first
    seen after that instant. ``works``: the counted works under the same cuts, already read
    (platform, platform_post_id, account_uid, content_type): only their ``repost_of`` is
    added, from the reposts (a counted work that is a repost is one of them).
    """
    cid = campaign_id(conn, campaign)
    link_join = and_(PC.c.platform == P.c.platform, PC.c.platform_post_id == P.c.platform_post_id)
    if works is not None:
        reposts = _reposts(conn, window, as_of, None)
        works = _with_repost_of(works, reposts)
    else:
        with columnar_reader(conn) as reader:
            works, reposts = _works_and_reposts(conn, cid, link_join, window, as_of, reader)
    excluded = _rows(
        conn,
        select(PC.c.platform, PC.c.platform_post_id).where(
            PC.c.campaign_id == cid, PC.c.excluded.is_(True)
        ),
        _KEY,
    )
    account_units, units = _registry(conn, person=False)
    return ParticipationRows(works, reposts, excluded, account_units, units)


def _works_and_reposts(
    conn: Connection,
    cid: int,
    link_join: Any,
    window: tuple[datetime, datetime] | None,
    as_of: datetime | None,
    reader: ColumnarReader | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    works = _rows(
        conn,
        select(P.c.platform, P.c.platform_post_id, P.c.account_uid, P.c.content_type, P.c.repost_of)
        .join(PC, link_join)
        .where(
            PC.c.campaign_id == cid,
            PC.c.excluded.is_(False),
            P.c.deleted.is_(False),
            *_in_window(window),
            *_known_by(as_of),
        ),
        [*_KEY, "account_uid", "content_type", "repost_of"],
        reader,
    )
    return works, _reposts(conn, window, as_of, reader)


def _reposts(
    conn: Connection,
    window: tuple[datetime, datetime] | None,
    as_of: datetime | None,
    reader: ColumnarReader | None,
) -> pd.DataFrame:
    """Every stored repost (not deleted) under the cuts; few rows, found by a scan of post."""
    return _rows(
        conn,
        select(P.c.platform, P.c.platform_post_id, P.c.account_uid, P.c.repost_of).where(
            P.c.repost_of.is_not(None),
            P.c.deleted.is_(False),
            *_in_window(window),
            *_known_by(as_of),
        ),
        [*_KEY, "account_uid", "repost_of"],
        reader,
    )


def _with_repost_of(works: pd.DataFrame, reposts: pd.DataFrame) -> pd.DataFrame:
    """``works`` with each one's ``repost_of``: a counted work with one is a stored repost
    under the same cuts, so it is among ``reposts`` (ids unique per platform)."""
    out = works[[*_KEY, "account_uid", "content_type"]].copy()
    original = pd.Series(
        reposts["repost_of"].to_numpy(dtype=object),
        index=pd.MultiIndex.from_arrays([reposts["platform"], reposts["platform_post_id"]]),
        dtype=object,
    )
    if len(original) and len(out):
        at = pd.MultiIndex.from_arrays([out["platform"], out["platform_post_id"]])
        found = original.reindex(at).to_numpy(dtype=object)
        out["repost_of"] = pd.Series(found, dtype=object).where(pd.notna(found), None).to_numpy()
    else:
        out["repost_of"] = pd.Series([None] * len(out), dtype=object).to_numpy()
    return out


def unreported_rows(
    conn: Connection,
    campaign: str | int,
    *,
    as_of: datetime | None = None,
    works: pd.DataFrame | None = None,
) -> UnreportedRows:
    """The accounts with a counted campaign work, the units named by submissions, and the
    registry with its contacts (``person``); with ``as_of``, as they stood then (works
    published and first seen by the cut, submissions linked by it). ``works``: the counted
    works under the same cut, already read (platform, account_uid)."""
    cid = campaign_id(conn, campaign)
    if works is None:
        works = _work_accounts(conn, cid, as_of)
    works = works[["platform", "account_uid"]].drop_duplicates(ignore_index=True)
    linked = [] if as_of is None else [or_(PC.c.linked_at.is_(None), PC.c.linked_at <= as_of)]
    submissions = _rows(
        conn,
        select(PC.c.matched_value)
        .where(PC.c.campaign_id == cid, PC.c.matched_by == "submission", *linked)
        .distinct(),
        ["matched_value"],
    )
    account_units, units = _registry(conn, person=True)
    return UnreportedRows(works, submissions, account_units, units)


def _work_accounts(conn: Connection, cid: int, as_of: datetime | None) -> pd.DataFrame:
    """(platform, account_uid) of every counted work, repeated as often as the works."""
    # Distinct in pandas: asked for DISTINCT, SQLite walks post's account index and fetches
    # every row out of order (11 s at a million works against 2.7 s for the plain scan).
    with columnar_reader(conn) as reader:
        return _rows(
            conn,
            select(P.c.platform, P.c.account_uid)
            .join(
                PC,
                (PC.c.platform == P.c.platform) & (PC.c.platform_post_id == P.c.platform_post_id),
            )
            .where(
                PC.c.campaign_id == cid,
                PC.c.excluded.is_(False),
                P.c.deleted.is_(False),
                *_known_by(as_of),
            ),
            ["platform", "account_uid"],
            reader,
        )


def week_rows(conn: Connection, campaign_id: int, until: datetime | None = None) -> WeekRows:
    """The counted works of a campaign, their snapshots up to ``until`` and the as-of time
    (``until``, else the latest snapshot)."""
    with columnar_reader(conn) as reader:
        return _week_rows(conn, campaign_id, until, reader)


def _week_rows(
    conn: Connection, campaign_id: int, until: datetime | None, reader: ColumnarReader | None
) -> WeekRows:
    link = and_(PC.c.platform == P.c.platform, PC.c.platform_post_id == P.c.platform_post_id)
    counted = [PC.c.campaign_id == campaign_id, PC.c.excluded.is_(False), P.c.deleted.is_(False)]
    works = columnar_frame(
        conn,
        select(P.c.platform, P.c.platform_post_id, P.c.account_uid, raw_text(P.c.published_at))
        .join(PC, link)
        .where(*counted),
        times=("published_at",),
        reader=reader,
    )
    snap_link = and_(PC.c.platform == S.c.platform, PC.c.platform_post_id == S.c.platform_post_id)
    stmt = (
        select(
            S.c.platform,
            S.c.platform_post_id,
            raw_text(S.c.captured_at),
            *[S.c[m] for m in WEEK_METRICS],
        )
        .join(PC, snap_link)
        .where(PC.c.campaign_id == campaign_id, PC.c.excluded.is_(False))
    )
    if until is not None:
        stmt = stmt.where(S.c.captured_at <= until)
    snaps = columnar_frame(conn, stmt, times=("captured_at",), ints=WEEK_METRICS, reader=reader)
    return WeekRows(works, snaps, until if until is not None else latest_capture(conn))


def latest_capture(conn: Connection) -> datetime | None:
    """The latest snapshot's time in the store (week over week's default as-of), or None."""
    latest = conn.execute(select(func.max(S.c.captured_at))).scalar()
    return pd.Timestamp(latest).to_pydatetime() if latest is not None else None
