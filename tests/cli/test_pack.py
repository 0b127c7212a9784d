"""``tracker pack --as-of``: the deadline pack, every file cut at the same instant.

The world is collected twice on the simulator's clock, on 9-20 and on 10-05 (Beijing evening),
and packed as of 9-27. So some works are first seen only after the cut (they must be in no
file), and works seen on 9-20 were read again on 10-05 (every file must show the 9-20 figure).
A few works are approved first, so the 推荐名单 is not empty; one approved work is first seen
after the cut, and must still be absent.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, text

from tracker.cli import main

from ..helpers.worlds import WorldDB, build_world_db

CLOCKS = (datetime(2024, 9, 20, 12, tzinfo=UTC), datetime(2024, 10, 5, 12, tzinfo=UTC))
CUT = "2024-09-27 16:00:00"
"""The end of 9-27 in Beijing, as the database stores UTC instants."""
XLSX = ("活动汇总.xlsx", "优质作品.xlsx", "创作者.xlsx", "组织单位.xlsx", "推荐名单.xlsx")
FILES = ("report.html", *XLSX, "manifest.json")
REVIEWER = "王审核"


def _run(*argv: str) -> int:
    try:
        main(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _query(url: str, sql: str) -> list[dict[str, Any]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


CAMPAIGN_POSTS = """
    select p.platform, p.platform_post_id, p.first_collected_at, p.likes, p.deleted
    from post p join post_campaign c
      on c.platform = p.platform and c.platform_post_id = p.platform_post_id
    where c.excluded = 0
    order by p.platform, p.platform_post_id
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> WorldDB:
    """Collected on 9-20 and 10-05; six early works and one late work approved."""
    world = build_world_db(tmp_path_factory.mktemp("pack-world"), seed=11, scale=40, clocks=CLOCKS)
    posts = _query(world.url, CAMPAIGN_POSTS)
    early = [p for p in posts if str(p["first_collected_at"]) <= CUT and not p["deleted"]]
    late = [p for p in posts if str(p["first_collected_at"]) > CUT and not p["deleted"]]
    assert len(early) >= 6 and late, "the world must have works on both sides of the cut"
    ids = [f"{p['platform']}:{p['platform_post_id']}" for p in [*early[::3][:6], late[0]]]
    assert _run("--db", world.url, "--config", str(world.config_path),
                "review", "approve", *ids, "--by", REVIEWER) == 0  # fmt: skip
    return world


