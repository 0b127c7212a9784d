"""What a dashboard view is narrowed to, and how a work is named on screen.

The store reads behind the views are in ``tracker.store.queries.dashboard``; they take plain
values (campaign id, time zone), and the one filter object, ``Selection``, narrows their
frames in the read model.
"""

from __future__ import annotations

from typing import Any

from tracker.ranking.selection import UNREGISTERED, Selection

__all__ = ["UNREGISTERED", "Selection", "label_of"]


def label_of(title: Any, text: Any, post_id: str, limit: int = 60) -> str:
    """What to call a work: its title, else the start of its text, else its id (plain text)."""
    for value in (title, text):
        if isinstance(value, str) and value.strip():
            s = " ".join(value.split())
            return s if len(s) <= limit else s[: limit - 1] + "…"
    return f"作品 {post_id}"
