"""``tracker pack --as-of``: the deadline pack, every file cut at the same instant.

The notice's lists are due on fixed dates (9-27, 10-10) while collection goes on. A pack is what
is handed in for one deadline: the report, the summary by city, the works, creators and units
lists, the 推荐名单, and ``manifest.json`` saying which cut they hold, what they count and each
file's SHA-256. The campaign is ranked **once**, as it stood at the cut
(``tracker.ranking.as_of``), and every workbook is written from that one ranking, so the lists
can never disagree; the report is cut at the same instant by its own builder.

What each file holds (the manifest's counts are these rows):

- ``优质作品.xlsx``: every campaign work of the cut, reviewed or not, with the review columns
  staff fill in (``counts.works``; ``counts.accounts`` its distinct accounts);
- ``推荐名单.xlsx``: the works the ranking marks ``recommendable``: approved, not deleted, not
  flagged for risk, published in the campaign window or admitted by staff
  (``counts.recommended``);
- ``创作者.xlsx``, ``组织单位.xlsx``, ``活动汇总.xlsx`` (with one sheet per city): the
  commendation lists and the summary, over approved works unless ``include_unreviewed`` (then
  the summary's 概况 作品数, 账号数 and 有作品的单位数 are the manifest's counts);
- ``counts.units``: the registry units listing the account of at least one work of the works
  list (an account of several units counts for each, as the summary's 按单位 sheet does).

A re-run on the same database writes the same bytes (apart from the report): the workbooks'
export time and recorded creation time are the cut, not the wall clock, and the manifest has
sorted keys and a fixed file order. Each file is written atomically; the manifest comes last,
so a folder with a manifest holds a complete pack.

The report is presentation, above this use case: the command line passes its builder in as
``write_report`` (:class:`PackReportWriter`), as ``tracker demo`` does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine

from tracker.config import TrackerConfig
from tracker.safe_files import OutputError, atomic_text_output, check_output

__all__ = [
    "MANIFEST",
    "PACK_FILES",
    "PackResult",
    "PackReportWriter",
    "pack_counts",
    "pack_paths",
    "run_pack",
]

PACK_FILES = {
    "report": "report.html",
    "summary": "活动汇总.xlsx",
    "works": "优质作品.xlsx",
    "creators": "创作者.xlsx",
    "units": "组织单位.xlsx",
    "recommended": "推荐名单.xlsx",
}
"""Each file of a pack by its list, in the manifest's order."""
MANIFEST = "manifest.json"
RECOMMENDED_SHEET = "推荐名单"
RECOMMENDED_RULE = (
    "推荐名单口径",
    "审核通过、未删除、未被标记为待核查（风险），且在活动时间内发布（或经 tracker campaign "
    "include 人工加入）的作品，按质量分排序；「全活动排名」为该作品在全部作品中的名次。",
)

FileCallback = Callable[[str, str], None]
"""Told (file name, what it holds in Chinese) after each file is written."""


class WrittenReport(Protocol):
    """What the pack needs to know about the report written."""

    path: Path
    works: int
    size_bytes: int


class PackReportWriter(Protocol):
    """Writes the HTML report of ``campaign`` cut at ``as_of`` to ``out_path``, dated ``now``."""

    def __call__(
        self,
        engine: Engine,
        config: TrackerConfig,
        out_path: Path,
        *,
        campaign: str | None,
        as_of: datetime,
        now: datetime,
    ) -> WrittenReport: ...


@dataclass(frozen=True, slots=True)
class PackedFile:
    name: str
    path: Path
    sha256: str
    bytes: int
    review: str | None = None
    """Which works the file's lists are over: ``all``, ``approved`` or ``recommendable``."""


@dataclass(slots=True)
class PackResult:
    out_dir: Path
    manifest: Path
    as_of: datetime
    campaign: str
    timezone: str
    counts: dict[str, int]
    files: list[PackedFile] = field(default_factory=list)


def pack_paths(out_dir: Path) -> list[Path]:
    """Every file a pack writes in ``out_dir``, the manifest last."""
    return [out_dir / name for name in [*PACK_FILES.values(), MANIFEST]]


def pack_counts(
    works: pd.DataFrame, recommended: pd.DataFrame, units_with_works: int
) -> dict[str, int]:
    """The manifest's counts: works and their distinct accounts (works without an account are
    nobody's), units with at least one work, recommended works."""
    has_account = works["account_uid"].notna().to_numpy(dtype=bool)
    accounts = works.loc[has_account, ["platform", "account_uid"]].astype("str").drop_duplicates()
    return {
        "works": len(works),
        "accounts": len(accounts),
        "units": units_with_works,
        "recommended": len(recommended),
    }


