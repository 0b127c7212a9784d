"""Store queries -> the ranking's input frames (SQLAlchemy Core selects, streamed in chunks).

Built for a million works on a laptop, where the cost is Python objects per fetched value:

- only the needed columns are selected; titles and URLs only with ``details=True`` (or later,
  for the rows on screen, with ``load_work_details``); the stored fingerprints (the body text
  only for rows written before the store kept one) become a 64-bit ``fingerprint_key`` chunk
  by chunk, so no text stays;
- on SQLite, ordered queries take a columnar fast path: a page of rows comes back as one
  ``group_concat`` string per column (numbers parsed by ``np.fromstring``, text split once),
  with keyset paging; it checks its own alignment and order and falls back to the cursor;
- otherwise on SQLite the compiled Core statement runs on the DBAPI cursor of the same
  connection, rows fetched in chunks into 2-D object arrays (SQLAlchemy's per-row ``Row``
  processing costs more than the fetch itself); other databases stream through SQLAlchemy
  (``yield_per``);
- each chunk is typed as it arrives: nullable ``Int64`` metrics (NULL stays NA), ``category``
  for repeated strings (platform, account uid, content type), ``str`` post ids, datetimes read
  as the stored text and parsed vectorised; freed heap is handed back at the end
  (``memory.release_memory``);
- snapshots are read per platform as primary-key range scans (a join from snapshots to
  campaign accounts let SQLite's planner pick a plan quadratic in the number of accounts) and
  matched to the campaign's posts in pandas; their ids are the posts' own string objects and
  ``post_row`` tells ``rank_campaign`` which post each belongs to, so nothing is matched twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals
from sqlalchemy import (
    Connection,
    String,
    and_,
    case,
    exists,
    func,
    literal,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.sql import Select

from tracker.ranking import snapshot_reader
from tracker.ranking.floors import floor_bits
from tracker.ranking.frames import RankingFrames
from tracker.ranking.keys import account_codes, first_rows, positions
from tracker.ranking.memory import release_memory
from tracker.ranking.risk import fingerprint_key, text_fingerprint
from tracker.ranking.settings import RankingSettings
from tracker.ranking.units import attach_primary_unit
from tracker.store.models import (
    Account,
    AccountUnit,
    Campaign,
    MetricSnapshot,
    Post,
    PostCampaign,
    Review,
    Unit,
)

__all__ = ["load_frames", "load_work_details", "read_frame"]

P = Post.__table__
PC = PostCampaign.__table__
A = Account.__table__
S = MetricSnapshot.__table__
R = Review.__table__
U = Unit.__table__
AU = AccountUnit.__table__

METRICS = ("views", "likes", "comments", "shares", "favorites")
CHUNK = 100_000
TITLE_CHARS = 120
TEXT_CHARS = 500
TEXT_MIN_CHARS = RankingSettings().risk.min_fingerprint_chars


def _raw(col: Any, name: str | None = None) -> Any:
    """A datetime column without SQLAlchemy's per-value ``datetime`` processing: the stored
    text on SQLite (parsed in one vectorised call; measured cheaper than ``strftime('%s')`` in
    SQL), whatever the driver returns elsewhere (aware datetimes on PostgreSQL)."""
    return type_coerce(col, String).label(name or col.name)


def _chunks(conn: Connection, stmt: Select, chunk: int) -> Iterator[np.ndarray]:
    """Rows of ``stmt`` as 2-D object arrays of at most ``chunk`` rows."""
    if conn.dialect.name == "sqlite":
        compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        params = compiled.construct_params()
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


def _as_2d(rows: list, width: int) -> np.ndarray:
    out = np.array(rows, dtype=object)
    if out.ndim != 2 or out.shape[1] != width:  # a value that is itself a sequence
        out = np.empty((len(rows), width), dtype=object)
        out[:] = rows
    return out


def read_frame(
    conn: Connection,
    stmt: Select,
    *,
    ints: Sequence[str] = (),
    times: Sequence[str] = (),
    categories: Sequence[str] = (),
    strings: Sequence[str] = (),
    bools: Sequence[str] = (),
    fingerprint: tuple[str, str] | None = None,
    order_by: Sequence[tuple[Any, str]] | None = None,
    chunk: int = CHUNK,
) -> pd.DataFrame:
    """Run ``stmt`` and build a typed DataFrame (columns named as the select's labels).

    ``order_by``: the statement's ORDER BY as (expression, selected column name) pairs, a unique
    key. On SQLite it enables the columnar fast path (``_concat_pages``); without it, or if that
    path cannot prove its pages line up, rows are fetched through the cursor.

    ``fingerprint=(fingerprint_col, text_col)`` replaces those two columns by a 64-bit
    ``fingerprint_key`` computed chunk by chunk (stored fingerprint, else normalised text), so
    neither strings nor bodies stay in memory.

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
            acc, fp_parts = _typed_chunks(
                _concat_pages(conn, stmt, columns, kind, order_by),
                columns,
                kind,
                fingerprint,
            )
        except _Misaligned:
            acc, fp_parts = _typed_chunks(
                _row_chunks(conn, stmt, columns, chunk), columns, kind, fingerprint
            )
    else:
        acc, fp_parts = _typed_chunks(
            _row_chunks(conn, stmt, columns, chunk), columns, kind, fingerprint
        )
    skip = set(fingerprint or ())
    out = {}
    for name in columns:
        if name in skip:
            continue
        parts, k = acc[name], kind[name]
        if k == "int":
            out[name] = _concat_ext(parts, pd.array([], dtype="Int64"))
        elif k == "time":
            out[name] = _concat_ext(parts, pd.array([], dtype="datetime64[ns, UTC]"))
        elif k == "cat":
            out[name] = (
                union_categoricals(parts, sort_categories=True) if parts else pd.Categorical([])
            )  # sorted, as one chunk would be: the same frame however it was paged
        elif k == "bool":
            out[name] = _concat_ext(parts, pd.array([], dtype="boolean"))
        else:
            col = np.concatenate(parts) if parts else np.zeros(0, dtype=object)
            out[name] = _strings(col) if name in strings else pd.array(col, dtype=object)
    if fingerprint:
        out["fingerprint_key"] = _concat_ext(fp_parts, pd.array([], dtype="Int64"))
    return pd.DataFrame(out, copy=False)


def _row_chunks(
    conn: Connection, stmt: Select, columns: list[str], chunk: int
) -> Iterator[dict[str, np.ndarray]]:
    for data in _chunks(conn, stmt, chunk):
        yield {name: data[:, i] for i, name in enumerate(columns)}


def _typed_chunks(
    chunks: Iterator[dict[str, np.ndarray]],
    columns: list[str],
    kind: dict[str, str],
    fingerprint: tuple[str, str] | None,
) -> tuple[dict[str, list], list[Any]]:
    """Type each chunk's columns as it arrives (its Python objects are then dropped)."""
    acc: dict[str, list] = {name: [] for name in columns}
    fp_parts: list[Any] = []
    skip = set(fingerprint or ())
    for data in chunks:
        if fingerprint:
            fp_parts.append(_fingerprint_chunk(data, *fingerprint))
        for name in columns:
            if name in skip:
                continue
            col, k = data[name], kind[name]
            if k == "int":
                acc[name].append(_ints(col))
            elif k == "time":
                acc[name].append(_utc(col).array)
            elif k == "cat":
                acc[name].append(pd.Categorical(col))
            elif k == "bool":
                acc[name].append(_bools(col))
            else:
                acc[name].append(col)
        del data
    return acc, fp_parts


class _Misaligned(Exception):
    """The columnar fast path could not prove that its columns and pages line up."""


_NULL = "\x1e"
_SEP = "\x1f"
PAGE = 250_000


def _concat_pages(
    conn: Connection,
    stmt: Select,
    columns: list[str],
    kind: dict[str, str],
    order_by: Sequence[tuple[Any, str]],
) -> Iterator[dict[str, np.ndarray]]:
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
        aggs = [func.count().label("n")]
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
        out: dict[str, np.ndarray] = {}
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


def _fingerprint_chunk(data: dict[str, np.ndarray], fp_col: str, text_col: str) -> Any:
    fp = data[fp_col]
    key = fingerprint_key(fp).array
    missing = np.asarray(pd.isna(fp), dtype=bool)  # never fingerprinted: fall back to the text
    if missing.any():
        text = pd.Series(data[text_col][missing], dtype=object)
        values = key.to_numpy(dtype="int64", na_value=0).copy()
        from_text = text_fingerprint(text, TEXT_MIN_CHARS).array
        values[missing] = from_text.to_numpy(dtype="int64", na_value=0)
        mask = missing.copy()
        mask[missing] = np.asarray(from_text.isna())
        key = pd.arrays.IntegerArray(values, mask)
    return key


def _concat_ext(parts: list, empty: Any) -> Any:
    if not parts:
        return empty
    return parts[0] if len(parts) == 1 else type(parts[0])._concat_same_type(parts)


def _ints(col: Any) -> pd.arrays.IntegerArray:
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


def _utc(col: np.ndarray) -> pd.Series:
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


def _campaign_works_filter(campaign_id: int) -> Any:
    return and_(
        PC.c.platform == P.c.platform,
        PC.c.platform_post_id == P.c.platform_post_id,
        PC.c.campaign_id == campaign_id,
        PC.c.excluded.is_(False),
    )


def _campaign_accounts(campaign_id: int) -> Any:
    """CTE: the distinct accounts with at least one campaign work."""
    return (
        select(P.c.platform, P.c.account_uid)
        .join(PC, _campaign_works_filter(campaign_id))
        .where(P.c.account_uid.is_not(None))
        .distinct()
        .cte("campaign_accounts")
    )


def load_works(conn: Connection, campaign_id: int, *, details: bool = False) -> pd.DataFrame:
    """Campaign works not excluded, with their latest metrics (ids as strings).

    One query on one connection, in post_campaign's key order. Measured at 1M works on two
    cores and dropped: reading two halves side by side on two more connections (no faster: the
    snapshots are already read alongside), and scanning ``post`` in storage order with one
    link probe a row (its SQL is 1.3 s faster, but pages mixing every platform and account
    cost more to type: 12.1 s against 11.1 s for the whole load).
    """
    cols = [
        P.c.platform,
        P.c.platform_post_id,
        P.c.account_uid,
        P.c.content_type,
        _raw(P.c.published_at),
        *[P.c[m] for m in METRICS],
        P.c.lower_bounds,
        _raw(P.c.last_collected_at),
        P.c.deleted,
        P.c.fingerprint,
        case((P.c.fingerprint.is_(None), func.substr(P.c.text, 1, TEXT_CHARS)), else_=None).label(
            "text"
        ),
    ]
    if details:
        cols += [
            func.substr(P.c.title, 1, TITLE_CHARS).label("title"),
            P.c.url,
            P.c.source,
            PC.c.matched_by,
        ]
    stmt = _works_from(select(*cols), campaign_id)
    return _with_floor_bits(
        read_frame(
            conn,
            stmt,
            ints=METRICS,
            times=("published_at", "last_collected_at"),
            categories=(
                "platform",
                "account_uid",
                "content_type",
                "source",
                "matched_by",
                "lower_bounds",
            ),
            strings=("platform_post_id",),
            bools=("deleted",),
            fingerprint=("fingerprint", "text"),
            order_by=[(PC.c.platform, "platform"), (PC.c.platform_post_id, "platform_post_id")],
        )
    )


def _with_floor_bits(frame: pd.DataFrame) -> pd.DataFrame:
    """``lower_bounds`` texts (a handful of distinct values) -> one ``floor_bits`` byte a row."""
    frame["floor_bits"] = floor_bits(frame.pop("lower_bounds"))
    return frame


def _works_from(stmt: Select, campaign_id: int) -> Select:
    """FROM/WHERE/ORDER of the works query: post_campaign's primary-key order, which SQLite
    reads without a sort step and which makes the frame's row order deterministic."""
    return (
        stmt.select_from(PC)
        .join(P, _campaign_works_filter(campaign_id))
        .order_by(PC.c.platform, PC.c.platform_post_id)
    )


def _history_from(stmt: Select, campaign_id: int) -> Select:
    """FROM/WHERE/ORDER of the history query (the campaign accounts' other posts)."""
    acc = _campaign_accounts(campaign_id)
    pc2 = PC.alias("pc2")
    in_campaign = exists().where(
        pc2.c.platform == P.c.platform,
        pc2.c.platform_post_id == P.c.platform_post_id,
        pc2.c.campaign_id == campaign_id,
        pc2.c.excluded.is_(False),
    )
    return (
        stmt.join(acc, and_(acc.c.platform == P.c.platform, acc.c.account_uid == P.c.account_uid))
        .where(~in_campaign)
        .order_by(P.c.platform, P.c.platform_post_id)
    )


def load_work_details(conn: Connection, works: pd.DataFrame) -> pd.DataFrame:
    """Title, URL, source of the given works (platform, platform_post_id): for the rows shown."""
    if not len(works):
        return pd.DataFrame(columns=["platform", "platform_post_id", "title", "url", "source"])
    parts = []
    for platform, ids in works.groupby(works["platform"].astype("str"))["platform_post_id"]:
        unique = list(dict.fromkeys(ids.astype("str")))
        for lo in range(0, len(unique), 500):
            stmt = select(
                P.c.platform,
                P.c.platform_post_id,
                func.substr(P.c.title, 1, TITLE_CHARS).label("title"),
                P.c.url,
                P.c.source,
            ).where(P.c.platform == platform, P.c.platform_post_id.in_(unique[lo : lo + 500]))
            parts.append(read_frame(conn, stmt, strings=("platform_post_id",)))
    return pd.concat(parts, ignore_index=True)


def load_history(conn: Connection, campaign_id: int) -> pd.DataFrame:
    """The campaign accounts' other posts (baseline pool for overperformance)."""
    stmt = _history_from(
        select(
            P.c.platform,
            P.c.platform_post_id,
            P.c.account_uid,
            P.c.content_type,
            _raw(P.c.published_at),
            *[P.c[m] for m in METRICS],
            P.c.lower_bounds,
            _raw(P.c.last_collected_at),
        ),
        campaign_id,
    )
    return _with_floor_bits(
        read_frame(
            conn,
            stmt,
            ints=METRICS,
            times=("published_at", "last_collected_at"),
            categories=("platform", "content_type", "lower_bounds"),
            strings=("platform_post_id", "account_uid"),
            order_by=[(P.c.platform, "platform"), (P.c.platform_post_id, "platform_post_id")],
        )
    )


SNAPSHOT_METRICS = (*METRICS, "followers_at_capture")


def _platform_snapshots(conn: Connection, platform: str) -> Iterator[dict[str, Any]]:
    """Every snapshot of ``platform`` (one primary-key range scan), typed chunk by chunk; ids
    stay objects for matching."""
    stmt = (
        select(
            S.c.platform_post_id,
            _raw(S.c.captured_at),
            *[S.c[m] for m in SNAPSHOT_METRICS],
            S.c.lower_bounds,
        )
        .where(S.c.platform == platform)
        .order_by(S.c.platform_post_id, S.c.captured_at)
    )
    for data in _snapshot_chunks(conn, stmt, SNAPSHOT_METRICS):
        typed = {"platform_post_id": data["platform_post_id"]}
        typed["captured_at"] = _utc(data["captured_at"]).array
        for m in SNAPSHOT_METRICS:
            typed[m] = _ints(data[m])
        typed["floor_bits"] = floor_bits(data["lower_bounds"])
        del data
        yield typed


def load_snapshots(
    conn: Connection,
    posts: pd.DataFrame,
    chunks: snapshot_reader.SnapshotChunks | None = None,
) -> pd.DataFrame:
    """Snapshots of the given posts (works then history), with ``post_row`` into ``posts``;
    snapshots of other posts are dropped chunk by chunk. ``chunks``: the platforms' snapshots
    already read (by ``snapshot_reader``); read here, platform by platform, when not given."""
    plat_codes, plat_names = pd.factorize(posts["platform"])
    ids = posts["platform_post_id"].to_numpy(dtype=object)
    rows_out: list[np.ndarray] = []
    times_out: list[Any] = []
    values_out: dict[str, list[Any]] = {m: [] for m in SNAPSHOT_METRICS}
    bits_out: list[np.ndarray] = []
    for code, platform in enumerate(plat_names):
        rows = np.flatnonzero(plat_codes == code)
        index = pd.Index(ids[rows])
        platform_chunks = (
            _platform_snapshots(conn, str(platform))
            if chunks is None
            else chunks.pop(str(platform), [])
        )
        for data in platform_chunks:
            hit = index.get_indexer(data["platform_post_id"])
            keep = hit >= 0
            if not keep.any():
                continue
            rows_out.append(rows[hit[keep]])
            times_out.append(data["captured_at"][keep])
            for m in SNAPSHOT_METRICS:
                values_out[m].append(data[m][keep])
            bits_out.append(data["floor_bits"][keep])
    post_row = np.concatenate(rows_out) if rows_out else np.zeros(0, dtype=np.int64)
    out = pd.DataFrame(
        {
            "platform": pd.Categorical.from_codes(plat_codes[post_row], categories=plat_names)
            if len(plat_names)
            else pd.Categorical([]),
            "platform_post_id": pd.array(ids[post_row], dtype=object),
            "captured_at": _concat_ext(times_out, pd.array([], dtype="datetime64[ns, UTC]")),
        }
    )
    for m in SNAPSHOT_METRICS:
        out[m] = _concat_ext(values_out[m], pd.array([], dtype="Int64"))
    out["floor_bits"] = np.concatenate(bits_out) if bits_out else np.zeros(0, dtype=np.uint8)
    out["post_row"] = post_row.astype(np.int64)
    return out


def _snapshot_chunks(
    conn: Connection, stmt: Select, metric_cols: Sequence[str]
) -> Iterator[dict[str, Any]]:
    """One platform's snapshot rows in chunks: the columnar fast path on SQLite, else rows."""
    columns = [c.name for c in stmt.selected_columns]
    if conn.dialect.name == "sqlite":
        kind = {name: "int" if name in metric_cols else "obj" for name in columns}
        order = [(S.c.platform_post_id, "platform_post_id"), (S.c.captured_at, "captured_at")]
        pages = []
        try:
            for page in _concat_pages(conn, stmt, columns, kind, order):
                pages.append(page)
        except _Misaligned:
            pages = None
        if pages is not None:
            yield from pages
            return
    yield from _row_chunks(conn, stmt, columns, CHUNK)


def load_accounts(conn: Connection, keys: pd.DataFrame) -> pd.DataFrame:
    """The accounts of ``keys`` (platform, account_uid): one scan of the account table per
    platform, filtered here (cheaper than joining a million works back to their accounts)."""
    parts = []
    uids = keys.drop_duplicates()
    for platform, group in uids.groupby(uids["platform"].astype("str"), observed=True):
        stmt = select(A.c.platform, A.c.platform_uid, A.c.name, A.c.followers, A.c.verified).where(
            A.c.platform == platform
        )
        frame = read_frame(
            conn,
            stmt,
            ints=("followers",),
            strings=("platform_uid",),
            bools=("verified",),
        )
        wanted = pd.Index(group["account_uid"].astype("object").to_numpy())
        parts.append(frame[wanted.get_indexer(frame["platform_uid"].to_numpy(dtype=object)) >= 0])
    if not parts:
        return read_frame(
            conn,
            select(A.c.platform, A.c.platform_uid, A.c.name, A.c.followers, A.c.verified).where(
                A.c.platform.is_(None)
            ),
            ints=("followers",),
            strings=("platform_uid",),
            bools=("verified",),
        )
    out = pd.concat(parts, ignore_index=True)
    out["platform"] = out["platform"].astype("category")
    return out


def load_units(conn: Connection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(account_units joined with their unit, all units)."""
    units = read_frame(
        conn,
        select(
            U.c.id.label("unit_id"),
            U.c.name.label("unit_name"),
            U.c.kind.label("unit_kind"),
            U.c.city,
        ),
        ints=("unit_id",),
    )
    units["unit_id"] = units["unit_id"].astype("int64")
    au = read_frame(
        conn,
        select(
            AU.c.platform,
            AU.c.platform_uid,
            AU.c.unit_id,
            AU.c.person,
            AU.c.source,
            U.c.name.label("unit_name"),
            U.c.kind.label("unit_kind"),
            U.c.city,
        ).join(U, U.c.id == AU.c.unit_id),
        ints=("unit_id",),
        strings=("platform_uid",),
    )
    au["unit_id"] = au["unit_id"].astype("int64")
    return au, units


def load_reviews(conn: Connection, campaign_id: int) -> pd.DataFrame:
    stmt = select(
        R.c.platform,
        R.c.platform_post_id,
        R.c.status,
        R.c.reviewer,
        R.c.note,
        _raw(R.c.decided_at),
    ).join(
        PC,
        and_(
            PC.c.platform == R.c.platform,
            PC.c.platform_post_id == R.c.platform_post_id,
            PC.c.campaign_id == campaign_id,
        ),
    )
    return read_frame(conn, stmt, times=("decided_at",), strings=("platform_post_id",))


def load_campaign(conn: Connection, campaign_id: int) -> dict[str, Any] | None:
    C = Campaign.__table__
    row = conn.execute(select(C).where(C.c.id == campaign_id)).mappings().first()
    return dict(row) if row else None


def _may_have_history(conn: Connection, n_works: int) -> bool:
    """False when every stored post is a campaign work (then the history query is skipped)."""
    total = conn.execute(select(func.count()).select_from(P)).scalar_one()
    return int(total) > n_works


def load_frames(
    conn: Connection,
    campaign_id: int,
    *,
    details: bool = False,
    links: pd.DataFrame | None = None,
) -> RankingFrames:
    """Everything ``rank_campaign`` needs for one campaign.

    ``details=True`` adds title, url, source and matched_by to the works (for exporting every
    work; for a top-N table use ``load_work_details`` on the rows shown). ``links`` is an
    optional manual creator link table (platform, platform_uid, creator).

    The snapshots are read by a second process while the works load, on a large SQLite file
    (see ``snapshot_reader``: a second thread was measured to slow both reads down);
    otherwise, or if that process fails, here after the works.
    """
    with snapshot_reader.snapshots_in_background(conn, campaign_id) as pending:
        return _load_frames(
            conn, campaign_id, details, links, lambda: snapshot_reader.collect(pending)
        )


def _load_frames(
    conn: Connection,
    campaign_id: int,
    details: bool,
    links: pd.DataFrame | None,
    read_ahead: Callable[[], snapshot_reader.SnapshotChunks | None],
) -> RankingFrames:
    works = load_works(conn, campaign_id, details=details)
    accounts = load_accounts(conn, works[["platform", "account_uid"]])
    account_units, units = load_units(conn)
    reviews = load_reviews(conn, campaign_id)
    history = (
        load_history(conn, campaign_id) if _may_have_history(conn, len(works)) else _empty_history()
    )
    codes = account_codes(works)
    _attach_accounts(works, accounts, codes)
    for col, values in attach_primary_unit(works, account_units, account_codes=codes).items():
        works[col] = values
    status = np.full(len(works), "pending", dtype=object)
    if len(reviews):
        pos = positions(works, reviews)
        hit = pos >= 0
        status[pos[hit]] = reviews["status"].to_numpy(dtype=object)[hit]
    works["review_status"] = pd.Categorical(status)
    key_cols = ["platform", "platform_post_id"]
    posts = pd.concat(
        [
            works[key_cols].astype({"platform": "object"}),
            history[key_cols].astype({"platform": "object"}),
        ],
        ignore_index=True,
    )
    snapshots = load_snapshots(conn, posts, read_ahead())
    release_memory()
    return RankingFrames(
        works=works,
        history=history,
        snapshots=snapshots,
        accounts=accounts,
        account_units=account_units,
        units=units,
        reviews=reviews,
        links=links,
        campaign=load_campaign(conn, campaign_id),
    )


def _empty_history() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "platform": pd.Categorical([]),
            "platform_post_id": pd.Series(dtype="str"),
            "account_uid": pd.Series(dtype="str"),
        }
    )


def _attach_accounts(works: pd.DataFrame, accounts: pd.DataFrame, codes: np.ndarray) -> None:
    """account_name, followers (latest) and verified of each work's account, in place."""
    n = len(works)
    if not n:
        works["account_name"] = pd.Series(dtype=object)
        works["followers"] = pd.array([], dtype="Int64")
        works["verified"] = pd.array([], dtype="boolean")
        return
    rep = first_rows(codes)
    probe = pd.DataFrame(
        {
            "platform": works["platform"].to_numpy()[rep],
            "platform_uid": works["account_uid"].to_numpy()[rep],
        }
    )
    pos = positions(accounts, probe, ("platform", "platform_uid"))[codes]
    hit = pos >= 0
    take = np.where(hit, pos, -1)
    names = np.append(accounts["name"].to_numpy(dtype=object), None)  # take -1 -> None
    works["account_name"] = pd.Series(names[take], dtype=object)
    works["followers"] = accounts["followers"].array.take(take, allow_fill=True)
    works["verified"] = accounts["verified"].array.take(take, allow_fill=True)
