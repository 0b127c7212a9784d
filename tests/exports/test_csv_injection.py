"""No CSV the command line writes can run a formula in Excel, and the review sheet comes back.

Titles, account names, registry units and contact names are written by strangers; a cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run by Excel as a formula
even inside quotes. Every CSV path of the CLI (``rank``, ``review list``, ``export``,
``campaign participation``; standard output and files) is scanned for such a cell, and a static
check keeps new code from writing CSV around the one guarded writer. The review sheet is the one
staff fill in and import back, so its guarded ids, reviewers and notes must round-trip.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tracker.exports.csv import guard, unguard
from tracker.store.engine import make_engine
from tracker.store.models import Review

from ..helpers.cli import run_in_process
from ..ranking.registry_db import Account, BuiltWorld, Work, World, build

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""What Excel and LibreOffice read as the start of a formula (written out here, not imported:
the test must not share a mistake with the code)."""
HOSTILE = ("=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)")
REPO_ROOT = Path(__file__).resolve().parents[2]
CSV_WRITER = re.compile(r"csv\.writer\(|csv\.DictWriter\(|\.to_csv\(")
CSV_WRITER_ALLOWED = {
    "tracker/exports/csv.py": "the one guarded writer",
    "tracker/sim/units.py": "the simulator's registry for `tracker init`, read back as data",
}

WORLD = World(
    accounts=(
        Account(
            "weibo",
            "-7",
            name=HOSTILE[0],
            works=(Work(title=HOSTILE[1]), Work(title=HOSTILE[2])),
            registry=((0, "@张三"),),
        ),
        Account(
            "douyin",
            "d1",
            name=HOSTILE[3],
            works=(Work(title=HOSTILE[3]), Work(title='=HYPERLINK("http://example.invalid","奖")')),
            registry=((1, None),),
        ),
        Account("bilibili", "b1", name="普通账号", works=(Work(title="正常标题"),)),
    ),
    accountless=(("bilibili", Work(title="\t=1+1", metrics=None)),),
    unit_names=("+广州市科学技术协会", "-深圳大学", "@广东省气象学会"),
)


@pytest.fixture
def world(tmp_path: Path) -> BuiltWorld:
    return build(tmp_path / "db", WORLD)


