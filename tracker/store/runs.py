"""Run rows: every collection, refresh, import and job leaves one, with counts and its cursor.

The one writer of the ``run`` table (and of ``reject``, the rows a run could not store): every
insert and update of a run row goes through a function here.

A run is written in its own short transactions (start, per-page progress, finish), so a run
that is killed keeps its last committed cursor and shows up as ``running`` with no
``finished_at``; the next run of the same platform and kind resumes from that cursor.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, and_, bindparam, select

from tracker.records import RejectRecord, storable_text
from tracker.redaction import scrub
from tracker.store.carry import bookkeeping_write
from tracker.store.models import Reject, Run

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

RUN = Run.__table__
REJECT = Reject.__table__

MAX_PAYLOAD_CHARS = 200_000


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class RunCounts:
    pages: int = 0
    items_read: int = 0
    new: int = 0
    updated: int = 0
    rejected: int = 0
    skipped: int = 0
    claimed_total: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    http: DataclassInstance | None = None
    """The run's HTTP client figures (``tracker.http.HttpStats``: requests, retries, bytes; any
    dataclass to the store, which does not import the HTTP layer), live: every write of the run
    row stores them as they stand, so a run that fails or is stopped keeps them too. Retries
    are the early sign of a platform throttling us."""

    def as_values(self) -> dict[str, Any]:
        detail = {**self.detail, "http": asdict(self.http)} if self.http else self.detail
        return {
            "pages": self.pages,
            "items_read": self.items_read,
            "new": self.new,
            "updated": self.updated,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "claimed_total": self.claimed_total,
            "detail": detail,
        }


def start_run(
    engine: Engine,
    *,
    kind: str,
    platform: str | None = None,
    job: str | None = None,
    scheduled_for: datetime | None = None,
    cursor: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> int:
    with bookkeeping_write(engine) as conn:
        result = conn.execute(
            RUN.insert().values(
                kind=kind,
                platform=platform,
                job=job,
                scheduled_for=scheduled_for,
                started_at=now or utcnow(),
                status="running",
                cursor=cursor or {},
                detail={},
            )
        )
        key = result.inserted_primary_key
        assert key is not None  # an INSERT of one row always has one
        return int(key[0])


_UPDATE_RUN = RUN.update().where(RUN.c.id == bindparam("run_id"))
"""The per-page progress write, built once: the columns set are the parameters given. A
statement rebuilt with ``.values()`` on every page cost some 0.1 ms of CPU to build and
cache-key, five times the UPDATE itself."""


def update_run(
    conn: Connection, run_id: int, counts: RunCounts, cursor: dict[str, Any] | None
) -> None:
    values = counts.as_values()
    if cursor is not None:
        values["cursor"] = cursor
    conn.execute(_UPDATE_RUN, {"run_id": run_id, **values})


def finish_run(
    engine: Engine,
    run_id: int,
    *,
    status: str,
    counts: RunCounts,
    error: str | None = None,
    cursor: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    with bookkeeping_write(engine) as conn:
        values = counts.as_values()
        # Last line of defence: whatever built the message, no configured secret is stored.
        error = storable_text(scrub(error)) if error else error
        values.update(status=status, error=error, finished_at=now or utcnow())
        if cursor is not None:
            values["cursor"] = cursor
        conn.execute(RUN.update().where(RUN.c.id == run_id).values(**values))


def _latest_run(engine: Engine, *, kind: str, platform: str | None) -> Any:
    """The latest run row (id, status, cursor) of this kind/platform, or None;
    ``platform=None`` means runs without one (SQL ``IS NULL``)."""
    with engine.connect() as conn:
        return conn.execute(
            select(RUN.c.id, RUN.c.status, RUN.c.cursor)
            .where(RUN.c.kind == kind, RUN.c.platform == platform)
            .order_by(RUN.c.id.desc())
            .limit(1)
        ).first()


def resumable_cursor(
    engine: Engine, *, kind: str, platform: str | None
) -> tuple[int | None, dict[str, Any]]:
    """The cursor of the latest unfinished run of this kind/platform (killed or interrupted);
    ``platform=None`` means runs without one (SQL ``IS NULL``)."""
    return _unfinished(_latest_run(engine, kind=kind, platform=platform))


def _unfinished(row: Any) -> tuple[int | None, dict[str, Any]]:
    if row is None or row.status not in ("running", "interrupted", "failed", "blocked"):
        return None, {}
    return int(row.id), dict(row.cursor or {})


def interrupt_stale_run(
    engine: Engine, *, kind: str, platform: str | None
) -> tuple[int | None, dict[str, Any]]:
    """Mark the latest run of this kind/platform ``interrupted`` if it is still ``running``.

    A run is written in short transactions, so a process that was killed (SIGKILL, power cut)
    leaves its row ``running`` for ever. A new run of the same kind and platform starting is
    how we know that process is gone: each run closes its predecessor's row before writing its
    own. Returns that run's id and cursor (see :func:`resumable_cursor`) for a run that resumes.
    A latest run that is not ``running`` costs no write transaction (on SQLite, a commit and
    its sync to disk; an import checks every platform).
    """
    row = _latest_run(engine, kind=kind, platform=platform)
    if row is not None and row.status == "running":
        with bookkeeping_write(engine) as conn:
            conn.execute(
                RUN.update()
                .where(RUN.c.id == row.id, RUN.c.status == "running")
                .values(status="interrupted")
            )
    return _unfinished(row)


def set_run_platform(engine: Engine, run_id: int, platform: str) -> None:
    """Name the platform of a run that started without one (an import whose files turned out
    to hold a single platform's posts), so per-platform status and resumption find it."""
    with bookkeeping_write(engine) as conn:
        conn.execute(RUN.update().where(RUN.c.id == run_id).values(platform=platform))


def interrupt_running_jobs(engine: Engine, job: str, *, error: str) -> None:
    """Mark every run of scheduled ``job`` still ``running`` as ``interrupted`` with ``error``:
    rows left by a process that died (the caller holds the scheduler's lock, so nobody else
    runs them)."""
    with bookkeeping_write(engine) as conn:
        conn.execute(
            RUN.update()
            .where(and_(RUN.c.kind == "job", RUN.c.job == job, RUN.c.status == "running"))
            .values(status="interrupted", error=error)
        )


def write_rejects(
    conn: Connection,
    rejects: list[RejectRecord],
    *,
    run_id: int | None,
    source: str,
    now: datetime | None = None,
) -> int:
    if not rejects:
        return 0
    when = now or utcnow()
    rows = [
        {
            "run_id": run_id,
            "source": source,
            "platform": r.platform,
            "location": storable_text(r.location) if r.location else r.location,
            "reason": storable_text(r.reason),
            "payload": storable_text(r.payload[:MAX_PAYLOAD_CHARS]),
            "created_at": when,
        }
        for r in rejects
    ]
    conn.execute(REJECT.insert(), rows)
    return len(rows)


def payload_text(obj: Any) -> str:
    """A raw item as text for the reject table (JSON where possible)."""
    if isinstance(obj, str):
        return obj
    try:
        return json.dumps(obj, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(obj)
