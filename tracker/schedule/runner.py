"""Running the plan: the job wrapper that writes run rows, catch-up, ``--once`` and the scheduler.

Our own ``run`` rows, not APScheduler's memory, decide what still has to run. Every job run
leaves one row (``kind="job"``, the job id, the nominal ``scheduled_for``, start, finish, status,
counts, error). A scheduled time is *due* when it has no successful row; the start-up catch-up
pass, ``--once`` and the tests' "run due jobs" step are the same function, :meth:`Runner.run_due`,
so a run missed while the process was down happens exactly once, whichever way it is caught up,
and never twice across restarts. A time that keeps failing is retried at most
``MAX_FAILED_ATTEMPTS`` times by catch-up (a dead cookie must not be hammered by a ``--once``
in a ten-minute cron line); the next scheduled time starts afresh.

While running, APScheduler 3.11's ``BlockingScheduler`` fires the jobs (``Asia/Shanghai``,
``MemoryJobStore``, ``coalesce=True``, ``max_instances=1``, ``misfire_grace_time`` and cron
jitter from the config). Its job target is :func:`fire_job` by textual reference; the wrapper
records the nominal (jitter-free) cron time as ``scheduled_for``, the same value catch-up uses.

Stopping: SIGTERM/SIGINT set a :class:`StopToken`. A collection in progress sees it after its
current page (which is committed with its cursor), the job row ends ``interrupted``, the
scheduler shuts down after the running jobs return, and the process exits 0. Its next start
resumes from the cursor. A second signal stops at once (``KeyboardInterrupt``).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_SCHEDULER_STARTED, SchedulerEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.util import ref_to_obj

from tracker.config import TrackerConfig
from tracker.failure_text import failure_text
from tracker.schedule.alerts import AlertSender, failing_alert
from tracker.schedule.jobs import AlertSink, JobContext, JobOutcome
from tracker.schedule.plan import JobSpec, Plan, build_plan
from tracker.services.collect import CollectOptions
from tracker.store.queries import Engine
from tracker.store.queries.runs import job_statuses, recent_job_outcomes
from tracker.store.runs import RunCounts, finish_run, interrupt_running_jobs, start_run

log = logging.getLogger("tracker.schedule")

Clock = Callable[[], datetime]

FIRE_REF = "tracker.schedule.runner:fire_job"
NOT_FAILURES = ("ok", "interrupted", "skipped", "running")
MAX_FAILED_ATTEMPTS = 3
EXECUTOR_THREADS = 2
"""Jobs are I/O-bound; two lets a report run while a long collection pages on."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def is_failure(status: str | None) -> bool:
    return status is not None and status not in NOT_FAILURES


