"""Saved API response bodies (one platform response per ``.json`` file) -> records.

Such files come from a browser's "copy response", from colleagues' scripts, or from third-party
API proxies that wrap the platform's body in their own envelope (``{"code": 200, "router": …,
"data": {<platform body>}}``); the platform parser's ``unwrap`` removes the envelope, so the
same parser as the live connector reads them. The platform is recognised from the body's shape
(or the proxy's route); ``--platform`` settles the files where it cannot be.

A body the parser refuses as a whole (or whose every item it refuses) is a refused file: its
reject keeps the body, and the run says the file failed instead of "ok" with nothing stored.

The file's modification time is the snapshot time: it is the closest thing to "when these
counts were seen" a saved body has, and it keeps a re-import of the same file idempotent.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from tracker.errors import ImportFormatError, ParseError
from tracker.imports.chunk import Chunk, prefix_rejects
from tracker.imports.routing import detect_body_platform, load_parsers, saved_body_parser

__all__ = ["SOURCE", "load_json", "read_raw_json"]

SOURCE = "import"


def load_json(path: Path, label: str) -> object:
    """The JSON value of a file; a clear ``file:line:column`` error otherwise."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            f"{label}: 不是 UTF-8 编码（第 {exc.start + 1} 字节）；JSON 文件应为 UTF-8"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"{label}:{exc.lineno}:{exc.colno}: JSON 格式错误: {exc.msg}"
        ) from None


def read_raw_json(
    path: Path, *, label: str, captured_at: datetime, platform: str | None = None
) -> Chunk:
    """The records of one saved body; an unreadable body is a reject with the parser's reason."""
    body = load_json(path, label)
    detected = detect_body_platform(body)
    chosen = platform or detected
    if chosen is None:
        raise ImportFormatError(f"{label}: 无法从内容判断是哪个平台的响应，请用 --platform 指定")
    chunk = Chunk(read=1, parsed=1)
    if platform and detected and detected != platform:
        chunk.notes.append(
            f"{label}: 内容看起来是 {detected} 的响应，按 --platform {platform} 解析"
        )
    missing = load_parsers().missing
    if chosen in missing:
        raise ImportFormatError(f"{label}: {missing[chosen]}")
    try:
        page = saved_body_parser(chosen)(body, captured_at=captured_at, source=SOURCE)
    except (ParseError, ValueError, TypeError, KeyError) as exc:
        chunk.reject(
            f"{chosen}: {exc}",
            location=label,
            payload=json.dumps(body, ensure_ascii=False)[:20_000],
            platform=chosen,
        )
        chunk.refused = f"{label}: {chosen}: {exc}"
        return chunk
    prefix_rejects(page, label)
    for reject in page.rejects:
        reject.platform = reject.platform or chosen
    chunk.page = page
    if page.rejects and not page.posts and not page.accounts:
        chunk.refused = f"{label}: {page.rejects[0].reason}"
    return chunk
