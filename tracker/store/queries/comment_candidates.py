"""Which stored works may have their comments read today, and which were read lately.

The rows only: the order of reasons, the daily number and the re-read rule are pure rules of
``tracker.services.comment_choice``. A row is ``(post id, stored URL, stored comment count)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, func, select

from tracker.store.models import AccountUnit, Post, PostCampaign, Run
from tracker.store.queries.refresh import INTERACTIONS

__all__ = [
    "COMMENT_RUN_KIND",
    "WorkRow",
    "recent_comment_reads",
    "registry_campaign_works",
    "stored_works",
    "top_campaign_works",
]

POST = Post.__table__
LINK = PostCampaign.__table__
ACCOUNT_UNIT = AccountUnit.__table__
RUN = Run.__table__

COMMENT_RUN_KIND = "comments"
"""The run kind of a comment reading; its ``detail.read`` maps each work read completely to
the comment count stored when it was read."""

WorkRow = tuple[str, str | None, int | None]


def _interactions() -> Any:
    """likes + comments + shares + favourites as stored, unknown counted as nothing (the
    refresh's ranking of works near the cut)."""
    terms: list[ColumnElement[Any]] = [func.coalesce(POST.c[m], 0) for m in INTERACTIONS]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _campaign_works(platform: str) -> Any:
    """Campaign works of ``platform`` (linked, not excluded, not deleted), most interactions
    first, then by id (a stable order for equal figures)."""
    linked = exists().where(
        LINK.c.platform == POST.c.platform,
        LINK.c.platform_post_id == POST.c.platform_post_id,
        LINK.c.excluded.is_(False),
    )
    return (
        select(POST.c.platform_post_id, POST.c.url, POST.c.comments)
        .where(POST.c.platform == platform, POST.c.deleted.is_(False), linked)
        .order_by(_interactions().desc(), POST.c.platform_post_id)
    )


def _rows(conn: Connection, query: Any) -> list[WorkRow]:
    return [(str(r[0]), r[1], None if r[2] is None else int(r[2])) for r in conn.execute(query)]


def top_campaign_works(conn: Connection, platform: str, limit: int) -> list[WorkRow]:
    """The ``limit`` campaign works of ``platform`` with the most interactions (likes,
    comments, shares, favourites as stored; unknown counted as nothing)."""
    return _rows(conn, _campaign_works(platform).limit(limit))


def registry_campaign_works(conn: Connection, platform: str, limit: int) -> list[WorkRow]:
    """Campaign works of ``platform`` whose author is a registry account (linked to a unit),
    most interactions first, at most ``limit``."""
    by_registry = exists().where(
        and_(
            ACCOUNT_UNIT.c.platform == POST.c.platform,
            ACCOUNT_UNIT.c.platform_uid == POST.c.account_uid,
        )
    )
    return _rows(conn, _campaign_works(platform).where(by_registry).limit(limit))


def stored_works(conn: Connection, platform: str, post_ids: Sequence[str]) -> dict[str, WorkRow]:
    """The given works of ``platform`` as stored (any campaign or none), by id; a work not
    stored is absent."""
    out: dict[str, WorkRow] = {}
    ids = list(dict.fromkeys(post_ids))
    for start in range(0, len(ids), 500):
        query = select(POST.c.platform_post_id, POST.c.url, POST.c.comments).where(
            POST.c.platform == platform, POST.c.platform_post_id.in_(ids[start : start + 500])
        )
        out.update((row[0], row) for row in _rows(conn, query))
    return out


def recent_comment_reads(conn: Connection, platform: str, since: datetime) -> dict[str, int | None]:
    """Works of ``platform`` whose comments a run started at or after ``since`` read
    completely, with the comment count stored when they were read (the latest run wins)."""
    query = (
        select(RUN.c.detail)
        .where(
            RUN.c.platform == platform,
            RUN.c.kind == COMMENT_RUN_KIND,
            RUN.c.started_at >= since,
        )
        .order_by(RUN.c.id)
    )
    reads: dict[str, int | None] = {}
    for (detail,) in conn.execute(query):
        read = detail.get("read") if isinstance(detail, dict) else None
        if not isinstance(read, dict):
            continue
        for post_id, count in read.items():
            ok = isinstance(count, int) and not isinstance(count, bool)
            reads[str(post_id)] = count if ok else None
    return reads
