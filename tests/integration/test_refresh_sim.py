"""``refresh`` over the simulator: a day later, every campaign work's figures are today's.

Refresh runs in a new process in real use, so each platform's connector here is a fresh one
that never saw the collection: whatever a detail endpoint needs beyond the id (Xiaohongshu's
``xsec_token``) has to come from what the collection stored.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tracker.services.collect import collect, refresh_platform
from tracker.sim.api import SimServer
from tracker.store.models import Reject, Run

from ..helpers.simulator import LIVE, assert_equal_to_truth, sim_options


def test_refresh_a_day_later_brings_every_platform_to_the_truth(db, config) -> None:
    with SimServer(seed=31, scale=30, faults="none") as sim:
        results = collect(db, config, sim_options(sim))
        assert all(r.status == "ok" for r in results), [(r.platform, r.message) for r in results]
        sim.advance(86_400)  # a day of engagement later
        refreshed = [
            refresh_platform(db, config, p, sim_options(sim), timedelta(days=3650)) for p in LIVE
        ]
        assert all(r.status == "ok" for r in refreshed), [
            (r.platform, r.message) for r in refreshed
        ]
        for r in refreshed:
            assert r.counts.items_read > 0, r.platform
            assert r.counts.rejected == 0, r.platform
        assert_equal_to_truth(db, sim)  # the figures at the new virtual time
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Reject.__table__)).scalar_one() == 0
        kinds = conn.execute(select(Run.__table__.c.kind)).scalars().all()
    assert kinds.count("refresh") == len(LIVE)
