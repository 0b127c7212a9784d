"""Real SQLite files filled from the simulator through the collect service.

Collected exactly as a deployment would: ``tracker init`` with the simulator's unit registry,
then ``collect`` on the simulator's virtual clock, so the ranking, the exports and the
dashboards see real runs, snapshots and accounts. The simulator answers in this process
(``InProcessSim``): the same responses, without the loopback socket. Building one takes seconds, so suites build
each world once per session and hand tests a private copy when they write.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, update

from tracker.config import TrackerConfig, load_config, load_units
from tracker.services.collect import collect
from tracker.services.database import init_database
from tracker.sim.api import SimServer
from tracker.sim.units import write_units_csv
from tracker.store.engine import make_engine
from tracker.store.models import Post

from .config import CONFIG_DIR, load_repo_config
from .database import campaign_work_ids, sqlite_copy
from .simulator import sim_options

FORMULA_TITLES = ("=1+1", '=HYPERLINK("http://example.invalid/x","点我领奖")')


@dataclass(frozen=True)
class WorldDB:
    """A collected database with its own copy of the config folder (and the units.csv)."""

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


def build_world_db(
    directory: Path, *, seed: int, scale: int, clocks: Sequence[datetime] = ()
) -> WorldDB:
    """Collect the world ``(seed, scale)`` once per instant of ``clocks`` (default: once, at the
    simulator's default time when every work is published), without client rate limits."""
    directory.mkdir(parents=True, exist_ok=True)
    config_dir = directory / "config"
    shutil.copytree(CONFIG_DIR, config_dir, dirs_exist_ok=True)
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
                options = sim_options(sim, http={"rate_per_s": None}, in_process=True)
                results = collect(engine, config, options)
                assert all(r.status == "ok" for r in results), results
        finally:
            engine.dispose()
    return WorldDB(db_path, config_path, seed, scale)


def plant_formula_titles(url: str) -> list[tuple[str, str]]:
    """Give the first two Douyin campaign works titles a spreadsheet would run as formulas."""
    keys = campaign_work_ids(url, "douyin")[:2]
    post = Post.__table__
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for (platform, pid), title in zip(keys, FORMULA_TITLES, strict=True):
                conn.execute(
                    update(post)
                    .where(post.c.platform == platform, post.c.platform_post_id == pid)
                    .values(title=title)
                )
    finally:
        engine.dispose()
    return keys


@dataclass
class SimDB:
    """A collected database with hostile titles and two snapshots per work, and its engine."""

    url: str
    path: Path
    config: TrackerConfig
    engine: Engine

    def copy_to(self, path: Path) -> SimDB:
        """A private copy at ``path`` with its own engine (the caller disposes it)."""
        url = sqlite_copy(self.path, path)
        return SimDB(url, path, self.config, make_engine(url))


def build_sim_db(directory: Path, *, seed: int = 11, scale: int = 40) -> SimDB:
    """Collect twice, three virtual days apart (so works have two snapshots), into a new file.

    The simulator plants the XSS titles (``hostile_titles``), the bought-likes and lockstep
    anomalies and accounts of registry units in Guangdong's cities, so the charts, the map,
    the review queue and the escaping are exercised on data shaped like the real thing.
    """
    config = load_repo_config()
    path = directory / "tracker.db"
    url = f"sqlite:///{path}"
    with SimServer(seed=seed, scale=scale, faults="none", hostile_titles=True) as sim:
        units_csv = directory / "units.csv"
        write_units_csv(sim.world, units_csv)
        init_database(url, config, load_units(units_csv))
        engine = make_engine(url)
        first = collect(engine, config, sim_options(sim, in_process=True))
        assert all(r.status == "ok" for r in first), first
        sim.advance(3 * 86400)
        collect(engine, config, sim_options(sim, in_process=True))
    return SimDB(url, path, config, engine)
