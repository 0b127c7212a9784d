"""Helpers the connectors' client halves share: search words, resume cursors, window filters.

``connectors._common`` holds what the *parse* halves share (field readers, rejects). What lives
here is the client side of a connector: turning campaign tags into search words, reading the
saved cursor to resume a run, dropping works outside the collection window, telling one work's
failure from the session's, and reading a throttle answer's ``Retry-After``. Still pure
functions (no I/O, no clock but :func:`utc_now`), so each is tested on its own.

Only logic that is the same, to the letter, in more than one connector moves here. Where two
connectors look alike but mean different things, each keeps its own helper and the difference is
spelled out below: a tag list resumed by :func:`tag_resume_point` restarts from the first tag
when the saved tag is gone, one resumed by :func:`keyword_resume_point` goes on from the saved
index. Both window filters keep ``[since, until)``: ``--until`` means "published before", as the
CLI says, whichever platform reads it.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from tracker.errors import Blocked, ConnectorError, LoginRequired, RateLimited, SignerMissing
from tracker.normalize.tags import tag_key, unique_tags
from tracker.records import ParsedPage, PostRecord, RejectRecord

log = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = [
    "SESSION_ERRORS",
    "Enrichment",
    "bare_tag",
    "fold_word",
    "keep_window",
    "keyword_resume_point",
    "next_keyword_cursor",
    "next_tag_cursor",
    "refresh_failed",
    "retry_after",
    "search_keywords",
    "silent_block",
    "tag_resume_point",
    "unique_tags",
    "unique_words",
    "utc_now",
    "window_page",
]


# --- the clock and the response --------------------------------------------------------


def utc_now() -> datetime:
    """The default clock of every connector; tests inject their own ``now`` instead."""
    return datetime.now(UTC)


def retry_after(response: Any) -> float | None:
    """A ``Retry-After`` header given in seconds, else ``None``.

    A platform's throttle answer may say when to come back; the ``RateLimited`` it becomes
    carries that on. No response, no header or a value that is not a number (an HTTP date) all
    mean "not said", never an error inside the body check.
    """
    headers = getattr(response, "headers", None)
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


# --- one work's failure versus the session's ---------------------------------------------------

SESSION_ERRORS: tuple[type[ConnectorError], ...] = (
    LoginRequired,
    Blocked,
    RateLimited,
    SignerMissing,
)
"""Errors about the session, not one work: Weibo and Zhihu let these stop the run, while any
other ``ConnectorError`` costs only the work (or long text) at hand. A missing signer is one of
them: it fails every request alike, so it must stop the run with its message naming the
variable to set, not turn each work of a refresh into a reject. Kuaishou and Xiaohongshu
draw the line elsewhere (every subclass of ``ConnectorError`` stops), so they do not use this."""


def silent_block(exc: BaseException) -> bool:
    """An HTTP 200 with an empty body (Douyin's silent block), as the HTTP layer or a body check
    reports it. On an enrichment read it costs that account or work only, unless every such read
    of the page met it (see :class:`Enrichment`)."""
    return isinstance(exc, Blocked) and "empty body" in str(exc)


class Enrichment:
    """The enrichment reads of one page (profiles, details, long texts), kept apart from listing.

    A listing page is worth storing even when a read that completes its works fails: the works
    stay as the listing gave them. So a read that fails for a reason of its own is counted and
    dropped, and a session-wide failure (``session_error``) is *held*: no further read of the
    page is sent, the page is yielded and stored, and only then :meth:`raise_held` stops the
    platform. A silent block (:func:`silent_block`) is a failure of its own unless every read of
    the page met one: then the session is blocked after all.
    """

    def __init__(
        self,
        platform: str,
        session_error: Callable[[ConnectorError], bool] = lambda exc: isinstance(
            exc, SESSION_ERRORS
        ),
    ) -> None:
        self.platform = platform
        self.reads = 0
        self.failed = 0
        self.silent = 0
        self.held: ConnectorError | None = None
        self._session_error = session_error

    def read(self, call: Callable[[], T]) -> tuple[bool, T | None]:
        """(True, result) of ``call``, or (False, None) when it failed or the page is stopped."""
        if self.held is not None:
            self.failed += 1
            return False, None
        self.reads += 1
        try:
            return True, call()
        except ConnectorError as exc:
            self.failed += 1
            if silent_block(exc):
                self.silent += 1
            elif self._session_error(exc):
                self.held = exc
            else:
                log.warning(
                    "%s: enrichment read failed, keeping the listing's data: %s", self.platform, exc
                )
            return False, None

    def raise_held(self) -> None:
        """Stop the platform now that the page is stored, if a read said the session is over."""
        if self.held is not None:
            raise self.held
        if self.silent and self.silent == self.reads:
            raise Blocked(
                f"{self.platform}: every enrichment read of the page met the silent block "
                f"({self.silent}); 平台拦截了请求",
                platform=self.platform,
            )


def refresh_failed(exc: Exception, platform: str, payload: str, location: str) -> RejectRecord:
    """The reject for one work whose refresh failed for a reason of its own (Weibo, Zhihu).

    Kept, never dropped, so staff see which work could not be re-read and why; the rest of the
    batch goes on. ``payload`` is the platform's own rendering of the work's id.
    """
    return RejectRecord(
        reason=f"refresh failed: {exc}", payload=payload, platform=platform, location=location
    )


# --- tags to search words ---------------------------------------------------------------------


def bare_tag(tag: str) -> str:
    """A tag's words without the ``#``/``＃`` enclosure: search takes words, not topic syntax."""
    return tag.strip().strip("#＃").strip()


def search_keywords(tags: Iterable[str]) -> list[str]:
    """Search words for the requested tag spellings: ``#`` and ``[话题]`` dropped, one per tag key.

    Kuaishou and Xiaohongshu search match words, not ``#`` markup, and spellings that fold to one
    key return the same results, so searching each would only repeat pages. Unlike
    :func:`unique_tags` the result is the cleaned word, which is what goes into the cursor.
    """
    words: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        word = tag.strip().replace("[话题]", "").strip("#＃ \u3000")
        key = tag_key(word) if word else ""
        if key and key not in seen:
            seen.add(key)
            words.append(word)
    return words


def fold_word(word: str) -> str:
    """``word`` as the platform compares it: NFKC, case-folded, without white space."""
    return "".join(unicodedata.normalize("NFKC", word).casefold().split())


def unique_words(words: Iterable[str]) -> list[str]:
    """The first spelling of each :func:`fold_word` class, blanks dropped (Weibo, Zhihu).

    Spellings that differ only in width, case or spaces are one search (the platform folds them);
    traditional-script spellings stay separate searches, unlike a ``tag_key`` comparison.
    """
    folded: dict[str, str] = {}
    for word in words:
        if word:
            folded.setdefault(fold_word(word), word)
    return list(folded.values())


# --- resuming a run over a list of tags ---------------------------------------------------------


def tag_resume_point(
    tags: list[str], cursor: Mapping[str, Any] | None
) -> tuple[int, dict[str, Any]]:
    """Where a Bilibili or Douyin run resumes: (index of the tag to read first, its saved state).

    The cursor names its tag as well as its index. When the tag list changed since it was
    saved, the tag is looked up again; a tag no longer asked for restarts the run from the first
    tag with no state. A ``done`` cursor (``tag`` ``None``) resumes after the last tag it knew.
    """
    state = dict(cursor or {})
    start = int(state.get("tag_index", 0))
    saved_tag = state.get("tag")
    if saved_tag is not None and (start >= len(tags) or tags[start] != saved_tag):
        start, state = (tags.index(saved_tag), state) if saved_tag in tags else (0, {})
    return start, state


def next_tag_cursor(tags: list[str], ti: int) -> dict[str, Any]:
    """The cursor once tag ``ti`` is finished: the next tag, or ``done`` after the last."""
    if ti + 1 < len(tags):
        return {"tag_index": ti + 1, "tag": tags[ti + 1]}
    return {"tag_index": len(tags), "tag": None, "done": True}


def keyword_resume_point(
    keywords: list[str], cursor: Mapping[str, Any] | None
) -> tuple[int, dict[str, Any]]:
    """Where a Kuaishou or Xiaohongshu run resumes: (keyword index, that keyword's saved state).

    A ``done`` cursor reads nothing (the index is past the end). The saved keyword is found again
    if the list changed; one no longer asked for goes on from the saved index, without state.
    The state is the cursor itself, and only when it belongs to the keyword at the index.
    """
    start = dict(cursor or {})
    if start.get("done"):
        return len(keywords), {}
    index = int(start.get("tag_index", 0))
    if start.get("tag") in keywords:
        index = keywords.index(start["tag"])  # the tag list may have changed between runs
    resume = start if index < len(keywords) and start.get("tag") == keywords[index] else {}
    return index, resume


def next_keyword_cursor(keywords: list[str], index: int, **first_page: Any) -> dict[str, Any]:
    """The cursor once keyword ``index`` is finished: the next one at ``first_page``, or ``done``.

    ``first_page`` is the platform's own first-page field (``pcursor="1"``, ``page=1``).
    """
    if index + 1 < len(keywords):
        return {"tag_index": index + 1, "tag": keywords[index + 1], **first_page}
    return {"tag_index": len(keywords), "done": True}


# --- the collection window ---------------------------------------------------------------------


def keep_window(parsed: ParsedPage, since: datetime | None, until: datetime | None) -> None:
    """Drop works published outside ``[since, until)`` (and authors left without a work).

    In place, for Bilibili and Douyin, whose pages are not in time order: each work is judged on
    its own and nothing is said about the rest of the list. An undated work is kept.
    """
    if since is None and until is None:
        return

    def inside(post: PostRecord) -> bool:
        t = post.published_at
        if t is None:
            return True
        return (since is None or t >= since) and (until is None or t < until)

    parsed.posts = [p for p in parsed.posts if inside(p)]
    authors = {p.account_uid for p in parsed.posts}
    parsed.accounts = [a for a in parsed.accounts if a.platform_uid in authors]


def window_page(
    page: ParsedPage, since: datetime | None, until: datetime | None
) -> tuple[ParsedPage, bool]:
    """Posts inside ``[since, until)``, and whether every post of the page is older than ``since``.

    For Weibo and Zhihu. The original of a kept repost is kept too, so the repost's link still
    resolves. The flag lets a newest-first listing stop there; it is false for an empty page or
    one with an undated post. An undated post is kept; accounts left without a post are dropped.
    The page is not changed: a new one is returned (the same one when there is no window).
    """
    if since is None and until is None:
        return page, False

    def inside(when: datetime | None) -> bool:
        if when is None:
            return True
        return (since is None or when >= since) and (until is None or when < until)

    originals = {p.repost_of for p in page.posts if p.repost_of and inside(p.published_at)}
    kept = [p for p in page.posts if inside(p.published_at) or p.platform_post_id in originals]
    uids = {p.account_uid for p in kept}
    all_older = (
        bool(page.posts)
        and since is not None
        and all(p.published_at is not None and p.published_at < since for p in page.posts)
    )
    out = ParsedPage(
        posts=kept,
        accounts=[a for a in page.accounts if a.platform_uid in uids],
        rejects=page.rejects,
        claimed_total=page.claimed_total,
        has_more=page.has_more,
        cursor=page.cursor,
        incomplete=dict(page.incomplete),
    )
    return out, all_older
