"""What a connector may spare requests with, read from the store (connectors never read it).

Live collection is bounded by the platforms' rate limits, so a read that only fetches what the
store already has is a request lost: an author's profile read again an hour after the last
reading, a Weibo long text read again for a post stored in full. The collect and refresh runs
hand each connector the :class:`~connectors.base.StoredFacts` it says it uses
(``Connector.uses_stored``), and only those are read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from connectors.base import NO_STORED_FACTS, Connector, StoredFacts
from tracker.store.queries import refresh as refresh_queries

__all__ = ["FOLLOWERS_FRESH", "hand_stored_facts", "read_stored_facts"]

FOLLOWERS_FRESH = timedelta(hours=24)
"""A follower reading younger than this spares the author's profile read: profiles are read
once per account per day at most (follower counts barely move within a day)."""


def read_stored_facts(
    engine: Engine,
    platform: str,
    uses: frozenset[str],
    now: datetime,
    published_since: datetime | None,
) -> StoredFacts:
    """The facts named in ``uses`` for ``platform``: the follower readings of the last
    :data:`FOLLOWERS_FRESH` before ``now``; the stored text lengths of the posts published
    since ``published_since`` (all when None) or of unknown time."""
    if not uses:
        return NO_STORED_FACTS
    with engine.connect() as conn:
        followers = (
            refresh_queries.recent_follower_readings(conn, platform, now - FOLLOWERS_FRESH)
            if "followers" in uses
            else {}
        )
        texts = (
            refresh_queries.stored_text_chars(conn, platform, published_since)
            if "text_chars" in uses
            else {}
        )
    return StoredFacts(followers=followers, text_chars=texts)


def hand_stored_facts(
    engine: Engine,
    connector: Connector,
    now: datetime,
    published_since: datetime | None,
) -> StoredFacts:
    """Read what ``connector`` uses and hand it over; returns what was handed (for the run's
    counts)."""
    uses: frozenset[str] = getattr(connector, "uses_stored", frozenset())
    if not uses:  # nothing it would use (a stand-in connector may not even say so): no read
        return StoredFacts()
    facts = read_stored_facts(engine, connector.platform, uses, now, published_since)
    connector.use_stored(facts)
    return facts
