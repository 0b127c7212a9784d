"""Read-then-write transactions take SQLite's write lock at BEGIN.

A deferred transaction that has read sees a snapshot; if another process commits before its
first write, SQLite refuses the write at once with "database is locked" (the busy timeout does
not apply). Review decisions, imports and manual membership all read before they write, and
staff run them while the scheduler collects; they must wait their turn instead of failing.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

import tracker.services.review as review
from tracker.config import load_config
from tracker.records import Metrics, PostRecord
from tracker.services.database import init_database
from tracker.store.engine import make_engine
from tracker.store.models import Review
from tracker.store.upsert import Ingestor

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2024, 9, 14, 2, 0, tzinfo=UTC)


def _commit_from_elsewhere(db: Path, done: threading.Event) -> None:
    """Another writer (a collector) committing a row, on its own connection."""
    conn = sqlite3.connect(db, timeout=20)
    try:
        conn.execute(
            "INSERT INTO unit (name, kind, city) VALUES ('另一个写入者', 'other', '广州市')"
        )
        conn.commit()
    finally:
        conn.close()
        done.set()


def test_a_review_decision_waits_for_a_writer_instead_of_failing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "tracker.db"
    url = f"sqlite:///{db}"
    init_database(url, load_config(REPO / "config" / "campaign.toml"), [])
    engine = make_engine(url)
    with engine.begin() as conn:
        Ingestor(conn).ingest(posts=[PostRecord("weibo", "1", T0, metrics=Metrics(likes=3))])

    original = review._missing_posts
    other_done = threading.Event()

    def read_then_let_another_writer_commit(conn, keys):  # type: ignore[no-untyped-def]
        missing = original(conn, keys)  # the transaction has read: it holds a snapshot
        threading.Thread(target=_commit_from_elsewhere, args=(db, other_done)).start()
        other_done.wait(timeout=2)  # a deferred transaction lets it commit right now
        return missing

    monkeypatch.setattr(review, "_missing_posts", read_then_let_another_writer_commit)
    try:
        summary = review.record_decisions(
            engine, [review.Decision("weibo", "1", "approved", "王审核", "好作品")], now=T0
        )
        assert other_done.wait(timeout=20)  # the other writer went after us, not failed
        with engine.connect() as conn:
            status = conn.execute(select(Review.__table__.c.status)).scalar_one()
            n_units = conn.exec_driver_sql("SELECT count(*) FROM unit").scalar_one()
    finally:
        engine.dispose()
    assert summary is not None and status == "approved"
    assert n_units == 1
