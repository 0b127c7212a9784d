"""Xiaohongshu live connector: signed web search, then the note detail for every card.

Search cards (``/api/sns/web/v1/search/notes``) carry only the title, author and like count, so
each note is read again through ``/api/sns/web/v1/feed`` with the card's ``xsec_token`` for its
time, collect/comment/share counts and topics. Both calls carry the ``X-S`` signature from the
signer plug-in (``sign=True``; the optional ``xhshow`` package is not used).

Pagination: ``page`` 1, 2, ... until ``has_more`` is false; one ``search_id`` per keyword, kept in
the cursor so a resumed run continues the same search. Search is sorted newest first
(``time_descending``), so it pages by time: notes outside ``request.since``/``until`` are dropped,
and a page whose dated notes are all older than ``since`` ends that keyword.

``refresh`` needs each note's ``xsec_token``: pass the stored post URL (it carries the token)
or a bare id the connector saw during ``collect``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors.base import CollectRequest, Connector, FetchedPage
from connectors.xiaohongshu import parse
from connectors.xiaohongshu.signals import check_body
from tracker.normalize.tags import tag_key
from tracker.records import ParsedPage, PostRecord, RejectRecord

__all__ = ["XiaohongshuConnector", "make_search_id", "search_keywords"]

log = logging.getLogger(__name__)

SEARCH_PATH = "api/sns/web/v1/search/notes"
FEED_PATH = "api/sns/web/v1/feed"
PLATFORM_PAGE_SIZE = 20
REFRESH_BATCH = 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_HEADERS = {"Origin": "https://www.xiaohongshu.com", "Referer": "https://www.xiaohongshu.com/"}


def search_keywords(tags: list[str]) -> list[str]:
    """Search words for the requested tag spellings: ``#`` and ``[话题]`` dropped, one per tag key."""
    words: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        word = tag.strip().replace("[话题]", "").strip("#＃ \u3000")
        key = tag_key(word) if word else ""
        if key and key not in seen:
            seen.add(key)
            words.append(word)
    return words


def make_search_id(now: datetime, keyword: str) -> str:
    """``base36((ms << 64) + r)``, the web client's search id; ``r`` is derived, not random,
    so a run is reproducible under an injected clock."""
    ms = (now - _EPOCH) // timedelta(milliseconds=1)
    r = int.from_bytes(hashlib.blake2b(f"{keyword}:{ms}".encode(), digest_size=4).digest(), "big")
    n = (ms << 64) + (r % 2147483646)
    out = ""
    while n:
        n, d = divmod(n, 36)
        out = _BASE36[d] + out
    return out or "0"


def _id_and_token(value: str) -> tuple[str, str | None]:
    """A bare note id, or an explore URL carrying ``xsec_token`` -> (id, token)."""
    value = value.strip()
    if "/" not in value:
        return value, None
    parts = urlsplit(value)
    note_id = parts.path.rstrip("/").rsplit("/", 1)[-1]
    token = parse_qs(parts.query).get("xsec_token", [None])[0]
    return note_id, token


