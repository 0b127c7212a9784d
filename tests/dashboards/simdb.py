"""A real SQLite file filled from the simulator through the collect service (shared helper).

Used by the dashboard and browser suites: the simulator plants the XSS titles (turned on with
``hostile_titles``), the bought-likes and lockstep anomalies and accounts of registry units in
Guangdong's cities, so the charts, the map, the review queue and the escaping are exercised on
data shaped like the real thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from tracker.config import TrackerConfig, load_config, load_units
from tracker.services.collect import CollectOptions, collect
from tracker.services.database import init_database
from tracker.sim.api import SimServer
from tracker.sim.names import XSS_PAYLOAD
from tracker.sim.units import write_units_csv
from tracker.store.engine import make_engine

REPO_ROOT = Path(__file__).resolve().parents[2]
__all__ = ["REPO_ROOT", "SimDB", "XSS_PAYLOAD", "build_sim_db", "load_repo_config"]


@dataclass
class SimDB:
    url: str
    path: Path
    config: TrackerConfig
    engine: Engine


def load_repo_config() -> TrackerConfig:
    return load_config(REPO_ROOT / "config" / "campaign.toml")


def _options(sim: SimServer) -> CollectOptions:
    return CollectOptions(
        base_urls=sim.base_urls,
        signer="dev",
        clock=lambda: sim.now,
        sleep=lambda _s: None,
        http_overrides={"timeout_s": 5.0, "max_attempts": 8, "backoff_initial_s": 0},
    )


def build_sim_db(directory: Path, *, seed: int = 11, scale: int = 40) -> SimDB:
    """Collect twice (three virtual days apart, so works have two snapshots) into a new file."""
    config = load_repo_config()
    path = directory / "tracker.db"
    url = f"sqlite:///{path}"
    with SimServer(seed=seed, scale=scale, faults="none", hostile_titles=True) as sim:
        units_csv = directory / "units.csv"
        write_units_csv(sim.world, units_csv)
        init_database(url, config, load_units(units_csv))
        engine = make_engine(url)
        first = collect(engine, config, _options(sim))
        assert all(r.status == "ok" for r in first), first
        sim.advance(3 * 86400)
        collect(engine, config, _options(sim))
    return SimDB(url, path, config, engine)
