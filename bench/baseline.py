"""The yardstick the scale benchmarks divide by: one raw scan of the campaign's works.

One pass over ``post_campaign`` joined to ``post`` with a GROUP BY platform, through the bare
driver (``sqlite3``, or psycopg's cursor), on the same machine in the same run as the figure
it divides. Machines here differ by a factor of three and more; the ratio does not.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

SCAN_SQL = (
    "SELECT p.platform, count(*), sum(p.likes) FROM post_campaign pc JOIN post p"
    " ON pc.platform = p.platform AND pc.platform_post_id = p.platform_post_id"
    " WHERE pc.campaign_id = 1 AND NOT pc.excluded GROUP BY p.platform"
)


def sqlite_scan(path: Path) -> float:
    """Seconds for one scan of the SQLite file at ``path``."""
    db = sqlite3.connect(path)
    try:
        t = time.perf_counter()
        db.execute(SCAN_SQL).fetchall()
        return time.perf_counter() - t
    finally:
        db.close()


def engine_scan(engine: Any) -> float:
    """Seconds for one scan through ``engine``'s bare driver cursor (PostgreSQL: psycopg)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        t = time.perf_counter()
        cursor.execute(SCAN_SQL)
        cursor.fetchall()
        elapsed = time.perf_counter() - t
        cursor.close()
        return elapsed
    finally:
        raw.close()


def median_scan(scan: Any, *args: Any) -> float:
    """The median of three scans after one that warms the caches, as the runs beside it are."""
    scan(*args)
    return statistics.median(scan(*args) for _ in range(3))
