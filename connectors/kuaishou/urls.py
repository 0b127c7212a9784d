"""Kuaishou work URLs -> photo id; ``kuaishou.com/f/<code>`` share links are short links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from connectors.kuaishou import SPEC
from connectors.workref import WorkRef, WorkUrlError, host_of, path_segments, query_params

__all__ = ["is_short_link", "work_ref"]

_SHARE_PATH = re.compile(r"^/f/[\w-]+/?$")


def is_short_link(url: str) -> bool:
    """``v.kuaishou.com/...`` and the app's ``www.kuaishou.com/f/<code>`` name no photo id."""
    host = host_of(url).removeprefix("www.")
    if host in SPEC.short_hosts:
        return True
    return SPEC.owns_host(host) and bool(_SHARE_PATH.match(urlsplit(url).path))


def work_ref(url: str) -> WorkRef:
    segs = path_segments(url)
    q = query_params(url)
    pid = None
    for i, seg in enumerate(segs[:-1]):
        if seg in ("short-video", "photo", "video"):
            pid = segs[i + 1]
            break
    if pid is None and q.get("photoId"):
        pid = q["photoId"]
    if pid is None and len(segs) == 3 and segs[0] == "u":  # live.kuaishou.com/u/<uid>/<photo>
        pid = segs[2]
    if pid is None or not re.fullmatch(r"[0-9A-Za-z_-]{6,40}", pid):
        raise WorkUrlError("快手链接中找不到作品 id（应为 kuaishou.com/short-video/<id>）")
    uid = q.get("authorId") or q.get("userId") or (segs[1] if segs[:1] == ["u"] else None)
    return WorkRef("kuaishou", pid, f"https://www.kuaishou.com/short-video/{pid}", account_uid=uid)
