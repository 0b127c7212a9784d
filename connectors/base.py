"""The connector contract: what every platform package provides.

A platform package ``connectors/<platform>/`` has two halves kept apart:

- ``parse.py``: pure functions ``raw JSON (dict) -> ParsedPage``. The same functions serve a live
  response, a HAR entry, a Zeeschuimer line and a saved file. They never do I/O. Each module
  exports ``ENDPOINTS``: a tuple of ``Endpoint`` (URL path regex -> parse function) so the capture
  importer can route a captured response by its URL.
- ``client.py``: a ``Connector`` subclass that talks to the platform's real endpoints through the
  shared HTTP layer (``tracker.http``), pages through results, and yields ``FetchedPage``s. It
  never touches the database: the collect service stores what it yields and saves ``cursor``.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from tracker.records import ParsedPage

ParseFn = Callable[..., ParsedPage]
"""``parse(body: dict, *, captured_at: datetime, source: str = "live") -> ParsedPage``."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A platform endpoint a captured response can be routed to by its URL."""

    platform: str
    name: str
    url_pattern: re.Pattern[str]
    parse: ParseFn

    def matches(self, url: str) -> bool:
        return self.url_pattern.search(url) is not None


@dataclass(slots=True)
class FetchedPage:
    """One page a connector fetched and parsed.

    ``cursor`` is the resume point *after* this page (JSON-serialisable); the collect service
    commits the page's records and the cursor in one transaction, so a killed run resumes on the
    next page without loss or duplicates. ``task`` names the query the page belongs to (for
    example ``"search:#千万IP创科普#"``) for progress and coverage.
    """

    parsed: ParsedPage
    cursor: dict[str, Any]
    url: str
    task: str = ""
    raw_bytes: int = 0


@dataclass(slots=True)
class CollectRequest:
    """What the collect service asks a connector for."""

    tags: list[str]
    since: datetime | None = None
    until: datetime | None = None
    max_pages: int | None = None
    cursor: dict[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredFacts:
    """What the store already holds that spares a connector a request.

    Requests are what a day of collection costs (the platforms' rate limits), and some reads
    only fetch what the store has: an author's follower count read an hour ago, the full text
    of a post seen yesterday. Connectors never touch the database, so the service reads these
    facts and hands them over (:meth:`Connector.use_stored`); a connector that gets none reads
    everything, as before.
    """

    followers: Mapping[str, int | None] = field(default_factory=dict)
    """Authors (platform uid) with a follower reading from the last 24 hours, and that reading:
    their profile is not read again (profiles are read once per account per day at most)."""
    text_chars: Mapping[str, int] = field(default_factory=dict)
    """Characters of each stored post's text, by post id: a cut post whose stored text is
    longer than the excerpt its listing shows is already held in full (Weibo)."""


NO_STORED_FACTS = StoredFacts()


@dataclass(frozen=True, slots=True)
class CommentWork:
    """A work whose comments are read: its stored id and URL (the URL carries what some
    platforms need besides the id: Xiaohongshu's ``xsec_token``, Zhihu's kind of work)."""

    post_id: str
    url: str | None = None


class Connector(ABC):
    """A live connector for one platform. Subclasses set ``platform``."""

    platform: ClassVar[str]
    needs_signer: ClassVar[bool] = False
    needs_cookie: ClassVar[bool] = False
    reads_comments: ClassVar[bool] = False
    """Whether :meth:`comments` reads the platform's comment endpoints."""
    uses_stored: ClassVar[frozenset[str]] = frozenset()
    """The :class:`StoredFacts` fields this connector spares requests with; the service reads
    only those from the store."""
    stored: StoredFacts = NO_STORED_FACTS

    def use_stored(self, facts: StoredFacts) -> None:
        """Take what the store holds (see :class:`StoredFacts`) before ``collect``/``refresh``."""
        self.stored = facts

    @abstractmethod
    def collect(self, request: CollectRequest) -> Iterator[FetchedPage]:
        """Yield parsed pages of works carrying the requested tags, resuming at ``request.cursor``."""

    @abstractmethod
    def refresh(self, post_ids: list[str]) -> Iterator[FetchedPage]:
        """Re-read the metrics of known works (detail endpoints); yields pages of records."""

    def refresh_keys(self, works: Sequence[tuple[str, str | None]]) -> list[str]:
        """What :meth:`refresh` takes for each stored work, given as (post id, stored URL).

        The post id, for most platforms. A platform whose detail endpoint needs more than the id
        takes what the URL carries (Xiaohongshu: the note's ``xsec_token``); the refresh service
        never has to know which.
        """
        return [post_id for post_id, _ in works]

    def comments(self, work: CommentWork, *, max_pages: int) -> Iterator[FetchedPage]:
        """One work's comments and replies with their commenters, at most ``max_pages``
        requests (see ``connectors._comment_reader``); only where ``reads_comments``."""
        raise NotImplementedError(f"{self.platform}: comments are not read live")
