"""The simulator's virtual clock.

Virtual time stands still unless a test or the demo moves it (``POST /_sim/clock`` or
:meth:`VirtualClock.advance`), so every response is a pure function of (seed, request, virtual
time) and a test can take two snapshots a day apart in a millisecond.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from tracker.sim.layout import SHANGHAI, WORLD_END


def parse_instant(value: str | datetime) -> datetime:
    """An ISO 8601 instant; a naive one is read as Asia/Shanghai (the campaign's zone)."""
    dt = value if isinstance(value, datetime) else datetime.fromisoformat(value.strip())
    if dt.tzinfo is None or dt.utcoffset() is None:
        dt = dt.replace(tzinfo=SHANGHAI)
    return dt.astimezone(UTC)


class VirtualClock:
    """A thread-safe settable instant (UTC-aware)."""

    def __init__(self, now: datetime | str | None = None) -> None:
        self._lock = threading.Lock()
        self._now = parse_instant(now if now is not None else WORLD_END)

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, now: datetime | str) -> datetime:
        instant = parse_instant(now)
        with self._lock:
            self._now = instant
        return instant

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now = self._now + timedelta(seconds=seconds)
            return self._now
