"""Bilibili work URLs -> the ``BV`` id (an ``av`` number is converted); ``b23.tv/BV…`` included."""

from __future__ import annotations

import re

from connectors.bilibili import SPEC
from connectors.bilibili.ids import aid_to_bvid, is_bvid
from connectors.workref import WorkRef, WorkUrlError, host_of, path_segments, query_params

__all__ = ["is_short_link", "work_ref"]

_BV_RE = re.compile(r"(BV1[0-9A-Za-z]{9})")
_AV_RE = re.compile(r"^av(\d+)$", re.IGNORECASE)


def is_short_link(url: str) -> bool:
    """A ``b23.tv`` link needs following unless it carries the ``BV`` id itself (``b23.tv/BV1…``)."""
    return host_of(url).removeprefix("www.") in SPEC.short_hosts and not _BV_RE.search(url)


def work_ref(url: str) -> WorkRef:
    q = query_params(url)
    candidates = [*path_segments(url), q.get("bvid", ""), q.get("aid", "")]
    for seg in candidates:
        m = _BV_RE.search(seg)
        if m and is_bvid(m.group(1)):
            bvid = m.group(1)
            return WorkRef(
                "bilibili", bvid, f"https://www.bilibili.com/video/{bvid}", content_type="video"
            )
        av = _AV_RE.match(seg) or (re.fullmatch(r"(\d+)", seg) if seg == q.get("aid") else None)
        if av:
            try:
                bvid = aid_to_bvid(int(av.group(1)))
            except ValueError as exc:
                raise WorkUrlError(f"B站 av 号无效: {seg!r}") from exc
            return WorkRef(
                "bilibili", bvid, f"https://www.bilibili.com/video/{bvid}", content_type="video"
            )
    raise WorkUrlError("B站链接中找不到视频 BV 号或 av 号")
