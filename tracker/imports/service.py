"""``tracker import``: every import door into the shared ingest service, as one run.

The service detects each file's format from its content, streams it through that format's
reader (which uses the live connectors' parsers) and stores the records through
``PageStore.store`` in batches, so an imported work is tag-matched, linked and upserted exactly
like a collected one. The run row counts items read, works new and updated, rejects (each in
the reject table with its ``file:line`` and reason) and skipped items (unrelated HAR traffic,
other platforms' Zeeschuimer items, duplicate submission rows). Comments (MediaCrawler's
comment tables, captured comment responses) are stored beside the works and counted on their
own (``评论 N 条`` in the summary, ``comments`` in the run's detail): a file of comments imported
something, even though it holds no work.

A file that cannot be read at all (empty, unknown format, no link column, JSON that does not
parse) is skipped: the other files import, and the report lists it with its reason and stores
it as a reject, whether it was named on the command line or found in a directory. Only when
no file can be read at all is it an :class:`ImportFormatError`, before anything is written.
When the damage is found halfway (a truncated HAR), what was read before it is kept and the
file's error is reported and stored as a reject. A file with an error makes the run
``partial`` (``failed`` when every file has one).

A companion file found in a directory (a README or PROVENANCE.md beside the captures) is only
noted. ``dry_run`` reads and parses everything and reports the same counts without writing
anything, not even the run row.

An import starting marks import runs left ``running`` by a killed process ``interrupted``,
the way collect does (:func:`~tracker.store.runs.interrupt_stale_run`).

Sources: captures (HAR, Zeeschuimer) are ``capture``, saved bodies and MediaCrawler rows
``import``, units' lists ``submission``; the time the data was seen is the snapshot time.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select, tuple_

from connectors.base import Connector
from connectors.catalogue import PLATFORMS
from connectors.links import UrlResolver
from tracker.config import TrackerConfig
from tracker.errors import ImportFormatError, TrackerError
from tracker.imports.chunk import Chunk
from tracker.imports.detect import Detected, detect_format
from tracker.imports.har import read_har
from tracker.imports.mediacrawler import read_mediacrawler
from tracker.imports.raw_json import read_raw_json
from tracker.imports.routing import load_parsers
from tracker.imports.submissions import ArticleFetcher, read_submissions
from tracker.imports.zeeschuimer import read_zeeschuimer
from tracker.membership.page_store import PageStore
from tracker.records import CampaignLink, ParsedPage, PostRecord, RejectRecord
from tracker.store.engine import begin_write
from tracker.store.models import Post
from tracker.store.registry import ensure_unit
from tracker.store.runs import (
    RunCounts,
    finish_run,
    interrupt_stale_run,
    set_run_platform,
    start_run,
    update_run,
)
from tracker.store.upsert import Ingestor, batched

__all__ = ["FileReport", "ImportReport", "import_paths"]

log = logging.getLogger(__name__)

POST = Post.__table__

FLUSH_RECORDS = 2_000
"""Records (posts + accounts + rejects) buffered before they are committed."""
FLUSH_CHUNKS = 1_000
MAX_SHOWN = 50
"""Rejects, duplicates and notes kept in the report for display (all rejects are stored)."""

Progress = Callable[[str, RunCounts], None]

SKIPPED = "unknown"
"""The format of a file that was skipped because it could not be recognised or read."""
EXIT_OK, EXIT_NONE, EXIT_PARTIAL = 0, 1, 3


@dataclass(slots=True)
class FileReport:
    """What one file gave."""

    path: str
    format: str
    detail: str | None = None
    items_read: int = 0
    posts: int = 0
    accounts: int = 0
    comments: int = 0
    rejected: int = 0
    skipped: int = 0
    duplicates: int = 0
    error: str | None = None
    skipped_by: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "detail": self.detail,
            "items_read": self.items_read,
            "posts": self.posts,
            "accounts": self.accounts,
            "comments": self.comments,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "duplicates": self.duplicates,
            "error": self.error,
            "skipped_by": dict(self.skipped_by.most_common(20)),
        }


@dataclass(slots=True)
class ImportReport:
    """The outcome of one ``import_paths`` call (the run row holds the same counts)."""

    run_id: int | None
    dry_run: bool
    counts: RunCounts
    files: list[FileReport]
    status: str = "ok"
    rejects: list[RejectRecord] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing_parsers: dict[str, str] = field(default_factory=dict)
    campaign_posts: int = 0
    platforms: Counter[str] = field(default_factory=Counter)
    comments: int = 0
    """Comments read (and, unless a dry run, stored)."""
    comments_new: int = 0
    """Comments new to the database (0 in a dry run)."""

    @property
    def failed_files(self) -> list[FileReport]:
        """Files skipped (unreadable) or stopped by an error: each has its reason."""
        return [f for f in self.files if f.error]

    @property
    def skipped_files(self) -> list[FileReport]:
        """Files not read at all (empty, unknown format, missing)."""
        return [f for f in self.files if f.format == SKIPPED]

    @property
    def exit_code(self) -> int:
        """0 every file imported, 3 some skipped or failed, 1 none imported (2, an internal
        error, is the CLI's). A script can tell "check the report" from "nothing happened"."""
        if not self.failed_files:
            return EXIT_OK
        return EXIT_PARTIAL if len(self.failed_files) < len(self.files) else EXIT_NONE

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "dry_run": self.dry_run,
            "status": self.status,
            "counts": self.counts.as_values(),
            "campaign_posts": self.campaign_posts,
            "comments": self.comments,
            "comments_new": self.comments_new,
            "platforms": dict(self.platforms),
            "files": [f.as_json() for f in self.files],
            "rejects": [
                {"location": r.location, "reason": r.reason, "platform": r.platform}
                for r in self.rejects
            ],
            "duplicates": self.duplicates,
            "notes": self.notes,
            "missing_parsers": self.missing_parsers,
        }


