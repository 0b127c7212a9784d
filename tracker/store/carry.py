"""Bookkeeping writes that carry results kept for the stored data forward.

A result computed from the store (a ranking of a million works takes 10-15 s) is kept for one
state of the store (``tracker.store.queries.version``). That state is the whole SQLite file, so
the scheduler's own run rows, written when a job starts and ends, made every kept ranking
another state's: the ``keep_rankings`` job's ranking went stale as the job's row was closed,
and the 08:00 report's rows did the same to whatever was kept before it.

A write of run rows alone changes nothing a kept result was computed from; a review decision
changes only what a kept ranking brings up to date wherever it is served. Such a write names
the tables it writes (``tables``), and each carrier the tables it follows (``follows``); only
carriers that follow every table written are carried. On SQLite the write is made here in
two steps on one connection: the write, with the state read before it under the write
lock; then, if a carrier (``tracker.services.ranking_cache``) holds something for that state,
the write lock once more, and only if no other connection committed in between (SQLite's
``PRAGMA data_version``), the carrier moves what it holds to the new state. Holding the lock
until the new state's newest file stamp is ``settle_s`` old keeps the carried state exact: any
later write stamps the files anew (see ``ranking_cache.SETTLE_S``).

On PostgreSQL, where no lock keeps other writers out, the server's snapshot read before and
after the write tells whether any other transaction began or ended in between
(:func:`_only_this_write`); if one did, nothing is carried.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from sqlalchemy import Connection, Engine

from tracker.store.engine import begin_write, write_connection
from tracker.store.models import Review, ReviewEvent, Run
from tracker.store.queries.version import StorageVersion, storage_version

__all__ = ["REVIEW_TABLES", "RUN_TABLES", "Carrier", "bookkeeping_write", "register_carrier"]


class Carrier(Protocol):
    """Something kept per state of the store that a bookkeeping write may carry forward."""

    @property
    def follows(self) -> frozenset[str]:
        """The tables whose writes it may be carried across: what it kept was made from none of
        them, or is brought up to date with them wherever it is served."""

    @property
    def settle_s(self) -> float:
        """How old the new state's newest stamp must be before it may be trusted."""

    def holds(self, engine: Engine, version: StorageVersion) -> bool:
        """Whether anything is kept for ``version`` of ``engine``'s store."""

    def carry(self, engine: Engine, before: StorageVersion, after: StorageVersion) -> None:
        """Keep for ``after`` what is kept for ``before``."""


_CARRIERS: list[Carrier] = []


def register_carrier(carrier: Carrier) -> None:
    """Have bookkeeping writes carry what ``carrier`` keeps (once per carrier)."""
    if carrier not in _CARRIERS:
        _CARRIERS.append(carrier)


def _between() -> None:
    """Called after the write commits and before the lock is taken again (a test seam: another
    connection's commit lands here)."""


RUN_TABLES = frozenset({Run.__table__.name})
"""What the scheduler's and every command's own run rows write."""

REVIEW_TABLES = frozenset({Review.__table__.name, ReviewEvent.__table__.name})
"""What a review decision writes: the work's status and the event behind it."""


@contextmanager
def bookkeeping_write(
    engine: Engine,
    *,
    tables: frozenset[str] = RUN_TABLES,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[Connection]:
    """:func:`begin_write` for a transaction that writes ``tables`` and nothing else; what the
    registered carriers that follow those tables keep for the state before it is kept for the
    state after it."""
    carriers = [c for c in _CARRIERS if tables <= c.follows]
    backend = engine.dialect.name
    if not carriers or backend not in ("sqlite", "postgresql"):
        with begin_write(engine) as conn:
            yield conn
        return
    if backend == "sqlite":
        with _sqlite_write(engine, carriers, sleep) as conn:
            yield conn
        return
    with _postgresql_write(engine, carriers) as conn:
        yield conn


def _holding(
    engine: Engine, carriers: list[Carrier], version: StorageVersion | None
) -> list[Carrier]:
    if version is None:
        return []
    return [c for c in carriers if c.holds(engine, version)]


@contextmanager
def _sqlite_write(
    engine: Engine, followers: list[Carrier], sleep: Callable[[float], None]
) -> Iterator[Connection]:
    """The write and the carry on one connection, each under the write lock (``BEGIN
    IMMEDIATE``): nobody else commits while either runs, and ``PRAGMA data_version`` tells
    whether anybody did between them."""
    with write_connection(engine) as conn:
        with conn.begin():
            before = storage_version(conn)
            carriers = _holding(engine, followers, before)
            seen = _data_version(conn) if carriers else None
            yield conn
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
                carrier.carry(engine, before, after)


def _data_version(conn: Connection) -> int:
    """Changes when another connection commits to the file (never for this one's commits)."""
    return int(conn.exec_driver_sql("PRAGMA data_version").scalar_one())


@contextmanager
def _postgresql_write(engine: Engine, followers: list[Carrier]) -> Iterator[Connection]:
    """The write between two readings of the server's snapshot. A transaction that writes
    takes the next transaction id and, while it runs, sits in the in-progress list; so the
    state moved by this write alone exactly when the snapshot before ended just below this
    transaction's id, the one after just above it, and the in-progress list is the same."""
    with engine.connect() as conn:
        before = storage_version(conn)
        conn.rollback()  # the reading's own transaction (it took no id)
        carriers = _holding(engine, followers, before)
        if not carriers or before is None:
            with conn.begin():
                yield conn
            return
        with conn.begin():
            own = int(conn.exec_driver_sql("SELECT pg_current_xact_id()::text").scalar_one())
            yield conn
        _between()
        after = storage_version(conn)
        conn.rollback()
        if after is not None and _only_this_write(before.token, after.token, own):
            for carrier in carriers:
                carrier.carry(engine, before, after)


def _only_this_write(before: str, after: str, own: int) -> bool:
    """Whether two ``pg_current_snapshot()`` texts (``xmin:xmax:in-progress ids``) differ by
    transaction ``own`` alone, begun and committed between them."""
    try:
        b_min, b_max, b_ids = _snapshot(before)
        a_min, a_max, a_ids = _snapshot(after)
    except ValueError:
        return False
    expected_min = min(b_ids) if b_ids else own + 1
    return b_max == own and a_max == own + 1 and a_ids == b_ids and a_min == expected_min


def _snapshot(text: str) -> tuple[int, int, frozenset[int]]:
    xmin, xmax, ids = text.split(":")
    return int(xmin), int(xmax), frozenset(int(i) for i in ids.split(",") if i)
