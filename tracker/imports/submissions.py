"""Units' submission lists (``.xlsx`` / ``.csv``, Chinese headers) -> records.

Units report their works as spreadsheets: one row per work with 单位, 作品链接, 平台, 作者/账号,
发布时间, 阅读量/播放量, 点赞, 评论, 转发 — spelt a dozen ways, sometimes under a title row,
sometimes with the unit merged down a block of rows, as UTF-8, UTF-8 with BOM or GBK CSV. This
module finds the header (by synonyms, in the first rows), reads every row, resolves each link
to (platform, post id) and turns the row into a ``source="submission"`` record marked as
reported by its unit. What a row cannot give is left ``None``.

- The row's unit becomes the unit of the work's account when the account is known (from the
  link, the article page, or a connector), and the work is linked to the chosen campaign with
  ``matched_by="submission"``.
- The same work listed twice is stored once; the duplicate rows are reported.
- A row whose link names no work is rejected with its line and the reason; the other rows of
  the file still import. A file without a link column cannot be read at all.
- The snapshot time of the reported figures is the file's 统计时间 column when it has one, else
  the file's modification time (so re-importing the same file changes nothing).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from connectors.article_page import ArticleInfo
from connectors.base import Connector
from connectors.catalogue import PLATFORM_NAMES_ZH, platform_by_alias, platforms_of_kind
from connectors.links import UrlResolver
from connectors.workref import ShortLinkError, WorkRef, WorkUrlError
from tracker.errors import ImportFormatError, TrackerError
from tracker.imports.articles import parse_article
from tracker.imports.chunk import Chunk, prefix_rejects
from tracker.imports.textlines import decode_lines, line_payload
from tracker.normalize.counts import lower_bounded, parse_count
from tracker.normalize.times import parse_time
from tracker.records import MAX_COUNT, AccountRecord, CampaignLink, Metrics, PostRecord

__all__ = [
    "FIELDS",
    "SOURCE",
    "ArticleFetcher",
    "SubmissionRow",
    "check_submission_file",
    "find_header",
    "load_sheets",
    "platform_from_name",
    "read_submissions",
    "submission_records",
]

SOURCE = "submission"
HEADER_SCAN_ROWS = 10

FIELDS: dict[str, tuple[str, ...]] = {
    "unit": (
        "单位",
        "单位名称",
        "报送单位",
        "所属单位",
        "推荐单位",
        "申报单位",
        "参赛单位",
        "组织单位",
    ),
    "url": (
        "作品链接",
        "链接",
        "作品地址",
        "作品网址",
        "网址",
        "url",
        "作品url",
        "链接地址",
        "作品链接地址",
        "发布链接",
        "作品发布链接",
    ),
    "platform": ("平台", "发布平台", "所属平台", "平台名称", "传播平台"),
    "author": (
        "作者/账号",
        "作者",
        "账号",
        "账号名称",
        "发布账号",
        "作者账号",
        "账号昵称",
        "作者/账号名称",
        "创作者",
        "账号名",
    ),
    "title": ("作品名称", "标题", "作品标题", "题目", "作品题目"),
    "published": ("发布时间", "发布日期", "发表时间", "发布时间/日期"),
    "views": (
        "阅读量/播放量",
        "播放量/阅读量",
        "阅读量",
        "播放量",
        "浏览量",
        "观看量",
        "阅读数",
        "播放数",
        "阅读/播放量",
        "阅读量/播放数",
    ),
    "likes": ("点赞", "点赞量", "点赞数"),
    "comments": ("评论", "评论量", "评论数"),
    "shares": ("转发", "转发量", "转发数", "分享", "分享量", "分享数", "转发/分享"),
    "favorites": ("收藏", "收藏量", "收藏数"),
    "as_of": ("统计时间", "数据时间", "截止时间", "统计截止时间", "数据截止时间", "统计日期"),
}
"""Field -> accepted header spellings (compared after :func:`normalise_header`)."""

FIELD_NAMES_ZH = {
    "unit": "单位",
    "url": "作品链接",
    "platform": "平台",
    "author": "作者/账号",
    "title": "作品名称",
    "published": "发布时间",
    "views": "阅读量/播放量",
    "likes": "点赞",
    "comments": "评论",
    "shares": "转发",
    "favorites": "收藏",
    "as_of": "统计时间",
}
_EXPECTED = ("unit", "platform", "author", "published", "views", "likes", "comments", "shares")
_METRICS = ("views", "likes", "comments", "shares", "favorites")


def normalise_header(value: Any) -> str:
    """Header text for comparison: width-folded, no spaces, no ``（次）``/``*`` annotations."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).lower()
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return re.sub(r"[\s*：:]+", "", text)


