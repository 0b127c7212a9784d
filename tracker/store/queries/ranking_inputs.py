"""Store -> the tables one campaign's ranking reads (works, history, snapshots, accounts, units).

Built for a million works on a laptop (the reader's side is in ``frame_reader``):

- only the needed columns are selected; titles and URLs only with ``details=True`` (or later,
  for the rows on screen, with ``load_work_details``);
- snapshots are read per platform as primary-key range scans (a join from snapshots to
  campaign accounts let SQLite's planner pick a plan quadratic in the number of accounts) and
  matched to the campaign's posts in pandas; their ids are the posts' own string objects and
  ``post_row`` tells ``rank_campaign`` which post each belongs to, so nothing is matched twice;
- rules that belong to the ranking (the fingerprint key) are passed in as functions, so the
  store never imports the ranking; the joins between the tables (account, unit, review status
  of each work) and the ``floor_bits`` of the stored ``lower_bounds`` are the ranking's own
  (``tracker.ranking.assemble``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals
from sqlalchemy import Connection, and_, case, exists, func, select
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
from tracker.store.queries import snapshot_reader
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
    "RankingTables",
    "load_accounts",
    "load_reviews",
    "load_units",
    "load_work_details",
    "platform_snapshots",
    "read_ranking_tables",
]

P = Post.__table__
PC = PostCampaign.__table__
A = Account.__table__
S = MetricSnapshot.__table__
R = Review.__table__
U = Unit.__table__
AU = AccountUnit.__table__

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
    return read_frame(
        conn,
        stmt,
        ints=METRICS,
        times=("published_at", "last_collected_at", "first_collected_at"),
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


def load_history(conn: Connection, campaign_id: int) -> pd.DataFrame:
    """The campaign accounts' other posts (baseline pool for overperformance)."""
    stmt = _history_from(
        select(*_post_columns()),
        campaign_id,
    )
    return read_frame(
        conn,
        stmt,
        ints=METRICS,
        times=("published_at", "last_collected_at"),
        categories=("platform", "content_type", "lower_bounds"),
        strings=("platform_post_id", "account_uid"),
        order_by=[(P.c.platform, "platform"), (P.c.platform_post_id, "platform_post_id")],
    )


SNAPSHOT_METRICS = (*METRICS, "followers_at_capture")


def platform_snapshots(conn: Connection, platform: str) -> Iterator[dict[str, Any]]:
    """Every snapshot of ``platform`` (one primary-key range scan), typed chunk by chunk; ids
    stay objects for matching."""
    stmt = (
        select(
            S.c.platform_post_id,
            raw_text(S.c.captured_at),
            *[S.c[m] for m in SNAPSHOT_METRICS],
            S.c.lower_bounds,
        )
        .where(S.c.platform == platform)
        .order_by(S.c.platform_post_id, S.c.captured_at)
    )
    order = [(S.c.platform_post_id, "platform_post_id"), (S.c.captured_at, "captured_at")]
    for data in read_chunks(conn, stmt, ints=SNAPSHOT_METRICS, order_by=order):
        typed = {"platform_post_id": data["platform_post_id"]}
        typed["captured_at"] = utc_times(data["captured_at"]).array
        for m in SNAPSHOT_METRICS:
            typed[m] = int_array(data[m])
        typed["lower_bounds"] = _texts(data["lower_bounds"])
        del data
        yield typed


def _texts(values: Any) -> pd.Categorical:
    """Repeated texts (a handful of distinct ``lower_bounds``) as a categorical whose categories
    are plain objects, so the chunks of every platform join with ``union_categoricals``."""
    s = pd.Series(values, dtype=object)
    return pd.Categorical(s, categories=pd.Index(s.dropna().unique(), dtype=object))


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
    bounds_out: list[pd.Categorical] = []
    for code, platform in enumerate(plat_names):
        rows = np.flatnonzero(plat_codes == code)
        index = pd.Index(ids[rows])
        platform_chunks = (
            platform_snapshots(conn, str(platform))
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
            bounds_out.append(data["lower_bounds"][keep])
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
    out: pd.DataFrame = pd.concat(parts, ignore_index=True)
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

    The snapshots are read by a second process while the works load, on a large SQLite file
    (see ``snapshot_reader``: a second thread was measured to slow both reads down);
    otherwise, or if that process fails, here after the works.
    """
    with snapshot_reader.snapshots_in_background(conn, campaign_id) as pending:
        return _read_tables(
            conn,
            campaign_id,
            details,
            fingerprint_key,
            lambda: snapshot_reader.collect(pending),
        )


def _read_tables(
    conn: Connection,
    campaign_id: int,
    details: bool,
    fingerprint_key: Callable[[Any, Any], Any],
    read_ahead: Callable[[], snapshot_reader.SnapshotChunks | None],
) -> RankingTables:
    works = load_works(conn, campaign_id, details=details, fingerprint_key=fingerprint_key)
    accounts = load_accounts(conn, works[["platform", "account_uid"]])
    account_units, units = load_units(conn)
    reviews = load_reviews(conn, campaign_id)
    history = (
        load_history(conn, campaign_id) if _may_have_history(conn, len(works)) else _no_history()
    )
    snapshots = load_snapshots(conn, _snapshot_posts(works, history), read_ahead())
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
