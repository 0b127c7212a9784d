"""The suite's file order for the parallel workers: slowest files first, nothing lost."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from tests.helpers.schedule_order import file_times, listed_files, slowest_first


def _items(*nodeids: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(nodeid=n) for n in nodeids]


def test_listed_files_go_first_in_list_order_and_files_stay_whole() -> None:
    items = _items("a.py::t1", "b.py::t1", "a.py::t2", "c.py::t1", "b.py::t2")
    got = [i.nodeid for i in slowest_first(items, ["c.py", "b.py"])]  # type: ignore[arg-type]
    assert got == ["c.py::t1", "b.py::t1", "b.py::t2", "a.py::t1", "a.py::t2"]


def test_an_empty_or_missing_list_keeps_the_collection_order(tmp_path: Path) -> None:
    items = _items("b.py::t", "a.py::t")
    assert listed_files(tmp_path / "none.txt") == []
    assert [i.nodeid for i in slowest_first(items, [])] == ["b.py::t", "a.py::t"]  # type: ignore[arg-type]


def test_listed_files_skip_comments(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("# header\ntests/x.py  # 12.0 s\n\ntests/y.py\n", "utf-8")
    assert listed_files(path) == ["tests/x.py", "tests/y.py"]


def test_file_times_sum_setup_call_and_teardown_per_file() -> None:
    out = """
============ slowest durations ============
12.50s call     tests/a.py::test_one
2.00s setup    tests/a.py::test_one
1.25s call     tests/b.py::test_two[x-1]
0.50s teardown tests/a.py::test_three
"""
    assert file_times(out) == {"tests/a.py": 15.0, "tests/b.py": 1.25}
