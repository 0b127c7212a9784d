"""Typed DataFrames from SQLAlchemy Core selects, streamed in chunks (the read home's reader).

Built for a million rows on a laptop, where the cost is Python objects per fetched value:

- on SQLite, ordered queries take a columnar fast path: a page of rows comes back as one
  ``group_concat`` string per column (numbers parsed by ``np.fromstring``, text split once),
  with keyset paging; it checks its own alignment and order and falls back to the cursor;
- otherwise on SQLite the compiled Core statement runs on the DBAPI cursor of the same
  connection, rows fetched in chunks into 2-D object arrays (SQLAlchemy's per-row ``Row``
  processing costs more than the fetch itself); other databases stream through SQLAlchemy
  (``yield_per``);
- each chunk is typed as it arrives: nullable ``Int64`` metrics (NULL stays NA), ``category``
  for repeated strings, ``str`` ids, datetimes read as the stored text and parsed vectorised;
- a column the caller computes from raw values (``ChunkColumn``: the ranking turns stored
  fingerprints, else body text, into a 64-bit key) is computed chunk by chunk, so no text stays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals
from sqlalchemy import Connection, DateTime, String, func, literal, select, tuple_, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ColumnElement, Select

__all__ = [
    "CHUNK",
    "ChunkColumn",
    "concat_ext",
    "int_array",
    "raw_text",
    "read_chunks",
    "read_frame",
    "utc_times",
]

CHUNK = 100_000


@dataclass(frozen=True, slots=True)
class ChunkColumn:
    """A column computed from each chunk's raw values as it arrives; its source columns are
    dropped, so their Python objects never accumulate (bodies of a million works)."""

    name: str
    sources: tuple[str, ...]
    compute: Callable[..., Any]
    """Called with the sources' raw object arrays of one chunk; returns an extension array."""
    empty: Any
    """The column when no row came back."""


def raw_text(col: Any, name: str | None = None) -> Any:
    """A datetime column without SQLAlchemy's per-value ``datetime`` processing: the stored
    text on SQLite (parsed in one vectorised call; measured cheaper than ``strftime('%s')`` in
    SQL), whatever the driver returns elsewhere (aware datetimes on PostgreSQL)."""
    return type_coerce(col, String).label(name or col.name)


def _chunks(conn: Connection, stmt: Select[*tuple[Any, ...]], chunk: int) -> Iterator[np.ndarray]:
    """Rows of ``stmt`` as 2-D object arrays of at most ``chunk`` rows."""
    if conn.dialect.name == "sqlite":
        compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        params = _stored_forms(compiled.construct_params(), conn.dialect)
        args = [params[k] for k in compiled.positiontup] if compiled.positiontup else params
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(str(compiled), args)
            while rows := cursor.fetchmany(chunk):
                yield _as_2d(rows, len(cursor.description))
        finally:
            cursor.close()
        return
    result = conn.execution_options(yield_per=chunk).execute(stmt)
    for rows in result.partitions(chunk):
        yield _as_2d([tuple(r) for r in rows], len(result.keys()))


def _stored_forms(params: Mapping[str, Any], dialect: Dialect) -> Mapping[str, Any]:
    """Datetime values as SQLAlchemy binds them on SQLite (UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``,
    the stored text), for a statement sent to the driver directly.

    The driver's own adapter writes ``2024-10-01 12:00:00+00:00``, which sorts below the stored
    ``2024-10-01 12:00:00.000000`` of the same instant: a cut at a collection's instant
    (``first_seen_at <= as_of``) then left out everything first seen at it, while the same
    query through SQLAlchemy kept it.
    """
    if not any(isinstance(v, datetime) for v in params.values()):
        return params
    to_text = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert to_text is not None
    return {
        k: to_text(v.astimezone(UTC) if v.tzinfo else v) if isinstance(v, datetime) else v
        for k, v in params.items()
    }


def _as_2d(rows: list[Any], width: int) -> np.ndarray:
    out = np.array(rows, dtype=object)
    if out.ndim != 2 or out.shape[1] != width:  # a value that is itself a sequence
        out = np.empty((len(rows), width), dtype=object)
        out[:] = rows
    return out


