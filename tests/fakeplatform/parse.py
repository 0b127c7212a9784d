"""科学号's responses and links -> records (pure, as every platform's parse module is)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.base import Endpoint
from connectors.workref import WorkRef, WorkUrlError, path_segments
from tracker.records import AccountRecord, Metrics, ParsedPage, PostRecord


def looks_like(body: Mapping[str, Any]) -> bool:
    """A saved 科学号 search body: only this platform says ``kexue_api``."""
    return "kexue_api" in body


def parse_search(body: Any, *, captured_at: datetime, source: str = "live") -> ParsedPage:
    page = ParsedPage(claimed_total=body.get("total"))
    for item in body.get("items", []):
        author = item["author"]
        page.accounts.append(
            AccountRecord("kexue", author["uid"], name=author["name"], seen_at=captured_at)
        )
        page.posts.append(
            PostRecord(
                platform="kexue",
                platform_post_id=item["kx_id"],
                captured_at=captured_at,
                account_uid=author["uid"],
                url=f"https://www.kexue.example/w/{item['kx_id']}",
                title=item["title"],
                content_type="video",
                published_at=datetime.fromtimestamp(item["time"], UTC),
                hashtags=list(item["tags"]),
                metrics=Metrics(likes=item["likes"], comments=item["comments"]),
                source=source,
            )
        )
    return page


parse_any = parse_search

ENDPOINTS = (Endpoint("kexue", "search", re.compile(r"/api/search"), parse_search),)


def work_ref(url: str) -> WorkRef:
    segs = path_segments(url)
    if len(segs) == 2 and segs[0] == "w":
        return WorkRef("kexue", segs[1], f"https://www.kexue.example/w/{segs[1]}")
    raise WorkUrlError("科学号链接中找不到作品 id（应为 kexue.example/w/<id>）")