_LOOKUP = {normalise_header(s): f for f, spellings in FIELDS.items() for s in spellings}


def platform_from_name(value: Any) -> str | None:
    """A platform column's value (``抖音``, ``B站``, ``weibo``…) -> platform id."""
    text = normalise_header(value)
    if not text:
        return None
    return platform_by_alias(text)


@dataclass(frozen=True, slots=True)
class Header:
    """Where a sheet's header is (``first``..``last``, 0-based rows) and its columns."""

    first: int
    last: int
    columns: dict[str, list[int]]


def _fields(row: Sequence[Any]) -> dict[int, str]:
    """Column -> field for the cells of ``row`` that name a known field."""
    out: dict[int, str] = {}
    for j, cell in enumerate(row):
        name = _LOOKUP.get(normalise_header(cell))
        if name:
            out[j] = name
    return out


def _by_field(fields: Mapping[int, str]) -> dict[str, list[int]]:
    columns: dict[str, list[int]] = {}
    for j in sorted(fields):
        columns.setdefault(fields[j], []).append(j)
    return columns


def _looks_like_data(value: Any) -> bool:
    """A cell no header has: a number, a date, a link."""
    if value in (None, ""):
        return False
    return not isinstance(value, str) or "://" in value or value.strip().startswith("www.")


def _second_header_row(top: Sequence[Any], sub: Sequence[Any]) -> dict[int, str] | None:
    """The fields of a two-row header ``top`` + ``sub``, or None when ``sub`` is not its part.

    ``sub`` belongs to the header when it names fields under a group label of ``top`` (互动数据
    merged over 点赞 | 评论 | 转发), or when it only repeats ``top`` (cells merged down two rows,
    which :func:`load_sheets` shows in both). A row holding numbers or links is data, and a
    ``top`` naming no field is a title (or only group labels): ``sub`` is then the header alone.
    """
    if not any(v not in (None, "") for v in sub) or any(_looks_like_data(v) for v in sub):
        return None
    top_fields, sub_fields = _fields(top), _fields(sub)
    if not top_fields:
        return None
    adds = any(j not in top_fields for j in sub_fields)
    repeats = all(
        v in (None, "") or (j < len(top) and str(top[j]).strip() == str(v).strip())
        for j, v in enumerate(sub)
    )
    if not adds and not repeats:
        return None
    return {**top_fields, **sub_fields}


def _find_header(rows: Sequence[Sequence[Any]]) -> Header | None:
    """The header naming the most known fields (at least two) among the first rows.

    Title rows above it ("2024 年科普日作品报送表") are skipped. A header may take two rows (see
    :func:`_second_header_row`); on a tie the one-row reading wins.
    """
    best: Header | None = None
    scan = rows[:HEADER_SCAN_ROWS]
    for i, row in enumerate(scan):
        candidates = [Header(i, i, _by_field(_fields(row)))]
        pair = _second_header_row(row, scan[i + 1]) if i + 1 < len(scan) else None
        if pair is not None:
            candidates.append(Header(i, i + 1, _by_field(pair)))
        for found in candidates:
            if len(found.columns) >= 2 and (best is None or len(found.columns) > len(best.columns)):
                best = found
    return best


def find_header(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[str, list[int]]] | None:
    """(index of the header's last row, field -> column indexes), or None; see _find_header."""
    found = _find_header(rows)
    return None if found is None else (found.last, found.columns)


# --- reading files --------------------------------------------------------------------------------


@dataclass(slots=True)
class Sheet:
    """One table of a submission file: rows with their 1-based line numbers."""

    name: str | None
    rows: list[tuple[int, list[Any]]]
    notes: list[str] = field(default_factory=list)
    column_letters: bool = False
    """Columns are named by letter (a workbook) rather than by number (a CSV)."""
    damaged: dict[int, tuple[int, str, str]] = field(default_factory=dict)
    """Row line -> (bad line, reason, the line's bytes as text) for rows of a CSV holding a line
    that could not be decoded (a quoted field may span lines). Such a row is a reject; as a
    header it is still read, its undecodable bytes shown as U+FFFD."""


