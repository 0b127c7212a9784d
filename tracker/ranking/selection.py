"""The one filter object: what a screen, a command or a file is narrowed to.

Every face builds a ``Selection`` (the dashboard from its controls, the command line from its
options, ``tracker pack`` from ``--as-of``) and hands the same object to the read model, the
ranked lists and every file writer, so a list on screen and the file exported from it can never
be cut differently, and every file's 说明 sheet can say exactly which cut it holds
(``describe_zh``; ``as_dict`` for a manifest).

Empty tuples mean "all". ``as_of`` is the deadline cut: metrics from the latest snapshot at or
before it, works first seen or published after it left out. Review decisions are taken as
recorded now: the cut fixes the data, and staff review that data afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from connectors.catalogue import PLATFORM_NAMES_ZH
from tracker.config import UNIT_KIND_NAMES_ZH

__all__ = ["UNREGISTERED", "Selection", "parse_as_of"]

UNREGISTERED = "未登记"
"""The city and unit-kind group of works whose account no registry unit lists."""


@dataclass(frozen=True, slots=True)
class Selection:
    """Campaign, platforms, cities, unit kinds, publish window, review status, as-of, top N."""

    campaign_id: int | None = None
    platforms: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    unit_kinds: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    include_unreviewed: bool = False
    as_of: datetime | None = None
    top: int | None = None
    timezone: str = "Asia/Shanghai"

    def with_(self, **kw: Any) -> Selection:
        return replace(self, **kw)

    @property
    def city(self) -> str | None:
        """The one city of a single-city selection (``tracker report --city``), else None."""
        return self.cities[0] if len(self.cities) == 1 else None

    def utc_range(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) in UTC for the inclusive local publish-date range."""
        zone = ZoneInfo(self.timezone)
        start = end = None
        if self.date_from is not None:
            start = datetime.combine(self.date_from, time.min, zone).astimezone(UTC)
        if self.date_to is not None:
            end = datetime.combine(self.date_to + timedelta(days=1), time.min, zone)
            end = end.astimezone(UTC)
        return start, end

    def as_of_utc(self) -> datetime | None:
        """The cut as an aware UTC instant (a naive one is read in the campaign's zone)."""
        if self.as_of is None:
            return None
        cut = self.as_of
        if cut.tzinfo is None:
            cut = cut.replace(tzinfo=ZoneInfo(self.timezone))
        return cut.astimezone(UTC)

    def as_of_text(self) -> str:
        """The cut as staff wrote it: the end of 9-27 reads ``2024-09-27 24:00``, not 9-28."""
        cut = self.as_of_utc()
        if cut is None:
            return ""
        local = cut.astimezone(ZoneInfo(self.timezone))
        if local.time() == time.min:
            return f"{local.date() - timedelta(days=1):%Y-%m-%d} 24:00"
        return f"{local:%Y-%m-%d %H:%M}"

    def describe_zh(self) -> str:
        """One line for the 说明 sheet and the report: every filter that is set, and the review
        rule, which is always stated."""
        parts = []
        if self.platforms:
            parts.append("平台 " + "、".join(PLATFORM_NAMES_ZH.get(p, p) for p in self.platforms))
        if self.cities:
            parts.append("城市 " + "、".join(self.cities))
        if self.unit_kinds:
            names = (UNIT_KIND_NAMES_ZH.get(k, k) for k in self.unit_kinds)
            parts.append("单位类型 " + "、".join(names))
        if self.date_from or self.date_to:
            start = f"{self.date_from:%Y-%m-%d}" if self.date_from else "不限"
            end = f"{self.date_to:%Y-%m-%d}" if self.date_to else "不限"
            parts.append(f"发布日期 {start} 至 {end}（北京时间）")
        cut = self.as_of_text()
        if cut:
            parts.append(f"数据截至 {cut}（北京时间）")
        if self.top:
            parts.append(f"前 {self.top} 名")
        parts.append(
            "含未审核作品" if self.include_unreviewed else "仅审核通过的作品（默认，推荐名单口径）"
        )
        return "；".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """The filters as plain JSON values (a pack's manifest), unset ones included as null."""
        cut = self.as_of_utc()
        return {
            "platforms": list(self.platforms),
            "cities": list(self.cities),
            "unit_kinds": list(self.unit_kinds),
            "published_from": self.date_from.isoformat() if self.date_from else None,
            "published_to": self.date_to.isoformat() if self.date_to else None,
            "review": "all" if self.include_unreviewed else "approved",
            "as_of": cut.isoformat() if cut else None,
            "top": self.top,
        }


def parse_as_of(text: str, timezone: str = "Asia/Shanghai") -> datetime:
    """The instant ``--as-of`` names, in UTC.

    A bare date (``2024-09-27``) is the end of that day in the campaign's zone: a deadline of
    9-27 includes everything collected on 9-27. A date and time (``2024-09-27 18:00`` or ISO
    ``2024-09-27T18:00``) is that instant, in the campaign's zone unless it carries an offset.
    Anything else is a one-line error naming the forms accepted.
    """
    raw = text.strip()
    zone = ZoneInfo(timezone)
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            return datetime.combine(day + timedelta(days=1), time.min, zone).astimezone(UTC)
        moment = datetime.fromisoformat(raw.replace(" ", "T", 1))
    except ValueError:
        raise ValueError(
            f"--as-of 无法识别 {text!r}；请写日期 2024-09-27（含当天）或时间 2024-09-27T18:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)
