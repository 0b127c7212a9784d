"""What is in the database: works, accounts and the last run per platform."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from tracker.store.queries import Engine
from tracker.store.queries.status import store_counts


@dataclass(slots=True)
class PlatformStatus:
    platform: str
    posts: int = 0
    campaign_posts: int = 0
    accounts: int = 0
    last_run_kind: str | None = None
    last_run_status: str | None = None
    last_run_started: datetime | None = None
    last_run_finished: datetime | None = None
    last_run_error: str | None = None
    last_run_requests: int | None = None
    last_run_retries: int | None = None
    """Retries of the last live run: the first sign of a platform starting to throttle."""

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
                "campaign_posts": sum(p.campaign_posts for p in self.platforms),
                "accounts": sum(p.accounts for p in self.platforms),
                "rejects": self.rejects,
            },
        }


def database_status(engine: Engine, url: str) -> DatabaseStatus:
    by_platform: dict[str, PlatformStatus] = {}

    def get(platform: str) -> PlatformStatus:
        return by_platform.setdefault(platform, PlatformStatus(platform))

    with engine.connect() as conn:
        counts = store_counts(conn)
    for platform, n in counts.posts.items():
        get(platform).posts = n
    for platform, n in counts.campaign_posts.items():
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
    from connectors.catalogue import PLATFORMS

    ordered = [by_platform[p] for p in PLATFORMS if p in by_platform]
    return DatabaseStatus(url, ordered, counts.rejects)
