"""A ranking handed on to the report: taken when it is the report's own, never across a cut.

The demo ranks the campaign for its lists, then writes the report, which used to rank the same
stored works once more. The lists' ranking now goes to the report (``RankingHandoff``); the
report takes it only when it is the ranking it would make itself (same campaign, settings and
review scope, neither cut), and the page is then the same, byte for byte, as the one it writes
after its own ranking. With a cut (``--date``, ``--as-of``), another review scope or other
settings it ranks for itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dashboards.leaderboards import rank_and_count, reuse_fits
from dashboards.report_build import build_report
from dashboards.report_inputs import campaign_id
from tracker.config import load_config
from tracker.ranking import RankingSettings
from tracker.services.demo import run_demo
from tracker.services.rank import RankingHandoff, rank_for_handoff
from tracker.store.engine import make_engine, sqlite_url

from ..helpers.config import CONFIG_DIR
from ..helpers.worlds import SimDB

NOW = datetime(2024, 10, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def handoff(sim_db: SimDB) -> RankingHandoff:
    """The lists' ranking as the demo makes it: every review status, with details, uncut."""
    return rank_for_handoff(sim_db.engine, sim_db.config, include_unreviewed=True, now=NOW)


def test_the_handed_ranking_is_the_reports_own(sim_db: SimDB, handoff: RankingHandoff) -> None:
    """The view the report takes equals the ranking it makes: the same rows and values (the
    detail columns empty, as without details), the same frames and counted works."""
    settings = RankingSettings.from_mapping(sim_db.config.ranking)
    with sim_db.engine.connect() as conn:
        cid = campaign_id(conn, sim_db.config.campaign(None).name)
        own = rank_and_count(conn, cid, settings)
        taken = rank_and_count(conn, cid, settings, reuse=handoff)
    assert taken[1].works is not handoff.ranked.result.works  # a view: the lists' stays whole
    assert handoff.ranked.result.works["title"].notna().any()
    assert taken[1].works["title"].isna().all()
    pd.testing.assert_frame_equal(own[1].works, taken[1].works, check_like=True)
    for name in ("creators", "units", "accounts", "platforms"):
        pd.testing.assert_frame_equal(getattr(own[1], name), getattr(taken[1], name))
    pd.testing.assert_frame_equal(own[0].works, taken[0].works, check_like=True)
    for name in ("snapshots", "account_units", "units"):
        pd.testing.assert_frame_equal(getattr(own[0], name), getattr(taken[0], name))
    assert own[2] is not None and taken[2] is not None
    for name in ("works", "snapshots", "accounts"):
        pd.testing.assert_frame_equal(getattr(own[2], name), getattr(taken[2], name))


def test_the_report_takes_the_handed_ranking_and_writes_the_same_page(
    sim_db: SimDB, handoff: RankingHandoff, rankings: list[str], tmp_path: Path
) -> None:
    """On the simulator's world with hostile titles: the report looks up the titles of the rows
    it shows, whichever ranking it took."""
    own = build_report(sim_db.engine, sim_db.config, tmp_path / "own.html", now=NOW)
    assert rankings == ["report"]
    taken = build_report(
        sim_db.engine, sim_db.config, tmp_path / "taken.html", now=NOW, ranking=handoff
    )
    assert rankings == ["report"]  # no second ranking
    assert taken.works == own.works
    assert taken.path.read_bytes() == own.path.read_bytes()


@pytest.mark.parametrize(
    "cut",
    [{"day": date(2024, 9, 20)}, {"as_of": datetime(2024, 9, 21, 8, 0, tzinfo=UTC)}],
    ids=["day", "as-of"],
)
def test_a_cut_report_ranks_for_itself(
    sim_db: SimDB,
    handoff: RankingHandoff,
    rankings: list[str],
    tmp_path: Path,
    cut: dict[str, Any],
) -> None:
    """The handed ranking is uncut; a report for a day or at a deadline ranks at its cut."""
    build_report(sim_db.engine, sim_db.config, tmp_path / "r.html", ranking=handoff, **cut)
    assert rankings == ["report"]


def test_only_the_reports_own_ranking_is_taken(sim_db: SimDB, handoff: RankingHandoff) -> None:
    """Another review scope, other settings, another campaign or a cut ranking: never taken."""
    settings = RankingSettings.from_mapping(sim_db.config.ranking)
    cid = handoff.ranked.campaign_id
    uncut: dict[str, Any] = {"until": None, "as_of": None}
    assert reuse_fits(handoff, cid, settings, approved_only=False, **uncut)
    assert not reuse_fits(handoff, cid, settings, approved_only=True, **uncut)
    assert not reuse_fits(handoff, cid + 1, settings, approved_only=False, **uncut)
    other = settings.model_copy(update={"min_platform_works": settings.min_platform_works + 1})
    assert not reuse_fits(handoff, cid, other, approved_only=False, **uncut)
    cut = datetime(2024, 9, 21, 8, 0, tzinfo=UTC)
    assert not reuse_fits(handoff, cid, settings, approved_only=False, until=cut, as_of=None)
    assert not reuse_fits(handoff, cid, settings, approved_only=False, until=None, as_of=cut)
    approved = rank_for_handoff(sim_db.engine, sim_db.config, now=NOW)
    assert not reuse_fits(approved, cid, settings, approved_only=False, **uncut)
    at_cut = rank_for_handoff(sim_db.engine, sim_db.config, include_unreviewed=True, as_of=cut)
    assert not reuse_fits(at_cut, cid, settings, approved_only=False, **uncut)
    assert not reuse_fits(at_cut, cid, settings, approved_only=False, until=None, as_of=cut)


def test_the_demo_ranks_once_for_its_lists_and_its_report(
    rankings: list[str], tmp_path: Path
) -> None:
    """``tracker demo`` ranks for its workbooks and hands that ranking to the report; its page
    is the one a report written afterwards from its database gives."""
    config = load_config(CONFIG_DIR / "campaign.toml")
    summary = run_demo(config, tmp_path / "out", write_report=build_report, scale=1)
    assert rankings == ["service"]
    assert summary.generated_at is not None
    engine = make_engine(sqlite_url(summary.database))
    try:
        again = build_report(engine, config, tmp_path / "again.html", now=summary.generated_at)
    finally:
        engine.dispose()
    assert rankings == ["service", "report"]
    assert again.path.read_bytes() == (tmp_path / "out" / "report.html").read_bytes()
