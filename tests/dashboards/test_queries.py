"""Facts query + aggregation, and the small queries, on a hand-made campaign (numbers by hand)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from dashboards.filters import UNREGISTERED, Selection, label_of
from tracker.readmodel import facts as aggregate
from tracker.services.review import Decision, record_decisions
from tracker.store.queries import dashboard as reads

from .handmade import XSS, build_handmade


@pytest.fixture
def handmade(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine, cid = build_handmade(tmp_path / "hand.db")
    yield engine, Selection(campaign_id=cid)
    engine.dispose()


def run(engine: Engine, fn, *args):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return fn(conn, *args)


def agg(engine: Engine, fn, f: Selection):  # type: ignore[no-untyped-def]
    """An aggregate over freshly loaded facts (what the dashboard and the report do)."""
    with engine.connect() as conn:
        facts = aggregate.load_facts(conn, f.campaign_id, f.timezone)
    return fn(facts, f)


def test_headline_counts_campaign_works_only(handmade) -> None:  # type: ignore[no-untyped-def]
    engine, f = handmade
    h = agg(engine, aggregate.headline, f)
    assert (h["works"], h["accounts"], h["platforms"]) == (3, 3, 2)
    assert h["interactions"] == 13 + 5 + 135
    assert h["likes"] == 115 and h["favorites"] == 20
    assert h["views"] is None  # no campaign work exposes views: unknown, not 0
    assert (h["units"], h["cities"]) == (2, 2)
    assert (h["approved"], h["rejected"]) == (0, 0)
    assert h["last_collected_at"].isoformat() == "2024-09-10T00:00:00+00:00"


def test_daily_works_uses_beijing_days(handmade) -> None:  # type: ignore[no-untyped-def]
    engine, f = handmade
    df = agg(engine, aggregate.daily_works, f)
    got = [(d.strftime("%m-%d"), p, w, i) for d, p, w, i in df.itertuples(index=False)]
    assert got == [("09-01", "weibo", 1, 5), ("09-02", "douyin", 1, 135), ("09-02", "weibo", 1, 13)]


def test_filters_platform_city_kind_and_dates(handmade) -> None:  # type: ignore[no-untyped-def]
    engine, f = handmade

    def works(**kw) -> int:  # type: ignore[no-untyped-def]
        return agg(engine, aggregate.headline, f.with_(**kw))["works"]

    assert works(platforms=("weibo",)) == 2
    assert works(cities=("广州市",)) == 1  # p1 (a1 is also 深圳大学's, still counted once)
    assert works(cities=("深圳市",)) == 2
    assert works(unit_kinds=("university",)) == 2
    assert works(unit_kinds=("university",), cities=("广州市",)) == 0  # same unit must match both
    assert works(unit_kinds=("未登记",)) == 1  # p2 by the unregistered a2
    assert works(date_from=date(2024, 9, 2)) == 2  # p1 is 09-02 in Beijing though 09-01 in UTC
    assert works(date_to=date(2024, 9, 1)) == 1
    assert works(date_from=date(2024, 9, 2), date_to=date(2024, 9, 2), platforms=("douyin",)) == 1


def test_by_city_counts_each_work_once_per_city(handmade) -> None:  # type: ignore[no-untyped-def]
    engine, f = handmade
    df = agg(engine, aggregate.by_city, f).set_index("city")
    df = df[["works", "accounts", "interactions", "units"]]
    # units: the units with works there (深圳大学 lists both of 深圳市's accounts)
    assert df.loc["深圳市"].to_dict() == {
        "works": 2,
        "accounts": 2,
        "interactions": 148,
        "units": 1,
    }
    assert df.loc["广州市"].to_dict() == {"works": 1, "accounts": 1, "interactions": 13, "units": 1}
    assert df.loc[UNREGISTERED].to_dict() == {
        "works": 1,
        "accounts": 1,
        "interactions": 5,
        "units": 0,
    }
    assert "韶关市" not in df.index  # a unit without works is not a city with works
    only = agg(engine, aggregate.by_city, f.with_(cities=("深圳市",)))
    assert only["city"].tolist() == ["深圳市"]


def test_by_unit_kind_and_content_type(handmade) -> None:  # type: ignore[no-untyped-def]
    engine, f = handmade
    kinds = agg(engine, aggregate.by_unit_kind, f).set_index("unit_kind")["works"].to_dict()
    assert kinds == {"university": 2, "city_association": 1, UNREGISTERED: 1}
    types = agg(engine, aggregate.by_content_type, f)
    assert sorted(map(tuple, types.to_numpy().tolist())) == [
        ("douyin", "video", 1), ("weibo", "image", 1), ("weibo", "text", 1)
    ]  # fmt: skip


def test_review_counts_follow_decisions(handmade) -> None:  # type: ignore[no-untyped-def]
    engine, f = handmade
    record_decisions(
        engine,
        [Decision("weibo", "p1", "approved", "张三"), Decision("douyin", "p3", "rejected", "张三")],
    )
    h = agg(engine, aggregate.headline, f)
    assert (h["approved"], h["rejected"]) == (1, 1)


def test_collection_summary_and_work_detail(handmade) -> None:  # type: ignore[no-untyped-def]
    engine, f = handmade
    src = agg(engine, aggregate.collection_summary, f)
    assert src.set_index("platform")["works"].to_dict() == {"douyin": 1, "weibo": 2}
    assert (src["last_collected_at"] == pd.Timestamp("2024-09-10", tz="UTC")).all()
    assert run(engine, reads.reject_count) == 0
    detail = run(engine, reads.work_detail, "douyin", "p3")
    assert detail["title"].startswith(XSS) and detail["account_name"] == "深大科普"
    assert detail["review_status"] is None
    assert run(engine, reads.work_detail, "douyin", "nope") is None
    snaps = run(engine, reads.work_snapshots, "douyin", "p3")
    assert snaps["likes"].tolist() == [100]
    assert snaps["captured_at"].iloc[0] == pd.Timestamp("2024-09-10", tz="UTC")


def test_work_labels_and_label_of(handmade) -> None:  # type: ignore[no-untyped-def]
    engine, _ = handmade
    df = run(engine, reads.work_labels, [("weibo", "p2"), ("weibo", "p1")]).set_index(
        "platform_post_id"
    )
    assert df.loc["p1", "title"] == "【科普】台风来了"
    assert df.loc["p2", "account_name"] == "个人科普号"
    assert label_of(None, "只有正文的微博  #千万IP创科普#", "p2") == "只有正文的微博 #千万IP创科普#"
    assert label_of("  ", None, "p9") == "作品 p9"
    assert (
        label_of("一" * 70, None, "x").endswith("…") and len(label_of("一" * 70, None, "x")) == 60
    )


def test_filter_options_lists_registry_cities_and_kinds(handmade) -> None:  # type: ignore[no-untyped-def]
    engine, _ = handmade
    opts = run(engine, reads.filter_options)
    assert opts["cities"] == sorted(["广州市", "深圳市", "韶关市"])
    assert set(opts["unit_kinds"]) == {"city_association", "university"}
    assert set(opts["platforms"]) == {"weibo", "douyin"}


def test_local_day_compiles_for_postgres() -> None:
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql

    from tracker.store.models import Post

    stmt = select(reads.local_day(Post.__table__.c.published_at, "Asia/Shanghai"))
    sql = str(stmt.compile(dialect=postgresql.dialect()))
    assert "AT TIME ZONE 'Asia/Shanghai'" in sql and "YYYY-MM-DD" in sql


@pytest.mark.parametrize(
    "kw",
    [{}, {"platforms": ("weibo",)}, {"cities": ("深圳市",)}, {"unit_kinds": ("未登记",)},
     {"date_from": date(2024, 9, 2)}],
)  # fmt: skip
def test_report_path_facts_equal_the_dashboard_path(handmade, kw) -> None:  # type: ignore[no-untyped-def]
    """The report builds its facts from the ranking's frames, the dashboard from SQL: same numbers."""
    from tracker.services.rank import load_frames

    engine, f = handmade
    record_decisions(engine, [Decision("weibo", "p2", "approved", "张三")])
    g = f.with_(**kw)
    with engine.connect() as conn:
        sql = aggregate.load_facts(conn, f.campaign_id, f.timezone)
        frames = load_frames(conn, f.campaign_id)
    mem = aggregate.facts_from_frames(frames.works, frames.account_units, f.timezone)
    assert aggregate.headline(sql, g) == aggregate.headline(mem, g)
    for fn in (
        aggregate.daily_works,
        aggregate.by_content_type,
        aggregate.by_city,
        aggregate.by_unit_kind,
    ):
        pd.testing.assert_frame_equal(fn(sql, g), fn(mem, g), check_dtype=False)
