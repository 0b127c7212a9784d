"""Weibo work URLs -> the numeric ``mid`` (a base62 ``mblogid`` in the URL is converted)."""

from __future__ import annotations

import re

from connectors.weibo.ids import mblogid_to_mid
from connectors.workref import WorkRef, WorkUrlError, host_of, path_segments, query_params

__all__ = ["work_ref"]


def _status_id(raw: str) -> str:
    """A status id from a URL segment: digits are the mid, letters make it a base62 mblogid."""
    if raw.isdigit() and len(raw) >= 12:
        return raw
    if re.fullmatch(r"[0-9A-Za-z]{8,10}", raw):
        return mblogid_to_mid(raw)
    raise WorkUrlError(f"微博链接中的 id 无法识别: {raw!r}")


def work_ref(url: str) -> WorkRef:
    """``weibo.com/<uid>/<id>``, ``m.weibo.cn/detail|status/<id>``, share pages, ``?weibo_id=``."""
    segs = path_segments(url)
    q = query_params(url)
    host = host_of(url)
    uid = None
    raw = None
    if host.startswith("share.api.weibo.cn") and segs and "," in segs[-1]:
        raw = segs[-1].split(".")[0].split(",")[-1]
    elif q.get("weibo_id"):
        raw = q["weibo_id"]
    elif len(segs) >= 2 and segs[0] in ("detail", "status", "comment", "repost"):
        raw = segs[1]
    elif len(segs) >= 2 and segs[0].isdigit():
        uid, raw = segs[0], segs[1]
    elif len(segs) >= 2 and segs[0] in ("tv", "u", "p", "n") or "fid" in q:
        raise WorkUrlError("不是单条微博的链接（个人主页、视频页或话题页）；请提交博文链接")
    if raw is None:
        raise WorkUrlError(
            "微博链接中找不到博文 id（应为 weibo.com/<uid>/<id> 或 m.weibo.cn/detail/<id>）"
        )
    mid = _status_id(raw)
    return WorkRef("weibo", mid, f"https://m.weibo.cn/detail/{mid}", account_uid=uid)
