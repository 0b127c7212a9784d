"""Which state of the stored data a read saw: a token that changes with every commit.

A result computed from the store (a ranking of a million works takes 10-15 s) may be kept and
served again only while nothing was written since. The token must never stay the same across
a write; it may change without one (then a kept result is merely not used):

- SQLite: device, inode, size and modification time of the database file and of its
  write-ahead log. Every commit appends to the log or writes the file, and a checkpoint that
  moves the log into the file changes both. The clock that stamps files ticks every few
  milliseconds, so a token is trusted only once ``settled_at`` (its newest stamp) lies well
  before the read began (``tracker.services.ranking_cache``).
- PostgreSQL: the server's current snapshot (``xmin:xmax:in-progress ids``). Every
  transaction that writes takes a transaction id: while it runs it is in the list, and it
  moves ``xmax`` on for good, so no later snapshot equals one taken before it. Reads take no
  id and leave it as it is; writes to other databases of the server and automatic ``ANALYZE``
  move it too (misses, never a stale result). The write-ahead log position was tried first:
  the server's own housekeeping after a bulk load moved it for minutes.

In-memory and unknown databases have no token: nothing is kept for them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tracker.store.queries import Connection

__all__ = ["StorageVersion", "storage_version"]


@dataclass(frozen=True, slots=True)
class StorageVersion:
    store: str
    """Which store: the SQLite file's path, or the PostgreSQL database and search path."""
    token: str
    """Equal tokens (of one store): no commit in between (see the module docstring)."""
    settled_at: float | None
    """Seconds since the epoch of the newest file stamp in the token (SQLite); None where the
    token is exact (PostgreSQL)."""


def storage_version(conn: Connection) -> StorageVersion | None:
    """The token of the data ``conn``'s database holds now, or None where there is none."""
    url = conn.engine.url
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return _sqlite_version(Path(database))
    if backend == "postgresql":
        # the schemas too: two stores in one database differ only by their search path
        schemas, snapshot = conn.exec_driver_sql(
            "SELECT current_schemas(true)::text, pg_current_snapshot()::text"
        ).one()
        where = url.set(password=None).render_as_string(hide_password=True)
        return StorageVersion(store=f"{where}|{schemas}", token=snapshot, settled_at=None)
    return None


def _sqlite_version(path: Path) -> StorageVersion | None:
    parts: list[str] = []
    newest = 0
    for file in (path, Path(f"{path}-wal")):
        try:
            st = os.stat(file)
        except FileNotFoundError:
            parts.append("-")
            continue
        if st.st_size == 0 and file != path:
            # an empty log holds nothing: each new connection creates one (and the last to
            # close removes it), which must not count as a change
            parts.append("-")
            continue
        parts.append(f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}")
        newest = max(newest, st.st_mtime_ns)
    if parts[0] == "-":
        return None
    return StorageVersion(store=str(path.resolve()), token="|".join(parts), settled_at=newest / 1e9)
