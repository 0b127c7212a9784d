"""Moving a SQLite store into PostgreSQL (``tracker.store.transfer``): every row identical, the
ranking unchanged, new ids past the copied ones, and nothing half-done.

The source is a small simulated collection (two collections three days apart) plus rows the
simulator never writes: reviews, a veto, comments and a pending detail whose texts need
``COPY`` escaping, JSON ``null`` beside SQL NULL, a 64-bit count, microseconds. The target
session runs in Asia/Shanghai, so a datetime read in the session's zone instead of UTC shows
as an eight-hour shift. Rows are compared through plain typed reads, not the copy's own path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import JSON, Engine, Text, cast, create_engine, insert, select, text, update
from sqlalchemy.engine import make_url

from tracker.config import TrackerConfig
from tracker.services.rank import rank_service
from tracker.services.review import decide
from tracker.store import migrate
from tracker.store.engine import make_engine
from tracker.store.models import (
    Comment,
    PendingDetail,
    Post,
    PostCampaign,
    Reject,
    ReviewEvent,
    Run,
    StoredConfig,
    metadata,
)
from tracker.store.runs import start_run
from tracker.store.transfer import (
    TableProgress,
    TargetNotEmpty,
    TransferFailed,
    copy_database,
)

from ..helpers.database import PG_URL, count, sqlite_copy
from ..helpers.worlds import build_sim_db

pytestmark = pytest.mark.postgres

ESCAPES = "反斜杠 \\ 制表\t换行\n回车\r 字面 \\N 与 NULL、emoji 🧪、引号 \"'"
BIG = 2**40 + 7
AT = datetime(2024, 9, 20, 3, 4, 5, 123456, tzinfo=UTC)


@dataclass(frozen=True)
class Source:
    path: Path
    url: str
    config: TrackerConfig


def _extra_rows(engine: Engine, config: TrackerConfig) -> None:
    """Rows a collection alone does not write, each a kind of value the copy must keep."""
    with engine.connect() as conn:
        works = conn.execute(
            select(Post.__table__.c.platform, Post.__table__.c.platform_post_id).order_by(
                Post.__table__.c.platform, Post.__table__.c.platform_post_id
            )
        ).all()
    ids = [f"{p}:{i}" for p, i in works]
    decide(engine, ids[: len(ids) // 2], "approved", reviewer="张三", note=ESCAPES, now=AT)
    decide(engine, ids[-3:], "rejected", reviewer="李四", now=AT + timedelta(hours=1))
    (p0, i0), (p1, i1) = works[0], works[1]
    link, post = PostCampaign.__table__, Post.__table__
    with engine.begin() as conn:
        conn.execute(
            update(link)
            .where(link.c.platform == p0, link.c.platform_post_id == i0)
            .values(excluded=True, note=ESCAPES, decided_by="王五", linked_at=AT)
        )
        conn.execute(
            update(post)
            .where(post.c.platform == p1, post.c.platform_post_id == i1)
            .values(deleted=True, title=ESCAPES, views=BIG, context={"k": [1, None, "值"]})
        )
        comment = {"platform": p0, "platform_post_id": i0, "source": "live"}
        conn.execute(
            insert(Comment.__table__).values(
                **comment,
                platform_comment_id="c1",
                text=ESCAPES,
                hashtags=["#千万IP创科普#", 'a"b'],
                published_at=AT,
                likes=BIG,
                first_seen_at=AT,
                last_seen_at=AT,
            )
        )
        conn.execute(
            insert(Comment.__table__).values(
                **comment, platform_comment_id="c2", parent_comment_id="c1", hashtags=None
            )
        )
        conn.execute(
            insert(PendingDetail.__table__).values(
                platform=p1,
                platform_post_id="pending-1",
                captured_at=AT,
                hashtags=JSON.NULL,  # JSON 'null', not SQL NULL: both must survive as they are
                context=None,
                source="capture",
            )
        )
        conn.execute(
            insert(Reject.__table__).values(
                source="import", reason=ESCAPES, payload="{}", created_at=AT, run_id=None
            )
        )
        conn.execute(
            insert(StoredConfig.__table__).values(
                name="campaign.toml", text=ESCAPES, source="配置 目录/campaign.toml", updated_at=AT
            )
        )


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    if not PG_URL:
        pytest.skip("TRACKER_TEST_PG_URL is not set (PostgreSQL tests run in CI)")
    built = build_sim_db(tmp_path_factory.mktemp("transfer-source"), scale=10)
    try:
        _extra_rows(built.engine, built.config)
    finally:
        built.engine.dispose()
    return Source(built.path, built.url, built.config)


def target_url(schema: str) -> str:
    """The test server, its tables in ``schema``, its session in a zone other than UTC."""
    base = make_url(PG_URL or "")
    options = f"-csearch_path={schema} -cTimeZone=Asia/Shanghai"
    return base.set(query={"options": options}).render_as_string(hide_password=False)


@pytest.fixture
def engines(source: Source, pg_schema: str) -> Iterator[tuple[Engine, Engine]]:
    src, dst = make_engine(source.url), make_engine(target_url(pg_schema))
    yield src, dst
    src.dispose()
    dst.dispose()


def table_rows(engine: Engine, name: str) -> list[tuple[Any, ...]]:
    """A table's rows, sorted, values normalised: datetimes in UTC, JSON as its stored text."""
    table = metadata.tables[name]
    columns = [cast(c, Text) if isinstance(c.type, JSON) else c for c in table.columns]
    with engine.connect() as conn:
        found = conn.execute(select(*columns)).all()
    return sorted((tuple(_plain(v) for v in row) for row in found), key=repr)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        assert value.tzinfo is not None, value
        return value.astimezone(UTC)
    return value


