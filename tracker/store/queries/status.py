"""What the database holds, per platform: posts, accounts, the latest run, rejects.

An inventory of the store, not a campaign figure: a campaign's works are counted by the read
model (``tracker.readmodel.facts``), as ``tracker status`` does."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from tracker.store.models import Account, Post, Reject, Run

__all__ = ["StoreCounts", "store_counts"]

POST = Post.__table__
ACCOUNT = Account.__table__
RUN = Run.__table__
REJECT = Reject.__table__


@dataclass(slots=True)
class StoreCounts:
    posts: dict[str, int] = field(default_factory=dict)
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
