"""The scheduler's digest and ``tracker status`` count the campaign as the report counts it.

On a small demo database that also holds a second campaign (one work linked only to it), the
daily summary of a day (``summary.json`` and the digest sent to the group robots) must give,
per platform, the works of the report written beside it (``tracker report --date <day>``) as
its 累计, and the ranked list's works published that day as its 新增; ``tracker status``'s 活动作品
must be the report's works with no cut. Before both went through the read model, the digest
counted every campaign's works by their own SQL (deleted works left out, the cut ignored) and
status every campaign's links.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.helpers.cut_demo import run_tracker as _run
from tests.helpers.demo import demo_copy
from tracker.config import TrackerConfig, load_config
from tracker.ranking.selection import parse_as_of
from tracker.schedule import reports
from tracker.schedule.alerts import digest_alert
from tracker.store.engine import make_engine, sqlite_url

REPO_ROOT = Path(__file__).resolve().parents[2]
BEIJING = ZoneInfo("Asia/Shanghai")
OTHER = "另一个活动2024"
OTHER_CAMPAIGN = f"""
[[campaigns]]
name = "{OTHER}"
title = "同一数据库中的另一个活动"
tags = ["#另一个活动#"]
window_start = "2024-09-01"
window_end = "2024-09-30"
timezone = "Asia/Shanghai"
"""


@dataclass(frozen=True)
class Demo:
    root: Path
    db: Path
    config_path: Path
    days: tuple[date, ...]
    """The Beijing days the demo collected on, and the day of its last refresh."""

    def run(self, *args: str) -> str:
        return _run(self.root, ["--db", str(self.db), "--config", str(self.config_path), *args])

    def config(self) -> TrackerConfig:
        return load_config(self.config_path)


def _beijing_day(stored: str) -> date:
    """The Beijing day of a stored UTC timestamp."""
    return datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone(BEIJING).date()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    root = demo_copy(tmp_path_factory, "digest")
    config_path = root / "config" / "campaign.toml"
    out = root / "out"
    db = out / "tracker.db"
    with sqlite3.connect(db) as conn:
        loose = conn.execute(
            "SELECT p.platform, p.platform_post_id FROM post p LEFT JOIN post_campaign pc "
            "USING (platform, platform_post_id) WHERE pc.platform IS NULL "
            # not where the deleted work is, so the two differences cannot cancel out
            "AND p.platform NOT IN (SELECT platform FROM post WHERE deleted = 1) "
            "ORDER BY 1, 2 LIMIT 1"
        ).fetchone()
        seen = [r[0] for r in conn.execute("SELECT DISTINCT first_collected_at FROM post")]
        refreshed = conn.execute("SELECT max(captured_at) FROM metric_snapshot").fetchone()[0]
    assert loose, "the demo stores works of no campaign"
    with config_path.open("a", encoding="utf-8") as fh:
        fh.write(OTHER_CAMPAIGN)
    d = Demo(
        root,
        db,
        config_path,
        tuple(sorted({_beijing_day(t) for t in [*seen, refreshed]})),
    )
    d.run("init")  # writes the second campaign
    d.run(
        "campaign", "include", f"{loose[0]}:{loose[1]}",
        "--campaign", OTHER, "--note", "另一个活动的作品", "--by", "测试",
    )  # fmt: skip
    yield d


def _report(demo: Demo, *extra: str) -> dict[str, Any]:
    out = demo.root / f"report{'-'.join(extra)}.html"
    demo.run("report", "-o", str(out), *extra)
    html = out.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="report-figures">(.*?)</script>', html)
    assert m, "the report embeds its figures"
    return json.loads(m.group(1))


def _works(figures: dict[str, Any]) -> dict[str, int]:
    return {r["platform"]: r["works"] for r in figures["by_platform"] if r["works"]}


def _nonzero(counts: dict[str, dict[str, int]], key: str) -> dict[str, int]:
    return {p: c[key] for p, c in counts.items() if c[key]}


def _daily_summary(
    demo: Demo, day: date, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``summary.json`` of the scheduler's daily folder for ``day`` and the digest's data."""
    monkeypatch.setattr(reports, "DAILY_REPORT_REF", "dashboards.no_such_report:build_daily")
    engine = make_engine(sqlite_url(demo.db))
    try:
        folder, summary = reports.write_daily(
            engine, demo.config(), tmp_path, day, now=datetime(2024, 10, 2, tzinfo=UTC)
        )
    finally:
        engine.dispose()
    written = json.loads((folder / reports.SUMMARY_FILE).read_text(encoding="utf-8"))
    return written, dict(digest_alert(summary).data)


def _first_collected(demo: Demo, day: date) -> dict[str, int]:
    """Works of the configured campaign first collected on ``day`` (Beijing), by plain SQL."""
    lo = parse_as_of(date.fromordinal(day.toordinal() - 1).isoformat())
    hi = parse_as_of(day.isoformat())
    fmt = "%Y-%m-%d %H:%M:%S"
    with sqlite3.connect(demo.db) as conn:
        rows = conn.execute(
            "SELECT p.platform, count(*) FROM post p JOIN post_campaign pc "
            "USING (platform, platform_post_id) JOIN campaign c ON c.id = pc.campaign_id "
            "WHERE c.name = ? AND pc.excluded = 0 "
            "AND p.first_collected_at >= ? AND p.first_collected_at < ? GROUP BY 1",
            (demo.config().campaign(None).name, lo.strftime(fmt), hi.strftime(fmt)),
        ).fetchall()
    return {p: int(n) for p, n in rows}


def test_the_demo_has_what_the_agreement_needs(demo: Demo) -> None:
    with sqlite3.connect(demo.db) as conn:
        (deleted,) = conn.execute("SELECT count(*) FROM post WHERE deleted = 1").fetchone()
    assert deleted, "a deleted campaign work: the digest used to leave it out"
    assert len(demo.days) >= 3, demo.days  # two collections and the refresh


@pytest.mark.parametrize("which", ["first-collection", "last-day"])
def test_digest_counts_what_the_report_counts_at_the_same_cut(
    demo: Demo, which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = demo.days[0] if which == "first-collection" else demo.days[-1]
    summary, digest = _daily_summary(demo, day, tmp_path, monkeypatch)
    # the summary is written after the demo's last collection: the report written beside it
    report = _report(demo, "--date", day.isoformat())
    assert _nonzero(summary["platforms"], "total_works") == _works(report)
    assert summary["total_works"] == report["headline"]["works"]
    ranked = json.loads(
        demo.run(
            "rank", "works", "--format", "json", "--include-unreviewed",
            "--published-from", day.isoformat(), "--published-to", day.isoformat(),
        )
    )  # fmt: skip
    assert _nonzero(summary["platforms"], "new_works") == dict(
        Counter(w["platform"] for w in ranked)
    )
    assert _nonzero(summary["platforms"], "first_collected") == _first_collected(demo, day)
    assert digest["platforms"] == summary["platforms"]
    assert digest["total_works"] == summary["total_works"]


def test_status_counts_the_campaign_works_the_report_counts(demo: Demo) -> None:
    body = json.loads(demo.run("status", "--format", "json"))
    shown = {p["platform"]: p["campaign_posts"] for p in body["platforms"] if p["campaign_posts"]}
    report = _report(demo)
    assert shown == _works(report)
    assert body["totals"]["campaign_posts"] == report["headline"]["works"]
