"""Idempotent bulk ingestion of platform-neutral records.

Everything that enters the database as collected data goes through ``Ingestor.ingest``:
accounts, posts (latest metrics), campaign links and metric snapshots, in batches, with rows
deduplicated by key before each batch (Postgres refuses a key twice in one multi-row upsert).

Rules the statements encode:
- a row is only overwritten by strictly newer data (``last_collected_at`` / ``last_seen_at``), so
  ingesting the same records twice changes nothing and an old capture never hides a fresh count;
- a NULL in newer data does not erase a known value (``COALESCE``): a platform that does not
  expose a metric says nothing about it;
- snapshots are keyed by (work, capture time) and never rewritten;
- campaign links are never rewritten, so a manual exclusion survives later runs;
- a publish time derived from the id or read from a display text never replaces a better one
  (``published_at_source``: field > id > display), however new the capture that brought it;
- a post's ``lower_bounds`` (which counts are floors, "100万+") follows its counts metric by
  metric: a newer figure brings its own mark (an exact figure clears it), a metric the newer
  data does not show keeps the stored figure and the stored mark.

SQLite takes a fast path: the same Core statement compiled once and executed through the
driver's ``executemany`` with prepared tuples. SQLAlchemy's per-parameter processing costs ~3x
over raw sqlite3 at a million rows (engineering notes section 2.3); this keeps the project's
upsert within a small factor of raw ``executemany`` while the SQL is still Core-built.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    Table,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement

from tracker.normalize.fingerprint import content_fingerprint
from tracker.records import AccountRecord, CampaignLink, PostRecord, format_lower_bounds
from tracker.store.models import Account, AccountUnit, MetricSnapshot, Post, PostCampaign

BATCH_SIZE = 5_000

ACCOUNT_T: Table = Account.__table__
POST_T: Table = Post.__table__
SNAPSHOT_T: Table = MetricSnapshot.__table__
LINK_T: Table = PostCampaign.__table__
ACCOUNT_UNIT_T: Table = AccountUnit.__table__

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

_DATETIME_COLS = {
    "first_seen_at",
    "last_seen_at",
    "published_at",
    "first_collected_at",
    "last_collected_at",
    "captured_at",
    "linked_at",
}
_JSON_COLS = {"hashtags", "context"}
_BOOL_COLS = {"verified", "deleted", "excluded"}


@dataclass(slots=True)
class IngestCounts:
    """What one ingest did; ``unchanged`` posts were already stored with data as new."""

    posts_new: int = 0
    posts_updated: int = 0
    posts_unchanged: int = 0
    accounts_new: int = 0
    snapshots_new: int = 0
    links_new: int = 0

    def add(self, other: IngestCounts) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def batched(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """``itertools.batched`` arrived in 3.12; the project supports 3.11."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _dedupe(
    rows: Iterable[dict[str, Any]], key: tuple[str, ...], order: str
) -> list[dict[str, Any]]:
    """Keep one row per key: the one with the greatest ``order`` value (ties: the last seen)."""
    rows = list(rows)
    getter = itemgetter(*key)
    if len({getter(r) for r in rows}) == len(rows):
        return rows  # the common case: a page has no duplicates
    best: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        current = best.get(k)
        if current is None or _newer_or_equal(row[order], current[order]):
            best[k] = row
    return list(best.values())


def _newer_or_equal(a: datetime | None, b: datetime | None) -> bool:
    if b is None:
        return True
    if a is None:
        return False
    return a >= b


def account_row(rec: AccountRecord, seen_at: datetime) -> dict[str, Any]:
    when = rec.seen_at or seen_at
    return {
        "platform": rec.platform,
        "platform_uid": rec.platform_uid,
        "name": rec.name,
        "url": rec.url,
        "followers": rec.followers,
        "verified": rec.verified,
        "verify_type": rec.verify_type,
        "first_seen_at": when,
        "last_seen_at": when,
    }


