"""The benchmarks are scripts, not package modules: tests that keep one from rotting load it
from its file, once per process."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from .config import REPO_ROOT

__all__ = ["load_bench"]


def load_bench(script: str) -> ModuleType:
    """``bench/<script>.py`` as a module (registered, so a second load is the same module)."""
    name = f"bench_{script}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "bench" / f"{script}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
