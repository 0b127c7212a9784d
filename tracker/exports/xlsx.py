"""Writing sheets to an .xlsx file for office users (xlsxwriter).

What the file promises, and how:

- **no formulas from data**: every text cell is written with ``write_string`` and the workbook
  is opened with ``strings_to_formulas`` (and number/URL guessing) off, so a title such as
  ``=HYPERLINK(...)`` stays text;
- **ids stay text**: id columns are strings with the text number format ``@``, so Excel neither
  shows ``4.99E+18`` nor rounds the last digits when a cell is edited;
- **floors stay numbers**: a count the platform only showed as a floor ("100万+", the sheet's
  ``floors``) is a number cell with the format ``"≥"#,##0``: staff see ≥1,000,000, Excel still
  sorts and sums it;
- **times in Beijing time**: the lists hold naive Beijing datetimes (Excel has no time zones),
  shown as ``yyyy-mm-dd hh:mm`` under headers that say 北京时间;
- **Excel's limits**: text is cut at 32,767 characters, a list longer than a sheet continues on
  ``名称(2)``, sheet names are cleaned to 31 characters without ``[]:*?/\\``, links beyond
  Excel's per-sheet hyperlink limit are written as plain text;
- **readable at once**: 说明 first, a frozen bold header row, autofilter, sensible column
  widths, landscape pages fitted to the width (so a PDF print is legible).

Rows are written in order with ``constant_memory``, so a million-row list does not need the
whole workbook in memory.
"""

from __future__ import annotations

import math
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from tracker.exports.sheet import Sheet
from tracker.safe_files import atomic_binary_output

__all__ = ["MAX_CELL_CHARS", "MAX_ROWS", "safe_sheet_name", "write_xlsx"]

MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767
MAX_URL_CHARS = 2_079
MAX_URLS_PER_SHEET = 65_530
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NUMBER_FORMATS = {
    "int": "#,##0",
    "num": "#,##0.0",
    "score": "0.0",
    "ratio": "0.00",
    "pct": "0.0%",
}
_WIDTH_CAPS = {"long": 60, "url": 40, "text": 30, "id": 24}
WIDTH_SAMPLE = 500


