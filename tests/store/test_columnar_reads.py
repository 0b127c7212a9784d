"""The ranking's columnar reads (ADBC -> Arrow) give exactly the frames the row-wise reads give.

Each test reads the same database twice: once columnar, once with the columnar reader
switched off (``_runner_for`` returning None, the path an in-memory database takes), and
compares every frame the ranking starts from. The demo's database is the realistic case (six
platforms, histories, several snapshots a work, reviews); the small fixture of
``test_ranking_inputs`` covers the odd values (NULL metrics, a 19-digit id, an excluded work)
on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine
from sqlmodel import SQLModel

from tracker.services.rank import load_frames
from tracker.store.queries import arrow_reader
from tracker.store.queries.arrow_reader import ColumnarUnavailable, arrow_frame, columnar_reader

from ..helpers.database import pg_engine, pg_schema  # noqa: F401 - fixtures
from ..helpers.demo import demo_copy
from .test_ranking_inputs import db, fill  # noqa: F401 - fixture

FRAMES = ("works", "history", "snapshots", "accounts", "account_units", "units", "reviews")


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo, built (on first use in the process) before ``columnar_at_any_size``
    applies, as module fixtures come first: at its size the demo's own reads are row-wise, as
    in a user's run of it; a reader process for each of its reads would only slow the set-up.
    The tests read their copies columnar."""
    return demo_copy(tmp_path_factory, "columnar")


@pytest.fixture(autouse=True)
def columnar_at_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """These databases are small; the columnar path is what is under test."""
    monkeypatch.setattr(arrow_reader, "MIN_SQLITE_POSTS", 0)


def _frames(engine: Engine, campaign_id: int = 1) -> dict[str, pd.DataFrame]:
    with engine.connect() as conn:
        frames = load_frames(conn, campaign_id)
    return {name: getattr(frames, name) for name in FRAMES}


def _row_wise(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, pd.DataFrame]:
    with monkeypatch.context() as m:
        m.setattr(arrow_reader, "_runner_for", lambda conn: None)
        return _frames(engine)


def _assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


@pytest.fixture
def read_tables(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL of every columnar read (so a test knows the columnar path really ran)."""
    seen: list[str] = []
    original = arrow_reader.ColumnarReader.table

    def spy(self, stmt):  # type: ignore[no-untyped-def]
        seen.append(str(stmt))
        return original(self, stmt)

    monkeypatch.setattr(arrow_reader.ColumnarReader, "table", spy)
    return seen


def test_the_demo_reads_the_same_columnar_and_row_wise(
    demo_root: Path, monkeypatch, read_tables
) -> None:
    root = demo_root
    engine = create_engine(f"sqlite:///{root / 'out' / 'tracker.db'}")
    try:
        columnar = _frames(engine)
        assert any("metric_snapshot" in sql for sql in read_tables)
        assert any("post_campaign" in sql for sql in read_tables)
        calls = len(read_tables)
        row_wise = _row_wise(engine, monkeypatch)
        assert len(read_tables) == calls  # switched off: nothing read columnar
    finally:
        engine.dispose()
    assert len(columnar["works"]) > 50 and len(columnar["snapshots"]) > len(columnar["works"])
    assert columnar["works"]["platform"].nunique() >= 6
    _assert_same(columnar, row_wise)


def test_odd_values_read_the_same_on_sqlite(db, monkeypatch, read_tables) -> None:  # noqa: F811
    columnar = _frames(db)
    assert read_tables
    _assert_same(columnar, _row_wise(db, monkeypatch))


@pytest.mark.postgres
def test_odd_values_read_the_same_on_postgresql(pg_engine, monkeypatch, read_tables) -> None:  # noqa: F811
    SQLModel.metadata.create_all(pg_engine)
    fill(pg_engine)
    columnar = _frames(pg_engine)
    assert read_tables  # the schema came from the caller's connection, not the URL
    assert len(columnar["works"]) == 3
    _assert_same(columnar, _row_wise(pg_engine, monkeypatch))


def test_a_failing_columnar_read_falls_back_to_the_row_wise_read(
    db,  # noqa: F811
    monkeypatch,
    caplog,
) -> None:
    expected = _row_wise(db, monkeypatch)

    def broken(self, stmt):  # type: ignore[no-untyped-def]
        raise ColumnarUnavailable("driver said no")

    monkeypatch.setattr(arrow_reader.ColumnarReader, "table", broken)
    with caplog.at_level("INFO"):
        _assert_same(_frames(db), expected)
    assert "driver said no" in caplog.text


def test_no_columnar_reader_for_an_in_memory_database() -> None:
    engine = create_engine("sqlite://")
    try:
        with engine.connect() as conn, columnar_reader(conn) as reader:
            assert reader is None
    finally:
        engine.dispose()


@pytest.fixture
def late_text(tmp_path: Path) -> Iterator[Path]:
    """A column whose first 5,000 values are NULL and whose last is text: SQLite's driver
    infers a column's type from the rows it has seen, and would read it as integers."""
    path = tmp_path / "late.db"
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT, at TEXT)")
        con.executemany("INSERT INTO t (label, at) VALUES (NULL, NULL)", [()] * 5000)
        con.execute("INSERT INTO t (label, at) VALUES ('晚到的文字', '2024-09-01 08:00:00+08:00')")
    yield path


