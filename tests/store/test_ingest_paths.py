"""The ingest's two fast paths: SQLite's prepared tuples and PostgreSQL's COPY staging.

Each path is held to something it does not share code with: the tuples to the readable
per-column definitions (``post_row`` and friends, converted value by value), PostgreSQL's
stored rows to SQLite's after the same batches (plus a few values worked out by hand), and
the counts to what the batches were built to contain.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError

from tracker.config import CampaignConfig
from tracker.records import AccountRecord, CampaignLink, Metrics, PostRecord
from tracker.services.database import campaign_rows
from tracker.store.engine import describe_url, make_engine
from tracker.store.failures import database_failure
from tracker.store.ingest_rows import (
    PG,
    SQLITE,
    account_tuples,
    post_and_snapshot_tuples,
    sqlite_time,
)
from tracker.store.models import Account, MetricSnapshot, Post, PostCampaign
from tracker.store.registry import sync_campaigns
from tracker.store.upsert import (
    ACCOUNT_COLS,
    POST_COLS,
    SNAPSHOT_COLS,
    IngestCounts,
    Ingestor,
    _sqlite_value,
    account_row,
    post_row,
    snapshot_row,
)

from ..helpers.database import PG_URL

T0 = datetime(2024, 9, 14, 2, 0, tzinfo=UTC)
CST = timezone(timedelta(hours=8))
TAG = "#千万IP创科普#"


def _records() -> list[PostRecord]:
    """Posts exercising every converted column: times in UTC and +08:00, tags, context,
    floors, deleted, a derived publish time, a post without counts (no snapshot)."""
    return [
        PostRecord(
            "weibo",
            "4998877665544332211",
            T0,
            account_uid="1959830294",
            url="https://example.invalid/1",
            title="科普视频",
            text=f"{TAG} 彩虹是怎么形成的",
            content_type="video",
            published_at=datetime(2024, 9, 14, 9, 30, 0, 123456, tzinfo=CST),
            hashtags=[TAG, "#科普#"],
            duration_s=61,
            metrics=Metrics(views=1_000_000, likes=10, lower_bounds={"views"}),
            followers_at_capture=1520885,
            context={"roundtable": "rt1"},
        ),
        PostRecord(
            "douyin",
            "7412345678901234567",
            T0.astimezone(CST),
            title="短",
            published_at=T0 - timedelta(days=2),
            published_at_source="id",
            deleted=True,
            metrics=Metrics(comments=3),
            source="capture",
        ),
        PostRecord("zhihu", "123", T0, text=None),  # no counts: no snapshot
    ]


def test_sqlite_tuples_are_the_columns_converted_one_by_one() -> None:
    records = _records()
    posts, snaps = post_and_snapshot_tuples(records, 7, None, SQLITE)
    assert posts == [tuple(_sqlite_value(c, post_row(r)[c]) for c in POST_COLS) for r in records]
    assert snaps == [
        tuple(_sqlite_value(c, snapshot_row(r, 7)[c]) for c in SNAPSHOT_COLS) for r in records[:2]
    ]
    first = dict(zip(POST_COLS, posts[0], strict=True))
    # By hand: 09:30:00.123456 at +08:00 is 01:30:00.123456 UTC; JSON keeps Chinese readable.
    assert first["published_at"] == "2024-09-14 01:30:00.123456"
    assert first["hashtags"] == '["#千万IP创科普#", "#科普#"]'
    assert first["lower_bounds"] == "views"
    assert dict(zip(POST_COLS, posts[1], strict=True))["deleted"] == 1
    assert dict(zip(POST_COLS, posts[1], strict=True))["last_collected_at"] == (
        "2024-09-14 02:00:00.000000"
    )


def test_given_fingerprints_are_used_and_the_others_computed() -> None:
    records = _records()
    posts, _ = post_and_snapshot_tuples(
        records, None, {("douyin", "7412345678901234567"): "f" * 16}, SQLITE
    )
    fp = POST_COLS.index("fingerprint")
    assert posts[1][fp] == "f" * 16
    assert posts[0][fp] == post_row(records[0])["fingerprint"] and len(posts[0][fp]) == 16


def test_postgres_tuples_keep_datetimes_and_booleans_for_copy() -> None:
    records = _records()
    posts, snaps = post_and_snapshot_tuples(records, None, None, PG)
    for record, row in zip(records, posts, strict=True):
        expected = post_row(record)
        for col, value in zip(POST_COLS, row, strict=True):
            if col in ("hashtags", "context") and expected[col] is not None:
                assert json.loads(value) == expected[col]
            else:
                assert value == expected[col], col
    assert dict(zip(POST_COLS, posts[1], strict=True))["deleted"] is True
    assert len(snaps) == 2


def test_account_tuples_match_account_row() -> None:
    accounts = [
        AccountRecord("weibo", "1", name="科普博主", followers=5, verified=True),
        AccountRecord("weibo", "2", verified=None, seen_at=T0.astimezone(CST)),
    ]
    seen = T0 + timedelta(hours=1)
    got = account_tuples(accounts, seen, SQLITE)
    assert got == [
        tuple(_sqlite_value(c, account_row(a, seen)[c]) for c in ACCOUNT_COLS) for a in accounts
    ]
    assert got[1][5] is None and got[0][5] == 1
    assert got[1][-1] == sqlite_time(T0) == "2024-09-14 02:00:00.000000"


# --- PostgreSQL stores what SQLite stores --------------------------------------------------------


def _p(pid: str, at: datetime, **kw: Any) -> PostRecord:
    kw.setdefault("account_uid", "u1")
    kw.setdefault("hashtags", [TAG])
    return PostRecord("weibo", pid, at, **kw)


def _batches() -> list[dict[str, Any]]:
    """Three pages, ingested two posts a batch. Page 2 updates post 1 (newer, a NULL that must
    not erase, a weaker publish time that must not win, a floor cleared), brings post 2 older
    data (unchanged), lists new post 5 twice in one batch (newest wins; both captures are
    snapshots) and adds post 4. Page 3 repeats page 2 and changes nothing."""
    published = T0 - timedelta(days=1)
    page1 = {
        "posts": [
            _p(
                "1",
                T0,
                title="彩虹实验",
                text="用一个小实验解释彩虹",
                published_at=published,
                metrics=Metrics(views=100, likes=10, lower_bounds={"views"}),
                context={"question": "q1"},
            ),
            _p("2", T0 + timedelta(hours=5), metrics=Metrics(likes=50)),
            _p("3", T0, metrics=Metrics(), deleted=True),
        ],
        "accounts": [AccountRecord("weibo", "u1", name="博主", followers=10, verified=False)],
        "links": [CampaignLink("weibo", "1", "c1", "tag", TAG)],
        "seen_at": T0,
    }
    t1 = T0 + timedelta(days=1)
    page2 = {
        "posts": [
            _p(
                "1",
                t1,
                title=None,
                published_at=published + timedelta(hours=3),
                published_at_source="display",
                metrics=Metrics(views=120, likes=None),
            ),
            _p("2", T0 + timedelta(hours=1), metrics=Metrics(likes=1)),
            _p("5", t1, metrics=Metrics(likes=1)),
            _p("5", t1 + timedelta(minutes=5), metrics=Metrics(likes=2)),
            _p("4", t1.astimezone(CST), metrics=Metrics(shares=2, lower_bounds={"shares"})),
        ],
        "accounts": [
            AccountRecord("weibo", "u1", name=None, followers=12),
            AccountRecord("weibo", "u2", verified=True),
        ],
        "links": [CampaignLink("weibo", "4", "c1", "tag", TAG)] * 2,
        "seen_at": t1,
    }
    return [page1, page2, page2]


EXPECTED_COUNTS = [
    IngestCounts(posts_new=3, accounts_new=1, snapshots_new=2, links_new=1),
    IngestCounts(
        posts_new=2,
        posts_updated=1,
        posts_unchanged=1,
        accounts_new=1,
        snapshots_new=5,
        links_new=1,
    ),
    IngestCounts(posts_unchanged=4),
]


def _ingest_all(engine: Engine) -> list[IngestCounts]:
    campaign = CampaignConfig(
        name="c1", tags=[TAG], window_start="2024-09-01", window_end="2024-09-30"
    )
    with engine.begin() as conn:
        ids = sync_campaigns(conn, campaign_rows([campaign]))
    out = []
    for page in _batches():
        with engine.begin() as conn:
            out.append(Ingestor(conn, batch_size=2).ingest(campaign_ids=ids, run_id=1, **page))
    return out


def _stored(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with engine.connect() as conn:
        for model in (Account, Post, MetricSnapshot, PostCampaign):
            t = model.__table__
            cols = [c for c in t.c if c.name != "campaign_id"]  # ids are each database's own
            out[t.name] = [
                tuple(r) for r in conn.execute(select(*cols).order_by(*t.primary_key.columns))
            ]
    return out


def test_postgres_stores_exactly_what_sqlite_stores(
    sqlite_engine: Engine, pg_engine: Engine
) -> None:
    counts = {name: _ingest_all(e) for name, e in (("sqlite", sqlite_engine), ("pg", pg_engine))}
    assert counts["sqlite"] == counts["pg"] == EXPECTED_COUNTS
    lite, pg = _stored(sqlite_engine), _stored(pg_engine)
    assert lite == pg
    post1 = dict(zip([c.name for c in Post.__table__.c], lite["post"][0], strict=True))
    assert post1["likes"] == 10 and post1["views"] == 120  # the NULL did not erase
    assert post1["title"] == "彩虹实验"
    assert post1["published_at"] == T0 - timedelta(days=1)  # "display" never beats a field
    assert post1["lower_bounds"] is None  # the newer exact views cleared the floor
    assert post1["first_collected_at"] == T0 and post1["last_collected_at"] == T0 + timedelta(
        days=1
    )
    assert post1["context"] == {"question": "q1"} and post1["hashtags"] == [TAG]
    likes = {r[1]: r[Post.__table__.c.keys().index("likes")] for r in lite["post"]}
    assert likes["2"] == 50 and likes["5"] == 2
    account = {r[1]: r for r in lite["account"]}
    assert account["u1"][2] == "博主" and account["u1"][4] == 12


def test_many_pages_in_one_transaction_and_across_transactions(any_engine: Engine) -> None:
    """PostgreSQL's staging table is emptied before each page and survives the commit."""
    for round_ in range(2):
        with any_engine.begin() as conn:
            ingestor = Ingestor(conn, batch_size=3)
            first = ingestor.ingest(
                posts=[_p(f"{round_}-{i}", T0, metrics=Metrics(likes=i)) for i in range(7)]
            )
            again = ingestor.ingest(
                posts=[
                    _p(f"{round_}-{i}", T0 + timedelta(hours=1), metrics=Metrics(likes=i + 1))
                    for i in range(7)
                ]
            )
        assert (first.posts_new, first.snapshots_new) == (7, 7)
        assert (again.posts_new, again.posts_updated, again.snapshots_new) == (0, 7, 7)
    with any_engine.connect() as conn:
        likes = list(conn.execute(select(Post.__table__.c.likes)).scalars())
        n_snap = len(conn.execute(select(MetricSnapshot.__table__)).all())
    assert sorted(likes) == sorted([i + 1 for i in range(7)] * 2)
    assert n_snap == 28


