"""``bench/daily_cycle.py`` at a tiny size, so the benchmark cannot rot unnoticed.

The bench is a script, not a package module: it is loaded from its file, and its ``main`` runs
two virtual days over a very small simulated world. The printed table must hold one row per
enabled live platform, every figure a number that is not negative.
"""

from __future__ import annotations

import json

import pytest

from ..helpers.bench import load_bench
from ..helpers.config import load_repo_config


def _first_table(text: str) -> list[list[str]]:
    """The cells of the first Markdown table's body rows (header and rule left out)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| platform"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _number(cell: str) -> float:
    return float(cell.replace(",", "").replace("%", "").strip())


def test_daily_cycle_bench_prints_a_row_per_live_platform(capsys: pytest.CaptureFixture) -> None:
    report = load_bench("daily_cycle").main(["--days", "2", "--scale", "40", "--quiet"])
    out = capsys.readouterr().out

    rows = _first_table(out)
    platforms = load_repo_config().enabled_platforms()
    assert [r[0] for r in rows] == platforms
    for row in rows:
        figures = [c for c in row[1:] if c not in ("–", "不限速")]
        assert len(figures) >= 8, row  # rate, works and requests are always known
        assert all(_number(c) >= 0 for c in figures), row
        assert _number(row[3]) > 0, row  # a day's collection sends requests

    machine = json.loads(out.strip().splitlines()[-1])
    assert machine["bench"] == "daily_cycle" and machine["days"] == 2
    assert [c["platform"] for c in machine["plan_check_last_day"]] == platforms
    assert report["platforms"] == machine["platforms"]
