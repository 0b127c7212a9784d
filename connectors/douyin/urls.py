"""Douyin work URLs (``/video/``, ``/note/``, ``?modal_id=``, iesdouyin share pages) -> aweme id."""

from __future__ import annotations

from connectors.workref import WorkRef, WorkUrlError, path_segments, query_params

__all__ = ["work_ref"]


def work_ref(url: str) -> WorkRef:
    segs = path_segments(url)
    q = query_params(url)
    for key in ("modal_id", "aweme_id", "vid"):
        if q.get(key, "").isdigit():
            return WorkRef("douyin", q[key], f"https://www.douyin.com/video/{q[key]}")
    for i, seg in enumerate(segs[:-1]):
        if seg in ("video", "note", "slides") and segs[i + 1].isdigit():
            kind = "note" if seg in ("note", "slides") else "video"
            pid = segs[i + 1]
            return WorkRef(
                "douyin",
                pid,
                f"https://www.douyin.com/{kind}/{pid}",
                content_type="image" if kind == "note" else "video",
            )
    if segs and segs[0] == "user":
        raise WorkUrlError("这是抖音用户主页，不是作品链接")
    raise WorkUrlError("抖音链接中找不到作品 id（应为 douyin.com/video/<数字 id>）")
