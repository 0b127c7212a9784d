"""A real SQLite file filled from the simulator through the collect service (test helper).

Shared by the export and review tests (loaded by file path from their conftests). The world is
collected exactly as a deployment would: ``tracker init`` with the simulator's unit registry,
then one ``collect`` per scheduled instant on the simulator's virtual clock, so the ranking sees
real runs, snapshots and accounts.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tracker.config import load_config, load_units
from tracker.services.collect import CollectOptions, collect
from tracker.services.database import init_database
from tracker.sim.api import SimServer
from tracker.sim.units import write_units_csv
from tracker.store.engine import make_engine

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class WorldDB:
    path: Path
    config_path: Path
    seed: int
    scale: int

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def copy_to(self, directory: Path) -> WorldDB:
        """A private copy (database and config) a test may change freely."""
        directory.mkdir(parents=True, exist_ok=True)
        shutil.copytree(self.config_path.parent, directory / "config", dirs_exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.path) + suffix)
            if src.exists():
                shutil.copy2(src, directory / (self.path.name + suffix))
        return WorldDB(
            directory / self.path.name,
            directory / "config" / "campaign.toml",
            self.seed,
            self.scale,
        )


def sim_options(sim: SimServer) -> CollectOptions:
    """Every connector pointed at the simulator, on its virtual clock, without waiting."""
    return CollectOptions(
        base_urls=sim.base_urls,
        signer="dev",
        clock=lambda: sim.now,
        sleep=lambda _s: None,
        http_overrides={
            "timeout_s": 5.0,
            "max_attempts": 8,
            "backoff_initial_s": 0,
            "rate_per_s": None,
        },
    )


def build_world_db(
    directory: Path, *, seed: int, scale: int, clocks: Sequence[datetime] = ()
) -> WorldDB:
    """Collect the world ``(seed, scale)`` once per instant of ``clocks`` (default: once, at the
    simulator's default time when every work is published)."""
    directory.mkdir(parents=True, exist_ok=True)
    config_dir = directory / "config"
    shutil.copytree(REPO_ROOT / "config", config_dir, dirs_exist_ok=True)
    config_path = config_dir / "campaign.toml"
    config = load_config(config_path)
    db_path = directory / "tracker.db"
    with SimServer(seed=seed, scale=scale, faults="none") as sim:
        write_units_csv(sim.world, config_dir / "units.csv")
        url = f"sqlite:///{db_path}"
        init_database(url, config, load_units(config_dir / "units.csv"))
        engine = make_engine(url)
        try:
            for instant in clocks or [sim.now]:
                sim.set_clock(instant)
                results = collect(engine, config, sim_options(sim))
                assert all(r.status == "ok" for r in results), results
        finally:
            engine.dispose()
    return WorldDB(db_path, config_path, seed, scale)