def post_row(rec: PostRecord, fingerprint: str | None = None) -> dict[str, Any]:
    """The post's column values; its content fingerprint is computed here unless given, so
    every write path (collection, imports, tools) stores one and the ranking never has to."""
    m = rec.metrics
    if fingerprint is None:
        fingerprint = content_fingerprint(rec.title, rec.text)
    return {
        "platform": rec.platform,
        "platform_post_id": rec.platform_post_id,
        "account_uid": rec.account_uid,
        "url": rec.url,
        "title": rec.title,
        "text": rec.text,
        "content_type": rec.content_type,
        "published_at": rec.published_at,
        "published_at_source": rec.published_at_source,
        "hashtags": list(rec.hashtags) or None,
        "repost_of": rec.repost_of,
        "duration_s": rec.duration_s,
        "views": m.views,
        "likes": m.likes,
        "comments": m.comments,
        "shares": m.shares,
        "favorites": m.favorites,
        "lower_bounds": format_lower_bounds(m.lower_bounds),
        "first_collected_at": rec.captured_at,
        "last_collected_at": rec.captured_at,
        "source": rec.source,
        "deleted": rec.deleted,
        "fingerprint": fingerprint,
        "context": dict(rec.context) or None,
    }


def snapshot_row(rec: PostRecord, run_id: int | None) -> dict[str, Any]:
    m = rec.metrics
    return {
        "platform": rec.platform,
        "platform_post_id": rec.platform_post_id,
        "captured_at": rec.captured_at,
        "views": m.views,
        "likes": m.likes,
        "comments": m.comments,
        "shares": m.shares,
        "favorites": m.favorites,
        "lower_bounds": format_lower_bounds(m.lower_bounds),
        "followers_at_capture": rec.followers_at_capture,
        "source": rec.source,
        "run_id": run_id,
    }


def _has_metrics(rec: PostRecord) -> bool:
    m = rec.metrics
    return (
        any(getattr(m, name) is not None for name in METRICS)
        or rec.followers_at_capture is not None
    )


def _insert_for(conn: Connection, table: Table) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _coalesce_set(stmt: Any, table: Table, cols: Iterable[str]) -> dict[str, ColumnElement[Any]]:
    return {c: func.coalesce(stmt.excluded[c], table.c[c]) for c in cols}


def _account_statement(conn: Connection) -> Any:
    stmt = _insert_for(conn, ACCOUNT_T)
    t = ACCOUNT_T
    set_ = _coalesce_set(stmt, t, ("name", "url", "followers", "verified", "verify_type"))
    set_["last_seen_at"] = stmt.excluded.last_seen_at
    set_["first_seen_at"] = func.coalesce(t.c.first_seen_at, stmt.excluded.first_seen_at)
    return stmt.on_conflict_do_update(
        index_elements=["platform", "platform_uid"],
        set_=set_,
        where=or_(t.c.last_seen_at.is_(None), stmt.excluded.last_seen_at > t.c.last_seen_at),
    )


def _time_source_rank(column: Any) -> Any:
    """field (and rows stored before sources were recorded) 2, id 1, display 0.

    Literal columns, not bound values: the SQLite fast path compiles the statement once and
    allows no parameters other than the row's own.
    """
    return case(
        (column == literal_column("'id'"), literal_column("1")),
        (column == literal_column("'display'"), literal_column("0")),
        else_=literal_column("2"),
    )


def _published_at_set(stmt: Any, t: Table) -> dict[str, Any]:
    """Take the incoming publish time unless the stored one came from a better source."""
    new, old = stmt.excluded, t.c
    wins = and_(
        new.published_at.is_not(None),
        or_(
            old.published_at.is_(None),
            _time_source_rank(new.published_at_source)
            >= _time_source_rank(old.published_at_source),
        ),
    )
    return {
        "published_at": case((wins, new.published_at), else_=old.published_at),
        "published_at_source": case((wins, new.published_at_source), else_=old.published_at_source),
    }


def _has_floor(lower_bounds: Any, metric: str) -> Any:
    """SQL: the stored comma list ``lower_bounds`` names ``metric`` (NULL names nothing)."""
    listed: ColumnElement[Any] = literal_column("','") + func.coalesce(
        lower_bounds, literal_column("''")
    )
    return (listed + literal_column("','")).like(literal_column(f"'%,{metric},%'"))


def _lower_bounds_set(stmt: Any, t: Table) -> Any:
    """The post's marks after the update, metric by metric as the counts' ``COALESCE``: the
    incoming mark of each metric the incoming row shows, else the stored mark.

    Built from literal columns (no bound values, see ``_time_source_rank``) in sorted metric
    order, so the text stays the sorted comma list ``format_lower_bounds`` writes.
    """
    new, old = stmt.excluded, t.c
    pieces: list[ColumnElement[Any]] = []
    for m in sorted(METRICS):
        mark = literal_column(f"'{m},'", String)
        pieces.append(
            case(
                (and_(new[m].is_not(None), _has_floor(new.lower_bounds, m)), mark),
                (and_(new[m].is_(None), _has_floor(old.lower_bounds, m)), mark),
                else_=literal_column("''", String),
            )
        )
    joined = pieces[0]
    for piece in pieces[1:]:
        joined = joined + piece
    trimmed = func.rtrim(joined, literal_column("','"), type_=String)
    return func.nullif(trimmed, literal_column("''"), type_=String)