def test_text_after_many_nulls_is_read_as_text(late_text: Path) -> None:
    from sqlalchemy import column, select, table

    engine = create_engine(f"sqlite:///{late_text}")
    t = table("t", column("id"), column("label"), column("at"))
    try:
        with engine.connect() as conn, columnar_reader(conn) as reader:
            assert reader is not None
            frame = arrow_frame(reader.table(select(t).order_by(t.c.id)), times=("at",))
    finally:
        engine.dispose()
    assert frame["label"].iloc[-1] == "晚到的文字" and pd.isna(frame["label"].iloc[0])
    # Text with an offset is not Arrow's to parse: it goes through the row-wise rule (UTC).
    assert frame["at"].iloc[-1] == pd.Timestamp("2024-09-01 00:00:00", tz="UTC")
    assert frame["at"].isna().sum() == 5000


def test_sqlite_is_read_in_a_child_and_the_file_stays_sound(
    tmp_path_factory: pytest.TempPathFactory, demo_root: Path, read_tables
) -> None:
    """The driver's own SQLite never loads in this process: two copies of SQLite in one
    process release each other's locks on a file. Reads interleaved with writes on the
    process's own connection leave the database intact."""
    import sys

    from sqlalchemy import text

    root = demo_copy(tmp_path_factory, "columnar-sound")
    engine = create_engine(f"sqlite:///{root / 'out' / 'tracker.db'}")
    try:
        first = _frames(engine)
        for i in range(3):
            with engine.begin() as conn:
                conn.execute(text("UPDATE post SET likes = likes + 1 WHERE likes IS NOT NULL"))
            again = _frames(engine)
            assert int(again["works"]["likes"].sum()) > int(first["works"]["likes"].sum()) + i
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        engine.dispose()
    assert read_tables
    assert "adbc_driver_sqlite" not in sys.modules
    assert "adbc_driver_sqlite.dbapi" not in sys.modules


def test_a_folder_name_with_uri_characters_opens_that_file(tmp_path: Path, db) -> None:  # noqa: F811
    """``#``, ``?``, ``%20`` and spaces in a folder name reach the child percent-encoded: the
    read opens that very file, read-only, and leaves nothing else behind."""
    import shutil

    folder = tmp_path / "演示 输出%20#?&"
    folder.mkdir()
    source = Path(db.url.database)
    db.dispose()
    shutil.copy(source, folder / "rank.db")
    from tracker.store.engine import sqlite_url

    engine = create_engine(sqlite_url(folder / "rank.db"))
    try:
        frames = _frames(engine)
    finally:
        engine.dispose()
    assert len(frames["works"]) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rank.db", "演示 输出%20#?&"]
    assert sorted(p.name for p in folder.iterdir()) == ["rank.db"]


