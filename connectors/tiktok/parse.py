"""TikTok items -> records. Pure functions: no I/O, no clock.

TikTok is not a campaign platform; it is here because the only real Zeeschuimer export we have
is a TikTok one, so the capture door is proven on real data. The item is TikTok's web JSON
(``id, desc, createTime (s), author{id, uniqueId, nickname, verified}, authorStats{followerCount},
stats{diggCount, shareCount, commentCount, playCount, collectCount}, challenges[], textExtra[],
video{duration}``). Newer web builds also send ``statsV2`` with the counts as strings; it is read
when ``stats`` lacks a count.

The Zeeschuimer envelope (``item_id``, ``timestamp_collected``...) belongs to the importer; these
functions take the inner ``data``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

from connectors._common import add_item, merge_tags, opt_id, reject, unique_accounts
from connectors.base import Endpoint
from tracker.errors import ParseError
from tracker.normalize.counts import parse_count
from tracker.normalize.text import strip_html
from tracker.normalize.times import parse_time
from tracker.records import AccountRecord, Metrics, ParsedPage, PostRecord

__all__ = ["ENDPOINTS", "PLATFORM", "parse_item_list", "parse_zeeschuimer_item", "post_url"]

PLATFORM = "tiktok"

# stats key -> Metrics field
_METRICS = {
    "playCount": "views",
    "diggCount": "likes",
    "commentCount": "comments",
    "shareCount": "shares",
    "collectCount": "favorites",
}


def post_url(unique_id: str | None, item_id: str) -> str:
    return f"https://www.tiktok.com/@{unique_id or '_'}/video/{item_id}"


def profile_url(unique_id: str) -> str:
    return f"https://www.tiktok.com/@{unique_id}"


def _metrics(item: Mapping[str, Any]) -> Metrics:
    stats = item["stats"] if isinstance(item.get("stats"), dict) else {}
    stats_v2 = item["statsV2"] if isinstance(item.get("statsV2"), dict) else {}
    values: dict[str, int | None] = {}
    for key, name in _METRICS.items():
        raw = stats.get(key)
        if raw is None:
            raw = stats_v2.get(key)
        values[name] = parse_count(raw)
    return Metrics(
        views=values["views"],
        likes=values["likes"],
        comments=values["comments"],
        shares=values["shares"],
        favorites=values["favorites"],
    )


def _records(
    item: Any, *, captured_at: datetime, source: str
) -> tuple[PostRecord, AccountRecord | None]:
    if not isinstance(item, dict):
        raise ValueError(f"item is not an object ({type(item).__name__})")
    item_id = opt_id(item.get("id"))
    if item_id is None:
        raise ValueError("id missing")
    author = item.get("author")
    if isinstance(author, str):  # some list endpoints give the handle only
        author = {"uniqueId": author}
    author = author if isinstance(author, dict) else {}
    author_stats = item["authorStats"] if isinstance(item.get("authorStats"), dict) else {}
    uid = opt_id(author.get("id"))
    unique_id = opt_id(author.get("uniqueId"))
    followers = parse_count(author_stats.get("followerCount"))
    account = None
    account_uid = uid or unique_id
    if account_uid is not None:
        account = AccountRecord(
            platform=PLATFORM,
            platform_uid=account_uid,
            name=author.get("nickname") or unique_id,
            url=profile_url(unique_id) if unique_id else None,
            followers=followers,
            verified=author["verified"] if isinstance(author.get("verified"), bool) else None,
            seen_at=captured_at,
        )
    desc = item.get("desc")
    text = (strip_html(desc) or None) if isinstance(desc, str) else None
    structured = [c.get("title") for c in item.get("challenges") or [] if isinstance(c, dict)]
    structured += [t.get("hashtagName") for t in item.get("textExtra") or [] if isinstance(t, dict)]
    structured = [s for s in structured if s]
    created = item.get("createTime")
    duration = (
        item.get("video", {}).get("duration") if isinstance(item.get("video"), dict) else None
    )
    context: dict[str, str] = {}
    if unique_id:
        context["author_unique_id"] = unique_id
    if item.get("isAd") is True:
        context["is_ad"] = "true"
    post = PostRecord(
        platform=PLATFORM,
        platform_post_id=item_id,
        captured_at=captured_at,
        account_uid=account_uid,
        url=post_url(unique_id, item_id),
        text=text,
        content_type="image" if item.get("imagePost") else "video",
        published_at=parse_time(created, now=captured_at) if created not in (None, "", 0) else None,
        hashtags=merge_tags(structured, text),
        duration_s=parse_count(duration) or None,
        metrics=_metrics(item),
        followers_at_capture=followers,
        source=source,
        context=context,
    )
    return post, account


def parse_zeeschuimer_item(
    data: dict[str, Any], *, captured_at: datetime, source: str = "capture"
) -> ParsedPage:
    """One Zeeschuimer ``tiktok.com`` item (the envelope's ``data``) -> a one-post page.

    A malformed item becomes a ``RejectRecord`` with the reason; it never raises, so one bad line
    does not stop an import.
    """
    page = ParsedPage()
    read = partial(_records, captured_at=captured_at, source=source)
    add_item(page, read, data, PLATFORM, "tiktok item", "data")
    return page


def parse_item_list(
    body: dict[str, Any], *, captured_at: datetime, source: str = "capture"
) -> ParsedPage:
    """A TikTok web list response (``item_list`` / ``itemList`` / ``data[].item``) -> records.

    Written from the item shape of the real export; the list envelopes around it are the ones
    public capture tools read (no real list body was available to test against).
    """
    if not isinstance(body, dict):
        raise ParseError(
            f"tiktok: expected a JSON object, got {type(body).__name__}", platform=PLATFORM
        )
    items = body.get("item_list", body.get("itemList"))
    page = ParsedPage()
    if items is None and isinstance(body.get("data"), list):
        items = []
        for index, cell in enumerate(body["data"]):
            if isinstance(cell, dict):
                if "item" in cell:  # other cells (users, suggestions) are not works
                    items.append(cell["item"])
                continue
            page.rejects.append(
                reject(
                    PLATFORM,
                    f"tiktok data[{index}]: expected an object, got {type(cell).__name__}",
                    cell,
                    f"data[{index}]",
                )
            )
    if not isinstance(items, list):
        raise ParseError("tiktok: no item_list / itemList / data[].item", platform=PLATFORM)
    for index, item in enumerate(items):
        one = parse_zeeschuimer_item(item, captured_at=captured_at, source=source)
        for refused in one.rejects:
            refused.location = f"items[{index}]"
        page.extend(one)
    # An author with several items in the list is kept once: the last sighting, as always.
    page.accounts = unique_accounts(page.accounts, keep="last")
    more = body.get("has_more", body.get("hasMore"))
    if more is not None:
        page.has_more = bool(more)
    if body.get("cursor") is not None:
        page.cursor = str(body["cursor"])
    return page


def looks_like(body: Mapping[str, Any]) -> bool:
    """Whether a saved body (proxy envelopes removed) has the shape of a TikTok response."""
    return "itemList" in body or "item_list" in body or ("authorStats" in body and "stats" in body)


def parse_any(body: Any, *, captured_at: datetime, source: str = "import") -> ParsedPage:
    """Parse a saved TikTok body: one item (``id`` and ``stats``) or a list response."""
    if isinstance(body, dict) and "id" in body and "stats" in body:
        return parse_zeeschuimer_item(body, captured_at=captured_at, source=source)
    return parse_item_list(body, captured_at=captured_at, source=source)


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        PLATFORM,
        "item_list",
        re.compile(
            r"tiktok\.com/api/(?:search/(?:item|general)/full|post/item_list|challenge/item_list)/?(?:[?#]|$)"
        ),
        parse_item_list,
    ),
)
"""TikTok web list endpoints, for HAR captures (Zeeschuimer items go to ``parse_zeeschuimer_item``)."""
