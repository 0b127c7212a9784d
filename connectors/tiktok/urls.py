"""TikTok video URLs (``/@user/video/<id>``, ``/photo/<id>``) -> the numeric video id."""

from __future__ import annotations

from connectors.workref import WorkRef, WorkUrlError, path_segments

__all__ = ["work_ref"]


def work_ref(url: str) -> WorkRef:
    segs = path_segments(url)
    for i, seg in enumerate(segs[:-1]):
        if seg in ("video", "photo") and segs[i + 1].isdigit():
            user = segs[i - 1] if i and segs[i - 1].startswith("@") else None
            pid = segs[i + 1]
            canonical = f"https://www.tiktok.com/{user or '@'}/video/{pid}"
            return WorkRef("tiktok", pid, canonical)
    raise WorkUrlError("TikTok 链接中找不到视频 id")
