"""A review decision leaves kept rankings in place, brought to the decision where they are
served: the next list, page or report scores no work again, and shows exactly what a fresh
ranking shows (``ranking_cache.kept``'s ``refresh``, ``tracker.ranking.pipeline.with_reviews``).

The store is the seeded world of ``test_ranking_cache``, kept from 0 works; the settle time is
shortened so a decision's carry does not hold the write lock for the production two seconds.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from dashboards.leaderboards import rank_and_count
from dashboards.report_build import build_report
from dashboards.source import DashboardData
from tracker.ranking import RankingResult
from tracker.ranking.settings import RankingSettings
from tracker.services import ranking_cache
from tracker.services.rank import HANDOFF_KIND, handoff_key, rank_for_handoff
from tracker.services.review import decide

from ..helpers.worlds import SimDB
from .test_ranking_cache import _date_back, _entries

NOW = datetime(2024, 10, 2, 12, 0, tzinfo=UTC)
PARTS = ("works", "creators", "units", "accounts", "platforms")


@pytest.fixture
def store(sim_db_copy: SimDB, monkeypatch: pytest.MonkeyPatch) -> SimDB:
    monkeypatch.setattr(ranking_cache, "MIN_WORKS", 0)
    monkeypatch.setattr(ranking_cache, "SETTLE_S", 0.05)
    monkeypatch.delenv("TRACKER_CACHE_DIR", raising=False)
    monkeypatch.delenv("TRACKER_RANKING_CACHE", raising=False)
    sim_db_copy.engine.dispose()
    _date_back(sim_db_copy.path)
    return sim_db_copy


def _same(a: RankingResult, b: RankingResult) -> None:
    for part in PARTS:
        pd.testing.assert_frame_equal(getattr(a, part), getattr(b, part), check_exact=True)


def _fresh(store: SimDB, monkeypatch: pytest.MonkeyPatch) -> RankingResult:
    with monkeypatch.context() as mp:
        mp.setenv("TRACKER_RANKING_CACHE", "0")
        return rank_for_handoff(store.engine, store.config, now=NOW).ranked.result


def _work_ids(result: RankingResult, rows: list[int]) -> list[str]:
    works = result.works
    return [f"{works['platform'].iloc[r]}:{works['platform_post_id'].iloc[r]}" for r in rows]


def test_decisions_bring_the_kept_ranking_along(
    store: SimDB, rankings: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = rank_for_handoff(store.engine, store.config, now=NOW).ranked.result
    assert rankings == ["service"]
    assert (first.works["review_status"] != "approved").all()
    # the best work of each of the top creators, approved: the creator aggregates now count them
    top = (
        first.works.dropna(subset=["creator_key"])
        .sort_values("rank")
        .drop_duplicates("creator_key")
    )
    rows = [int(i) for i in top.index[:6]]
    decide(store.engine, _work_ids(first, rows), "approved", reviewer="王老师")
    assert len(_entries(store)) == 1, "the decision did not carry the kept ranking"

    served = rank_for_handoff(store.engine, store.config, now=NOW).ranked
    assert rankings == ["service"], "the works were scored again after a decision"
    assert (served.result.works["review_status"].iloc[rows] == "approved").all()
    assert served.result.creators["works"].sum() > 0  # approved works now count
    assert first.creators["works"].sum() == 0
    assert served.frames.reviews is not None and len(served.frames.reviews) == len(rows)
    _same(served.result, _fresh(store, monkeypatch))

    decide(store.engine, _work_ids(first, rows[:2]), "rejected", reviewer="李老师", note="重复")
    again = rank_for_handoff(store.engine, store.config, now=NOW).ranked.result
    assert rankings == ["service", "service"]  # only the fresh ranking above scored
    _same(again, _fresh(store, monkeypatch))

    # a data write is not carried: the next command ranks in full
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE post SET likes = likes + 1 WHERE rowid = 1")
    store.engine.dispose()
    _date_back(store.path)
    rank_for_handoff(store.engine, store.config, now=NOW)
    assert rankings == ["service"] * 4


def test_the_dashboard_s_kept_ranking_follows_a_decision(
    store: SimDB, rankings: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = RankingSettings()
    with store.engine.connect() as conn:
        (cid,) = conn.exec_driver_sql("SELECT id FROM campaign").scalars()
        _, first, counted = rank_and_count(conn, cid, settings, approved_only=True)
    assert rankings == ["report"]
    rows = [int(i) for i in first.works.sort_values("rank").index[:5]]
    decide(store.engine, _work_ids(first, rows), "approved", reviewer="王老师")
    with store.engine.connect() as conn:
        frames, served, counted_again = rank_and_count(conn, cid, settings, approved_only=True)
    assert rankings == ["report"], "the dashboard's works were scored again after a decision"
    assert frames.reviews is not None and len(frames.reviews) == 5
    monkeypatch.setenv("TRACKER_RANKING_CACHE", "0")
    with store.engine.connect() as conn:
        _, fresh, _ = rank_and_count(conn, cid, settings, approved_only=True)
    _same(served, fresh)
    assert counted is not None and counted_again is not None
    pd.testing.assert_frame_equal(counted.works, counted_again.works)


def test_the_report_after_a_decision_is_byte_identical(
    store: SimDB, rankings: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build_report(store.engine, store.config, tmp_path / "first.html", now=NOW)
    ranked = rank_for_handoff(store.engine, store.config, include_unreviewed=True, now=NOW)
    works = ranked.ranked.result.works
    decide(store.engine, _work_ids(ranked.ranked.result, [0, 1, 2]), "approved", reviewer="王")
    decide(store.engine, [f"{works['platform'].iloc[3]}:{works['platform_post_id'].iloc[3]}"],
           "rejected", reviewer="王")  # fmt: skip
    calls = len(rankings)
    kept = build_report(store.engine, store.config, tmp_path / "kept.html", now=NOW)
    assert len(rankings) == calls, "the report scored the works again after a decision"
    monkeypatch.setenv("TRACKER_RANKING_CACHE", "0")
    plain = build_report(store.engine, store.config, tmp_path / "plain.html", now=NOW)
    assert kept.path.read_bytes() == plain.path.read_bytes()
    assert kept.path.read_bytes() != first.path.read_bytes()


def test_a_process_that_only_decides_carries_the_kept_rankings() -> None:
    """``tracker approve`` in a process of its own: the carrier registers on its import, so
    the decision carries what was kept (a process that never imported it would not)."""
    code = (
        "import tracker.services.review\n"
        "from tracker.store import carry\n"
        "print(sorted(type(c).__name__ for c in carry._CARRIERS"
        " if carry.REVIEW_TABLES <= c.follows))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "['_KeptRankings']"


def test_the_dashboard_s_own_clicks_are_not_held_for_a_carry(store: SimDB) -> None:
    """The dashboard patches decisions into the ranking it holds, so its clicks are plain
    writes: nothing waits for the settle time, and the kept ranking stays the old state's."""
    ranked = rank_for_handoff(store.engine, store.config, now=NOW)
    (work,) = _work_ids(ranked.ranked.result, [0])
    key = handoff_key(store.config.campaign(None), ranked.ranked.result.settings, False, True)
    assert ranking_cache.is_kept(store.engine, HANDOFF_KIND, key)
    data = DashboardData(store.engine, store.config)
    summary = data.review([tuple(work.split(":", 1))], "approved", "王老师", None)
    assert len(summary.written) == 1
    assert not ranking_cache.is_kept(store.engine, HANDOFF_KIND, key)
    assert len(_entries(store)) == 1  # still the old state's, never served for the new one