def _digest(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
            size += len(block)
    return sha.hexdigest(), size


def manifest_json(result: PackResult, filters: dict[str, Any]) -> str:
    """The manifest's text: sorted keys, files in the pack's order, the cut in the campaign's
    zone (``2024-09-28T00:00:00+08:00`` is the end of 9-27); nothing from the wall clock."""
    files = []
    for f in result.files:
        entry: dict[str, Any] = {"name": f.name, "sha256": f.sha256, "bytes": f.bytes}
        if f.review is not None:
            entry["review"] = f.review
        files.append(entry)
    body = {
        "as_of": result.as_of.astimezone(ZoneInfo(result.timezone)).isoformat(),
        "campaign": result.campaign,
        "filters": filters,
        "counts": result.counts,
        "files": files,
    }
    return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def run_pack(
    engine: Engine,
    config: TrackerConfig,
    out_dir: Path,
    *,
    as_of: datetime,
    write_report: PackReportWriter,
    campaign: str | None = None,
    include_unreviewed: bool = False,
    on_file: FileCallback | None = None,
) -> PackResult:
    """Write the pack of ``campaign`` as of ``as_of`` (aware) into ``out_dir``.

    ``include_unreviewed`` counts unreviewed works in the creators, units and summary lists
    (as ``tracker export --include-unreviewed``); the works list always holds every work and
    the 推荐名单 only recommendable ones. Every target is checked before anything is written:
    none may be the open database, the config or the units registry.
    """
    from tracker.exports.lists import about_rows, about_sheet, works_sheet
    from tracker.exports.service import export_list
    from tracker.exports.xlsx import write_xlsx
    from tracker.ranking.selection import Selection
    from tracker.ranking.slices import filter_works
    from tracker.readmodel.facts import headline, ranked_facts
    from tracker.services.rank import rank_service

    if as_of.tzinfo is None:
        raise ValueError("as_of must be an aware datetime")
    cut = as_of.astimezone(UTC)
    if out_dir.exists() and not out_dir.is_dir():
        check_output(out_dir)  # a protected file named as the folder is refused as such
        raise OutputError(f"输出路径已有同名文件，不是文件夹: {out_dir}；请给出一个文件夹")
    for path in pack_paths(out_dir):
        check_output(path)
    out_dir.mkdir(parents=True, exist_ok=True)

    # One ranking for every workbook; its generated_at is the cut, so each 说明 sheet's
    # 导出时间 names the cut and a re-run does not change it.
    ranked = rank_service(
        engine, config, campaign, include_unreviewed=include_unreviewed, now=cut, as_of=cut
    )
    camp = ranked.campaign
    lists = Selection(
        campaign_id=ranked.campaign_id,
        include_unreviewed=include_unreviewed,
        as_of=cut,
        timezone=camp.timezone,
    )
    every_work = lists.with_(include_unreviewed=True)
    links = ranked.frames.account_units
    works = filter_works(ranked.result.works, every_work, links)
    recommendable = ranked.result.works["recommendable"].astype(bool).to_numpy()
    recommended = filter_works(ranked.result.works[recommendable], every_work, links)
    # units with works, counted by the read model as every output counts them
    head = headline(ranked_facts(ranked.result.works, links, every_work), every_work)
    counts = pack_counts(works, recommended, int(head["units"]))
    result = PackResult(out_dir, out_dir / MANIFEST, cut, camp.name, camp.timezone, counts)
    review = "all" if include_unreviewed else "approved"

    def done(key: str, detail: str, review: str | None) -> None:
        path = out_dir / PACK_FILES[key]
        sha, size = _digest(path)
        result.files.append(PackedFile(path.name, path, sha, size, review))
        if on_file is not None:
            on_file(path.name, detail)

    report = write_report(
        engine, config, out_dir / PACK_FILES["report"], campaign=camp.name, as_of=cut, now=cut
    )
    done("report", f"报告，作品 {report.works:,} 件", None)

    summary = export_list(
        ranked, "summary", lists, out_dir / PACK_FILES["summary"], by_city=True, created=cut
    )
    done("summary", f"活动汇总 {len(summary.sheets)} 个工作表，含各市", review)
    export_list(ranked, "works", every_work, out_dir / PACK_FILES["works"], created=cut)
    done("works", f"全部作品 {counts['works']:,} 件，含待审核，可填写审核结果", "all")
    creators = export_list(ranked, "creators", lists, out_dir / PACK_FILES["creators"], created=cut)
    done("creators", f"创作者 {creators.rows:,} 位", review)
    units_file = export_list(ranked, "units", lists, out_dir / PACK_FILES["units"], created=cut)
    done("units", f"组织单位 {units_file.rows:,} 个", review)

    sheet = works_sheet(
        recommended,
        reviews=ranked.frames.reviews,
        fixed_age_days=ranked.result.settings.fixed_age_days,
        name=RECOMMENDED_SHEET,
    )
    approved = lists.with_(include_unreviewed=False)
    about = about_sheet(
        about_rows(ranked, approved, lists=[RECOMMENDED_SHEET], extra=[RECOMMENDED_RULE])
    )
    write_xlsx(out_dir / PACK_FILES["recommended"], [sheet], about=about, created=cut)
    done("recommended", f"推荐作品 {counts['recommended']:,} 件", "recommendable")

    with atomic_text_output(result.manifest) as fh:
        fh.write(manifest_json(result, lists.as_dict()))
    return result
