"""Storing parsed pages: tag matching, campaign links, upsert and rejects in one transaction.

Both the live collector and every importer end here, so a work is matched and stored the same
way whichever door it came through.

Post details (``records.PostDetail``, e.g. a Weibo long text) are applied here too: to their post
once it is stored (in this page, an earlier run or a later one), then matched again, since the
campaign tag is often in exactly the part the post's own response cut off. A detail whose post
is not stored yet waits in the store; it never creates a post.

Comments (``ParsedPage.comments``) are stored beside the posts, their commenters through the
same account upsert as authors. A comment is never a work and never linked to a campaign; it is
stored even when its work is not (yet): participation decides later whether it counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from tracker.config import CampaignConfig
from tracker.membership.rules import CampaignLinker, RuleLinker
from tracker.records import CampaignLink, ParsedPage, PostDetail, PostRecord, complete_post
from tracker.store.comments import CommentCounts, store_comments
from tracker.store.models import PostCampaign
from tracker.store.pending import (
    latest_details,
    pending_platforms,
    save_pending,
    stored_posts,
    take_pending,
    update_completed,
)
from tracker.store.registry import campaign_ids as load_campaign_ids
from tracker.store.runs import write_rejects
from tracker.store.upsert import IngestCounts, Ingestor

LINK = PostCampaign.__table__


@dataclass(slots=True)
class PageResult:
    counts: IngestCounts
    rejected: int
    campaign_posts: int
    details_applied: int = 0
    """Details written onto stored posts (this page's or earlier ones)."""
    details_pending: int = 0
    """Details whose post is not stored yet, kept until it is."""
    comments: CommentCounts = field(default_factory=CommentCounts)
    """Comments of the page: new, rewritten by newer data, or stored already as they were."""


class PageStore:
    """Writes parsed pages for one run on one connection at a time."""

    def __init__(
        self,
        linker: CampaignLinker | Any,
        campaign_ids: Mapping[str, int],
        *,
        source: str,
        run_id: int | None,
    ) -> None:
        self.linker = linker
        self.campaign_ids = dict(campaign_ids)
        self.source = source
        self.run_id = run_id
        self._pending: set[str] | None = None
        """Platforms with details waiting, read once per store: a post of another platform
        needs no lookup (a detail parked by a concurrent run is applied on a later store)."""

    @classmethod
    def for_connection(
        cls,
        conn: Connection,
        campaigns: Iterable[CampaignConfig],
        *,
        source: str,
        run_id: int | None,
    ) -> PageStore:
        return cls(RuleLinker(campaigns), load_campaign_ids(conn), source=source, run_id=run_id)

    def store(
        self,
        conn: Connection,
        page: ParsedPage,
        *,
        seen_at: datetime,
        extra_links: Iterable[CampaignLink] = (),
        account_units: Iterable[tuple[str, str, int]] = (),
    ) -> PageResult:
        links: list[CampaignLink] = list(extra_links)
        campaign_posts = set()
        for post in page.posts:
            for link in self.linker.links_for(post):
                links.append(link)
                campaign_posts.add(post.key)
        links = [link for link in links if link.campaign in self.campaign_ids]
        campaign_posts |= {(link.platform, link.platform_post_id) for link in links}
        counts = Ingestor(conn).ingest(
            posts=page.posts,
            accounts=page.accounts,
            links=links,
            campaign_ids=self.campaign_ids,
            account_units=list(account_units),
            run_id=self.run_id,
            seen_at=seen_at,
        )
        comments = store_comments(conn, page.comments, run_id=self.run_id)
        rejected = write_rejects(
            conn, page.rejects, run_id=self.run_id, source=self.source, now=seen_at
        )
        details = [*page.details, *self._waiting_for(conn, page.posts)]
        applied, pending, linked = self._apply_details(conn, details, seen_at)
        campaign_posts |= linked
        return PageResult(counts, rejected, len(campaign_posts), applied, pending, comments)

    def _waiting_for(self, conn: Connection, posts: list[PostRecord]) -> list[PostDetail]:
        """Details parked for ``posts`` (now stored), taken out of the store to be applied."""
        if self._pending is None:
            self._pending = pending_platforms(conn)
        keys = [p.key for p in posts if p.platform in self._pending]
        return take_pending(conn, keys) if keys else []

    def _apply_details(
        self, conn: Connection, details: list[PostDetail], seen_at: datetime
    ) -> tuple[int, int, set[tuple[str, str]]]:
        """(applied, pending, posts linked): complete stored posts, park the other details."""
        if not details:
            return 0, 0, set()
        details = latest_details(details)
        stored = stored_posts(conn, [d.key for d in details])
        completed = [complete_post(stored[d.key], d) for d in details if d.key in stored]
        waiting = [d for d in details if d.key not in stored]
        update_completed(conn, completed)
        links = [
            link
            for post in completed
            for link in self.linker.links_for(post)
            if link.campaign in self.campaign_ids
        ]
        if links:
            Ingestor(conn).ingest(links=links, campaign_ids=self.campaign_ids, seen_at=seen_at)
        if waiting:
            save_pending(conn, waiting, run_id=self.run_id)
            if self._pending is not None:
                self._pending.update(d.platform for d in waiting)
        return len(completed), len(waiting), {(x.platform, x.platform_post_id) for x in links}


def excluded_keys(conn: Connection) -> set[tuple[str, str]]:
    """Works a person excluded from a campaign (kept, marked, never re-added by a run)."""
    q = select(LINK.c.platform, LINK.c.platform_post_id).where(LINK.c.excluded.is_(True))
    return {(a, b) for a, b in conn.execute(q)}
