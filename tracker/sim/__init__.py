"""The platform simulator: a seeded world served on loopback in each platform's real shapes.

Public entry points (imported lazily, so platform modules importing ``tracker.sim.model`` stay
cheap): :class:`SimServer` (context manager), :class:`World`, :func:`iter_truth`,
:class:`FaultConfig`, and ``sim_app`` (the ``tracker sim`` command group).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.sim.api import SimServer
    from tracker.sim.cli import sim_app
    from tracker.sim.faults import FaultConfig
    from tracker.sim.truth import iter_truth
    from tracker.sim.world import World

__all__ = ["FaultConfig", "SimServer", "World", "iter_truth", "sim_app"]

_EXPORTS = {
    "SimServer": "tracker.sim.api",
    "World": "tracker.sim.world",
    "iter_truth": "tracker.sim.truth",
    "FaultConfig": "tracker.sim.faults",
    "sim_app": "tracker.sim.cli",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tracker.sim' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
