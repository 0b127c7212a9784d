"""Where the shared real response bodies live: ``../shared/fixtures/real2`` beside the checkout.

The files are real platform data read only as parser inputs; they are never copied into the
repository. A developer's checkout may not have the shared folder, so a test that needs one is
skipped there, but CI always has it, so on CI (``CI=true``) a missing folder fails loudly instead
of silently skipping every real-body test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REAL2 = Path(__file__).resolve().parents[1] / ".." / "shared" / "fixtures" / "real2"


def real2_path(name: str) -> Path:
    """The path of one real2 body; skips (or fails on CI) when the shared folder is missing."""
    path = REAL2 / name
    if not path.is_file():
        reason = f"real fixture {name} not found in {REAL2.resolve()}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path