def _post_statement(conn: Connection) -> Any:
    stmt = _insert_for(conn, POST_T)
    t = POST_T
    set_ = _coalesce_set(
        stmt,
        t,
        (
            "account_uid",
            "url",
            "title",
            "text",
            "content_type",
            "repost_of",
            "duration_s",
            *METRICS,
            "fingerprint",
            "hashtags",
            "context",
        ),
    )
    set_.update(_published_at_set(stmt, t))
    set_["lower_bounds"] = _lower_bounds_set(stmt, t)
    set_["last_collected_at"] = stmt.excluded.last_collected_at
    set_["source"] = stmt.excluded.source
    set_["deleted"] = stmt.excluded.deleted
    return stmt.on_conflict_do_update(
        index_elements=["platform", "platform_post_id"],
        set_=set_,
        where=or_(
            t.c.last_collected_at.is_(None),
            stmt.excluded.last_collected_at > t.c.last_collected_at,
        ),
    )


def _snapshot_statement(conn: Connection) -> Any:
    return _insert_for(conn, SNAPSHOT_T).on_conflict_do_nothing(
        index_elements=["platform", "platform_post_id", "captured_at"]
    )


def _link_statement(conn: Connection) -> Any:
    return _insert_for(conn, LINK_T).on_conflict_do_nothing(
        index_elements=["platform", "platform_post_id", "campaign_id"]
    )


def _account_unit_statement(conn: Connection) -> Any:
    return _insert_for(conn, ACCOUNT_UNIT_T).on_conflict_do_nothing(
        index_elements=["platform", "platform_uid", "unit_id"]
    )


def _format_datetime(value: datetime) -> str:
    utc = value.astimezone(UTC)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d} "
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond:06d}"
    )


def _sqlite_value(col: str, value: Any) -> Any:
    """One value as SQLAlchemy's SQLite types would bind it (UTC text, JSON text, 0/1)."""
    if value is None:
        return None
    if col in _DATETIME_COLS:
        return _format_datetime(value)
    if col in _JSON_COLS:
        return json.dumps(value, ensure_ascii=False)
    if col in _BOOL_COLS:
        return 1 if value else 0
    return value


class _Converters:
    """Per-batch memoised converters: capture times and tag lists repeat across a page."""

    def __init__(self) -> None:
        self._times: dict[datetime, str] = {}
        self._json: dict[str, str] = {}

    def datetime(self, value: datetime) -> str:
        text = self._times.get(value)
        if text is None:
            text = self._times[value] = _format_datetime(value)
        return text

    def json(self, value: Any) -> str:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            key = "\x1f".join(value)
            text = self._json.get(key)
            if text is None:
                text = self._json[key] = json.dumps(value, ensure_ascii=False)
            return text
        return json.dumps(value, ensure_ascii=False)

    @staticmethod
    def boolean(value: Any) -> int:
        return 1 if value else 0


