"""Which stored comments may count as a campaign's participation (作品互动), and its tags.

The rows only: whether a comment counts (its work a campaign work, not excluded, not deleted;
or, on the platforms where the notice admits it, the comment itself tagged) is decided in
pure pandas by ``tracker.membership.participation``, which calls this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Connection, and_, exists, false, func, or_, select

from tracker.store.models import Campaign, Comment, Post, PostCampaign
from tracker.store.registry import campaign_id

__all__ = ["COMMENT_COLUMNS", "CommentRows", "participation_comments"]

C = Comment.__table__
P = Post.__table__
PC = PostCampaign.__table__
CAMPAIGN = Campaign.__table__

COMMENT_COLUMNS = [
    "platform",
    "platform_post_id",
    "commenter_uid",
    "comment_id",
    "hashtags",
    "text",
    "work_deleted",
]


@dataclass(slots=True)
class CommentRows:
    comments: pd.DataFrame
    """One row per comment (``COMMENT_COLUMNS``), object dtype except ``work_deleted`` (bool)."""
    tags: list[str]
    """The campaign's tag spellings and aliases, as stored with the campaign."""


def _in_window(window: tuple[datetime, datetime] | None) -> list[Any]:
    if window is None:
        return []
    start, end = window
    return [or_(C.c.published_at.is_(None), C.c.published_at.between(start, end))]


def _known_by(as_of: datetime | None) -> list[Any]:
    """Comments published and first seen at or before the cut (unknown times are kept), as
    posts are cut."""
    if as_of is None:
        return []
    return [
        or_(C.c.published_at.is_(None), C.c.published_at <= as_of),
        or_(C.c.first_seen_at.is_(None), C.c.first_seen_at <= as_of),
    ]


def participation_comments(
    conn: Connection,
    campaign: str | int,
    *,
    tagged_platforms: Sequence[str] = (),
    window: tuple[datetime, datetime] | None = None,
    as_of: datetime | None = None,
) -> CommentRows:
    """Comments that name their commenter and are on a work linked to ``campaign`` (excluded
    ones too, so the caller can tell), plus every comment on ``tagged_platforms`` that may
    carry a tag (tags stored, or a '#' in its text), wherever it was written.

    ``window`` keeps comments published inside it; ``as_of`` leaves out comments published or
    first seen after it (unknown times are kept). ``work_deleted`` says the work is stored as
    deleted (an unstored work is not known to be deleted).
    """
    cid = campaign_id(conn, campaign)
    on_campaign_work = exists().where(
        PC.c.platform == C.c.platform,
        PC.c.platform_post_id == C.c.platform_post_id,
        PC.c.campaign_id == cid,
    )
    candidates: list[ColumnElement[bool]] = [on_campaign_work]
    if tagged_platforms:
        candidates.append(
            and_(
                C.c.platform.in_(list(tagged_platforms)),
                or_(
                    C.c.hashtags.is_not(None),
                    C.c.text.contains("#", autoescape=True),
                    C.c.text.contains("＃", autoescape=True),
                ),
            )
        )
    work = and_(P.c.platform == C.c.platform, P.c.platform_post_id == C.c.platform_post_id)
    stmt = (
        select(
            C.c.platform,
            C.c.platform_post_id,
            C.c.commenter_uid,
            C.c.platform_comment_id,
            C.c.hashtags,
            C.c.text,
            func.coalesce(P.c.deleted, false()),
        )
        .select_from(C.outerjoin(P, work))
        .where(
            C.c.commenter_uid.is_not(None),
            or_(*candidates),
            *_in_window(window),
            *_known_by(as_of),
        )
        .order_by(C.c.platform, C.c.platform_comment_id)
    )
    rows = conn.execute(stmt).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=COMMENT_COLUMNS).astype("object")
    frame["work_deleted"] = frame["work_deleted"].astype("bool")
    tags = conn.execute(select(CAMPAIGN.c.tags).where(CAMPAIGN.c.id == cid)).scalar()
    return CommentRows(frame, [t for t in (tags or []) if isinstance(t, str)])
