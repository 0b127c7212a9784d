"""What the run table says about the scheduler's jobs and the platforms' latest collections.

The rows are written only by ``tracker.store.runs``; these are the questions the scheduler and
its status page ask of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from tracker.store.models import Run
from tracker.store.queries.comment_candidates import COMMENT_RUN_KIND

__all__ = [
    "WRITING_KINDS",
    "collection_start",
    "first_job_start",
    "job_statuses",
    "latest_job_runs",
    "platform_run_statuses",
    "recent_job_outcomes",
    "writing_runs",
]

RUN = Run.__table__


WRITING_KINDS = ("collect", "refresh", COMMENT_RUN_KIND, "import")
"""The runs that write works and their metrics (a job's own row only records it)."""


def writing_runs(conn: Connection, since: datetime) -> list[tuple[str, str | None]]:
    """(kind, platform) of every run of :data:`WRITING_KINDS` still running that started at or
    after ``since``. A run killed outright stays ``running`` until the next run of its kind and
    platform closes it, so older rows are taken for such leftovers."""
    rows = conn.execute(
        select(RUN.c.kind, RUN.c.platform)
        .where(
            RUN.c.kind.in_(WRITING_KINDS),
            RUN.c.status == "running",
            RUN.c.finished_at.is_(None),
            RUN.c.started_at >= since,
        )
        .order_by(RUN.c.id)
    ).all()
    return [(str(kind), platform) for kind, platform in rows]


def job_statuses(conn: Connection, job: str, scheduled_for: datetime) -> list[str]:
    """The status of every run of ``job`` for its time ``scheduled_for`` (retries included)."""
    return list(
        conn.execute(
            select(RUN.c.status).where(
                RUN.c.kind == "job",
                RUN.c.job == job,
                RUN.c.scheduled_for == scheduled_for,
            )
        ).scalars()
    )


def recent_job_outcomes(conn: Connection, job: str, limit: int = 3) -> list[Any]:
    """The latest finished runs of ``job`` (status, error), newest first; running and skipped
    runs are not outcomes."""
    return list(
        conn.execute(
            select(RUN.c.status, RUN.c.error)
            .where(
                RUN.c.kind == "job",
                RUN.c.job == job,
                RUN.c.status.not_in(("running", "skipped")),
            )
            .order_by(RUN.c.id.desc())
            .limit(limit)
        ).all()
    )


def first_job_start(conn: Connection) -> datetime | None:
    """When the scheduler first ran anything here (times before that were nobody's to run)."""
    started: datetime | None = conn.execute(
        select(func.min(RUN.c.started_at)).where(RUN.c.kind == "job")
    ).scalar()
    return started


def latest_job_runs(conn: Connection) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per job id: its latest run row, and its latest successful one (rows read by attribute)."""
    out: list[dict[str, Any]] = []
    for where in (RUN.c.kind == "job", and_(RUN.c.kind == "job", RUN.c.status == "ok")):
        latest = (
            select(RUN.c.job, func.max(RUN.c.id).label("id"))
            .where(where)
            .group_by(RUN.c.job)
            .subquery()
        )
        rows = conn.execute(select(RUN).join(latest, RUN.c.id == latest.c.id)).all()
        out.append({row.job: row for row in rows})
    return out[0], out[1]


def collection_start(conn: Connection, platform: str, limit: int = 400) -> datetime | None:
    """When the platform's last successful collection began reading, or None if none succeeded.

    A collection that resumed an unfinished run (a stop, a block) read its listings' newest
    pages in that earlier run, so its reading began when the earliest run after the success
    before it began. A run with an explicit ``until`` (recorded in its ``detail["window"]``) read
    an older slice, not the newest works, and is passed over. Only ``limit`` runs are read.
    """
    rows = conn.execute(
        select(RUN.c.status, RUN.c.started_at, RUN.c.detail)
        .where(RUN.c.kind == "collect", RUN.c.platform == platform)
        .order_by(RUN.c.id.desc())
        .limit(limit)
    ).all()
    ok = [i for i, row in enumerate(rows) if row.status == "ok" and not _sliced(row.detail)]
    if not ok:
        return None
    last = ok[0]
    before = next((i for i in range(last + 1, len(rows)) if rows[i].status == "ok"), len(rows))
    started: datetime = min(row.started_at for row in rows[last:before])
    return started


def _sliced(detail: Any) -> bool:
    """True for a run asked for works before an explicit ``until`` only."""
    window = detail.get("window") if isinstance(detail, dict) else None
    return isinstance(window, dict) and window.get("until") is not None


def platform_run_statuses(conn: Connection, platform: str, limit: int = 200) -> list[Any]:
    """(status, started_at) of the platform's latest finished collect/refresh runs, newest
    first."""
    return list(
        conn.execute(
            select(RUN.c.status, RUN.c.started_at)
            .where(
                RUN.c.platform == platform,
                RUN.c.kind.in_(("collect", "refresh")),
                RUN.c.status != "running",
            )
            .order_by(RUN.c.id.desc())
            .limit(limit)
        ).all()
    )
