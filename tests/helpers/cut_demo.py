"""A small demo database with a real deadline cut between two collections.

``tracker demo --scale 40`` collects at 2024-09-30 12:00 UTC and refreshes part of the works at
2024-10-01 12:00 UTC. The end of 2024-09-30 in Beijing (16:00 UTC) lies between the two, so
picking that day in the dashboard is a cut where metrics differ. One refreshed work is then made
"first seen at the refresh" (its first sighting moved after the cut, its earlier snapshot
removed), so the cut also drops a work, not only older metrics.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from tracker.cli import main

CUT_DAY = "2024-09-30"
"""The day to pick: its end (Beijing) is after the demo's collection and before its refresh."""
REFRESH = "2024-10-01 12:00:00.000000"


@dataclass(frozen=True)
class CutDemo:
    root: Path
    db: Path
    config_path: Path
    late_work: tuple[str, str]
    """The work first seen at the refresh, after the cut."""

    @property
    def url(self) -> str:
        return f"sqlite:///{self.db}"

    def tracker(self, *args: str) -> str:
        """``tracker --db DB --config CONFIG ARGS`` in this process; its stdout."""
        return run_tracker(
            self.root, ["--db", str(self.db), "--config", str(self.config_path), *args]
        )


def run_tracker(root: Path, argv: list[str]) -> str:
    """``tracker ARGV`` in ``root`` with no ``TRACKER_*`` variables; fails on a non-zero exit.
    Restores root logging, which the command line configures for itself."""
    logger = logging.getLogger()
    handlers, level = logger.handlers[:], logger.level
    buf = io.StringIO()
    code = 0
    with pytest.MonkeyPatch.context() as mp:
        for name in [k for k in os.environ if k.startswith("TRACKER_")]:
            mp.delenv(name)
        mp.chdir(root)
        try:
            with contextlib.redirect_stdout(buf):
                main(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
        finally:
            logger.handlers[:] = handlers
            logger.setLevel(level)
    assert code == 0, (argv, buf.getvalue()[-2000:])
    return buf.getvalue()


def build_cut_demo(root: Path) -> CutDemo:
    """The demo at scale 40 in ``root`` (a copy from :func:`tests.helpers.demo.demo_copy`),
    with one work first seen after the cut."""
    config_path = root / "config" / "campaign.toml"
    db = root / "out" / "tracker.db"
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT s.platform, s.platform_post_id FROM metric_snapshot s "
            "JOIN post_campaign pc USING (platform, platform_post_id) "
            "WHERE pc.excluded = 0 AND s.captured_at >= ? "
            "ORDER BY s.platform, s.platform_post_id LIMIT 1",
            (REFRESH,),
        ).fetchone()
        assert row is not None, "the demo refreshes some campaign works"
        conn.execute(
            "UPDATE post SET first_collected_at = ? WHERE platform = ? AND platform_post_id = ?",
            (REFRESH, *row),
        )
        conn.execute(
            "DELETE FROM metric_snapshot WHERE platform = ? AND platform_post_id = ? "
            "AND captured_at < ?",
            (*row, REFRESH),
        )
    return CutDemo(root, db, config_path, (str(row[0]), str(row[1])))
