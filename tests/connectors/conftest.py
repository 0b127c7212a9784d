"""Puts this folder on ``sys.path`` so every platform's tests can ``import simworlds``.

The suite runs in importlib mode, where a test module cannot import a sibling helper by name;
conftest files load parent-first, so this runs before any platform folder's own conftest.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
