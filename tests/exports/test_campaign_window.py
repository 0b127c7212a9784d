"""The campaign window on a collected world: ``rank works`` (json, table), the works sheet and
the summary's 优秀作品. The simulator publishes some tagged works before and after the window
(2024-09-01 to 2024-09-30, Beijing); the oracle here reads the window from the config's dates
and the publish times from the database, not from the ranking."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import create_engine, text

BEIJING = timedelta(hours=8)
WINDOW = (datetime(2024, 9, 1, tzinfo=UTC) - BEIJING, datetime(2024, 10, 1, tzinfo=UTC) - BEIJING)


def _json(cli, *args: str) -> list[dict]:
    res = cli(*args, "--format", "json")
    assert res.code == 0, res.err
    return json.loads(res.out)


def _key(w: dict) -> str:
    return f"{w['platform']}:{w['platform_post_id']}"


def _published(url: str) -> dict[str, datetime | None]:
    """Each campaign work's publish time as stored, by ``platform:id``."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT p.platform, p.platform_post_id, p.published_at FROM post p"
                    " JOIN post_campaign pc ON pc.platform = p.platform"
                    " AND pc.platform_post_id = p.platform_post_id WHERE pc.excluded = 0"
                )
            ).all()
    finally:
        engine.dispose()
    out: dict[str, datetime | None] = {}
    for platform, pid, at in found:
        when = datetime.fromisoformat(str(at)).replace(tzinfo=UTC) if at else None
        out[f"{platform}:{pid}"] = when
    return out


def _admit_by_hand(url: str, key: str) -> None:
    """Mark a work as staff added it (``tracker campaign include`` writes matched_by=manual)."""
    platform, pid = key.split(":", 1)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE post_campaign SET matched_by = 'manual'"
                    " WHERE platform = :p AND platform_post_id = :i"
                ),
                {"p": platform, "i": pid},
            )
    finally:
        engine.dispose()


def _outside(published: dict[str, datetime | None]) -> set[str]:
    start, end = WINDOW
    return {k for k, at in published.items() if at is not None and not start <= at < end}


def _setup(cli, world) -> tuple[str, str, str]:
    """(best work inside, best work outside, an outside work admitted by hand), all approved."""
    published = _published(world.url)
    outside = _outside(published)
    assert len(outside) >= 2, "the world should publish some works outside the window"
    works = _json(cli, "rank", "works", "--include-unreviewed")
    inside = next(_key(w) for w in works if _key(w) not in outside)
    out_best, admitted = [_key(w) for w in works if _key(w) in outside][:2]
    _admit_by_hand(world.url, admitted)
    res = cli("review", "approve", inside, out_best, admitted, "--by", "王五")
    assert res.code == 0, res.err
    return inside, out_best, admitted


def test_rank_works_json_has_the_window_flags(cli, world) -> None:
    inside, out_best, admitted = _setup(cli, world)
    outside = _outside(_published(world.url))
    works = _json(cli, "rank", "works", "--include-unreviewed")
    assert len(works) == len(_published(world.url))
    for w in works:
        key = _key(w)
        assert w["in_window"] is (key not in outside), key
        assert w["admitted"] is (key == admitted), key
        want = (
            w["review_status"] == "approved"
            and not w["risk_flag"]
            and (key not in outside or key == admitted)
        )
        assert w["recommendable"] is want, key
    by_key = {_key(w): w for w in works}
    assert by_key[out_best]["quality_score"] is not None  # kept and scored
    assert by_key[out_best]["recommendable"] is False
    assert by_key[admitted]["recommendable"] is not by_key[admitted]["risk_flag"]


def test_rank_works_table_marks_works_outside_the_window(cli, world) -> None:
    _inside, out_best, admitted = _setup(cli, world)
    res = cli("rank", "works")  # the approved works: one inside, two outside
    assert res.code == 0, res.err
    assert "窗口" in res.out
    lines = {
        k: next(line for line in res.out.splitlines() if k in line) for k in (out_best, admitted)
    }
    assert "窗口外" in lines[out_best]
    assert "人工加入" in lines[admitted]
    assert "「窗口外」" in res.err


def test_works_sheet_and_summary_keep_out_of_window_works_out_of_the_best(
    cli, world, tmp_path: Path
) -> None:
    inside, out_best, admitted = _setup(cli, world)
    n_outside = len(_outside(_published(world.url)))

    works_path = tmp_path / "works.xlsx"
    assert cli("export", "works", "--include-unreviewed", "-o", str(works_path)).code == 0
    wb = load_workbook(works_path)
    rows = list(wb["作品"].iter_rows(values_only=True))
    header = list(rows[0])
    col = header.index("活动窗口")
    assert header[col - 1] == "发布时间（北京时间）"
    window = {r[header.index("作品编号")]: r[col] for r in rows[1:]}
    assert (window[inside], window[out_best], window[admitted]) == ("窗口内", "窗口外", "人工加入")
    assert sum(v == "窗口外" for v in window.values()) == n_outside - 1
    about = {r[0]: r[1] for r in wb["说明"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert f"窗口外作品 {n_outside - 1} 件，人工加入的窗口外作品 1 件" in about["活动窗口"]

    summary_path = tmp_path / "summary.xlsx"
    assert cli("export", "summary", "-o", str(summary_path)).code == 0
    best = list(load_workbook(summary_path)["优秀作品"].iter_rows(values_only=True))
    ids = [r[best[0].index("作品编号")] for r in best[1:]]
    assert sorted(ids) == sorted([inside, admitted])  # approved, but 窗口外: never commended
