"""Fixtures of the review tests: the export tests' simulator world and in-process CLI."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def _load(name: str, path: Path) -> Any:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


EXPORTS = Path(__file__).resolve().parent.parent / "exports"
simworld = _load("exports_simworld", EXPORTS / "simworld.py")
clitools = _load("exports_clitools", EXPORTS / "clitools.py")


@pytest.fixture(scope="session")
def base_world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return simworld.build_world_db(tmp_path_factory.mktemp("review-world"), seed=11, scale=40)


@pytest.fixture
def world(base_world: Any, tmp_path: Path) -> Any:
    return base_world.copy_to(tmp_path / "w")


@pytest.fixture
def cli(
    world: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable:
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    return clitools.CliRunner(world, capsys)
