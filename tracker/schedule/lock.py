"""One scheduler per database: an OS-level lock, released by the OS when the process dies.

Two schedulers on one database would run every job twice and race on run rows and cursors
(APScheduler 3 has no coordination between processes, by design). So ``tracker schedule`` takes:

- SQLite: an exclusive ``flock`` on ``<database file>.scheduler.lock`` beside the database. A
  ``flock`` belongs to the open file, so it also excludes a second lock object in the same
  process, and the kernel drops it when the holder exits however it exits (no stale lock files
  to clean up by hand). The holder writes its PID and start time into the file for the message.
- PostgreSQL: ``pg_try_advisory_lock`` on a dedicated connection held open for the process's
  life (autocommit, so it never sits idle in a transaction); the server drops it when that
  connection closes.
"""

from __future__ import annotations

import fcntl
import os
import zlib
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO

from sqlalchemy import Connection, Engine, text

from tracker.errors import TrackerError

ADVISORY_LOCK_KEY = zlib.crc32(b"kepu-tracker:schedule")
"""A fixed 32-bit key, so every tracker scheduler on one PostgreSQL database asks for the same lock."""


class SchedulerLocked(TrackerError):
    """Another ``tracker schedule`` holds this database."""


class InstanceLock:
    """Base: ``acquire()`` raises :class:`SchedulerLocked`; usable as a context manager."""

    description = ""

    def acquire(self) -> InstanceLock:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


class FileLock(InstanceLock):
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.description = str(self.path)
        self._fh: IO[str] | None = None

    def acquire(self) -> FileLock:
        if self._fh is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip()
            fh.close()
            who = f"（{holder}）" if holder else ""
            raise SchedulerLocked(
                f"另一个 tracker schedule 已在使用此数据库{who}；同一数据库只能运行一个调度进程。"
                f"锁文件：{self.path}"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"PID {os.getpid()}，启动于 {datetime.now(UTC).isoformat(timespec='seconds')}")
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        fh, self._fh = self._fh, None
        if fh is None:
            return
        try:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        finally:
            fh.close()


class AdvisoryLock(InstanceLock):
    def __init__(self, engine: Engine, key: int = ADVISORY_LOCK_KEY) -> None:
        self.engine = engine
        self.key = key
        self.description = f"pg_advisory_lock({key})"
        self._conn: Connection | None = None

    def acquire(self) -> AdvisoryLock:
        if self._conn is not None:
            return self
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
        except Exception:
            conn.close()
            raise
        if not got:
            holder = conn.execute(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND objid = :k LIMIT 1"
                ),
                {"k": self.key},
            ).scalar()
            conn.close()
            who = f"（数据库会话 PID {holder}）" if holder else ""
            raise SchedulerLocked(
                f"另一个 tracker schedule 已在使用此数据库{who}；同一数据库只能运行一个调度进程。"
            )
        self._conn = conn
        return self

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
        finally:
            conn.close()


class NoLock(InstanceLock):
    """An in-memory SQLite database cannot be shared between processes: nothing to guard."""

    description = "none"

    def acquire(self) -> NoLock:
        return self

    def release(self) -> None:
        return None


def lock_path_for(database: str) -> Path:
    path = Path(database).expanduser()
    return path.with_name(path.name + ".scheduler.lock")


def instance_lock(engine: Engine) -> InstanceLock:
    """The right lock for the engine's database (not yet acquired)."""
    url = engine.url
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            return NoLock()
        return FileLock(lock_path_for(database))
    if backend == "postgresql":
        return AdvisoryLock(engine)
    raise TrackerError(f"不支持为数据库类型 {backend} 加调度锁")
