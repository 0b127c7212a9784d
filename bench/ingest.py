"""Benchmark: the project's upsert vs raw ``sqlite3.executemany`` on the same rows.

N posts (with N/10 accounts and one metric snapshot per post) go through ``Ingestor.ingest``
into a fresh, migrated SQLite file, committed every batch as a collection run commits every
page. In the same run, the same rows (prepared as tuples beforehand, so the baseline is only
the driver) go through ``sqlite3.executemany`` with the same SQL into an identical schema.
Prints one JSON line: both rates, the ratio and peak RSS.

    python bench/ingest.py --posts 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connectors import catalogue
from tracker.records import AccountRecord, Metrics, PostRecord
from tracker.store import migrate
from tracker.store.engine import make_engine
from tracker.store.upsert import (
    ACCOUNT_COLS,
    POST_COLS,
    SNAPSHOT_COLS,
    Ingestor,
    _sqlite_value,
    account_row,
    post_row,
    snapshot_row,
)

PLATFORMS = list(catalogue.live_platforms())
T0 = datetime(2024, 9, 1, tzinfo=UTC)


def batches(n_posts: int, batch: int) -> Iterator[tuple[list[PostRecord], list[AccountRecord]]]:
    n_accounts = max(n_posts // 10, 1)
    captured = datetime(2024, 10, 1, tzinfo=UTC)
    for start in range(0, n_posts, batch):
        posts: list[PostRecord] = []
        accounts: list[AccountRecord] = []
        for i in range(start, min(start + batch, n_posts)):
            platform_id = PLATFORMS[i % len(PLATFORMS)]
            acc = i % n_accounts
            posts.append(
                PostRecord(
                    platform_id,
                    str(4_900_000_000_000_000_000 + i),
                    captured,
                    account_uid=str(acc),
                    url=f"https://example.invalid/{i}",
                    title=f"科普作品 {i}",
                    text=f"#千万IP创科普# 作品正文 {i}",
                    content_type="video",
                    published_at=T0 + timedelta(seconds=i),
                    hashtags=["#千万IP创科普#"],
                    metrics=Metrics(views=i * 3, likes=i % 1000, comments=i % 97, shares=i % 13),
                    followers_at_capture=acc * 7,
                )
            )
            if i < n_accounts:
                accounts.append(
                    AccountRecord(
                        platform_id, str(acc), name=f"账号{acc}", followers=acc * 7, verified=False
                    )
                )
        yield posts, accounts


def run_project(path: Path, n_posts: int, batch: int) -> float:
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    elapsed = 0.0
    for posts, accounts in batches(n_posts, batch):
        t = time.perf_counter()
        with engine.begin() as conn:
            Ingestor(conn, batch_size=batch).ingest(
                posts=posts, accounts=accounts, seen_at=posts[0].captured_at
            )
        elapsed += time.perf_counter() - t
    engine.dispose()
    return elapsed


def run_raw(path: Path, n_posts: int, batch: int) -> float:
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.begin() as conn:
        ing = Ingestor(conn)
        sql = {k: ing._compiled[k].sql for k in ("account", "post", "snapshot")}
        order = {k: ing._compiled[k].order for k in ("account", "post", "snapshot")}
    engine.dispose()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    elapsed = 0.0
    for posts, accounts in batches(n_posts, batch):
        seen = posts[0].captured_at
        rows = {
            "account": [account_row(a, seen) for a in accounts],
            "post": [post_row(p) for p in posts],
            "snapshot": [snapshot_row(p, None) for p in posts],
        }
        tuples = {
            k: [tuple(_sqlite_value(c, r[c]) for c in order[k]) for r in v] for k, v in rows.items()
        }
        t = time.perf_counter()
        db.execute("BEGIN")
        for k in ("account", "post", "snapshot"):
            if tuples[k]:
                db.executemany(sql[k], tuples[k])
        db.execute("COMMIT")
        elapsed += time.perf_counter() - t
    db.close()
    return elapsed


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    assert ACCOUNT_COLS and POST_COLS and SNAPSHOT_COLS
    with tempfile.TemporaryDirectory() as tmp:
        raw_s = run_raw(Path(tmp) / "raw.db", args.posts, args.batch)
        project_s = run_project(Path(tmp) / "project.db", args.posts, args.batch)
        size_mib = os.path.getsize(Path(tmp) / "project.db") / 2**20
    rows = args.posts * 2 + max(args.posts // 10, 1)
    print(
        json.dumps(
            {
                "bench": "ingest",
                "posts": args.posts,
                "rows_written": rows,
                "project_s": round(project_s, 2),
                "raw_sqlite3_s": round(raw_s, 2),
                "project_posts_per_s": round(args.posts / project_s),
                "raw_posts_per_s": round(args.posts / raw_s),
                "ratio_project_over_raw": round(project_s / raw_s, 2),
                "peak_rss_mib": round(peak_rss_mib(), 1),
                "db_mib": round(size_mib, 1),
                "python": sys.version.split()[0],
                "sqlite": sqlite3.sqlite_version,
                "machine": f"{platform.machine()} {os.cpu_count()} cores",
            }
        )
    )


if __name__ == "__main__":
    main()
