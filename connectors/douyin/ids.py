"""What a Douyin ``aweme_id`` says by itself. Pure functions.

Douyin ids are snowflake-style: the top 32 bits of the 64-bit ``aweme_id`` are the Unix second
the work was created. Older ``aweme/post`` lists (2020) and some third-party wrappers send items
without ``create_time``; the id then still dates the work. On real bodies that carry both, the
id's second is 1 to 30 s before ``create_time`` (upload, then publish), so a derived time is
close but not the field's value, and is marked as derived wherever it is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["EARLIEST", "aweme_id_time"]

EARLIEST = datetime(2016, 9, 1, tzinfo=UTC)
"""Douyin opened in September 2016: an id that decodes to an earlier second encodes no time."""

_SLACK = timedelta(days=1)
"""How far past ``now`` a decoded time may fall (clock skew between Douyin and the saver)."""


def aweme_id_time(aweme_id: str, *, now: datetime | None = None) -> datetime | None:
    """The creation time encoded in ``aweme_id`` (``id >> 32`` seconds), UTC.

    ``None`` when the id is not a number or decodes to a time Douyin could not have written
    (before it existed, or later than ``now`` plus a day): a made-up or foreign id must not
    invent a publish time.
    """
    text = aweme_id.strip()
    if not text.isascii() or not text.isdigit():
        return None
    seconds = int(text) >> 32
    latest = (now or datetime.now(UTC)) + _SLACK
    if not EARLIEST.timestamp() <= seconds <= latest.timestamp():
        return None
    return datetime.fromtimestamp(seconds, UTC)