@pytest.fixture(scope="module")
def packs(world: WorldDB, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same pack written twice, into two folders."""
    out = tmp_path_factory.mktemp("packs")
    dirs = (out / "第一次", out / "第二次")
    for d in dirs:
        code = _run("--db", world.url, "--config", str(world.config_path),
                    "pack", "--as-of", "2024-09-27", "-o", str(d))  # fmt: skip
        assert code == 0
    return dirs


def _manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _table(path: Path, sheet: str) -> list[dict[str, Any]]:
    """A list sheet as rows keyed by its header (row 1)."""
    wb = load_workbook(path, read_only=True)
    try:
        rows = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()
    header = rows[0]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def _all_cells(path: Path) -> str:
    """Every cell of every sheet of a workbook, as one text."""
    wb = load_workbook(path, read_only=True)
    try:
        return "\n".join(
            str(v)
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
            for v in row
            if v is not None
        )
    finally:
        wb.close()


def test_the_pack_holds_the_seven_files_and_the_manifest_lists_them(packs) -> None:
    first, _ = packs
    assert sorted(p.name for p in first.iterdir()) == sorted(FILES)
    manifest = _manifest(first)
    assert manifest["as_of"] == "2024-09-28T00:00:00+08:00"
    assert manifest["filters"]["as_of"] == "2024-09-27T16:00:00+00:00"
    assert manifest["campaign"]
    listed = {f["name"]: f for f in manifest["files"]}
    assert list(listed) == [n for n in FILES if n != "manifest.json"]
    for name, entry in listed.items():
        data = (first / name).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()


def _registry_units(url: str, works: list[dict[str, Any]]) -> set[int]:
    """Registry units listing the account of at least one of ``works`` (rows of a list)."""
    accounts = {(r["作品编号"].split(":")[0], r["账号ID"]) for r in works if r["账号ID"]}
    links = _query(url, "select platform, platform_uid, unit_id from account_unit")
    return {u["unit_id"] for u in links if (u["platform"], u["platform_uid"]) in accounts}


def test_manifest_counts_equal_the_rows_of_the_files(world, packs) -> None:
    first, _ = packs
    counts = _manifest(first)["counts"]
    works = _table(first / "优质作品.xlsx", "作品")
    recommended = _table(first / "推荐名单.xlsx", "推荐名单")
    assert counts["works"] == len(works) > 0
    assert counts["accounts"] == len({(r["平台"], r["账号ID"]) for r in works if r["账号ID"]})
    assert counts["units"] == len(_registry_units(world.url, works)) > 0
    assert counts["recommended"] == len(recommended) > 0
    # the summary and the units list count approved works (the default review rule)
    approved = [r for r in works if r["审核状态"] == "通过"]
    overview = {r["项目"]: r["数值"] for r in _table(first / "活动汇总.xlsx", "概况")}
    assert overview["作品数"] == len(approved)
    assert overview["有作品的单位数"] == len(_registry_units(world.url, approved))


def test_with_unreviewed_works_the_summary_counts_what_the_manifest_counts(
    world: WorldDB, tmp_path: Path
) -> None:
    out = tmp_path / "含未审核"
    code = _run("--db", world.url, "--config", str(world.config_path),
                "pack", "--as-of", "2024-09-27", "-o", str(out), "--include-unreviewed")  # fmt: skip
    assert code == 0
    manifest = _manifest(out)
    counts = manifest["counts"]
    overview = {r["项目"]: r["数值"] for r in _table(out / "活动汇总.xlsx", "概况")}
    assert overview["作品数"] == counts["works"]
    assert overview["账号数"] == counts["accounts"]
    assert overview["有作品的单位数"] == counts["units"]
    by_unit = _table(out / "活动汇总.xlsx", "按单位")
    assert sum(1 for r in by_unit if (r["作品数"] or 0) > 0) == counts["units"]
    assert manifest["filters"]["review"] == "all"


def test_the_recommended_list_is_approved_unflagged_works_inside_the_window(packs) -> None:
    first, _ = packs
    works = _table(first / "优质作品.xlsx", "作品")
    recommended = _table(first / "推荐名单.xlsx", "推荐名单")
    eligible = {
        r["作品编号"]
        for r in works
        if r["审核状态"] == "通过" and r["待核查"] != "是" and r["活动窗口"] != "窗口外"
    }
    assert {r["作品编号"] for r in recommended} == eligible
    assert [r["排名"] for r in recommended] == list(range(1, len(recommended) + 1))
    # every work of the cut is in the works list, reviewed or not, for staff to review
    assert {r["审核状态"] for r in works} >= {"通过", "待审核"}


def test_a_work_first_seen_after_the_cut_is_in_no_file(world, packs) -> None:
    first, _ = packs
    late = [p for p in _query(world.url, CAMPAIGN_POSTS) if str(p["first_collected_at"]) > CUT]
    assert late
    texts = {name: _all_cells(first / name) for name in XLSX}
    texts["report.html"] = (first / "report.html").read_text(encoding="utf-8")
    for p in late:
        for name, body in texts.items():
            assert p["platform_post_id"] not in body, (name, p)


def test_a_metric_read_again_after_the_cut_shows_the_reading_before_it(world, packs) -> None:
    first, _ = packs
    changed = _query(
        world.url,
        f"""
        select s.platform, s.platform_post_id, s.likes as before_cut, p.likes as latest
        from metric_snapshot s join post p
          on p.platform = s.platform and p.platform_post_id = s.platform_post_id
        where s.captured_at <= '{CUT}' and p.likes <> s.likes and p.deleted = 0
          and p.first_collected_at <= '{CUT}'
          and not exists (select 1 from metric_snapshot t
                          where t.platform = s.platform and t.platform_post_id = s.platform_post_id
                            and t.captured_at <= '{CUT}' and t.captured_at > s.captured_at)
        """,
    )
    works = {r["作品编号"]: r for r in _table(first / "优质作品.xlsx", "作品")}
    shown = [c for c in changed if f"{c['platform']}:{c['platform_post_id']}" in works]
    assert shown, "some work seen before the cut must have been read again after it"
    for c in shown:
        assert works[f"{c['platform']}:{c['platform_post_id']}"]["点赞"] == c["before_cut"], c


def test_every_workbook_says_it_holds_the_cut(packs) -> None:
    first, _ = packs
    for name in XLSX:
        about = {r["项目"]: r["内容"] for r in _table(first / name, "说明")}
        assert "数据截至 2024-09-27 24:00" in about["筛选条件"], name
        assert about["导出时间"].startswith("2024-09-28 00:00"), name
        # the 数据来源 rows name the collection of 9-20, not the one of 10-05 after the cut
        sources = [v for k, v in about.items() if k and k.startswith("数据来源：")]
        assert sources and all("运行 1 次" in v for v in sources), (name, sources)
        assert "2024-10-05" not in _all_cells(first / name), name


def test_a_second_run_writes_the_same_bytes(packs) -> None:
    first, second = packs
    for name in (*XLSX, "manifest.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_the_command_prints_one_line_per_file_and_the_manifest(
    world: WorldDB, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "包"
    code = _run("--db", world.url, "--config", str(world.config_path),
                "pack", "--as-of", "2024-09-27T18:00", "-o", str(out))  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    text_out = captured.out + captured.err
    for name in FILES:
        assert sum(name in line for line in text_out.splitlines()) >= 1, name
    assert str(out / "manifest.json") in text_out.replace("\n", "")
    assert _manifest(out)["as_of"] == "2024-09-27T18:00:00+08:00"


def test_a_bad_as_of_is_refused_before_anything_is_written(
    world: WorldDB, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "包"
    code = _run("--db", world.url, "--config", str(world.config_path),
                "pack", "--as-of", "九月底", "-o", str(out))  # fmt: skip
    assert code != 0
    assert "--as-of" in capsys.readouterr().err
    assert not out.exists()


LATE_ONLY_UNITS = """
    select u.name
    from unit u join account_unit au on au.unit_id = u.id
    join post p on p.platform = au.platform and p.account_uid = au.platform_uid
    join post_campaign c on c.platform = p.platform and c.platform_post_id = p.platform_post_id
    where c.excluded = 0 and p.deleted = 0
    group by u.name
    having min(p.first_collected_at) > '2024-09-27 16:00:00'
"""


def test_a_unit_whose_works_all_came_after_the_cut_has_not_reported_by_then(world, packs) -> None:
    first, _ = packs
    late_only = {r["name"] for r in _query(world.url, LATE_ONLY_UNITS)}
    assert late_only, "the world must have a unit seen only after the cut"
    unreported = {r["单位"] for r in _table(first / "活动汇总.xlsx", "未报送单位")}
    assert late_only <= unreported


def test_the_report_names_no_collection_after_the_cut(packs) -> None:
    first, _ = packs
    assert "2024-10-05" not in (first / "report.html").read_text(encoding="utf-8")
