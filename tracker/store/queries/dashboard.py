"""What the dashboard and the report ask the store (SQLAlchemy Core; counting happens in SQL).

The heavy one is :func:`campaign_facts`: the campaign's works grouped by platform, account,
Beijing day, content type and source in one pass, from which ``tracker.readmodel.facts`` computes
every overview figure for any filter (on a big database the works are read columnar instead,
:func:`campaign_fact_works`, and grouped there). The rest are small: the registry links, reviewed works,
runs, one work's detail and snapshots, labels of the few works a page shows, the data version.
Nothing here loads the works table row by row.

Days are Beijing days (the campaign's time zone): SQLite shifts the stored UTC text by the zone's
fixed offset (China has had no daylight saving since 1991), Postgres uses ``AT TIME ZONE``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import (
    Connection,
    String,
    and_,
    func,
    literal,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.functions import FunctionElement

from tracker.store.models import (
    Account,
    AccountUnit,
    Campaign,
    MetricSnapshot,
    Post,
    PostCampaign,
    Reject,
    Review,
    ReviewEvent,
    Run,
    Unit,
)
from tracker.store.queries.arrow_reader import ColumnarUnavailable, columnar_reader
from tracker.store.queries.frame_reader import raw_text, read_frame

__all__ = [
    "METRICS",
    "campaign_fact_works",
    "campaign_facts",
    "campaigns",
    "data_version",
    "filter_options",
    "reject_count",
    "review_rows",
    "reviewed_works",
    "run_log",
    "unit_links",
    "work_detail",
    "work_labels",
    "work_snapshots",
]

P = Post.__table__
PC = PostCampaign.__table__
A = Account.__table__
AU = AccountUnit.__table__
U = Unit.__table__
S = MetricSnapshot.__table__
RUN = Run.__table__
REJ = Reject.__table__
REV = Review.__table__
EVT = ReviewEvent.__table__
C = Campaign.__table__

METRICS = ("views", "likes", "comments", "shares", "favorites")
INTERACTION_METRICS = ("likes", "comments", "shares", "favorites")


# --- a dialect-aware "local calendar day" ------------------------------------------------------


class local_day(FunctionElement[str]):  # noqa: N801 - reads like a SQL function
    """``YYYY-MM-DD`` of a UTC timestamp column in a time zone."""

    type = String()
    inherit_cache = True
    name = "local_day"

    def __init__(self, column: Any, timezone: str) -> None:
        self.timezone = timezone
        super().__init__(column)


def _offset_hours(timezone: str) -> str:
    # A fixed offset: right for Asia/Shanghai; for zones with DST, SQLite days near the
    # switch would be an hour off (Postgres is exact).
    offset = datetime(2024, 1, 1, tzinfo=ZoneInfo(timezone)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes:+d} minutes"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element: local_day, compiler: Any, **kw: Any) -> str:
    (col,) = list(element.clauses)
    return f"date({compiler.process(col, **kw)}, '{_offset_hours(element.timezone)}')"


@compiles(local_day)
def _local_day_default(element: local_day, compiler: Any, **kw: Any) -> str:
    (col,) = list(element.clauses)
    zone = element.timezone.replace("'", "")
    return f"to_char(({compiler.process(col, **kw)}) AT TIME ZONE '{zone}', 'YYYY-MM-DD')"


# --- the campaign's works ----------------------------------------------------------------------


def works_from() -> Any:
    return P.join(
        PC, and_(PC.c.platform == P.c.platform, PC.c.platform_post_id == P.c.platform_post_id)
    )


def interactions_expr() -> ColumnElement[Any]:
    """Unweighted public interactions (likes + comments + shares + favorites, NULL as 0)."""
    total: ColumnElement[Any] = literal(0)
    for m in INTERACTION_METRICS:
        total = total + func.coalesce(P.c[m], 0)
    return total


def _frame(
    conn: Connection, stmt: Select[*tuple[Any, ...]], columns: list[str] | None = None
) -> pd.DataFrame:
    result = conn.execute(stmt)
    cols = columns or list(result.keys())
    return pd.DataFrame.from_records(list(result), columns=cols)


# --- queries ------------------------------------------------------------------------------------


def campaigns(conn: Connection) -> pd.DataFrame:
    stmt = select(C.c.id, C.c.name, C.c.title, C.c.window_start, C.c.window_end, C.c.timezone)
    return _frame(conn, stmt.order_by(C.c.id))


def campaign_facts(conn: Connection, campaign_id: int, timezone: str) -> pd.DataFrame:
    """The campaign pre-aggregated by platform, account, Beijing day and content type.

    One pass over the campaign's works, grouped so that every figure of the overview and the
    map (and every combination of filters, which act on platform, day and account) can be
    computed from the result without going back to the database.
    """
    day = local_day(P.c.published_at, timezone).label("day")
    ctype = func.coalesce(P.c.content_type, "unknown").label("content_type")
    cols = [
        P.c.platform,
        P.c.account_uid,
        day,
        ctype,
        func.count().label("works"),
        func.sum(interactions_expr()).label("interactions"),
        *[func.sum(P.c[m]).label(m) for m in METRICS],
        type_coerce(func.max(P.c.last_collected_at), String).label("last_collected_at"),
    ]
    stmt = (
        select(*cols)
        .select_from(works_from())
        .where(PC.c.campaign_id == campaign_id, PC.c.excluded.is_(False))
        # The day first: grouped by (platform, account, ...) SQLite walks post's account index
        # to skip part of the sort, then fetches every row from the table out of order
        # (measured at 1M works: 9.0 s, against 4.3 s for one scan and a sort).
        .group_by(day, P.c.platform, P.c.account_uid, ctype)
    )
    # Fetched as arrays on the driver's cursor: pandas' from_records probes every SQLAlchemy
    # Row for attributes, which cost 4 s of the 8.5 s at 650k groups.
    df = read_frame(
        conn,
        stmt,
        ints=("works", "interactions", *METRICS),
        times=("last_collected_at",),
        categories=("platform", "content_type"),
    )
    for col in ("works", "interactions"):
        df[col] = df[col].fillna(0).astype("int64")
    for m in METRICS:
        df[m] = df[m].astype("float64")  # NA (no known value in the group) -> NaN
    return df


def campaign_fact_works(conn: Connection, campaign_id: int) -> pd.DataFrame | None:
    """The works :func:`campaign_facts` groups, one row each (platform, account_uid,
    published_at, content_type, the metrics, last_collected_at), read columnar; None where no
    columnar reader serves (a small or in-memory database, where the grouped query is cheap).

    At a million works SQLite's GROUP BY sorts them in one thread (6-7 s, 4.5 scans) while
    the plain read in the reader's process takes about one scan, and grouping a million rows
    in numpy well under one more (``tracker.readmodel.facts``).
    """
    stmt = (
        select(
            P.c.platform,
            P.c.account_uid,
            raw_text(P.c.published_at),
            P.c.content_type,
            *[P.c[m] for m in METRICS],
            raw_text(P.c.last_collected_at),
        )
        .select_from(works_from())
        .where(PC.c.campaign_id == campaign_id, PC.c.excluded.is_(False))
    )
    with columnar_reader(conn) as reader:
        if reader is None:
            return None
        try:
            return reader.frame_in_halves(
                stmt,
                _LINK_ROWID,
                _link_rowids(conn),
                ints=METRICS,
                times=("published_at", "last_collected_at"),
                categories=("platform", "account_uid", "content_type"),
            )
        except ColumnarUnavailable:
            return None


_LINK_ROWID: ColumnElement[Any] = literal_column("post_campaign.rowid")


def _link_rowids(conn: Connection) -> tuple[int, int] | None:
    """The least and greatest ``rowid`` of the campaign links (SQLite: two look-ups of its
    table b-tree's ends), to read the campaign in halves; None elsewhere."""
    if conn.dialect.name != "sqlite":
        return None
    lo, hi = conn.execute(
        select(func.min(_LINK_ROWID), func.max(_LINK_ROWID)).select_from(PC)
    ).one()
    return None if lo is None else (int(lo), int(hi))


def unit_links(conn: Connection) -> pd.DataFrame:
    """Registry links account -> unit with the unit's city and kind (small: the registry)."""
    stmt = select(
        AU.c.platform, AU.c.platform_uid, AU.c.unit_id, U.c.city, U.c.kind.label("unit_kind")
    ).join(U, U.c.id == AU.c.unit_id)
    return _frame(conn, stmt, ["platform", "platform_uid", "unit_id", "city", "unit_kind"])


def reviewed_works(conn: Connection, campaign_id: int, timezone: str) -> pd.DataFrame:
    """Campaign works with a review decision (status, platform, account, day): few rows."""
    day = local_day(P.c.published_at, timezone).label("day")
    # The links joined to the reviews before the posts: SQLite scans the links either way,
    # but then looks up only the reviewed posts (0.2 s at a million works, not 0.9 s).
    on_link = (REV.c.platform == PC.c.platform) & (REV.c.platform_post_id == PC.c.platform_post_id)
    post_of = (P.c.platform == PC.c.platform) & (P.c.platform_post_id == PC.c.platform_post_id)
    stmt = (
        select(P.c.platform, P.c.account_uid, day, REV.c.status)
        .select_from(PC.join(REV, on_link).join(P, post_of))
        .where(PC.c.campaign_id == campaign_id, PC.c.excluded.is_(False))
    )
    return _frame(conn, stmt, ["platform", "account_uid", "day", "status"])


def _review_join() -> ColumnElement[bool]:
    return and_(REV.c.platform == P.c.platform, REV.c.platform_post_id == P.c.platform_post_id)


def filter_options(conn: Connection) -> dict[str, list[str]]:
    """Values the filter drop-downs offer (platforms with works, registry cities and kinds)."""
    platforms = [r[0] for r in conn.execute(select(PC.c.platform).distinct())]
    cities = [r[0] for r in conn.execute(select(U.c.city).where(U.c.city.is_not(None)).distinct())]
    kinds = [r[0] for r in conn.execute(select(U.c.kind).distinct())]
    return {"platforms": platforms, "cities": sorted(cities), "unit_kinds": sorted(kinds)}


def run_log(conn: Connection, *, limit: int = 300, as_of: datetime | None = None) -> pd.DataFrame:
    """The latest runs (what was collected when, and what failed); with ``as_of``, only runs
    started by then (a report cut at a deadline lists no later run)."""
    stmt = (
        select(
            RUN.c.id,
            RUN.c.platform,
            RUN.c.kind,
            RUN.c.job,
            RUN.c.started_at,
            RUN.c.finished_at,
            RUN.c.status,
            RUN.c.pages,
            RUN.c.items_read,
            RUN.c.new,
            RUN.c.updated,
            RUN.c.rejected,
            RUN.c.claimed_total,
            RUN.c.error,
        )
        .order_by(RUN.c.id.desc())
        .limit(limit)
    )
    if as_of is not None:
        stmt = stmt.where(RUN.c.started_at <= as_of)
    df = _frame(conn, stmt)
    for col in ("started_at", "finished_at"):
        df[col] = pd.to_datetime(df[col], utc=True)
    return df


def reject_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(REJ)).scalar_one())


