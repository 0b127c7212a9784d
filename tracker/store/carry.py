"""Bookkeeping writes that carry results kept for the stored data forward.

A result computed from the store (a ranking of a million works takes 10-15 s) is kept for one
state of the store (``tracker.store.queries.version``). That state is the whole SQLite file, so
the scheduler's own run rows, written when a job starts and ends, made every kept ranking
another state's: the ``keep_rankings`` job's ranking went stale as the job's row was closed,
and the 08:00 report's rows did the same to whatever was kept before it.

A write of run rows alone changes nothing a kept result was computed from. So it is made here
in two steps on one connection: the write, with the state read before it under the write lock;
then, if a carrier (``tracker.services.ranking_cache``) holds something for that state, the
write lock once more, and only if no other connection committed in between (SQLite's
``PRAGMA data_version``), the carrier moves what it holds to the new state. Holding the lock
until the new state's newest file stamp is ``settle_s`` old keeps the carried state exact: any
later write stamps the files anew (see ``ranking_cache.SETTLE_S``).

SQLite only: on PostgreSQL another transaction may commit at any moment, and a bookkeeping
write there leaves kept results behind, as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from sqlalchemy import Connection, Engine

from tracker.store.engine import begin_write, write_lock
from tracker.store.queries.version import StorageVersion, storage_version

__all__ = ["Carrier", "bookkeeping_write", "register_carrier"]


class Carrier(Protocol):
    """Something kept per state of the store that a bookkeeping write may carry forward."""

    @property
    def settle_s(self) -> float:
        """How old the new state's newest stamp must be before it may be trusted."""

    def holds(self, version: StorageVersion) -> bool:
        """Whether anything is kept for ``version``."""

    def carry(self, before: StorageVersion, after: StorageVersion) -> None:
        """Keep for ``after`` what is kept for ``before``."""


_CARRIERS: list[Carrier] = []


def register_carrier(carrier: Carrier) -> None:
    """Have bookkeeping writes carry what ``carrier`` keeps (once per carrier)."""
    if carrier not in _CARRIERS:
        _CARRIERS.append(carrier)


def _between() -> None:
    """Called after the write commits and before the lock is taken again (a test seam: another
    connection's commit lands here)."""


@contextmanager
def bookkeeping_write(
    engine: Engine, *, sleep: Callable[[float], None] = time.sleep
) -> Iterator[Connection]:
    """:func:`begin_write` for a transaction that writes run rows and nothing else; what the
    registered carriers keep for the state before it is kept for the state after it."""
    if engine.dialect.name != "sqlite" or not _CARRIERS:
        with begin_write(engine) as conn:
            yield conn
        return
    with write_lock(engine), engine.connect() as conn:
        conn.info["write"] = True  # BEGIN IMMEDIATE (the engine's "begin" listener)
        try:
            with conn.begin():
                before = storage_version(conn)
                seen = _data_version(conn)
                yield conn
            carriers = [c for c in _CARRIERS if before is not None and c.holds(before)]
            if not carriers or before is None:
                return
            _between()
            with conn.begin():
                if _data_version(conn) != seen:
                    return  # another connection wrote in between: its state is not ours
                after = storage_version(conn)
                if after is None or after == before or after.settled_at is None:
                    return
                wait = after.settled_at + max(c.settle_s for c in carriers) - time.time()
                if wait > 0:
                    sleep(wait)
                for carrier in carriers:
                    carrier.carry(before, after)
        finally:
            conn.info.pop("write", None)


def _data_version(conn: Connection) -> int:
    """Changes when another connection commits to the file (never for this one's commits)."""
    return int(conn.exec_driver_sql("PRAGMA data_version").scalar_one())
