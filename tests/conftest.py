"""Root fixtures: the shipped config and the databases (SQLite; PostgreSQL when
TRACKER_TEST_PG_URL is set), defined in ``tests/helpers`` and registered here for every folder.

The suite runs in parallel (pytest-xdist, see ``addopts``): anything a test writes lives under
its own ``tmp_path`` (per worker), PostgreSQL tests get a random scratch schema, servers in the
test process bind port 0 and subprocess servers take :func:`helpers.ports.free_port`.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

from .helpers import bytecode  # noqa: F401  (first: caches compiled modules for this run)
from .helpers.config import REPO_ROOT, config
from .helpers.database import any_engine, db, db_url, pg_engine, pg_schema, sqlite_engine
from .helpers.schedule_order import listed_files, slowest_first

__all__ = ["any_engine", "config", "db", "db_url", "pg_engine", "pg_schema", "sqlite_engine"]

# One example database for every worker and every working directory (a test that chdirs would
# otherwise start a new one): it writes each example by an atomic rename, so parallel workers
# may share it, and a failure found by one worker is replayed first by whichever runs it next.
settings.register_profile(
    "suite", database=DirectoryBasedExampleDatabase(REPO_ROOT / ".hypothesis" / "examples")
)
settings.load_profile("suite")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slowest files first, so the parallel workers finish together (see schedule_order)."""
    items[:] = slowest_first(items, listed_files())


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what collection left on the heap (every imported module, ~300,000 objects), so a
    full garbage collection no longer walks it. The ranking ends with one (``release_memory``),
    and so do Python's own periodic passes: in a test process, which holds every test module's
    imports, each took about 0.15 s and most of the suite's rankings are small.

    Then the youngest generation is collected after 50,000 allocations instead of 700: a test
    process makes and drops millions of small pandas and SQLAlchemy objects, which reference
    counting frees at once, and the frequent cyclic passes over them cost 3-5 % of the run
    (measured on the ranking, export and fuzz tests). Cycles are still collected, later."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


@pytest.fixture(autouse=True)
def _root_logging_left_as_found() -> Iterator[None]:
    """A ``tracker`` command run in this process installs its ``RichHandler`` on the root logger
    (``logging.basicConfig(force=True)``). Left there, it rendered every record of every later
    test that lowers the root level (``caplog.set_level(DEBUG)``): each httpx request line of
    the secret tests, some 2,300 records and several seconds of a run, through rich.

    pytest's own capture handlers come and go with each phase and are left to it."""
    root = logging.getLogger()
    before, level = root.handlers[:], root.level
    yield
    for handler in root.handlers[:]:
        if handler not in before and not type(handler).__module__.startswith("_pytest"):
            root.removeHandler(handler)
    root.setLevel(level)
