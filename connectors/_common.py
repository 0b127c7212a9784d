"""Field helpers the connectors' parse halves share. Pure functions: no I/O, no clock.

Several platforms hand us the same kinds of loose values (ids as numbers or strings, tags both as
structured lists and inline ``#tags``), and every parser must keep a rejected item as text. These
live beside the connectors rather than in ``tracker.services``: a connector never reaches into the
service or database layer, only into ``tracker.normalize`` and ``tracker.records``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from tracker.normalize.tags import extract_hashtags, tag_key
from tracker.records import AccountRecord, ParsedPage, PostRecord, RejectRecord

__all__ = [
    "add_item",
    "claimed_total",
    "items_have_keys",
    "merge_tags",
    "opt_id",
    "payload_json",
    "reject",
    "strict_id",
    "unique_accounts",
]


def payload_json(item: Any, *, sort_keys: bool = False) -> str:
    """A raw item as JSON text for a ``RejectRecord``, so staff can see what was refused.

    Non-ASCII text stays readable, and ``default=str`` keeps an odd value (a datetime from a
    hand-built body) from turning the reject itself into an error. ``sort_keys`` is for the
    parsers (Weibo, Zhihu) whose stored payloads have always been key-sorted.
    """
    return json.dumps(item, ensure_ascii=False, default=str, sort_keys=sort_keys)


def reject(
    platform: str, reason: str, item: Any, location: str, *, sort_keys: bool = False
) -> RejectRecord:
    """A refused item kept with its reason, never dropped: the one way parsers build a reject.

    The payload is :func:`payload_json` text. An item even ``default=str`` cannot encode (a
    circular structure, a non-text key, mixed key types under ``sort_keys``) falls back to its
    ``repr``: building the reject must never raise, or one bad item would fail a whole body.
    """
    try:
        payload = payload_json(item, sort_keys=sort_keys)
    except (TypeError, ValueError):
        payload = repr(item)
    return RejectRecord(reason=reason, payload=payload, platform=platform, location=location)


def add_item(
    page: ParsedPage,
    read: Callable[[Any], tuple[PostRecord, AccountRecord | None]],
    item: Any,
    platform: str,
    reason: str,
    location: str,
    *,
    errors: tuple[type[Exception], ...] = (ValueError, TypeError),
) -> bool:
    """Read one item into ``page``: its post and author, or a reject; ``False`` if rejected.

    ``read(item)`` is the platform's item reader (bound once to ``captured_at`` and ``source``).
    It raises one of ``errors`` with a reason when the item is unusable; that becomes the reject
    ``"{reason}: {exc}"`` at ``location`` with the item as payload, so one bad item never costs
    the rest of the body.
    """
    try:
        post, account = read(item)
    except errors as exc:
        page.rejects.append(reject(platform, f"{reason}: {exc}", item, location))
        return False
    page.posts.append(post)
    if account is not None:
        page.accounts.append(account)
    return True


def unique_accounts(
    accounts: Iterable[AccountRecord], *, keep: Literal["first", "last"] = "first"
) -> list[AccountRecord]:
    """One account per ``platform_uid``, in the order each uid first appears.

    A list page names the same author once per post. ``keep`` says which sighting wins: the first
    (Kuaishou, Xiaohongshu) or the last (TikTok); the position stays that of the first either way.
    """
    by_uid: dict[str, AccountRecord] = {}
    for account in accounts:
        if keep == "last" or account.platform_uid not in by_uid:
            by_uid[account.platform_uid] = account
    return list(by_uid.values())


def claimed_total(value: Any) -> int | None:
    """A platform's own result count (for coverage) as a non-negative int; else unknown.

    Counts arrive as numbers or digit strings. A bool, a negative number (seen as ``-1`` for
    "unknown") or anything else is no count: coverage must not compare stored works with -1.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value if isinstance(value, int) and value >= 0 else None


def opt_id(value: Any, *, zero_is_none: bool = False) -> str | None:
    """An optional id as trimmed text; ``None`` when absent, blank or a bool.

    Platforms send ids as numbers or strings, so both become the same text. A JSON bool is never an
    id (``str(True)`` would invent one). Douyin writes ``0`` for "no such id", so its parser
    passes ``zero_is_none=True``; elsewhere ``"0"`` is kept as given.
    """
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not text or (zero_is_none and text == "0"):
        return None
    return text


def strict_id(value: Any) -> str | None:
    """An id only if it came as an int or a non-blank str (trimmed); anything else is ``None``.

    Stricter than :func:`opt_id`, which stringifies whatever it gets: Weibo and Zhihu always send
    ids as ints or strings, so a float, list or dict in an id field is a malformed body, not an id,
    and ``str(1.0)`` or ``str([1])`` must not become a key. A JSON bool is no id either.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def merge_tags(structured: Iterable[Any], text: str | None) -> list[str]:
    """Structured tags first, then tags written in the text; one raw spelling per tag key.

    The structured list comes straight from a body, so a non-string entry (a null or numeric
    topic name) is skipped instead of failing the whole post.
    """
    out: list[str] = []
    seen: set[str] = set()
    for raw in [*structured, *extract_hashtags(text)]:
        if not isinstance(raw, str):
            continue
        key = tag_key(raw)
        if key and key not in seen:
            seen.add(key)
            out.append(raw)
    return out


def items_have_keys(items: Any, *keys: str) -> bool:
    """Whether ``items`` is a list whose first items include a mapping with one of ``keys``.

    For ``looks_like``: telling a saved body's platform by the words its list items use, without
    reading the whole list (twenty items settle it).
    """
    if not isinstance(items, list):
        return False
    return any(isinstance(i, Mapping) and any(k in i for k in keys) for i in items[:20])
