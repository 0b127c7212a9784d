"""Review: the human decision on each work before it is recommended.

Every decision is an event (``review_event``: who, when, what, why) and the latest one is the
work's current status (``review``), so a list can be rebuilt as it stood and nobody's decision
is ever overwritten silently. Decisions come from the command line (``approve``/``reject`` with
ids) or from a reviewed spreadsheet (a ``审核结果`` column filled in by staff); a file is checked
completely before anything is written, and each problem names its line, because the people
filling these sheets are office staff who will fix the file and import it again.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, and_, insert, select, tuple_, update

from connectors.catalogue import PLATFORM_NAMES_ZH, PLATFORMS
from tracker.errors import ImportFormatError, TrackerError
from tracker.exports.csv import unguard
from tracker.services import ranking_cache  # noqa: F401 - its carrier follows decisions
from tracker.store.carry import REVIEW_TABLES, bookkeeping_write
from tracker.store.engine import begin_write
from tracker.store.models import Post, Review, ReviewEvent

__all__ = [
    "STATUS_ZH",
    "Decision",
    "RecordSummary",
    "ReviewFileRow",
    "decide",
    "format_work_id",
    "parse_decision",
    "parse_work_id",
    "read_review_file",
    "record_decisions",
    "review_queue",
]

POST = Post.__table__
REVIEW = Review.__table__
EVENT = ReviewEvent.__table__

STATUSES = ("approved", "rejected", "pending")
STATUS_ZH = {"approved": "通过", "rejected": "不通过", "pending": "待定"}
"""How statuses read in sheets and tables (the same words the import accepts)."""

_SYNONYMS: dict[str, str] = {}
for _status, _words in {
    "approved": ("通过", "审核通过", "同意", "批准", "推荐", "是", "approve", "approved", "pass",
                 "passed", "yes", "y", "ok", "accept", "accepted", "√", "✓", "✔"),
    "rejected": ("不通过", "未通过", "不同意", "拒绝", "驳回", "否", "reject", "rejected", "fail",
                 "failed", "no", "n", "deny", "denied", "×", "✗", "✘"),
    "pending": ("待定", "待审", "待审核", "暂缓", "pending", "hold", "undecided", "tbd", "?", "？"),
}.items():  # fmt: skip
    for _w in _words:
        _SYNONYMS[_w.casefold()] = _status

RESULT_HEADER = "审核结果"
NOTE_HEADERS = ("审核意见", "备注", "note")
REVIEWER_HEADERS = ("审核人", "reviewer")
ID_HEADERS = ("作品编号", "work_id", "id")
PLATFORM_HEADERS = ("平台", "platform")
POST_ID_HEADERS = ("作品ID", "post_id", "platform_post_id")
_PLATFORM_BY_NAME = {v: k for k, v in PLATFORM_NAMES_ZH.items()}
_MAX_SAFE_FLOAT_INT = 2**53


def format_work_id(platform: str, post_id: str) -> str:
    return f"{platform}:{post_id}"


def parse_work_id(value: str) -> tuple[str, str]:
    """``weibo:4998877665544332211`` -> (platform, post id); the one id form of the CLI."""
    platform, sep, post_id = str(value).strip().partition(":")
    platform = platform.strip().lower()
    post_id = post_id.strip()
    if not sep or not post_id or platform not in PLATFORMS:
        raise TrackerError(
            f"作品编号应写作 平台:作品ID，例如 weibo:4998877665544332211，收到 {value!r}"
        )
    return platform, post_id


def parse_decision(value: Any) -> str | None:
    """A 审核结果 cell -> approved / rejected / pending; ``None`` for an empty cell.

    Raises ``ValueError`` for anything else, so a typo never becomes a decision.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    status = _SYNONYMS.get(text.casefold())
    if status is None:
        raise ValueError(f"无法识别的审核结果 {text!r}（可填 通过/不通过/待定）")
    return status


@dataclass(frozen=True, slots=True)
class Decision:
    platform: str
    post_id: str
    status: str
    reviewer: str
    note: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown review status {self.status!r}")
        if not self.reviewer.strip():
            raise ValueError("a decision needs a reviewer")


