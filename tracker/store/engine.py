"""Engine creation: one place that knows SQLite pragmas and how a URL becomes an engine.

SQLite gets WAL (the dashboard reads while the collector writes), ``synchronous=NORMAL`` (safe
with WAL, far fewer fsyncs), a busy timeout (writers wait instead of failing with "database is
locked") and foreign keys. pysqlite's deferred ``BEGIN`` is replaced by an explicit one so a
transaction really starts when SQLAlchemy says it does (SQLAlchemy's documented recipe).
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from tracker.errors import StoreError
from tracker.store.failures import label_errors

DEFAULT_DATABASE_URL = "sqlite:///data/tracker.db"
BUSY_TIMEOUT_MS = 30_000


def resolve_database_url(url: str | None = None) -> str:
    """The URL to use: explicit argument, then ``TRACKER_DATABASE_URL``, then ``./data/tracker.db``.

    Only a string with ``://`` is a URL; anything else is a file path, taken literally (see
    :func:`sqlite_url`).
    """
    chosen = url or os.environ.get("TRACKER_DATABASE_URL") or DEFAULT_DATABASE_URL
    if "://" not in chosen:
        return sqlite_url(chosen)
    return chosen


def sqlite_url(path: str | os.PathLike[str]) -> str:
    """The URL of the SQLite file at ``path``, with every character of the path escaped.

    Pasted after ``sqlite:///`` a path is read as URL syntax: ``?`` starts a query (``q?dir/t.db``
    opened a file named ``q``), ``%20`` is decoded, ``#`` and ``@`` have meanings too. Staff keep
    databases under folders such as ``数据 目录`` or ``C:\\Users\\张三``, so the URL is built
    from the path instead of parsed out of it; ``make_url`` gives the very same path back.
    """
    return URL.create("sqlite", database=os.fspath(path)).render_as_string(hide_password=False)


def _install_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")


_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_WRITE_LOCKS_GUARD = threading.Lock()


def _write_lock(engine: Engine) -> threading.RLock:
    with _WRITE_LOCKS_GUARD:
        lock = _WRITE_LOCKS.get(engine)
        if lock is None:
            lock = _WRITE_LOCKS[engine] = threading.RLock()
        return lock


@contextmanager
def begin_write(engine: Engine) -> Iterator[Connection]:
    """A transaction that will write after reading (SQLite: ``BEGIN IMMEDIATE``).

    A deferred transaction that reads first takes the write lock only at its first write; if
    another process committed in between, SQLite refuses the upgrade at once with "database is
    locked" (the busy timeout does not apply to a stale snapshot). Taking the write lock at
    ``BEGIN`` makes a second writer wait its turn instead. Readers keep deferred transactions
    and never wait. Elsewhere than SQLite this is a plain transaction.

    On SQLite, writers in this process (platforms collected side by side) also queue on a
    lock of their own first: SQLite's busy handler polls with sleeps of up to 100 ms, a
    thread lock hands over at once.
    """
    with write_connection(engine) as conn, conn.begin():
        yield conn


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A connection whose every transaction is one :func:`begin_write` opens, held with this
    process's write lock: for a writer that needs more than one transaction on the same
    connection (``tracker.store.carry``)."""
    sqlite = engine.dialect.name == "sqlite"
    with _write_lock(engine) if sqlite else nullcontext(), engine.connect() as conn:
        conn.info["write"] = True  # read by the "begin" listener; the flag outlives checkout
        try:
            yield conn
        finally:
            conn.info.pop("write", None)


def shares_one_connection(engine: Engine) -> bool:
    """True when every checkout is the same DBAPI connection (in-memory SQLite): work on
    several threads must then stay on one."""
    return isinstance(engine.pool, StaticPool | SingletonThreadPool)


def make_engine(url: str | None = None, *, create_dirs: bool = True) -> Engine:
    """Create an engine for ``url`` (see ``resolve_database_url``)."""
    resolved = resolve_database_url(url)
    try:
        parsed = make_url(resolved)
    except Exception as exc:  # noqa: BLE001 - any parse failure is a user error
        raise StoreError(f"数据库地址无效 (invalid database URL): {resolved!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and create_dirs:
            # No expanduser: SQLite opens the path as written, so "~" is a folder named "~".
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # The parsed URL, not the string: parsing twice could decode an escape twice.
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _install_sqlite_pragmas(engine)
    else:
        if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, pool_pre_ping=True)
    label_errors(engine, describe_url(resolved))
    return engine


def sqlite_path(url: str) -> str | None:
    """The file a SQLite URL names, as staff wrote it; None for other databases and memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def describe_url(url: str) -> str:
    """The URL with any password hidden, for messages and status output.

    A SQLite file is shown by its path as written (``sqlite:///数据 目录/追踪库.db``), not
    %-escaped as the URL form has it: staff must recognise their own folder.
    """
    parsed = make_url(url)
    path = sqlite_path(url)
    if path is not None and not parsed.query:
        return f"{parsed.drivername}:///{path}"
    return parsed.render_as_string(hide_password=True)
