"""Fault profiles over all six live platforms: whatever the simulator throws, the store ends equal
to the ground truth, with no duplicate rows and one snapshot per work and capture time.

``flaky`` serves 429s, throttle codes, 5xx pages, slow answers past the client's timeout,
truncated and HTML bodies, plus duplicated and reordered items across pages; ``hostile`` adds
blocks disguised as success and more of everything. A block is paused over a few times in a
row at most; one that outlasts the pauses stops its platform for the run, and the next run
resumes from its cursor, as the scheduler would do.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from tracker.config import TrackerConfig
from tracker.sim.api import SimServer

from ..helpers.database import duplicate_keys, snapshot_counts
from ..helpers.simulator import LIVE, assert_equal_to_truth, collect_until_done, sim_options

PROFILES = ("flaky", "hostile")


def _survive(engine: Engine, config: TrackerConfig, profile: str, seed: int, scale: int) -> dict:
    with SimServer(seed=seed, scale=scale, faults=profile, fault_options={"slow_s": 0.25}) as sim:
        # A block that outlasts its pauses stops its platform for the run; the scheduler's next
        # run resumes. The bigger the world, the more blocks: allow about one rerun per work.
        history = collect_until_done(
            engine, config, lambda: sim_options(sim, timeout_s=0.15), max_runs=25 + 2 * scale
        )
        assert_equal_to_truth(engine, sim)
        faults = sim.fault_counts()
    served = {p: sum(kinds.values()) for p, kinds in faults.items()}
    # Every platform met faults: the equality above was earned, not handed over by a calm run.
    assert set(served) == set(LIVE), faults
    assert all(n > 0 for n in served.values()), faults
    total, works = snapshot_counts(engine)
    assert total == works, "a work got two snapshots for one capture time"
    assert duplicate_keys(engine) == {}
    with engine.connect() as conn:
        last = dict(
            conn.execute(
                text(
                    "SELECT platform, status FROM run WHERE id IN "
                    "(SELECT max(id) FROM run GROUP BY platform)"
                )
            ).all()
        )
    assert last == dict.fromkeys(LIVE, "ok")
    return {"runs": len(history), "faults": sum(served.values()), "by_kind": faults}


@pytest.mark.parametrize("profile", PROFILES)
def test_fault_profile_reaches_truth(db: Engine, config: TrackerConfig, profile: str) -> None:
    _survive(db, config, profile, seed=21, scale=30)


@pytest.mark.parametrize("profile", PROFILES)
def test_fault_profile_reaches_truth_on_each_store(
    store: Engine, config: TrackerConfig, profile: str
) -> None:
    """The same under faults on SQLite and PostgreSQL (the latter where configured)."""
    _survive(store, config, profile, seed=25, scale=30)


@pytest.mark.long
@pytest.mark.parametrize("seed", [101, 202, 303, 404])
@pytest.mark.parametrize("profile", PROFILES)
def test_fault_profile_reaches_truth_long(
    db: Engine, config: TrackerConfig, profile: str, seed: int
) -> None:
    stats = _survive(db, config, profile, seed=seed, scale=200)
    print(f"\nFAULTS {profile} seed={seed}: {stats}")
