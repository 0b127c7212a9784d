"""A small store's snapshots and accounts are read in one query; a large one's per platform.

Both ways must give the same frames, row for row and down to the categories: the per-platform
reads are what a million works take, the single query what the demo, the tests and every CLI
run on a small store take. Each test reads the same database both ways (``SMALL_TABLE`` set
to 0 forces the per-platform reads) row-wise, as a small SQLite store is read, and checks which
way each read really went.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, func, insert, select
from sqlmodel import SQLModel

from tracker.ranking import rank_campaign
from tracker.ranking.assemble import chunk_fingerprint_key
from tracker.ranking.settings import RankingSettings
from tracker.services.rank import load_frames
from tracker.store.models import MetricSnapshot
from tracker.store.queries import arrow_reader, ranking_inputs

from ..helpers.demo import demo_copy
from .test_ranking_inputs import BIG_ID, T0, db  # noqa: F401 - fixture

FRAMES = ("works", "history", "snapshots", "accounts", "account_units", "units", "reviews")


@pytest.fixture(autouse=True)
def row_wise(monkeypatch: pytest.MonkeyPatch) -> None:
    """As a small SQLite store is read (no columnar reader), whatever its size."""
    monkeypatch.setattr(arrow_reader, "_runner_for", lambda conn: None)


@pytest.fixture
def per_platform_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The platform of every per-platform snapshot read."""
    seen: list[str] = []
    original = ranking_inputs.platform_snapshots

    def spy(conn, platform):  # type: ignore[no-untyped-def]
        seen.append(platform)
        return original(conn, platform)

    monkeypatch.setattr(ranking_inputs, "platform_snapshots", spy)
    return seen


