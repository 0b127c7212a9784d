"""What a dashboard view is narrowed to, and how a work is named on screen.

The store reads behind the views are in ``tracker.store.queries.dashboard``; they take plain
values (campaign id, time zone), and ``Filters`` narrows their frames in ``aggregate``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["UNREGISTERED", "Filters", "label_of"]

UNREGISTERED = "未登记"


@dataclass(frozen=True, slots=True)
class Filters:
    """What the user narrowed the view to; empty tuples mean "all"."""

    campaign_id: int
    platforms: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    unit_kinds: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    timezone: str = "Asia/Shanghai"

    def with_(self, **kw: Any) -> Filters:
        return replace(self, **kw)

    def utc_range(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) in UTC for the inclusive local date range."""
        zone = ZoneInfo(self.timezone)
        start = end = None
        if self.date_from is not None:
            start = datetime.combine(self.date_from, time.min, zone).astimezone(UTC)
        if self.date_to is not None:
            end_day = self.date_to + timedelta(days=1)
            end = datetime.combine(end_day, time.min, zone).astimezone(UTC)
        return start, end


def label_of(title: Any, text: Any, post_id: str, limit: int = 60) -> str:
    """What to call a work: its title, else the start of its text, else its id (plain text)."""
    for value in (title, text):
        if isinstance(value, str) and value.strip():
            s = " ".join(value.split())
            return s if len(s) <= limit else s[: limit - 1] + "…"
    return f"作品 {post_id}"
