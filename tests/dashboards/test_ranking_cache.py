"""Rankings kept on disk per state of the store (``tracker.services.ranking_cache``).

A kept ranking is served only while nothing was written to the store, the settings and the
review scope are the ones it was made with, and the entry is private to this user; the report
and the lists made from it are the same, byte for byte, as those made after a fresh ranking.
Big campaigns only in production (``MIN_WORKS``); here the floor is lowered to the seeded
world, and its database file is dated a minute back, as a store last written a while ago is.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dashboards.report_build import build_report
from tracker.services import ranking_cache
from tracker.services.rank import one_read_of_stored_tables, rank_for_handoff

from ..helpers.worlds import SimDB

NOW = datetime(2024, 10, 2, 12, 0, tzinfo=UTC)
LATER = datetime(2024, 10, 3, 9, 30, tzinfo=UTC)


@pytest.fixture
def store(sim_db_copy: SimDB, monkeypatch: pytest.MonkeyPatch) -> SimDB:
    """A private copy of the seeded world, last written a minute ago, kept from 0 works."""
    monkeypatch.setattr(ranking_cache, "MIN_WORKS", 0)
    monkeypatch.delenv("TRACKER_CACHE_DIR", raising=False)
    monkeypatch.delenv("TRACKER_RANKING_CACHE", raising=False)
    sim_db_copy.engine.dispose()  # the copy's log moved into the file: one file to date back
    _date_back(sim_db_copy.path)
    return sim_db_copy


def _date_back(path: Path, seconds: float = 60) -> None:
    then = time.time() - seconds
    for file in (path, Path(f"{path}-wal")):
        if file.exists():
            os.utime(file, (then, then))


def _entries(db: SimDB) -> list[Path]:
    return sorted(Path(f"{db.path}.cache").glob("*.pickle"))


def _same_ranking(a: Any, b: Any) -> None:
    for part in ("works", "creators", "units", "accounts", "platforms"):
        pd.testing.assert_frame_equal(
            getattr(a.ranked.result, part), getattr(b.ranked.result, part), check_exact=True
        )


def test_kept_ranking_served_until_the_store_changes(store: SimDB, rankings: list[str]) -> None:
    first = rank_for_handoff(store.engine, store.config, include_unreviewed=True, now=NOW)
    assert rankings == ["service"]
    assert len(_entries(store)) == 1

    again = rank_for_handoff(store.engine, store.config, include_unreviewed=True, now=LATER)
    assert rankings == ["service"], "the kept ranking was not served"
    _same_ranking(first, again)
    assert again.ranked.generated_at == LATER  # made now, from the kept ranking
    assert first.ranked.generated_at == NOW

    # a write, its log then moved into the file (so only the file's own stamp tells): the kept
    # ranking is another state's; this one is ranked and shows the change
    works = first.ranked.result.works
    row = int(works["latest_likes"].notna().to_numpy().argmax())
    key = (str(works["platform"].iloc[row]), str(works["platform_post_id"].iloc[row]))
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE post SET likes = likes + 123456 WHERE platform = ? AND platform_post_id = ?",
            key,
        )
    store.engine.dispose()
    assert not Path(f"{store.path}-wal").exists()
    fresh = rank_for_handoff(store.engine, store.config, include_unreviewed=True, now=LATER)
    assert rankings == ["service", "service"]
    changed = fresh.ranked.result.works
    at = (changed["platform"].astype("str") == key[0]) & (changed["platform_post_id"] == key[1])
    assert changed.loc[at, "latest_likes"].item() == works["latest_likes"].iloc[row] + 123456


def test_not_kept_when_the_store_was_written_moments_ago(
    sim_db_copy: SimDB, rankings: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranking_cache, "MIN_WORKS", 0)
    with sim_db_copy.engine.begin() as conn:  # a write just now: its file stamp could be shared
        conn.exec_driver_sql("UPDATE post SET likes = likes WHERE rowid = 1")
    rank_for_handoff(sim_db_copy.engine, sim_db_copy.config, include_unreviewed=True, now=NOW)
    rank_for_handoff(sim_db_copy.engine, sim_db_copy.config, include_unreviewed=True, now=NOW)
    assert rankings == ["service", "service"]
    assert _entries(sim_db_copy) == []


def test_small_campaigns_and_switched_off_are_never_kept(
    store: SimDB, rankings: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranking_cache, "MIN_WORKS", 10**9)
    rank_for_handoff(store.engine, store.config, now=NOW)
    assert _entries(store) == []
    monkeypatch.setattr(ranking_cache, "MIN_WORKS", 0)
    monkeypatch.setenv("TRACKER_RANKING_CACHE", "0")
    rank_for_handoff(store.engine, store.config, now=NOW)
    rank_for_handoff(store.engine, store.config, now=NOW)
    assert _entries(store) == []
    assert rankings == ["service"] * 3


def test_other_scope_or_details_are_other_entries(store: SimDB, rankings: list[str]) -> None:
    unreviewed = rank_for_handoff(store.engine, store.config, include_unreviewed=True, now=NOW)
    approved = rank_for_handoff(store.engine, store.config, include_unreviewed=False, now=NOW)
    bare = rank_for_handoff(store.engine, store.config, details=False, now=NOW)
    assert rankings == ["service"] * 3
    assert len(_entries(store)) == 3
    assert unreviewed.ranked.include_unreviewed and not approved.ranked.include_unreviewed
    assert "title" in approved.ranked.frames.works.columns
    assert "title" not in bare.ranked.frames.works.columns
    rank_for_handoff(store.engine, store.config, include_unreviewed=False, now=NOW)
    assert rankings == ["service"] * 3


def test_other_settings_rank_again(store: SimDB, rankings: list[str]) -> None:
    rank_for_handoff(store.engine, store.config, now=NOW)
    config = store.config.model_copy(update={"ranking": {"fixed_age_days": 3}})
    rank_for_handoff(store.engine, config, now=NOW)
    assert rankings == ["service", "service"]


def test_an_entry_others_may_write_is_ignored(store: SimDB, rankings: list[str]) -> None:
    rank_for_handoff(store.engine, store.config, now=NOW)
    (entry,) = _entries(store)
    entry.chmod(0o666)
    rank_for_handoff(store.engine, store.config, now=NOW)
    assert rankings == ["service", "service"]
    entry.chmod(0o600)
    entry.write_bytes(b"not a pickle")
    rank_for_handoff(store.engine, store.config, now=NOW)
    assert rankings == ["service"] * 3


def test_report_from_a_kept_ranking_is_byte_identical(
    store: SimDB, rankings: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_RANKING_CACHE", "0")
    plain = build_report(store.engine, store.config, tmp_path / "plain.html", now=NOW)
    monkeypatch.delenv("TRACKER_RANKING_CACHE")
    first = build_report(store.engine, store.config, tmp_path / "first.html", now=NOW)
    kept = build_report(store.engine, store.config, tmp_path / "kept.html", now=NOW)
    assert rankings == ["report", "report"], "the report ranked again with a kept ranking"
    assert plain.path.read_bytes() == first.path.read_bytes() == kept.path.read_bytes()


def test_never_kept_from_tables_read_earlier_in_the_block(
    store: SimDB, rankings: list[str], tmp_path: Path
) -> None:
    """Inside ``one_read_of_stored_tables`` the tables may be older than the store's version
    now: neither the lists' nor the report's ranking is kept from them."""
    with one_read_of_stored_tables():
        rank_for_handoff(store.engine, store.config, now=NOW)
        build_report(store.engine, store.config, tmp_path / "r.html", now=NOW)
    assert _entries(store) == []
    assert rankings == ["service", "report"]


def test_a_shared_folder_keeps_each_stores_ranking(
    store: SimDB, rankings: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``TRACKER_CACHE_DIR`` may serve several databases: keeping one's ranking never removes
    another's, only the same store's earlier states."""
    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "kept"))
    other = store.copy_to(tmp_path / "other.db")
    try:
        other.engine.dispose()
        _date_back(other.path)
        rank_for_handoff(store.engine, store.config, now=NOW)
        rank_for_handoff(other.engine, other.config, now=NOW)
        assert len(list((tmp_path / "kept").glob("*.pickle"))) == 2
        rank_for_handoff(store.engine, store.config, now=NOW)
        rank_for_handoff(other.engine, other.config, now=NOW)
        assert rankings == ["service", "service"]
        with store.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE post SET likes = likes + 1 WHERE rowid = 1")
        store.engine.dispose()
        _date_back(store.path)
        rank_for_handoff(store.engine, store.config, now=NOW)  # the store's new state
        assert rankings == ["service"] * 3
        assert len(list((tmp_path / "kept").glob("*.pickle"))) == 2  # its old state's went
        rank_for_handoff(other.engine, other.config, now=NOW)
        assert rankings == ["service"] * 3
    finally:
        other.engine.dispose()


def test_in_memory_store_is_never_kept_even_with_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An in-memory database has no version; the report's ranking then reads on the caller's
    connection (a fresh one would open another, empty, in-memory database)."""
    from sqlalchemy import create_engine

    monkeypatch.setenv("TRACKER_CACHE_DIR", str(tmp_path / "kept"))
    assert ranking_cache.cache_dir(create_engine("sqlite://")) is None
    assert ranking_cache.cache_dir(create_engine(f"sqlite:///{tmp_path / 'x.db'}")) == (
        tmp_path / "kept"
    )
