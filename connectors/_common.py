"""Field helpers the connectors' parse halves share. Pure functions: no I/O, no clock.

Several platforms hand us the same kinds of loose values (ids as numbers or strings, tags both as
structured lists and inline ``#tags``), and every parser must keep a rejected item as text. These
live beside the connectors rather than in ``tracker.services``: a connector never reaches into the
service or database layer, only into ``tracker.normalize`` and ``tracker.records``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from tracker.normalize.tags import extract_hashtags, tag_key

__all__ = ["merge_tags", "opt_id", "payload_json"]


def payload_json(item: Any) -> str:
    """A raw item as JSON text for a ``RejectRecord``, so staff can see what was refused.

    Non-ASCII text stays readable, and ``default=str`` keeps an odd value (a datetime from a
    hand-built body) from turning the reject itself into an error.
    """
    return json.dumps(item, ensure_ascii=False, default=str)


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
