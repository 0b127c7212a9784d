"""The xlsx and csv writers and the anonymiser on small hand-made sheets."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from tracker.exports import xlsx as xlsx_mod
from tracker.exports.anonymise import anonymise_works, pseudonym, public_accounts
from tracker.exports.csv import write_csv, write_csv_file
from tracker.exports.lists import beijing_naive
from tracker.exports.sheet import Column, Sheet, build_frame
from tracker.exports.xlsx import MAX_CELL_CHARS, safe_sheet_name, write_xlsx

KINDS = {"编号": "id", "标题": "long", "分": "score", "数": "int", "占比": "pct", "时间": "time",
         "链接": "url", "说明": "text"}  # fmt: skip


def _sheet(rows: list[dict], name: str = "作品") -> Sheet:
    return Sheet(name, pd.DataFrame(rows, columns=list(KINDS)), KINDS)


def test_xlsx_cells_typed_truncated_and_never_formulas(tmp_path) -> None:
    long_text = "长" * 40_000
    rows = [
        {"编号": "0012345", "标题": long_text, "分": 87.654, "数": 12, "占比": 0.256,
         "时间": datetime(2024, 9, 14, 2, 0, tzinfo=UTC), "链接": "https://example.invalid/a",
         "说明": "=SUM(A1:A3)"},
        {"编号": "4998877665544332211", "标题": "a\x01b", "分": float("nan"), "数": None,
         "占比": None, "时间": None, "链接": "javascript:alert(1)", "说明": ""},
        {"编号": "x", "标题": "+1", "分": True, "数": 3.0, "占比": 1.0, "时间": "未知",
         "链接": "https://example.invalid/" + "a" * 2100, "说明": "@cmd"},
    ]  # fmt: skip
    path = tmp_path / "t.xlsx"
    names = write_xlsx(path, [_sheet(rows)])
    assert names == ["作品"]
    ws = load_workbook(path)["作品"]
    header = [c.value for c in ws[1]]
    assert header == list(KINDS)
    r2, r3, r4 = ws[2], ws[3], ws[4]
    assert (r2[0].value, r2[0].data_type, r2[0].number_format) == ("0012345", "s", "@")
    assert (r3[0].value, r3[0].number_format) == ("4998877665544332211", "@")
    assert len(r2[1].value) == MAX_CELL_CHARS and r2[1].value.endswith("…")
    assert r3[1].value == "ab"  # control characters are not valid in the sheet's XML
    assert (r2[2].value, r2[2].number_format) == (87.654, "0.0")
    assert (r2[3].value, r2[3].number_format) == (12, "#,##0")
    assert r2[4].number_format == "0.0%"
    assert r2[5].value == datetime(2024, 9, 14, 10, 0)  # Beijing wall time, no zone
    assert r2[6].hyperlink is not None and r2[6].value == "https://example.invalid/a"
    assert r3[6].hyperlink is None and r3[6].value == "javascript:alert(1)"
    assert r4[6].hyperlink is None and len(r4[6].value) > 2079
    assert (r2[7].value, r2[7].data_type) == ("=SUM(A1:A3)", "s")
    assert r3[2].value is None and r3[3].value is None and r3[7].value is None
    assert r4[2].value == "是" and r4[5].value == "未知"
    assert (r4[1].value, r4[7].value) == ("+1", "@cmd")


def test_sheet_names_are_cleaned_and_unique() -> None:
    taken: set[str] = set()
    assert safe_sheet_name("说明", taken) == "说明"
    assert safe_sheet_name("a/b:c*?[x]\\", taken) == "a_b_c___x__"
    assert safe_sheet_name("说明", taken) == "说明(2)"
    long = safe_sheet_name("很" * 40, taken)
    assert len(long) == 31
    again = safe_sheet_name("很" * 40, taken)
    assert len(again) == 31 and again.endswith("(2)")
    assert safe_sheet_name("'x'", taken) == "x"


def test_long_lists_continue_on_further_sheets(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(xlsx_mod, "MAX_ROWS", 5)  # header + 4 rows per sheet
    rows = [{"编号": str(i), "分": float(i)} for i in range(10)]
    sheet = Sheet("作品", pd.DataFrame(rows), {"编号": "id", "分": "score"})
    about = Sheet("说明", pd.DataFrame({"项目": ["活动"], "内容": ["测试"]}), {})
    names = write_xlsx(tmp_path / "t.xlsx", [sheet], about=about)
    assert names == ["说明", "作品", "作品(2)", "作品(3)"]
    wb = load_workbook(tmp_path / "t.xlsx")
    got = [c.value for n in names[1:] for (c, _) in wb[n].iter_rows(min_row=2)]
    assert got == [str(i) for i in range(10)]
    assert all(wb[n]["A1"].value == "编号" and wb[n].freeze_panes == "A2" for n in names[1:])


def test_csv_quotes_text_keeps_numbers_and_guards_formulas(tmp_path) -> None:
    rows = [
        {"编号": "4998877665544332211", "标题": "=1+1", "分": 87.654321, "数": 12.0, "占比": 0.25,
         "时间": pd.Timestamp("2024-09-14 10:00"), "链接": "https://x.invalid", "说明": "-负号开头"},
        {"编号": "7", "标题": None, "分": float("nan"), "数": None, "占比": None, "时间": None,
         "链接": None, "说明": "普通"},
    ]  # fmt: skip
    buf = io.StringIO()
    assert write_csv(buf, _sheet(rows)) == 2
    lines = buf.getvalue().split("\r\n")
    assert lines[0] == '"编号","标题","分","数","占比","时间","链接","说明"'
    assert lines[1] == (
        '"4998877665544332211","\'=1+1",87.65,12,0.25,"2024-09-14 10:00","https://x.invalid",'
        '"\'-负号开头"'
    )
    assert lines[2] == '"7","","","","","","","普通"'
    plain = io.StringIO()  # standard output's variant: LF, and still guarded
    write_csv(plain, _sheet(rows), crlf=False)
    assert '"\'=1+1"' in plain.getvalue() and "\r\n" not in plain.getvalue()
    path = tmp_path / "x.csv"
    write_csv_file(path, _sheet(rows))
    assert path.read_bytes().startswith(b'\xef\xbb\xbf"\xe7\xbc\x96\xe5\x8f\xb7"')
    assert not (tmp_path / "x.csv.part").exists()


def test_build_frame_selects_renames_and_fills_missing() -> None:
    src = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    frame, kinds = build_frame(src, [Column("b", "乙", "id"), Column("zz", "缺", "int")])
    assert list(frame.columns) == ["乙", "缺"]
    assert frame["乙"].tolist() == ["x", "y"] and frame["缺"].isna().all()
    assert kinds == {"乙": "id", "缺": "int"}


def test_beijing_naive() -> None:
    s = pd.Series(pd.to_datetime(["2024-09-14T16:30:00Z", None], utc=True))
    out = beijing_naive(s)
    assert out.iloc[0] == pd.Timestamp("2024-09-15 00:30") and out.dt.tz is None
    assert pd.isna(out.iloc[1])


def test_pseudonyms_are_stable_salted_and_only_for_unverified() -> None:
    assert pseudonym("c1", "weibo", "1") == pseudonym("c1", "weibo", "1")
    assert pseudonym("c1", "weibo", "1") != pseudonym("c2", "weibo", "1")
    assert pseudonym("c1", "weibo", "1") != pseudonym("c1", "douyin", "1")
    works = pd.DataFrame(
        {
            "platform": ["weibo", "weibo", "douyin", "zhihu"],
            "account_uid": ["1", "1", "2", "3"],
            "account_name": ["小明", "小明", "广州科协", "无名"],
            "verified": pd.array([False, False, True, None], dtype="boolean"),
            "person": [None, None, "张老师", None],
        }
    )
    assert public_accounts(works).tolist() == [False, False, True, False]
    out = anonymise_works(works, "c1")
    fake = pseudonym("c1", "weibo", "1")
    assert out["account_name"].tolist() == [fake, fake, "广州科协", pseudonym("c1", "zhihu", "3")]
    assert out["account_uid"].tolist()[:3] == [fake, fake, "2"]
    assert out["person"].isna().all()
    assert works["account_name"].tolist()[0] == "小明"  # the input is not changed


@pytest.mark.parametrize("n", [0, 1])
def test_empty_and_tiny_sheets_write(tmp_path, n: int) -> None:
    rows = [{"编号": "1", "分": 1.0}] * n
    sheet = Sheet("作品", pd.DataFrame(rows, columns=["编号", "分"]), {"编号": "id", "分": "score"})
    write_xlsx(tmp_path / "t.xlsx", [sheet])
    ws = load_workbook(tmp_path / "t.xlsx")["作品"]
    assert [c.value for c in ws[1]] == ["编号", "分"] and ws.max_row == 1 + n