def work_detail(conn: Connection, platform: str, post_id: str) -> dict[str, Any] | None:
    stmt = (
        select(
            P,
            A.c.name.label("account_name"),
            A.c.url.label("account_url"),
            A.c.followers.label("account_followers"),
            REV.c.status.label("review_status"),
            REV.c.reviewer,
            REV.c.note.label("review_note"),
            REV.c.decided_at,
        )
        .select_from(
            P.outerjoin(
                A, and_(A.c.platform == P.c.platform, A.c.platform_uid == P.c.account_uid)
            ).outerjoin(REV, _review_join())
        )
        .where(P.c.platform == platform, P.c.platform_post_id == post_id)
    )
    row = conn.execute(stmt).first()
    return dict(row._mapping) if row is not None else None


def work_snapshots(conn: Connection, platform: str, post_id: str) -> pd.DataFrame:
    stmt = (
        select(S.c.captured_at, *[S.c[m] for m in METRICS], S.c.followers_at_capture)
        .where(S.c.platform == platform, S.c.platform_post_id == post_id)
        .order_by(S.c.captured_at)
    )
    df = _frame(conn, stmt, ["captured_at", *METRICS, "followers_at_capture"])
    df["captured_at"] = pd.to_datetime(df["captured_at"], utc=True)
    return df


