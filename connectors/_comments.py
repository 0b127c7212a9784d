"""Pieces every platform's comment parser shares (``connectors/<p>/comments.py``). Pure.

A comment page names the same commenter many times and repeats a thread's first replies inline
beside the reply endpoint's own pages, so the page keeps one comment per id and one account
per uid; everything else (where a platform keeps the ids, what its times look like) stays in the
platform's module. A comment that cannot become a record is a reject with its JSON, never an
exception: one bad comment must not cost the rest of the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from connectors._common import merge_tags, reject
from tracker.normalize.counts import parse_count
from tracker.normalize.times import parse_time
from tracker.records import AccountRecord, CommentRecord, ParsedPage, RecordError

__all__ = ["CommentError", "CommentPage", "comment_count", "comment_tags", "comment_time"]


class CommentError(ValueError):
    """One comment cannot become a record; the message is the reject reason."""


ITEM_ERRORS: tuple[type[Exception], ...] = (
    CommentError,
    RecordError,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
)


def comment_count(item: Mapping[str, Any], *fields: str) -> int | None:
    """The first of ``fields`` the comment carries, as a count ("12", "1.2万" and ints alike)."""
    for name in fields:
        value = item.get(name)
        if value is not None and value != "":
            try:
                return parse_count(value)
            except ValueError as exc:
                raise CommentError(f"{name}: {exc}") from None
    return None


def comment_time(value: Any, name: str, captured_at: datetime) -> datetime | None:
    """Epoch seconds or milliseconds, or a platform date text; ``0``/blank is no time."""
    if value is None or value == "" or value == 0:
        return None
    try:
        return parse_time(value, now=captured_at)
    except ValueError as exc:
        raise CommentError(f"{name}: {exc}") from None


def comment_tags(text: str | None) -> list[str]:
    """The tags written in a comment (``#话题#`` and ``#话题``), one spelling per tag."""
    return merge_tags([], text)


class CommentPage:
    """The comments and commenters of one body, one record per id, rejects kept with reasons."""

    def __init__(self, platform: str, *, sort_keys: bool = False) -> None:
        self.platform = platform
        self.page = ParsedPage()
        self._sort_keys = sort_keys
        self._comments: set[str] = set()
        self._accounts: set[str] = set()

    def reject(self, reason: str, item: Any, location: str) -> None:
        self.page.rejects.append(
            reject(self.platform, reason, item, location, sort_keys=self._sort_keys)
        )

    def keep(self, comment: CommentRecord, account: AccountRecord | None) -> None:
        if comment.platform_comment_id not in self._comments:
            self._comments.add(comment.platform_comment_id)
            self.page.comments.append(comment)
        if account is not None and account.platform_uid not in self._accounts:
            self._accounts.add(account.platform_uid)
            self.page.accounts.append(account)

    def add(
        self,
        read: Callable[[Any], tuple[CommentRecord, AccountRecord | None]],
        item: Any,
        location: str,
    ) -> CommentRecord | None:
        """Read one comment with ``read``; a failure becomes a reject at ``location``."""
        if not isinstance(item, Mapping):
            self.reject(f"comment is not an object ({type(item).__name__})", item, location)
            return None
        try:
            comment, account = read(item)
        except ITEM_ERRORS as exc:
            self.reject(f"comment: {exc}", item, location)
            return None
        self.keep(comment, account)
        return comment
