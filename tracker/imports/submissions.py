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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from connectors.base import Connector
from tracker.errors import ImportFormatError, TrackerError
from tracker.imports.articles import ARTICLE_PLATFORMS, ArticleInfo, parse_article
from tracker.imports.chunk import Chunk, prefix_rejects
from tracker.imports.urls import ShortLinkError, UrlResolver, WorkRef, WorkUrlError
from tracker.normalize.counts import parse_count
from tracker.normalize.times import parse_time
from tracker.records import (
    MAX_COUNT,
    PLATFORM_NAMES_ZH,
    PLATFORMS,
    AccountRecord,
    CampaignLink,
    Metrics,
    PostRecord,
)

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

_PLATFORM_ALIASES = {
    "微博": "weibo",
    "新浪微博": "weibo",
    "抖音": "douyin",
    "快手": "kuaishou",
    "知乎": "zhihu",
    "b站": "bilibili",
    "哔哩哔哩": "bilibili",
    "哔哩哔哩(b站)": "bilibili",
    "小红书": "xiaohongshu",
    "科普中国": "kepuchina",
    "学习强国": "xuexi",
    "腾讯新闻": "qqnews",
    "企鹅号": "qqnews",
    "腾讯新闻/企鹅号": "qqnews",
    "tiktok": "tiktok",
}


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
    if text in PLATFORMS:
        return text
    return _PLATFORM_ALIASES.get(text)


def find_header(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[str, list[int]]] | None:
    """(row index, field -> column indexes) of the header among the first rows, or None.

    The header is the row naming the most known fields (at least two); title rows above it
    ("2024 年科普日作品报送表") are skipped.
    """
    best: tuple[int, dict[str, list[int]]] | None = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, list[int]] = {}
        for j, cell in enumerate(row):
            name = _LOOKUP.get(normalise_header(cell))
            if name:
                columns.setdefault(name, []).append(j)
        if len(columns) >= 2 and (best is None or len(columns) > len(best[1])):
            best = (i, columns)
    return best


# --- reading files --------------------------------------------------------------------------------


@dataclass(slots=True)
class Sheet:
    """One table of a submission file: rows with their 1-based line numbers."""

    name: str | None
    rows: list[tuple[int, list[Any]]]
    notes: list[str] = field(default_factory=list)
    bad_lines: list[tuple[int, str]] = field(default_factory=list)


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    col = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


def _decode_csv(raw: bytes, label: str) -> tuple[str, str, list[tuple[int, str]]]:
    """(text, encoding, bad lines) of a CSV that may be UTF-8 (BOM or not), GBK or mixed.

    Lines that are not valid in the file's encoding are blanked and reported with their line
    and column, so the other rows still import.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16", []
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        return body.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    lines = body.split(b"\n")
    utf8_ok = utf8_bad = 0
    for line in lines:
        if max(line, default=0) < 0x80:
            continue
        try:
            line.decode("utf-8")
            utf8_ok += 1
        except UnicodeDecodeError:
            utf8_bad += 1
    encoding = "utf-8" if utf8_ok > utf8_bad else "gb18030"
    out: list[str] = []
    bad: list[tuple[int, str]] = []
    offset = 3 if body is not raw else 0
    for i, line in enumerate(lines, start=1):
        try:
            out.append(line.decode(encoding))
        except UnicodeDecodeError as exc:
            _, col = _line_col(raw, offset + exc.start)
            name = "UTF-8" if encoding == "utf-8" else "GBK"
            bad.append((i, f"{label}:{i}:{col}: 这一行不是 {name} 编码，无法读取"))
            out.append("")
        offset += len(line) + 1
    if len(bad) == len([ln for ln in lines if ln.strip()]):
        raise ImportFormatError(
            f"{label}:{bad[0][0]}: 无法识别文件编码（既不是 UTF-8 也不是 GBK）；请另存为 UTF-8 CSV 或 xlsx"
        )
    return "\n".join(out), encoding, bad


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
    start = 1
    try:
        for record in reader:
            rows.append((start, list(record)))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFormatError(f"{label}:{reader.line_num}: CSV 格式错误: {exc}") from None
    sheet = Sheet(None, rows, bad_lines=bad)
    if encoding == "gb18030":
        sheet.notes.append(f"{label}: 按 GBK 编码读取")
    return sheet


def _xlsx_sheets(path: Path, label: str) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings(), path.open("rb") as fh:
            warnings.simplefilter("ignore")  # unsupported extensions (data validation…) are noise
            wb = load_workbook(fh, data_only=True)  # a file object: any file name is fine
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a broken file
        raise ImportFormatError(f"{label}: 无法打开 xlsx 文件: {exc}") from None
    sheets: list[Sheet] = []
    try:
        for ws in wb.worksheets:
            merged: dict[tuple[int, int], Any] = {}
            for rng in ws.merged_cells.ranges:
                value = ws.cell(rng.min_row, rng.min_col).value
                for r in range(rng.min_row, rng.max_row + 1):
                    for c in range(rng.min_col, rng.max_col + 1):
                        merged[(r, c)] = value
            rows: list[tuple[int, list[Any]]] = []
            for row in ws.iter_rows():
                values: list[Any] = []
                for cell in row:
                    value = merged.get((cell.row, cell.column), cell.value)
                    link = getattr(cell, "hyperlink", None)
                    target = getattr(link, "target", None) if link is not None else None
                    if target and (value is None or "://" not in str(value)):
                        value = target if value is None else f"{value} {target}"
                    values.append(value)
                if row:
                    rows.append((row[0].row, values))
            sheets.append(Sheet(ws.title, rows))
    finally:
        wb.close()
    return sheets


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
    row.metrics = Metrics(**counts)
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
    if uid is None and ref.platform in ARTICLE_PLATFORMS and author:
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
        notes = Chunk(notes=list(sheet.notes))
        for line, reason in sheet.bad_lines:
            notes.reject(reason, location=f"{where}:{line}")
            notes.read += 1
        if found is None or "url" not in found[1]:
            if found is not None or any(any(v not in (None, "") for v in r) for _, r in sheet.rows):
                notes.notes.append(f"{where}: 这个工作表没有“作品链接”列，已跳过")
            yield notes
            continue
        header_index, columns = found
        note = _missing_note(where, columns, default_unit)
        if note:
            notes.notes.append(note)
        yield notes
        for line, values in sheet.rows[header_index + 1 :]:
            if all(v in (None, "") or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            yield _row_chunk(
                _row(f"{where}:{line}", values, columns),
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


def _headers(sheets: list[Sheet], label: str) -> list[tuple[int, dict[str, list[int]]] | None]:
    headers = [find_header([values for _, values in sheet.rows]) for sheet in sheets]
    if not any(h and "url" in h[1] for h in headers):
        raise _no_url_column(label, sheets, headers)
    return headers


def check_submission_file(path: Path, label: str | None = None) -> None:
    """Raise the clear error a submission file without a link column deserves, before importing."""
    label = label or str(path)
    _headers(load_sheets(path, label), label)


def _no_url_column(label: str, sheets: list[Sheet], headers: list[Any]) -> ImportFormatError:
    for sheet, found in zip(sheets, headers, strict=True):
        if found is not None:
            line = sheet.rows[found[0]][0]
            names = [str(v).strip() for v in sheet.rows[found[0]][1] if v not in (None, "")]
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
    if articles is not None and ref.platform in ARTICLE_PLATFORMS:
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
