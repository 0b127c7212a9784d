"""The order in which pytest-xdist hands test files to its workers: the slowest first.

With ``--dist loadfile`` a worker takes one file at a time, in collection order. xdist's own
reordering puts the files with the most tests first, which leaves a few slow files with few
tests (a property test over random registries, a statistical world, a browser tour) for the end,
where one worker runs them while the other waits. Handing out the slowest files first (longest
processing time first) lets the many quick files fill the gaps, so both workers finish together.

``tests/slowest-files.txt`` lists the files by measured time, slowest first; files not listed
keep their collection order after the listed ones. It only orders: a missing, stale or empty list
runs the same tests, in a less even schedule. Regenerate it from a full run's durations::

    pytest --durations=0 -q > durations.txt
    python -m tests.helpers.schedule_order durations.txt > tests/slowest-files.txt
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import pytest

LIST = Path(__file__).resolve().parent.parent / "slowest-files.txt"
_DURATION = re.compile(r"^([0-9.]+)s (?:call|setup|teardown)\s+(\S+?)::")


def listed_files(path: Path = LIST) -> list[str]:
    """The file paths in ``path``, slowest first (comments and blank lines skipped)."""
    if not path.is_file():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line]


def slowest_first(items: Sequence[pytest.Item], files: Sequence[str]) -> list[pytest.Item]:
    """``items`` with the listed files' tests first, in list order; a stable sort, so the tests
    of one file stay together and in their own order."""
    rank = {name: i for i, name in enumerate(files)}
    last = len(files)
    return sorted(items, key=lambda item: rank.get(item.nodeid.split("::", 1)[0], last))


def file_times(durations: str) -> dict[str, float]:
    """Seconds per test file from ``pytest --durations=0`` output (setup, call and teardown)."""
    totals: dict[str, float] = defaultdict(float)
    for line in durations.splitlines():
        match = _DURATION.match(line.strip())
        if match:
            totals[match.group(2)] += float(match.group(1))
    return dict(totals)


def main(argv: list[str]) -> int:
    times = file_times(Path(argv[0]).read_text("utf-8"))
    print("# Test files by measured time, slowest first (see tests/helpers/schedule_order.py).")
    for name, seconds in sorted(times.items(), key=lambda kv: -kv[1]):
        if seconds >= 1.0:
            print(f"{name}  # {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
