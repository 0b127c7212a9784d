"""What the HTML report and the printable city pages both start from.

The campaign's id, the registry's cities (``深圳`` or ``深圳市`` naming one), the end of an
"as of" day and the week-over-week figures: computed the same way for the full report and for
the city pages, so both pages always agree on a city's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from tracker.errors import ConfigError, TrackerError
from tracker.membership.counted import CountedWorks
from tracker.membership.weekly import WeekOverWeek, load_week_inputs, week_over_week
from tracker.ranking import RankingFrames
from tracker.store.queries import Connection
from tracker.store.queries.units import registry_cities
from tracker.store.registry import campaign_ids

__all__ = [
    "ReportResult",
    "campaign_id",
    "end_of_day",
    "resolve_city",
    "weekly_as_of",
]


@dataclass(slots=True)
class ReportResult:
    path: Path
    pdf_path: Path | None
    works: int
    size_bytes: int
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)


def campaign_id(conn: Connection, name: str) -> int:
    """The stored campaign's id; a campaign not written yet is a one-line error."""
    cid = campaign_ids(conn).get(name)
    if cid is None:
        raise ConfigError(f"活动 {name!r} 尚未写入数据库；请先运行 `tracker init`")
    return cid


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The first instant after ``day`` in ``zone``, in UTC: "as of ``day``" includes all of it."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)


def resolve_city(conn: Connection, city: str) -> str:
    """The registry's name of ``city`` (``深圳`` and ``深圳市`` both name 深圳市), else an error
    listing the known cities."""
    known = registry_cities(conn)
    want = city.strip()
    for name in known:
        if want in (name, name.removesuffix("市")):
            return name
    listed = "、".join(known) if known else "（名册中没有填写城市的单位）"
    raise TrackerError(f"未知城市 {city!r}；名册中的城市：{listed}")


def weekly_as_of(
    conn: Connection,
    cid: int,
    frames: RankingFrames,
    until: datetime | None,
    counted: CountedWorks | None = None,
) -> WeekOverWeek | None:
    """Week over week as of ``until`` (the end of ``--date``) or the latest collection;
    ``counted``: the works and snapshots the ranking read (``rank_and_count``)."""
    inputs = load_week_inputs(conn, cid, until, counted)
    if inputs.as_of is None or frames.units is None:
        return None
    au = frames.account_units
    if au is None or not len(au):
        au = pd.DataFrame(columns=["platform", "platform_uid", "unit_id"])
    return week_over_week(inputs.works, inputs.snapshots, au, frames.units, inputs.as_of)
