"""Building HAR files the way Chrome's "Save all as HAR" writes them, for tests and the bench."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any


def entry(
    url: str,
    body: Any,
    *,
    started: str,
    mime: str = "application/json; charset=utf-8",
    encode_base64: bool = False,
    status: int = 200,
    method: str = "GET",
    with_text: bool = True,
) -> dict[str, Any]:
    """One HAR entry; ``body`` is JSON-encoded unless it is already ``str``/``bytes``."""
    if isinstance(body, bytes):
        raw = body
    elif isinstance(body, str):
        raw = body.encode("utf-8")
    else:
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    content: dict[str, Any] = {"size": len(raw), "mimeType": mime}
    if with_text:
        if encode_base64:
            content["text"] = base64.b64encode(raw).decode("ascii")
            content["encoding"] = "base64"
        else:
            content["text"] = raw.decode("utf-8")
    return {
        "_initiator": {"type": "script"},
        "_priority": "High",
        "_resourceType": "xhr" if "json" in mime else "other",
        "cache": {},
        "connection": "443",
        "pageref": "page_1",
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "http/2.0",
            "headers": [
                {"name": ":authority", "value": url.split("/")[2]},
                {"name": "accept", "value": "application/json, text/plain, */*"},
                {"name": "cookie", "value": "SESSDATA=not-a-real-cookie"},
            ],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "http/2.0",
            "headers": [{"name": "content-type", "value": mime}],
            "cookies": [],
            "content": content,
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "_transferSize": len(raw),
            "_error": None,
        },
        "serverIPAddress": "203.0.113.7",
        "startedDateTime": started,
        "time": 81.2,
        "timings": {
            "blocked": 1.1,
            "dns": -1,
            "ssl": -1,
            "connect": -1,
            "send": 0.2,
            "wait": 70.0,
            "receive": 9.9,
        },
    }


def har(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "pages": [
                {
                    "startedDateTime": entries[0]["startedDateTime"]
                    if entries
                    else "2024-09-15T02:00:00.000Z",
                    "id": "page_1",
                    "title": "https://www.example.invalid/",
                    "pageTimings": {"onContentLoad": 500.1, "onLoad": 900.2},
                }
            ],
            "entries": entries,
        }
    }


def write_har(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(har(entries), ensure_ascii=False, indent=2), encoding="utf-8")
    return path
