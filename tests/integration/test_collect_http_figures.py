"""A run keeps its HTTP figures (requests, retries, bytes), and ``tracker status`` shows them."""

from __future__ import annotations

from sqlalchemy import select

from tracker.services.collect import collect
from tracker.services.status import database_status
from tracker.sim.api import SimServer
from tracker.sim.faults import FaultConfig
from tracker.store.models import Run

from ..helpers.simulator import LIVE, assert_equal_to_truth, sim_options

SERVER_ERRORS = FaultConfig(
    profile="flaky", rate=0.2, kinds=("5xx",), max_consecutive=2, page_fault_rate=0.0
)
"""Only HTTP 5xx, each healed by one retry: every fault the simulator serves is one retry."""


def _http_by_platform(db) -> dict[str, dict[str, int]]:  # type: ignore[no-untyped-def]
    with db.connect() as conn:
        rows = conn.execute(select(Run.__table__).where(Run.__table__.c.kind == "collect"))
        return {r.platform: r.detail["http"] for r in rows}


def test_each_run_counts_its_requests_and_one_retry_per_server_error(db, config) -> None:
    with SimServer(seed=11, scale=30, faults=SERVER_ERRORS) as sim:
        results = collect(db, config, sim_options(sim))
        assert all(r.status == "ok" for r in results), [(r.platform, r.message) for r in results]
        assert_equal_to_truth(db, sim)
        served = sim.fault_counts()
    figures = _http_by_platform(db)
    assert set(figures) == set(LIVE)
    pages = {r.platform: r.counts.pages for r in results}
    for platform in LIVE:
        http = figures[platform]
        assert http["retries"] == served.get(platform, {}).get("5xx", 0), platform
        assert http["requests"] >= pages[platform] + http["retries"] > 0, platform
        assert http["bytes"] > 0, platform
    assert sum(f["retries"] for f in figures.values()) > 0, "the fault profile served nothing"

    shown = {p.platform: p for p in database_status(db, "test").platforms}
    for platform in LIVE:
        assert shown[platform].last_run_requests == figures[platform]["requests"]
        assert shown[platform].last_run_retries == figures[platform]["retries"]


def test_a_clean_run_has_no_retries(db, config) -> None:
    with SimServer(seed=12, scale=10, faults="none") as sim:
        collect(db, config, sim_options(sim))
    figures = _http_by_platform(db)
    assert set(figures) == set(LIVE)
    assert all(f["retries"] == 0 and f["requests"] > 0 for f in figures.values()), figures
