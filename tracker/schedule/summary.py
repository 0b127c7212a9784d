"""What happened in a day (or a week) of the campaign: counts per platform and the top works.

One query module feeds three outputs — the report folder's ``summary.json``, the daily digest
sent to the group robots, and the weekly summary — so the numbers staff read in the chat are the
numbers in the folder. Days are Beijing calendar days turned into UTC ranges here, once.

"Campaign works" are works linked to a campaign and not excluded by a reviewer, and not deleted.
A work's "interactions" for the top list is the report's 互动量（原始）: likes + comments + shares
+ favourites, with unknown (NULL) metrics counted as nothing; the figures themselves are reported
as they are, NULL as ``null``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, func, literal, select

from connectors.catalogue import PLATFORMS
from tracker.store.models import Account, Post, PostCampaign

POST = Post.__table__
LINK = PostCampaign.__table__
ACCOUNT = Account.__table__

TOP_N = 5


def day_range(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants of ``start`` 00:00 and the day after ``end`` 00:00, local time ``zone``."""
    lo = datetime.combine(start, time.min, zone).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)
    return lo, hi


def _campaign_posts() -> Any:
    linked = (
        select(LINK.c.platform, LINK.c.platform_post_id)
        .where(LINK.c.excluded.is_(False))
        .distinct()
        .subquery("linked")
    )
    return (
        select(POST)
        .join(
            linked,
            and_(
                linked.c.platform == POST.c.platform,
                linked.c.platform_post_id == POST.c.platform_post_id,
            ),
        )
        .where(POST.c.deleted.is_(False))
        .subquery("works")
    )


def _iso_local(value: datetime | None, zone: ZoneInfo) -> str | None:
    return value.astimezone(zone).isoformat() if value else None


def period_summary(
    engine: Engine,
    start: date,
    end: date,
    *,
    zone: ZoneInfo,
    now: datetime,
    platforms: Sequence[str] = (),
    top_n: int = TOP_N,
) -> dict[str, Any]:
    """Counts per platform and the top works published from ``start`` to ``end`` (inclusive)."""
    lo, hi = day_range(start, end, zone)
    works = _campaign_posts()
    when = func.coalesce(works.c.published_at, works.c.first_collected_at)
    in_period = and_(works.c.published_at >= lo, works.c.published_at < hi)
    interactions = (
        func.coalesce(works.c.likes, literal(0))
        + func.coalesce(works.c.comments, literal(0))
        + func.coalesce(works.c.shares, literal(0))
        + func.coalesce(works.c.favorites, literal(0))
    )
    per_platform: dict[str, dict[str, int]] = {
        p: {"new_works": 0, "total_works": 0, "first_collected": 0} for p in platforms
    }

    def row_for(platform: str) -> dict[str, int]:
        return per_platform.setdefault(
            platform, {"new_works": 0, "total_works": 0, "first_collected": 0}
        )

    with engine.connect() as conn:
        for platform, n in conn.execute(
            select(works.c.platform, func.count()).where(in_period).group_by(works.c.platform)
        ):
            row_for(platform)["new_works"] = int(n)
        for platform, n in conn.execute(
            select(works.c.platform, func.count()).where(when < hi).group_by(works.c.platform)
        ):
            row_for(platform)["total_works"] = int(n)
        for platform, n in conn.execute(
            select(works.c.platform, func.count())
            .where(works.c.first_collected_at >= lo, works.c.first_collected_at < hi)
            .group_by(works.c.platform)
        ):
            row_for(platform)["first_collected"] = int(n)
        top_rows = conn.execute(
            select(works, ACCOUNT.c.name.label("account_name"), interactions.label("interactions"))
            .outerjoin(
                ACCOUNT,
                and_(
                    ACCOUNT.c.platform == works.c.platform,
                    ACCOUNT.c.platform_uid == works.c.account_uid,
                ),
            )
            .where(in_period)
            .order_by(interactions.desc(), works.c.platform, works.c.platform_post_id)
            .limit(top_n)
        ).all()
    order = {p: i for i, p in enumerate(PLATFORMS)}
    ordered = dict(sorted(per_platform.items(), key=lambda kv: order.get(kv[0], len(order))))
    top = [
        {
            "platform": r.platform,
            "platform_post_id": r.platform_post_id,
            "title": r.title,
            "text": (r.text or "")[:120] or None,
            "url": r.url,
            "account_id": r.account_uid,
            "account_name": r.account_name,
            "published_at": _iso_local(r.published_at, zone),
            "views": r.views,
            "likes": r.likes,
            "comments": r.comments,
            "shares": r.shares,
            "favorites": r.favorites,
            "interactions": int(r.interactions),
        }
        for r in top_rows
    ]
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "timezone": zone.key,
        "generated_at": now.astimezone(zone).isoformat(),
        "new_works": sum(v["new_works"] for v in ordered.values()),
        "total_works": sum(v["total_works"] for v in ordered.values()),
        "first_collected": sum(v["first_collected"] for v in ordered.values()),
        "platforms": ordered,
        "top_works": top,
    }
