"""Test databases: fresh SQLite files, PostgreSQL scratch schemas, and plain-SQL readers.

The readers are deliberately plain SQL (or bare table objects), not the product's read
functions, so an assertion never trusts the code it is checking.

A fresh SQLite database starts as a copy of one migrated, empty file made once per process
(:func:`new_sqlite`): running the migrations takes about 0.15 s a database, the copy well under
a millisecond, and hundreds of tests start from one. ``tracker init`` itself (campaigns, the
registry, the stored texts) still runs on each copy; the migrations and a first ``init`` are
tested as they are in ``tests/store/test_migrations.py`` and ``tests/cli``.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, UniqueConstraint, and_, create_engine, func, select, text

from tracker.config import TrackerConfig, UnitRow, load_config
from tracker.services.database import init_database
from tracker.store import migrate
from tracker.store.engine import make_engine
from tracker.store.models import MetricSnapshot, Post, PostCampaign, Run, metadata
from tracker.store.stored_config import StoredTexts

from .config import write_test_config

PG_URL = os.environ.get("TRACKER_TEST_PG_URL")


# --- a migrated template -----------------------------------------------------------------------


@functools.cache
def _migrated_template() -> Path:
    """A migrated, empty SQLite file for this process (each xdist worker has its own)."""
    folder = Path(tempfile.mkdtemp(prefix="tracker-template-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()  # the last connection closed: the WAL is checkpointed into the file
    for suffix in ("-wal", "-shm", "-journal"):
        assert not Path(f"{path}{suffix}").exists(), f"template left {suffix} behind"
    return path


def new_sqlite(path: Path) -> str:
    """A migrated, empty SQLite database at ``path`` (which must not exist); its URL."""
    if path.exists():
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_migrated_template(), path)
    return f"sqlite:///{path}"


def init_sqlite(
    path: Path,
    config: TrackerConfig,
    units: list[UnitRow] | None = None,
    texts: StoredTexts | None = None,
) -> str:
    """``tracker init`` of ``config`` and ``units`` into a new SQLite file at ``path``, started
    from the migrated template (:func:`new_sqlite`); its URL."""
    url = new_sqlite(path)
    init_database(url, config, units or [], texts)
    return url


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty SQLite file (no campaigns)."""
    engine = make_engine(new_sqlite(tmp_path / "tracker.db"))
    yield engine
    engine.dispose()


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A scratch schema on the test server, dropped afterwards.

    Named at random per test, so parallel workers (and other people's runs on the same server)
    never share tables.
    """
    if not PG_URL:
        pytest.skip("TRACKER_TEST_PG_URL is not set (PostgreSQL tests run in CI)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_engine(pg_schema: str) -> Iterator[Engine]:
    assert PG_URL is not None  # pg_schema skipped otherwise
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={pg_schema}"})
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_engine(request: pytest.FixtureRequest) -> Engine:
    """The same test on SQLite and on PostgreSQL (skipped without TRACKER_TEST_PG_URL)."""
    name = "sqlite_engine" if request.param == "sqlite" else "pg_engine"
    return request.getfixturevalue(name)


@pytest.fixture
def db_url(tmp_path: Path, config: TrackerConfig) -> str:
    """``tracker init`` of the shipped config into a new SQLite file."""
    return init_sqlite(tmp_path / "tracker.db", config)


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    """An engine on :func:`db_url`'s file."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


# --- building databases -----------------------------------------------------------------------


def make_db(tmp_path: Path, config: TrackerConfig, units: list[UnitRow] | None = None) -> Engine:
    """``tracker init`` with ``units`` into ``tmp_path/tracker.db``; the caller disposes."""
    return make_engine(init_sqlite(tmp_path / "tracker.db", config, units))


def init_db(db: Path, config_path: Path) -> TrackerConfig:
    config = load_config(config_path)
    init_sqlite(db, config)
    return config


def config_and_database(directory: Path) -> tuple[Path, Path]:
    """The test config and an initialised ``tracker.db`` in ``directory``: (config, database)."""
    config_path = write_test_config(directory)
    db = directory / "tracker.db"
    init_db(db, config_path)
    return config_path, db


def sqlite_copy(src: Path, dst: Path) -> str:
    """Copy a SQLite file with the backup API (so its WAL is included); the copy's URL."""
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return f"sqlite:///{dst}"


# --- reading ----------------------------------------------------------------------------------


def rows(engine: Engine, sql: str, **params: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql), params)]


def one(engine: Engine, sql: str, **params: Any) -> dict[str, Any]:
    found = rows(engine, sql, **params)
    assert len(found) == 1, found
    return found[0]