def read_frame(
    conn: Connection,
    stmt: Select[*tuple[Any, ...]],
    *,
    ints: Sequence[str] = (),
    times: Sequence[str] = (),
    categories: Sequence[str] = (),
    strings: Sequence[str] = (),
    bools: Sequence[str] = (),
    computed: ChunkColumn | None = None,
    order_by: Sequence[tuple[Any, str]] | None = None,
    chunk: int = CHUNK,
) -> pd.DataFrame:
    """Run ``stmt`` and build a typed DataFrame (columns named as the select's labels).

    ``order_by``: the statement's ORDER BY as (expression, selected column name) pairs, a unique
    key. On SQLite it enables the columnar fast path (``_concat_pages``); without it, or if that
    path cannot prove its pages line up, rows are fetched through the cursor.

    ``computed`` replaces its source columns by the column it computes chunk by chunk, so
    neither their strings nor bodies stay in memory.

    Each chunk is typed as it arrives and its Python objects dropped, so the peak holds one
    chunk of objects plus compact columns, not a million rows of Python ints.
    """
    columns = [c.name for c in stmt.selected_columns]
    kind = {}
    for name in columns:
        kind[name] = (
            "int" if name in ints else "time" if name in times else "cat" if name in categories
            else "bool" if name in bools else "obj"
        )  # fmt: skip
    if order_by is not None and conn.dialect.name == "sqlite":
        try:
            acc, computed_parts = _typed_chunks(
                _concat_pages(conn, stmt, columns, kind, order_by),
                columns,
                kind,
                computed,
            )
        except _Misaligned:
            acc, computed_parts = _typed_chunks(
                _row_chunks(conn, stmt, columns, chunk), columns, kind, computed
            )
    else:
        acc, computed_parts = _typed_chunks(
            _row_chunks(conn, stmt, columns, chunk), columns, kind, computed
        )
    skip = set(computed.sources if computed else ())
    out = {}
    for name in columns:
        if name in skip:
            continue
        parts, k = acc[name], kind[name]
        if k == "int":
            out[name] = concat_ext(parts, pd.array([], dtype="Int64"))
        elif k == "time":
            out[name] = concat_ext(parts, pd.array([], dtype="datetime64[ns, UTC]"))
        elif k == "cat":
            out[name] = (
                union_categoricals(parts, sort_categories=True) if parts else pd.Categorical([])
            )  # sorted, as one chunk would be: the same frame however it was paged
        elif k == "bool":
            out[name] = concat_ext(parts, pd.array([], dtype="boolean"))
        else:
            col = np.concatenate(parts) if parts else np.zeros(0, dtype=object)
            out[name] = (
                _strings(col)
                if name in strings
                # pandas-stubs leave out dtype=object, which pandas takes (a NumpyExtensionArray).
                else pd.array(col, dtype=object)  # type: ignore[arg-type]
            )
    if computed:
        out[computed.name] = concat_ext(computed_parts, computed.empty)
    return pd.DataFrame(out, copy=False)


def _row_chunks(
    conn: Connection, stmt: Select[*tuple[Any, ...]], columns: list[str], chunk: int
) -> Iterator[dict[str, np.ndarray]]:
    for data in _chunks(conn, stmt, chunk):
        yield {name: data[:, i] for i, name in enumerate(columns)}


def _typed_chunks(
    chunks: Iterator[dict[str, np.ndarray]],
    columns: list[str],
    kind: dict[str, str],
    computed: ChunkColumn | None,
) -> tuple[dict[str, list[Any]], list[Any]]:
    """Type each chunk's columns as it arrives (its Python objects are then dropped)."""
    acc: dict[str, list[Any]] = {name: [] for name in columns}
    computed_parts: list[Any] = []
    skip = set(computed.sources if computed else ())
    for data in chunks:
        if computed:
            computed_parts.append(computed.compute(*(data[c] for c in computed.sources)))
        for name in columns:
            if name in skip:
                continue
            col, k = data[name], kind[name]
            if k == "int":
                acc[name].append(int_array(col))
            elif k == "time":
                acc[name].append(utc_times(col).array)
            elif k == "cat":
                acc[name].append(pd.Categorical(col))
            elif k == "bool":
                acc[name].append(_bools(col))
            else:
                acc[name].append(col)
        del data
    return acc, computed_parts


class _Misaligned(Exception):
    """The columnar fast path could not prove that its columns and pages line up."""


_NULL = "\x1e"
_SEP = "\x1f"
PAGE = 250_000


