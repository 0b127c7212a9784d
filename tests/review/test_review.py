"""Review decisions: CLI approve/reject, the queue, and the reviewed-sheet round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, select

from tracker.errors import ImportFormatError, TrackerError
from tracker.services.review import parse_decision, parse_work_id, read_review_file
from tracker.store.models import Review, ReviewEvent


def _rows(url: str, table) -> list[dict]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(table.__table__))]
    finally:
        engine.dispose()


def _works(cli, *args: str) -> list[dict]:
    res = cli("rank", "works", "--include-unreviewed", "--format", "json", *args)
    assert res.code == 0, res.err
    return json.loads(res.out)


def _wid(w: dict) -> str:
    return f"{w['platform']}:{w['platform_post_id']}"


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("通过", "approved"),
        (" 审核通过 ", "approved"),
        ("Approve", "approved"),
        ("YES", "approved"),
        ("不通过", "rejected"),
        ("rejected", "rejected"),
        ("驳回", "rejected"),
        ("待定", "pending"),
        ("pending", "pending"),
        ("", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_parse_decision(cell, status) -> None:
    assert parse_decision(cell) == status


def test_parse_decision_refuses_guesses() -> None:
    for cell in ("也许", "通过吧", "1", "approve!"):
        with pytest.raises(ValueError, match="无法识别"):
            parse_decision(cell)


def test_parse_work_id() -> None:
    assert parse_work_id("weibo:4998877665544332211") == ("weibo", "4998877665544332211")
    assert parse_work_id(" Douyin : 7410000002747535253 ") == ("douyin", "7410000002747535253")
    for bad in ("4998877665544332211", "myspace:1", "weibo:", ":1"):
        with pytest.raises(TrackerError, match="平台:作品ID"):
            parse_work_id(bad)


def test_approve_and_reject_write_review_and_event(cli, world) -> None:
    works = _works(cli)
    a, b = _wid(works[0]), _wid(works[1])
    before = datetime.now(UTC)
    res = cli("review", "approve", a, b, "--note", "内容准确", "--by", "张三")
    assert res.code == 0, res.err
    assert "已记录 2 条审核结果（通过），审核人 张三" in res.out
    res = cli("review", "reject", b, "--note", "与他人作品雷同", "--by", "李四")
    assert res.code == 0, res.err
    after = datetime.now(UTC)

    reviews = {f"{r['platform']}:{r['platform_post_id']}": r for r in _rows(world.url, Review)}
    assert set(reviews) == {a, b}
    assert (reviews[a]["status"], reviews[a]["reviewer"], reviews[a]["note"]) == (
        "approved",
        "张三",
        "内容准确",
    )
    assert (reviews[b]["status"], reviews[b]["reviewer"], reviews[b]["note"]) == (
        "rejected",
        "李四",
        "与他人作品雷同",
    )
    for r in reviews.values():
        assert before - timedelta(seconds=1) <= r["decided_at"] <= after + timedelta(seconds=1)
    events = sorted(_rows(world.url, ReviewEvent), key=lambda e: e["id"])
    assert [
        (f"{e['platform']}:{e['platform_post_id']}", e["status"], e["reviewer"]) for e in events
    ] == [
        (a, "approved", "张三"),
        (b, "approved", "张三"),
        (b, "rejected", "李四"),
    ]
    assert all(e["decided_at"].tzinfo is not None for e in events)

    # the same decision again is not a new event
    again = cli("review", "approve", a, "--note", "内容准确", "--by", "张三")
    assert "1 条与当前审核结果相同" in again.out
    assert len(_rows(world.url, ReviewEvent)) == 3

    # recommendations: the approved work only; the rejected one is gone
    approved = json.loads(cli("rank", "works", "--format", "json").out)
    assert [_wid(w) for w in approved] == [a]
    assert approved[0]["review_status"] == "approved"


def test_unknown_ids_write_nothing(cli, world) -> None:
    works = _works(cli)
    res = cli("review", "approve", _wid(works[0]), "weibo:1", "--by", "张三")
    assert res.code == 1
    assert "weibo:1" in res.err and "未写入" in res.err
    assert _rows(world.url, Review) == [] and _rows(world.url, ReviewEvent) == []
    res = cli("review", "approve", _wid(works[0]))
    assert res.code != 0  # --by is required


def test_review_list_puts_flagged_first_with_reasons(cli) -> None:
    res = cli("review", "list", "--format", "json")
    assert res.code == 0, res.err
    queue = json.loads(res.out)
    flags = [q["risk_flag"] for q in queue]
    assert any(flags), "the seeded world has flagged works"
    first_unflagged = flags.index(False)
    assert all(flags[:first_unflagged]) and not any(flags[first_unflagged:])
    flagged = queue[:first_unflagged]
    assert [q["risk_score"] for q in flagged] == sorted(
        (q["risk_score"] for q in flagged), reverse=True
    )
    assert all(q["risk_reasons"] for q in flagged)
    assert {q["review_status"] for q in queue} == {"pending"}

    only = json.loads(cli("review", "list", "--flagged", "--format", "json").out)
    assert [_wid(q) for q in only] == [_wid(q) for q in flagged]
    table = cli("review", "list", "--flagged")
    assert "风险原因" in table.out and _wid(flagged[0]) in table.out
    assert flagged[0]["risk_reasons"].split("（")[0] in table.out

    # decided works leave the pending queue
    cli("review", "reject", _wid(flagged[0]), "--by", "张三")
    pending = json.loads(cli("review", "list", "--format", "json").out)
    assert _wid(flagged[0]) not in [_wid(q) for q in pending]
    rejected = json.loads(cli("review", "list", "--status", "rejected", "--format", "json").out)
    assert [_wid(q) for q in rejected] == [_wid(flagged[0])]


def _fill(path: Path, decisions: dict[str, object], *, column: str = "审核结果") -> dict[str, int]:
    """Fill the 审核结果 column of the 作品 sheet like a reviewer in Excel; returns id -> line."""
    wb = load_workbook(path)
    ws = wb["作品"]
    header = [c.value for c in ws[1]]
    id_col = header.index("作品编号") + 1
    result_col = header.index(column) + 1
    note_col = header.index("审核意见") + 1
    lines = {}
    for row in range(2, ws.max_row + 1):
        wid = ws.cell(row, id_col).value
        if wid in decisions:
            ws.cell(row, result_col).value = decisions[wid]
            ws.cell(row, note_col).value = f"意见{row}"
            lines[wid] = row
    wb.save(path)
    return lines


def test_review_import_round_trip(cli, world, tmp_path: Path) -> None:
    sheet = tmp_path / "审核.xlsx"
    res = cli("export", "works", "--include-unreviewed", "-o", str(sheet))
    assert res.code == 0, res.err
    works = _works(cli)
    ids = [_wid(w) for w in works[:4]]
    lines = _fill(sheet, {ids[0]: "通过", ids[1]: "不通过", ids[2]: "approve", ids[3]: "待定"})
    assert len(lines) == 4
    res = cli("review", "import", str(sheet), "--by", "王审核")
    assert res.code == 0, res.err
    assert "写入 4 条" in res.out
    status = {
        f"{r['platform']}:{r['platform_post_id']}": (r["status"], r["reviewer"], r["note"])
        for r in _rows(world.url, Review)
    }
    assert status == {
        ids[0]: ("approved", "王审核", f"意见{lines[ids[0]]}"),
        ids[1]: ("rejected", "王审核", f"意见{lines[ids[1]]}"),
        ids[2]: ("approved", "王审核", f"意见{lines[ids[2]]}"),
        ids[3]: ("pending", "王审核", f"意见{lines[ids[3]]}"),
    }
    assert len(_rows(world.url, ReviewEvent)) == 4
    # importing the same sheet again changes nothing
    again = cli("review", "import", str(sheet), "--by", "王审核")
    assert again.code == 0 and "4 条与当前审核结果相同" in again.out
    assert len(_rows(world.url, ReviewEvent)) == 4
    # and the approved ones are now the recommendation list
    approved = json.loads(cli("rank", "works", "--format", "json").out)
    assert sorted(_wid(w) for w in approved) == sorted([ids[0], ids[2]])


def test_review_import_names_each_bad_line_and_writes_nothing(cli, world, tmp_path: Path) -> None:
    sheet = tmp_path / "审核.xlsx"
    cli("export", "works", "--include-unreviewed", "-o", str(sheet))
    works = _works(cli)
    ids = [_wid(w) for w in works[:3]]
    lines = _fill(sheet, {ids[0]: "通过", ids[1]: "也许", ids[2]: "不通过"})
    # a reviewer who retyped an id as a number in Excel: the long id lost its last digits
    wb = load_workbook(sheet)
    ws = wb["作品"]
    header = [c.value for c in ws[1]]
    row = lines[ids[2]]
    ws.cell(row, header.index("作品编号") + 1).value = None
    ws.cell(row, header.index("作品ID") + 1).value = 4.998877665544332e18
    wb.save(sheet)
    res = cli("review", "import", str(sheet), "--by", "王审核")
    assert res.code == 1
    assert f"审核.xlsx:{lines[ids[1]]}: 审核结果: 无法识别的审核结果 '也许'" in res.err
    assert f"审核.xlsx:{row}: 作品ID 已被 Excel 转成数字" in res.err
    assert "未写入任何审核结果" in res.err
    assert _rows(world.url, Review) == []


def test_read_review_file_csv_and_header_errors(tmp_path: Path) -> None:
    good = tmp_path / "r.csv"
    good.write_text(
        "平台,作品ID,标题,审核结果,审核人\r\n"
        '微博,4998877665544332211,"两行\n标题",通过,甲\r\n'
        "抖音,7410000002747535253,,,\r\n"
        "douyin,7410000002747535254,x,no,乙\r\n",
        encoding="utf-8-sig",
    )
    rows, problems, blank = read_review_file(good)
    assert problems == [] and blank == 1
    assert [(r.line, r.platform, r.post_id, r.status, r.reviewer) for r in rows] == [
        (2, "weibo", "4998877665544332211", "approved", "甲"),
        (4, "douyin", "7410000002747535254", "rejected", "乙"),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("作品编号,备注\r\nweibo:1,x\r\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="缺少「审核结果」列"):
        read_review_file(bad)
    other = tmp_path / "x.txt"
    other.write_text("审核结果\n通过\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="只支持"):
        read_review_file(other)
    with pytest.raises(ImportFormatError, match="找不到文件"):
        read_review_file(tmp_path / "missing.xlsx")


def test_import_needs_a_reviewer(cli, tmp_path: Path) -> None:
    works = _works(cli)
    f = tmp_path / "r.csv"
    f.write_text(f"作品编号,审核结果\n{_wid(works[0])},通过\n", encoding="utf-8")
    res = cli("review", "import", str(f))
    assert res.code == 1 and "r.csv:2: 审核人" in res.err
    ok = cli("review", "import", str(f), "--by", "丙")
    assert ok.code == 0, ok.err
