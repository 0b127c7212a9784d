"""How a campaign's works came to belong to it: link counts by platform and matching rule."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from tracker.store.models import Campaign, PostCampaign

__all__ = ["membership_counts"]

LINK = PostCampaign.__table__
CAMPAIGN = Campaign.__table__


def membership_counts(conn: Connection, campaign: str) -> list[tuple[str, str | None, bool, int]]:
    """(platform, matched_by, excluded, works) for the campaign named ``campaign``: one
    grouped count over its links, so ``tracker campaign list`` never reads the works."""
    q = (
        select(LINK.c.platform, LINK.c.matched_by, LINK.c.excluded, func.count())
        .join(CAMPAIGN, CAMPAIGN.c.id == LINK.c.campaign_id)
        .where(CAMPAIGN.c.name == campaign)
        .group_by(LINK.c.platform, LINK.c.matched_by, LINK.c.excluded)
    )
    return [(p, m, bool(x), int(n)) for p, m, x, n in conn.execute(q)]
