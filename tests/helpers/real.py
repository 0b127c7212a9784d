"""Where the recorded response bodies live.

``tests/fixtures`` holds the bodies committed with the repository. The shared real bodies
(``real2``) live in ``../shared/fixtures/real2`` beside the checkout: real platform data read
only as parser inputs, never copied into the repository. A developer's checkout may not have
the shared folder, so a test that needs one is skipped there; CI always has it, so on CI
(``CI=true``) a missing folder fails loudly instead of silently skipping every real-body test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .config import REPO_ROOT

FIXTURES = REPO_ROOT / "tests" / "fixtures"
IMPORT_FIXTURES = FIXTURES / "imports"
REAL = FIXTURES / "real"
REAL2 = REPO_ROOT / ".." / "shared" / "fixtures" / "real2"


def real2_path(name: str) -> Path:
    """The path of one real2 body; skips (or fails on CI) when the shared folder is missing."""
    path = REAL2 / name
    if not path.is_file():
        reason = f"real fixture {name} not found in {REAL2.resolve()}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path