def _decode_csv(raw: bytes, label: str) -> tuple[str, str, list[tuple[int, str, str]]]:
    """(text, encoding, bad lines) of a CSV that may be UTF-8 (BOM or not), GBK or mixed.

    Each line is decoded on its own (see :mod:`tracker.imports.textlines`): a line that is not
    valid in the file's encoding keeps its readable part (the bad bytes become U+FFFD, so the
    CSV quoting around it stays intact) and is reported with its line, column and bytes, so it
    can be rejected while the other rows import. Only a file with no readable line is an error.
    """
    decoded = decode_lines(raw)
    name = {"utf-8": "UTF-8", "gb18030": "GBK"}.get(decoded.encoding, decoded.encoding.upper())
    bad = [
        (
            i,
            f"{label}:{i}:{col}: 这一行不是 {name} 编码，无法读取",
            line_payload(decoded.raw[i - 1], decoded.encoding),
        )
        for i, col in sorted(decoded.bad.items())
    ]
    nonblank = [i for i, ln in enumerate(decoded.raw, 1) if ln.strip()]
    if nonblank and all(i in decoded.bad for i in nonblank):
        raise ImportFormatError(
            f"{label}:{bad[0][0]}: 无法识别文件编码（既不是 UTF-8 也不是 GBK）；请另存为 UTF-8 CSV 或 xlsx"
        )
    return decoded.text(), decoded.encoding, bad


def _csv_sheet(path: Path, label: str) -> Sheet:
    raw = path.read_bytes()
    text, encoding, bad = _decode_csv(raw, label)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[tuple[int, list[Any]]] = []
    damaged: dict[int, tuple[int, str, str]] = {}
    pending = list(bad)
    start = 1
    try:
        for record in reader:
            rows.append((start, list(record)))
            while pending and pending[0][0] <= reader.line_num:  # a bad line inside this row
                damaged.setdefault(start, pending.pop(0))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFormatError(f"{label}:{reader.line_num}: CSV 格式错误: {exc}") from None
    sheet = Sheet(None, rows, damaged=damaged)
    if encoding == "gb18030":
        sheet.notes.append(f"{label}: 按 GBK 编码读取")
    return sheet


_HYPERLINK = re.compile(
    r'^=\s*(?:_xlfn\.)?HYPERLINK\s*\(\s*(?:"((?:[^"]|"")*)"|\$?([A-Z]{1,3})\$?([0-9]+))\s*(?:[,;)]|$)',
    re.IGNORECASE,
)
"""``=HYPERLINK("https://…", "点击查看")`` or ``=HYPERLINK(D2, …)``: the target is group 1, or
the cell named by groups 2-3."""


def _open_workbook(path: Path, label: str, *, data_only: bool) -> Any:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings(), path.open("rb") as fh:
            warnings.simplefilter("ignore")  # unsupported extensions (data validation…) are noise
            return load_workbook(fh, data_only=data_only)  # a file object: any name is fine
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken file
        raise ImportFormatError(f"{label}: 无法打开 xlsx 文件: {exc}") from None


def _has_hyperlink_formula(path: Path) -> bool:
    """Whether any worksheet holds a HYPERLINK formula (only then are formulas loaded too)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return any(
                b"HYPERLINK(" in zf.read(name).upper()
                for name in zf.namelist()
                if name.startswith("xl/worksheets/") and name.endswith(".xml")
            )
    except (zipfile.BadZipFile, OSError, KeyError):
        return False  # opening the workbook reports the damage


def _hyperlink_formulas(path: Path, label: str) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet -> (row, column) -> the text of each HYPERLINK formula.

    Values are read with ``data_only=True`` (a formula's cached result, as Excel shows it), and
    a HYPERLINK's cached result is its display text ("点击查看"), or nothing at all when the file
    was not saved by Excel; the link itself is only in the formula.
    """
    if not _has_hyperlink_formula(path):
        return {}
    wb = _open_workbook(path, label, data_only=False)
    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    value = cell.value
                    if isinstance(value, str) and "HYPERLINK(" in value.upper():
                        out.setdefault(ws.title, {})[(cell.row, cell.column)] = value
    finally:
        wb.close()
    return out


