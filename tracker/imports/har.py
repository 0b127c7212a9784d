"""HAR captures ("Save all as HAR" in Chrome or Firefox) -> records, streamed.

A person browses the tag page in their own logged-in browser and saves the traffic; this door
works even when every signature has changed. A HAR holds every request of the session (images,
scripts, analytics) and can be hundreds of megabytes, so it is read entry by entry with ijson
(one entry in memory at a time, never ``json.load`` of the whole file). Each response whose
request URL matches a known platform endpoint goes to that platform's parser; everything else
is counted as skipped under its host.

The entry's ``startedDateTime`` is when the browser received those counts, so it becomes the
snapshot time. Bodies may be base64 (``content.encoding == "base64"``, Chrome does this for
some compressed or binary-typed responses); a matching entry saved without its body (a
"sanitized" export) is rejected with that reason rather than silently missed.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ijson

from tracker.errors import ImportFormatError, ParseError
from tracker.imports.chunk import Chunk, prefix_rejects
from tracker.imports.routing import find_endpoint, load_parsers, parse_captured
from tracker.normalize.times import parse_time

__all__ = ["SOURCE", "decode_body", "read_har"]

SOURCE = "capture"
READ_BUFFER = 1 << 20
"""ijson's read size. Bodies are long JSON strings; with the default 64 KiB buffer a 1 MB body
is reassembled from many pieces and parsing runs ~4x slower (measured on a 200 MB capture)."""
_CHARSET = re.compile(r"charset=([\w-]+)", re.IGNORECASE)
_JSONP = re.compile(r"^[\w$.]+\s*\((.*)\)\s*;?\s*$", re.DOTALL)


class BodyError(ValueError):
    """A matching response's body cannot be read as JSON; the message is the reject reason."""


def decode_body(content: Mapping[str, Any]) -> Any:
    """The JSON value of a HAR ``response.content`` (plain or base64, any declared charset)."""
    text = content.get("text")
    if text is None or text == "":
        raise BodyError("HAR 中没有保存响应体（导出时请保存完整内容，不要选“已清理”版本）")
    if not isinstance(text, str):
        raise BodyError("response.content.text 不是字符串")
    if content.get("encoding") == "base64":
        try:
            raw = base64.b64decode(text, validate=False)
        except (binascii.Error, ValueError) as exc:
            raise BodyError(f"base64 响应体无法解码: {exc}") from None
        m = _CHARSET.search(str(content.get("mimeType") or ""))
        charset = m.group(1) if m else "utf-8"
        try:
            text = raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BodyError(f"响应体不是文本（{exc.reason}）") from None
    text = text.lstrip("\ufeff").strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError as first:
        m = _JSONP.match(text)
        if m:
            try:
                return json.loads(m.group(1))
            except json.JSONDecodeError:
                pass
        raise BodyError(
            f"响应体不是 JSON（第 {first.lineno} 行第 {first.colno} 列: {first.msg}）"
        ) from None


def _where(url: str) -> tuple[str, str]:
    """(host, host+path) of a URL: query strings carry tokens and never go into messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "?", "?"
    host = parts.hostname or "?"
    return host, f"{host}{parts.path}"


def _request_body(request: Mapping[str, Any]) -> str | None:
    """The request's posted text (GraphQL variables name the work some bodies do not)."""
    post = request.get("postData")
    text = post.get("text") if isinstance(post, Mapping) else None
    return text if isinstance(text, str) and text else None


def _entry_time(entry: Mapping[str, Any], fallback: datetime) -> tuple[datetime, bool]:
    raw = entry.get("startedDateTime")
    if isinstance(raw, str) and raw.strip():
        try:
            return parse_time(raw.strip()), True
        except ValueError:
            pass
    return fallback, False