def safe_sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name (≤ 31 chars, none of ``[]:*?/\\``, not starting with ')."""
    base = _BAD_SHEET_CHARS.sub("_", name).strip("'") or "Sheet"
    base = base[:31]
    candidate, n = base, 2
    while candidate.casefold() in {t.casefold() for t in taken}:
        suffix = f"({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(candidate)
    return candidate


class _Widths(dict[str, int]):
    """Extra columns a character takes beyond one (wide CJK: one more), learnt per character:
    a list repeats few distinct characters, and the lookup is far cheaper than the Unicode
    table for every character of every sampled cell."""

    def __missing__(self, ch: str) -> int:
        extra = 1 if unicodedata.east_asian_width(ch) in "WF" else 0
        self[ch] = extra
        return extra


_WIDE = _Widths()


def _display_width(text: str) -> int:
    """Columns a string takes in Excel: wide (CJK) characters count twice."""
    if text.isascii():
        return len(text)
    return len(text) + sum(map(_WIDE.__getitem__, text))


def _column_width(
    header: str, values: pd.Series, kind: str, texts: list[str | None] | None = None
) -> float:
    """``texts``: the column's cells as text (``None`` when missing), when already at hand."""
    if kind == "time":
        data_w = 16
    elif kind in _NUMBER_FORMATS:
        data_w = 12
    elif texts is not None:
        data_w = max(
            (_display_width(t[:200]) for t in texts[:WIDTH_SAMPLE] if t is not None), default=0
        )
    else:
        sample = values.head(WIDTH_SAMPLE).dropna().astype("str")
        data_w = max((_display_width(t[:200]) for t in sample), default=0)
    header_w = _display_width(header) + 4  # room for the autofilter button
    cap = _WIDTH_CAPS.get(kind, 30)
    return float(max(6, min(cap, max(header_w, data_w + 1))))


def _is_missing(value: Any) -> bool:
    """Nothing to write: NULL, NaN, or an empty string (an empty cell, not a text cell)."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, str) and not value):
        return True
    return isinstance(value, float) and math.isnan(value)


def _text(value: Any) -> str:
    """Cell text: control characters (invalid in XML, invisible anyway) dropped, cut to Excel's
    32,767-character limit with an ellipsis."""
    text = value if isinstance(value, str) else str(value)
    text = _CONTROL.sub("", text)
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.header = wb.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.title = wb.add_format({"bold": True, "font_size": 12})
        self.id = wb.add_format({"num_format": "@"})
        self.text = wb.add_format({})
        self.long = wb.add_format({"text_wrap": False})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.time = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.url = wb.add_format({"font_color": "blue", "underline": 1})
        self.numbers = {k: wb.add_format({"num_format": f}) for k, f in _NUMBER_FORMATS.items()}
        self.floors = {
            k: wb.add_format({"num_format": f'"≥"{f}'}) for k, f in _NUMBER_FORMATS.items()
        }

    def for_kind(self, kind: str) -> Any:
        if kind in self.numbers:
            return self.numbers[kind]
        return {"id": self.id, "time": self.time, "long": self.long, "url": self.text}.get(
            kind, self.text
        )


def _write_cell(
    ws: Any, row: int, col: int, value: Any, kind: str, fmt: _Formats, urls: list[int]
) -> None:
    if _is_missing(value):
        return
    if kind in _NUMBER_FORMATS:
        if isinstance(value, (bool, np.bool_)):
            ws.write_string(row, col, "是" if value else "否", fmt.text)
            return
        if isinstance(value, (int, float, np.integer, np.floating)):
            number = float(value)
            if math.isfinite(number):
                ws.write_number(row, col, number, fmt.numbers[kind])
            return
        ws.write_string(row, col, _text(value), fmt.text)
        return
    if kind == "time":
        if isinstance(value, (pd.Timestamp, datetime)):
            ts = pd.Timestamp(value)
            if ts.tzinfo is not None:  # lists hand over naive Beijing times; be safe anyway
                ts = ts.tz_convert("Asia/Shanghai").tz_localize(None)
            ws.write_datetime(row, col, ts.to_pydatetime(), fmt.time)
            return
        ws.write_string(row, col, _text(value), fmt.text)
        return
    text = _text(value)
    if (
        kind == "url"
        and text.startswith(("http://", "https://"))
        and len(text) <= MAX_URL_CHARS
        and urls[0] < MAX_URLS_PER_SHEET
    ):
        urls[0] += 1
        ws.write_url(row, col, text, fmt.url, string=text)
        return
    ws.write_string(row, col, text, fmt.for_kind(kind))


def _raw_texts(values: pd.Series) -> list[str | None] | None:
    """A text column's cells as ``str`` (``None`` when missing), as ``astype("str")`` gives
    them; ``None`` for a column that is neither object nor string typed (a datetime column's
    text depends on the whole column, so its width keeps pandas' conversion)."""
    dtype = values.dtype
    if not (pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)):
        return None
    return _object_texts(values)


def _object_texts(values: pd.Series) -> list[str | None]:
    """Each cell's own text (``None`` when missing): the column as objects, each made ``str``."""
    objs = values.astype("object").to_numpy()
    missing = pd.isna(objs).tolist()
    return [
        None if miss else (v if type(v) is str else _as_str(v))
        for v, miss in zip(objs.tolist(), missing, strict=True)
    ]


def _as_str(value: Any) -> str:
    """pandas' text of one value (bytes are decoded, not shown as ``b'...'``)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def _clean_raw(texts: list[str | None]) -> list[str | None]:
    """Cell texts: control characters dropped, cut to the cell limit, empty -> ``None``.

    Plain Python: a list of a few hundred cells costs less than pandas' per-call overhead of
    the vectorised string methods."""
    out: list[str | None] = []
    for text in texts:
        if text is not None:
            if _CONTROL.search(text) is not None:
                text = _CONTROL.sub("", text)
            if len(text) > MAX_CELL_CHARS:
                text = text[: MAX_CELL_CHARS - 1] + "…"
        out.append(text or None)
    return out


def _column_plan(
    ws: Any,
    values: pd.Series,
    kind: str,
    fmt: _Formats,
    urls: list[int],
    raw: list[str | None] | None = None,
) -> tuple[Any, list[Any], Any] | None:
    """(write method, prepared values with ``None`` for empty, format) for a column whose values
    all have the expected type; ``None`` when the column needs the careful per-cell path.
    ``raw``: a text column's cells as text (``_raw_texts``), when already at hand."""
    dtype = values.dtype
    if kind in _NUMBER_FORMATS:
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            return None
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
        out = arr.astype(object)
        out[~np.isfinite(arr)] = None
        return ws.write_number, out.tolist(), fmt.numbers[kind]
    if kind == "time":
        if not pd.api.types.is_datetime64_any_dtype(dtype):
            return None
        ts = pd.to_datetime(values)
        if ts.dt.tz is not None:
            ts = ts.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
        out = np.array(ts.dt.to_pydatetime(), dtype=object)
        out[ts.isna().to_numpy()] = None
        return ws.write_datetime, out.tolist(), fmt.time
    if kind in ("id", "text", "long"):
        return ws.write_string, _cell_texts(values, raw), fmt.for_kind(kind)
    if kind == "url":
        texts = _cell_texts(values, raw)

        def write_url_or_text(row: int, col: int, text: str, _f: Any) -> None:
            if (
                text.startswith(("http://", "https://"))
                and len(text) <= MAX_URL_CHARS
                and urls[0] < MAX_URLS_PER_SHEET
            ):
                urls[0] += 1
                ws.write_url(row, col, text, fmt.url, string=text)
            else:
                ws.write_string(row, col, text, fmt.text)

        return write_url_or_text, texts, fmt.url
    return None


def _cell_texts(values: pd.Series, raw: list[str | None] | None) -> list[Any]:
    """The column's cell texts (``_clean_raw``), from ``raw`` when already at hand."""
    return _clean_raw(_object_texts(values) if raw is None else raw)


def _write_table(ws: Any, sheet: Sheet, frame: pd.DataFrame, fmt: _Formats, start: int = 0) -> None:
    """``frame`` (rows ``start:`` of ``sheet.frame``, a sheet's share of a long list)."""
    headers = list(frame.columns)
    kinds = [sheet.kind(h) for h in headers]
    columns = [frame[h] for h in headers]
    # Each text column is turned into text once, for its width and its cells.
    raws = [
        None if kind in _NUMBER_FORMATS or kind == "time" else _raw_texts(column)
        for column, kind in zip(columns, kinds, strict=True)
    ]
    top = 0
    if sheet.title:
        ws.write_string(0, 0, _text(sheet.title), fmt.title)
        top = 1
    for c, (h, kind) in enumerate(zip(headers, kinds, strict=True)):
        # The column format also covers cells typed in later (an id pasted, a 审核结果 filled).
        column_fmt = fmt.id if kind == "id" else None
        ws.set_column(c, c, _column_width(h, columns[c], kind, raws[c]), column_fmt)
    for c, h in enumerate(headers):
        ws.write_string(top, c, h, fmt.header)
    ws.freeze_panes(top + 1, 0)
    if headers:
        ws.autofilter(top, 0, top + max(len(frame), 1), len(headers) - 1)
    urls = [0]
    plans = []
    for column, kind, texts in zip(columns, kinds, raws, strict=True):
        plan = _column_plan(ws, column, kind, fmt, urls, texts)
        if plan is None:  # mixed values: decide cell by cell
            raw = column.to_numpy(dtype=object)

            def careful(row: int, col: int, value: Any, _f: Any, kind: str = kind) -> None:
                _write_cell(ws, row, col, value, kind, fmt, urls)

            plan = (careful, raw.tolist(), None)
        plans.append(plan)
    floors = [
        sheet.floor(h, start, start + len(frame)) if kind in _NUMBER_FORMATS else None
        for h, kind in zip(headers, kinds, strict=True)
    ]
    floor_fmts = [fmt.floors.get(kind) for kind in kinds]
    # constant_memory: rows must be written in order, so the loop is row-major.
    for r in range(len(frame)):
        row = top + 1 + r
        for c, (write, values, cell_fmt) in enumerate(plans):
            value = values[r]
            if value is None:
                continue
            floor = floors[c]
            if floor is not None and floor[r] and isinstance(value, int | float | np.number):
                ws.write_number(row, c, float(value), floor_fmts[c])  # still a number
            else:
                write(row, c, value, cell_fmt)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(top, top)


def _write_about(ws: Any, sheet: Sheet, fmt: _Formats) -> None:
    """The 说明 sheet: two columns, wrapped text, no filter."""
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 100)
    headers = list(sheet.frame.columns)
    for c, h in enumerate(headers):
        ws.write_string(0, c, h, fmt.header)
    for r, values in enumerate(sheet.frame.itertuples(index=False), start=1):
        for c, value in enumerate(values):
            if not _is_missing(value):
                ws.write_string(r, c, _text(value), fmt.wrap)
    ws.freeze_panes(1, 0)
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def write_xlsx(
    path: str | Path,
    sheets: Sequence[Sheet],
    *,
    about: Sheet | None = None,
    created: datetime | None = None,
) -> list[str]:
    """Write ``about`` (the 说明 sheet) then every sheet; returns the sheet names used.

    The file is written next to ``path`` and moved into place, so a reader never opens half a
    workbook. ``created`` (aware) is the time the workbook's properties record instead of the
    wall clock: with it the same lists give the same bytes (a deadline pack re-run), since
    xlsxwriter already dates every zip entry 1980-01-01.
    """
    # An unpredictable, exclusively created temp file beside the target (a link planted at
    # "<name>.part" in a shared folder must not redirect the write), written through the
    # descriptor that created it, moved into place at the end and removed on failure; the target
    # is checked against the protected files first. xlsxwriter's own scratch files (row data,
    # package parts) go to a private folder that is removed whatever happens: on a full disk
    # they would otherwise stay in /tmp.
    with (
        atomic_binary_output(path) as fh,
        tempfile.TemporaryDirectory(prefix="tracker-xlsx-", ignore_cleanup_errors=True) as scratch,
    ):
        sink = _Sink(fh)
        options = {
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "constant_memory": True,
            "default_date_format": "yyyy-mm-dd hh:mm",
            "tmpdir": scratch,
        }
        wb = xlsxwriter.Workbook(sink, options)
        if created is not None:  # docProps/core.xml: written as UTC with a "Z"
            wb.set_properties({"created": created.astimezone(UTC).replace(tzinfo=None)})
        try:
            return _write_workbook(wb, sheets, about)
        except BaseException:
            sink.discard()
            _close_quietly(wb)
            raise