@dataclass(slots=True)
class RecordSummary:
    """What ``record_decisions`` did: decisions written and repeats of the current state."""

    written: list[Decision] = field(default_factory=list)
    unchanged: list[Decision] = field(default_factory=list)
    skipped_blank: int = 0


def _missing_posts(conn: Connection, keys: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    unique = sorted(set(keys))
    for i in range(0, len(unique), 500):
        chunk = unique[i : i + 500]
        stmt = select(POST.c.platform, POST.c.platform_post_id).where(
            tuple_(POST.c.platform, POST.c.platform_post_id).in_(chunk)
        )
        found.update((r.platform, r.platform_post_id) for r in conn.execute(stmt))
    return [k for k in unique if k not in found]


def _current(conn: Connection, key: tuple[str, str]) -> Any:
    return conn.execute(
        select(REVIEW).where(and_(REVIEW.c.platform == key[0], REVIEW.c.platform_post_id == key[1]))
    ).first()


def record_decisions(
    engine: Engine,
    decisions: Iterable[Decision],
    *,
    now: datetime | None = None,
    carry_kept: bool = True,
) -> RecordSummary:
    """Write decisions in one transaction: an event each, and the work's current status.

    A decision identical to the current one (status, reviewer, note) is not written again, so
    importing the same sheet twice leaves the audit trail as it was. Unknown works are an error
    and nothing is written.

    ``carry_kept``: a ranking kept for the store before the decisions is brought to them where
    it is served next (``ranking_cache``), instead of the next command ranking every work again;
    on SQLite the write then holds the lock for the settle time (2 s) while one is kept. The
    dashboard passes False: it patches decisions into the ranking it holds without ranking
    again, so carrying would only make each click wait.
    """
    when = (now or datetime.now(UTC)).astimezone(UTC)
    items = list(decisions)
    summary = RecordSummary()
    write = bookkeeping_write(engine, tables=REVIEW_TABLES) if carry_kept else begin_write(engine)
    with write as conn:
        missing = _missing_posts(conn, [(d.platform, d.post_id) for d in items])
        if missing:
            shown = "、".join(format_work_id(*k) for k in missing[:10])
            more = f" 等 {len(missing)} 个" if len(missing) > 10 else ""
            raise TrackerError(f"数据库中没有这些作品: {shown}{more}；未写入任何审核结果")
        for d in items:
            key = (d.platform, d.post_id)
            row = _current(conn, key)
            if (
                row is not None
                and row.status == d.status
                and row.reviewer == d.reviewer
                and (row.note or None) == (d.note or None)
            ):
                summary.unchanged.append(d)
                continue
            values = {
                "status": d.status,
                "reviewer": d.reviewer,
                "note": d.note,
                "decided_at": when,
            }
            if row is None:
                conn.execute(
                    insert(REVIEW).values(platform=d.platform, platform_post_id=d.post_id, **values)
                )
            else:
                conn.execute(
                    update(REVIEW)
                    .where(
                        and_(
                            REVIEW.c.platform == d.platform, REVIEW.c.platform_post_id == d.post_id
                        )
                    )
                    .values(**values)
                )
            conn.execute(
                insert(EVENT).values(platform=d.platform, platform_post_id=d.post_id, **values)
            )
            summary.written.append(d)
    return summary


def decide(
    engine: Engine,
    ids: Sequence[str],
    status: str,
    *,
    reviewer: str,
    note: str | None = None,
    now: datetime | None = None,
) -> RecordSummary:
    """Approve or reject works named ``platform:post_id`` (the CLI's form)."""
    if not ids:
        raise TrackerError("请至少给出一个作品编号，例如 weibo:4998877665544332211")
    if not reviewer or not reviewer.strip():
        raise TrackerError("请用 --by 写明审核人")
    decisions = [
        Decision(*parse_work_id(i), status=status, reviewer=reviewer.strip(), note=note or None)
        for i in ids
    ]
    return record_decisions(engine, decisions, now=now)


# --- the review queue ----------------------------------------------------------------------------


def review_queue(
    works: pd.DataFrame, *, status: str | None = "pending", flagged_only: bool = False
) -> pd.DataFrame:
    """Works to review: flagged ones first (highest risk first), then by quality score.

    ``status`` None means every status. Flagged works lead the queue because a reviewer should
    look at the evidence before anything else on the list is recommended.
    """
    mask = np.ones(len(works), dtype=bool)
    if status is not None:
        mask &= (works["review_status"].astype("object") == status).to_numpy(dtype=bool)
    if flagged_only:
        mask &= works["risk_flag"].astype(bool).to_numpy()
    out = works.loc[mask].copy()
    out["_flag"] = out["risk_flag"].astype(bool)
    out = out.sort_values(
        ["_flag", "risk_score", "quality_score", "platform", "platform_post_id"],
        ascending=[False, False, False, True, True],
        na_position="last",
        kind="stable",
    )
    return out.drop(columns="_flag").reset_index(drop=True)


# --- reviewed spreadsheets -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewFileRow:
    """One data line of a reviewed sheet (``line`` as Excel numbers it)."""

    line: int
    platform: str
    post_id: str
    status: str | None
    note: str | None
    reviewer: str | None


def _cell_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _post_id_text(value: Any) -> str:
    """A 作品ID cell as text; a number Excel rounded is refused, never guessed back."""
    if isinstance(value, bool):
        raise ValueError(f"作品ID 应为文本，收到 {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not value.is_integer() or abs(value) >= _MAX_SAFE_FLOAT_INT:
            raise ValueError(
                f"作品ID 已被 Excel 转成数字 {value!r}，长编号的末几位已丢失；"
                "请把该列设为文本后重新粘贴原编号，或使用「作品编号」列"
            )
        return str(int(value))
    text = str(value).strip()
    if not text:
        raise ValueError("作品ID 为空")
    return text


def _find(header: list[str], names: Sequence[str]) -> int | None:
    folded = [h.casefold() for h in header]
    for name in names:
        if name.casefold() in folded:
            return folded.index(name.casefold())
    return None


def _rows_xlsx(path: Path) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a bad file
        raise ImportFormatError(f"{path}: 无法读取 xlsx 文件: {exc}") from exc
    try:
        sheets = [ws for ws in wb.worksheets if ws.title != "说明"]
        chosen = None
        for ws in sheets:
            first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
            if RESULT_HEADER in [_cell_text(c) for c in first]:
                chosen = ws
                break
        if chosen is None:
            raise ImportFormatError(f"{path}: 没有哪个工作表的第 1 行含「{RESULT_HEADER}」列")
        for i, row in enumerate(chosen.iter_rows(values_only=True), start=1):
            yield i, list(row)
    finally:
        wb.close()


def _rows_csv(path: Path) -> Iterator[tuple[int, list[Any]]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ImportFormatError(f"{path}: 无法识别编码")
    # A record may span lines (a title with a line break); Excel shows it as one row.
    for i, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        yield i, list(row)


def read_review_file(path: str | Path) -> tuple[list[ReviewFileRow], list[str], int]:
    """Read a reviewed sheet: (rows with a decision, per-line problems, blank rows skipped).

    The sheet is one of our works exports (or any sheet) with a ``审核结果`` column and either a
    ``作品编号`` column (``weibo:123``) or ``平台`` + ``作品ID``; optional ``审核意见`` and
    ``审核人`` columns. Lines are numbered as Excel shows them (the header is line 1).
    """
    path = Path(path)
    if not path.exists():
        raise ImportFormatError(f"找不到文件: {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _rows_xlsx(path)
    elif suffix == ".csv":
        rows = _rows_csv(path)
    else:
        raise ImportFormatError(f"{path}: 只支持 .xlsx 或 .csv 文件")
    try:
        _, header_cells = next(rows)
    except StopIteration:
        raise ImportFormatError(f"{path}: 文件是空的") from None
    header = [_cell_text(c) or "" for c in header_cells]
    col_result = _find(header, (RESULT_HEADER,))
    if col_result is None:
        raise ImportFormatError(f"{path}:1: 缺少「{RESULT_HEADER}」列")
    col_id = _find(header, ID_HEADERS)
    col_platform = _find(header, PLATFORM_HEADERS)
    col_post = _find(header, POST_ID_HEADERS)
    if col_id is None and (col_platform is None or col_post is None):
        raise ImportFormatError(f"{path}:1: 缺少「作品编号」列（或「平台」和「作品ID」两列）")
    col_note = _find(header, NOTE_HEADERS)
    col_reviewer = _find(header, REVIEWER_HEADERS)

    out: list[ReviewFileRow] = []
    problems: list[str] = []
    blank = 0
    for line, cells in rows:
        # Our sheets guard text against formulas ('=…); read back, the apostrophe is not data.
        cells = [unguard(c) for c in cells] + [None] * (len(header) - len(cells))
        if not any(_cell_text(c) for c in cells):
            continue
        try:
            status = parse_decision(cells[col_result])
        except ValueError as exc:
            problems.append(f"{path.name}:{line}: {RESULT_HEADER}: {exc}")
            continue
        if status is None:
            blank += 1
            continue
        try:
            platform, post_id = _row_key(cells, col_id, col_platform, col_post)
        except (ValueError, TrackerError) as exc:
            problems.append(f"{path.name}:{line}: {exc}")
            continue
        out.append(
            ReviewFileRow(
                line=line,
                platform=platform,
                post_id=post_id,
                status=status,
                note=_cell_text(cells[col_note]) if col_note is not None else None,
                reviewer=_cell_text(cells[col_reviewer]) if col_reviewer is not None else None,
            )
        )
    return out, problems, blank


def _row_key(
    cells: list[Any], col_id: int | None, col_platform: int | None, col_post: int | None
) -> tuple[str, str]:
    if col_id is not None and _cell_text(cells[col_id]):
        return parse_work_id(str(cells[col_id]))
    assert col_platform is not None and col_post is not None
    name = _cell_text(cells[col_platform])
    if name is None:
        raise ValueError("平台: 为空")
    platform = _PLATFORM_BY_NAME.get(name, name.lower())
    if platform not in PLATFORMS:
        raise ValueError(f"平台: 未知平台 {name!r}")
    return platform, _post_id_text(cells[col_post])


def import_review_file(
    engine: Engine,
    path: str | Path,
    *,
    reviewer: str | None,
    note: str | None = None,
    now: datetime | None = None,
) -> tuple[RecordSummary, int]:
    """Import a reviewed sheet; all or nothing. Returns (what was recorded, rows read)."""
    rows, problems, blank = read_review_file(path)
    decisions: list[Decision] = []
    seen: dict[tuple[str, str], int] = {}
    for r in rows:
        who = r.reviewer or (reviewer.strip() if reviewer else None)
        if not who:
            problems.append(
                f"{Path(path).name}:{r.line}: 审核人: 为空（请在命令中用 --by 写明审核人）"
            )
            continue
        key = (r.platform, r.post_id)
        if key in seen:
            problems.append(
                f"{Path(path).name}:{r.line}: 作品 {format_work_id(*key)} 与第 {seen[key]} 行重复"
            )
            continue
        seen[key] = r.line
        assert r.status is not None
        decisions.append(Decision(r.platform, r.post_id, r.status, who, r.note or note))
    if not problems:
        with engine.connect() as conn:
            missing = set(_missing_posts(conn, list(seen)))
        for r in rows:
            if (r.platform, r.post_id) in missing:
                problems.append(
                    f"{Path(path).name}:{r.line}: 数据库中没有作品 {format_work_id(r.platform, r.post_id)}"
                )
    if problems:
        shown = problems[:20]
        more = f"\n  …… 另有 {len(problems) - 20} 处" if len(problems) > 20 else ""
        raise ImportFormatError(
            f"审核结果文件有 {len(problems)} 处问题，未写入任何审核结果：\n  "
            + "\n  ".join(shown)
            + more
        )
    summary = record_decisions(engine, decisions, now=now)
    summary.skipped_blank = blank
    return summary, len(rows)