def read_har(
    path: Path,
    *,
    label: str,
    fallback_time: datetime,
    platforms: Iterable[str] | None = None,
) -> Iterator[Chunk]:
    """One chunk per HAR entry (see the module doc). Raises ImportFormatError on a broken file.

    ``platforms`` limits routing to those platforms (``--platform``); other traffic is skipped.
    """
    wanted = list(platforms) if platforms is not None else None
    parsers = load_parsers()
    index = -1
    with path.open("rb") as fh:
        try:
            entries = ijson.items(fh, "log.entries.item", use_float=True, buf_size=READ_BUFFER)
            for index, entry in enumerate(entries):
                yield _entry_chunk(entry, index, label, fallback_time, wanted, parsers.missing)
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            # Bytes that are not UTF-8 (a lone surrogate, a cut multi-byte character) break
            # the stream as surely as bad JSON: the parser cannot resume after them.
            offset = fh.tell()
            reason = (
                f"不是 UTF-8 文本 (not UTF-8): {exc.reason}"
                if isinstance(exc, UnicodeDecodeError)
                else str(exc).strip().splitlines()[0][:200]
            )
            raise ImportFormatError(
                f"{label}: HAR 文件在第 {index + 1} 个条目之后损坏（约第 {offset} 字节）: {reason}"
            ) from None
    if index < 0:
        _check_is_har(path, label)


def _check_is_har(path: Path, label: str) -> None:
    """An entry-less file is fine when it is a HAR at all; otherwise say what is wrong."""
    with path.open("rb") as fh:
        try:
            for prefix, event, _ in ijson.parse(fh):
                if prefix == "log.entries" and event == "start_array":
                    return
        except (ijson.JSONError, UnicodeDecodeError) as exc:
            raise ImportFormatError(f"{label}: 不是有效的 HAR 文件: {exc}") from None
    raise ImportFormatError(f"{label}: 不是 HAR 文件（没有 log.entries）")


def _entry_chunk(
    entry: Any,
    index: int,
    label: str,
    fallback_time: datetime,
    wanted: list[str] | None,
    missing: Mapping[str, str],
) -> Chunk:
    chunk = Chunk(read=1)
    location = f"{label}#entry {index}"
    if not isinstance(entry, Mapping):
        chunk.reject("HAR 条目不是对象", location=location)
        return chunk
    request = entry["request"] if isinstance(entry.get("request"), Mapping) else {}
    url = request.get("url")
    if not isinstance(url, str) or not url:
        chunk.skipped, chunk.skip_reason = 1, "(无 URL)"
        return chunk
    host, where = _where(url)
    endpoint = find_endpoint(url, wanted)
    if endpoint is None:
        chunk.skipped, chunk.skip_reason = 1, host
        return chunk
    location = f"{location} ({where})"
    if endpoint.platform in missing:
        chunk.skipped, chunk.skip_reason = 1, f"{host}（{missing[endpoint.platform]}）"
        return chunk
    response = entry["response"] if isinstance(entry.get("response"), Mapping) else {}
    content = response["content"] if isinstance(response.get("content"), Mapping) else {}
    status = response.get("status")
    try:
        body = decode_body(content)
    except BodyError as exc:
        reason = str(exc)
        if isinstance(status, int) and not 200 <= status < 300:
            reason = f"HTTP {status}: {reason}"
        text = content.get("text")
        chunk.reject(
            reason,
            location=location,
            payload=text[:2000] if isinstance(text, str) else "",
            platform=endpoint.platform,
        )
        return chunk
    captured_at, exact = _entry_time(entry, fallback_time)
    if not exact:
        chunk.notes.append(f"{location}: 没有 startedDateTime，快照时间用文件修改时间")
    chunk.parsed = 1
    try:
        page = parse_captured(
            endpoint,
            body,
            url=url,
            captured_at=captured_at,
            source=SOURCE,
            request_body=_request_body(request),
        )
    except (ParseError, ValueError, TypeError, KeyError) as exc:
        reason = f"{endpoint.platform} {endpoint.name}: {exc}"
        if isinstance(status, int) and not 200 <= status < 300:
            reason = f"HTTP {status}: {reason}"
        chunk.reject(
            reason,
            location=location,
            payload=json.dumps(body, ensure_ascii=False)[:20_000],
            platform=endpoint.platform,
        )
        return chunk
    prefix_rejects(page, location)
    for reject in page.rejects:
        reject.platform = reject.platform or endpoint.platform
    chunk.page = page
    return chunk
