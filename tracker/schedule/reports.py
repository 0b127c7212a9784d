"""Report folders the scheduler writes: ``reports/YYYY-MM-DD/`` per day, ``reports/weekly/...``.

The full report and exports belong to the report service; the scheduler looks it up by textual
reference (``dashboards.report_build:build_daily_report(engine, config, out_dir, day)``) so it
picks it up as soon as it exists, without an import that would break while it does not. Until
then — and in any case for ``summary.json`` — the folder gets a minimal, real content: the day's
summary and every stored work as JSON Lines. Files are written to a temporary name and renamed,
so a folder never holds half a file.

The summary and the report rank the same stored works (each at its own cut); they share one
read of the stored tables (``one_read_of_stored_tables``), the larger part of each ranking.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from tracker.config import TrackerConfig
from tracker.safe_files import atomic_text_output
from tracker.schedule.summary import period_summary
from tracker.services.export_posts import write_jsonl
from tracker.services.rank import one_read_of_stored_tables
from tracker.store.queries import Engine

DAILY_REPORT_REF = "dashboards.report_build:build_daily_report"
WEEKLY_REPORT_REF = "dashboards.report_build:build_weekly_report"
SUMMARY_FILE = "summary.json"
POSTS_FILE = "posts.jsonl"


def find_function(ref: str) -> Callable[..., Any] | None:
    """The function at ``module:name``, or None when that module or name does not exist (yet).

    Only the absence of the module itself counts as "not there": an import error *inside* an
    existing module is a bug and propagates, so the job fails loudly instead of quietly falling
    back forever.
    """
    module_name, _, attr = ref.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if module_name == missing or module_name.startswith(missing + "."):
            return None
        raise
    func = getattr(module, attr, None)
    return func if callable(func) else None


def _write_text(path: Path, text: str) -> None:
    # Never a predictable "<name>.part": a link planted there would redirect the write.
    with atomic_text_output(path) as fh:
        fh.write(text)


def write_json(path: Path, obj: Any) -> None:
    _write_text(path, json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def write_posts(engine: Engine, path: Path) -> int:
    with atomic_text_output(path) as fh:
        return write_jsonl(engine, fh)


def daily_dir(reports_dir: Path, day: date) -> Path:
    return reports_dir / day.isoformat()


def weekly_dir(reports_dir: Path, week_start: date) -> Path:
    return reports_dir / "weekly" / week_start.isoformat()


def write_daily(
    engine: Engine, config: TrackerConfig, reports_dir: Path, day: date, *, now: datetime
) -> tuple[Path, dict[str, Any]]:
    """Build ``reports/<day>/``; returns the folder and the day's summary."""
    out_dir = daily_dir(reports_dir, day)
    out_dir.mkdir(parents=True, exist_ok=True)
    builder = find_function(DAILY_REPORT_REF)
    with one_read_of_stored_tables():
        summary = period_summary(
            engine, config.campaign(None), day, day, now=now, platforms=config.enabled_platforms()
        )
        if builder is not None:
            builder(engine, config, out_dir, day)
    summary = {"day": day.isoformat(), **summary, "report_dir": str(out_dir)}
    files: list[str] = []
    if builder is not None:
        summary["report_builder"] = DAILY_REPORT_REF
    # The day's full data always goes beside the report: it is what an audit asks for.
    summary["posts_exported"] = write_posts(engine, out_dir / POSTS_FILE)
    files.append(POSTS_FILE)
    if builder is None or not (out_dir / SUMMARY_FILE).exists():
        write_json(out_dir / SUMMARY_FILE, summary)
        files.append(SUMMARY_FILE)
    summary["files"] = sorted({*files, *(p.name for p in out_dir.iterdir() if p.is_file())})
    return out_dir, summary


def write_weekly(
    engine: Engine, config: TrackerConfig, reports_dir: Path, week_start: date, *, now: datetime
) -> tuple[Path, dict[str, Any]]:
    """Build ``reports/weekly/<monday>/`` for the seven days from ``week_start``."""
    week_end = week_start + timedelta(days=6)
    out_dir = weekly_dir(reports_dir, week_start)
    out_dir.mkdir(parents=True, exist_ok=True)
    builder = find_function(WEEKLY_REPORT_REF)
    with one_read_of_stored_tables():
        summary = period_summary(
            engine,
            config.campaign(None),
            week_start,
            week_end,
            now=now,
            platforms=config.enabled_platforms(),
            top_n=10,
            per_day=True,
        )
        if builder is not None:
            builder(engine, config, out_dir, week_start)
    summary = {**summary, "report_dir": str(out_dir)}
    if builder is not None:
        summary["report_builder"] = WEEKLY_REPORT_REF
    if builder is None or not (out_dir / SUMMARY_FILE).exists():
        write_json(out_dir / SUMMARY_FILE, summary)
    return out_dir, summary