def test_every_table_is_copied_row_for_row(engines: tuple[Engine, Engine]) -> None:
    src, dst = engines
    seen: list[TableProgress] = []
    result = copy_database(src, dst, progress=seen.append, batch_rows=40)

    for table in metadata.sorted_tables:
        expected = table_rows(src, table.name)
        assert table_rows(dst, table.name) == expected, table.name
        assert result.rows[table.name] == len(expected)
    non_empty = {t.name for t in metadata.sorted_tables if result.rows[t.name]}
    assert non_empty == set(metadata.tables)  # the source exercises every table
    # the values that need care, checked by hand as well as by the comparison above
    assert count(dst, "post", "views = :v AND deleted AND title = :t", v=BIG, t=ESCAPES) == 1
    nulls = table_rows(dst, "pending_detail")[0]
    cols = [c.name for c in PendingDetail.__table__.columns]
    assert nulls[cols.index("hashtags")] == "null" and nulls[cols.index("context")] is None
    with dst.connect() as conn:
        when = conn.execute(select(Comment.__table__.c.published_at)).scalars().all()
        shown = conn.execute(text("SELECT published_at::text FROM comment WHERE likes > 0"))
        assert shown.scalar_one() == "2024-09-20 11:04:05.123456+08"  # AT in Shanghai
    assert AT in when
    # schema version and progress: batches of 40, each table ends at its total
    assert migrate.current_revision(dst) == migrate.current_revision(src) == migrate.head_revision()
    assert [p.table for p in seen if p.done] == [t.name for t in metadata.sorted_tables]
    post = [p for p in seen if p.table == "post"]
    assert post[0].copied == 0 and post[-1].copied == post[-1].total == result.rows["post"]
    assert len(post) >= result.rows["post"] // 40 + 2


RANK_KEYS = (["platform", "platform_post_id"], ["creator_key"], ["unit_id"])


def _ranking(engine: Engine, config: TrackerConfig, unreviewed: bool) -> list[pd.DataFrame]:
    """Works, creators and units with every score, each in its key's order (the frames keep
    the order the store returned the rows in, which the two databases need not share)."""
    ranked = rank_service(engine, config, include_unreviewed=unreviewed, now=AT)
    frames = (ranked.result.works, ranked.result.creators, ranked.result.units)
    return [
        frame.sort_values(keys).reset_index(drop=True)
        for frame, keys in zip(frames, RANK_KEYS, strict=True)
    ]


@pytest.mark.parametrize("unreviewed", [False, True])
def test_the_ranking_is_the_same_on_both(
    engines: tuple[Engine, Engine], source: Source, unreviewed: bool
) -> None:
    src, dst = engines
    copy_database(src, dst)
    before, after = (
        _ranking(src, source.config, unreviewed),
        _ranking(dst, source.config, unreviewed),
    )
    assert len(before[0]) > 20 and before[0]["rank"].notna().sum() > 5
    assert len(before[1]) > 5 and len(before[2]) > 5
    for a, b in zip(before, after, strict=True):
        pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_new_rows_get_ids_past_the_copied_ones(engines: tuple[Engine, Engine]) -> None:
    src, dst = engines
    copy_database(src, dst)
    top = {t: count(src, t) for t in ("run", "review_event", "reject")}
    with src.connect() as conn:
        last_run = conn.execute(text("SELECT max(id) FROM run")).scalar_one()
    assert start_run(dst, kind="collect", platform="weibo", now=AT) == last_run + 1
    with dst.begin() as conn:
        conn.execute(
            insert(ReviewEvent.__table__).values(
                platform="weibo",
                platform_post_id="1",
                status="approved",
                reviewer="x",
                decided_at=AT,
            )
        )
        conn.execute(
            insert(Reject.__table__).values(source="t", reason="r", payload="p", created_at=AT)
        )
    assert {t: count(dst, t) for t in top} == {t: n + 1 for t, n in top.items()}


def test_a_target_with_works_is_refused_unless_replace(engines: tuple[Engine, Engine]) -> None:
    src, dst = engines
    copy_database(src, dst)
    start_run(dst, kind="collect", platform="weibo", now=AT)  # written after the move
    runs = count(dst, "run")
    with pytest.raises(TargetNotEmpty) as refused:
        copy_database(src, dst)
    assert refused.value.held["post"] == count(src, "post")
    assert "未做任何改动" in str(refused.value)
    assert count(dst, "run") == runs  # untouched

    result = copy_database(src, dst, replace=True)
    assert result.replaced["run"] == runs
    for name in ("post", "run", "metric_snapshot"):
        assert table_rows(dst, name) == table_rows(src, name)


