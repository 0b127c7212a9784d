"""Store -> the tables one campaign's ranking reads (works, history, snapshots, accounts, units).

Built for a million works on a laptop (the reader's side is in ``frame_reader``):

- only the needed columns are selected; titles and URLs only with ``details=True`` (or later,
  for the rows on screen, with ``load_work_details``);
- snapshots are read per platform as primary-key range scans (a join from snapshots to
  campaign accounts let SQLite's planner pick a plan quadratic in the number of accounts) and
  matched to the campaign's posts in pandas; their ids are the posts' own string objects and
  ``post_row`` tells ``rank_campaign`` which post each belongs to, so nothing is matched twice;
  a small store's snapshots and accounts are one query for every platform (``SMALL_TABLE``:
  each query's fixed cost, paid per platform, was most of a small ranking's read);
- rules that belong to the ranking (the fingerprint key) are passed in as functions, so the
  store never imports the ranking; the joins between the tables (account, unit, review status
  of each work) and the ``floor_bits`` of the stored ``lower_bounds`` are the ranking's own
  (``tracker.ranking.assemble``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals
from sqlalchemy import Connection, Table, and_, case, exists, func, literal, select
from sqlalchemy.sql import Select

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
from tracker.store.queries.arrow_reader import (
    ColumnarReader,
    ColumnarUnavailable,
    arrow_frame,
    columnar_frame,
    columnar_reader,
)
from tracker.store.queries.frame_reader import (
    ChunkColumn,
    concat_ext,
    int_array,
    raw_text,
    read_chunks,
    read_frame,
    utc_times,
)

__all__ = [
    "DETAIL_COLUMNS",
    "RankingTables",
    "load_accounts",
    "load_reviews",
    "load_units",
    "load_work_details",
    "platform_snapshots",
    "read_ranking_tables",
]

DETAIL_COLUMNS = ("title", "url", "source")
"""What ``details=True`` adds to the works (and ``load_work_details`` reads for rows shown)."""

P = Post.__table__
PC = PostCampaign.__table__
A = Account.__table__
S = MetricSnapshot.__table__
R = Review.__table__
U = Unit.__table__
AU = AccountUnit.__table__

log = logging.getLogger(__name__)

METRICS = ("views", "likes", "comments", "shares", "favorites")
TITLE_CHARS = 120
TEXT_CHARS = 500


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


def load_works(
    conn: Connection,
    campaign_id: int,
    *,
    fingerprint_key: Callable[[Any, Any], Any],
    details: bool = False,
    reader: ColumnarReader | None = None,
) -> pd.DataFrame:
    """Campaign works not excluded, with their latest metrics (ids as strings).

    ``fingerprint_key(fingerprints, texts)``, called per chunk with the stored fingerprints and
    (where none is stored) the start of the body, gives the 64-bit ``fingerprint_key`` column
    (the ranking's rule); neither strings nor bodies stay. ``lower_bounds`` stays the stored
    text, as a categorical (a handful of distinct values).

    One query on one connection, in post_campaign's key order. Measured at 1M works on two
    cores and dropped: reading two halves side by side on two more connections (no faster: the
    snapshots are already read alongside), and scanning ``post`` in storage order with one
    link probe a row (its SQL is 1.3 s faster, but pages mixing every platform and account
    cost more to type: 12.1 s against 11.1 s for the whole load).
    """
    cols = [
        *_post_columns(),
        P.c.deleted,
        PC.c.matched_by,  # always: a small categorical the campaign-window flags need
        P.c.published_at_source,  # the explanation says when a publish time was derived
        raw_text(P.c.first_collected_at),
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
        ]
    stmt = _works_from(select(*cols), campaign_id)
    return columnar_frame(
        conn,
        stmt,
        reader=reader,
        ints=METRICS,
        times=("published_at", "last_collected_at", "first_collected_at"),
        categories=(
            "platform",
            "account_uid",
            "content_type",
            "source",
            "matched_by",
            "published_at_source",
            "lower_bounds",
        ),
        strings=("platform_post_id",),
        bools=("deleted",),
        computed=ChunkColumn(
            "fingerprint_key",
            ("fingerprint", "text"),
            fingerprint_key,
            pd.array([], dtype="Int64"),
        ),
        order_by=[(PC.c.platform, "platform"), (PC.c.platform_post_id, "platform_post_id")],
    )


def _works_from(stmt: Select[*tuple[Any, ...]], campaign_id: int) -> Select[*tuple[Any, ...]]:
    """FROM/WHERE/ORDER of the works query: post_campaign's primary-key order, which SQLite
    reads without a sort step and which makes the frame's row order deterministic."""
    return (
        stmt.select_from(PC)
        .join(P, _campaign_works_filter(campaign_id))
        .order_by(PC.c.platform, PC.c.platform_post_id)
    )


def _history_from(stmt: Select[*tuple[Any, ...]], campaign_id: int) -> Select[*tuple[Any, ...]]:
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
        return pd.DataFrame(columns=["platform", "platform_post_id", *DETAIL_COLUMNS])
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


def _post_columns() -> list[Any]:
    """What a campaign work and an account's other post are both read with."""
    return [
        P.c.platform,
        P.c.platform_post_id,
        P.c.account_uid,
        P.c.content_type,
        raw_text(P.c.published_at),
        *[P.c[m] for m in METRICS],
        P.c.lower_bounds,
        raw_text(P.c.last_collected_at),
    ]


def load_history(
    conn: Connection, campaign_id: int, reader: ColumnarReader | None = None
) -> pd.DataFrame:
    """The campaign accounts' other posts (baseline pool for overperformance)."""
    stmt = _history_from(
        select(*_post_columns()),
        campaign_id,
    )
    return columnar_frame(
        conn,
        stmt,
        reader=reader,
        ints=METRICS,
        times=("published_at", "last_collected_at"),
        categories=("platform", "content_type", "lower_bounds"),
        strings=("platform_post_id", "account_uid"),
        order_by=[(P.c.platform, "platform"), (P.c.platform_post_id, "platform_post_id")],
    )


SNAPSHOT_METRICS = (*METRICS, "followers_at_capture")


SMALL_TABLE = 20_000
"""Up to this many rows in a table, its reads for several platforms are one query, not one a
platform. A row-wise read costs milliseconds whatever it returns (compiling the statement,
typing each column), which a small store (the demo, the tests) paid once per platform on
every ranking; large tables keep their per-platform range scans (see the module docstring)."""


def _small_table(conn: Connection, table: Table) -> bool:
    """At most ``SMALL_TABLE`` rows in ``table``: counted no further than one row past that,
    so asking costs microseconds on a small store and a bounded scan on a large one."""
    head = select(literal(1)).select_from(table).limit(SMALL_TABLE + 1).subquery()
    return int(conn.execute(select(func.count()).select_from(head)).scalar_one()) <= SMALL_TABLE


def _snapshot_columns() -> list[Any]:
    return [
        S.c.platform_post_id,
        raw_text(S.c.captured_at),
        *[S.c[m] for m in SNAPSHOT_METRICS],
        S.c.lower_bounds,
    ]


def _platform_snapshots_select(platform: str) -> Select[*tuple[Any, ...]]:
    """Every snapshot of ``platform``: one primary-key range scan, in key order."""
    return (
        select(*_snapshot_columns())
        .where(S.c.platform == platform)
        .order_by(S.c.platform_post_id, S.c.captured_at)
    )


def platform_snapshots(conn: Connection, platform: str) -> Iterator[dict[str, Any]]:
    """Every snapshot of ``platform``, typed chunk by chunk; ids stay objects for matching."""
    stmt = _platform_snapshots_select(platform)
    order = [(S.c.platform_post_id, "platform_post_id"), (S.c.captured_at, "captured_at")]
    for data in read_chunks(conn, stmt, ints=SNAPSHOT_METRICS, order_by=order):
        typed = _typed_snapshots(data)
        typed["lower_bounds"] = _texts(data["lower_bounds"])
        del data
        yield typed


def _typed_snapshots(data: dict[str, Any]) -> dict[str, Any]:
    """A chunk's ids (objects, for matching), times and metrics typed; not ``lower_bounds``,
    whose categories depend on the chunk they are read in."""
    typed = {"platform_post_id": data["platform_post_id"]}
    typed["captured_at"] = utc_times(data["captured_at"]).array
    for m in SNAPSHOT_METRICS:
        typed[m] = int_array(data[m])
    return typed


SnapshotChunks = dict[str, list[dict[str, Any]]]
"""Per platform, its snapshots in the chunks ``platform_snapshots`` would yield."""


def snapshots_at_once(conn: Connection, platforms: list[str]) -> SnapshotChunks:
    """Every snapshot of ``platforms`` from one query in key order, cut at each platform.

    Row for row what ``platform_snapshots`` yields per platform while a platform fits one
    chunk, which a small table guarantees (``SMALL_TABLE``); the times and metrics are typed
    once for all platforms, ``lower_bounds`` per platform as a platform's own chunk has it.
    """
    stmt = (
        select(S.c.platform, *_snapshot_columns())
        .where(S.c.platform.in_(platforms))
        .order_by(S.c.platform, S.c.platform_post_id, S.c.captured_at)
    )
    order = [
        (S.c.platform, "platform"),
        (S.c.platform_post_id, "platform_post_id"),
        (S.c.captured_at, "captured_at"),
    ]
    out: SnapshotChunks = {}
    for data in read_chunks(conn, stmt, ints=SNAPSHOT_METRICS, order_by=order):
        typed = _typed_snapshots(data)
        for platform, rows in _runs(np.asarray(data["platform"], dtype=object)):
            piece = {k: v[rows] for k, v in typed.items()}
            piece["lower_bounds"] = _texts(data["lower_bounds"][rows])
            out.setdefault(platform, []).append(piece)
    return out


def _runs(values: np.ndarray) -> Iterator[tuple[str, slice]]:
    """(value, rows) of each run of equal values in a sorted column."""
    cuts = [0, *(np.flatnonzero(values[1:] != values[:-1]) + 1).tolist(), len(values)]
    for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
        if hi > lo:
            yield str(values[lo]), slice(lo, hi)


def _texts(values: Any) -> pd.Categorical:
    """Repeated texts (a handful of distinct ``lower_bounds``) as a categorical whose categories
    are plain objects, so the chunks of every platform join with ``union_categoricals``."""
    s = pd.Series(values, dtype=object)
    return pd.Categorical(s, categories=pd.Index(s.dropna().unique(), dtype=object))


SnapshotTables = dict[str, Any]
"""Per platform, its snapshots as one Arrow table (read columnar, before matching)."""


def snapshot_tables(reader: ColumnarReader, platforms: list[str]) -> SnapshotTables:
    """Every snapshot of ``platforms``, as Arrow tables (for a thread beside the works load).

    SQLite reads each platform by a range of the primary key. PostgreSQL's planner reads each
    platform by scanning the whole table and sorting what it kept, once per platform: there one
    scan in (platform, post, time) order, cut at each platform's rows, gives the same tables
    (measured at 2,000,000 snapshots of six platforms: 2.5 s against 4.3 s).
    """
    if reader.backend != "postgresql" or len(platforms) < 2:
        return {p: reader.table(_platform_snapshots_select(p)) for p in platforms}
    stmt = (
        select(S.c.platform, *_snapshot_columns())
        .where(S.c.platform.in_(platforms))
        .order_by(S.c.platform, S.c.platform_post_id, S.c.captured_at)
    )
    return _cut_by_platform(reader.table(stmt), platforms)


def _cut_by_platform(table: Any, platforms: list[str]) -> SnapshotTables:
    """``table`` (ordered by its ``platform`` column) as one table per platform, without that
    column: zero-copy slices of each platform's run of rows; empty for a platform without any."""
    import pyarrow.compute as pc

    runs = pc.value_counts(table.column("platform")) if table.num_rows else []
    rest = table.drop_columns(["platform"])
    out = {p: rest.slice(0, 0) for p in platforms}
    start = 0
    for run in runs:
        platform, count = str(run["values"].as_py()), int(run["counts"].as_py())
        out[platform] = rest.slice(start, count)
        start += count
    return out


def _columnar_matches(table: Any, ids: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """A platform's snapshots (``table``) of the posts ``ids``, matched in Arrow (no Python
    object per snapshot): (index into ``ids`` of each kept snapshot, its typed columns)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    snapshot_ids = table.column("platform_post_id")
    if not pa.types.is_string(snapshot_ids.type):  # no row, so no type to infer
        snapshot_ids = snapshot_ids.cast(pa.string())
    found = pc.index_in(snapshot_ids, value_set=pa.array(ids, pa.string()))
    keep = found.is_valid()
    kept = table.filter(keep)
    hit = np.asarray(found.filter(keep).to_numpy(zero_copy_only=False), dtype=np.int64)
    frame = arrow_frame(kept, ints=SNAPSHOT_METRICS, times=("captured_at",))
    typed: dict[str, Any] = {"captured_at": frame["captured_at"].array}
    for m in SNAPSHOT_METRICS:
        typed[m] = frame[m].array
    typed["lower_bounds"] = _texts(frame["lower_bounds"].to_numpy(dtype=object))
    return hit, typed


def _object_matches(
    chunks: Iterator[dict[str, Any]], ids: np.ndarray
) -> Iterator[tuple[np.ndarray, dict[str, Any]]]:
    index = pd.Index(ids)
    for data in chunks:
        hit = index.get_indexer(data["platform_post_id"])
        keep = hit >= 0
        if not keep.any():
            continue
        typed = {k: v[keep] for k, v in data.items() if k != "platform_post_id"}
        yield hit[keep], typed


def load_snapshots(
    conn: Connection,
    posts: pd.DataFrame,
    reader: ColumnarReader | None = None,
    tables: SnapshotTables | None = None,
) -> pd.DataFrame:
    """Snapshots of the given posts (works then history), with ``post_row`` into ``posts``;
    snapshots of other posts are dropped as they are matched. ``tables``: the platforms'
    snapshots already read columnar (a platform missing there is read with ``reader``);
    without either, they are read row-wise here, platform by platform (a small store's in one
    query, ``SMALL_TABLE``)."""
    plat_codes, plat_names = pd.factorize(posts["platform"])
    ids = posts["platform_post_id"].to_numpy(dtype=object)
    rows_out: list[np.ndarray] = []
    times_out: list[Any] = []
    values_out: dict[str, list[Any]] = {m: [] for m in SNAPSHOT_METRICS}
    bounds_out: list[pd.Categorical] = []
    at_once = _snapshots_at_once(conn, [str(p) for p in plat_names], reader, tables)
    for code, platform in enumerate(plat_names):
        rows = np.flatnonzero(plat_codes == code)
        matches = _platform_matches(conn, str(platform), ids[rows], reader, tables, at_once)
        for hit, data in matches:
            rows_out.append(rows[hit])
            times_out.append(data["captured_at"])
            for m in SNAPSHOT_METRICS:
                values_out[m].append(data[m])
            bounds_out.append(data["lower_bounds"])
    post_row = np.concatenate(rows_out) if rows_out else np.zeros(0, dtype=np.int64)
    out = pd.DataFrame(
        {
            "platform": pd.Categorical.from_codes(plat_codes[post_row], categories=plat_names)
            if len(plat_names)
            else pd.Categorical([]),
            # pandas-stubs leave out dtype=object, which pandas takes (a NumpyExtensionArray).
            "platform_post_id": pd.array(ids[post_row], dtype=object),  # type: ignore[arg-type]
            "captured_at": concat_ext(times_out, pd.array([], dtype="datetime64[ns, UTC]")),
        }
    )
    for m in SNAPSHOT_METRICS:
        out[m] = concat_ext(values_out[m], pd.array([], dtype="Int64"))
    out["lower_bounds"] = (
        union_categoricals(bounds_out)
        if bounds_out
        else pd.Categorical([], categories=pd.Index([], dtype=object))
    )
    out["post_row"] = post_row.astype(np.int64)
    return out


def _platform_matches(
    conn: Connection,
    platform: str,
    ids: np.ndarray,
    reader: ColumnarReader | None,
    tables: SnapshotTables | None,
    at_once: SnapshotChunks | None = None,
) -> Iterator[tuple[np.ndarray, dict[str, Any]]]:
    if at_once is not None:
        return _object_matches(iter(at_once.get(platform, [])), ids)
    if tables is not None and platform in tables:
        return iter([_columnar_matches(tables.pop(platform), ids)])
    if reader is not None:
        try:
            table = reader.table(_platform_snapshots_select(platform))
            return iter([_columnar_matches(table, ids)])
        except ColumnarUnavailable as exc:
            log.info("列式读取快照不可用，改为逐行读取 (columnar read unavailable: %s)", exc)
    return _object_matches(platform_snapshots(conn, platform), ids)


def _snapshots_at_once(
    conn: Connection,
    platforms: list[str],
    reader: ColumnarReader | None,
    tables: SnapshotTables | None,
) -> SnapshotChunks | None:
    """The row-wise read of a small store's snapshots, in one query (``snapshots_at_once``);
    ``None`` where they are read per platform (columnar, one platform, or a large table)."""
    if reader is not None or tables is not None or len(platforms) < 2:
        return None
    if not _small_table(conn, S):
        return None
    return snapshots_at_once(conn, platforms)


def load_accounts(
    conn: Connection, keys: pd.DataFrame, reader: ColumnarReader | None = None
) -> pd.DataFrame:
    """The accounts of ``keys`` (platform, account_uid): one scan of the account table per
    platform, filtered here (cheaper than joining a million works back to their accounts)."""
    parts = []
    uids = keys.drop_duplicates()
    groups = list(uids.groupby(uids["platform"].astype("str"), observed=True))
    at_once = _accounts_at_once(conn, [str(p) for p, _ in groups], reader)
    for platform, group in groups:
        if at_once is not None:
            frame = at_once.get(str(platform), at_once[""])
        else:
            frame = _account_frame(conn, A.c.platform == platform, reader)
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
    out: pd.DataFrame = pd.concat(parts, ignore_index=True)
    out["platform"] = out["platform"].astype("category")
    return out


def _account_frame(
    conn: Connection, where: Any, reader: ColumnarReader | None, *order: Any
) -> pd.DataFrame:
    stmt = select(A.c.platform, A.c.platform_uid, A.c.name, A.c.followers, A.c.verified).where(
        where
    )
    return columnar_frame(
        conn,
        stmt.order_by(*order),
        reader=reader,
        ints=("followers",),
        strings=("platform_uid",),
        bools=("verified",),
    )


def _accounts_at_once(
    conn: Connection, platforms: list[str], reader: ColumnarReader | None
) -> dict[str, pd.DataFrame] | None:
    """A small store's accounts of ``platforms`` in one query, cut per platform ("" for an
    empty frame): each platform's rows as its own query returns them, in the order of the
    primary key that query reads. ``None`` where they are read per platform (columnar, one
    platform, or a large table: ``SMALL_TABLE``)."""
    if reader is not None or len(platforms) < 2 or not _small_table(conn, A):
        return None
    frame = _account_frame(conn, A.c.platform.in_(platforms), None, A.c.platform, A.c.platform_uid)
    out = {"": frame.iloc[:0]}
    for platform, rows in _runs(frame["platform"].to_numpy(dtype=object)):
        out[platform] = frame.iloc[rows]
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
        raw_text(R.c.decided_at),
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


@dataclass
class RankingTables:
    """The stored tables one campaign's ranking starts from, as the store holds them
    (``lower_bounds`` texts; the ranking assembles its ``RankingFrames`` from these)."""

    works: pd.DataFrame
    history: pd.DataFrame
    snapshots: pd.DataFrame
    accounts: pd.DataFrame
    account_units: pd.DataFrame
    units: pd.DataFrame
    reviews: pd.DataFrame
    campaign: dict[str, Any] | None


def read_ranking_tables(
    conn: Connection,
    campaign_id: int,
    *,
    fingerprint_key: Callable[[Any, Any], Any],
    details: bool = False,
) -> RankingTables:
    """Everything the ranking reads for one campaign.

    ``details=True`` adds title, url and source to the works (for exporting every work; for a
    top-N table use ``load_work_details`` on the rows shown); ``matched_by`` is always read (the
    campaign-window flags need it). ``fingerprint_key``: see ``load_works``.

    Read columnar through ADBC where a driver can open the database (``arrow_reader``: no
    Python object per value; measured at a million works, 8.5-11.5 s for everything against
    12.3-18.9 s row-wise with the snapshots read by a second process, and 0.8 GiB against
    1.6 GiB). Row-wise, on the caller's connection, where it cannot (an in-memory database).
    """
    with columnar_reader(conn) as reader:
        if reader is not None:
            return _read_columnar(conn, reader, campaign_id, details, fingerprint_key)
    return _read_tables(conn, campaign_id, details, fingerprint_key)


def _read_columnar(
    conn: Connection,
    reader: ColumnarReader,
    campaign_id: int,
    details: bool,
    fingerprint_key: Callable[[Any, Any], Any],
) -> RankingTables:
    """The columnar read: the snapshots' tables come in on a second connection in a thread
    while the works load (the driver steps its query outside Python's lock). A failed read
    ahead costs time only: ``load_snapshots`` then reads them on the first connection."""
    platforms = _campaign_platforms(conn, campaign_id)

    def read_ahead() -> SnapshotTables:
        with reader.sibling() as second:
            return snapshot_tables(second, platforms)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="snapshot-tables") as pool:
        pending = pool.submit(read_ahead)
        tables = _read_tables(conn, campaign_id, details, fingerprint_key, reader, pending)
    return tables


def _campaign_platforms(conn: Connection, campaign_id: int) -> list[str]:
    stmt = select(PC.c.platform).where(PC.c.campaign_id == campaign_id).distinct()
    return sorted(str(p) for p in conn.execute(stmt).scalars())


def _read_tables(
    conn: Connection,
    campaign_id: int,
    details: bool,
    fingerprint_key: Callable[[Any, Any], Any],
    reader: ColumnarReader | None = None,
    tables_ahead: Future[SnapshotTables] | None = None,
) -> RankingTables:
    works = load_works(
        conn, campaign_id, details=details, fingerprint_key=fingerprint_key, reader=reader
    )
    accounts = load_accounts(conn, works[["platform", "account_uid"]], reader)
    account_units, units = load_units(conn)
    reviews = load_reviews(conn, campaign_id)
    history = (
        load_history(conn, campaign_id, reader)
        if _may_have_history(conn, len(works))
        else _no_history()
    )
    snapshots = load_snapshots(conn, _snapshot_posts(works, history), reader, _ready(tables_ahead))
    return RankingTables(
        works=works,
        history=history,
        snapshots=snapshots,
        accounts=accounts,
        account_units=account_units,
        units=units,
        reviews=reviews,
        campaign=load_campaign(conn, campaign_id),
    )


def _ready(pending: Future[SnapshotTables] | None) -> SnapshotTables | None:
    if pending is None:
        return None
    try:
        return pending.result()
    except Exception as exc:  # noqa: BLE001 - the snapshots are then read on this connection
        log.info("后台列式读取快照失败，改为在本连接读取 (read-ahead failed: %s)", exc)
        return None


def _snapshot_posts(works: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """The posts whose snapshots are read: works, then history (the ``post_row`` order)."""
    key_cols = ["platform", "platform_post_id"]
    return pd.concat(
        [
            works[key_cols].astype({"platform": "object"}),
            history[key_cols].astype({"platform": "object"}),
        ],
        ignore_index=True,
    )


def _no_history() -> pd.DataFrame:
    """The history when no stored post could be one (every post is a campaign work)."""
    return pd.DataFrame(
        {
            "platform": pd.Categorical([]),
            "platform_post_id": pd.Series(dtype="str"),
            "account_uid": pd.Series(dtype="str"),
        }
    )
