"""Fixtures: one simulator-filled database per session, private copies for tests that write,
and a count of the rankings made."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ..helpers.worlds import SimDB, build_sim_db


@pytest.fixture(scope="session")
def sim_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimDB]:
    db = build_sim_db(tmp_path_factory.mktemp("simdb"))
    yield db
    db.engine.dispose()


@pytest.fixture
def sim_db_copy(sim_db: SimDB, tmp_path: Path) -> Iterator[SimDB]:
    """A private copy (SQLite backup API, so the WAL is included) for tests that write."""
    copy = sim_db.copy_to(tmp_path / "copy.db")
    yield copy
    copy.engine.dispose()


@pytest.fixture
def rankings(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every ``rank_campaign`` call of the rank service and of the report, by caller."""
    from dashboards import leaderboards
    from tracker.services import rank

    calls: list[str] = []

    def counting(module: Any, name: str) -> Callable[..., Any]:
        real = module.rank_campaign

        def rank_campaign(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return real(*args, **kwargs)

        return rank_campaign

    monkeypatch.setattr(rank, "rank_campaign", counting(rank, "service"))
    monkeypatch.setattr(leaderboards, "rank_campaign", counting(leaderboards, "report"))
    yield calls
