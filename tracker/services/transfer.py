"""``tracker db migrate-to``: move the SQLite database a command uses into PostgreSQL.

The command line names two URLs; this checks what they are before anything is opened (a
clear refusal beats a driver error), opens both and hands the engines to the store's copy
(``tracker.store.transfer``). Every message shows a URL with its password hidden.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from tracker.errors import StoreError
from tracker.services.database import open_database
from tracker.store.engine import describe_url, make_engine, resolve_database_url
from tracker.store.failures import database_failure, hide_passwords
from tracker.store.transfer import (
    Progress,
    TableProgress,
    TargetNotEmpty,
    TransferFailed,
    TransferResult,
    copy_database,
)

__all__ = [
    "TableProgress",
    "TargetNotEmpty",
    "TransferFailed",
    "TransferResult",
    "migrate_to_postgresql",
    "target_label",
]

TARGET_EXAMPLE = "postgresql+psycopg://用户@主机:5432/库名"


def target_label(url: str) -> str:
    """The target URL for messages (password hidden), even when it does not parse."""
    try:
        return describe_url(url)
    except ArgumentError:
        return hide_passwords(url)


def migrate_to_postgresql(
    source: str | None,
    target: str,
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> TransferResult:
    """Copy the SQLite database ``source`` (``--db``, resolved as every command does) into
    the PostgreSQL database at ``target``; see :func:`tracker.store.transfer.copy_database`."""
    source_url = resolve_database_url(source)
    if make_url(source_url).get_backend_name() != "sqlite":
        raise StoreError(
            f"只能从 SQLite 数据库迁出，当前数据库是 {describe_url(source_url)}"
            "（用 --db 指定要迁移的 SQLite 文件）"
        )
    _check_target(target)
    label = target_label(target)
    source_engine = open_database(source_url)
    try:
        target_engine = make_engine(target, create_dirs=False)
        try:
            return copy_database(source_engine, target_engine, replace=replace, progress=progress)
        except SQLAlchemyError as exc:  # before the copy began: connect, schema, first counts
            raise database_failure(exc, label) from exc
        finally:
            target_engine.dispose()
    finally:
        source_engine.dispose()


def _check_target(target: str) -> None:
    """A PostgreSQL URL, or a clear refusal naming what was given (password hidden)."""
    shown = target_label(target)
    if "://" not in target:
        raise StoreError(f"目标须是 PostgreSQL 数据库地址，如 {TARGET_EXAMPLE}；收到 {shown}")
    try:
        parsed = make_url(target)
    except ArgumentError:
        raise StoreError(f"目标数据库地址无效：{shown}；应如 {TARGET_EXAMPLE}") from None
    if parsed.get_backend_name() != "postgresql":
        raise StoreError(
            f"目标须是 PostgreSQL 数据库，收到 {parsed.get_backend_name()}：{shown}；"
            f"应如 {TARGET_EXAMPLE}"
        )
    if parsed.drivername not in ("postgresql", "postgresql+psycopg"):
        raise StoreError(
            f"目标数据库须用 psycopg 驱动，收到 {parsed.drivername}；应如 {TARGET_EXAMPLE}"
        )