def test_a_target_holding_only_its_init_is_filled_without_replace(
    engines: tuple[Engine, Engine], source: Source
) -> None:
    """``tracker init`` on the new server first (campaigns, registry): no works yet, so the
    source's campaigns and registry simply take their place."""
    from tracker.services.database import init_database

    src, dst = engines
    init_database(dst.url.render_as_string(hide_password=False), source.config)
    assert count(dst, "campaign") == 1 and count(dst, "post") == 0
    copy_database(src, dst)
    assert table_rows(dst, "campaign") == table_rows(src, "campaign")


def test_a_failed_copy_leaves_the_target_as_it_was(
    source: Source, pg_schema: str, tmp_path: Path
) -> None:
    """A title PostgreSQL cannot hold (NUL) stops the copy half-way through ``post``: the
    earlier copy's rows are all still there, and the message says so."""
    broken = sqlite_copy(source.path, tmp_path / "broken.db")
    raw = create_engine(broken)
    with raw.begin() as conn:
        conn.execute(text("UPDATE post SET title = 'a' || char(0) || 'b' WHERE rowid = 50"))
    raw.dispose()
    src, dst = make_engine(source.url), make_engine(target_url(pg_schema))
    bad = make_engine(broken)
    try:
        copy_database(src, dst)
        before = {t.name: table_rows(dst, t.name) for t in metadata.sorted_tables}
        with pytest.raises(TransferFailed) as failed:
            copy_database(bad, dst, replace=True, batch_rows=10)
        assert "已回滚" in str(failed.value) and "数据与迁移前相同" in str(failed.value)
        assert {t.name: table_rows(dst, t.name) for t in metadata.sorted_tables} == before
    finally:
        for engine in (src, dst, bad):
            engine.dispose()


def test_only_sqlite_to_postgresql(engines: tuple[Engine, Engine], tmp_path: Path) -> None:
    from tracker.errors import StoreError

    src, dst = engines
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        with pytest.raises(StoreError, match="目标数据库必须是 PostgreSQL"):
            copy_database(src, other)
        with pytest.raises(StoreError, match="源数据库必须是 SQLite"):
            copy_database(dst, dst)
    finally:
        other.dispose()


def test_an_old_source_is_refused_before_the_target_is_touched(
    engines: tuple[Engine, Engine], tmp_path: Path
) -> None:
    from tracker.errors import StoreError

    _, dst = engines
    old = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        with pytest.raises(StoreError, match="请先对源数据库运行 `tracker init`"):
            copy_database(old, dst)
    finally:
        old.dispose()
    assert migrate.current_revision(dst) is None


def test_run_rows_keep_their_json_cursor(engines: tuple[Engine, Engine]) -> None:
    """The run's cursor and detail (JSON, not nullable) read back as the same objects."""
    src, dst = engines
    copy_database(src, dst)
    run = Run.__table__
    query = select(run.c.id, run.c.cursor, run.c.detail).order_by(run.c.id)
    with src.connect() as a, dst.connect() as b:
        assert a.execute(query).all() == b.execute(query).all()


def test_a_short_copy_is_caught_by_the_count_check_and_rolled_back(
    engines: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a table arrive short, the counts disagree before the commit and nothing stays."""
    from tracker.store import transfer

    src, dst = engines
    copy_table = transfer._copy_table

    def losing_one(read: Any, write: Any, table: Any, *args: Any) -> int:
        sent = copy_table(read, write, table, *args)
        if table.name == "metric_snapshot":
            write.exec_driver_sql(
                "DELETE FROM metric_snapshot WHERE ctid = (SELECT min(ctid) FROM metric_snapshot)"
            )
        return sent

    monkeypatch.setattr(transfer, "_copy_table", losing_one)
    with pytest.raises(TransferFailed, match="行数核对不一致：metric_snapshot") as failed:
        copy_database(src, dst)
    assert "已回滚" in str(failed.value)
    assert count(dst, "post") == 0 and count(dst, "metric_snapshot") == 0


def test_an_interrupted_copy_says_the_target_was_rolled_back(
    engines: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C half-way (``post`` copied, ``post_campaign`` not): nothing stays, and the
    message says so instead of a bare "interrupted"."""
    from tracker.store import transfer

    src, dst = engines
    copy_table = transfer._copy_table

    def interrupted(read: Any, write: Any, table: Any, *args: Any) -> int:
        if table.name == "post_campaign":
            raise KeyboardInterrupt
        return copy_table(read, write, table, *args)

    monkeypatch.setattr(transfer, "_copy_table", interrupted)
    with pytest.raises(TransferFailed, match="复制表 post_campaign时）：已中断") as failed:
        copy_database(src, dst)
    assert "已回滚" in str(failed.value)
    assert count(dst, "post") == 0
