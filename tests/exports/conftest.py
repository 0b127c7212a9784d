"""Fixtures of the export tests: a simulator world collected into SQLite, and the CLI in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..helpers.cli import WorldCli
from ..helpers.worlds import WorldDB, build_world_db, plant_formula_titles


@pytest.fixture(scope="session")
def base_world(tmp_path_factory: pytest.TempPathFactory) -> WorldDB:
    """Seed 11 at scale 40, collected once, with two titles that look like formulas."""
    world = build_world_db(tmp_path_factory.mktemp("world"), seed=11, scale=40)
    plant_formula_titles(world.url)
    return world


@pytest.fixture
def world(base_world: WorldDB, tmp_path: Path) -> WorldDB:
    return base_world.copy_to(tmp_path / "w")


@pytest.fixture
def cli(
    world: WorldDB, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> WorldCli:
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    return WorldCli(world, capsys)
