"""What ``tracker plan`` reads: recent works, accounts and long texts per platform, the refresh
candidates, and the recent runs' request records (the plan's arithmetic is in the service)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, select

from tracker.store.models import Account, Post, PostCampaign, Run
from tracker.store.queries.refresh import refreshable

__all__ = ["PlanCounts", "plan_counts", "refresh_candidate_rows", "run_details"]

POST = Post.__table__
LINK = PostCampaign.__table__
ACCOUNT = Account.__table__
RUN = Run.__table__

PlanCounts = dict[str, dict[str, int]]
"""Per measure (works_recent, long_texts_recent, works_stored, accounts_recent), per platform."""


def _by_platform(conn: Connection, query: Any) -> dict[str, int]:
    return {platform: int(n) for platform, n in conn.execute(query)}


def plan_counts(
    conn: Connection, since: datetime, now: datetime, long_text_chars: int
) -> PlanCounts:
    """Works first collected, long texts among them and accounts first seen in [since, now],
    and every stored post, per platform."""
    recent = and_(POST.c.first_collected_at >= since, POST.c.first_collected_at <= now)
    count = func.count()
    return {
        "works_recent": _by_platform(
            conn, select(POST.c.platform, count).where(recent).group_by(POST.c.platform)
        ),
        "long_texts_recent": _by_platform(
            conn,
            select(POST.c.platform, count)
            .where(recent, func.length(POST.c.text) > long_text_chars)
            .group_by(POST.c.platform),
        ),
        "works_stored": _by_platform(
            conn, select(POST.c.platform, count).group_by(POST.c.platform)
        ),
        "accounts_recent": _by_platform(
            conn,
            select(ACCOUNT.c.platform, count)
            .where(ACCOUNT.c.first_seen_at >= since, ACCOUNT.c.first_seen_at <= now)
            .group_by(ACCOUNT.c.platform),
        ),
    }


def run_details(conn: Connection, since: datetime, now: datetime) -> Iterator[tuple[str, Any]]:
    """(platform, detail JSON) of the collect, refresh and comment runs started in [since, now]."""
    query = select(RUN.c.platform, RUN.c.detail).where(
        RUN.c.kind.in_(("collect", "refresh", "comments")),
        RUN.c.platform.is_not(None),
        RUN.c.started_at >= since,
        RUN.c.started_at <= now,
    )
    for row in conn.execute(query):
        yield row[0], row[1]


def refresh_candidate_rows(
    conn: Connection, now: datetime, window: timedelta
) -> Iterator[tuple[str, str, datetime | None, str]]:
    """(platform, post id, published_at, matched_by) of every campaign link of a work the
    refresh would read: not deleted, not excluded, published in the window or of unknown time."""
    query = refreshable(
        select(POST.c.platform, POST.c.platform_post_id, POST.c.published_at, LINK.c.matched_by),
        now - window,
    )
    for row in conn.execute(query):
        yield row[0], row[1], row[2], row[3]