class StopToken:
    """A thread-safe "please stop" flag with callbacks (the scheduler's shutdown hangs on it)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    def is_set(self) -> bool:
        return self._event.is_set()

    __call__ = is_set

    def set(self) -> None:
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks = list(self._callbacks)
        for cb in callbacks:
            cb()

    def on_set(self, callback: Callable[[], None]) -> None:
        with self._lock:
            self._callbacks.append(callback)
            fire = self._event.is_set()
        if fire:
            callback()


@contextmanager
def stop_on_signals(
    stop: StopToken, notify: Callable[[], None] | None = None
) -> Iterator[StopToken]:
    """SIGTERM/SIGINT ask for a graceful stop; a second one interrupts at once."""
    previous: dict[int, Any] = {}

    def handle(_signum: int, _frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        if notify is not None:
            notify()
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        previous[sig] = signal.signal(sig, handle)
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@dataclass(slots=True)
class JobRun:
    job_id: str
    scheduled_for: datetime
    status: str
    run_id: int | None = None
    error: str | None = None
    counts: RunCounts | None = None


class Runner:
    """Runs the plan's jobs with run rows; see the module doc."""

    def __init__(
        self,
        engine: Engine,
        config: TrackerConfig,
        *,
        plan: Plan | None = None,
        now: Clock | None = None,
        alerts: AlertSink | None = None,
        reports_dir: Path | str | None = None,
        collect_options: CollectOptions | None = None,
        stop: StopToken | None = None,
        resolve: Callable[[str], Callable[..., JobOutcome]] = ref_to_obj,
    ) -> None:
        self.engine = engine
        self.config = config
        self.plan = plan or build_plan(config)
        self.now: Clock = now or utc_now
        self.alerts: AlertSink = alerts if alerts is not None else AlertSender()
        self.reports_dir = Path(reports_dir or config.schedule.reports_dir)
        self.collect_options = collect_options or CollectOptions()
        self.stop = stop or StopToken()
        self._resolve = resolve
        self._scheduler: BlockingScheduler | None = None
        self._shutdown_thread: threading.Thread | None = None

    # ------------------------------------------------------------------ what is due

    def _finished_rows(self, job_id: str, scheduled_for: datetime) -> list[str]:
        with self.engine.connect() as conn:
            return job_statuses(conn, job_id, scheduled_for)

    def has_success(self, job_id: str, scheduled_for: datetime) -> bool:
        return "ok" in self._finished_rows(job_id, scheduled_for)

    def _is_due(self, job_id: str, scheduled_for: datetime) -> bool:
        statuses = self._finished_rows(job_id, scheduled_for)
        if "ok" in statuses:
            return False
        return sum(1 for s in statuses if is_failure(s)) < MAX_FAILED_ATTEMPTS

    def due(self, now: datetime | None = None) -> list[tuple[JobSpec, datetime]]:
        """Jobs whose latest scheduled time at or before ``now`` still has to run, oldest first."""
        when = now or self.now()
        out = []
        for index, spec in enumerate(self.plan.jobs):
            latest = self.plan.latest_fire_time(spec, when)
            if latest is not None and self._is_due(spec.id, latest):
                out.append((latest, index, spec))
        out.sort(key=lambda item: (item[0], item[1]))
        return [(spec, latest) for latest, _, spec in out]

    # ------------------------------------------------------------------ running one job

    def run_due(self) -> list[JobRun]:
        """Run every due job once, oldest scheduled time first (catch-up, ``--once``)."""
        results = []
        for spec, scheduled_for in self.due():
            if self.stop.is_set():
                break
            results.append(self.run_job(spec, scheduled_for))
        return results

    def fire(self, job_id: str) -> JobRun:
        """What the scheduler calls: the job for its latest nominal time (jitter left out)."""
        spec = self.plan.job(job_id)
        now = self.now()
        scheduled_for = self.plan.latest_fire_time(spec, now) or now
        return self.run_job(spec, scheduled_for)

    def _close_stale(self, job_id: str) -> None:
        """Rows left ``running`` by a process that died: we hold the lock, so nobody runs them."""
        interrupt_running_jobs(self.engine, job_id, error="进程意外退出 (process died)")

    def run_job(self, spec: JobSpec, scheduled_for: datetime) -> JobRun:
        if self.stop.is_set():
            return JobRun(spec.id, scheduled_for, "skipped", error="stopping")
        if self.has_success(spec.id, scheduled_for):
            return JobRun(spec.id, scheduled_for, "skipped", error="already done")
        self._close_stale(spec.id)
        run_id = start_run(
            self.engine, kind="job", job=spec.id, scheduled_for=scheduled_for, now=self.now()
        )
        log.info(
            "开始任务 %s（%s，计划时间 %s）",
            spec.id,
            spec.description,
            scheduled_for.astimezone(self.plan.timezone).isoformat(),
        )
        ctx = JobContext(
            engine=self.engine,
            config=self.config,
            job_id=spec.id,
            scheduled_for=scheduled_for,
            now=self.now,
            should_stop=self.stop.is_set,
            alerts=self.alerts,
            reports_dir=self.reports_dir,
            collect_options=self.collect_options,
        )
        try:
            job = self._resolve(spec.func)
            outcome = job(ctx, **dict(spec.kwargs))
        except KeyboardInterrupt:
            finish_run(
                self.engine,
                run_id,
                status="interrupted",
                counts=RunCounts(),
                error="interrupted",
                now=self.now(),
            )
            raise
        except Exception as exc:  # noqa: BLE001 - a failing job is recorded, never fatal
            log.exception("任务 %s 出错", spec.id)
            outcome = JobOutcome("failed", error=failure_text(exc))
        finish_run(
            self.engine,
            run_id,
            status=outcome.status,
            counts=outcome.counts,
            error=outcome.error,
            now=self.now(),
        )
        level = logging.WARNING if is_failure(outcome.status) else logging.INFO
        log.log(
            level,
            "任务 %s 结束：%s%s",
            spec.id,
            outcome.status,
            f"（{outcome.error}）" if outcome.error else "",
        )
        if is_failure(outcome.status):
            self._alert_if_failing_twice(spec)
        return JobRun(spec.id, scheduled_for, outcome.status, run_id, outcome.error, outcome.counts)

    def _alert_if_failing_twice(self, spec: JobSpec) -> None:
        """Alert once when a job's streak of failures reaches two (not again on the third)."""
        with self.engine.connect() as conn:
            rows = recent_job_outcomes(conn, spec.id, limit=3)
        streak = 0
        for row in rows:
            if not is_failure(row.status):
                break
            streak += 1
        if streak == 2:
            self.alerts.send(failing_alert(spec.id, spec.description, [r.error for r in rows[:2]]))

    # ------------------------------------------------------------------ the long-running process

    def build_scheduler(self) -> BlockingScheduler:
        scheduler = BlockingScheduler(
            timezone=self.plan.timezone,
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(EXECUTOR_THREADS)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": self.plan.misfire_grace_time_s,
            },
        )
        for spec in self.plan.jobs:
            scheduler.add_job(
                FIRE_REF,
                trigger=self.plan.trigger(spec, jitter=True),
                args=[self, spec.id],
                id=spec.id,
                name=spec.description,
            )
        return scheduler

    def _shutdown_soon(self) -> None:
        """Shut the scheduler down from a helper thread: it waits for running jobs to return."""
        scheduler = self._scheduler
        if scheduler is None or scheduler.state == STATE_STOPPED or self._shutdown_thread:
            return

        def shutdown() -> None:
            try:
                scheduler.shutdown(wait=True)
            except Exception:  # noqa: BLE001 - already stopped: nothing to do
                log.debug("scheduler shutdown", exc_info=True)

        self._shutdown_thread = threading.Thread(target=shutdown, name="scheduler-shutdown")
        self._shutdown_thread.start()

    def _on_started(self, _event: SchedulerEvent) -> None:
        if self.stop.is_set():
            self._shutdown_soon()

    def serve(self, on_ready: Callable[[BlockingScheduler], None] | None = None) -> list[JobRun]:
        """Catch up, then run the scheduler until stopped; returns the catch-up results."""
        caught_up = self.run_due()
        if self.stop.is_set():
            return caught_up
        scheduler = self.build_scheduler()
        self._scheduler = scheduler
        scheduler.add_listener(self._on_started, EVENT_SCHEDULER_STARTED)
        self.stop.on_set(self._shutdown_soon)
        if on_ready is not None:
            on_ready(scheduler)
        scheduler.start()  # blocks until shutdown
        if self._shutdown_thread is not None:
            self._shutdown_thread.join()
        return caught_up


def fire_job(runner: Runner, job_id: str) -> None:
    """The scheduler's job target (by textual reference, see ``FIRE_REF``)."""
    runner.fire(job_id)