def _formula_link(formula: str, ws: Any) -> str:
    """The target of a HYPERLINK formula; the formula itself when its target is computed
    ("https://"&D4), so the row's reject shows what was written."""
    match = _HYPERLINK.match(formula.strip())
    if match is None:
        return formula
    if match[1] is not None:
        return match[1].replace('""', '"')
    target = ws[f"{match[2]}{match[3]}"].value
    return str(target) if target not in (None, "") else formula


def _cell_value(cell: Any, ws: Any, formulas: Mapping[tuple[int, int], str]) -> Any:
    """A cell as a link column needs it: the target of a hyperlink behind display text."""
    value = cell.value
    formula = formulas.get((cell.row, cell.column))
    if formula is not None and (value is None or "://" not in str(value)):
        return _formula_link(formula, ws)
    link = getattr(cell, "hyperlink", None)
    target = getattr(link, "target", None) if link is not None else None
    if target and (value is None or "://" not in str(value)):
        return target if value is None else f"{value} {target}"
    return value


def _worksheet_rows(
    ws: Any, formulas: Mapping[tuple[int, int], str]
) -> list[tuple[int, list[Any]]]:
    """Rows with 1-based numbers; a merged range's value is in each of its cells."""
    merged: dict[tuple[int, int], Any] = {}
    for rng in ws.merged_cells.ranges:
        value = _cell_value(ws.cell(rng.min_row, rng.min_col), ws, formulas)
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                merged[(r, c)] = value
    rows: list[tuple[int, list[Any]]] = []
    for row in ws.iter_rows():
        values = [
            merged[(cell.row, cell.column)]
            if (cell.row, cell.column) in merged
            else _cell_value(cell, ws, formulas)
            for cell in row
        ]
        if row:
            rows.append((row[0].row, values))
    return rows


def _xlsx_sheets(path: Path, label: str) -> list[Sheet]:
    formulas = _hyperlink_formulas(path, label)
    wb = _open_workbook(path, label, data_only=True)
    try:
        return [
            Sheet(ws.title, _worksheet_rows(ws, formulas.get(ws.title, {})), column_letters=True)
            for ws in wb.worksheets
        ]
    finally:
        wb.close()


