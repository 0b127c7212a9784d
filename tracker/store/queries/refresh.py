"""What a metric refresh reads: its candidates and what orders them under a request budget."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, func, or_, select

from tracker.store.models import MetricSnapshot, Post, PostCampaign

__all__ = [
    "interaction_ranks",
    "last_two_totals",
    "post_urls",
    "published_times",
    "recent_follower_readings",
    "refresh_candidates",
    "refreshable",
    "stored_interactions",
    "stored_text_chars",
]

POST = Post.__table__
LINK = PostCampaign.__table__
SNAPSHOT = MetricSnapshot.__table__

INTERACTIONS = ("likes", "comments", "shares", "favorites")
"""The metrics a work's raw interactions add up (unweighted, unknown counted as nothing)."""


def _raw_sum(table: Any) -> ColumnElement[Any]:
    """likes + comments + shares + favourites of a row, unknown counted as nothing."""
    terms = [func.coalesce(table.c[m], 0) for m in INTERACTIONS]
    total: ColumnElement[Any] = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def refreshable(stmt: Select[Any], published_since: datetime) -> Select[Any]:
    """``stmt`` over the works a refresh reads: linked to a campaign and not excluded, not
    deleted, published since ``published_since`` or of unknown time (the refresh is how an
    undated work gets its time)."""
    return stmt.join(
        LINK,
        and_(
            LINK.c.platform == POST.c.platform,
            LINK.c.platform_post_id == POST.c.platform_post_id,
        ),
    ).where(
        POST.c.deleted.is_(False),
        LINK.c.excluded.is_(False),
        or_(POST.c.published_at >= published_since, POST.c.published_at.is_(None)),
    )


def refresh_candidates(
    conn: Connection, platform: str, published_since: datetime
) -> list[tuple[str, str | None]]:
    """(post id, url) of ``platform``'s campaign works, not deleted, not excluded, published
    since ``published_since`` or of unknown time, in id order."""
    q = (
        refreshable(select(POST.c.platform_post_id, POST.c.url), published_since)
        .where(POST.c.platform == platform)
        .distinct()
        .order_by(POST.c.platform_post_id)
    )
    return [(str(row[0]), row[1]) for row in conn.execute(q)]


def interaction_ranks(conn: Connection, platform: str) -> dict[str, tuple[datetime | None, int]]:
    """Per campaign work of ``platform``: (published_at, rank by latest raw interactions)."""
    interactions = _raw_sum(POST)
    ranked = select(
        POST.c.platform_post_id,
        POST.c.published_at,
        func.rank().over(order_by=interactions.desc()).label("rank"),
    ).where(
        POST.c.platform == platform,
        POST.c.deleted.is_(False),
        POST.c.platform_post_id.in_(
            select(LINK.c.platform_post_id).where(
                LINK.c.platform == platform, LINK.c.excluded.is_(False)
            )
        ),
    )
    return {str(r[0]): (r[1], int(r[2])) for r in conn.execute(ranked)}


def last_two_totals(conn: Connection, platform: str, wanted: set[str]) -> dict[str, list[int]]:
    """Per wanted work: the raw interactions of its latest and previous snapshot, latest first."""
    total = _raw_sum(SNAPSHOT)
    recent = (
        select(
            SNAPSHOT.c.platform_post_id,
            total.label("total"),
            func.row_number()
            .over(partition_by=SNAPSHOT.c.platform_post_id, order_by=SNAPSHOT.c.captured_at.desc())
            .label("n"),
        )
        .where(SNAPSHOT.c.platform == platform)
        .subquery()
    )
    totals: dict[str, list[int]] = {}
    rows = conn.execute(
        select(recent).where(recent.c.n <= 2).order_by(recent.c.platform_post_id, recent.c.n)
    )
    for post_id, value, _n in rows:
        if post_id in wanted:
            totals.setdefault(str(post_id), []).append(int(value))
    return totals


def stored_interactions(
    conn: Connection, platform: str, wanted: set[str]
) -> dict[str, dict[str, int | None]]:
    """Per wanted work: its stored likes, comments, shares, favourites (unknown: None), what a
    listing's figures are compared with to tell a work that still grows."""
    cols = [POST.c[m] for m in INTERACTIONS]
    rows = conn.execute(select(POST.c.platform_post_id, *cols).where(POST.c.platform == platform))
    return {
        str(row[0]): dict(zip(INTERACTIONS, row[1:], strict=True))
        for row in rows
        if str(row[0]) in wanted
    }


def post_urls(conn: Connection, platform: str, post_ids: list[str]) -> list[tuple[str, str | None]]:
    """(post id, url) of the given posts of ``platform`` (in batches: SQLite caps the number
    of bound parameters)."""
    out: list[tuple[str, str | None]] = []
    for start in range(0, len(post_ids), 500):
        batch = post_ids[start : start + 500]
        rows = conn.execute(
            select(POST.c.platform_post_id, POST.c.url).where(
                POST.c.platform == platform, POST.c.platform_post_id.in_(batch)
            )
        )
        out.extend((str(r[0]), r[1]) for r in rows)
    return out


def recent_follower_readings(conn: Connection, platform: str, since: datetime) -> dict[str, int]:
    """Per author (account uid) of ``platform``: the follower count of its latest snapshot taken
    after ``since`` that carries one (what a profile read gave), for the authors with such a
    snapshot."""
    latest = (
        select(
            POST.c.account_uid,
            SNAPSHOT.c.followers_at_capture,
            func.row_number()
            .over(partition_by=POST.c.account_uid, order_by=SNAPSHOT.c.captured_at.desc())
            .label("n"),
        )
        .join(
            POST,
            and_(
                POST.c.platform == SNAPSHOT.c.platform,
                POST.c.platform_post_id == SNAPSHOT.c.platform_post_id,
            ),
        )
        .where(
            SNAPSHOT.c.platform == platform,
            SNAPSHOT.c.captured_at > since,
            SNAPSHOT.c.followers_at_capture.is_not(None),
            POST.c.account_uid.is_not(None),
        )
        .subquery()
    )
    rows = conn.execute(
        select(latest.c.account_uid, latest.c.followers_at_capture).where(latest.c.n == 1)
    )
    return {str(uid): int(followers) for uid, followers in rows}


def stored_text_chars(
    conn: Connection, platform: str, published_since: datetime | None
) -> dict[str, int]:
    """Per stored post of ``platform`` published since ``published_since`` (every one when
    None) or of unknown time: the characters of its stored text (posts without one left out)."""
    q = select(POST.c.platform_post_id, func.length(POST.c.text)).where(
        POST.c.platform == platform, POST.c.text.is_not(None)
    )
    if published_since is not None:
        q = q.where(or_(POST.c.published_at >= published_since, POST.c.published_at.is_(None)))
    return {str(post_id): int(n) for post_id, n in conn.execute(q)}


def published_times(conn: Connection, platform: str, since: datetime) -> list[datetime]:
    """Publish times of ``platform``'s stored works, not deleted, published since ``since``
    (what fills the pages of a newest-first listing back to ``since``)."""
    q = select(POST.c.published_at).where(
        POST.c.platform == platform,
        POST.c.deleted.is_(False),
        POST.c.published_at >= since,
    )
    return [row[0] for row in conn.execute(q)]
