"""Xiaohongshu note URLs -> the 24-hex note id, keeping the ``xsec_token`` the note API needs."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from connectors.workref import WorkRef, WorkUrlError, path_segments, query_params

__all__ = ["work_ref"]

_NOTE_ID = re.compile(r"^[0-9a-f]{24}$")


def work_ref(url: str) -> WorkRef:
    segs = path_segments(url)
    q = query_params(url)
    pid = None
    for i, seg in enumerate(segs[:-1]):
        if seg in ("explore", "item", "discovery") and _NOTE_ID.match(segs[i + 1]):
            pid = segs[i + 1]
    uid = None
    if (
        pid is None
        and len(segs) == 4
        and segs[:2] == ["user", "profile"]
        and _NOTE_ID.match(segs[3])
    ):
        uid, pid = segs[2], segs[3]
    if pid is None and q.get("noteId") and _NOTE_ID.match(q["noteId"]):
        pid = q["noteId"]
    if pid is None:
        raise WorkUrlError("小红书链接中找不到笔记 id（应为 xiaohongshu.com/explore/<24 位 id>）")
    canonical = f"https://www.xiaohongshu.com/explore/{pid}"
    context = {}
    if q.get("xsec_token"):
        # Encoded again: the token is base64, and a bare "+" or "/" would not survive a re-read.
        canonical += "?" + urlencode(
            {"xsec_token": q["xsec_token"], "xsec_source": q.get("xsec_source", "pc_share")},
            quote_via=quote,
            safe="",
        )
        context["xsec_token"] = q["xsec_token"]
    return WorkRef("xiaohongshu", pid, canonical, account_uid=uid, context=context)
