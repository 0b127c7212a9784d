"""``tracker export works|creators|units|summary``: ranked lists to xlsx or csv files.

One entry point so the command line and the scheduled daily exports produce the same files.
An xlsx gets the 说明 sheet first; a csv holds one list, so the summary's sheets become one csv
each beside the named file (``汇总.csv`` -> ``汇总_按城市.csv`` ...), with the 说明 as its own
csv, because a reader of a bare csv otherwise cannot know the window, sources or formula.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from tracker.errors import TrackerError
from tracker.exports.csv import write_csv_file
from tracker.exports.lists import (
    about_rows,
    about_sheet,
    creators_sheet,
    summary_sheets,
    units_sheet,
    units_with_participation,
    works_sheet,
)
from tracker.exports.sheet import Sheet
from tracker.exports.xlsx import safe_sheet_name, write_xlsx
from tracker.ranking.selection import Selection
from tracker.ranking.slices import (
    RankedCampaign,
    filter_creators,
    filter_units,
    filter_works,
)
from tracker.safe_files import check_output

__all__ = ["LISTS", "ExportResult", "build_sheets", "export_list"]

LISTS = ("works", "creators", "units", "summary")
FORMATS = ("xlsx", "csv")
LIST_NAMES_ZH = {"works": "作品", "creators": "创作者", "units": "单位", "summary": "汇总"}


@dataclass
class ExportResult:
    paths: list[Path]
    sheets: list[str]
    rows: int


def build_sheets(
    ranked: RankedCampaign,
    which: str,
    filters: Selection,
    *,
    anonymise: bool = False,
    by_city: bool = False,
) -> list[Sheet]:
    """The sheets of one export (without the 说明 sheet)."""
    salt = ranked.campaign.name
    result = ranked.result
    if which == "works":
        works = filter_works(result.works, filters, ranked.frames.account_units)
        return [
            works_sheet(
                works,
                reviews=ranked.frames.reviews,
                fixed_age_days=ranked.result.settings.fixed_age_days,
                anonymise=anonymise,
                salt=salt,
                for_review=filters.include_unreviewed,
            )
        ]
    if which == "creators":
        creators = filter_creators(result.creators, filters)
        return [creators_sheet(creators, result.works, anonymise=anonymise, salt=salt)]
    if which == "units":
        return [units_sheet(units_with_participation(filter_units(ranked, filters), ranked))]
    if which == "summary":
        return summary_sheets(ranked, filters, by_city=by_city, anonymise=anonymise)
    raise TrackerError(f"未知名单 {which!r}；可选: {', '.join(LISTS)}")


def export_list(
    ranked: RankedCampaign,
    which: str,
    filters: Selection,
    output: str | Path,
    *,
    fmt: str = "xlsx",
    anonymise: bool = False,
    by_city: bool = False,
    created: datetime | None = None,
) -> ExportResult:
    """Write one list to ``output``; ``created`` fixes an xlsx's recorded creation time (see
    ``write_xlsx``), so a re-run of the same cut writes the same bytes."""
    if fmt not in FORMATS:
        raise TrackerError(f"--format 只能是 xlsx 或 csv，收到 {fmt!r}")
    if by_city and which != "summary":
        raise TrackerError("--by city 只用于 export summary")
    sheets = build_sheets(ranked, which, filters, anonymise=anonymise, by_city=by_city)
    extra: list[tuple[str, str]] = []
    if which == "works" and filters.include_unreviewed:
        extra.append(
            (
                "审核",
                "在「审核结果」列填 通过 / 不通过 / 待定（可在「审核意见」列写理由），"
                "保存后运行 tracker review import 文件名 --by 审核人 导入。",
            )
        )
    about = about_sheet(
        about_rows(
            ranked,
            filters,
            lists=[s.name for s in sheets],
            anonymise=anonymise,
            extra=extra,
        )
    )
    output = Path(output)
    rows = sum(len(s.frame) for s in sheets)
    if fmt == "xlsx":
        names = write_xlsx(output, sheets, about=about, created=created)
        return ExportResult([output], names, rows)
    if len(sheets) == 1:
        write_csv_file(output, sheets[0])
        return ExportResult([output], [sheets[0].name], rows)
    files = _csv_files(output, about, sheets)
    for path, _ in files:  # every name checked before the first file is written
        check_output(path)
    for path, sheet in files:
        write_csv_file(path, sheet)
    return ExportResult([p for p, _ in files], [s.name for _, s in files[1:]], rows)


def _csv_files(output: Path, about: Sheet, sheets: list[Sheet]) -> list[tuple[Path, Sheet]]:
    """One csv per sheet beside ``output`` (``汇总.csv`` -> ``汇总_说明.csv``, ``汇总_按城市.csv``
    ...), the 说明 first; each sheet carries the unique name its file uses."""
    suffix = output.suffix or ".csv"
    files = [(output.with_name(f"{output.stem}_{about.name}{suffix}"), about)]
    taken: set[str] = {about.name}
    for sheet in sheets:
        name = safe_sheet_name(sheet.name, taken)
        files.append((output.with_name(f"{output.stem}_{name}{suffix}"), replace(sheet, name=name)))
    return files
