"""The bulk upsert: idempotence, newer-wins, dedupe, NULLs, long ids — on SQLite and Postgres."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from tracker.config import CampaignConfig
from tracker.normalize.fingerprint import NO_FINGERPRINT, content_fingerprint
from tracker.records import AccountRecord, CampaignLink, Metrics, PostRecord
from tracker.services.database import campaign_rows
from tracker.store.models import Account, MetricSnapshot, Post, PostCampaign
from tracker.store.registry import sync_campaigns
from tracker.store.upsert import Ingestor

T0 = datetime(2024, 9, 14, 2, 0, tzinfo=UTC)
LONG_ID = "4998877665544332211"  # 19 digits: would lose precision as a float/int64 in JS/Excel


def post(pid: str = LONG_ID, at: datetime = T0, **kw) -> PostRecord:
    metrics = kw.pop("metrics", Metrics(likes=10, comments=2, shares=1, views=None))
    return PostRecord(
        "weibo",
        pid,
        at,
        account_uid=kw.pop("account_uid", "1959830294"),
        title=kw.pop("title", "科普视频"),
        published_at=kw.pop("published_at", T0 - timedelta(hours=3)),
        hashtags=kw.pop("hashtags", ["#千万IP创科普#"]),
        metrics=metrics,
        **kw,
    )


def ingest(engine: Engine, **kw):
    with engine.begin() as conn:
        return Ingestor(conn, batch_size=kw.pop("batch_size", 5000)).ingest(**kw)


def table_rows(engine: Engine, model) -> list[tuple]:
    t = model.__table__
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]


def test_ingesting_twice_changes_nothing(any_engine: Engine) -> None:
    posts = [post(str(10**18 + i)) for i in range(30)]
    accounts = [AccountRecord("weibo", "1959830294", name="科普博主", followers=1520885)]
    first = ingest(any_engine, posts=posts, accounts=accounts, seen_at=T0)
    assert (first.posts_new, first.snapshots_new, first.accounts_new) == (30, 30, 1)
    snapshot = {m: table_rows(any_engine, m) for m in (Post, Account, MetricSnapshot)}
    second = ingest(any_engine, posts=posts, accounts=accounts, seen_at=T0)
    assert (second.posts_new, second.posts_updated, second.posts_unchanged) == (0, 0, 30)
    assert second.snapshots_new == 0
    assert {m: table_rows(any_engine, m) for m in (Post, Account, MetricSnapshot)} == snapshot


def test_newer_wins_and_older_never_overwrites(any_engine: Engine) -> None:
    ingest(any_engine, posts=[post(at=T0, metrics=Metrics(likes=10))])
    ingest(any_engine, posts=[post(at=T0 + timedelta(days=1), metrics=Metrics(likes=50))])
    counts = ingest(any_engine, posts=[post(at=T0 - timedelta(days=1), metrics=Metrics(likes=3))])
    assert counts.posts_updated == 0 and counts.posts_unchanged == 1
    with any_engine.connect() as conn:
        likes, last = conn.execute(
            select(Post.__table__.c.likes, Post.__table__.c.last_collected_at)
        ).one()
        n_snap = conn.execute(select(func.count()).select_from(MetricSnapshot.__table__)).scalar()
    assert likes == 50
    assert last == T0 + timedelta(days=1)
    assert n_snap == 3  # every capture is history, even an old one


def test_dedupe_within_one_batch_keeps_newest(any_engine: Engine) -> None:
    batch = [
        post(at=T0, metrics=Metrics(likes=1)),
        post(at=T0 + timedelta(hours=2), metrics=Metrics(likes=3)),
        post(at=T0 + timedelta(hours=1), metrics=Metrics(likes=2)),
    ]
    counts = ingest(any_engine, posts=batch, batch_size=10)
    assert counts.posts_new == 1
    assert counts.snapshots_new == 3
    with any_engine.connect() as conn:
        assert conn.execute(select(Post.__table__.c.likes)).scalar_one() == 3


def test_null_metrics_stay_null_and_do_not_erase(any_engine: Engine) -> None:
    ingest(any_engine, posts=[post(metrics=Metrics(likes=7, views=None))])
    with any_engine.connect() as conn:
        row = conn.execute(select(Post.__table__)).one()
        snap = conn.execute(select(MetricSnapshot.__table__)).one()
    assert row.views is None and row.favorites is None and row.likes == 7
    assert snap.views is None and snap.likes == 7
    # A newer record that does not say the likes keeps the known value; views stay unknown.
    ingest(any_engine, posts=[post(at=T0 + timedelta(hours=1), metrics=Metrics(comments=9))])
    with any_engine.connect() as conn:
        row = conn.execute(select(Post.__table__)).one()
    assert (row.likes, row.comments, row.views) == (7, 9, None)


def test_long_ids_round_trip_as_strings(any_engine: Engine) -> None:
    ids = [LONG_ID, "0012345", "9223372036854775807123"]
    ingest(any_engine, posts=[post(i) for i in ids])
    with any_engine.connect() as conn:
        got = sorted(conn.execute(select(Post.__table__.c.platform_post_id)).scalars())
    assert got == sorted(ids)
    assert all(isinstance(g, str) for g in got)


def test_campaign_links_are_not_rewritten(any_engine: Engine) -> None:
    campaign = CampaignConfig(
        name="c1", tags=["#千万IP创科普#"], window_start="2024-09-01", window_end="2024-09-30"
    )
    with any_engine.begin() as conn:
        ids = sync_campaigns(conn, campaign_rows([campaign]))
    link = CampaignLink("weibo", LONG_ID, "c1", "tag", "#千万IP创科普#")
    counts = ingest(any_engine, posts=[post()], links=[link, link], campaign_ids=ids)
    assert counts.links_new == 1
    t = PostCampaign.__table__
    with any_engine.begin() as conn:
        conn.execute(t.update().values(excluded=True, note="误匹配"))
    ingest(any_engine, posts=[post(at=T0 + timedelta(hours=1))], links=[link], campaign_ids=ids)
    with any_engine.connect() as conn:
        row = conn.execute(select(t)).one()
    assert row.excluded is True and row.note == "误匹配"


def test_large_batches_cross_batch_boundaries(any_engine: Engine) -> None:
    posts = [post(str(i), metrics=Metrics(likes=i)) for i in range(2_500)]
    counts = ingest(any_engine, posts=posts, batch_size=1_000)
    assert counts.posts_new == 2_500
    with any_engine.connect() as conn:
        total = conn.execute(select(func.sum(Post.__table__.c.likes))).scalar_one()
    assert total == sum(range(2_500))


def test_every_write_stores_a_content_fingerprint_and_a_refresh_keeps_it(
    any_engine: Engine,
) -> None:
    """The ranking reads the stored key instead of normalising bodies: the upsert computes it
    for any caller, marks too-short texts with the empty sentinel, and a record without words
    (a metrics refresh) leaves the stored key alone."""
    text = "用一个小实验解释彩虹是怎么形成的"
    ingest(any_engine, posts=[post("1", title=None, text=text), post("2", title="好！", text=None)])
    refresh = PostRecord("weibo", "1", T0 + timedelta(days=1), metrics=Metrics(likes=99))
    ingest(any_engine, posts=[refresh])
    with any_engine.connect() as conn:
        stmt = select(Post.__table__.c.platform_post_id, Post.__table__.c.fingerprint)
        rows = {pid: fp for pid, fp in conn.execute(stmt)}
    assert rows["1"] == content_fingerprint(None, text) and len(rows["1"]) == 16
    assert rows["2"] == NO_FINGERPRINT
