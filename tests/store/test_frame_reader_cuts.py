"""A cut read through the driver directly keeps what the same query through SQLAlchemy keeps.

``read_frame`` sends a small SQLite store's statements to the driver itself (no Row objects).
A datetime bound that way once took the driver's own text, ``2024-10-01 12:00:00+00:00``, which
sorts below the stored ``2024-10-01 12:00:00.000000`` of the same instant: a deadline cut at a
collection's instant left out everything first seen at it, where SQLAlchemy kept it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, create_engine, insert, select

from tracker.store.queries.frame_reader import read_frame

AT = datetime(2024, 10, 1, 12, 0)  # a collection's instant (UTC, stored naive)
BEIJING = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("cut", "kept"),
    [
        (AT.replace(tzinfo=UTC), [0, 1]),
        (datetime(2024, 10, 1, 20, 0, tzinfo=BEIJING), [0, 1]),  # the same instant, as typed
        (AT, [0, 1]),
        (AT - timedelta(microseconds=1), [0]),
        (AT + timedelta(seconds=1), [0, 1, 2]),
    ],
    ids=["utc", "beijing", "naive", "just-before", "after"],
)
def test_a_cut_at_a_stored_instant_reads_the_same_both_ways(
    tmp_path: Path, cut: datetime, kept: list[int]
) -> None:
    meta = MetaData()
    seen = Table("seen", meta, Column("id", Integer, primary_key=True), Column("at", DateTime))
    engine = create_engine(f"sqlite:///{tmp_path / 'cut.db'}")
    try:
        meta.create_all(engine)
        times = [AT - timedelta(hours=1), AT, AT + timedelta(microseconds=500_000), None]
        with engine.begin() as conn:
            conn.execute(insert(seen), [{"id": i, "at": t} for i, t in enumerate(times)])
        stmt = select(seen.c.id).where(seen.c.at <= cut).order_by(seen.c.id)
        with engine.connect() as conn:
            through_sqlalchemy = [row.id for row in conn.execute(stmt)]
            direct = read_frame(conn, stmt, ints=["id"])["id"].tolist()
    finally:
        engine.dispose()
    assert direct == kept
    if cut.tzinfo in (None, UTC):  # what the project passes: cuts are UTC (``parse_as_of``)
        assert direct == through_sqlalchemy
    else:  # SQLAlchemy's SQLite type writes the wall time and drops the offset
        assert through_sqlalchemy == [0, 1, 2]
