"""Fixtures of the review tests: a simulator world (as the export tests build it) and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..helpers.cli import WorldCli
from ..helpers.worlds import WorldDB, build_world_db


@pytest.fixture(scope="session")
def base_world(tmp_path_factory: pytest.TempPathFactory) -> WorldDB:
    return build_world_db(tmp_path_factory.mktemp("review-world"), seed=11, scale=40)


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