class XiaohongshuConnector(Connector):
    """Collects Xiaohongshu notes for the campaign tags; refreshes them through ``feed``."""

    platform = "xiaohongshu"
    needs_signer = True
    needs_cookie = True

    def __init__(
        self,
        http: Any,
        *,
        now: Callable[[], datetime] | None = None,
        page_size: int = PLATFORM_PAGE_SIZE,
        sort: str = "time_descending",
    ) -> None:
        self.http = http
        self._now = now or (lambda: datetime.now(UTC))
        self.page_size = max(1, min(PLATFORM_PAGE_SIZE, page_size))
        self.sort = sort
        self._tokens: dict[str, str] = {}

    # ------------------------------------------------------------------ helpers

    @property
    def _cookie_variable(self) -> str | None:
        settings = getattr(self.http, "settings", None)
        return getattr(settings, "cookie_env", None) or "TRACKER_XIAOHONGSHU_COOKIE"

    def _check(self, body: Any, response: Any) -> None:
        check_body(body, response, cookie_variable=self._cookie_variable)

    def _check_detail(self, body: Any, response: Any) -> None:
        check_body(body, response, cookie_variable=self._cookie_variable, allow_not_found=True)

    def _url(self, path: str) -> str:
        return f"{self.http.base_url}/{path}"

    def _bytes_read(self) -> int:
        stats = getattr(self.http, "stats", None)
        return int(getattr(stats, "bytes", 0) or 0)

    def remember_tokens(self, tokens: dict[str, str]) -> None:
        """Give ``refresh`` the ``xsec_token`` of notes known from an earlier run."""
        self._tokens.update({k: v for k, v in tokens.items() if v})

    def _detail(self, note_id: str, token: str) -> tuple[Any, datetime]:
        payload = {
            "source_note_id": note_id,
            "image_formats": ["jpg", "webp", "avif"],
            "extra": {"need_body_topic": "1"},
            "xsec_source": "pc_search",
            "xsec_token": token,
        }
        body = self.http.post_json(
            FEED_PATH, payload, headers=_HEADERS, sign=True, check=self._check_detail
        )
        return body, self._now()

    def _with_details(self, cards: ParsedPage) -> ParsedPage:
        """Replace each search card by its full note; keep the card when the detail is gone."""
        page = ParsedPage(has_more=cards.has_more, rejects=list(cards.rejects))
        accounts = {a.platform_uid: a for a in cards.accounts}
        for card in cards.posts:
            token = card.context.get("xsec_token")
            if token:
                self._tokens[card.platform_post_id] = token
            body, captured_at = self._detail(card.platform_post_id, token or "")
            detail = parse.parse_feed(body, captured_at=captured_at)
            full = next(
                (p for p in detail.posts if p.platform_post_id == card.platform_post_id), None
            )
            page.rejects.extend(detail.rejects)
            if full is None:
                page.posts.append(card)  # deleted or hidden since the listing: the card stays
                continue
            if token and "xsec_token" not in full.context:
                full.context["xsec_token"] = token
                full.url = parse.note_url(full.platform_post_id, token)
            page.posts.append(full)
            for account in detail.accounts:
                accounts[account.platform_uid] = account
        page.accounts = list(accounts.values())
        return page

    # ------------------------------------------------------------------ Connector API

    def collect(self, request: CollectRequest) -> Iterator[FetchedPage]:
        keywords = search_keywords(request.tags)
        start = dict(request.cursor or {})
        if start.get("done"):
            return
        index = int(start.get("tag_index", 0))
        if start.get("tag") in keywords:
            index = keywords.index(start["tag"])
        resume = start if index < len(keywords) and start.get("tag") == keywords[index] else {}

        while index < len(keywords):
            keyword = keywords[index]
            page_no = int(resume.get("page") or 1)
            search_id = str(resume.get("search_id") or make_search_id(self._now(), keyword))
            resume = {}
            pages = 0
            more = True
            while more:
                if request.max_pages is not None and pages >= request.max_pages:
                    break
                payload = {
                    "keyword": keyword,
                    "page": page_no,
                    "page_size": self.page_size,
                    "search_id": search_id,
                    "sort": self.sort,
                    "note_type": 0,
                }
                before = self._bytes_read()
                body = self.http.post_json(
                    SEARCH_PATH, payload, headers=_HEADERS, sign=True, check=self._check
                )
                cards = parse.parse_search_notes(body, captured_at=self._now())
                parsed = self._with_details(cards)
                raw_bytes = self._bytes_read() - before
                pages += 1
                more = bool(parsed.has_more)
                if self._older_than_window(parsed, request):
                    more = False
                parsed.posts = [p for p in parsed.posts if self._in_window(p, request)]
                if more:
                    cursor: dict[str, Any] = {
                        "tag_index": index,
                        "tag": keyword,
                        "page": page_no + 1,
                        "search_id": search_id,
                    }
                elif index + 1 < len(keywords):
                    cursor = {"tag_index": index + 1, "tag": keywords[index + 1], "page": 1}
                else:
                    cursor = {"tag_index": len(keywords), "done": True}
                yield FetchedPage(
                    parsed=parsed,
                    cursor=cursor,
                    url=self._url(SEARCH_PATH),
                    task=f"search:{keyword}",
                    raw_bytes=max(0, raw_bytes),
                )
                page_no += 1
            index += 1

    def _older_than_window(self, page: ParsedPage, request: CollectRequest) -> bool:
        """True when sorted by time and every dated note on the page is before ``since``."""
        if request.since is None or self.sort != "time_descending":
            return False
        dated = [p.published_at for p in page.posts if p.published_at is not None]
        return bool(dated) and max(dated) < request.since

    @staticmethod
    def _in_window(post: PostRecord, request: CollectRequest) -> bool:
        when = post.published_at
        if when is None:
            return True
        if request.since is not None and when < request.since:
            return False
        return not (request.until is not None and when > request.until)

    def refresh(self, post_ids: list[str]) -> Iterator[FetchedPage]:
        """Re-read notes through ``feed``; ids may be explore URLs carrying ``xsec_token``."""
        targets = [_id_and_token(str(v)) for v in post_ids if str(v).strip()]
        for start in range(0, len(targets), REFRESH_BATCH):
            batch = targets[start : start + REFRESH_BATCH]
            page = ParsedPage()
            for note_id, token in batch:
                token = token or self._tokens.get(note_id)
                body, captured_at = self._detail(note_id, token or "")
                one = parse.parse_feed(body, captured_at=captured_at)
                code = body.get("code") if isinstance(body, dict) else None
                if one.posts or one.rejects:
                    if token:
                        for post in one.posts:
                            post.context.setdefault("xsec_token", token)
                            post.url = parse.note_url(post.platform_post_id, token)
                    page.extend(one)
                elif code == -510000:
                    page.posts.append(
                        PostRecord(
                            platform=self.platform,
                            platform_post_id=note_id,
                            captured_at=captured_at,
                            url=parse.note_url(note_id, token),
                            deleted=True,
                        )
                    )
                else:
                    page.rejects.append(
                        RejectRecord(
                            reason=(
                                f"xiaohongshu refresh: note {note_id} could not be read "
                                f"(code {code}, {body.get('msg') if isinstance(body, dict) else ''}"
                                f"; xsec_token {'given' if token else 'missing'})"
                            ),
                            payload=str(note_id),
                            platform=self.platform,
                            location=f"feed:{note_id}",
                        )
                    )
            page.accounts = list({a.platform_uid: a for a in page.accounts}.values())
            yield FetchedPage(
                parsed=page,
                cursor={"refresh_done": start + len(batch)},
                url=self._url(FEED_PATH),
                task="refresh",
            )
