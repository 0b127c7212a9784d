"""The 说明 sheet's 数据来源 rows as of a deadline cut: no run the cut has not seen."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, insert

from tracker.store.models import Run
from tracker.store.queries.works import data_sources

CUT = datetime(2024, 9, 27, 16, tzinfo=UTC)


def _run(engine: Engine, started: datetime, finished: datetime | None, new: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(Run.__table__).values(
                platform="weibo",
                kind="collect",
                started_at=started,
                finished_at=finished,
                status="ok" if finished else "running",
                new=new,
                cursor={},
                detail={},
            )
        )


def test_runs_after_the_cut_are_left_out(any_engine: Engine) -> None:
    _run(
        any_engine, datetime(2024, 9, 20, 12, tzinfo=UTC), datetime(2024, 9, 20, 13, tzinfo=UTC), 5
    )
    _run(any_engine, datetime(2024, 9, 27, 15, tzinfo=UTC), None, 1)  # still running at the cut
    _run(
        any_engine, datetime(2024, 9, 27, 15, tzinfo=UTC), datetime(2024, 9, 27, 17, tzinfo=UTC), 2
    )
    _run(
        any_engine, datetime(2024, 10, 5, 12, tzinfo=UTC), datetime(2024, 10, 5, 13, tzinfo=UTC), 9
    )
    with any_engine.connect() as conn:
        now = data_sources(conn).iloc[0]
        cut = data_sources(conn, as_of=CUT).iloc[0]
    assert (int(now.runs), int(now.new)) == (4, 17)
    assert (int(cut.runs), int(cut.ok_runs), int(cut.new)) == (2, 1, 6)
    last = cut.last_ok_finished
    assert str(last)[:16] == "2024-09-20 13:00"