def count(engine: Engine, table: str, where: str = "1=1", **params: Any) -> int:
    return int(one(engine, f"SELECT COUNT(*) AS n FROM {table} WHERE {where}", **params)["n"])


def post(engine: Engine, platform: str, post_id: str) -> dict[str, Any]:
    """One post row, its JSON columns decoded (SQLite returns them as text)."""
    row = one(
        engine,
        "SELECT * FROM post WHERE platform = :p AND platform_post_id = :i",
        p=platform,
        i=post_id,
    )
    for key in ("hashtags", "context"):
        if isinstance(row.get(key), str):
            row[key] = json.loads(row[key])
    return row


def snapshots(engine: Engine, platform: str, post_id: str) -> list[dict[str, Any]]:
    return rows(
        engine,
        "SELECT * FROM metric_snapshot WHERE platform = :p AND platform_post_id = :i "
        "ORDER BY captured_at",
        p=platform,
        i=post_id,
    )


def links(engine: Engine, platform: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    """post_campaign rows by key (for tests with one campaign)."""
    sql = "SELECT * FROM post_campaign" + (" WHERE platform = :p" if platform else "")
    return {(r["platform"], r["platform_post_id"]): r for r in rows(engine, sql, p=platform)}


def run_rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        found = conn.execute(select(Run.__table__).order_by(Run.__table__.c.id)).all()
    return [dict(r._mapping) for r in found]


def campaign_work_ids(url: str, platform: str | None = None) -> list[tuple[str, str]]:
    """Keys of the campaign works that are not excluded, in key order."""
    post_t, link = Post.__table__, PostCampaign.__table__
    stmt = (
        select(post_t.c.platform, post_t.c.platform_post_id)
        .join(
            link,
            and_(
                link.c.platform == post_t.c.platform,
                link.c.platform_post_id == post_t.c.platform_post_id,
            ),
        )
        .where(link.c.excluded.is_(False))
        .order_by(post_t.c.platform, post_t.c.platform_post_id)
    )
    if platform:
        stmt = stmt.where(post_t.c.platform == platform)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [(r.platform, r.platform_post_id) for r in conn.execute(stmt)]
    finally:
        engine.dispose()


# --- health -----------------------------------------------------------------------------------


def integrity(db: Path) -> list[str]:
    """``PRAGMA integrity_check`` and ``foreign_key_check`` through a plain sqlite3 connection."""
    conn = sqlite3.connect(db)
    try:
        checked = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return checked + [f"foreign key: {r}" for r in fk]


def duplicate_keys(db: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Rows sharing a natural key, per table (primary keys and unique constraints alike).

    The schema declares these keys, so on a healthy database this is always empty; the check
    is here to catch a database whose constraints were lost or never enforced (a corrupt file,
    a hand-made table), which ``PRAGMA integrity_check`` alone does not report.
    """
    found: dict[str, list[tuple[Any, ...]]] = {}
    with db.connect() as conn:
        for table in metadata.sorted_tables:
            keysets = [list(table.primary_key.columns)]
            keysets += [
                list(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint)
            ]
            keysets += [[col] for col in table.columns if col.unique]
            for cols in keysets:
                if not cols or [c.name for c in cols] == ["id"]:
                    continue  # surrogate ids are unique by construction, not natural keys
                dup = conn.execute(
                    select(*cols, func.count()).group_by(*cols).having(func.count() > 1)
                ).all()
                if dup:
                    found[f"{table.name}({', '.join(c.name for c in cols)})"] = [
                        tuple(r) for r in dup[:5]
                    ]
    return found


def snapshot_counts(db: Engine) -> tuple[int, int]:
    """(metric snapshots, distinct works with a snapshot)."""
    snap = MetricSnapshot.__table__
    with db.connect() as conn:
        total = conn.execute(select(func.count()).select_from(snap)).scalar_one()
        works = conn.execute(
            select(func.count()).select_from(
                select(snap.c.platform, snap.c.platform_post_id).distinct().subquery()
            )
        ).scalar_one()
    return int(total), int(works)


def record_complete_comment_reads(
    engine: Engine, platform: str, post_ids: Iterable[str], *, at: datetime
) -> None:
    """A finished comment run that read these works' comments to the end (``detail.read`` and
    ``detail.complete``), as the comment stage records one: the ranking judges hidden comments
    only on such works."""
    from tracker.store.queries.comment_candidates import COMMENT_RUN_KIND
    from tracker.store.runs import RunCounts, finish_run, start_run

    run = start_run(engine, kind=COMMENT_RUN_KIND, platform=platform, now=at)
    ids = [str(p) for p in post_ids]
    detail = {"read": dict.fromkeys(ids), "complete": ids}
    finish_run(engine, run, status="ok", counts=RunCounts(detail=detail), now=at)
