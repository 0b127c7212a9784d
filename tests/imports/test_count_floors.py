"""A displayed "100万+" is a floor: stored as 1,000,000 and marked as a lower bound end to end.

Weibo sends ``reposts_count`` / ``comments_count`` as the string "100万+" on very popular posts.
No real body in ``shared/fixtures/real2`` carries one, so these tests take the real body
``weibo-ajax-statuses-show-video.json`` and replace its ``reposts_count`` (1669) by "100万+" in
memory before importing it through ``tracker import``: everything else is the real response.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from tests.helpers.cli import cli, cli_json
from tests.helpers.database import post, snapshots
from tests.helpers.real import real2_path
from tracker.config import TrackerConfig
from tracker.imports.service import import_paths

SHOW_VIDEO = "weibo-ajax-statuses-show-video.json"
MID = "5234001406855704"
DAY_1 = 1_767_225_600  # 2026-01-01 00:00:00 UTC


def _video_body_with_floor(tmp_path: Path, **counts: Any) -> Path:
    """The real show-video body with the given count fields replaced (written to tmp_path)."""
    body = json.loads(real2_path(SHOW_VIDEO).read_text(encoding="utf-8"))
    body.update(counts)
    path = tmp_path / "weibo-show-video-floor.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


def test_real_weibo_body_with_reposts_floor_is_stored_and_exported_as_lower_bound(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    """Real body, ``reposts_count`` replaced by the string "100万+" (see module docstring)."""
    report = cli_json(db_url, str(_video_body_with_floor(tmp_path, reposts_count="100万+")))
    assert report["status"] == "ok" and report["counts"]["new"] == 1

    (snap,) = snapshots(engine, "weibo", MID)
    assert snap["shares"] == 1_000_000
    assert snap["lower_bounds"] == "shares"
    # the other counts of the real body are exact figures
    assert (snap["comments"], snap["likes"]) == (386, 9887)
    work = post(engine, "weibo", MID)
    assert work["shares"] == 1_000_000 and work["lower_bounds"] == "shares"

    result = cli(db_url, "export", "posts", "--format", "jsonl", "-o", "-")
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(x) for x in result.stdout.splitlines() if x.strip()]
    assert line["metrics"]["shares"] == 1_000_000
    assert line["lower_bound_metrics"] == ["shares"]


def test_exact_counts_of_the_real_body_carry_no_mark(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    cli_json(db_url, str(real2_path(SHOW_VIDEO)))
    (snap,) = snapshots(engine, "weibo", MID)
    assert snap["shares"] == 1669 and snap["lower_bounds"] is None
    result = cli(db_url, "export", "posts", "--format", "jsonl", "-o", "-")
    (line,) = [json.loads(x) for x in result.stdout.splitlines() if x.strip()]
    assert line["lower_bound_metrics"] == []


def test_a_later_exact_figure_clears_the_mark_and_a_missing_one_keeps_it(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    """Both bodies are the real body with counts replaced; the second is captured later."""
    first = _video_body_with_floor(tmp_path, reposts_count="100万+", comments_count="100万+")
    os.utime(first, (DAY_1, DAY_1))  # a saved body is captured when it was written
    cli_json(db_url, str(first))
    second = tmp_path / "later"
    second.mkdir()
    later = _video_body_with_floor(second, reposts_count=1_234_567)
    body = json.loads(later.read_text(encoding="utf-8"))
    body.pop("comments_count")  # not shown in the later capture: the stored floor stays
    later.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    os.utime(later, (DAY_1 + 86_400, DAY_1 + 86_400))
    cli_json(db_url, str(later))

    work = post(engine, "weibo", MID)
    assert (work["shares"], work["comments"]) == (1_234_567, 1_000_000)
    assert work["lower_bounds"] == "comments"
    marks = [s["lower_bounds"] for s in snapshots(engine, "weibo", MID)]
    assert marks == ["comments,shares", None]


def test_a_submitted_floor_is_stored_as_one(
    tmp_path: Path, engine: Engine, config: TrackerConfig
) -> None:
    """A unit's submission list with "10万+" likes (staff copy the platform's display)."""
    path = tmp_path / "报送.csv"
    path.write_text(
        "作品链接,点赞,评论\nhttps://weibo.com/1959830294/4069372986738497,10万+,12\n",
        encoding="utf-8",
    )
    report = import_paths(engine, [path], config=config)
    assert report.counts.new == 1
    (snap,) = snapshots(engine, "weibo", "4069372986738497")
    assert (snap["likes"], snap["comments"], snap["lower_bounds"]) == (100_000, 12, "likes")
