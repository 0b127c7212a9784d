"""Columnar reads: a Core select straight into Arrow columns through the ADBC drivers.

The ranking reads a million works and two million snapshots per run. Through a Python DB-API
driver every value becomes a Python object first; the ADBC drivers (SQLite and PostgreSQL)
step the query in C and hand back Arrow arrays, which convert to pandas' column types without
a Python object per number or time. Measured at a million works on two cores: the works query
in 2.0 s against 4.9 s for the raw ``sqlite3`` fetch into tuples, every snapshot in 1.7 s.

The reader opens its own connection beside the caller's SQLAlchemy one, so it serves
read-only work that may see the store as of its own statements: the ranking's and the
participation reads, where a snapshot written between two reads at most adds a newer point to
a work's history. On SQLite that connection lives in a child process (``arrow_child``: the
driver's own copy of SQLite must not open a file the process's SQLite has open), opened
read-only, and only for a database big enough to repay starting it. It returns ``None``
whenever it cannot serve (no driver installed, an in-memory or small SQLite database, another
database); callers then read through ``frame_reader`` with the same result.

SQLite has no column types, so the driver infers each column's type from the batch it reads;
the child makes the batch as large as the result, so a column that starts with NULLs and
holds text later is still read as text. A column it still reads with an unexpected type
raises :class:`ColumnarUnavailable`, and the caller falls back.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select
from sqlalchemy.sql import ColumnElement, Select

from tracker.store.queries.frame_reader import (
    CHUNK,
    ChunkColumn,
    concat_ext,
    read_frame,
    utc_times,
)

__all__ = [
    "ColumnarReader",
    "ColumnarUnavailable",
    "arrow_frame",
    "columnar_frame",
    "columnar_reader",
]

log = logging.getLogger(__name__)


class ColumnarUnavailable(Exception):
    """This read cannot be served columnar; read it through ``frame_reader`` instead."""


class _PostgresRunner:
    """An ADBC PostgreSQL connection in this process (libpq shares nothing with psycopg)."""

    def __init__(self, uri: str, search_path: str) -> None:
        import adbc_driver_postgresql.dbapi as adbc_pg

        self._conn = adbc_pg.connect(uri)
        cursor = self._conn.cursor()
        try:
            cursor.execute(f"SET search_path TO {search_path}")
        finally:
            cursor.close()

    def run(self, sql: str) -> Any:
        cursor = self._conn.cursor()
        try:
            cursor.execute(sql)
            return cursor.fetch_arrow_table()
        finally:
            cursor.close()

    def close(self) -> None:
        self._conn.close()


class _SqliteChildRunner:
    """The ADBC SQLite driver in a child process (``arrow_child``: two copies of SQLite in
    one process would release each other's locks on the same file)."""

    def __init__(self, path: str) -> None:
        self._child = subprocess.Popen(
            # The child's file run as a script (``-P``: its folder not on the path), not
            # imported: importing the package would load pandas and SQLAlchemy first (0.5 s
            # a reader, and a report opens several).
            [sys.executable, "-P", str(Path(__file__).with_name("arrow_child.py"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_child_env(),
        )
        self._broken = False
        self._send({"path": path})

    def _send(self, request: dict[str, str]) -> None:
        assert self._child.stdin is not None
        self._child.stdin.write(json.dumps(request).encode() + b"\n")
        self._child.stdin.flush()

    def run(self, sql: str) -> Any:
        import pyarrow as pa

        from tracker.store.queries.arrow_child import read_answer

        assert self._child.stdout is not None
        if self._broken:
            raise RuntimeError("the columnar reader stopped after an earlier failure")
        try:
            self._send({"sql": sql})
            status, payload = read_answer(self._child.stdout)  # type: ignore[arg-type]
        except BaseException:
            # A request without its whole answer read leaves the rest in the pipe, where the
            # next request would take it for its own: this child answers nothing more.
            self._broken = True
            self._child.kill()
            raise
        if status != b"A":  # an error answer is whole: the protocol stays in step
            raise RuntimeError(payload.decode("utf-8", "replace"))
        return pa.ipc.open_stream(pa.py_buffer(payload)).read_all()

    def close(self) -> None:
        if self._child.stdin is not None:
            self._child.stdin.close()
        try:
            self._child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait()


def _child_env() -> dict[str, str]:
    """This environment with this copy of the package first on the child's path, so the
    same code answers wherever the caller imported it from."""
    root = str(Path(__file__).resolve().parents[3])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


class ColumnarReader:
    """One columnar connection for a group of reads (see the module docstring)."""

    def __init__(self, open_runner: Callable[[], Any], dialect: Any) -> None:
        self._open = open_runner
        self._runner = open_runner()
        self._dialect = dialect

    @contextmanager
    def sibling(self) -> Iterator[ColumnarReader]:
        """A second reader on the same database, for a read in another thread: the driver
        steps its query outside Python's lock (in a child process on SQLite), so two reads
        overlap on two cores."""
        other = ColumnarReader(self._open, self._dialect)
        try:
            yield other
        finally:
            other.close()

    @property
    def backend(self) -> str:
        """The database's kind (``sqlite``, ``postgresql``): reads that plan differently on
        each choose their statements by it."""
        return str(self._dialect.name)

    def close(self) -> None:
        try:
            self._runner.close()
        except Exception:  # noqa: BLE001 - closing a reader never fails the read it served
            log.debug("columnar reader did not close cleanly", exc_info=True)

    def table(self, stmt: Select[*tuple[Any, ...]]) -> Any:
        """The result of ``stmt`` as one ``pyarrow.Table`` (parameters rendered inline: the
        reads' are ids, platform names and instants, which the dialect quotes)."""
        sql = str(stmt.compile(dialect=self._dialect, compile_kwargs={"literal_binds": True}))
        try:
            return self._runner.run(sql)
        except Exception as exc:  # noqa: BLE001 - any driver failure means: read the other way
            raise ColumnarUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def frame_in_halves(
        self,
        stmt: Select[*tuple[Any, ...]],
        key: ColumnElement[Any],
        bounds: tuple[int, int] | None,
        **kinds: Any,
    ) -> pd.DataFrame:
        """:meth:`frame` of ``stmt``, read as two halves of ``key``'s range (``bounds``: its
        least and greatest value) on two connections at once, the lower half's rows first.

        SQLite steps one query on one core; a million campaign works take it about 2.2 s,
        the two halves side by side 1.1 s. The driver infers each column's type per result,
        and types a column it saw only NULLs in as integers: such a column takes the other
        half's type (:func:`_typed_like`), and other differences are joined with Arrow's
        promotion rules. Where those fail, or the range is too small to halve, ``stmt`` is
        read whole.
        """
        if bounds is None or bounds[1] - bounds[0] < 2:
            return self.frame(stmt, **kinds)
        import pyarrow as pa

        middle = (bounds[0] + bounds[1]) // 2
        with self.sibling() as other, ThreadPoolExecutor(1, "columnar-half") as pool:
            upper = pool.submit(other.table, stmt.where(key > middle))
            lower = self.table(stmt.where(key <= middle))
            halves = [lower, upper.result()]
        if lower.schema != halves[1].schema:
            halves = [_typed_like(lower, halves[1]), _typed_like(halves[1], lower)]
        try:
            table = pa.concat_tables(halves, promote_options="permissive")
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            return self.frame(stmt, **kinds)
        return arrow_frame(table, **kinds)

    def frame(
        self,
        stmt: Select[*tuple[Any, ...]],
        *,
        ints: Sequence[str] = (),
        times: Sequence[str] = (),
        categories: Sequence[str] = (),
        strings: Sequence[str] = (),
        bools: Sequence[str] = (),
        computed: ChunkColumn | None = None,
    ) -> pd.DataFrame:
        """``stmt`` as the frame ``frame_reader.read_frame`` builds for the same arguments:
        the same columns, dtypes and row order."""
        return arrow_frame(
            self.table(stmt),
            ints=ints,
            times=times,
            categories=categories,
            strings=strings,
            bools=bools,
            computed=computed,
        )


def _typed_like(table: Any, other: Any) -> Any:
    """``table`` with each all-NULL column cast to ``other``'s type for it (both read by one
    statement: the same columns in the same order): SQLite's driver reads a column of NULLs as
    integers, which no promotion joins to the other half's text, and the whole read that would
    follow costs as much as both halves."""
    import pyarrow as pa

    for i, field in enumerate(table.schema):
        wanted = other.schema.field(i).type
        column = table.column(i)
        if field.type != wanted and column.null_count == len(column):
            table = table.set_column(i, field.name, pa.nulls(len(column), wanted))
    return table


MIN_SQLITE_POSTS = 150_000
"""Below this many stored posts (about) a SQLite read is row-wise: starting the reader's
process (about 0.4 s) costs more than the columnar read saves."""


@contextmanager
def columnar_reader(conn: Connection) -> Iterator[ColumnarReader | None]:
    """A reader on the same database as ``conn``, or ``None`` where there is none to open
    (or, on SQLite, none worth opening)."""
    try:
        open_runner = _runner_for(conn)
        reader = ColumnarReader(open_runner, conn.dialect) if open_runner is not None else None
    except Exception as exc:  # noqa: BLE001 - no columnar reader: read the row-wise way
        log.debug("columnar reader unavailable (%s)", type(exc).__name__)
        reader = None
    if reader is None:
        yield None
        return
    try:
        yield reader
    finally:
        reader.close()


def columnar_frame(
    conn: Connection,
    stmt: Select[*tuple[Any, ...]],
    *,
    reader: ColumnarReader | None = None,
    **kinds: Any,
) -> pd.DataFrame:
    """``stmt`` as ``read_frame`` builds it (same ``kinds``), read columnar where a reader can
    open the database: with ``reader``, else one opened for this read. Row-wise otherwise, or
    if the columnar read fails. For read-only work (see the module docstring).
    ``order_by`` serves only the row-wise reader's fast path."""
    order_by = kinds.pop("order_by", None)
    with _reader_for(conn, reader) as active:
        if active is not None:
            try:
                return active.frame(stmt, **kinds)
            except ColumnarUnavailable as exc:
                log.info("列式读取不可用，改为逐行读取 (columnar read unavailable: %s)", exc)
    return read_frame(conn, stmt, order_by=order_by, **kinds)


@contextmanager
def _reader_for(conn: Connection, reader: ColumnarReader | None) -> Iterator[ColumnarReader | None]:
    if reader is not None:
        yield reader
        return
    with columnar_reader(conn) as opened:
        yield opened


def _runner_for(conn: Connection) -> Callable[[], Any] | None:
    """How to open a columnar connection to ``conn``'s database, or ``None``."""
    url = conn.engine.url
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or url.query.get("mode") == "memory":
            return None
        if MIN_SQLITE_POSTS and _approx_posts(conn) < MIN_SQLITE_POSTS:
            return None
        if importlib.util.find_spec("adbc_driver_sqlite") is None:  # never imported here
            return None
        return lambda: _SqliteChildRunner(database)
    if backend == "postgresql":
        import adbc_driver_postgresql  # noqa: F401 - fail here when the driver is missing

        uri = url.set(drivername="postgresql").render_as_string(hide_password=False)
        # The caller's connection may have set its schema outside the URL (connect args).
        # (A SELECT: the connection may stream results, and a server-side cursor takes no SHOW.)
        path = conn.execute(select(func.current_setting("search_path"))).scalar()
        return lambda: _PostgresRunner(uri, str(path))
    return None


def _approx_posts(conn: Connection) -> int:
    """The largest rowid of ``post``: about its row count, in one B-tree descent."""
    return int(conn.exec_driver_sql("SELECT max(rowid) FROM post").scalar() or 0)


def arrow_frame(
    table: Any,
    *,
    ints: Sequence[str] = (),
    times: Sequence[str] = (),
    categories: Sequence[str] = (),
    strings: Sequence[str] = (),
    bools: Sequence[str] = (),
    computed: ChunkColumn | None = None,
) -> pd.DataFrame:
    """Arrow columns as ``read_frame``'s typed columns."""
    skip = set(computed.sources if computed else ())
    out: dict[str, Any] = {}
    for name in table.column_names:
        if name in skip:
            continue
        col = table.column(name)
        if name in ints:
            out[name] = _ints(col, name)
        elif name in times:
            out[name] = _times(col)
        elif name in categories:
            out[name] = _category(col)
        elif name in bools:
            out[name] = _bools(col, name)
        elif name in strings:
            out[name] = _strings(col)
        else:
            out[name] = pd.array(_objects(col), dtype=object)  # type: ignore[arg-type]
    if computed:
        parts = []
        for lo in range(0, table.num_rows, CHUNK):
            piece = table.slice(lo, CHUNK)
            parts.append(computed.compute(*(_objects(piece.column(c)) for c in computed.sources)))
        out[computed.name] = concat_ext(parts, computed.empty)
    return pd.DataFrame(out, copy=False)


def _all_null(col: Any) -> bool:
    return bool(col.null_count == len(col))


def _numbers(col: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(int64 values with NULL as 0, NULL mask) of an integer or boolean column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = col.type
    if _all_null(col):
        return np.zeros(len(col), dtype=np.int64), np.ones(len(col), dtype=bool)
    if pa.types.is_boolean(kind) or pa.types.is_integer(kind):
        col = col.cast(pa.int64())
    elif pa.types.is_floating(kind):
        col = pc.cast(col, pa.int64(), safe=False)
    else:
        raise ColumnarUnavailable(f"{name}: {kind}")
    mask = np.asarray(col.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    values = np.asarray(col.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    return values, mask


def _ints(col: Any, name: str) -> pd.arrays.IntegerArray:
    values, mask = _numbers(col, name)
    return pd.arrays.IntegerArray(values, mask)


def _bools(col: Any, name: str) -> pd.arrays.BooleanArray:
    values, mask = _numbers(col, name)
    return pd.arrays.BooleanArray(values != 0, mask)


def _objects(col: Any) -> np.ndarray:
    """Python objects (None for NULL), as the driver's cursor returns them: str, int, bool."""
    import pyarrow as pa

    if _all_null(col):
        return np.full(len(col), None, dtype=object)
    kind = col.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return np.asarray(col.to_numpy(zero_copy_only=False), dtype=object)
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_floating(kind):
        out = np.empty(len(col), dtype=object)
        out[:] = col.to_pylist()
        return out
    return np.asarray(col.cast(pa.string()).to_numpy(zero_copy_only=False), dtype=object)


def _strings(col: Any) -> pd.Series:
    s = pd.Series(_objects(col), dtype=object)
    return s.astype("str").where(s.notna(), None)


def _category(col: Any) -> pd.Categorical:
    """A categorical with sorted categories, as ``read_frame`` builds from its chunks."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if _all_null(col):
        return pd.Categorical(np.full(len(col), None, dtype=object))
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        col = col.cast(pa.string())
    encoded = pc.dictionary_encode(col).combine_chunks()
    names = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    codes = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False))
    order = np.argsort(names.astype(str), kind="stable")
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order))
    codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
    categories = pd.Index(list(names[order]))
    return pd.Categorical.from_codes(codes, categories=categories)


def _times(col: Any) -> Any:
    """UTC nanosecond datetimes: Arrow parses stored ISO text in C; text it cannot parse (an
    offset, an odd form) goes through ``utc_times`` as the row-wise reader does."""
    import pyarrow as pa

    kind = col.type
    if _all_null(col):
        return pd.array(np.full(len(col), pd.NaT), dtype="datetime64[ns, UTC]")
    if pa.types.is_timestamp(kind):
        stamps = col.cast(pa.timestamp("ns", tz=kind.tz or "UTC"))
    else:
        try:
            stamps = col.cast(pa.timestamp("ns")).cast(pa.timestamp("ns", tz="UTC"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return utc_times(_objects(col)).array
    return pd.Series(stamps.to_pandas(), copy=False).dt.tz_convert("UTC").dt.as_unit("ns").array
