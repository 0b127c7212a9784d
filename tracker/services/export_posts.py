"""``tracker export posts --format jsonl``: every stored work, one JSON object a line.

For other tools and audits, so it is complete (every work, campaign or not) and plain: ids as
strings, times as ISO 8601 UTC with their offset, NULL metrics as ``null``, and beside the
publish time how it was obtained (``field``, or ``id``/``display`` when it was derived), and
beside the metrics ``lower_bound_metrics``: the metrics whose figure is only a floor the platform
showed ("100万+" is stored as 1000000 and listed here), so a tool never reads it as exact. Rows
are streamed, never loaded at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import Engine, and_, func, select

from tracker.records import read_lower_bounds
from tracker.store.models import Account, Campaign, Post, PostCampaign

POST = Post.__table__
ACCOUNT = Account.__table__
LINK = PostCampaign.__table__
CAMPAIGN = Campaign.__table__

METRICS = ("views", "likes", "comments", "shares", "favorites")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat()


def iter_post_objects(engine: Engine, *, batch: int = 2_000) -> Iterator[dict[str, Any]]:
    campaigns = (
        select(
            LINK.c.platform,
            LINK.c.platform_post_id,
            func.aggregate_strings(CAMPAIGN.c.name, "\x1f").label("campaigns"),
        )
        .join(CAMPAIGN, CAMPAIGN.c.id == LINK.c.campaign_id)
        .where(LINK.c.excluded.is_(False))
        .group_by(LINK.c.platform, LINK.c.platform_post_id)
        .subquery()
    )
    q = (
        select(POST, ACCOUNT.c.name.label("account_name"), campaigns.c.campaigns)
        .outerjoin(
            ACCOUNT,
            and_(
                ACCOUNT.c.platform == POST.c.platform, ACCOUNT.c.platform_uid == POST.c.account_uid
            ),
        )
        .outerjoin(
            campaigns,
            and_(
                campaigns.c.platform == POST.c.platform,
                campaigns.c.platform_post_id == POST.c.platform_post_id,
            ),
        )
        .order_by(POST.c.platform, POST.c.platform_post_id)
    )
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(q)
        for row in result:
            yield {
                "platform": row.platform,
                "platform_post_id": row.platform_post_id,
                "account_id": row.account_uid,
                "account_name": row.account_name,
                "url": row.url,
                "title": row.title,
                "text": row.text,
                "content_type": row.content_type,
                "published_at": _iso(row.published_at),
                "published_at_source": row.published_at_source,
                "metrics": {m: getattr(row, m) for m in METRICS},
                "lower_bound_metrics": sorted(read_lower_bounds(row.lower_bounds)),
                "hashtags": row.hashtags or [],
                "campaigns": sorted(row.campaigns.split("\x1f")) if row.campaigns else [],
                "source": row.source,
                "deleted": bool(row.deleted),
                "first_collected_at": _iso(row.first_collected_at),
                "last_collected_at": _iso(row.last_collected_at),
            }


def write_jsonl(engine: Engine, out: IO[str]) -> int:
    n = 0
    for obj in iter_post_objects(engine):
        out.write(json.dumps(obj, ensure_ascii=False))
        out.write("\n")
        n += 1
    return n
