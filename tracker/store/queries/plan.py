"""What ``tracker plan`` reads: recent works, accounts and long texts per platform, the refresh
candidates, and the recent runs' request records (the plan's arithmetic is in the service)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, select

from tracker.store.models import MetricSnapshot, Post, PostCampaign, Run
from tracker.store.queries.refresh import refreshable

__all__ = [
    "PlanCounts",
    "comment_growth",
    "plan_counts",
    "post_authors",
    "refresh_candidate_rows",
    "run_details",
]

POST = Post.__table__
LINK = PostCampaign.__table__
SNAPSHOT = MetricSnapshot.__table__
RUN = Run.__table__

PlanCounts = dict[str, dict[str, int]]
"""Per measure (works_recent, long_texts_recent, works_stored, authors_recent), per platform."""


def _by_platform(conn: Connection, query: Any) -> dict[str, int]:
    return {platform: int(n) for platform, n in conn.execute(query)}


def plan_counts(
    conn: Connection, since: datetime, now: datetime, long_text_chars: int
) -> PlanCounts:
    """Works first collected, long texts among them and their distinct authors in [since, now],
    and every stored post, per platform.

    Authors, not accounts first seen: the comment stage stores every commenter as an account,
    and the collection never reads a commenter's profile."""
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
        "authors_recent": _by_platform(
            conn,
            select(POST.c.platform, func.count(func.distinct(POST.c.account_uid)))
            .where(recent)
            .group_by(POST.c.platform),
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


def comment_growth(conn: Connection, platform: str, post_ids: Iterable[str]) -> dict[str, int]:
    """Per work of ``post_ids``: its comment count in its latest snapshot less the one in the
    snapshot before (works without two known counts are absent)."""
    wanted = set(post_ids)
    if not wanted:
        return {}
    ranked = (
        select(
            SNAPSHOT.c.platform_post_id,
            SNAPSHOT.c.comments,
            func.row_number()
            .over(partition_by=SNAPSHOT.c.platform_post_id, order_by=SNAPSHOT.c.captured_at.desc())
            .label("n"),
        )
        .where(SNAPSHOT.c.platform == platform, SNAPSHOT.c.comments.is_not(None))
        .subquery()
    )
    last: dict[str, list[int]] = {}
    query = select(ranked).where(ranked.c.n <= 2).order_by(ranked.c.platform_post_id, ranked.c.n)
    for post_id, comments, _n in conn.execute(query):
        if str(post_id) in wanted:
            last.setdefault(str(post_id), []).append(int(comments))
    return {k: v[0] - v[1] for k, v in last.items() if len(v) == 2}


def post_authors(
    conn: Connection, platform: str, post_ids: Iterable[str]
) -> dict[str, tuple[str | None, datetime | None]]:
    """(author uid, publish time) of each stored work of ``post_ids``."""
    ids = list(dict.fromkeys(post_ids))
    out: dict[str, tuple[str | None, datetime | None]] = {}
    for start in range(0, len(ids), 500):
        query = select(POST.c.platform_post_id, POST.c.account_uid, POST.c.published_at).where(
            POST.c.platform == platform, POST.c.platform_post_id.in_(ids[start : start + 500])
        )
        out.update((str(r[0]), (r[1], r[2])) for r in conn.execute(query))
    return out
