"""A dashboard-like reader, run as its own process while a collection writes.

``python reader.py DB_URL STOP_FILE OUT_JSON`` loops over the queries a dashboard and
``tracker status`` run (GROUP BY counts over works and snapshots, the latest run per platform)
through the product's own engine, until STOP_FILE exists; then writes what it saw: how many
rounds, the distinct work counts observed (proof it overlapped the writer), the slowest round,
and every error as text. It never raises: an error is data for the test to judge.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from sqlalchemy import text

from tracker.services.status import database_status
from tracker.store.engine import make_engine

QUERIES = (
    "SELECT platform, count(*) FROM post GROUP BY platform",
    "SELECT platform, content_type, count(*), sum(coalesce(likes, 0)) FROM post "
    "GROUP BY platform, content_type",
    "SELECT platform, count(*), count(DISTINCT platform_post_id), max(captured_at) "
    "FROM metric_snapshot GROUP BY platform",
    "SELECT p.platform, count(*) FROM post p JOIN post_campaign c "
    "ON c.platform = p.platform AND c.platform_post_id = p.platform_post_id "
    "WHERE c.excluded = 0 GROUP BY p.platform",
    "SELECT platform, status, pages, finished_at FROM run WHERE id IN "
    "(SELECT max(id) FROM run GROUP BY platform)",
    "SELECT status, count(*) FROM run GROUP BY status",
)


def ready_file(out: str | Path) -> Path:
    """Touched after the first round: the test starts the writer only then, so the reader is
    sure to overlap it however fast the collection has become."""
    return Path(out).with_suffix(".ready")


def main(url: str, stop_file: str, out: str) -> None:
    engine = make_engine(url, create_dirs=False)
    rounds = 0
    seen_counts: set[int] = set()
    errors: list[str] = []
    slowest = 0.0
    stop = Path(stop_file)
    while not stop.exists():
        started = time.monotonic()
        try:
            with engine.connect() as conn:
                for q in QUERIES:
                    rows = conn.execute(text(q)).all()
                    if q.startswith("SELECT platform, count(*) FROM post GROUP"):
                        seen_counts.add(sum(r[1] for r in rows))
            database_status(engine, url)
        except Exception as exc:  # noqa: BLE001 - report, do not die
            errors.append(f"{type(exc).__name__}: {exc}".splitlines()[0])
        slowest = max(slowest, time.monotonic() - started)
        rounds += 1
        if rounds == 1:
            ready_file(out).touch()
    engine.dispose()
    Path(out).write_text(
        json.dumps(
            {
                "rounds": rounds,
                "distinct_post_counts": sorted(seen_counts),
                "slowest_round_s": round(slowest, 3),
                "errors": errors,
            }
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])
