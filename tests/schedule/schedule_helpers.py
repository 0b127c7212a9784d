"""Shared pieces of the scheduler tests: a fake clock, a recording alert sink, databases, configs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from tests.helpers.config import UNLIMITED_RATE
from tracker.config import TrackerConfig, load_config
from tracker.schedule.alerts import Alert
from tracker.schedule.jobs import JobContext, JobOutcome
from tracker.services.database import campaign_rows
from tracker.store import migrate
from tracker.store.engine import make_engine
from tracker.store.registry import sync_campaigns
from tracker.store.runs import RUN

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG_PATH = REPO_ROOT / "config" / "campaign.toml"
SHANGHAI = ZoneInfo("Asia/Shanghai")
DEAD_URL = "http://127.0.0.1:9/unreachable"
"""Base URL for configs whose platforms must never be contacted (discard port, refused)."""


def bj(text: str) -> datetime:
    """A Beijing wall time: ``bj("2024-09-10 06:30")``."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class FakeClock:
    """``now()`` that moves only when the test moves it."""

    def __init__(self, start: datetime) -> None:
        self.t = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.t

    def set(self, t: datetime) -> None:
        self.t = t.astimezone(UTC)

    def advance(self, **kwargs: float) -> datetime:
        self.t += timedelta(**kwargs)
        return self.t


class RecordingAlerts:
    def __init__(self) -> None:
        self.sent: list[Alert] = []

    def send(self, alert: Alert) -> list[object]:
        self.sent.append(alert)
        return []


def repo_config() -> TrackerConfig:
    return load_config(CONFIG_PATH)


def new_database(path: Path, config: TrackerConfig) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        sync_campaigns(conn, campaign_rows(config.campaigns))
    return engine


def config_text(
    base_urls: Mapping[str, str] | None = None,
    *,
    enabled: Iterable[str] | None = None,
    signer: str | None = "dev",
    keep_rate_limits: bool = False,
    rate_per_s: float | None = None,
    schedule: Mapping[str, str] | None = None,
) -> str:
    """The repository's campaign.toml with platforms pointed at ``base_urls`` (default: nowhere).

    Platforms not in ``enabled`` are switched off; the signer is the development one; rate
    limits are dropped unless kept (or replaced by ``rate_per_s``); ``schedule`` overrides crons
    (``{"weibo": "0 7 * * *"}`` or ``{"report": "..."}``).
    """
    text = CONFIG_PATH.read_text(encoding="utf-8")
    wanted = set(enabled) if enabled is not None else None
    overrides = dict(schedule or {})
    out: list[str] = []
    section = ""
    for line in text.splitlines():
        header = re.match(r"^\s*\[+\s*([^\]]+?)\s*\]+\s*$", line)
        if header:
            section = header.group(1)
            out.append(line)
            continue
        platform = section.split(".", 1)[1] if section.startswith("platforms.") else None
        key = line.split("=", 1)[0].strip() if "=" in line else ""
        if platform:
            if key == "enabled":
                on = wanted is None or platform in wanted
                out.append(f"enabled = {'true' if on else 'false'}")
                continue
            if key == "base_url":
                url = (base_urls or {}).get(platform, DEAD_URL)
                out.append(f'base_url = "{url}"')
                if signer:
                    out.append(f'signer = "{signer}"')
                limit = rate_per_s if rate_per_s is not None or keep_rate_limits else UNLIMITED_RATE
                if limit is not None:
                    # An omitted rate is the platform's own (its spec), so "dropped" is written out.
                    out.append(f"rate_per_s = {limit}")
                continue
            if key == "rate_per_s" and (not keep_rate_limits or rate_per_s is not None):
                continue
            if key == "schedule" and platform in overrides:
                out.append(f'schedule = "{overrides[platform]}"')
                continue
        if section == "schedule" and key in overrides:
            out.append(f'{key} = "{overrides[key]}"')
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def write_config(directory: Path, text: str) -> Path:
    path = directory / "config" / "campaign.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def job_rows(engine: Engine, job: str | None = None) -> list:
    q = select(RUN).where(RUN.c.kind == "job").order_by(RUN.c.id)
    if job is not None:
        q = q.where(RUN.c.job == job)
    with engine.connect() as conn:
        return list(conn.execute(q).all())


class FakeJobs:
    """Stands in for ``tracker.schedule.jobs``: records calls, optionally fails or stops."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, datetime]] = []
        self.fail: set[str] = set()
        self.raise_error: dict[str, BaseException] = {}
        self.interrupt_once: set[str] = set()

    def resolve(self, ref: str):  # noqa: ANN201 - the Runner's resolver signature
        assert ref.startswith("tracker.schedule.jobs:"), ref

        def job(ctx: JobContext, **kwargs: object) -> JobOutcome:
            self.calls.append((ctx.job_id, ctx.scheduled_for))
            if ctx.job_id in self.fail:
                raise RuntimeError(f"boom in {ctx.job_id}")
            if ctx.job_id in self.raise_error:
                raise self.raise_error[ctx.job_id]
            if ctx.job_id in self.interrupt_once:
                self.interrupt_once.discard(ctx.job_id)
                return JobOutcome("interrupted", error="stopped")
            return JobOutcome("ok")

        return job