def test_without_counting_every_post_is_new_and_no_account(any_engine: Engine) -> None:
    page = {
        "posts": [_p("1", T0, metrics=Metrics(likes=1))],
        "accounts": [AccountRecord("weibo", "u1")],
    }
    with any_engine.begin() as conn:
        Ingestor(conn).ingest(**page)
    with any_engine.begin() as conn:
        counts = Ingestor(conn).ingest(count_existing=False, **page)
    assert counts == IngestCounts(posts_new=1)


@pytest.mark.skipif(not PG_URL, reason="TRACKER_TEST_PG_URL is not set")
def test_a_failed_copy_is_a_labelled_database_error(pg_schema: str, pg_engine: Engine) -> None:
    """A value the column refuses (a duration past PostgreSQL's 32-bit integer) fails in the
    COPY, and reaches the caller as any statement's failure does: a ``DBAPIError`` naming the
    database, with the transaction rolled back."""
    assert PG_URL is not None
    url = f"{PG_URL}?options=-csearch_path%3D{pg_schema}"
    engine = make_engine(url)
    try:
        with pytest.raises(DBAPIError) as failed, engine.begin() as conn:
            Ingestor(conn).ingest(posts=[_p("1", T0, duration_s=3_000_000_000)])
        assert describe_url(url) in str(database_failure(failed.value))
        with engine.connect() as conn:
            assert conn.execute(select(Post.__table__)).all() == []
    finally:
        engine.dispose()


def test_staged_upserts_built_on_threads_at_once_name_each_column_once() -> None:
    """Platforms collected side by side may build PostgreSQL's staged statements at the same
    moment (the first page of each). A staging table shared between those builds once got a
    column twice, and the upsert failed with "INSERT has more expressions than target
    columns"."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from tracker.store.pg_stage import StagedUpsert
    from tracker.store.upsert import _WRITES

    write = _WRITES["link"]  # post_campaign, the table the failing upsert wrote
    threads = 8
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads interleave often, as on a loaded machine
    try:
        for _ in range(50):
            barrier = Barrier(threads)

            def build(_: int, barrier: Barrier = barrier) -> str:
                barrier.wait()
                return StagedUpsert(write.table, write.cols, write.key, write.upsert).upsert_sql

            with ThreadPoolExecutor(threads) as pool:
                statements = set(pool.map(build, range(threads)))
            assert len(statements) == 1, statements
            (sql,) = statements
            selected = sql.split("SELECT", 1)[1].split("FROM", 1)[0]
            assert selected.count(",") + 1 == len(write.cols), sql
    finally:
        sys.setswitchinterval(switch)
