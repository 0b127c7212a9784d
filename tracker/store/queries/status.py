"""What the database holds, per platform: posts, campaign works, accounts, the latest run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from tracker.store.models import Account, Post, PostCampaign, Reject, Run

__all__ = ["StoreCounts", "store_counts"]

POST = Post.__table__
ACCOUNT = Account.__table__
RUN = Run.__table__
LINK = PostCampaign.__table__
REJECT = Reject.__table__


@dataclass(slots=True)
class StoreCounts:
    posts: dict[str, int] = field(default_factory=dict)
    campaign_posts: dict[str, int] = field(default_factory=dict)
    """Distinct works linked (not excluded) to any campaign."""
    accounts: dict[str, int] = field(default_factory=dict)
    latest_runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The latest run row of each platform, as a mapping of its columns."""
    rejects: int = 0


def store_counts(conn: Connection) -> StoreCounts:
    """Per-platform counts and latest runs: a few grouped queries, never a row per post."""
    out = StoreCounts()
    for platform, n in conn.execute(
        select(POST.c.platform, func.count()).group_by(POST.c.platform)
    ):
        out.posts[platform] = int(n)
    q = (
        select(LINK.c.platform, func.count(func.distinct(LINK.c.platform_post_id)))
        .where(LINK.c.excluded.is_(False))
        .group_by(LINK.c.platform)
    )
    for platform, n in conn.execute(q):
        out.campaign_posts[platform] = int(n)
    for platform, n in conn.execute(
        select(ACCOUNT.c.platform, func.count()).group_by(ACCOUNT.c.platform)
    ):
        out.accounts[platform] = int(n)
    latest = (
        select(RUN.c.platform, func.max(RUN.c.id).label("id"))
        .where(RUN.c.platform.is_not(None))
        .group_by(RUN.c.platform)
        .subquery()
    )
    for row in conn.execute(select(RUN).join(latest, RUN.c.id == latest.c.id)):
        out.latest_runs[row.platform] = dict(row._mapping)
    out.rejects = int(conn.execute(select(func.count()).select_from(REJECT)).scalar_one())
    return out
