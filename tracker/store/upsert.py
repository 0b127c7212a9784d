"""Idempotent bulk ingestion of platform-neutral records.

Everything that enters the database as collected data goes through ``Ingestor.ingest``:
accounts, posts (latest metrics), campaign links and metric snapshots, in batches, with rows
deduplicated by key before each batch (Postgres refuses a key twice in one upsert).

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

The ingest is kept close to the driver, since a collection run stores every page it reads and
an import stores a million works at once (``bench/ingest.py`` holds it to raw ``executemany``):
- records become value tuples in one pass (``tracker.store.ingest_rows``), with no dict per
  row and no SQLAlchemy processing per value;
- SQLite runs each table's statement, compiled once from Core, as one driver ``executemany``
  per page; new rows are told from updated ones by the table's ``rowid`` (an upsert keeps a
  row's ``rowid``, an insert takes one above the largest), not by reading the keys first;
- PostgreSQL COPYs each page into a temporary table and runs one ``INSERT ... SELECT ...
  ON CONFLICT`` per table from it (``tracker.store.pg_stage``), built from the same Core rules.
"""

from __future__ import annotations

import functools
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
from tracker.store.ingest_rows import (
    ACCOUNT_COLS,
    ACCOUNT_KEY,
    ACCOUNT_ORDER,
    ACCOUNT_UNIT_COLS,
    ACCOUNT_UNIT_KEY,
    ACCOUNT_UNIT_ORDER,
    LINK_COLS,
    LINK_KEY,
    LINK_ORDER,
    METRICS,
    PG,
    POST_COLS,
    POST_KEY,
    POST_ORDER,
    SNAPSHOT_COLS,
    SNAPSHOT_KEY,
    SNAPSHOT_ORDER,
    SQLITE,
    Row,
    account_tuples,
    account_unit_tuples,
    dedupe_tuples,
    link_tuples,
    post_and_snapshot_tuples,
)
from tracker.store.models import Account, AccountUnit, MetricSnapshot, Post, PostCampaign
from tracker.store.pg_stage import StagedUpsert

__all__ = [
    "ACCOUNT_COLS",
    "ACCOUNT_UNIT_COLS",
    "BATCH_SIZE",
    "LINK_COLS",
    "METRICS",
    "POST_COLS",
    "SNAPSHOT_COLS",
    "IngestCounts",
    "Ingestor",
    "account_row",
    "batched",
    "existing_post_keys",
    "insert_stub_post",
    "post_row",
    "snapshot_row",
]

BATCH_SIZE = 5_000

ACCOUNT_T: Table = Account.__table__
POST_T: Table = Post.__table__
SNAPSHOT_T: Table = MetricSnapshot.__table__
LINK_T: Table = PostCampaign.__table__
ACCOUNT_UNIT_T: Table = AccountUnit.__table__

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
    """The account's column values (the readable definition; the ingest binds the same values
    as tuples, ``ingest_rows.account_tuples``)."""
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
    """The snapshot's column values (written only for a post that carries a count)."""
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


def _insert_for(conn: Connection, table: Table) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _coalesce_set(stmt: Any, table: Table, cols: Iterable[str]) -> dict[str, ColumnElement[Any]]:
    return {c: func.coalesce(stmt.excluded[c], table.c[c]) for c in cols}


def _account_upsert(stmt: Any) -> Any:
    """``stmt``, an ``insert(account)`` of either dialect, with the account's conflict rule."""
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


def _post_upsert(stmt: Any) -> Any:
    """``stmt``, an ``insert(post)`` of either dialect, with the post's conflict rule."""
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


def _snapshot_upsert(stmt: Any) -> Any:
    return stmt.on_conflict_do_nothing(
        index_elements=["platform", "platform_post_id", "captured_at"]
    )


def _link_upsert(stmt: Any) -> Any:
    return stmt.on_conflict_do_nothing(
        index_elements=["platform", "platform_post_id", "campaign_id"]
    )


def _account_unit_upsert(stmt: Any) -> Any:
    return stmt.on_conflict_do_nothing(index_elements=["platform", "platform_uid", "unit_id"])


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


@dataclass(frozen=True, slots=True)
class _TableWrite:
    """One table the ingest writes: its conflict rule, the columns it binds and its key."""

    table: Table
    upsert: Any
    cols: tuple[str, ...]
    key: tuple[str, ...]


_WRITES = {
    "account": _TableWrite(ACCOUNT_T, _account_upsert, ACCOUNT_COLS, ("platform", "platform_uid")),
    "post": _TableWrite(POST_T, _post_upsert, POST_COLS, ("platform", "platform_post_id")),
    "snapshot": _TableWrite(
        SNAPSHOT_T, _snapshot_upsert, SNAPSHOT_COLS, ("platform", "platform_post_id", "captured_at")
    ),
    "link": _TableWrite(
        LINK_T, _link_upsert, LINK_COLS, ("platform", "platform_post_id", "campaign_id")
    ),
    "account_unit": _TableWrite(
        ACCOUNT_UNIT_T,
        _account_unit_upsert,
        ACCOUNT_UNIT_COLS,
        ("platform", "platform_uid", "unit_id"),
    ),
}


@functools.cache
def _sqlite_statements() -> dict[str, _CompiledSqlite]:
    """The SQLite statements, compiled once per process (compiling five upserts for every
    page cost more than storing it). A cached function, not a dict filled in place: platforms
    collected side by side must never see it half built."""
    out: dict[str, _CompiledSqlite] = {}
    for name, w in _WRITES.items():
        compiled = _CompiledSqlite(w.upsert(sqlite.insert(w.table)), w.cols)
        if tuple(compiled.order) != w.cols:  # pragma: no cover - the tuples rely on it
            raise RuntimeError(f"{name}: parameters {compiled.order} are not {w.cols}")
        out[name] = compiled
    return out