class _Sink:
    """The workbook's file: the real one until the export fails, then a sink for nothing.

    When writing fails half-way (disk full), xlsxwriter leaves its ``ZipFile`` open; when that is
    collected it tries once more to write the zip directory and, on a full disk, prints
    "Exception ignored in ZipFile.__del__" with a traceback under the one clear error line.
    The file is discarded anyway, so after a failure writes are dropped; the position is kept
    (counted, not asked of the file) so the zip's arithmetic on it still adds up.
    """

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._discarded = False
        self._pos = 0

    def discard(self) -> None:
        self._discarded = True

    def write(self, data: bytes) -> int:
        n = len(data) if self._discarded else self._fh.write(data)
        self._pos += n
        return n

    def tell(self) -> int:
        if not self._discarded:
            self._pos = self._fh.tell()
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        if not self._discarded:
            self._pos = self._fh.seek(offset, whence)
        elif whence == 0:
            self._pos = offset
        elif whence == 1:
            self._pos += offset
        return self._pos

    def seekable(self) -> bool:
        return True

    def flush(self) -> None:
        if not self._discarded:
            self._fh.flush()


def _write_workbook(
    wb: xlsxwriter.Workbook, sheets: Sequence[Sheet], about: Sheet | None
) -> list[str]:
    """Every sheet into ``wb``, then close it (that writes the file); the sheet names used."""
    names: list[str] = []
    taken: set[str] = set()
    fmt = _Formats(wb)
    if about is not None:
        name = safe_sheet_name(about.name, taken)
        _write_about(wb.add_worksheet(name), about, fmt)
        names.append(name)
    for sheet in sheets:
        per_sheet = MAX_ROWS - 1 - (1 if sheet.title else 0)
        chunks = max(1, math.ceil(len(sheet.frame) / per_sheet))
        for k in range(chunks):
            part = sheet.frame.iloc[k * per_sheet : (k + 1) * per_sheet]
            label = sheet.name if k == 0 else f"{sheet.name}({k + 1})"
            name = safe_sheet_name(label, taken)
            _write_table(wb.add_worksheet(name), sheet, part, fmt, k * per_sheet)
            names.append(name)
    try:
        wb.close()
    except FileCreateError as exc:  # xlsxwriter wraps the OSError (disk full...): unwrap it
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, OSError):
            raise cause from exc
        raise
    return names


def _close_quietly(wb: xlsxwriter.Workbook) -> None:
    """Release ``wb``'s open scratch files after a failure, without writing anything: a second
    failure (the disk is still full) must not hide the first."""
    if getattr(wb, "fileclosed", True):
        return
    wb.fileclosed = True
    for sheet in wb.worksheets():
        fh = getattr(sheet, "row_data_fh", None)
        if fh is not None and not fh.closed:
            fh.close()
