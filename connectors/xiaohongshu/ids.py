"""What a Xiaohongshu note id says by itself. Pure functions.

Note ids are MongoDB ObjectIds: 24 hex digits whose first 8 are the Unix second the note was
created. Web search cards carry no time, so the id dates them. On real bodies that carry both,
the id's second equals the given time for most notes and is never later; for some (about 1 in
20) it is hours to days earlier, the note having been created and published later. A derived
time is therefore a lower bound, and is marked as derived wherever it is stored.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

__all__ = ["EARLIEST", "note_id_time"]

EARLIEST = datetime(2013, 6, 1, tzinfo=UTC)
"""Xiaohongshu opened in June 2013: an id that decodes to an earlier second encodes no time."""

_SLACK = timedelta(days=1)
"""How far past ``now`` a decoded time may fall (clock skew between the platform and the saver)."""

_OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")


def note_id_time(note_id: str, *, now: datetime | None = None) -> datetime | None:
    """The creation time encoded in an ObjectId ``note_id`` (its first 8 hex digits), UTC.

    ``None`` when the id is not an ObjectId or decodes to a time Xiaohongshu could not have
    written (before it existed, or later than ``now`` plus a day).
    """
    text = note_id.strip()
    if not _OBJECT_ID.fullmatch(text):
        return None
    seconds = int(text[:8], 16)
    latest = (now or datetime.now(UTC)) + _SLACK
    if not EARLIEST.timestamp() <= seconds <= latest.timestamp():
        return None
    return datetime.fromtimestamp(seconds, UTC)
