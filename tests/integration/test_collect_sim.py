"""``tracker collect`` over the simulator: the stored campaign works equal the ground truth."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.sim.api import SimServer
from tracker.sim.truth import iter_world_truth
from tracker.store.models import MetricSnapshot, Post, Run

from .conftest import LIVE, collect_until_done, sim_options, stored_campaign_works

METRICS = ("views", "likes", "comments", "shares", "favorites")


def truth_campaign_works(sim: SimServer) -> dict[tuple[str, str], dict]:
    return {
        (t["platform"], t["post_id"]): t
        for t in iter_world_truth(sim.world, sim.now, platforms=LIVE)
        if t["matches_campaign"]
    }


def assert_equal_to_truth(db, sim: SimServer) -> None:
    truth = truth_campaign_works(sim)
    stored = stored_campaign_works(db)
    missing = sorted(set(truth) - set(stored))
    extra = sorted(set(stored) - set(truth))
    assert not missing, f"{len(missing)} campaign works not stored, e.g. {missing[:5]}"
    assert not extra, f"{len(extra)} works stored that the truth does not hold, e.g. {extra[:5]}"
    for key, t in truth.items():
        row = stored[key]
        got = {m: row[m] for m in METRICS}
        want = dict(t["metrics"])
        # A metric the platform does not expose stays unknown; all others must be exact.
        want = {m: v for m, v in want.items() if got[m] is not None or v is None}
        assert {m: got[m] for m in want} == want, f"{key}: {got} != {t['metrics']}"
        assert row["account_uid"] == t["account"], key
    with db.connect() as conn:
        dupes = conn.execute(
            select(Post.__table__.c.platform, Post.__table__.c.platform_post_id, func.count())
            .group_by(Post.__table__.c.platform, Post.__table__.c.platform_post_id)
            .having(func.count() > 1)
        ).all()
    assert dupes == []


def test_collect_all_platforms_equals_truth(db, config) -> None:
    with SimServer(seed=11, scale=40, faults="none") as sim:
        history = collect_until_done(db, config, lambda: sim_options(sim), max_runs=1)
        assert all(r.status == "ok" for r in history[0])
        assert_equal_to_truth(db, sim)
    with db.connect() as conn:
        runs = conn.execute(select(Run.__table__)).all()
        snaps = conn.execute(select(func.count()).select_from(MetricSnapshot.__table__)).scalar()
    assert {r.platform for r in runs} == set(LIVE)
    assert all(r.status == "ok" and r.finished_at is not None for r in runs)
    assert snaps > 0


@pytest.mark.parametrize("profile", ["flaky", "hostile"])
def test_collect_under_faults_reaches_truth(db, config, profile: str) -> None:
    with SimServer(seed=5, scale=30, faults=profile, fault_options={"slow_s": 0.3}) as sim:
        collect_until_done(db, config, lambda: sim_options(sim, timeout_s=0.2))
        assert_equal_to_truth(db, sim)
        assert sum(sum(v.values()) for v in sim.fault_counts().values()) > 0


def test_login_wall_stops_only_that_platform(db, config) -> None:
    with SimServer(seed=3, scale=20, faults="login-wall", fault_options={"login_after": 0}) as sim:
        options = sim_options(sim)
        options.platforms = ["weibo", "bilibili"]
        from tracker.services.collect import collect

        results = {r.platform: r for r in collect(db, config, options)}
    # Weibo's wall stops Weibo with the variable to renew; the run still went on to Bilibili.
    assert set(results) == {"weibo", "bilibili"}
    assert results["weibo"].status == "login_required"
    assert "TRACKER_WEIBO_COOKIE" in (results["weibo"].message or "")
