"""Records as the value tuples the upsert binds, built in one pass per page.

The ingest's cost above the driver is Python work per row, so this module does as little of
it as it can: each record becomes its tuple in one expression (no dict per row, no dispatch
per value), values that repeat across a page (the capture time, the tag list) are converted
once, a post and its snapshot share their converted values, and the check for duplicate keys
is one set over the page. The tuples are in the column orders below, which are the orders of
the upsert statements' parameters (``tracker.store.upsert`` checks that when it compiles them).

What a value becomes depends on the database (:class:`Binder`): SQLite gets what SQLAlchemy's
types would have bound (UTC text without offset, JSON text, 0/1), PostgreSQL's COPY gets aware
datetimes, JSON text and booleans. ``tracker.store.upsert.post_row`` and friends stay the
readable definition of each column; the tests hold these tuples to them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from tracker.normalize.fingerprint import content_fingerprint
from tracker.records import AccountRecord, CampaignLink, PostRecord

__all__ = [
    "ACCOUNT_COLS",
    "ACCOUNT_KEY",
    "ACCOUNT_ORDER",
    "ACCOUNT_UNIT_COLS",
    "ACCOUNT_UNIT_KEY",
    "ACCOUNT_UNIT_ORDER",
    "LINK_COLS",
    "LINK_KEY",
    "LINK_ORDER",
    "METRICS",
    "PG",
    "POST_COLS",
    "POST_KEY",
    "POST_ORDER",
    "SNAPSHOT_COLS",
    "SNAPSHOT_KEY",
    "SNAPSHOT_ORDER",
    "SQLITE",
    "Binder",
    "Row",
    "account_tuples",
    "account_unit_tuples",
    "dedupe_tuples",
    "link_tuples",
    "post_and_snapshot_tuples",
    "sqlite_time",
]

METRICS = ("views", "likes", "comments", "shares", "favorites")

ACCOUNT_COLS = (
    "platform",
    "platform_uid",
    "name",
    "url",
    "followers",
    "verified",
    "verify_type",
    "first_seen_at",
    "last_seen_at",
)
POST_COLS = (
    "platform",
    "platform_post_id",
    "account_uid",
    "url",
    "title",
    "text",
    "content_type",
    "published_at",
    "published_at_source",
    "hashtags",
    "repost_of",
    "duration_s",
    *METRICS,
    "lower_bounds",
    "first_collected_at",
    "last_collected_at",
    "source",
    "deleted",
    "fingerprint",
    "context",
)
SNAPSHOT_COLS = (
    "platform",
    "platform_post_id",
    "captured_at",
    *METRICS,
    "lower_bounds",
    "followers_at_capture",
    "source",
    "run_id",
)
LINK_COLS = (
    "platform",
    "platform_post_id",
    "campaign_id",
    "matched_by",
    "matched_value",
    "excluded",
    "linked_at",
)
ACCOUNT_UNIT_COLS = ("platform", "platform_uid", "unit_id", "source")

# Where the dedupe keys and their "newest" values sit in the tuples above.
ACCOUNT_KEY, ACCOUNT_ORDER = (0, 1), ACCOUNT_COLS.index("last_seen_at")
POST_KEY, POST_ORDER = (0, 1), POST_COLS.index("last_collected_at")
SNAPSHOT_KEY, SNAPSHOT_ORDER = (0, 1, 2), SNAPSHOT_COLS.index("captured_at")
LINK_KEY, LINK_ORDER = (0, 1, 2), LINK_COLS.index("linked_at")
ACCOUNT_UNIT_KEY, ACCOUNT_UNIT_ORDER = (0, 1, 2), ACCOUNT_UNIT_COLS.index("source")

Row = tuple[Any, ...]


def sqlite_time(value: datetime) -> str:
    """A datetime as SQLAlchemy's SQLite ``DateTime`` stores it: UTC, no offset, microseconds.

    ``isoformat`` is one C call (its ``+00:00`` cut off); the UTC case, every record's times,
    skips ``astimezone``.
    """
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


def _pg_time(value: datetime) -> datetime:
    """Aware datetimes go to COPY as they are; a naive one is read as local time, as
    :func:`sqlite_time` reads it, so both databases store the same instant."""
    return value if value.tzinfo is not None else value.astimezone(UTC)


def _sqlite_flag(value: Any) -> int:
    return 1 if value else 0


def _pg_flag(value: Any) -> bool:
    return bool(value)


def _sqlite_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Binder:
    """What one database takes for the values its SQLAlchemy types would otherwise convert.

    ``json`` follows what each path stored before: readable text on SQLite (the fast path's
    choice), SQLAlchemy's default ``json.dumps`` on PostgreSQL.
    """

    time: Callable[[datetime], Any]
    json: Callable[[Any], str]
    flag: Callable[[Any], Any]


SQLITE = Binder(time=sqlite_time, json=_sqlite_json, flag=_sqlite_flag)
PG = Binder(time=_pg_time, json=json.dumps, flag=_pg_flag)


def account_tuples(
    accounts: Sequence[AccountRecord], seen_at: datetime, binder: Binder
) -> list[Row]:
    """Accounts in ``ACCOUNT_COLS`` order; an account not stamped with its own time is seen
    at ``seen_at`` (first and last seen alike: the upsert keeps a stored first sighting)."""
    time, flag = binder.time, binder.flag
    times: dict[datetime, Any] = {}
    out: list[Row] = []
    append = out.append
    for a in accounts:
        when = a.seen_at or seen_at
        when_v = times.get(when)
        if when_v is None:
            when_v = times[when] = time(when)
        verified = a.verified
        append(
            (
                a.platform,
                a.platform_uid,
                a.name,
                a.url,
                a.followers,
                None if verified is None else flag(verified),
                a.verify_type,
                when_v,
                when_v,
            )
        )
    return out


def post_and_snapshot_tuples(
    posts: Sequence[PostRecord],
    run_id: int | None,
    fingerprints: dict[tuple[str, str], str] | None,
    binder: Binder,
) -> tuple[list[Row], list[Row]]:
    """Posts in ``POST_COLS`` order and, for each post that carries a count, its snapshot in
    ``SNAPSHOT_COLS`` order. A post's fingerprint is taken from ``fingerprints`` when given
    there, else computed from its title and text (every stored post has one)."""
    time, to_json, flag = binder.time, binder.json, binder.flag
    fps = fingerprints or {}
    times: dict[datetime, Any] = {}
    tag_texts: dict[tuple[str, ...], str] = {}
    post_out: list[Row] = []
    snap_out: list[Row] = []
    add_post, add_snap = post_out.append, snap_out.append
    for p in posts:
        m = p.metrics
        platform, post_id = p.platform, p.platform_post_id
        captured = times.get(p.captured_at)
        if captured is None:
            captured = times[p.captured_at] = time(p.captured_at)
        published = p.published_at
        tags = p.hashtags
        if tags:
            key = tuple(tags)
            tags_v = tag_texts.get(key)
            if tags_v is None:
                tags_v = tag_texts[key] = to_json(list(tags))
        else:
            tags_v = None
        fp = fps.get((platform, post_id)) if fps else None
        if fp is None:
            fp = content_fingerprint(p.title, p.text)
        floors = m.lower_bounds
        floors_v = ",".join(sorted(floors)) if floors else None
        views, likes, comments, shares, favorites = (
            m.views,
            m.likes,
            m.comments,
            m.shares,
            m.favorites,
        )
        deleted = p.deleted
        add_post(
            (
                platform,
                post_id,
                p.account_uid,
                p.url,
                p.title,
                p.text,
                p.content_type,
                None if published is None else time(published),
                p.published_at_source,
                tags_v,
                p.repost_of,
                p.duration_s,
                views,
                likes,
                comments,
                shares,
                favorites,
                floors_v,
                captured,
                captured,
                p.source,
                None if deleted is None else flag(deleted),
                fp,
                to_json(dict(p.context)) if p.context else None,
            )
        )
        followers = p.followers_at_capture
        if (
            views is not None
            or likes is not None
            or comments is not None
            or shares is not None
            or favorites is not None
            or followers is not None
        ):
            add_snap(
                (
                    platform,
                    post_id,
                    captured,
                    views,
                    likes,
                    comments,
                    shares,
                    favorites,
                    floors_v,
                    followers,
                    p.source,
                    run_id,
                )
            )
    return post_out, snap_out


def link_tuples(
    links: Sequence[CampaignLink], campaign_ids: dict[str, int], linked_at: datetime, binder: Binder
) -> list[Row]:
    """Campaign links in ``LINK_COLS`` order; a link to a campaign not in the database is a
    caller's bug, raised before anything is written."""
    when = binder.time(linked_at)
    not_excluded = binder.flag(False)
    out: list[Row] = []
    for link in links:
        if link.campaign not in campaign_ids:
            raise KeyError(f"campaign {link.campaign!r} is not in the database")
        out.append(
            (
                link.platform,
                link.platform_post_id,
                campaign_ids[link.campaign],
                link.matched_by,
                link.matched_value,
                not_excluded,
                when,
            )
        )
    return out


def account_unit_tuples(account_units: Sequence[tuple[str, str, int]]) -> list[Row]:
    """Unit memberships in ``ACCOUNT_UNIT_COLS`` order (all from submissions)."""
    return [(p, u, unit, "submission") for p, u, unit in account_units]


def dedupe_tuples(rows: list[Row], key: tuple[int, ...], order: int) -> list[Row]:
    """One row per key: the one with the greatest ``order`` value (ties: the last seen).

    PostgreSQL refuses a key twice in one upsert; on SQLite the rows would apply one after
    the other and an older row's counts could fill a newer row's gaps. Order values are
    comparable as they are (UTC text of one width on SQLite, aware datetimes on PostgreSQL).
    """
    getter = itemgetter(*key)
    if len(set(map(getter, rows))) == len(rows):
        return rows  # the common case: a page has no duplicates
    best: dict[Any, Row] = {}
    for row in rows:
        k = getter(row)
        current = best.get(k)
        if current is None or _newer_or_equal(row[order], current[order]):
            best[k] = row
    return list(best.values())


def _newer_or_equal(a: Any, b: Any) -> bool:
    if b is None:
        return True
    if a is None:
        return False
    return bool(a >= b)
