"""``tracker demo`` collects before and after the 9-27 deadline, so its deadline pack is real.

The notice's lists are due on 9-27 while collection goes on. The demo collects on 9-27 (noon,
Beijing) and on 9-30, then refreshes a day later; ``tracker pack --as-of 2024-09-27`` (one of
the commands the demo prints next) must then hold the works known on 9-27, not all of them, and
a work read on both days must show its 9-27 figure.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tracker.services.demo import DEMO_DEADLINE, next_commands, pack_folder

from ..helpers.cut_demo import run_tracker
from ..helpers.demo import demo_console, demo_copy

CUT = "2024-09-27 16:00:00"
"""The end of 9-27 in Beijing, as the database stores UTC instants."""
WORKS = "优质作品.xlsx"


@dataclass(frozen=True)
class DeadlineDemo:
    out: Path
    """The demo's folder: its database and its (uncut) workbooks."""
    pack: Path
    """The deadline pack written by the demo's own next command."""
    console: str

    @property
    def db(self) -> Path:
        return self.out / "tracker.db"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DeadlineDemo:
    root = demo_copy(tmp_path_factory, "deadline-demo")
    console = demo_console(root)
    folder = pack_folder(DEMO_DEADLINE)
    run_tracker(root, ["--db", "out/tracker.db", "pack", "--as-of", "2024-09-27", "-o", folder])
    return DeadlineDemo(root / "out", root / folder, console)


def _works(path: Path) -> dict[str, dict[str, Any]]:
    """The 作品 sheet of a works list, by 作品编号."""
    wb = load_workbook(path, read_only=True)
    try:
        rows = list(wb["作品"].iter_rows(values_only=True))
    finally:
        wb.close()
    header = rows[0]
    works = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    return {str(w["作品编号"]): w for w in works}


def test_the_deadline_pack_holds_the_works_known_on_9_27_only(demo: DeadlineDemo) -> None:
    full = _works(demo.out / WORKS)
    packed = _works(demo.pack / WORKS)
    manifest = json.loads((demo.pack / "manifest.json").read_text(encoding="utf-8"))
    assert 0 < len(packed) < len(full)
    assert manifest["counts"]["works"] == len(packed)
    assert set(packed) <= set(full)
    with sqlite3.connect(demo.db) as db:
        late = {
            f"{platform}:{pid}"
            for platform, pid in db.execute(
                "SELECT platform, platform_post_id FROM post WHERE first_collected_at > ?", (CUT,)
            )
        }
    assert late & set(full), "the 9-30 collection finds works published after the deadline"
    assert not late & set(packed)


def test_a_work_read_on_both_days_shows_its_9_27_figure_in_the_pack(demo: DeadlineDemo) -> None:
    with sqlite3.connect(demo.db) as db:
        changed = db.execute(
            """
            SELECT s.platform || ':' || s.platform_post_id, s.likes, p.likes
            FROM metric_snapshot s JOIN post p USING (platform, platform_post_id)
            WHERE s.source = 'live' AND s.captured_at <= ? AND s.likes <> p.likes
              AND EXISTS (SELECT 1 FROM metric_snapshot t
                          WHERE t.platform = s.platform
                            AND t.platform_post_id = s.platform_post_id
                            AND t.captured_at > ?)
            """,
            (CUT, CUT),
        ).fetchall()
    full, packed = _works(demo.out / WORKS), _works(demo.pack / WORKS)
    shown = [(key, before, latest) for key, before, latest in changed if key in packed]
    assert shown, "some work collected on 9-27 must have grown by the later readings"
    for key, before, latest in shown:
        assert packed[key]["点赞"] == before, key
        assert full[key]["点赞"] == latest, key


def test_the_console_names_each_collection_by_its_day(demo: DeadlineDemo) -> None:
    summary = json.loads((demo.out / "summary.json").read_text(encoding="utf-8"))
    steps = [s["step"] for s in summary["steps"]]
    collections = ["采集六个平台（9月27日，模拟器）", "采集六个平台（9月30日，模拟器）"]
    assert steps[:3] == [*collections, "导入单位报送表"]
    assert all(name in demo.console for name in collections)
    second = summary["steps"][1]["result"]
    assert "新增作品" in second and "再次读取" in second


def test_the_next_commands_include_the_deadline_pack() -> None:
    commands = next_commands(Path("demo-output") / "tracker.db")
    pack = "tracker --db demo-output/tracker.db pack --as-of 2024-09-27 -o 截止9月27日"
    assert pack in commands
    assert commands[-1].endswith(" dashboard")
