"""The ranking inputs read home against a real SQLite file built with create_all and Core inserts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, insert
from sqlmodel import SQLModel

from tracker.ranking import rank_campaign
from tracker.ranking.risk import fingerprint_key, text_fingerprint
from tracker.services.rank import load_frames
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
from tracker.store.queries.ranking_inputs import load_work_details

T0 = datetime(2024, 9, 10, tzinfo=UTC)
BIG_ID = "4998877665544332211"
TEXT = "正文：今天我们来聊一聊黑洞是怎么形成的 #千万IP创科普#"


def _post(
    pid: str, uid: str, *, platform: str = "weibo", days: int = 0, **metrics: int | None
) -> dict:
    row = {
        "platform": platform,
        "platform_post_id": pid,
        "account_uid": uid,
        "content_type": "text",
        "published_at": T0 + timedelta(days=days),
        "title": "标题" * 100,
        "text": TEXT,
        "url": f"https://example.invalid/{pid}",
        "last_collected_at": T0 + timedelta(days=20),
        "fingerprint": None,
        "views": None,
        "likes": None,
        "comments": None,
        "shares": None,
        "favorites": None,
    }
    row.update(metrics)
    return row


def _ins(conn, table, rows: list[dict]) -> None:
    """Core inserts, one statement per row so each row may name its own columns."""
    for row in rows:
        conn.execute(insert(table), row)


@pytest.fixture
def db(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'rank.db'}")
    SQLModel.metadata.create_all(engine)
    fill(engine)
    yield engine
    engine.dispose()


def fill(engine) -> None:
    """Two campaigns, three accounts, works with NULL metrics, history, snapshots, units."""
    with engine.begin() as conn:
        _ins(
            conn,
            (Campaign.__table__),
            [
                {"id": 1, "name": "c1", "tags": [], "rules": {}},
                {"id": 2, "name": "c2", "tags": [], "rules": {}},
            ],
        )
        _ins(
            conn,
            (Account.__table__),
            [
                {
                    "platform": "weibo",
                    "platform_uid": "a",
                    "name": "科普君",
                    "followers": 5000,
                    "verified": True,
                },
                {
                    "platform": "weibo",
                    "platform_uid": "b",
                    "name": "路人",
                    "followers": None,
                    "verified": False,
                },
                {"platform": "douyin", "platform_uid": "x", "name": "抖音号", "followers": 70},
            ],
        )
        _ins(
            conn,
            (Post.__table__),
            [
                _post(BIG_ID, "a", likes=120, comments=30, shares=10, favorites=None),
                _post("w2", "a", days=1, likes=0, comments=0, shares=0, fingerprint="fp-x"),
                _post("old1", "a", days=-30, likes=10),
                _post("old2", "a", days=-20, likes=20, fingerprint="fp-old"),
                _post("excl", "a", likes=5),
                _post("other", "a", days=2, likes=7),
                _post("bpost", "b", likes=70),
                _post("d1", "x", platform="douyin", likes=None, views=1000),
            ],
        )
        _ins(
            conn,
            (PostCampaign.__table__),
            [
                {"platform": "weibo", "platform_post_id": BIG_ID, "campaign_id": 1},
                {"platform": "weibo", "platform_post_id": "w2", "campaign_id": 1},
                {
                    "platform": "weibo",
                    "platform_post_id": "excl",
                    "campaign_id": 1,
                    "excluded": True,
                },
                {"platform": "douyin", "platform_post_id": "d1", "campaign_id": 1},
                {"platform": "weibo", "platform_post_id": "other", "campaign_id": 2},
            ],
        )
        _ins(
            conn,
            (MetricSnapshot.__table__),
            [
                {
                    "platform": "weibo",
                    "platform_post_id": BIG_ID,
                    "captured_at": T0 + timedelta(days=7),
                    "likes": 100,
                    "comments": 20,
                    "shares": None,
                    "followers_at_capture": 4900,
                },
                {
                    "platform": "weibo",
                    "platform_post_id": "old1",
                    "captured_at": T0 - timedelta(days=20),
                    "likes": 9,
                },
                {"platform": "weibo", "platform_post_id": "excl", "captured_at": T0, "likes": 1},
                {"platform": "douyin", "platform_post_id": "zzz", "captured_at": T0, "likes": 1},
            ],
        )
        _ins(
            conn,
            (Unit.__table__),
            [
                {"id": 1, "name": "广州市科协", "kind": "city_association", "city": "广州市"},
                {"id": 2, "name": "省物理学会", "kind": "society", "city": None},
            ],
        )
        _ins(
            conn,
            (AccountUnit.__table__),
            [
                {"platform": "weibo", "platform_uid": "a", "unit_id": 2, "person": "张三"},
                {"platform": "weibo", "platform_uid": "a", "unit_id": 1, "person": "张三"},
                {"platform": "douyin", "platform_uid": "x", "unit_id": 1, "person": "张三"},
            ],
        )
        _ins(
            conn,
            (Review.__table__),
            [
                {
                    "platform": "weibo",
                    "platform_post_id": BIG_ID,
                    "status": "approved",
                    "reviewer": "王审核",
                    "decided_at": T0 + timedelta(days=21),
                }
            ],
        )


def test_load_frames_types_and_membership(db) -> None:
    with db.connect() as conn:
        f = load_frames(conn, 1, details=True)
    w = f.works.set_index(["platform", "platform_post_id"])
    # excluded works and other campaigns' works are not campaign works
    assert sorted(w.index) == [("douyin", "d1"), ("weibo", BIG_ID), ("weibo", "w2")]
    big = w.loc[("weibo", BIG_ID)]
    assert big["likes"] == 120 and pd.isna(big["favorites"])
    assert str(f.works["likes"].dtype) == "Int64"
    assert f.works["platform_post_id"].map(type).eq(str).all()
    assert str(f.works["published_at"].dtype) == "datetime64[ns, UTC]"
    assert big["published_at"] == pd.Timestamp(T0)
    assert len(big["title"]) == 120  # cut in SQL
    # fingerprints become 64-bit keys while loading: the stored one, else one of the body text
    assert big["fingerprint_key"] == text_fingerprint(pd.Series([TEXT]), 12).iloc[0]
    assert w.loc[("weibo", "w2"), "fingerprint_key"] == fingerprint_key(["fp-x"]).iloc[0]
    assert "text" not in f.works.columns and "fingerprint" not in f.works.columns
    assert big["account_name"] == "科普君" and big["followers"] == 5000 and bool(big["verified"])
    assert big["unit_name"] == "广州市科协" and big["unit_count"] == 2 and big["person"] == "张三"
    assert big["review_status"] == "approved"
    assert w.loc[("weibo", "w2"), "review_status"] == "pending"
    assert pd.isna(w.loc[("douyin", "d1"), "likes"]) and w.loc[("douyin", "d1"), "views"] == 1000

    # history: the campaign accounts' other posts (an excluded work and another campaign's work
    # included), never the campaign works; account b has no campaign work at all
    h = set(f.history["platform_post_id"])
    assert h == {"old1", "old2", "excl", "other"}
    # snapshots of works and history posts of campaign accounts only
    s = f.snapshots.sort_values("captured_at")
    assert list(s["platform_post_id"]) == ["old1", "excl", BIG_ID]
    # post_row points into works followed by history (what rank_campaign matches against)
    posts_ids = list(f.works["platform_post_id"]) + list(f.history["platform_post_id"])
    assert [posts_ids[r] for r in s["post_row"]] == list(s["platform_post_id"])
    assert str(s["captured_at"].dtype) == "datetime64[ns, UTC]"
    assert pd.isna(s.set_index("platform_post_id").loc[BIG_ID, "shares"])
    assert set(f.accounts["platform_uid"]) == {"a", "x"}
    assert len(f.units) == 2 and len(f.account_units) == 3
    assert f.reviews.iloc[0]["reviewer"] == "王审核"
    assert f.campaign["name"] == "c1"


def test_loaded_frames_rank(db) -> None:
    with db.connect() as conn:
        f = load_frames(conn, 1)
    r = rank_campaign(f)
    w = r.works.set_index("platform_post_id")
    assert w.loc[BIG_ID, "reading_basis"] == "age"
    # 1×100 + 2×20 (shares NULL at day 7; favorites NULL) over weight 3 of 8
    assert w.loc[BIG_ID, "interactions"] == pytest.approx(140 * 8 / 3)
    # the person links the weibo and douyin accounts: one creator
    assert w.loc[BIG_ID, "creator_key"] == w.loc["d1", "creator_key"] == "douyin:x"
    assert len(r.creators) == 1 and r.creators.iloc[0]["creator_name"] == "张三"
    assert set(r.units["unit_name"]) == {"广州市科协", "省物理学会"}


def test_details_only_when_asked(db) -> None:
    with db.connect() as conn:
        f = load_frames(conn, 1)
        details = load_work_details(conn, f.works.iloc[:2])
    assert "title" not in f.works.columns and "url" not in f.works.columns
    d = details.set_index("platform_post_id")
    assert d.loc[BIG_ID, "url"] == f"https://example.invalid/{BIG_ID}"
    assert len(d.loc[BIG_ID, "title"]) == 120


def test_history_is_skipped_when_every_post_is_a_work(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'only.db'}")
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        _ins(conn, Campaign.__table__, [{"id": 1, "name": "c1", "tags": [], "rules": {}}])
        _ins(conn, Post.__table__, [_post("p1", "a", likes=3), _post("p2", "a", days=1, likes=4)])
        _ins(
            conn,
            PostCampaign.__table__,
            [
                {"platform": "weibo", "platform_post_id": "p1", "campaign_id": 1},
                {"platform": "weibo", "platform_post_id": "p2", "campaign_id": 1},
            ],
        )
    with engine.connect() as conn:
        f = load_frames(conn, 1)
    engine.dispose()
    assert len(f.works) == 2 and len(f.history) == 0
    assert f.works["account_name"].isna().all()  # no account row stored: unknown, not an error
    r = rank_campaign(f)
    assert r.works["interactions"].notna().all()


def test_empty_campaign(db) -> None:
    with db.connect() as conn:
        f = load_frames(conn, 99)
    assert len(f.works) == 0 and len(f.history) == 0 and len(f.snapshots) == 0


def test_columnar_fast_path_and_row_path_agree(db, monkeypatch) -> None:
    """The row-wise reader's ``group_concat`` pages (for databases the Arrow reader cannot
    open, and every read outside the ranking) against its cursor rows."""
    from tracker.store.queries import arrow_reader
    from tracker.store.queries import frame_reader as load

    monkeypatch.setattr(arrow_reader, "_runner_for", lambda conn: None)

    with db.connect() as conn:
        fast = load_frames(conn, 1)
    monkeypatch.setattr(load, "PAGE", 2)  # keyset paging across many tiny pages
    with db.connect() as conn:
        paged = load_frames(conn, 1)
    pd.testing.assert_frame_equal(fast.works, paged.works)
    pd.testing.assert_frame_equal(fast.snapshots, paged.snapshots)

    def misaligned(*args, **kwargs):
        raise load._Misaligned("forced")
        yield  # pragma: no cover

    monkeypatch.setattr(load, "_concat_pages", misaligned)
    with db.connect() as conn:
        slow = load_frames(conn, 1)
    pd.testing.assert_frame_equal(fast.works, slow.works)
    pd.testing.assert_frame_equal(fast.history, slow.history)
    pd.testing.assert_frame_equal(fast.snapshots, slow.snapshots)


def test_separator_inside_a_value_falls_back_to_rows(db) -> None:
    odd = "x\x1fy"  # the fast path's separator inside an id: it must notice, not misalign
    with db.begin() as conn:
        _ins(conn, Post.__table__, [_post(odd, "a", days=3, likes=9)])
        _ins(
            conn,
            PostCampaign.__table__,
            [{"platform": "weibo", "platform_post_id": odd, "campaign_id": 1}],
        )
    with db.connect() as conn:
        f = load_frames(conn, 1)
    w = f.works.set_index("platform_post_id")
    assert w.loc[odd, "likes"] == 9
    assert len(f.works) == 4


def test_page_order_is_checked() -> None:
    import numpy as np

    from tracker.store.queries import frame_reader as load

    ok = [np.array(["a", "a", "b"], dtype=object), np.array(["1", "2", "1"], dtype=object)]
    load._check_order(ok)
    with pytest.raises(load._Misaligned):
        load._check_order([np.array(["a", "b", "a"], dtype=object)])
    with pytest.raises(load._Misaligned):  # a duplicated key is not strictly increasing
        load._check_order([np.array(["a", "a"], dtype=object), np.array(["1", "1"], dtype=object)])
