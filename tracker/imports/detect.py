"""Which import format a file is, decided from its content (the name is only a tiebreak).

Files arrive renamed (``导出.txt``), with the wrong extension (a HAR saved as ``.json``) or
none at all, so the first bytes decide:

- a zip (``PK``) is an xlsx: a submission list when its header row names the submission
  columns, MediaCrawler's Excel export when it has MediaCrawler's columns;
- JSON whose first top-level key is ``log`` is a HAR (checked with ijson on the head only,
  so a 500 MB capture is not read to be recognised);
- one JSON object per line with ``source_platform`` and ``data`` is a Zeeschuimer export;
  with MediaCrawler's columns (``note_id``, ``aweme_id``…) it is MediaCrawler JSONL, and a
  JSON array of such rows is MediaCrawler's JSON output;
- any other single JSON value is a saved API response;
- text with a recognisable header row is a submission list or a MediaCrawler CSV.

Anything else is an :class:`~tracker.errors.ImportFormatError` naming the file.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import ijson

from tracker.errors import ImportFormatError
from tracker.imports.mediacrawler import detect_table
from tracker.imports.submissions import (
    HEADER_SCAN_ROWS,
    check_submission_file,
    find_header,
    load_sheets,
)
from tracker.imports.textlines import decode_lines
from tracker.imports.zeeschuimer import is_envelope

__all__ = ["FORMATS", "Detected", "detect_format"]

FORMATS = ("har", "zeeschuimer", "json", "mediacrawler", "submission")
FORMAT_NAMES_ZH = {
    "har": "HAR 抓包",
    "zeeschuimer": "Zeeschuimer NDJSON",
    "json": "API 响应 JSON",
    "mediacrawler": "MediaCrawler 数据",
    "submission": "单位报送表",
    "unknown": "无法导入（已跳过）",
}
HEAD_BYTES = 256 * 1024
_MEDIACRAWLER_MARKS = {"last_modify_ts", "add_ts", "source_keyword", "creator_hash"}


@dataclass(frozen=True, slots=True)
class Detected:
    format: str
    detail: str | None = None
    """The MediaCrawler table, for example."""


def _decode_head(head: bytes, *, whole: bool) -> str:
    """The head as text, decoded line by line in the encoding most of its lines are in.

    Decoding the head in one piece let one bad byte in a GBK list turn the whole head into
    U+FFFD, so its header was not found and every row was lost; a damaged line is now only
    that line (the reader rejects it with its number).
    """
    return decode_lines(head, complete=whole).text()


def _top_level_keys(head: bytes) -> tuple[str | None, list[str]]:
    """('map'|'array'|None, the first top-level keys / first element's keys) from a head."""
    kind: str | None = None
    keys: list[str] = []
    try:
        for prefix, event, value in ijson.parse(io.BytesIO(head)):
            if kind is None:
                kind = (
                    "map" if event == "start_map" else "array" if event == "start_array" else None
                )
                if kind is None:
                    return None, []
                continue
            if kind == "map" and prefix == "" and event == "map_key":
                keys.append(value)
                if len(keys) >= 5:
                    break
            if kind == "array" and prefix == "item" and event == "map_key":
                keys.append(value)
            if kind == "array" and prefix == "item" and event == "end_map":
                break
    except ijson.JSONError:
        pass  # the head ends mid-document: what was read is enough
    except UnicodeDecodeError:
        pass  # not UTF-8 JSON (or cut inside a character): detection falls back to other signs
    return kind, keys


def _json_lines(text: str) -> list[object] | None:
    """The first JSON lines when the head is JSON Lines (two or more complete lines)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    complete = lines[:-1] if len(lines) > 1 else lines
    values = []
    failed = 0
    for line in complete[:20]:
        try:
            values.append(json.loads(line.replace("\x00", "")))
        except json.JSONDecodeError:
            failed += 1  # a broken line is reported when the file is read, not here
        if len(values) >= 5:
            break
    if not values or failed > len(values):
        return None
    return values


def _detect_json(path: Path, head: bytes, text: str, whole: bool) -> Detected:
    lines = _json_lines(text)
    if lines and (len(lines) > 1 or not whole or len(text.strip().splitlines()) > 1):
        first = lines[0]
        if is_envelope(first):
            return Detected("zeeschuimer")
        if isinstance(first, dict):
            table = detect_table(first)
            if table:
                return Detected("mediacrawler", table)
        if len(lines) > 1 and all(isinstance(v, dict) for v in lines):
            raise ImportFormatError(
                f"{path}: 每行一个 JSON 对象，但既不是 Zeeschuimer 导出也不是 MediaCrawler 数据"
            )
    if lines and len(lines) == 1 and isinstance(lines[0], dict):
        row = lines[0]
        if _MEDIACRAWLER_MARKS & set(row) and detect_table(row):
            return Detected("mediacrawler", detect_table(row))
    kind, keys = _top_level_keys(head)
    if kind == "map" and keys[:1] == ["log"]:
        return Detected("har")
    if kind == "map" and "log" in keys and not whole:
        return Detected("har")
    if kind == "array":
        table = detect_table(keys)
        if table:
            return Detected("mediacrawler", table)
    if kind is not None:
        return Detected("json")
    raise ImportFormatError(f"{path}: 看起来是 JSON，但开头无法解析")


def _detect_table_text(path: Path, text: str) -> Detected | None:
    sample = "\n".join(text.splitlines()[: HEADER_SCAN_ROWS + 1])
    try:
        dialect: object = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(sample), dialect))  # type: ignore[arg-type]
    if rows:
        table = detect_table(rows[0])
        if table:
            return Detected("mediacrawler", table)
    if find_header(rows):
        check_submission_file(path)
        return Detected("submission")
    return None


def _detect_xlsx(path: Path) -> Detected:
    sheets = load_sheets(path, str(path))
    for sheet in sheets:
        rows = [values for _, values in sheet.rows[:HEADER_SCAN_ROWS]]
        if rows and detect_table(str(v) for v in rows[0] if v is not None):
            return Detected("mediacrawler")
        if find_header(rows):
            check_submission_file(path)
            return Detected("submission")
    raise ImportFormatError(f"{path}: 工作簿中找不到可识别的表头（报送表需要“作品链接”“单位”等列）")


def detect_format(path: Path) -> Detected:
    """The import format of ``path`` (see the module doc); ImportFormatError when unknown."""
    if not path.exists():
        raise ImportFormatError(f"找不到文件: {path}")
    if path.is_dir():
        raise ImportFormatError(f"{path} 是目录")
    size = path.stat().st_size
    if size == 0:
        raise ImportFormatError(f"{path}: 文件是空的")
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    whole = len(head) >= size
    if head.startswith(b"PK\x03\x04"):
        return _detect_xlsx(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFormatError(f"{path}: 旧版 .xls 文件不支持，请在 Excel 中另存为 .xlsx 或 CSV")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = _decode_head(head, whole=whole)
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("{", "["):
        body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return _detect_json(path, body, stripped, whole)
    found = _detect_table_text(path, stripped)
    if found:
        return found
    raise ImportFormatError(
        f"{path}: 无法识别的文件格式；支持 HAR、Zeeschuimer NDJSON、API 响应 JSON、"
        "MediaCrawler（JSONL/JSON/CSV/xlsx）和单位报送表（xlsx/CSV，需有“作品链接”列）"
    )
