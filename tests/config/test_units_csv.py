"""``units.csv`` as campaign staff really save it: whatever the file holds, one clear ConfigError.

Staff edit the registry in Excel or WPS, paste formulas into it and save it with a BOM. A row
with more cells than the header (an unquoted comma, an unquoted ``=HYPERLINK("a","b")``) once
stopped every command with ``内部错误 AttributeError: 'list' object has no attribute 'strip'``
and no line number; the property below draws arbitrary files so the next such case fails here.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.config import UNIT_COLUMNS, UNIT_KINDS, load_units
from tracker.errors import ConfigError

HEADER = "unit,kind,city,platform,account_id,url\n"


def _write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "units.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_extra_cell_names_file_line_and_the_cell(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "unit,kind,city\n广州市科协,city_association,广州市\n某学会,society,广州,多余\n"
    )
    with pytest.raises(ConfigError) as err:
        load_units(path)
    message = str(err.value)
    assert f"{path}:3:" in message
    assert "多余" in message and "列" in message
    assert "AttributeError" not in message


def test_unquoted_hyperlink_formula_is_a_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path, 'unit,kind,url\n某单位,society,=HYPERLINK("a","b")\n')
    with pytest.raises(ConfigError) as err:
        load_units(path)
    message = str(err.value)
    assert f"{path}:2:" in message
    assert "引号" in message  # tells staff to quote the cell


def test_quoted_cell_with_commas_is_one_cell(tmp_path: Path) -> None:
    path = _write(tmp_path, 'unit,kind,url\n某单位,society,"=HYPERLINK(""a"",""b"")"\n')
    (row,) = load_units(path)
    assert row.url == '=HYPERLINK("a","b")'


def test_trailing_empty_cells_are_tolerated(tmp_path: Path) -> None:
    """Excel writes ``a,b,,,`` for a row whose neighbours are longer: nothing is lost."""
    path = _write(tmp_path, "unit,kind\n某学会,society,,,\n")
    (row,) = load_units(path)
    assert row.unit == "某学会"


def test_blank_lines_and_multiline_cells_keep_true_line_numbers(tmp_path: Path) -> None:
    text = 'unit,kind,city\n\n"某\n学会",society,\n\n某大学,club,\n'
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_units(path)
    assert f"{path}:6: kind" in str(err.value)


def test_units_with_utf8_bom(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "深圳市科协,city_association,深圳市,weibo,1,\n", "utf-8-sig")
    (row,) = load_units(path)
    assert row.unit == "深圳市科协" and row.platform == "weibo"


def test_duplicate_header_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "unit,kind,unit\n某学会,society,另一个\n")
    with pytest.raises(ConfigError, match=r"units.csv:1: .*unit"):
        load_units(path)


def test_empty_file_says_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"units.csv:1: 缺少列"):
        load_units(_write(tmp_path, ""))


# --- the class: any file is rows or one ConfigError --------------------------------------------

_CELL_TEXT = st.text(
    alphabet=st.sampled_from(list('ab广,"\n\r =()\t\x00\ufeff') + ["\u2028", "\x85"]), max_size=12
)
_CELL = st.one_of(
    _CELL_TEXT,
    st.sampled_from([*UNIT_KINDS, "weibo", "myspace", '=HYPERLINK("a","b")', ""]),
)
_ROW = st.lists(_CELL, max_size=9)


def _csv_text(header: list[str], rows: list[list[str]], quote_all: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _check(path: Path) -> None:
    try:
        rows = load_units(path)
    except ConfigError as exc:
        assert str(exc).strip()
        assert "Traceback" not in str(exc)
        return
    for row in rows:
        assert row.unit and row.kind in UNIT_KINDS


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(st.sampled_from([*UNIT_COLUMNS, "person", "", "x"]), min_size=0, max_size=8),
    rows=st.lists(_ROW, max_size=6),
    quote_all=st.booleans(),
    mangle=st.sampled_from(["none", "raw_text", "splice"]),
    noise=_CELL_TEXT,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_any_units_file_is_rows_or_config_error(
    tmp_path: Path,
    header: list[str],
    rows: list[list[str]],
    quote_all: bool,
    mangle: str,
    noise: str,
    encoding: str,
) -> None:
    text = _csv_text(header, rows, quote_all)
    if mangle == "raw_text":  # cells written without any quoting: commas and quotes split cells
        text = "\n".join(",".join(r) for r in [header, *rows])
    elif mangle == "splice":  # stray text anywhere, e.g. a half-pasted formula
        cut = len(text) // 2
        text = text[:cut] + noise + text[cut:]
    path = tmp_path / "units.csv"
    path.write_bytes(text.encode(encoding, "replace"))
    _check(path)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=200), prefix=st.sampled_from([b"", b"unit,kind\n", b"\xef\xbb\xbf"]))
def test_any_bytes_are_rows_or_config_error(tmp_path: Path, raw: bytes, prefix: bytes) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(prefix + raw)
    _check(path)