@pytest.mark.parametrize("broken_join", [False, True])
def test_halves_read_as_the_whole(
    late_text: Path, monkeypatch: pytest.MonkeyPatch, broken_join: bool
) -> None:
    """The late-text table read as two halves of its ids: the lower half's label and time
    columns are all NULL (the driver types them as integers there, as text in the upper half),
    and the frame is the whole read's, joined from the halves without a third read; where the
    halves cannot be joined, the whole is read instead."""
    import pyarrow as pa
    from sqlalchemy import column, select, table

    whole_reads: list[object] = []
    whole_read = arrow_reader.ColumnarReader.frame

    def counted(self: arrow_reader.ColumnarReader, *args: object, **kwargs: object) -> object:
        whole_reads.append(args)
        return whole_read(self, *args, **kwargs)

    monkeypatch.setattr(arrow_reader.ColumnarReader, "frame", counted)

    if broken_join:

        def refuse(*args: object, **kwargs: object) -> None:
            raise pa.ArrowTypeError("incompatible halves")

        monkeypatch.setattr(pa, "concat_tables", refuse)
    engine = create_engine(f"sqlite:///{late_text}")
    t = table("t", column("id"), column("label"), column("at"))
    stmt = select(t).order_by(t.c.id)
    try:
        with engine.connect() as conn, columnar_reader(conn) as reader:
            assert reader is not None
            whole = reader.frame(stmt, times=("at",), ints=("id",))
            halves = reader.frame_in_halves(stmt, t.c.id, (1, 5001), times=("at",), ints=("id",))
            # the halves joined: one whole read above, a second only where the join failed
            assert len(whole_reads) == (2 if broken_join else 1)
            tiny = reader.frame_in_halves(stmt, t.c.id, (1, 2), times=("at",), ints=("id",))
    finally:
        engine.dispose()
    pd.testing.assert_frame_equal(halves, whole, check_exact=True)
    pd.testing.assert_frame_equal(tiny, whole, check_exact=True)
    assert halves["label"].iloc[-1] == "晚到的文字"


def test_bytes_that_are_no_answer_are_refused_not_waited_for() -> None:
    """A length read from the middle of an answer could ask for more bytes than will ever
    come: anything not starting as an answer fails at once, as does a cut-off answer."""
    import io
    import struct

    from tracker.store.queries.arrow_child import read_answer

    with pytest.raises(EOFError, match="out of step"):
        read_answer(io.BytesIO(b"\xff" * 9 + b"more"))
    with pytest.raises(EOFError, match="mid-answer"):
        read_answer(io.BytesIO(b"A" + struct.pack("<Q", 10) + b"short"))
    assert read_answer(io.BytesIO(b"E" + struct.pack("<Q", 3) + b"bad")) == (b"E", b"bad")


def test_an_unread_answer_is_never_taken_for_the_next_one(
    late_text: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request whose answer was not read (interrupted, out of memory) leaves that answer in
    the pipe; the reader then answers nothing more, and its caller reads row-wise."""
    from sqlalchemy import literal, select

    from tracker.store.queries import arrow_child

    runner = arrow_reader._SqliteChildRunner(str(late_text))
    reader = arrow_reader.ColumnarReader(lambda: runner, create_engine("sqlite://").dialect)
    real = arrow_child.read_answer
    calls = {"n": 0}

    def interrupted_once(inp: object) -> tuple[bytes, bytes]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt  # between the request and its answer
        return real(inp)  # type: ignore[arg-type]

    monkeypatch.setattr(arrow_child, "read_answer", interrupted_once)
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.run("SELECT count(*) AS n FROM t")
        with pytest.raises(ColumnarUnavailable, match="earlier failure"):
            reader.table(select(literal(7).label("n")))
    finally:
        reader.close()
    assert calls["n"] == 1


@pytest.mark.postgres
def test_postgresql_reads_every_platform_s_snapshots_in_one_scan(pg_engine, read_tables) -> None:  # noqa: F811
    """PostgreSQL's snapshots come from one ordered scan cut at each platform's rows: each
    platform's table equals its own read, rows interleaved across platforms on disk, the one
    before and after a cut, and a platform without any snapshot included."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from tracker.store.models import MetricSnapshot
    from tracker.store.queries.ranking_inputs import _platform_snapshots_select, snapshot_tables

    SQLModel.metadata.create_all(pg_engine)
    t0 = datetime(2024, 9, 20, tzinfo=UTC)
    rows = [
        {
            "platform": platform,
            "platform_post_id": f"{n % 3}{platform[:2]}",
            "captured_at": t0 + timedelta(hours=n),
            "likes": n,
            "views": None if n % 4 else n * 10,
            "lower_bounds": "likes" if n % 5 == 0 else None,
        }
        for n in range(24)
        for platform in ("zhihu", "bilibili", "weibo")  # interleaved, not in platform order
    ]
    with pg_engine.begin() as conn:
        conn.execute(insert(MetricSnapshot.__table__), rows)
    platforms = ["bilibili", "douyin", "weibo", "zhihu"]
    with pg_engine.connect() as conn, columnar_reader(conn) as reader:
        assert reader is not None
        together = snapshot_tables(reader, platforms)
        assert len(read_tables) == 1
        for platform in platforms:
            alone = reader.table(_platform_snapshots_select(platform))
            assert together[platform].num_rows == (0 if platform == "douyin" else 24), platform
            assert together[platform].to_pylist() == alone.to_pylist(), platform
