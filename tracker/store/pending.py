"""Post details (``records.PostDetail``) in the store: completing stored posts, or waiting.

A detail never creates a post. The ingest layer asks here which of its details' posts exist,
completes those (text, tags, context, author; the fingerprint follows the text) and parks the
rest in ``pending_detail`` until their post is stored. Everything is keyed by (platform, post
id) and holds platform-neutral fields only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from tracker.normalize.fingerprint import content_fingerprint
from tracker.records import Metrics, PostDetail, PostRecord, read_lower_bounds
from tracker.store.models import PendingDetail, Post
from tracker.store.upsert import batched

PENDING_T: Table = PendingDetail.__table__
POST_T: Table = Post.__table__

__all__ = [
    "latest_details",
    "pending_platforms",
    "save_pending",
    "stored_posts",
    "take_pending",
    "update_completed",
]


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def latest_details(details: Iterable[PostDetail]) -> list[PostDetail]:
    """One detail per post: the latest capture (ties: the last given), in first-seen order."""
    best: dict[tuple[str, str], PostDetail] = {}
    for detail in details:
        current = best.get(detail.key)
        if current is None or detail.captured_at >= current.captured_at:
            best[detail.key] = detail
    return list(best.values())


def pending_platforms(conn: Connection) -> set[str]:
    """Platforms with details waiting (lets a store skip the lookup for all others)."""
    return set(conn.execute(select(PENDING_T.c.platform).distinct()).scalars())


def _detail_row(detail: PostDetail, run_id: int | None) -> dict[str, Any]:
    return {
        "platform": detail.platform,
        "platform_post_id": detail.platform_post_id,
        "captured_at": detail.captured_at,
        "account_uid": detail.account_uid,
        "text": detail.text,
        "hashtags": list(detail.hashtags) or None,
        "context": dict(detail.context) or None,
        "source": detail.source,
        "run_id": run_id,
    }


def save_pending(conn: Connection, details: Sequence[PostDetail], *, run_id: int | None) -> int:
    """Park ``details`` (one per post); a stored detail is only replaced by a newer capture."""
    if not details:
        return 0
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(PENDING_T)
    cols = ("captured_at", "account_uid", "text", "hashtags", "context", "source", "run_id")
    stmt = insert.on_conflict_do_update(
        index_elements=["platform", "platform_post_id"],
        set_={c: insert.excluded[c] for c in cols},
        where=insert.excluded.captured_at >= PENDING_T.c.captured_at,
    )
    rows = [_detail_row(d, run_id) for d in latest_details(details)]
    conn.execute(stmt, rows)
    return len(rows)


def _in_keys(table: Table, keys: Sequence[tuple[str, str]]) -> Any:
    return tuple_(table.c.platform, table.c.platform_post_id).in_(list(keys))


def take_pending(conn: Connection, keys: Iterable[tuple[str, str]]) -> list[PostDetail]:
    """The details waiting for ``keys``, removed from the table (the caller applies them)."""
    wanted = sorted(set(keys))
    found: list[PostDetail] = []
    for part in batched(wanted, 400):
        for row in conn.execute(select(PENDING_T).where(_in_keys(PENDING_T, part))).mappings():
            found.append(
                PostDetail(
                    platform=row["platform"],
                    platform_post_id=row["platform_post_id"],
                    captured_at=_aware(row["captured_at"]) or datetime.now(UTC),
                    account_uid=row["account_uid"],
                    text=row["text"],
                    hashtags=list(row["hashtags"] or []),
                    context=dict(row["context"] or {}),
                    source=row["source"],
                )
            )
        if found:
            conn.execute(delete(PENDING_T).where(_in_keys(PENDING_T, part)))
    return found


def _stored_record(row: Any) -> PostRecord:
    """A stored post as a record, so it can be completed and matched like a parsed one."""
    captured = _aware(row["last_collected_at"] or row["first_collected_at"]) or datetime.now(UTC)
    return PostRecord(
        platform=row["platform"],
        platform_post_id=row["platform_post_id"],
        captured_at=captured,
        account_uid=row["account_uid"],
        url=row["url"],
        title=row["title"],
        text=row["text"],
        content_type=row["content_type"],
        published_at=_aware(row["published_at"]),
        published_at_source=row["published_at_source"] if row["published_at"] else None,
        hashtags=list(row["hashtags"] or []),
        repost_of=row["repost_of"],
        duration_s=row["duration_s"],
        metrics=Metrics(
            views=row["views"],
            likes=row["likes"],
            comments=row["comments"],
            shares=row["shares"],
            favorites=row["favorites"],
            lower_bounds=read_lower_bounds(row["lower_bounds"]),
        ),
        source=row["source"],
        deleted=bool(row["deleted"]),
        context=dict(row["context"] or {}),
    )


def stored_posts(
    conn: Connection, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], PostRecord]:
    """The stored posts among ``keys``, as records."""
    found: dict[tuple[str, str], PostRecord] = {}
    for part in batched(sorted(set(keys)), 400):
        for row in conn.execute(select(POST_T).where(_in_keys(POST_T, part))).mappings():
            record = _stored_record(row)
            found[record.key] = record
    return found


def update_completed(conn: Connection, posts: Sequence[PostRecord]) -> int:
    """Write the fields a detail completes onto stored posts; nothing else changes (counts,
    times, source and ``last_collected_at`` stay the post's own)."""
    if not posts:
        return 0
    t = POST_T
    stmt = (
        update(t)
        .where(
            and_(t.c.platform == bindparam("k_platform"), t.c.platform_post_id == bindparam("k_id"))
        )
        .values(
            text=bindparam("text"),
            hashtags=bindparam("hashtags", type_=t.c.hashtags.type),
            context=bindparam("context", type_=t.c.context.type),
            account_uid=bindparam("account_uid"),
            fingerprint=bindparam("fingerprint"),
        )
    )
    rows = [
        {
            "k_platform": p.platform,
            "k_id": p.platform_post_id,
            "text": p.text,
            "hashtags": list(p.hashtags) or None,
            "context": dict(p.context) or None,
            "account_uid": p.account_uid,
            "fingerprint": content_fingerprint(p.title, p.text),
        }
        for p in posts
    ]
    conn.execute(stmt, rows)
    return len(rows)
