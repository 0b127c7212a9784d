"""What a fresh ``tracker`` process loads, and the pandas option it must hold whenever pandas is
loaded (``tracker/__init__.py``).

Each case is a new interpreter: the question is what one process imports, which this test
process (pandas loaded long ago) cannot answer.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..helpers.cli import clean_env

REPO_ROOT = Path(__file__).resolve().parents[2]

HEAVY = ("pandas", "numpy", "alembic", "tracker.ranking.pipeline", "tracker.store.models")
"""Modules a command that neither scores nor opens the database has no use for."""

_OPTION = (
    "import pandas\n"
    "print(pandas.get_option('mode.string_storage'), type(pandas.Series(['a']).array).__name__)"
)
"""The option, and the array a column of text gets (``ArrowStringArray`` without it)."""
PYTHON_STRINGS = "python StringArray"


def _python(code: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(
    "first",
    [
        "import tracker",
        "import pandas, tracker",
        "import tracker, pandas.api.types",  # a submodule first loads the package first
    ],
)
def test_pandas_keeps_python_strings_whenever_tracker_is_loaded(first: str, tmp_path: Path) -> None:
    assert _python(f"{first}\n{_OPTION}", tmp_path) == PYTHON_STRINGS


@pytest.mark.parametrize("argv", [["--help"], ["config", "check"]])
def test_a_command_that_reads_no_frame_loads_no_pandas(argv: list[str], tmp_path: Path) -> None:
    """... and pandas loaded after it still gets the option."""
    shutil.copytree(REPO_ROOT / "config", tmp_path / "config")
    code = (
        "import json, sys\n"
        "from tracker.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
        f"{_OPTION}"
    )
    loaded, option = _python(code, tmp_path).splitlines()[-2:]
    assert json.loads(loaded) == []
    assert option == PYTHON_STRINGS


def test_the_text_converter_loads_only_when_text_is_folded(tmp_path: Path) -> None:
    """Loading the store, the registry and the collector's records costs no converter (its
    import loads ``pkg_resources``, about 0.1 s a start); keying a tag loads it, and converts."""
    code = (
        "import json, sys\n"
        "import tracker.services.database, tracker.store.registry, tracker.membership.topics\n"
        "before = [m for m in ('zhconv', 'pkg_resources') if m in sys.modules]\n"
        "from tracker.normalize.tags import tag_key\n"
        "print(json.dumps([before, tag_key('#千萬IP創科普#'), 'zhconv' in sys.modules]))\n"
    )
    before, key, loaded = json.loads(_python(code, tmp_path))
    assert before == []
    assert key == "千万ip创科普" and loaded
