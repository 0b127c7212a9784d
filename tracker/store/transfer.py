"""Copying a whole SQLite store into PostgreSQL (``tracker db migrate-to``).

A deployment outgrows one SQLite file (several collector hosts, several dashboard users); the
move must carry every row across unchanged, or nothing. So the copy runs in one PostgreSQL
transaction: the target's tables are emptied, every table of the schema is copied in
foreign-key order, the id sequences are set past the copied ids and the row counts are checked
before the commit. Any failure before the commit rolls the target back to what it held.

Rows travel as SQLite stores them, through PostgreSQL's ``COPY`` (several times faster than
batched ``INSERT``s, see docs/config.md), in batches, so memory stays flat whatever the size:

* datetimes are UTC text without an offset (``UTCDateTime`` converts before writing), so the
  copy sets the transaction's time zone to UTC and PostgreSQL reads each as the same instant;
* JSON columns are JSON text, kept byte for byte (``json``, not ``jsonb``, on PostgreSQL);
* booleans are 0/1, which PostgreSQL's boolean input accepts; NULL stays NULL.

The source is read in one transaction, a consistent snapshot even if a collector writes
meanwhile (rows written after the start are not copied: stop the collectors first).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, RootTransaction, Table, inspect, text

from tracker.errors import StoreError
from tracker.store import migrate
from tracker.store.failures import failure_reason
from tracker.store.models import Post, metadata

BATCH_ROWS = 20_000
"""Rows read from SQLite and handed to ``COPY`` at a time (a few MB at most)."""

INIT_TABLES = frozenset({"campaign", "unit", "account_unit", "stored_config"})
"""What ``tracker init`` alone writes: a target holding only these holds no collected data, so
it is emptied without ``replace`` (the source's campaigns and registry take their place)."""


@dataclass(frozen=True, slots=True)
class TableProgress:
    """How far the copy of one table is: sent after each batch and once when it is done."""

    table: str
    copied: int
    total: int
    done: bool = False


Progress = Callable[[TableProgress], None]


@dataclass(slots=True)
class TransferResult:
    rows: dict[str, int] = field(default_factory=dict)
    """Rows copied per table, in copy order (equal to the source's and the target's counts)."""
    revision: str = ""
    seconds: float = 0.0
    replaced: dict[str, int] = field(default_factory=dict)
    """Rows the target held before, per table, that the copy replaced."""

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class TargetNotEmpty(StoreError):
    """The target already holds collected data and ``replace`` was not asked for; nothing
    was changed. ``held``: rows per table of collected data."""

    def __init__(self, held: dict[str, int]) -> None:
        self.held = held
        works = held.get(Post.__table__.name, 0)
        shown = "，".join(f"{name} {n} 行" for name, n in held.items())
        super().__init__(f"目标数据库已有数据（作品 {works} 条；{shown}），未做任何改动")


class TransferFailed(StoreError):
    """The copy failed; the message says what state the target was left in."""


def copy_database(
    source: Engine,
    target: Engine,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
) -> TransferResult:
    """Copy every table of the store from ``source`` (SQLite) into ``target`` (PostgreSQL).

    The target's schema is created or upgraded first (``migrate.upgrade``, what ``tracker
    init`` runs); both must then be at the same revision. A target with collected data is
    refused (:class:`TargetNotEmpty`) unless ``replace``. Raises :class:`TransferFailed` when
    the copy fails: nothing of it is committed then.
    """
    _check_kinds(source, target)
    started = time.monotonic()
    revision = migrate.current_revision(source)
    head = migrate.head_revision()
    if revision != head:
        raise StoreError(
            f"源数据库结构版本 {revision or '（未初始化）'} 不是最新的 {head}；"
            "请先对源数据库运行 `tracker init` 升级"
        )
    tables = list(metadata.sorted_tables)
    if not replace:  # before the schema is touched: a refusal leaves the target as it was
        _refuse_collected(target, tables)
    migrate.upgrade(target)
    result = TransferResult(revision=head)
    step = "准备目标数据库"
    with _source_snapshot(source) as read, target.connect() as write:
        write_tx = write.begin()
        try:
            write.exec_driver_sql("SET LOCAL TIME ZONE 'UTC'")
            held = _row_counts(write, tables)
            if not replace:  # again, inside the transaction: a collector may have begun
                _refuse(held)
            result.replaced = {t: n for t, n in held.items() if n}
            step = "清空目标数据库"
            _empty(write, tables)
            for table in tables:
                step = f"复制表 {table.name}"
                result.rows[table.name] = _copy_table(read, write, table, batch_rows, progress)
            step = "重设编号序列"
            _reset_sequences(write, tables)
            step = "核对"
            _verify(read, write, tables, result.rows, head)
        except TargetNotEmpty:
            _rollback(write_tx)
            raise
        except (Exception, KeyboardInterrupt) as exc:
            _rollback(write_tx)
            raise TransferFailed(_failed(exc, step, head)) from exc
        try:
            write_tx.commit()
        except Exception as exc:
            what, _ = failure_reason(exc)
            raise TransferFailed(
                f"提交时出错（{what}），无法确定目标数据库是否已写入；请用 `tracker status` "
                "查看目标数据库，需要时加 --replace 重新迁移"
            ) from exc
    result.seconds = time.monotonic() - started
    return result


def _refuse_collected(target: Engine, tables: list[Table]) -> None:
    """Refuse a target holding collected data, reading only the tables it already has."""
    present = set(inspect(target).get_table_names())
    with target.connect() as conn:
        _refuse(_row_counts(conn, [t for t in tables if t.name in present]))


def _refuse(held: dict[str, int]) -> None:
    collected = {t: n for t, n in held.items() if n and t not in INIT_TABLES}
    if collected:
        raise TargetNotEmpty(collected)


def _check_kinds(source: Engine, target: Engine) -> None:
    if source.dialect.name != "sqlite":
        raise StoreError(f"源数据库必须是 SQLite，收到 {source.dialect.name}")
    if target.dialect.name != "postgresql":
        raise StoreError(f"目标数据库必须是 PostgreSQL，收到 {target.dialect.name}")
    if target.dialect.driver != "psycopg":
        raise StoreError(
            f"目标数据库须用 psycopg 驱动（postgresql+psycopg://...），收到 {target.dialect.driver}"
        )


@contextmanager
def _source_snapshot(source: Engine) -> Iterator[Connection]:
    """One read transaction over the whole copy: every table from the same instant."""
    with source.connect() as conn, conn.begin():
        yield conn


def _rollback(transaction: RootTransaction) -> None:
    """Roll back; should the connection be gone, the server discards the open transaction
    itself, so the target is unchanged either way."""
    try:
        transaction.rollback()
    except Exception:  # noqa: BLE001 - the original failure is the one to report
        pass


def _failed(exc: BaseException, step: str, revision: str) -> str:
    """The message for a copy that stopped before its commit: why, and the target's state."""
    if isinstance(exc, KeyboardInterrupt):
        why = "已中断"
    elif isinstance(exc, StoreError):
        why = str(exc)
    else:
        what, advice = failure_reason(exc)
        code = getattr(getattr(exc, "orig", None) or exc, "sqlstate", None)
        why = f"{what}{f'（{code}）' if code else ''}；{advice}"
    return (
        f"迁移失败（{step}时）：{why}。目标数据库已回滚，数据与迁移前相同"
        f"（表结构已建到版本 {revision}）"
    )


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _row_counts(conn: Connection, tables: list[Table]) -> dict[str, int]:
    return {
        t.name: int(
            conn.exec_driver_sql(f"SELECT count(*) FROM {_quote(conn, t.name)}").scalar_one()
        )
        for t in tables
    }


def _empty(conn: Connection, tables: list[Table]) -> None:
    """Every table of the schema at once (``TRUNCATE`` is transactional on PostgreSQL)."""
    names = ", ".join(_quote(conn, t.name) for t in tables)
    conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY")


def _copy_table(
    read: Connection,
    write: Connection,
    table: Table,
    batch_rows: int,
    progress: Progress | None,
) -> int:
    """Stream one table through ``COPY ... FROM STDIN``; the number of rows sent."""
    columns = [c.name for c in table.columns]
    src_cols = ", ".join(_quote(read, c) for c in columns)
    dst_cols = ", ".join(_quote(write, c) for c in columns)
    total = int(
        read.exec_driver_sql(f"SELECT count(*) FROM {_quote(read, table.name)}").scalar_one()
    )
    copied = 0
    if progress:
        progress(TableProgress(table.name, 0, total))
    rows = read.execution_options(yield_per=batch_rows).exec_driver_sql(
        f"SELECT {src_cols} FROM {_quote(read, table.name)}"
    )
    raw: Any = write.connection.driver_connection  # the psycopg connection, in our transaction
    with (
        raw.cursor() as cur,
        cur.copy(f"COPY {_quote(write, table.name)} ({dst_cols}) FROM STDIN") as copy,
    ):
        for batch in rows.partitions():
            for row in batch:
                copy.write_row(row)
            copied += len(batch)
            if progress:
                progress(TableProgress(table.name, copied, total))
    if progress:
        progress(TableProgress(table.name, copied, total, done=True))
    return copied


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """Set each id sequence past the largest copied id, so new rows never collide."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"),
                {"t": _quote(conn, table.name), "c": column.name},
            ).scalar_one()
            if sequence is None:
                continue
            conn.execute(
                text(
                    f"SELECT setval(:s, COALESCE(MAX({_quote(conn, column.name)}), 0) + 1, false) "
                    f"FROM {_quote(conn, table.name)}"
                ),
                {"s": sequence},
            )


def _verify(
    read: Connection,
    write: Connection,
    tables: list[Table],
    copied: dict[str, int],
    revision: str,
) -> None:
    """Source, copy and target agree on every table's row count, and the target's schema
    version is the source's (checked before the commit)."""
    source, target = _row_counts(read, tables), _row_counts(write, tables)
    wrong = [
        f"{name}（源 {source[name]}，已复制 {copied[name]}，目标 {target[name]}）"
        for name in copied
        if not source[name] == copied[name] == target[name]
    ]
    if wrong:
        raise StoreError("行数核对不一致：" + "，".join(wrong))
    found = write.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    if list(found) != [revision]:
        raise StoreError(f"目标数据库结构版本是 {found}，不是 {revision}")
