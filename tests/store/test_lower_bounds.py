"""``lower_bounds``: which counts of a snapshot (and of a post's latest figures) are floors.

A platform's "100万+" is stored as 1,000,000 with the metric named in ``lower_bounds``. The
snapshot keeps the mark of its capture; the post's mark follows its counts metric by metric,
as the counts' own ``COALESCE`` does, whatever the order of the captures.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text

from tracker.records import (
    Metrics,
    PostRecord,
    RecordError,
    format_lower_bounds,
    read_lower_bounds,
)
from tracker.store import migrate
from tracker.store.models import MetricSnapshot, Post
from tracker.store.upsert import Ingestor

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def _post(at: datetime, **metrics: object) -> PostRecord:
    return PostRecord("weibo", "5234001406855704", at, metrics=Metrics(**metrics))  # type: ignore[arg-type]


def _ingest(engine: Engine, *posts: PostRecord) -> None:
    with engine.begin() as conn:
        Ingestor(conn).ingest(posts=list(posts))


def _post_row(engine: Engine) -> tuple:
    t = Post.__table__
    with engine.connect() as conn:
        return tuple(conn.execute(select(t.c.comments, t.c.shares, t.c.lower_bounds)).one())


def _snapshot_marks(engine: Engine) -> list[str | None]:
    t = MetricSnapshot.__table__
    with engine.connect() as conn:
        return list(conn.execute(select(t.c.lower_bounds).order_by(t.c.captured_at)).scalars())


def test_metrics_validate_and_normalise_their_marks() -> None:
    m = Metrics(comments=1_000_000, shares=5, lower_bounds={"comments"})
    assert m.lower_bounds == frozenset({"comments"})
    # a mark on a count the platform did not show qualifies nothing and is dropped
    assert Metrics(likes=None, lower_bounds=frozenset({"likes"})).lower_bounds == frozenset()
    with pytest.raises(RecordError, match="lower_bounds: unknown metric 'reposts'"):
        Metrics(shares=1, lower_bounds=frozenset({"reposts"}))
    with pytest.raises(RecordError, match="set of metric names"):
        Metrics(shares=1, lower_bounds="shares")  # type: ignore[arg-type]


def test_the_stored_spelling_is_a_sorted_comma_list() -> None:
    assert format_lower_bounds(frozenset({"shares", "comments"})) == "comments,shares"
    assert format_lower_bounds(frozenset()) is None
    assert read_lower_bounds("comments,shares") == {"comments", "shares"}
    assert read_lower_bounds(None) == read_lower_bounds("") == frozenset()


def test_round_trip_keeps_the_figure_and_the_mark(any_engine: Engine) -> None:
    _ingest(any_engine, _post(T0, comments=1_000_000, shares=100_000, lower_bounds={"shares"}))
    assert _post_row(any_engine) == (1_000_000, 100_000, "shares")
    assert _snapshot_marks(any_engine) == ["shares"]


def test_post_mark_follows_its_counts_metric_by_metric(any_engine: Engine) -> None:
    _ingest(
        any_engine,
        _post(T0, comments=1_000_000, shares=1_000_000, lower_bounds={"comments", "shares"}),
    )
    # a later capture: an exact share count, no comment count at all
    _ingest(any_engine, _post(T0 + timedelta(days=1), shares=1_234_567))
    assert _post_row(any_engine) == (1_000_000, 1_234_567, "comments")
    # an older capture arriving late changes nothing on the post
    _ingest(any_engine, _post(T0 - timedelta(days=1), comments=10, shares=10))
    assert _post_row(any_engine) == (1_000_000, 1_234_567, "comments")
    # a newer exact comment count clears the last mark
    _ingest(any_engine, _post(T0 + timedelta(days=2), comments=1_500_000))
    assert _post_row(any_engine) == (1_500_000, 1_234_567, None)
    assert _snapshot_marks(any_engine) == [None, "comments,shares", None, None]


def test_upgrade_from_0004_keeps_rows_with_no_mark(any_engine: Engine) -> None:
    from alembic import command

    cfg = migrate.alembic_config(any_engine)
    with any_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004_pending_detail")
    with any_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO post (platform, platform_post_id, comments, source, deleted) "
                "VALUES ('weibo', '1', 1000000, 'live', false)"
            )
        )
    migrate.upgrade(any_engine)
    with any_engine.connect() as conn:
        row = conn.execute(text("SELECT comments, lower_bounds FROM post")).one()
    assert tuple(row) == (1_000_000, None)  # read as exact before floors were recorded
