"""``published_at_source``: how a publish time was obtained, and that a worse one never wins.

A Douyin list without ``create_time`` (time derived from the id) may be imported after the
work's detail (time from the field), or a Weibo display date after the mid-derived time: the
store keeps the best source, whatever the order of the captures.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text

from tracker.records import Metrics, PostRecord, RecordError
from tracker.store import migrate
from tracker.store.models import Post
from tracker.store.upsert import Ingestor

T0 = datetime(2026, 12, 1, tzinfo=UTC)
FIELD_TIME = datetime(2020, 6, 17, 12, 52, 12, tzinfo=UTC)
ID_TIME = FIELD_TIME + timedelta(seconds=1)
DISPLAY_TIME = datetime(2020, 6, 17, tzinfo=UTC)


def _post(at: datetime, published: datetime | None, source: str | None) -> PostRecord:
    return PostRecord(
        "douyin",
        "6839298761143930116",
        at,
        published_at=published,
        published_at_source=source,
    )


def _ingest(engine: Engine, post: PostRecord) -> None:
    with engine.begin() as conn:
        Ingestor(conn).ingest(posts=[post])


def _stored(engine: Engine) -> tuple[datetime | None, str | None]:
    t = Post.__table__
    with engine.connect() as conn:
        row = conn.execute(select(t.c.published_at, t.c.published_at_source)).one()
    published = row[0].replace(tzinfo=UTC) if row[0] is not None else None
    return published, row[1]


def test_a_time_without_a_source_is_read_from_a_field() -> None:
    assert _post(T0, FIELD_TIME, None).published_at_source == "field"
    assert _post(T0, None, None).published_at_source is None


def test_unknown_source_or_source_without_time_is_refused() -> None:
    with pytest.raises(RecordError, match="published_at_source: unknown"):
        _post(T0, FIELD_TIME, "guess")
    with pytest.raises(RecordError, match="without published_at"):
        _post(T0, None, "id")


def test_field_time_replaces_derived_and_is_never_replaced_by_it(any_engine: Engine) -> None:
    _ingest(any_engine, _post(T0, DISPLAY_TIME, "display"))
    assert _stored(any_engine) == (DISPLAY_TIME, "display")
    _ingest(any_engine, _post(T0 + timedelta(days=1), ID_TIME, "id"))
    assert _stored(any_engine) == (ID_TIME, "id")
    _ingest(any_engine, _post(T0 + timedelta(days=2), FIELD_TIME, "field"))
    assert _stored(any_engine) == (FIELD_TIME, "field")
    _ingest(any_engine, _post(T0 + timedelta(days=3), ID_TIME, "id"))
    _ingest(any_engine, _post(T0 + timedelta(days=4), DISPLAY_TIME, "display"))
    _ingest(any_engine, _post(T0 + timedelta(days=5), None, None))
    assert _stored(any_engine) == (FIELD_TIME, "field")


def test_upgrade_from_0002_keeps_rows_with_no_source(any_engine: Engine) -> None:
    from alembic import command

    cfg = migrate.alembic_config(any_engine)
    with any_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    with any_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO post (platform, platform_post_id, published_at, source, deleted) "
                "VALUES ('douyin', '1', '2020-06-17 12:52:12', 'live', false)"
            )
        )
    migrate.upgrade(any_engine)
    with any_engine.connect() as conn:
        row = conn.execute(text("SELECT published_at_source FROM post")).one()
    assert row[0] is None  # nobody recorded how that time was read


def test_the_stored_source_reaches_the_ranking_and_its_explanation(tmp_path) -> None:
    """A time derived from the id, stored by an import, is what ``--explain`` names: the
    ranking's works read carries the stored source, not only frames built by hand."""
    from tracker.ranking import explain_work, rank_campaign
    from tracker.records import CampaignLink
    from tracker.services.rank import load_frames
    from tracker.store.registry import campaign_ids

    from ..helpers.config import load_test_config
    from ..helpers.database import make_db

    config = load_test_config(tmp_path)
    engine = make_db(tmp_path, config)
    name = config.campaigns[0].name
    posts = [
        PostRecord(
            "douyin",
            pid,
            T0,
            published_at=ID_TIME,
            published_at_source=source,
            metrics=Metrics(likes=n),
        )
        for pid, source, n in (("7100000000000000001", "id", 5), ("7100000000000000002", None, 7))
    ]
    try:
        with engine.begin() as conn:
            Ingestor(conn).ingest(
                posts=posts,
                links=[CampaignLink("douyin", p.platform_post_id, name) for p in posts],
                campaign_ids=campaign_ids(conn),
            )
        with engine.connect() as conn:
            frames = load_frames(conn, campaign_ids(conn)[name])
    finally:
        engine.dispose()
    works = frames.works
    sources = dict(zip(works["platform_post_id"], works["published_at_source"], strict=True))
    assert sources == {"7100000000000000001": "id", "7100000000000000002": "field"}
    ranked = rank_campaign(frames)
    derived = "\n".join(explain_work(ranked, "douyin", "7100000000000000001"))
    from_field = "\n".join(explain_work(ranked, "douyin", "7100000000000000002"))
    assert "由作品编号推算" in derived
    assert "由作品编号推算" not in from_field
