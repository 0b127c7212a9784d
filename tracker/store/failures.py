"""A database failure as one line staff can act on, without SQL, parameters or a password.

SQLAlchemy's text for a failed statement is three lines: the driver's message, ``[SQL: ...]``
and ``[parameters: (...)]`` with the row being written (titles, account names, reviewers' notes),
then a link. Staff need to know *what* went wrong and *where*: the database is read-only, the
disk is full, the file cannot be opened. So the failure is classified by the driver's error code
(SQLite's ``SQLITE_READONLY``..., PostgreSQL's SQLSTATE), falling back on well-known message
words, into a fixed sentence; the driver's own message is shown only for a failure to connect,
and only its first line (it names host and port, never the password, and carries no row data).

Every engine from :func:`tracker.store.engine.make_engine` labels its errors with the database
they concern (:func:`label_errors`), so the message can name it even when raised far away.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from tracker.errors import StoreError

__all__ = [
    "DATABASE_ERRORS",
    "database_failure",
    "failure_reason",
    "hide_passwords",
    "label_errors",
]

_LABEL = "tracker_database"

DATABASE_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError,)
"""What a failed database operation raises, for callers that report it as one line without
depending on the driver layer themselves (the command line's last handler)."""

READ_ONLY = ("数据库是只读的 (the database is read-only)", "请检查数据库文件及其所在目录的写权限")
FULL = ("磁盘已满 (disk full)", "请腾出磁盘空间后重试；已提交的数据不会丢失")
IO = ("磁盘读写错误 (disk I/O error)", "请检查磁盘和数据库文件")
CANT_OPEN = ("无法打开数据库文件 (unable to open the database file)", "请检查路径和权限")
LOCKED = ("数据库正被其他进程占用 (database is locked)", "请稍后重试")
DAMAGED = ("数据库文件已损坏或不是数据库 (damaged or not a database)", "请检查 --db 指向的文件")
DENIED = ("没有访问数据库的权限 (permission denied)", "请检查数据库用户的权限")
CONNECT = (
    "无法连接数据库服务器 (cannot connect to the database server)",
    "请检查地址、端口和服务器状态",
)
CONSTRAINT = ("写入的数据违反数据库约束 (constraint violated)", "请加 --debug 查看详情")
OTHER = ("数据库错误 (database error)", "请加 --debug 查看详情")

_SQLITE_CODES = (
    ("SQLITE_READONLY", READ_ONLY),
    ("SQLITE_FULL", FULL),
    ("SQLITE_IOERR", IO),
    ("SQLITE_CANTOPEN", CANT_OPEN),
    ("SQLITE_BUSY", LOCKED),
    ("SQLITE_LOCKED", LOCKED),
    ("SQLITE_CORRUPT", DAMAGED),
    ("SQLITE_NOTADB", DAMAGED),
    ("SQLITE_PERM", DENIED),
    ("SQLITE_AUTH", DENIED),
    ("SQLITE_CONSTRAINT", CONSTRAINT),
)
_SQLSTATES = (
    ("25006", READ_ONLY),  # read_only_sql_transaction
    ("53100", FULL),  # disk_full
    ("58030", IO),  # io_error
    ("42501", DENIED),  # insufficient_privilege
    ("28", DENIED),  # invalid authorization
    ("08", CONNECT),  # connection exception
    ("57P", CONNECT),  # server shutting down
    ("23", CONSTRAINT),  # integrity constraint violation
    ("55P03", LOCKED),  # lock_not_available
    ("40P01", LOCKED),  # deadlock_detected
)
_WORDS = (
    ("readonly", READ_ONLY),
    ("read-only", READ_ONLY),
    ("disk is full", FULL),
    ("no space left", FULL),
    ("disk i/o", IO),
    ("unable to open", CANT_OPEN),
    ("database is locked", LOCKED),
    ("not a database", DAMAGED),
    ("malformed", DAMAGED),
    ("connection failed", CONNECT),
    ("could not connect", CONNECT),
    ("connection refused", CONNECT),
)


def _code(orig: BaseException | None) -> str:
    """The driver's error code: ``SQLITE_READONLY`` or a SQLSTATE; empty when unknown."""
    return str(getattr(orig, "sqlite_errorname", None) or getattr(orig, "sqlstate", None) or "")


def failure_reason(exc: BaseException) -> tuple[str, str]:
    """What happened and what to do, for ``exc`` (a SQLAlchemy error or a DBAPI error)."""
    orig = getattr(exc, "orig", None) or exc
    code = _code(orig)
    table = _SQLITE_CODES if code.startswith("SQLITE_") else _SQLSTATES
    for prefix, reason in table:
        if code.startswith(prefix):
            return reason
    first = _first_line(orig).lower()
    for word, reason in _WORDS:
        if word in first:
            return reason
    return OTHER


def _first_line(orig: BaseException) -> str:
    lines = str(orig).strip().splitlines()
    return lines[0].strip() if lines else ""


def database_failure(exc: SQLAlchemyError, label: str | None = None) -> StoreError:
    """``exc`` as a one-line :class:`StoreError`: reason, database, driver code; no SQL, no data.

    ``label`` names the database (a URL with the password hidden); by default the label the
    engine put on the error, if any.
    """
    reason = failure_reason(exc)
    what, advice = reason
    where = label or getattr(exc, _LABEL, None)
    orig = getattr(exc, "orig", None)
    detail = _code(orig) or (type(orig).__name__ if orig is not None else type(exc).__name__)
    if reason == CONNECT and orig is not None:
        detail = hide_passwords(_first_line(orig))  # host and port: what staff must check
    shown = f": {where}" if where else ""
    return StoreError(f"{what}{shown}（{detail}）；{advice}")


def label_errors(engine: Engine, label: str) -> None:
    """Tag every DBAPI error raised through ``engine`` with ``label`` (the database it concerns).

    The error is only annotated, never replaced, so code that catches ``DBAPIError`` (the
    collector marking a run failed) behaves as before.
    """

    @event.listens_for(engine, "handle_error")
    def _label(context: ExceptionContext) -> None:
        error = context.sqlalchemy_exception
        if isinstance(error, DBAPIError) and not hasattr(error, _LABEL):
            setattr(error, _LABEL, label)


_URL_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s/:@]*:)[^/@\r\n]+@")
_CONNINFO_PASSWORD = re.compile(r"(?i)(\bpassword\s*=\s*)('[^']*'|\S+)")


def hide_passwords(text: str) -> str:
    """``text`` with the password of any database URL or conninfo in it replaced by ``***``.

    The last line of defence for messages: whichever layer let a URL through (a driver, a
    parser quoting its input), staff see ``postgresql://user:***@host``.
    """
    text = _URL_PASSWORD.sub(r"\1***@", text)
    return _CONNINFO_PASSWORD.sub(r"\1***", text)
