"""Let the test run cache compiled modules even where the shell sets PYTHONDONTWRITEBYTECODE.

The suite starts two workers and several hundred ``tracker`` processes. Without bytecode each
process compiles the project's modules anew (about 0.35 s each) and each worker rewrites every
test module's asserts again (about 8 s). The cache goes to ``.pycache/`` at the checkout's root,
outside the source folders, which is what the setting is there to keep clean.

Imported for this effect, first, by the root ``conftest.py``: the workers and the commands the
tests start inherit the environment, and this process compiles the test modules after it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def keep_bytecode() -> None:
    if not os.environ.pop("PYTHONDONTWRITEBYTECODE", None):
        return
    prefix = os.environ.setdefault(
        "PYTHONPYCACHEPREFIX", str(Path(__file__).resolve().parents[2] / ".pycache")
    )
    sys.pycache_prefix = sys.pycache_prefix or prefix
    sys.dont_write_bytecode = False


keep_bytecode()
