"""Test code shared across the suite: configs, databases, the simulator, the command line.

One home so every directory judges "a fresh database", "collected from the simulator" and
"equals the ground truth" by the same code. Fixtures defined here are registered by the root
``conftest.py``; plain functions are imported relatively (``from ..helpers.database import rows``)
because the suite runs in importlib mode.
"""