@pytest.fixture
def single_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which single-query reads ran (``snapshots`` and ``accounts``)."""
    seen: list[str] = []
    snapshots, accounts = ranking_inputs.snapshots_at_once, ranking_inputs._accounts_at_once

    def snap_spy(conn, platforms):  # type: ignore[no-untyped-def]
        seen.append("snapshots")
        return snapshots(conn, platforms)

    def acc_spy(conn, platforms, reader):  # type: ignore[no-untyped-def]
        out = accounts(conn, platforms, reader)
        if out is not None:
            seen.append("accounts")
        return out

    monkeypatch.setattr(ranking_inputs, "snapshots_at_once", snap_spy)
    monkeypatch.setattr(ranking_inputs, "_accounts_at_once", acc_spy)
    return seen


def _frames(engine: Engine) -> dict[str, pd.DataFrame]:
    with engine.connect() as conn:
        frames = load_frames(conn, 1)
    return {name: getattr(frames, name) for name in FRAMES}


def _both_ways(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    per_platform_reads: list[str],
    single_reads: list[str],
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    at_once = _frames(engine)
    assert sorted(single_reads) == ["accounts", "snapshots"] and not per_platform_reads
    single_reads.clear()
    with monkeypatch.context() as m:
        m.setattr(ranking_inputs, "SMALL_TABLE", 0)
        per_platform = _frames(engine)
    assert not single_reads and len(set(per_platform_reads)) >= 2
    for name in FRAMES:
        pd.testing.assert_frame_equal(at_once[name], per_platform[name], obj=name)
    return at_once, per_platform


@pytest.fixture
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    root = demo_copy(tmp_path_factory, "small-store")
    engine = create_engine(f"sqlite:///{root / 'out' / 'tracker.db'}")
    yield engine
    engine.dispose()


def test_the_demo_reads_the_same_in_one_query_and_per_platform(
    demo_engine: Engine, monkeypatch, per_platform_reads, single_reads
) -> None:
    at_once, per_platform = _both_ways(demo_engine, monkeypatch, per_platform_reads, single_reads)
    snaps = at_once["snapshots"]
    assert snaps["platform"].nunique() >= 6 and len(snaps) > len(at_once["works"])
    assert (snaps["post_row"] >= len(at_once["works"])).any()  # history posts' snapshots too
    assert at_once["accounts"]["platform"].nunique() >= 6
    settings = RankingSettings()
    with demo_engine.connect() as conn:
        frames = load_frames(conn, 1)
    ranked = rank_campaign(frames, settings, approved_only=False).works
    with monkeypatch.context() as m:
        m.setattr(ranking_inputs, "SMALL_TABLE", 0)
        with demo_engine.connect() as conn:
            frames = load_frames(conn, 1)
    pd.testing.assert_frame_equal(
        ranked, rank_campaign(frames, settings, approved_only=False).works
    )


def test_odd_values_read_the_same_in_one_query_and_per_platform(
    db: Engine,  # noqa: F811
    monkeypatch,
    per_platform_reads,
    single_reads,
) -> None:
    at_once, _ = _both_ways(db, monkeypatch, per_platform_reads, single_reads)
    assert len(at_once["snapshots"]) == 3 and set(at_once["accounts"]["platform_uid"]) == {"a", "x"}


def test_floor_texts_keep_their_categories_per_platform(
    db: Engine,  # noqa: F811
    monkeypatch,
    per_platform_reads,
    single_reads,
) -> None:
    """Each platform's ``lower_bounds`` categories are those its own read finds (a snapshot of
    a post outside the campaign included), in the order the platforms are read."""
    rows = [
        ("weibo", "unrelated", 1, '["shares"]'),
        ("weibo", BIG_ID, 30, '["likes"]'),
        ("douyin", "d1", 30, '["views"]'),
        ("douyin", "d1", 31, '["likes"]'),
    ]
    with db.begin() as conn:
        for platform, pid, day, bounds in rows:
            conn.execute(
                insert(MetricSnapshot.__table__),
                {
                    "platform": platform,
                    "platform_post_id": pid,
                    "captured_at": T0 + timedelta(days=day),
                    "likes": 5,
                    "lower_bounds": bounds,
                },
            )
    at_once = _stored_snapshots(db)
    assert "snapshots" in single_reads and not per_platform_reads
    with monkeypatch.context() as m:
        m.setattr(ranking_inputs, "SMALL_TABLE", 0)
        per_platform = _stored_snapshots(db)
    assert per_platform_reads == ["douyin", "weibo"]
    pd.testing.assert_frame_equal(at_once, per_platform)
    categories = list(at_once["lower_bounds"].cat.categories)
    assert categories == ['["views"]', '["likes"]', '["shares"]']


def _stored_snapshots(engine: Engine) -> pd.DataFrame:
    """The snapshots as the store reads them (the frames keep only their ``floor_bits``)."""
    with engine.connect() as conn:
        return ranking_inputs.read_ranking_tables(
            conn, 1, fingerprint_key=chunk_fingerprint_key
        ).snapshots


def test_a_store_just_over_the_size_is_read_per_platform(
    db: Engine,  # noqa: F811
    monkeypatch,
    per_platform_reads,
    single_reads,
) -> None:
    with db.connect() as conn:
        snapshots = conn.execute(select(func.count()).select_from(ranking_inputs.S)).scalar_one()
    monkeypatch.setattr(ranking_inputs, "SMALL_TABLE", snapshots)
    with db.connect() as conn:
        assert ranking_inputs._small_table(conn, ranking_inputs.S)
    monkeypatch.setattr(ranking_inputs, "SMALL_TABLE", snapshots - 1)
    with db.connect() as conn:
        assert not ranking_inputs._small_table(conn, ranking_inputs.S)
    _frames(db)
    assert "snapshots" not in single_reads and per_platform_reads


def test_a_platform_without_any_stored_account_reads_as_an_empty_frame(
    db: Engine,  # noqa: F811
) -> None:
    keys = pd.DataFrame(
        {"platform": ["weibo", "zhihu", "douyin"], "account_uid": ["a", "nobody", "x"]}
    )
    with db.connect() as conn:
        at_once = ranking_inputs.load_accounts(conn, keys)
    assert sorted(at_once["platform_uid"]) == ["a", "x"]


def test_one_query_serves_pages_cut_inside_a_platform(
    db: Engine,  # noqa: F811
    monkeypatch,
) -> None:
    """Keyset pages of two rows cut the single query inside a platform and across two."""
    from tracker.store.queries import frame_reader

    expected = _frames(db)
    monkeypatch.setattr(frame_reader, "PAGE", 2)
    paged = _frames(db)
    for name in FRAMES:
        pd.testing.assert_frame_equal(expected[name], paged[name], obj=name)


def test_an_empty_table_is_small(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        SQLModel.metadata.create_all(engine)
        with engine.connect() as conn:
            assert ranking_inputs._small_table(conn, ranking_inputs.A)
    finally:
        engine.dispose()
