"""One ``tracker demo --scale 40`` per test process, copied for each module that needs one.

Several modules read a demo database (the deadline pack, the dashboard's cut, the digest, the
no-"nan" scan...). The demo is deterministic (seeded world, virtual clock), so building it once
per process and handing each module its own copy gives every module the same database it would
have built itself, at a fraction of the time; a module may change its copy freely.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .config import CONFIG_DIR
from .cut_demo import run_tracker

__all__ = ["DEMO_SCALE", "demo_console", "demo_copy"]

DEMO_SCALE = 40
CONSOLE = "demo-console.txt"
_built: dict[int, Path] = {}


def _source(tmp_path_factory: pytest.TempPathFactory, scale: int) -> Path:
    """The process's demo at ``scale``: ``config/`` (the repository's) and ``out/``, built on
    first use; the demo's console output is kept beside them."""
    root = _built.get(scale)
    if root is None:
        root = tmp_path_factory.mktemp(f"demo-source-{scale}")
        shutil.copytree(CONFIG_DIR, root / "config")
        config = str(root / "config" / "campaign.toml")
        console = run_tracker(
            root, ["--config", config, "demo", "--out", "out", "--scale", str(scale)]
        )
        (root / CONSOLE).write_text(console, encoding="utf-8")
        _built[scale] = root
    return root


def demo_copy(tmp_path_factory: pytest.TempPathFactory, name: str, scale: int = DEMO_SCALE) -> Path:
    """A fresh folder holding ``config/`` and ``out/`` (``out/tracker.db``, the report and the
    workbooks) of the demo at ``scale``."""
    root = tmp_path_factory.mktemp(name)
    shutil.copytree(_source(tmp_path_factory, scale), root, dirs_exist_ok=True)
    return root


def demo_console(root: Path) -> str:
    """What the demo printed while it ran (for a copy made by :func:`demo_copy`)."""
    return (root / CONSOLE).read_text(encoding="utf-8")
