"""Benchmark: the project's upsert vs the bare driver on the same rows, SQLite and PostgreSQL.

N posts (with N/10 accounts and one metric snapshot per post) go through ``Ingestor.ingest``
into a fresh, migrated SQLite file, committed every batch as a collection run commits every
page. In the same run, the same rows (prepared as tuples beforehand, so the baseline is only
the driver) go through ``sqlite3.executemany`` with the same SQL into an identical schema.

With ``--pg URL`` (or ``TRACKER_TEST_PG_URL`` set) the same is measured on PostgreSQL, each
side in a scratch schema of its own, dropped afterwards. The raw baseline there is the
project's own PostgreSQL protocol done by hand on a bare psycopg connection: per batch and
table, COPY of the prepared tuples into a temporary staging table, then the same ``INSERT ...
SELECT ... ON CONFLICT`` text; the project additionally builds the tuples, deduplicates and
counts new works.

Prints one JSON line: times, rates, ``ratio`` (project / raw, same run), ``pg_ratio``, peak
RSS and the machine's load average when the run started (the machine is shared).

    python bench/ingest.py --posts 1000000 [--pg postgresql://user@host/db]
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
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pg import schema_engine  # noqa: E402
from connectors import catalogue  # noqa: E402
from tracker.records import AccountRecord, Metrics, PostRecord  # noqa: E402
from tracker.store import migrate  # noqa: E402
from tracker.store.engine import make_engine  # noqa: E402
from tracker.store.upsert import (  # noqa: E402
    ACCOUNT_COLS,
    POST_COLS,
    SNAPSHOT_COLS,
    Ingestor,
    _pg_statements,
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


def run_project(engine: Engine, n_posts: int, batch: int) -> float:
    """Seconds ``Ingestor.ingest`` spends on every batch, one transaction each, into a freshly
    migrated database (SQLite file or PostgreSQL schema); disposes of the engine."""
    try:
        migrate.upgrade(engine)
        elapsed = 0.0
        for posts, accounts in batches(n_posts, batch):
            t = time.perf_counter()
            with engine.begin() as conn:
                Ingestor(conn, batch_size=batch).ingest(
                    posts=posts, accounts=accounts, seen_at=posts[0].captured_at
                )
            elapsed += time.perf_counter() - t
    finally:
        engine.dispose()
    return elapsed


def prepared_rows(
    posts: list[PostRecord],
    accounts: list[AccountRecord],
    columns: dict[str, tuple[str, ...]],
    value: Any,
) -> dict[str, list[tuple[Any, ...]]]:
    """One batch as the bare driver's tuples, per table in ``columns``' order, each value
    converted by ``value(column, value)``: built before the baseline's clock starts."""
    seen = posts[0].captured_at
    rows = {
        "account": [account_row(a, seen) for a in accounts],
        "post": [post_row(p) for p in posts],
        "snapshot": [snapshot_row(p, None) for p in posts],
    }
    return {k: [tuple(value(c, r[c]) for c in columns[k]) for r in v] for k, v in rows.items()}


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
        tuples = prepared_rows(posts, accounts, order, _sqlite_value)
        t = time.perf_counter()
        db.execute("BEGIN")
        for k in ("account", "post", "snapshot"):
            if tuples[k]:
                db.executemany(sql[k], tuples[k])
        db.execute("COMMIT")
        elapsed += time.perf_counter() - t
    db.close()
    return elapsed


def _pg_urls(url: str) -> tuple[str, str]:
    """(SQLAlchemy URL with the psycopg driver, libpq URL) of one server URL."""
    parsed = make_url(url)
    sa_url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return sa_url, parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_value(col: str, value: Any) -> Any:
    """One value as COPY takes it: JSON as text (``json.dumps``, as SQLAlchemy binds it)."""
    if value is not None and col in ("hashtags", "context"):
        return json.dumps(value)
    return value


def run_pg_raw(sa_url: str, pq_url: str, schema: str, n_posts: int, batch: int) -> float:
    import psycopg

    engine = schema_engine(sa_url, schema)
    migrate.upgrade(engine)
    engine.dispose()
    staged = _pg_statements()
    cols = {"account": ACCOUNT_COLS, "post": POST_COLS, "snapshot": SNAPSHOT_COLS}
    elapsed = 0.0
    with psycopg.connect(pq_url, options=f"-csearch_path={schema}") as db:
        for posts, accounts in batches(n_posts, batch):
            tuples = prepared_rows(posts, accounts, cols, _pg_value)
            t = time.perf_counter()
            with db.transaction(), db.cursor() as cur:
                for k in ("account", "post", "snapshot"):
                    if not tuples[k]:
                        continue
                    cur.execute(staged[k].create_sql)
                    cur.execute(staged[k].truncate_sql)
                    with cur.copy(staged[k].copy_sql) as copy:
                        for row in tuples[k]:
                            copy.write_row(row)
                    cur.execute(staged[k].upsert_sql)
            elapsed += time.perf_counter() - t
    return elapsed


def run_pg(url: str, n_posts: int, batch: int) -> dict[str, Any]:
    """Both PostgreSQL sides, each in a scratch schema dropped afterwards."""
    sa_url, pq_url = _pg_urls(url)
    tag = uuid.uuid4().hex[:10]
    schemas = {"raw": f"bench_raw_{tag}", "project": f"bench_project_{tag}"}
    admin = create_engine(sa_url)
    try:
        with admin.begin() as conn:
            for schema in schemas.values():
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            server = conn.execute(text("SHOW server_version")).scalar_one()
        raw_s = run_pg_raw(sa_url, pq_url, schemas["raw"], n_posts, batch)
        project_s = run_project(schema_engine(sa_url, schemas["project"]), n_posts, batch)
    finally:
        with admin.begin() as conn:
            for schema in schemas.values():
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    return {
        "pg_project_s": round(project_s, 2),
        "pg_raw_s": round(raw_s, 2),
        "pg_ratio": round(project_s / raw_s, 2),
        "pg_raw": "psycopg COPY to staging + same INSERT ... SELECT ... ON CONFLICT",
        "postgresql": server,
    }


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument(
        "--pg",
        default=os.environ.get("TRACKER_TEST_PG_URL"),
        help="PostgreSQL server URL (default: TRACKER_TEST_PG_URL); scratch schemas are dropped",
    )
    args = parser.parse_args()
    load_1m = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        raw_s = run_raw(Path(tmp) / "raw.db", args.posts, args.batch)
        project_s = run_project(
            make_engine(f"sqlite:///{Path(tmp) / 'project.db'}"), args.posts, args.batch
        )
        size_mib = os.path.getsize(Path(tmp) / "project.db") / 2**20
    pg = run_pg(args.pg, args.posts, args.batch) if args.pg else {}
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
                "ratio": round(project_s / raw_s, 2),
                "ratio_project_over_raw": round(project_s / raw_s, 2),
                **pg,
                "peak_rss_mib": round(peak_rss_mib(), 1),
                "db_mib": round(size_mib, 1),
                "python": sys.version.split()[0],
                "sqlite": sqlite3.sqlite_version,
                "machine": f"{platform.machine()} {os.cpu_count()} cores",
                "load_1m_at_start": round(load_1m, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