_SOURCES = {
    "har": "capture",
    "zeeschuimer": "capture",
    "json": "import",
    "mediacrawler": "import",
    "submission": "submission",
}


def _expand(paths: Iterable[str | Path]) -> list[tuple[Path, bool]]:
    """(file, given explicitly) for every path; directories are walked (hidden files skipped)."""
    out: list[tuple[Path, bool]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(
                    p.startswith(".") for p in child.parts[len(path.parts) :]
                ):
                    out.append((child, False))
        else:
            out.append((path, True))
    return out


_DOC_SUFFIXES = frozenset({".md", ".markdown", ".rst", ".ini", ".lnk"})
_DOC_STEMS = ("readme", "provenance", "license", "thumbs")


def _companion_file(path: Path) -> bool:
    """A file that travels with data but holds none: a README or PROVENANCE.md beside the
    captures, Windows' Thumbs.db or desktop.ini, Office's ``~$`` lock file."""
    name = path.name.lower()
    return (
        path.suffix.lower() in _DOC_SUFFIXES
        or name.startswith(("~$", *_DOC_STEMS))
        or name == "thumbs.db"
    )


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(os.stat(path).st_mtime, UTC)


class _Batch:
    """Records waiting to be committed together.

    A batch never holds the same work (or account) twice: the bulk upsert keeps one whole row
    per key within a batch, so a Weibo long text captured after its search page would replace
    the page's counts instead of being merged with them. A repeated key starts a new batch, and
    the upsert merges across batches (newer values win, a missing value keeps the stored one).
    """

    def __init__(self) -> None:
        self.page = ParsedPage()
        self.links: list[CampaignLink] = []
        self.unit_accounts: list[tuple[str, str, str]] = []
        self.chunks = 0
        self._posts: set[tuple[str, str]] = set()
        self._accounts: set[tuple[str, str]] = set()
        self._comments: set[tuple[str, str]] = set()

    def overlaps(self, chunk: Chunk) -> bool:
        return (
            any(p.key in self._posts for p in chunk.page.posts)
            or any(a.key in self._accounts for a in chunk.page.accounts)
            or any(c.key in self._comments for c in chunk.page.comments)
        )

    @property
    def size(self) -> int:
        page = self.page
        return len(page.posts) + len(page.accounts) + len(page.rejects) + len(page.comments)

    def add(self, chunk: Chunk) -> None:
        self.page.extend(chunk.page)
        self._posts.update(p.key for p in chunk.page.posts)
        self._accounts.update(a.key for a in chunk.page.accounts)
        self._comments.update(c.key for c in chunk.page.comments)
        self.links.extend(chunk.links)
        self.unit_accounts.extend(chunk.unit_accounts)
        self.chunks += 1

    def full(self) -> bool:
        return self.size >= FLUSH_RECORDS or self.chunks >= FLUSH_CHUNKS


class _Importer:
    """One run: the buffer, the counters and the connection work (see the module doc)."""

    def __init__(
        self,
        engine: Engine | None,
        *,
        config: TrackerConfig,
        run_id: int | None,
        dry_run: bool,
        now: datetime,
        progress: Progress | None,
    ) -> None:
        self.engine = engine
        self.config = config
        self.run_id = run_id
        self.dry_run = dry_run
        self.now = now
        self.progress = progress
        self.counts = RunCounts()
        self.new_keys: set[tuple[str, str]] = set()
        self.updated_keys: set[tuple[str, str]] = set()
        self.unit_ids: dict[str, int] = {}
        self.report_rejects: list[RejectRecord] = []
        self.duplicates: list[str] = []
        self.notes: list[str] = []
        self.campaign_posts = 0
        self.platforms: Counter[str] = Counter()
        self.work_units: list[tuple[str, str, str]] = []
        self.details_applied = 0
        self.details_pending = 0
        self.comments_read = 0
        self.comments_new = 0
        self.store: PageStore | None = None
        if engine is not None and not dry_run:
            with engine.connect() as conn:
                self.store = PageStore.for_connection(
                    conn, config.campaigns, source="import", run_id=run_id
                )

    # --- per file --------------------------------------------------------------------------------

    def run_file(self, report: FileReport, chunks: Iterator[Chunk], source: str) -> None:
        batch = _Batch()
        if self.store is not None:
            self.store.source = source
        try:
            for chunk in chunks:
                self._count(report, chunk)
                if batch.chunks and batch.overlaps(chunk):
                    self._flush(batch, report.path)
                    batch = _Batch()
                batch.add(chunk)
                if batch.full():
                    self._flush(batch, report.path)
                    batch = _Batch()
        except ImportFormatError as exc:
            report.error = str(exc)
            reject = RejectRecord(reason=str(exc), payload="", location=report.path)
            batch.page.rejects.append(reject)
            report.rejected += 1
            self.counts.rejected += 1
            self._remember_rejects([reject])
        self._flush(batch, report.path)

    def skip_file(self, label: str, error: ImportFormatError) -> FileReport:
        """A file that cannot be imported: reported with its reason and stored as a reject,
        exactly like a file whose damage is found halfway (the other files go on)."""
        report = FileReport(label, SKIPPED)
        self.run_file(report, _failing(error), f"import:{SKIPPED}")
        return report

    def _count(self, report: FileReport, chunk: Chunk) -> None:
        report.items_read += chunk.read
        report.posts += len(chunk.page.posts)
        report.accounts += len(chunk.page.accounts)
        report.comments += len(chunk.page.comments)
        self.comments_read += len(chunk.page.comments)
        report.rejected += len(chunk.page.rejects)
        report.skipped += chunk.skipped
        report.duplicates += len(chunk.duplicates)
        if chunk.refused and report.error is None:
            report.error = chunk.refused
        if chunk.skipped and chunk.skip_reason:
            report.skipped_by[chunk.skip_reason] += chunk.skipped
        self.counts.items_read += chunk.read
        self.counts.rejected += len(chunk.page.rejects)
        self.counts.skipped += chunk.skipped
        self.counts.pages += chunk.parsed
        self._remember_rejects(chunk.page.rejects)
        for dup in chunk.duplicates:
            if len(self.duplicates) < MAX_SHOWN:
                self.duplicates.append(dup)
        for note in chunk.notes:
            if len(self.notes) < MAX_SHOWN:
                self.notes.append(note)
        for post in chunk.page.posts:
            self.platforms[post.platform] += 1
        self.work_units.extend(chunk.work_units)

    def _remember_rejects(self, rejects: Sequence[RejectRecord]) -> None:
        room = MAX_SHOWN - len(self.report_rejects)
        if room > 0:
            self.report_rejects.extend(rejects[:room])

    # --- storing ---------------------------------------------------------------------------------

    def _classify(self, conn: Connection | None, posts: Sequence[PostRecord]) -> None:
        """Count works new to the database and works given newer data, once per run each."""
        latest: dict[tuple[str, str], datetime] = {}
        for post in posts:
            key = post.key
            if key in self.new_keys or key in self.updated_keys:
                continue
            if key not in latest or post.captured_at > latest[key]:
                latest[key] = post.captured_at
        if not latest:
            return
        stored: dict[tuple[str, str], datetime | None] = {}
        if conn is not None:
            for part in batched(list(latest), 400):
                q = select(
                    POST.c.platform, POST.c.platform_post_id, POST.c.last_collected_at
                ).where(tuple_(POST.c.platform, POST.c.platform_post_id).in_(list(part)))
                for platform, post_id, last in conn.execute(q):
                    stored[(platform, post_id)] = last
        for key, captured in latest.items():
            if key not in stored:
                self.new_keys.add(key)
            else:
                last = stored[key]
                if last is None or captured > _aware(last):
                    self.updated_keys.add(key)
        self.counts.new = len(self.new_keys)
        self.counts.updated = len(self.updated_keys)

    def _unit_accounts(
        self, conn: Connection, rows: list[tuple[str, str, str]]
    ) -> list[tuple[str, str, int]]:
        out = []
        for platform, uid, name in rows:
            unit_id = self.unit_ids.get(name)
            if unit_id is None:
                unit_id = self.unit_ids[name] = ensure_unit(conn, name)
            out.append((platform, uid, unit_id))
        return out

    def note_details(self) -> None:
        """Say what became of bodies that only complete a post (a Weibo long text): they are
        not counted as works, so without a note an import of one would look like it did nothing."""
        if self.details_applied:
            self.notes.append(f"{self.details_applied} 条补全信息（如微博长文本）已写入对应作品")
        if self.details_pending:
            self.notes.append(
                f"{self.details_pending} 条补全信息（如微博长文本）的作品尚未入库，"
                "已保存等待：作品导入后自动补全"
            )

    def comment_detail(self) -> dict[str, int]:
        """The run detail's comment figures (absent when the run read no comment)."""
        if not self.comments_read:
            return {}
        return {"comments": self.comments_read, "comments_new": self.comments_new}

    def attribute_works(self) -> int:
        """Units of submitted works whose account only another door named (see Chunk)."""
        if self.dry_run or self.engine is None or not self.work_units:
            return 0
        wanted = {(p, i): unit for p, i, unit in self.work_units}
        with begin_write(self.engine) as conn:
            found: list[tuple[str, str, str]] = []
            for part in batched(list(wanted), 400):
                q = select(POST.c.platform, POST.c.platform_post_id, POST.c.account_uid).where(
                    tuple_(POST.c.platform, POST.c.platform_post_id).in_(list(part)),
                    POST.c.account_uid.is_not(None),
                )
                found.extend((p, uid, wanted[(p, i)]) for p, i, uid in conn.execute(q))
            if found:
                Ingestor(conn).ingest(account_units=self._unit_accounts(conn, found))
        return len(found)

    def _flush(self, batch: _Batch, label: str) -> None:
        # A file-level error can come before the file's first chunk: its reject must still
        # reach the reject table, so an otherwise empty batch is flushed when it holds one.
        if not batch.chunks and not batch.page.rejects:
            return
        if self.dry_run or self.engine is None:
            if self.engine is not None:
                with self.engine.connect() as conn:
                    self._classify(conn, batch.page.posts)
            else:
                self._classify(None, batch.page.posts)
        else:
            assert self.store is not None and self.run_id is not None
            with begin_write(self.engine) as conn:
                self._classify(conn, batch.page.posts)
                result = self.store.store(
                    conn,
                    batch.page,
                    seen_at=self.now,
                    extra_links=batch.links,
                    account_units=self._unit_accounts(conn, batch.unit_accounts),
                )
                self.campaign_posts += result.campaign_posts
                self.details_applied += result.details_applied
                self.details_pending += result.details_pending
                self.comments_new += result.comments.new
                self.counts.detail.update(self.comment_detail())
                update_run(conn, self.run_id, self.counts, None)
        if self.progress is not None:
            self.progress(label, self.counts)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _reader(
    path: Path,
    detected: Detected,
    *,
    label: str,
    platform: str | None,
    unit: str | None,
    campaign: str,
    connectors: Mapping[str, Connector] | None,
    resolver: UrlResolver | None,
    articles: ArticleFetcher | None,
) -> Iterator[Chunk]:
    fallback = _mtime(path)
    only = [platform] if platform else None
    if detected.format == "har":
        return read_har(path, label=label, fallback_time=fallback, platforms=only)
    if detected.format == "zeeschuimer":
        return read_zeeschuimer(path, label=label, fallback_time=fallback, platforms=only)
    if detected.format == "json":
        return iter([read_raw_json(path, label=label, captured_at=fallback, platform=platform)])
    if detected.format == "mediacrawler":
        return read_mediacrawler(path, label=label, fallback_time=fallback, platform=platform)
    return read_submissions(
        path,
        label=label,
        captured_at=fallback,
        campaign=campaign,
        default_unit=unit,
        resolver=resolver,
        articles=articles,
        connectors=connectors,
    )


def _failing(error: ImportFormatError) -> Iterator[Chunk]:
    """A reader that fails at once: how a skipped file goes through ``run_file``."""
    raise error
    yield  # pragma: no cover - makes this a generator


def _lazy(make: Callable[[], Iterator[Chunk]]) -> Iterator[Chunk]:
    """Defer a reader's start so an error opening the file is raised inside the file's loop."""
    yield from make()


Plan = list[tuple[Path, Detected | ImportFormatError]]


def _plan(paths: Sequence[str | Path]) -> tuple[Plan, list[Path]]:
    """Every file with its format or why it cannot be imported, and the companion files left.

    A file that cannot be imported is skipped and reported (a failed file) whether it was named
    or found in a directory: an empty or unknown ``.json`` in a folder of captures is damage
    the staff must see. Only a companion file found in a directory (a README beside the
    captures, see :func:`_companion_file`) is left with a note instead. When no file at all
    can be imported, that is an error naming each file and its reason.
    """
    plan: Plan = []
    companions: list[Path] = []
    for path, explicit in _expand(paths):
        try:
            plan.append((path, detect_format(path)))
        except ImportFormatError as exc:
            if not explicit and _companion_file(path):
                companions.append(path)
            else:
                plan.append((path, exc))
    if any(isinstance(d, Detected) for _, d in plan):
        return plan, companions
    if len(plan) == 1 and isinstance(plan[0][1], ImportFormatError):
        raise plan[0][1]
    reasons = [str(d) if str(p) in str(d) else f"{p}: {d}" for p, d in plan]
    raise ImportFormatError(
        "没有可导入的文件 (nothing to import): "
        + (" | ".join(reasons) if reasons else ", ".join(str(p) for p in paths))
    )


def _interrupt_stale_imports(engine: Engine) -> None:
    """Import runs a killed process left ``running`` become ``interrupted``, as in collect.

    Collect keys a run by its platform; an import run's platform is its ``--platform`` or,
    when it read one platform only, that one (else none). An import may write any platform,
    so it closes the latest stale run of every platform and of none.
    """
    for platform in (None, *PLATFORMS):
        interrupt_stale_run(engine, kind="import", platform=platform)


def import_paths(
    engine: Engine | None,
    paths: Sequence[str | Path],
    *,
    platform: str | None = None,
    unit: str | None = None,
    campaign: str | None = None,
    dry_run: bool = False,
    config: TrackerConfig,
    progress: Progress | None = None,
    connectors: Mapping[str, Connector] | None = None,
    resolver: UrlResolver | None = None,
    articles: ArticleFetcher | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Import ``paths`` (files or folders) as one run; see the module doc.

    ``platform`` routes saved bodies whose platform cannot be recognised and restricts
    captures to that platform. ``unit`` is the unit of submission rows without one.
    ``campaign`` (default: the first configured) is the campaign submissions are linked to.
    ``connectors`` / ``resolver`` / ``articles`` are the optional network helpers for
    submissions (default: none; nothing goes over the network). ``engine`` may be None for a
    dry run without a database (every work then counts as new). ``now`` is the run's clock
    (a simulated run's virtual time: the run row's start and end); default: real time.
    """
    if platform is not None and platform not in PLATFORMS:
        raise TrackerError(f"未知平台 {platform!r}；可选: {', '.join(PLATFORMS)}")
    campaign_name = config.campaign(campaign).name
    if not paths:
        raise ImportFormatError("没有要导入的文件")
    fixed_clock = now  # a caller's clock (a simulated run) also ends the run; else real time
    now = now or datetime.now(UTC)
    plan, companions = _plan(paths)
    parsers = load_parsers()

    run_id = None
    if not dry_run:
        if engine is None:
            raise TrackerError("导入需要数据库（或使用 --dry-run）")
        _interrupt_stale_imports(engine)
        only = f"{platform}" if platform else None
        job = ", ".join(p.name for p, d in plan if isinstance(d, Detected))[:100]
        run_id = start_run(engine, kind="import", platform=only, job=job, now=now)
    importer: _Importer | None = None
    files: list[FileReport] = []
    try:
        importer = _Importer(
            engine, config=config, run_id=run_id, dry_run=dry_run, now=now, progress=progress
        )
        if unit and not any(isinstance(d, Detected) and d.format == "submission" for _, d in plan):
            importer.notes.append("--unit 只用于单位报送表；这次导入没有报送表，已忽略")
        if companions:
            shown = "、".join(p.name for p in companions[:5]) + ("…" if len(companions) > 5 else "")
            importer.notes.append(
                f"目录中 {len(companions)} 个说明文件不是可导入的格式，已跳过: {shown}"
            )
        for path, detected in plan:
            label = str(path)
            if not isinstance(detected, Detected):
                files.append(importer.skip_file(label, detected))
                continue
            report = FileReport(label, detected.format, detected.detail)
            files.append(report)
            chunks = _lazy(
                lambda path=path, detected=detected, label=label: _reader(
                    path,
                    detected,
                    label=label,
                    platform=platform,
                    unit=unit,
                    campaign=campaign_name,
                    connectors=connectors,
                    resolver=resolver,
                    articles=articles,
                )
            )
            importer.run_file(report, chunks, f"import:{detected.format}")
        importer.attribute_works()
        importer.note_details()
    except BaseException as exc:
        if run_id is not None and engine is not None:
            interrupted = isinstance(exc, KeyboardInterrupt)
            finish_run(
                engine,
                run_id,
                status="interrupted" if interrupted else "failed",
                counts=_final_counts(importer, files) if importer else RunCounts(),
                error="interrupted" if interrupted else f"{type(exc).__name__}: {exc}",
                now=fixed_clock,
            )
        raise
    assert importer is not None  # set first thing in the try
    counts = _final_counts(importer, files)
    status = "ok"
    if files and all(f.error for f in files):
        status = "failed"
    elif any(f.error for f in files):
        status = "partial"
    if run_id is not None and engine is not None:
        error = "; ".join(f.error for f in files if f.error) or None
        finish_run(engine, run_id, status=status, counts=counts, error=error, now=fixed_clock)
        if platform is None and len(importer.platforms) == 1:
            set_run_platform(engine, run_id, next(iter(importer.platforms)))
    return ImportReport(
        run_id=run_id,
        dry_run=dry_run,
        counts=counts,
        files=files,
        status=status,
        rejects=importer.report_rejects,
        duplicates=importer.duplicates,
        notes=importer.notes,
        missing_parsers=dict(parsers.missing),
        campaign_posts=importer.campaign_posts,
        platforms=importer.platforms,
        comments=importer.comments_read,
        comments_new=importer.comments_new,
    )


def _final_counts(importer: _Importer, files: list[FileReport]) -> RunCounts:
    counts = importer.counts
    counts.detail = {
        "files": [f.as_json() for f in files],
        "duplicates": importer.duplicates[:MAX_SHOWN],
        "notes": importer.notes[:MAX_SHOWN],
        "platforms": dict(importer.platforms),
        "campaign_posts": importer.campaign_posts,
        **importer.comment_detail(),
    }
    return counts