@functools.cache
def _pg_statements() -> dict[str, StagedUpsert]:
    """The PostgreSQL staged upserts, built once per process."""
    return {name: StagedUpsert(w.table, w.cols, w.key, w.upsert) for name, w in _WRITES.items()}


_MAX_ROWID = 2**63 - 1


class _SqliteNewRows:
    """Counts the rows an upsert inserted into a ``rowid`` table, without reading keys.

    An upsert that updates keeps the row's ``rowid``; an insert takes one above the largest
    (SQLite's rule while the largest is below the maximum). So the rows above the largest
    ``rowid`` seen before the statement are exactly the new ones: two index look-ups per page
    instead of a ``SELECT ... IN`` over every key. The first read and the upsert see one
    snapshot: had another connection committed in between, SQLite would refuse the upsert
    (as it refused the key read before it), so the count is never of someone else's rows.
    """

    def __init__(self, conn: Connection, table: Table) -> None:
        self.conn = conn
        name = conn.dialect.identifier_preparer.format_table(table)
        self._max_sql = f"SELECT max(rowid) FROM {name}"
        self._above_sql = f"SELECT count(*) FROM {name} WHERE rowid > ?"
        self._all_sql = f"SELECT count(*) FROM {name}"
        self._before: int | None = None
        self._count_before = 0

    def before(self) -> None:
        self._before = self.conn.exec_driver_sql(self._max_sql).scalar()
        if self._before == _MAX_ROWID:  # pragma: no cover - SQLite then picks rowids at random
            self._count_before = int(self.conn.exec_driver_sql(self._all_sql).scalar_one())

    def after(self) -> int:
        if self._before is None:  # the table was empty
            return int(self.conn.exec_driver_sql(self._all_sql).scalar_one())
        if self._before == _MAX_ROWID:  # pragma: no cover
            return int(self.conn.exec_driver_sql(self._all_sql).scalar_one()) - self._count_before
        found = self.conn.exec_driver_sql(self._above_sql, (self._before,)).scalar_one()
        return int(found)


class Ingestor:
    """Writes batches of records on one connection; the caller owns the transaction."""

    def __init__(self, conn: Connection, *, batch_size: int = BATCH_SIZE) -> None:
        self.conn = conn
        self.batch_size = batch_size
        self._pg = conn.dialect.name == "postgresql"
        self._binder = PG if self._pg else SQLITE
        self._compiled: dict[str, _CompiledSqlite] = {}
        self._staged: dict[str, StagedUpsert] = {}
        if self._pg:
            self._staged = _pg_statements()
        else:
            self._compiled = _sqlite_statements()

    def _write(self, name: str, rows: Sequence[Row], *, count_new: bool = False) -> tuple[int, int]:
        """Upsert ``rows`` (distinct keys, ``_WRITES[name].cols`` order) into one table.

        Returns the rows the statement wrote (inserted, or updated past its WHERE) and, when
        ``count_new``, how many of them were not stored before (else 0).
        """
        if not rows:
            return 0, 0
        conn = self.conn
        if self._pg:
            staged = self._staged[name]
            staged.stage(conn, rows)
            stored = staged.count_stored(conn) if count_new else len(rows)
            return staged.upsert(conn), len(rows) - stored
        new_rows = _SqliteNewRows(conn, _WRITES[name].table) if count_new else None
        if new_rows is not None:
            new_rows.before()
        written = max(conn.exec_driver_sql(self._compiled[name].sql, list(rows)).rowcount, 0)
        return written, new_rows.after() if new_rows is not None else 0

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
        """Upsert everything given; returns counts. The caller owns the transaction.

        ``count_existing=False`` skips telling new rows from stored ones: every post then
        counts as new and no account does.
        """
        counts = IngestCounts()
        now = seen_at or datetime.now(UTC)
        binder = self._binder
        for chunk in batched(accounts, self.batch_size):
            rows = dedupe_tuples(account_tuples(chunk, now, binder), ACCOUNT_KEY, ACCOUNT_ORDER)
            counts.accounts_new += self._write("account", rows, count_new=count_existing)[1]
        for chunk in batched(posts, self.batch_size):
            post_rows, snaps = post_and_snapshot_tuples(chunk, run_id, fingerprints, binder)
            rows = dedupe_tuples(post_rows, POST_KEY, POST_ORDER)
            touched, new = self._write("post", rows, count_new=count_existing)
            if count_existing:
                updated = max(touched - new, 0)
                counts.posts_new += new
                counts.posts_updated += updated
                counts.posts_unchanged += len(rows) - new - updated
            else:
                counts.posts_new += len(rows)
            if rows is not post_rows:  # distinct posts mean distinct snapshots
                snaps = dedupe_tuples(snaps, SNAPSHOT_KEY, SNAPSHOT_ORDER)
            counts.snapshots_new += self._write("snapshot", snaps)[0]
        if links:
            link_rows = link_tuples(links, campaign_ids or {}, now, binder)
            for part in batched(link_rows, self.batch_size):
                rows = dedupe_tuples(list(part), LINK_KEY, LINK_ORDER)
                counts.links_new += self._write("link", rows)[0]
        if account_units:
            rows = dedupe_tuples(
                account_unit_tuples(account_units), ACCOUNT_UNIT_KEY, ACCOUNT_UNIT_ORDER
            )
            self._write("account_unit", rows)
        return counts


_EXISTING: dict[tuple[str, str, str], Any] = {}


def _existing_query(table: Table, key: tuple[str, str]) -> Any:
    """One cached ``SELECT id WHERE platform = :platform AND id IN (:ids)`` per table (the
    comment store counts new comments with it).

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
