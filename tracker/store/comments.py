"""Comments (``records.CommentRecord``) into the store: the one writer of the ``comment`` table.

A comment is keyed by the platform's own id, so the same comment read by a live run, a capture
and a MediaCrawler table is one row. The upsert follows the post table's rules:

- a row is only rewritten by strictly newer data (``last_seen_at``), so storing the same
  comments twice changes nothing and an old capture never hides a fresh like count;
- a NULL in newer data does not erase a known value (``COALESCE``): a door that does not show
  a comment's likes or its commenter says nothing about them;
- ``first_seen_at`` keeps the first capture; ``run_id`` names the run of the data kept.

A comment on a work that is not stored is stored all the same: the work may arrive later, and
participation only counts comments whose work is a campaign work. Batches are deduplicated by
key first (PostgreSQL refuses one key twice in one multi-row upsert); SQLite takes the compiled
``executemany`` fast path the post upsert uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Table, func, or_

from tracker.normalize.text_key import text_keys
from tracker.records import CommentRecord
from tracker.store.models import Comment
from tracker.store.upsert import (
    BATCH_SIZE,
    _CompiledSqlite,
    _dedupe,
    _existing_query,
    _insert_for,
    batched,
)

__all__ = ["COMMENT_COLS", "CommentCounts", "comment_row", "store_comments"]

COMMENT_T: Table = Comment.__table__
KEY = ("platform", "platform_comment_id")

COMMENT_COLS = (
    "platform",
    "platform_comment_id",
    "platform_post_id",
    "parent_comment_id",
    "root_comment_id",
    "commenter_uid",
    "commenter_name",
    "text",
    "hashtags",
    "published_at",
    "likes",
    "reply_count",
    "source",
    "first_seen_at",
    "last_seen_at",
    "run_id",
    "text_key",
    "text_chars",
)
_KEPT_UNLESS_GIVEN = (
    "parent_comment_id",
    "root_comment_id",
    "commenter_uid",
    "commenter_name",
    "text",
    "hashtags",
    "published_at",
    "likes",
    "reply_count",
    "text_key",
    "text_chars",
)
"""Columns a newer capture replaces only with a value (a NULL keeps the stored one)."""


@dataclass(slots=True)
class CommentCounts:
    """What one store did; ``unchanged`` comments were stored already with data as new."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def stored(self) -> int:
        return self.new + self.updated + self.unchanged

    def add(self, other: CommentCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged


def comment_row(rec: CommentRecord, run_id: int | None) -> dict[str, Any]:
    return {
        "platform": rec.platform,
        "platform_comment_id": rec.platform_comment_id,
        "platform_post_id": rec.platform_post_id,
        "parent_comment_id": rec.parent_comment_id,
        "root_comment_id": rec.root_comment_id,
        "commenter_uid": rec.commenter_uid,
        "commenter_name": rec.commenter_name,
        "text": rec.text,
        "hashtags": list(rec.hashtags) or None,
        "published_at": rec.published_at,
        "likes": rec.likes,
        "reply_count": rec.reply_count,
        "source": rec.source,
        "first_seen_at": rec.captured_at,
        "last_seen_at": rec.captured_at,
        "run_id": run_id,
    }


def _key_texts(rows: Sequence[dict[str, Any]]) -> None:
    """Each row's ``text_key`` and ``text_chars`` (NULL without a text), keyed as one batch."""
    with_text = [r for r in rows if r["text"] is not None]
    for row in rows:
        row["text_key"] = row["text_chars"] = None
    if not with_text:
        return
    keys, lengths = text_keys(pd.Series([r["text"] for r in with_text], dtype=object))
    for row, key, length in zip(with_text, keys.tolist(), lengths.tolist(), strict=True):
        row["text_key"], row["text_chars"] = key, length


def _statement(conn: Connection) -> Any:
    stmt = _insert_for(conn, COMMENT_T)
    t = COMMENT_T
    set_: dict[str, Any] = {c: func.coalesce(stmt.excluded[c], t.c[c]) for c in _KEPT_UNLESS_GIVEN}
    set_["platform_post_id"] = stmt.excluded.platform_post_id
    set_["source"] = stmt.excluded.source
    set_["run_id"] = func.coalesce(stmt.excluded.run_id, t.c.run_id)
    set_["last_seen_at"] = stmt.excluded.last_seen_at
    set_["first_seen_at"] = func.coalesce(t.c.first_seen_at, stmt.excluded.first_seen_at)
    return stmt.on_conflict_do_update(
        index_elements=list(KEY),
        set_=set_,
        where=or_(t.c.last_seen_at.is_(None), stmt.excluded.last_seen_at > t.c.last_seen_at),
    )


_CACHE: dict[str, tuple[Any, _CompiledSqlite | None]] = {}


def _statement_for(conn: Connection) -> tuple[Any, _CompiledSqlite | None]:
    """The upsert per dialect, built (and for SQLite compiled) once per process."""
    dialect = conn.dialect.name
    cached = _CACHE.get(dialect)
    if cached is None:
        stmt = _statement(conn)
        compiled = _CompiledSqlite(stmt, COMMENT_COLS) if dialect == "sqlite" else None
        cached = _CACHE[dialect] = (stmt, compiled)
    return cached


def _existing(conn: Connection, rows: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
    by_platform: dict[str, list[str]] = {}
    for row in rows:
        by_platform.setdefault(row["platform"], []).append(row["platform_comment_id"])
    found: set[tuple[str, str]] = set()
    q = _existing_query(COMMENT_T, KEY)
    for platform, ids in by_platform.items():
        for chunk in batched(ids, 900):
            stored = conn.execute(q, {"platform": platform, "ids": list(chunk)})
            found.update((platform, v) for (v,) in stored)
    return found


def _execute(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Rows inserted or rewritten (a row the WHERE refused is not counted)."""
    stmt, compiled = _statement_for(conn)
    if compiled is not None:
        return compiled.run(conn, rows)
    result = conn.execute(stmt.returning(COMMENT_T.c.platform), list(rows))
    return len(result.all())


def store_comments(
    conn: Connection,
    comments: Sequence[CommentRecord],
    *,
    run_id: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> CommentCounts:
    """Upsert ``comments`` in batches; the caller owns the transaction."""
    counts = CommentCounts()
    for chunk in batched(comments, batch_size):
        rows = _dedupe((comment_row(c, run_id) for c in chunk), KEY, "last_seen_at")
        _key_texts(rows)
        before = _existing(conn, rows)
        touched = _execute(conn, rows)
        new = sum(1 for r in rows if (r["platform"], r["platform_comment_id"]) not in before)
        updated = max(touched - new, 0)
        counts.new += new
        counts.updated += updated
        counts.unchanged += len(rows) - new - updated
    return counts
