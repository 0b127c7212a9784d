"""Zeeschuimer NDJSON exports -> records, line by line.

Zeeschuimer (a browser extension researchers use) stores each item the browser received while a
person browsed, one JSON object per line::

    {"id": 1, "nav_index": "1:1:0", "item_id": "7412…", "timestamp_collected": 1726279200000,
     "source_platform": "douyin.com", "source_platform_url": "https://www.douyin.com/search/…",
     "source_url": "<the XHR endpoint>", "user_agent": "…", "data": {<the platform's item>}}

``source_platform`` picks the parser: Douyin (XHR snake_case items and camelCase items embedded
in the page HTML), Xiaohongshu/RedNote and TikTok. Items of other platforms are counted as
skipped. ``timestamp_collected`` (ms) is when the browser received the item, so it becomes the
snapshot time; newer exports also write ``last_updated`` when an item was re-captured and its
data replaced, and then that later time is the one the counts belong to.

4CAT strips NUL characters from each line before parsing; so does this reader.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from tracker.errors import ParseError
from tracker.imports.chunk import Chunk, prefix_rejects
from tracker.imports.routing import load_parsers, zeeschuimer_parser, zeeschuimer_platform
from tracker.normalize.times import parse_time

__all__ = ["SOURCE", "capture_time", "is_envelope", "read_zeeschuimer"]

SOURCE = "capture"


def is_envelope(obj: Any) -> bool:
    """True for a Zeeschuimer line (the envelope keys, not the platform's own)."""
    return isinstance(obj, Mapping) and "source_platform" in obj and "data" in obj


def _ms_time(value: Any) -> datetime | None:
    if value in (None, "", 0) or isinstance(value, bool):
        return None
    try:
        return parse_time(value)
    except ValueError:
        return None


def capture_time(envelope: Mapping[str, Any]) -> datetime | None:
    """The time the item's data was received: ``last_updated`` if later, else first capture."""
    first = _ms_time(envelope.get("timestamp_collected"))
    updated = _ms_time(envelope.get("last_updated"))
    if first and updated:
        return max(first, updated)
    return first or updated


def read_zeeschuimer(
    path: Path,
    *,
    label: str,
    fallback_time: datetime,
    platforms: Iterable[str] | None = None,
) -> Iterator[Chunk]:
    """One chunk per line; a broken line is a reject naming its line and column."""
    wanted = set(platforms) if platforms is not None else None
    missing = load_parsers().missing
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            yield _line_chunk(raw, line_no, label, fallback_time, wanted, missing)


def _line_chunk(
    raw: bytes,
    line_no: int,
    label: str,
    fallback_time: datetime,
    wanted: set[str] | None,
    missing: Mapping[str, str],
) -> Chunk:
    location = f"{label}:{line_no}"
    try:
        text = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        chunk = Chunk(read=1)
        chunk.reject(f"不是 UTF-8 编码（第 {exc.start + 1} 字节）", location=location)
        return chunk
    text = text.replace("\x00", "").strip()
    if not text:
        return Chunk()
    chunk = Chunk(read=1)
    try:
        envelope = json.loads(text)
    except json.JSONDecodeError as exc:
        chunk.reject(
            f"JSON 格式错误: {exc.msg}", location=f"{location}:{exc.colno}", payload=text[:2000]
        )
        return chunk
    if not is_envelope(envelope):
        chunk.reject(
            "不是 Zeeschuimer 条目（缺少 source_platform 或 data）",
            location=location,
            payload=text[:2000],
        )
        return chunk
    source_platform = envelope.get("source_platform")
    platform = zeeschuimer_platform(source_platform)
    if platform is None or (wanted is not None and platform not in wanted):
        chunk.skipped, chunk.skip_reason = 1, str(source_platform)
        return chunk
    if platform in missing:
        chunk.skipped, chunk.skip_reason = 1, f"{source_platform}（{missing[platform]}）"
        return chunk
    data = envelope.get("data")
    captured_at = capture_time(envelope)
    if captured_at is None:
        captured_at = fallback_time
        chunk.notes.append(f"{location}: 没有 timestamp_collected，快照时间用文件修改时间")
    chunk.parsed = 1
    try:
        parse = zeeschuimer_parser(platform)
        page = parse(data, captured_at=captured_at, source=SOURCE)
    except (ParseError, ValueError, TypeError, KeyError) as exc:
        chunk.reject(
            f"{platform}: {exc}",
            location=location,
            payload=json.dumps(data, ensure_ascii=False)[:20_000],
            platform=platform,
        )
        return chunk
    item_id = envelope.get("item_id")
    if (
        item_id is not None
        and page.posts
        and all(p.platform_post_id != str(item_id) for p in page.posts)
    ):
        chunk.notes.append(
            f"{location}: item_id {item_id} 与解析出的作品 id {page.posts[0].platform_post_id} 不一致"
        )
    prefix_rejects(page, location)
    for reject in page.rejects:
        reject.platform = reject.platform or platform
    chunk.page = page
    return chunk