def work_labels(conn: Connection, keys: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Display columns of a few works (title, start of the text, url, account name).

    Looked up per platform with ``platform = ? AND platform_post_id IN (...)``: SQLite answers
    a row-value ``(platform, id) IN (VALUES ...)`` by scanning the whole key index.
    """
    cols = ["platform", "platform_post_id", "title", "text", "url", "account_name"]
    by_platform: dict[str, list[str]] = {}
    for platform, post_id in dict.fromkeys(keys):
        by_platform.setdefault(platform, []).append(post_id)
    frames = []
    for platform, ids in by_platform.items():
        for start in range(0, len(ids), 500):
            stmt = (
                select(
                    P.c.platform,
                    P.c.platform_post_id,
                    func.substr(P.c.title, 1, 200).label("title"),
                    func.substr(P.c.text, 1, 200).label("text"),
                    P.c.url,
                    A.c.name.label("account_name"),
                )
                .select_from(
                    P.outerjoin(
                        A, and_(A.c.platform == P.c.platform, A.c.platform_uid == P.c.account_uid)
                    )
                )
                .where(P.c.platform == platform, P.c.platform_post_id.in_(ids[start : start + 500]))
            )
            frames.append(_frame(conn, stmt, cols))
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def data_version(conn: Connection) -> tuple[int, int]:
    """``(max run id, max review_event id)``: every collection, refresh and import writes a run
    row and every review decision an event, so a new pair means new data (two key lookups)."""
    runs = conn.execute(select(func.max(RUN.c.id))).scalar_one()
    reviews = conn.execute(select(func.max(EVT.c.id))).scalar_one()
    return int(runs or 0), int(reviews or 0)


def review_rows(
    conn: Connection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str | None, str | None]]:
    """(status, reviewer, note) by (platform, post id), for those of a few works (the rows a
    page shows) with a stored review; looked up per platform in batches of 500 ids."""
    by_platform: dict[str, list[str]] = {}
    for platform, post_id in dict.fromkeys(keys):
        by_platform.setdefault(platform, []).append(post_id)
    rows: list[Any] = []
    for platform, ids in by_platform.items():
        for i in range(0, len(ids), 500):
            rows += list(
                conn.execute(
                    select(
                        REV.c.platform,
                        REV.c.platform_post_id,
                        REV.c.status,
                        REV.c.reviewer,
                        REV.c.note,
                    ).where(
                        REV.c.platform == platform,
                        REV.c.platform_post_id.in_(ids[i : i + 500]),
                    )
                )
            )
    return {(r.platform, r.platform_post_id): (r.status, r.reviewer, r.note) for r in rows}