def load_sheets(path: Path, label: str) -> list[Sheet]:
    """The tables of a submission file (one per worksheet; one for a CSV)."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFormatError(f"{label}: 旧版 .xls 文件不支持，请在 Excel 中另存为 .xlsx 或 CSV")
    if head.startswith(b"PK\x03\x04"):
        return _xlsx_sheets(path, label)
    return [_csv_sheet(path, label)]


# --- rows -> records ------------------------------------------------------------------------------


@dataclass(slots=True)
class SubmissionRow:
    """One row as the unit wrote it (metrics already parsed; ``None`` where blank)."""

    location: str
    url_text: str
    unit: str | None = None
    platform: str | None = None
    author: str | None = None
    title: str | None = None
    published: datetime | None = None
    as_of: datetime | None = None
    metrics: Metrics = field(default_factory=Metrics)
    notes: list[str] = field(default_factory=list)


def _cell(values: Sequence[Any], columns: Mapping[str, list[int]], name: str) -> Any:
    for j in columns.get(name, ()):
        if j < len(values):
            value = values[j]
            if isinstance(value, str):
                value = value.strip()
            if value not in (None, ""):
                return value
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _row(location: str, values: Sequence[Any], columns: Mapping[str, list[int]]) -> SubmissionRow:
    row = SubmissionRow(location=location, url_text=_text(_cell(values, columns, "url")) or "")
    row.unit = _text(_cell(values, columns, "unit"))
    raw_platform = _cell(values, columns, "platform")
    row.platform = platform_from_name(raw_platform)
    if raw_platform is not None and row.platform is None:
        row.notes.append(f"{location}: 平台“{raw_platform}”无法识别，按链接判断")
    row.author = _text(_cell(values, columns, "author"))
    row.title = _text(_cell(values, columns, "title"))
    for name in ("published", "as_of"):
        value = _cell(values, columns, name)
        if value is None:
            continue
        try:
            setattr(row, name, parse_time(value))
        except (ValueError, TypeError):
            row.notes.append(f"{location}: {FIELD_NAMES_ZH[name]}“{value}”不是时间，已留空")
    counts: dict[str, int | None] = {}
    for name in _METRICS:
        value = _cell(values, columns, name)
        try:
            counts[name] = parse_count(value) if value is not None else None
            if counts[name] is not None and counts[name] > MAX_COUNT:
                raise ValueError("beyond any real count")
        except (ValueError, TypeError):
            counts[name] = None
            row.notes.append(f"{location}: {FIELD_NAMES_ZH[name]}“{value}”不是数字，已留空")
    floors = lower_bounded(**{name: _cell(values, columns, name) for name in _METRICS})
    row.metrics = Metrics(**counts, lower_bounds=floors)  # "10万+" in a form is a floor too
    return row


def submission_records(
    ref: WorkRef,
    row: SubmissionRow,
    *,
    captured_at: datetime,
    unit: str | None,
    article: ArticleInfo | None = None,
) -> tuple[PostRecord, AccountRecord | None]:
    """The work (and its account when known) as the unit reported it; pure.

    The article page, when it was read, is the platform's own word on title, author and time and
    wins over the row. A site without account ids (科普中国, 学习强国) is attributed by byline.
    """
    author = (article.author if article else None) or row.author
    uid = ref.account_uid or (article.account_uid if article else None)
    if uid is None and ref.platform in platforms_of_kind("article") and author:
        uid = author
    context = dict(ref.context)
    if unit:
        context["reported_by_unit"] = unit
    if row.author:
        context["reported_author"] = row.author
    post = PostRecord(
        platform=ref.platform,
        platform_post_id=ref.post_id,
        captured_at=captured_at,
        account_uid=uid,
        url=ref.url,
        title=(article.title if article else None) or row.title,
        text=article.text if article else None,
        content_type=ref.content_type,
        published_at=(article.published_at if article else None) or row.published,
        metrics=row.metrics,
        source=SOURCE,
        context=context,
    )
    account = None
    if uid is not None:
        account = AccountRecord(
            platform=ref.platform, platform_uid=uid, name=author, seen_at=captured_at
        )
    return post, account


class ArticleFetcher(Protocol):
    """Returns the HTML (or 学习强国 JSONP) of an article page; raises ``TrackerError``."""

    def fetch(self, ref: WorkRef) -> str: ...


def _missing_note(
    label: str, columns: Mapping[str, list[int]], default_unit: str | None
) -> str | None:
    missing = [FIELD_NAMES_ZH[f] for f in _EXPECTED if f not in columns]
    if "unit" not in columns and default_unit:
        missing.remove("单位")
    if not missing:
        return None
    return f"{label}: 没有这些列，对应数据记为空: {'、'.join(missing)}"


def read_submissions(
    path: Path,
    *,
    label: str,
    captured_at: datetime,
    campaign: str,
    default_unit: str | None = None,
    resolver: UrlResolver | None = None,
    articles: ArticleFetcher | None = None,
    connectors: Mapping[str, Connector] | None = None,
) -> Iterator[Chunk]:
    """One chunk per row, then one per page of connector details (when connectors are given)."""
    resolver = resolver or UrlResolver()
    sheets = load_sheets(path, label)
    headers = _headers(sheets, label)
    seen: dict[tuple[str, str], str] = {}
    live: dict[str, dict[str, tuple[str | None, str]]] = {}
    multi = len(sheets) > 1
    for sheet, found in zip(sheets, headers, strict=True):
        where = f"{label}[{sheet.name}]" if multi else label
        yield _sheet_notes(where, sheet, found, default_unit)
        if found is None or "url" not in found.columns:
            continue
        for line, values in sheet.rows[found.last + 1 :]:
            if line in sheet.damaged:
                yield _damaged_row(where, *sheet.damaged[line])
                continue
            if all(v in (None, "") or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            yield _row_chunk(
                _row(f"{where}:{line}", values, found.columns),
                captured_at=captured_at,
                campaign=campaign,
                default_unit=default_unit,
                resolver=resolver,
                articles=articles,
                connectors=connectors,
                seen=seen,
                live=live,
            )
    for platform, works in live.items():
        yield from _live_details(connectors or {}, platform, works, label)


def _sheet_notes(where: str, sheet: Sheet, found: Header | None, default_unit: str | None) -> Chunk:
    """What the report should say about a sheet before its rows: skipped, columns missing or
    not understood, a header line with bytes that could not be decoded."""
    chunk = Chunk(notes=list(sheet.notes))
    if found is None or "url" not in found.columns:
        if found is not None or any(any(v not in (None, "") for v in r) for _, r in sheet.rows):
            chunk.notes.append(f"{where}: 这个工作表没有“作品链接”列，已跳过")
        return chunk
    for note in (
        _missing_note(where, found.columns, default_unit),
        _unrecognised_note(where, sheet, found),
    ):
        if note:
            chunk.notes.append(note)
    header_end = sheet.rows[found.last][0]
    for line, (bad, _, _) in sorted(sheet.damaged.items()):
        if line <= header_end:
            chunk.notes.append(
                f"{where}:{bad}: 表头或标题行含有无法解码的字节，已按可读部分识别"
                " (header line has undecodable bytes)"
            )
    return chunk


def _damaged_row(where: str, bad: int, reason: str, payload: str) -> Chunk:
    """A row holding a line that could not be decoded: rejected at that line, bytes kept."""
    chunk = Chunk(read=1)
    chunk.reject(reason, location=f"{where}:{bad}", payload=payload)
    return chunk


def _headers(sheets: list[Sheet], label: str) -> list[Header | None]:
    headers = [_find_header([values for _, values in sheet.rows]) for sheet in sheets]
    if not any(h and "url" in h.columns for h in headers):
        raise _no_url_column(label, sheets, headers)
    return headers


_NOT_DATA_HEADERS = frozenset(map(normalise_header, ("序号", "编号", "序列号", "no", "no.")))
"""Header texts of columns that hold no work data: never reported as unrecognised."""


def _column_name(sheet: Sheet, j: int) -> str:
    """How staff find column ``j`` (0-based): its letter in a workbook, its number in a CSV."""
    if sheet.column_letters:
        from openpyxl.utils import get_column_letter

        return f"第 {get_column_letter(j + 1)} 列"
    return f"第 {j + 1} 列"


def _header_labels(sheet: Sheet, header: Header) -> dict[int, str]:
    """Column -> its header text (a two-row header's texts joined, repeats once)."""
    labels: dict[int, list[str]] = {}
    for _, values in sheet.rows[header.first : header.last + 1]:
        for j, value in enumerate(values):
            text = str(value).strip() if value is not None else ""
            if text and text not in labels.setdefault(j, []):
                labels[j].append(text)
    return {j: "/".join(texts) for j, texts in sorted(labels.items()) if texts}


def _unrecognised_note(where: str, sheet: Sheet, header: Header) -> str | None:
    """Name the columns that hold data under a header no field matches, so none goes unseen."""
    known = {j for cols in header.columns.values() for j in cols}
    labels = _header_labels(sheet, header)
    filled: set[int] = set()
    for _, values in sheet.rows[header.last + 1 :]:
        filled.update(j for j, v in enumerate(values) if v not in (None, "") and j not in known)
    lost = [
        f"{labels.get(j, '（无表头）')}（{_column_name(sheet, j)}）"
        for j in sorted(filled)
        if normalise_header(labels.get(j)) not in _NOT_DATA_HEADERS
    ]
    if not lost:
        return None
    line = sheet.rows[header.first][0]
    return (
        f"{where}:{line}: 表头中这些列无法识别，其数据未导入 (unrecognised columns, not imported): "
        f"{'、'.join(lost)}；请把表头改为 {'、'.join(FIELD_NAMES_ZH[f] for f in _METRICS)} 等列名"
    )


def check_submission_file(path: Path, label: str | None = None) -> None:
    """Raise the clear error a submission file without a link column deserves, before importing."""
    label = label or str(path)
    _headers(load_sheets(path, label), label)


def _no_url_column(
    label: str, sheets: list[Sheet], headers: list[Header | None]
) -> ImportFormatError:
    for sheet, found in zip(sheets, headers, strict=True):
        if found is not None:
            line = sheet.rows[found.first][0]
            names = list(_header_labels(sheet, found).values())
            return ImportFormatError(
                f"{label}:{line}: 缺少必需的列“作品链接”（可用列名: 作品链接、链接、作品地址、URL）；"
                f"表头为: {'、'.join(names)}"
            )
    return ImportFormatError(
        f"{label}: 前 {HEADER_SCAN_ROWS} 行中找不到表头（需要“作品链接”列，以及单位、平台等列）；"
        "如果是 CSV，请检查编码是否为 UTF-8 或 GBK"
    )


def _row_chunk(
    row: SubmissionRow,
    *,
    captured_at: datetime,
    campaign: str,
    default_unit: str | None,
    resolver: UrlResolver,
    articles: ArticleFetcher | None,
    connectors: Mapping[str, Connector] | None,
    seen: dict[tuple[str, str], str],
    live: dict[str, dict[str, tuple[str | None, str]]],
) -> Chunk:
    chunk = Chunk(read=1, notes=list(row.notes))
    payload = row.url_text
    if not row.url_text:
        chunk.reject("作品链接为空", location=row.location, payload=payload)
        return chunk
    try:
        ref = resolver.resolve(row.url_text)
    except ShortLinkError as exc:
        chunk.reject(
            f"{exc}（导入时加 --fetch 可联网解析短链接）",
            location=row.location,
            payload=payload,
            platform=exc.platform,
        )
        return chunk
    except WorkUrlError as exc:
        chunk.reject(f"无法识别的作品链接: {exc}", location=row.location, payload=payload)
        return chunk
    if row.platform and row.platform != ref.platform:
        chunk.notes.append(
            f"{row.location}: 平台列写的是{PLATFORM_NAMES_ZH.get(row.platform, row.platform)}，"
            f"链接是{PLATFORM_NAMES_ZH.get(ref.platform, ref.platform)}的，按链接计"
        )
    first = seen.get(ref.key)
    if first is not None:
        chunk.skipped, chunk.skip_reason = 1, "重复的作品（同一链接）"
        chunk.duplicates.append(f"{row.location}: 与 {first} 是同一作品，只计一次")
        return chunk
    seen[ref.key] = row.location
    unit = row.unit or default_unit
    article = None
    if articles is not None and ref.platform in platforms_of_kind("article"):
        try:
            article = parse_article(ref.platform, articles.fetch(ref))
        except TrackerError as exc:
            chunk.notes.append(f"{row.location}: 文章页读取失败，只保存报送的数据: {exc}")
    at = row.as_of or captured_at
    try:
        post, account = submission_records(ref, row, captured_at=at, unit=unit, article=article)
    except ValueError as exc:
        chunk.reject(
            f"数据无效: {exc}", location=row.location, payload=payload, platform=ref.platform
        )
        return chunk
    chunk.page.posts.append(post)
    if account is not None:
        chunk.page.accounts.append(account)
        if unit:
            chunk.unit_accounts.append((ref.platform, account.platform_uid, unit))
    elif unit:
        chunk.work_units.append((ref.platform, ref.post_id, unit))
    chunk.links.append(
        CampaignLink(ref.platform, ref.post_id, campaign, "submission", unit or row.url_text[:200])
    )
    if connectors and ref.platform in connectors:
        live.setdefault(ref.platform, {})[ref.post_id] = (unit, ref.url)
    return chunk


def _live_details(
    connectors: Mapping[str, Connector],
    platform: str,
    works: Mapping[str, tuple[str | None, str]],
    label: str,
) -> Iterator[Chunk]:
    """Details of submitted works through the platform's connector (network, when allowed).

    ``works`` maps each post id to (the row's unit, the link as submitted): the connector takes
    what its detail endpoint needs from the link (Xiaohongshu's ``xsec_token``). The details
    name the work's account, so the row's unit can be attached to it here even when the link
    did not say whose work it is.
    """
    units = {post_id: unit for post_id, (unit, _) in works.items()}
    connector = connectors[platform]
    keys = connector.refresh_keys([(post_id, url) for post_id, (_, url) in works.items()])
    try:
        for fetched in connector.refresh(keys):
            chunk = Chunk(page=fetched.parsed, parsed=1)
            for post in chunk.page.posts:
                unit = units.get(post.platform_post_id)
                if unit and post.account_uid:
                    chunk.unit_accounts.append((post.platform, post.account_uid, unit))
            prefix_rejects(chunk.page, f"{label} ({platform} 详情)")
            yield chunk
    except TrackerError as exc:
        yield Chunk(
            notes=[
                f"{label}: 无法通过 {PLATFORM_NAMES_ZH.get(platform, platform)} 接口获取详情: {exc}"
            ]
        )