class _CompiledSqlite:
    """A Core statement compiled once to SQL with positional parameters, plus their order."""

    def __init__(self, stmt: Any, cols: Sequence[str]) -> None:
        compiled = stmt.compile(dialect=sqlite.dialect(paramstyle="qmark"), column_keys=list(cols))
        self.sql = str(compiled)
        self.order = list(compiled.positiontup or [])
        # Parameters in the SET/WHERE of an upsert refer to ``excluded``, never to bound values.
        unknown = [p for p in self.order if p not in cols]
        if unknown:  # pragma: no cover - guards the compile assumption
            raise RuntimeError(f"unexpected bound parameters {unknown}")
        self._getter = itemgetter(*self.order)
        self._typed = [
            (i, "datetime" if c in _DATETIME_COLS else "json" if c in _JSON_COLS else "boolean")
            for i, c in enumerate(self.order)
            if c in _DATETIME_COLS or c in _JSON_COLS or c in _BOOL_COLS
        ]

    def tuples(self, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        conv = _Converters()
        typed = [(i, getattr(conv, kind)) for i, kind in self._typed]
        getter = self._getter
        out: list[tuple[Any, ...]] = []
        append = out.append
        for row in rows:
            values = list(getter(row))
            for i, fn in typed:
                v = values[i]
                if v is not None:
                    values[i] = fn(v)
            append(tuple(values))
        return out

    def run(self, conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
        result = conn.exec_driver_sql(self.sql, self.tuples(rows))
        return max(result.rowcount, 0)


_STATEMENT_BUILDERS = {
    "account": (_account_statement, ACCOUNT_COLS),
    "post": (_post_statement, POST_COLS),
    "snapshot": (_snapshot_statement, SNAPSHOT_COLS),
    "link": (_link_statement, LINK_COLS),
    "account_unit": (_account_unit_statement, ACCOUNT_UNIT_COLS),
}
_CACHE: dict[str, tuple[dict[str, Any], dict[str, _CompiledSqlite]]] = {}


def _statements_for(conn: Connection) -> tuple[dict[str, Any], dict[str, _CompiledSqlite]]:
    """Statements per dialect, built and compiled once per process (a page is small; compiling
    five upserts for every page cost more than storing it)."""
    dialect = conn.dialect.name
    cached = _CACHE.get(dialect)
    if cached is None:
        statements = {name: build(conn) for name, (build, _) in _STATEMENT_BUILDERS.items()}
        compiled: dict[str, _CompiledSqlite] = {}
        if dialect == "sqlite":
            compiled = {
                name: _CompiledSqlite(statements[name], cols)
                for name, (_, cols) in _STATEMENT_BUILDERS.items()
            }
        cached = _CACHE[dialect] = (statements, compiled)
    return cached


_EXISTING: dict[tuple[str, str, str], Any] = {}


def _existing_query(table: Table, key: tuple[str, str]) -> Any:
    """One cached ``SELECT id WHERE platform = :platform AND id IN (:ids)`` per table.

    Built with an expanding parameter, so SQLAlchemy's statement cache serves every page;
    a fresh ``IN (...)`` of literal values per page cost more than the upsert it preceded.
    """
    cache_key = (table.name, *key)
    query = _EXISTING.get(cache_key)
    if query is None:
        query = _EXISTING[cache_key] = select(table.c[key[1]]).where(
            table.c[key[0]] == bindparam("platform"),
            table.c[key[1]].in_(bindparam("ids", expanding=True)),
        )
    return query


class Ingestor:
    """Writes batches of records on one connection; the caller owns the transaction."""

    def __init__(self, conn: Connection, *, batch_size: int = BATCH_SIZE) -> None:
        self.conn = conn
        self.batch_size = batch_size
        self._sqlite = conn.dialect.name == "sqlite"
        self._statements, self._compiled = _statements_for(conn)

    def _execute(self, name: str, rows: Sequence[dict[str, Any]]) -> int:
        if not rows:
            return 0
        if self._sqlite:
            return self._compiled[name].run(self.conn, rows)
        # insertmanyvalues reports no usable rowcount; RETURNING yields exactly the rows that
        # were inserted or passed the upsert's WHERE, which is what we count.
        stmt = self._statements[name]
        first_pk = next(iter(stmt.table.primary_key.columns))
        result = self.conn.execute(stmt.returning(first_pk), list(rows))
        return len(result.all())

    def _existing(
        self, table: Table, key: tuple[str, str], rows: Sequence[dict[str, Any]]
    ) -> set[tuple[str, str]]:
        """Keys among ``rows`` already stored, so new and updated can be told apart."""
        by_platform: dict[str, list[str]] = {}
        for row in rows:
            by_platform.setdefault(row[key[0]], []).append(row[key[1]])
        found: set[tuple[str, str]] = set()
        q = _existing_query(table, key)
        for platform, ids in by_platform.items():
            for chunk in batched(ids, 900):
                stored = self.conn.execute(q, {"platform": platform, "ids": list(chunk)})
                found.update((platform, v) for (v,) in stored)
        return found

    def ingest(
        self,
        *,
        posts: Sequence[PostRecord] = (),
        accounts: Sequence[AccountRecord] = (),
        links: Sequence[CampaignLink] = (),
        campaign_ids: dict[str, int] | None = None,
        account_units: Sequence[tuple[str, str, int]] = (),
        run_id: int | None = None,
        seen_at: datetime | None = None,
        fingerprints: dict[tuple[str, str], str] | None = None,
        count_existing: bool = True,
    ) -> IngestCounts:
        """Upsert everything given; returns counts. The caller owns the transaction."""
        counts = IngestCounts()
        now = seen_at or datetime.now(UTC)
        fps = fingerprints or {}
        for chunk in batched(accounts, self.batch_size):
            rows = _dedupe(
                (account_row(a, now) for a in chunk), ("platform", "platform_uid"), "last_seen_at"
            )
            before = (
                self._existing(ACCOUNT_T, ("platform", "platform_uid"), rows)
                if count_existing
                else set()
            )
            self._execute("account", rows)
            counts.accounts_new += (
                sum(1 for r in rows if (r["platform"], r["platform_uid"]) not in before)
                if count_existing
                else 0
            )
        for chunk in batched(posts, self.batch_size):
            rows = _dedupe(
                (post_row(p, fps.get(p.key)) for p in chunk),
                ("platform", "platform_post_id"),
                "last_collected_at",
            )
            before = (
                self._existing(POST_T, ("platform", "platform_post_id"), rows)
                if count_existing
                else set()
            )
            touched = self._execute("post", rows)
            new = sum(1 for r in rows if (r["platform"], r["platform_post_id"]) not in before)
            counts.posts_new += new
            updated = max(touched - new, 0) if count_existing else 0
            counts.posts_updated += updated
            counts.posts_unchanged += len(rows) - new - updated if count_existing else 0
            snaps = _dedupe(
                (snapshot_row(p, run_id) for p in chunk if _has_metrics(p)),
                ("platform", "platform_post_id", "captured_at"),
                "captured_at",
            )
            counts.snapshots_new += self._execute("snapshot", snaps)
        if links:
            ids = campaign_ids or {}
            link_rows = []
            for link in links:
                if link.campaign not in ids:
                    raise KeyError(f"campaign {link.campaign!r} is not in the database")
                link_rows.append(
                    {
                        "platform": link.platform,
                        "platform_post_id": link.platform_post_id,
                        "campaign_id": ids[link.campaign],
                        "matched_by": link.matched_by,
                        "matched_value": link.matched_value,
                        "excluded": False,
                        "linked_at": now,
                    }
                )
            for chunk in batched(link_rows, self.batch_size):
                rows = _dedupe(chunk, ("platform", "platform_post_id", "campaign_id"), "linked_at")
                counts.links_new += self._execute("link", rows)
        if account_units:
            rows = [
                {"platform": p, "platform_uid": u, "unit_id": unit, "source": "submission"}
                for p, u, unit in account_units
            ]
            rows = _dedupe(rows, ("platform", "platform_uid", "unit_id"), "source")
            self._execute("account_unit", rows)
        return counts


def existing_post_keys(conn: Connection, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of ``keys`` are stored (for callers that want to know before ingesting)."""
    found: set[tuple[str, str]] = set()
    for chunk in batched(list(keys), 400):
        q = select(POST_T.c.platform, POST_T.c.platform_post_id).where(
            tuple_(POST_T.c.platform, POST_T.c.platform_post_id).in_(list(chunk))
        )
        found.update((a, b) for a, b in conn.execute(q))
    return found


def insert_stub_post(
    conn: Connection,
    *,
    platform: str,
    platform_post_id: str,
    account_uid: str | None,
    url: str | None,
    content_type: str | None,
    source: str,
    seen_at: datetime,
    context: dict[str, Any] | None = None,
) -> bool:
    """Store a post known only by its reference (a manual include of a work never collected)
    unless it is stored already; True when this call created it.

    ``last_collected_at`` stays NULL so any later data, however old its capture, fills it in;
    the post table keeps one writer (this module) whichever path first learns of a post.
    """
    found = conn.execute(
        select(POST_T.c.platform_post_id).where(
            POST_T.c.platform == platform, POST_T.c.platform_post_id == platform_post_id
        )
    ).first()
    if found is not None:
        return False
    stmt = _insert_for(conn, POST_T).values(
        platform=platform,
        platform_post_id=platform_post_id,
        account_uid=account_uid,
        url=url,
        content_type=content_type,
        first_collected_at=seen_at,
        last_collected_at=None,
        source=source,
        deleted=False,
        context=context,
    )
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["platform", "platform_post_id"]))
    return True