def _concat_pages(
    conn: Connection,
    stmt: Select[*tuple[Any, ...]],
    columns: list[str],
    kind: dict[str, str],
    order_by: Sequence[tuple[Any, str]],
) -> Iterator[dict[str, Any]]:
    """SQLite fast path: each page of rows as one ``group_concat`` string per column.

    Fetching a million rows through the driver costs a Python object per value; here SQLite
    joins each column of a page into one string, numbers are parsed by ``np.fromstring`` and
    text is split once, so a page is a handful of objects. All aggregates read the same row
    stream, so columns stay aligned; every split is checked against the page's row count and
    the key order is verified, so keyset paging (``key > last key``) is exact. Any surprise
    (a separator inside a value, rows out of order) raises ``_Misaligned`` and the caller falls
    back to the cursor.
    """
    exprs = [e for e, _ in order_by]
    names = [n for _, n in order_by]
    last: list[Any] | None = None
    while True:
        page = stmt
        if last is not None:
            page = stmt.where(
                tuple_(*[type_coerce(e, String) for e in exprs])
                > tuple_(*[literal(str(v), String) for v in last])
            )
        sub = page.limit(PAGE).subquery()
        aggs: list[ColumnElement[Any]] = [func.count().label("n")]
        for name in columns:
            col = sub.c[name]
            if kind[name] in ("int", "bool"):
                aggs.append(func.group_concat(func.coalesce(col, -1), ","))
            else:
                aggs.append(func.group_concat(func.coalesce(col, _NULL), _SEP))
        row = next(iter(_chunks(conn, select(*aggs), 1)))[0]
        n = int(row[0])
        if n == 0:
            return
        out: dict[str, Any] = {}  # IntegerArray, BooleanArray or an object ndarray
        for i, name in enumerate(columns):
            text = row[1 + i] or ""
            if kind[name] in ("int", "bool"):
                values = np.fromstring(text, dtype=np.int64, sep=",")
                if len(values) != n:
                    raise _Misaligned(name)
                missing = values < 0  # NULL was written as -1; counts are never negative
                if kind[name] == "int":
                    out[name] = pd.arrays.IntegerArray(np.maximum(values, 0), missing)
                else:
                    out[name] = pd.arrays.BooleanArray(values > 0, missing)
            else:
                parts = np.array(text.split(_SEP), dtype=object)
                if len(parts) != n:
                    raise _Misaligned(name)
                parts[parts == _NULL] = None
                out[name] = parts
        _check_order([out[k] for k in names])
        yield out
        if n < PAGE:
            return
        last = [out[k][-1] for k in names]


def _check_order(keys: list[np.ndarray]) -> None:
    """Rows strictly increasing in the (text) key, or ``_Misaligned``."""
    if len(keys[0]) < 2:
        return
    greater = np.zeros(len(keys[0]) - 1, dtype=bool)
    equal_so_far = np.ones(len(keys[0]) - 1, dtype=bool)
    for k in keys:
        a, b = k[1:], k[:-1]  # object arrays: str comparison, code point = UTF-8 byte order
        greater |= equal_so_far & (a > b).astype(bool)
        equal_so_far &= (a == b).astype(bool)
    if not greater.all():
        raise _Misaligned("order")


def concat_ext(parts: list[Any], empty: Any) -> Any:
    if not parts:
        return empty
    return parts[0] if len(parts) == 1 else type(parts[0])._concat_same_type(parts)


def int_array(col: Any) -> pd.arrays.IntegerArray:
    if isinstance(col, pd.arrays.IntegerArray):
        return col
    f = col.astype("float64")  # None -> NaN; counts stay exact far beyond any platform's numbers
    missing = np.isnan(f)
    return pd.arrays.IntegerArray(np.where(missing, 0, f).astype(np.int64), missing)


def _bools(col: Any) -> pd.arrays.BooleanArray:
    if isinstance(col, pd.arrays.BooleanArray):
        return col
    missing = np.asarray(pd.isna(col), dtype=bool)
    values = np.where(missing, 0, col).astype(bool)
    return pd.arrays.BooleanArray(values, missing)


def _strings(col: np.ndarray) -> pd.Series:
    s = pd.Series(col, dtype=object)
    return s.astype("str").where(s.notna(), None)


def utc_times(col: np.ndarray) -> pd.Series:
    """Stored datetimes (SQLite text without offset = UTC, or driver datetimes) -> UTC ns."""
    s = pd.Series(col, dtype=object)
    if not len(s):
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns, UTC]")
    sample = s.dropna()
    first = sample.iloc[0] if len(sample) else None
    if isinstance(first, int | np.integer | float):  # epoch seconds computed in SQL
        secs = col.astype("float64")
        out = pd.Series(pd.to_datetime(secs, unit="s", utc=True))
    elif isinstance(first, str):
        out = pd.to_datetime(s, utc=True, format="ISO8601")
    else:
        out = pd.to_datetime(s, utc=True)
    return out.dt.as_unit("ns")


def read_chunks(
    conn: Connection,
    stmt: Select[*tuple[Any, ...]],
    *,
    ints: Sequence[str],
    order_by: Sequence[tuple[Any, str]],
) -> Iterator[dict[str, Any]]:
    """Rows of ``stmt`` in untyped column chunks: the columnar fast path on SQLite (``ints``
    come back as ``IntegerArray``), else cursor rows. For callers that type and filter each
    chunk themselves (the snapshot reads, which drop most rows chunk by chunk)."""
    columns = [c.name for c in stmt.selected_columns]
    if conn.dialect.name == "sqlite":
        kind = {name: "int" if name in ints else "obj" for name in columns}
        pages: list[dict[str, Any]] | None
        try:
            pages = list(_concat_pages(conn, stmt, columns, kind, order_by))
        except _Misaligned:
            pages = None
        if pages is not None:
            yield from pages
            return
    yield from _row_chunks(conn, stmt, columns, CHUNK)
