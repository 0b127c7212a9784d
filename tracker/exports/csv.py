"""Writing a sheet as CSV for Excel on Chinese Windows.

UTF-8 **with a BOM** (without it Excel reads UTF-8 as GBK and shows mojibake), CRLF line ends
(Notepad), every text field quoted so ids stay text, times as ``YYYY-MM-DD HH:MM`` Beijing time.
Excel evaluates a CSV cell that starts with ``=``, ``+``, ``-`` or ``@`` even when it is quoted,
so user-written text that starts with one of those gets a leading apostrophe (the usual CSV
injection guard); numbers are never touched. ``bom=False`` gives the plain UTF-8 variant for
programs (``tracker rank --format csv`` on standard output).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from tracker.exports.sheet import Sheet
from tracker.safe_files import atomic_text_output

__all__ = ["csv_rows", "write_csv", "write_csv_file"]

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_PRECISION = {"score": 2, "ratio": 4, "num": 2, "pct": 6}


def _cell(value: Any, kind: str, *, guard: bool) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if kind == "time" and isinstance(value, (pd.Timestamp, datetime)):
        ts = pd.Timestamp(value)
        if ts.tzinfo is not None:
            ts = ts.tz_convert("Asia/Shanghai").tz_localize(None)
        return ts.strftime("%Y-%m-%d %H:%M")
    if (
        kind in ("int", "num", "score", "ratio", "pct")
        and isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, (bool, np.bool_))
    ):
        number = float(value)
        if kind == "int" or (number.is_integer() and kind != "pct"):
            return int(round(number))
        return round(number, _PRECISION.get(kind, 4))
    text = str(value)
    if guard and kind in ("text", "long") and text.startswith(_DANGEROUS_START):
        return "'" + text
    return text


def csv_rows(sheet: Sheet, *, guard: bool = True) -> Iterator[list[Any]]:
    """Header then data rows as Python values (numbers as int/float, everything else str)."""
    headers = list(sheet.frame.columns)
    kinds = [sheet.kind(h) for h in headers]
    yield headers
    columns = [sheet.frame[h].to_numpy(dtype=object) for h in headers]
    for r in range(len(sheet.frame)):
        yield [_cell(columns[c][r], kinds[c], guard=guard) for c in range(len(headers))]


def write_csv(out: IO[str], sheet: Sheet, *, guard: bool = True, crlf: bool = True) -> int:
    """Write to a text stream; returns the number of data rows."""
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n" if crlf else "\n")
    n = -1
    for row in csv_rows(sheet, guard=guard):
        writer.writerow(row)
        n += 1
    return n


def write_csv_file(path: str | Path, sheet: Sheet, *, bom: bool = True) -> int:
    """Write ``path`` (UTF-8 with BOM by default), atomically; returns the number of data rows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_text_output(path, encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        return write_csv(fh, sheet)