@pytest.fixture
def tracker(world: BuiltWorld, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """``tracker(*args)`` in process on ``world``: its standard output (exit 0 asserted)."""
    monkeypatch.setenv("COLUMNS", "250")  # messages on one line

    def run(*args: str) -> str:
        code, out, err = run_in_process(
            ["--db", str(world.db), "--config", str(world.config_path), *args], capsys
        )
        assert code == 0, f"tracker {' '.join(args)} -> {code}\n{err}"
        return out

    return run


def _cells(text: str) -> list[list[object]]:
    """Rows of a CSV as our writer means them: quoted cells are text, unquoted ones numbers
    (an unquoted non-number fails here, which is itself a writer that is not ours)."""
    return list(csv.reader(io.StringIO(text, newline=""), quoting=csv.QUOTE_NONNUMERIC))


def _formula_cells(text: str) -> list[str]:
    return [c for row in _cells(text) for c in row if isinstance(c, str) and c.startswith(TRIGGERS)]


def test_no_cli_csv_cell_starts_with_a_formula_trigger(
    world: BuiltWorld, tracker, tmp_path: Path
) -> None:
    outputs: dict[str, str] = {}
    for listing in ("works", "creators", "units"):
        args = ("rank", listing, "--include-unreviewed", "--format", "csv")
        outputs[" ".join(args)] = tracker(*args)
    outputs["review list"] = tracker("review", "list", "--status", "all", "--format", "csv")
    sheet = tmp_path / "审核表.csv"
    tracker("review", "list", "--status", "all", "--format", "csv", "-o", str(sheet))
    for level in ("unit", "city", "account"):
        args = ("campaign", "participation", "--by", level, "--format", "csv")
        outputs[" ".join(args)] = tracker(*args)
        target = tmp_path / f"participation_{level}.csv"
        tracker(*args, "-o", str(target))
    exports = tmp_path / "exports"
    for which in ("works", "creators", "units", "summary"):
        tracker("export", which, "--include-unreviewed", "--format", "csv",
                "-o", str(exports / f"{which}.csv"))  # fmt: skip
    assert not any(text.startswith("\ufeff") for text in outputs.values())  # for programs
    files = [sheet, *tmp_path.glob("participation_*.csv"), *exports.glob("*.csv")]
    assert len(files) > 8
    for path in files:
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: a file for Excel needs the BOM"
        outputs[path.name] = raw[3:].decode("utf-8")
    for name, text in outputs.items():
        assert _formula_cells(text) == [], name
    every_cell = {c for text in outputs.values() for row in _cells(text) for c in row}
    for value in (*HOSTILE, "\t=1+1", "+广州市科学技术协会", "@张三", "-7w0"):
        assert "'" + value in every_cell, f"{value!r} never reached a CSV: the test is vacuous"


def test_review_sheet_round_trips_through_import(
    world: BuiltWorld, tracker, tmp_path: Path
) -> None:
    """list -> staff fill 审核结果 (Excel saves the guarded cells as it shows them) -> import:
    ids, reviewers and notes come back as they were, and a second import changes nothing."""
    tracker("review", "approve", "weibo:-7w0", "--by", "=审核员", "--note", "-初审通过")
    sheet = tmp_path / "审核表.csv"
    tracker("review", "list", "--status", "all", "--format", "csv", "-o", str(sheet))
    header, *rows = list(csv.reader(io.StringIO(sheet.read_text("utf-8-sig"), newline="")))
    col = {h: i for i, h in enumerate(header)}
    assert {"审核结果", "审核意见", "作品编号", "作品ID", "审核人"} <= set(col)
    decided: dict[tuple[str, str], tuple[str, str, str | None]] = {}
    for i, row in enumerate(rows):
        key = tuple(row[col["作品编号"]].split(":", 1))
        assert row[col["作品ID"]] == ("'" + key[1] if key[1].startswith("-") else key[1])
        if key == ("weibo", "-7w0"):
            assert row[col["审核人"]] == "'=审核员"
            row[col["审核结果"]], row[col["审核意见"]] = "通过", "'-初审通过"
            row[col["作品编号"]] = ""  # found by 平台 + 作品ID: the guarded id must match
            decided[key] = ("approved", "=审核员", "-初审通过")
        elif i % 2:
            row[col["审核结果"]], row[col["审核意见"]] = "不通过", "'@重复投稿"
            decided[key] = ("rejected", "李四", "@重复投稿")
        else:
            row[col["审核结果"]] = "通过"
            decided[key] = ("approved", "李四", None)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])  # as Excel saves it
    sheet.write_text(buf.getvalue(), encoding="utf-8-sig")

    out = tracker("review", "import", str(sheet), "--by", "李四")
    assert f"{len(rows)} 行有审核结果" in out
    assert _reviews(world) == decided
    again = tracker("review", "import", str(sheet), "--by", "李四")
    assert "写入 0 条" in again and f"{len(rows)} 条与当前审核结果相同" in again


def _reviews(world: BuiltWorld) -> dict[tuple[str, str], tuple[str, str, str | None]]:
    table = Review.__table__
    engine = make_engine(world.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(table)).all()
    finally:
        engine.dispose()
    return {(r.platform, r.platform_post_id): (r.status, r.reviewer, r.note) for r in rows}


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.sampled_from([*HOSTILE, "\t1", "\r1", "'=1", "''-1", "'普通"])))
def test_guard_never_starts_a_formula_and_unguard_inverts_it(text: str) -> None:
    assert not guard(text).startswith(TRIGGERS)
    assert unguard(guard(text)) == text
    if not text.lstrip("'").startswith(TRIGGERS):
        assert guard(text) == text == unguard(text)  # ordinary text is never touched


def test_no_csv_is_written_around_the_guarded_writer() -> None:
    """Every CSV writer in the product is ``tracker.exports.csv`` (or a listed exception)."""
    found = []
    for root in ("tracker", "dashboards"):
        for path in sorted((REPO_ROOT / root).rglob("*.py")):
            rel = path.relative_to(REPO_ROOT).as_posix()
            if rel not in CSV_WRITER_ALLOWED and CSV_WRITER.search(path.read_text("utf-8")):
                found.append(rel)
    assert found == [], "write CSV with tracker.exports.csv.write_csv / write_csv_file"
