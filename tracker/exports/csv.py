"""Writing a sheet as CSV for Excel on Chinese Windows; the one CSV writer of the project.

UTF-8 **with a BOM** (without it Excel reads UTF-8 as GBK and shows mojibake), CRLF line ends
(Notepad), every text field quoted so ids stay text, times as ``YYYY-MM-DD HH:MM`` Beijing time.
Excel evaluates a CSV cell that starts with ``=``, ``+``, ``-`` or ``@`` even when it is quoted,
so every text cell that starts with one of those gets a leading apostrophe (the usual CSV
injection guard), whatever its column: titles, account and unit names come from strangers, and
an id or a link read from an imported file is no safer. Numbers are never touched (``-2`` in a
number column is written unquoted and Excel reads it as a number). The guard cannot be turned
off: every CSV the command line writes, to a file or to standard output, goes through here.
``unguard`` undoes it for sheets read back (``tracker review import``). A number that is only a
floor (the sheet's ``floors``: a count shown as "100万+") is written as the text ``≥1000000``:
a CSV cell has no number format to say it, and a bare number would read as exact. ``write_csv_file`` is
for people (BOM, CRLF); ``write_csv`` on standard output with ``crlf=False`` is for programs.
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

__all__ = ["DANGEROUS_START", "csv_rows", "guard", "unguard", "write_csv", "write_csv_file"]

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel (and LibreOffice) read a cell as a formula."""
_PRECISION = {"score": 2, "ratio": 4, "num": 2, "pct": 6}


def _cell(value: Any, kind: str) -> Any:
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
    return guard(str(value))


def guard(text: str) -> str:
    """``text`` as a cell Excel shows as text: an apostrophe before a formula trigger.

    Text that already starts with apostrophes before a trigger gets one more, so ``unguard``
    gives back exactly what was guarded."""
    return "'" + text if text.lstrip("'").startswith(DANGEROUS_START) else text


def unguard(value: Any) -> Any:
    """A cell read back from one of our sheets: the guard's apostrophe removed (other values,
    and text that only happens to start with an apostrophe, unchanged)."""
    if (
        isinstance(value, str)
        and value[:1] == "'"
        and value.lstrip("'").startswith(DANGEROUS_START)
    ):
        return value[1:]
    return value


def csv_rows(sheet: Sheet) -> Iterator[list[Any]]:
    """Header then data rows as Python values (numbers as int/float, text guarded str)."""
    headers = list(sheet.frame.columns)
    kinds = [sheet.kind(h) for h in headers]
    yield [guard(str(h)) for h in headers]
    columns = [sheet.frame[h].to_numpy(dtype=object) for h in headers]
    floors = [(c, mask) for c, h in enumerate(headers) if (mask := sheet.floor(h)) is not None]
    for r in range(len(sheet.frame)):
        row = [_cell(columns[c][r], kinds[c]) for c in range(len(headers))]
        for c, mask in floors:
            if mask[r] and isinstance(row[c], int | float):
                row[c] = f"≥{row[c]}"
        yield row


def write_csv(out: IO[str], sheet: Sheet, *, crlf: bool = True) -> int:
    """Write to a text stream; returns the number of data rows."""
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n" if crlf else "\n")
    n = -1
    for row in csv_rows(sheet):
        writer.writerow(row)
        n += 1
    return n


def write_csv_file(path: str | Path, sheet: Sheet, *, bom: bool = True) -> int:
    """Write ``path`` (UTF-8 with BOM by default), atomically; returns the number of data rows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_text_output(path, encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        return write_csv(fh, sheet)
