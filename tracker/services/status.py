"""What is in the database: works, accounts and the last run per platform.

Two kinds of count side by side. The store inventory (posts, accounts, runs, rejects) says
what the database holds, whatever the campaign. The campaign's works per platform (活动作品)
are a campaign figure, so they come from the read model, counted as the report and the exports
count them (docs/figures.md: the configured campaign, reviewers' exclusions left out, every
review status, deleted works included). Status never ranks: the read model's grouped SQL facts
(``load_facts``, the dashboard's path) give the same per-platform counts as the ranking's
frames in one grouped query, without reading every work, its history and its snapshots.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from tracker.config import CampaignConfig
from tracker.ranking.selection import Selection
from tracker.readmodel.facts import by_platform, load_facts
from tracker.records import incomplete_summary
from tracker.store.queries import Connection, Engine
from tracker.store.queries.status import store_counts
from tracker.store.registry import campaign_ids


@dataclass(slots=True)
class PlatformStatus:
    platform: str
    posts: int = 0
    campaign_posts: int | None = 0
    """The configured campaign's works (the read model's count); None when no campaign is
    known (the config could not be read)."""
    accounts: int = 0
    last_run_kind: str | None = None
    last_run_status: str | None = None
    last_run_started: datetime | None = None
    last_run_finished: datetime | None = None
    last_run_error: str | None = None
    last_run_requests: int | None = None
    last_run_retries: int | None = None
    """Retries of the last live run: the first sign of a platform starting to throttle."""
    last_run_purposes: dict[str, int] | None = None
    """The last run's requests by purpose (listing, detail, profile, page; retry), as runs
    store them from now on; None for older runs."""
    last_run_incomplete: str | None = None
    """What the last run's enrichment could not read (``粉丝数未读取：3 个账号``), if anything."""

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("last_run_started", "last_run_finished"):
            value = out[key]
            out[key] = value.isoformat() if value else None
        return out


@dataclass(slots=True)
class DatabaseStatus:
    url: str
    platforms: list[PlatformStatus]
    rejects: int

    def as_json(self) -> dict[str, Any]:
        return {
            "database": self.url,
            "platforms": [p.as_json() for p in self.platforms],
            "totals": {
                "posts": sum(p.posts for p in self.platforms),
                "campaign_posts": self.campaign_total(),
                "accounts": sum(p.accounts for p in self.platforms),
                "rejects": self.rejects,
            },
        }

    def campaign_total(self) -> int | None:
        """All platforms' campaign works (each work is on one platform), None when unknown."""
        counts = [p.campaign_posts for p in self.platforms]
        return None if None in counts else sum(n for n in counts if n is not None)


def campaign_works(conn: Connection, campaign: CampaignConfig) -> dict[str, int]:
    """The campaign's works per platform from the read model, no cut, every review status
    (what ``tracker report`` shows in its per-platform table); empty when the campaign is not
    in the database yet."""
    cid = campaign_ids(conn).get(campaign.name)
    if cid is None:
        return {}
    sel = Selection(campaign_id=cid, include_unreviewed=True, timezone=campaign.timezone)
    table = by_platform(load_facts(conn, cid, campaign.timezone), sel)
    return {str(p): int(n) for p, n in zip(table["platform"], table["works"], strict=True)}


def database_status(
    engine: Engine, url: str, campaign: CampaignConfig | None = None
) -> DatabaseStatus:
    """The store inventory per platform, with ``campaign``'s works from the read model (None
    for every platform when no campaign is given)."""
    by_platform: dict[str, PlatformStatus] = {}

    def get(platform: str) -> PlatformStatus:
        return by_platform.setdefault(
            platform, PlatformStatus(platform, campaign_posts=0 if campaign else None)
        )

    with engine.connect() as conn:
        counts = store_counts(conn)
        works = campaign_works(conn, campaign) if campaign is not None else {}
    for platform, n in counts.posts.items():
        get(platform).posts = n
    for platform, n in works.items():
        get(platform).campaign_posts = n
    for platform, n in counts.accounts.items():
        get(platform).accounts = n
    for platform, row in counts.latest_runs.items():
        st = get(platform)
        st.last_run_kind = row["kind"]
        st.last_run_status = row["status"]
        st.last_run_started = row["started_at"]
        st.last_run_finished = row["finished_at"]
        st.last_run_error = row["error"]
        detail = row["detail"]
        http = detail.get("http") if isinstance(detail, dict) else None
        if isinstance(http, dict):
            st.last_run_requests = http.get("requests")
            st.last_run_retries = http.get("retries")
        if isinstance(detail, dict):
            purposes = detail.get("requests")
            if isinstance(purposes, dict):
                st.last_run_purposes = {str(k): int(v) for k, v in purposes.items()}
            gaps = detail.get("incomplete")
            if isinstance(gaps, dict):
                st.last_run_incomplete = incomplete_summary(
                    {str(k): int(v) for k, v in gaps.items()}
                )
    from connectors.catalogue import PLATFORMS

    ordered = [by_platform[p] for p in PLATFORMS if p in by_platform]
    return DatabaseStatus(url, ordered, counts.rejects)
