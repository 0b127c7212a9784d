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

Neither call shows the author's follower count, so each author is read once more through
``/api/sns/web/v1/user/otherinfo`` (GET, signed like the rest): once per connector lifetime
while collecting, once per ``refresh`` run while refreshing (followers change, so a refresh re-
reads them), and neither for an author the store read in the last 24 hours
(``StoredFacts.followers``, handed over by the service). ``followers=False`` switches these
calls off. A profile that says the user is missing, or that fails in a way that does not concern
the session (an unknown code, a malformed body, a 404 or 5xx given up on), leaves the follower
count ``None`` and keeps the page; captcha, block, login and throttle answers stop the run
exactly as on the other calls.

``listing_only=True`` yields the search cards as parsed (title, author, likes, the time the
note id carries), without the ``feed`` read per card nor the profile read per author: a metric
refresh re-reads the listing for the one figure a card carries. Off by default, so collection
is unchanged.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from connectors import _client_common as shared
from connectors._comment_reader import read_work_comments
from connectors._common import unique_accounts
from connectors.base import CollectRequest, CommentWork, Connector, FetchedPage
from connectors.xiaohongshu import parse
from connectors.xiaohongshu.comments import parse_comments
from connectors.xiaohongshu.signals import check_body
from tracker.errors import ConnectorError, ParseError
from tracker.records import ParsedPage, PostRecord, RejectRecord

if TYPE_CHECKING:
    from tracker.http.client import HttpClient

__all__ = ["XiaohongshuConnector", "make_search_id", "search_keywords"]

log = logging.getLogger(__name__)

SEARCH_PATH = "api/sns/web/v1/search/notes"
FEED_PATH = "api/sns/web/v1/feed"
PROFILE_PATH = "api/sns/web/v1/user/otherinfo"
COMMENT_PATH = "api/sns/web/v2/comment/page"
REPLY_PATH = "api/sns/web/v2/comment/sub/page"
REPLY_PAGE = 10
PLATFORM_PAGE_SIZE = 20
REFRESH_BATCH = 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_HEADERS = {"Origin": "https://www.xiaohongshu.com", "Referer": "https://www.xiaohongshu.com/"}


search_keywords = shared.search_keywords
"""Public here too: this connector's search words (``connectors._client_common``)."""


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
    reads_comments = True
    uses_stored = frozenset({"followers"})

    def __init__(
        self,
        http: HttpClient,
        *,
        now: Callable[[], datetime] | None = None,
        page_size: int = PLATFORM_PAGE_SIZE,
        sort: str = "time_descending",
        followers: bool = True,
        listing_only: bool = False,
    ) -> None:
        self.http = http
        self._now = now or shared.utc_now
        self.page_size = max(1, min(PLATFORM_PAGE_SIZE, page_size))
        self.sort = sort
        self.fetch_followers = followers
        self.listing_only = listing_only
        self._tokens: dict[str, str] = {}
        # Follower count per author user id, read once in this connector's lifetime.
        self._followers: dict[str, int | None] = {}

    # ------------------------------------------------------------------ helpers

    @property
    def _cookie_variable(self) -> str | None:
        return self.http.settings.cookie_env or "TRACKER_XIAOHONGSHU_COOKIE"

    def _check(self, body: Any, response: Any) -> None:
        check_body(body, response, cookie_variable=self._cookie_variable)

    def _check_detail(self, body: Any, response: Any) -> None:
        check_body(body, response, cookie_variable=self._cookie_variable, allow_not_found=True)

    def _check_profile(self, body: Any, response: Any) -> None:
        """Session signals raise as on every call; any other error code is the profile's answer
        ("no such user"), which the parser turns into "no follower figure"."""
        try:
            check_body(body, response, cookie_variable=self._cookie_variable)
        except ConnectorError as exc:
            if type(exc) is not ConnectorError:
                raise

    def _url(self, path: str) -> str:
        return f"{self.http.base_url}/{path}"

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
        with self.http.purpose("detail"):
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

    def _cards(self, cards: ParsedPage) -> ParsedPage:
        """The search cards as they are (``listing_only``); their tokens are remembered for a
        later ``refresh`` of the same notes."""
        for card in cards.posts:
            token = card.context.get("xsec_token")
            if token:
                self._tokens[card.platform_post_id] = token
        return cards

    # ------------------------------------------------------------------ followers

    def _profile(self, user_id: str) -> tuple[int | None, bool]:
        """(follower count, settled) of one author; not settled when the call failed and may
        succeed later, so the next page asks again instead of caching the gap. A session
        failure (captcha, block, login, throttle, signer) is raised for the caller to hold."""
        try:
            with self.http.purpose("profile"):
                body = self.http.get_json(
                    PROFILE_PATH,
                    {"target_user_id": user_id},
                    headers={**_HEADERS, "Referer": parse.profile_url(user_id)},
                    sign=True,
                    check=self._check_profile,
                )
            page = parse.parse_user_info(body, user_id=user_id, captured_at=self._now())
        except ConnectorError as exc:
            if _stops_the_session(exc):
                raise
            log.warning("xiaohongshu: no follower count for user %s: %s", user_id, exc)
            return None, False
        return (page.accounts[0].followers if page.accounts else None), True

    def _add_followers(self, parsed: ParsedPage, cache: dict[str, int | None]) -> shared.Enrichment:
        """Follower counts onto the page's posts and accounts; one profile call per author
        that ``cache`` does not hold yet and the store did not read in the last 24 hours
        (``stored.followers``). Such an author keeps its stored followers and the post's
        ``followers_at_capture`` stays unknown: a copied figure would stand as a reading taken
        at this capture time. A session failure is held until the page is stored: the notes
        are read in full already, and a later page or run asks for the missing authors."""
        enrichment = shared.Enrichment(self.platform, session_error=_stops_the_session)
        if not self.fetch_followers:
            return enrichment
        unsettled = 0
        for uid in dict.fromkeys(p.account_uid for p in parsed.posts if p.account_uid):
            if uid not in cache and uid not in self.stored.followers:
                ok, answer = enrichment.read(partial(self._profile, uid))
                if ok and answer is not None and answer[1]:
                    cache[uid] = answer[0]
                elif ok:
                    unsettled += 1
        for post in parsed.posts:
            if post.followers_at_capture is None and post.account_uid:
                post.followers_at_capture = cache.get(post.account_uid)
        for account in parsed.accounts:
            followers = cache.get(account.platform_uid)
            if followers is not None:
                account.followers = followers
        parsed.note_incomplete("followers", enrichment.failed + unsettled)
        return enrichment

    # ------------------------------------------------------------------ Connector API

    def collect(self, request: CollectRequest) -> Iterator[FetchedPage]:
        keywords = shared.search_keywords(request.tags)
        index, resume = shared.keyword_resume_point(keywords, request.cursor)

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
                before = self.http.stats.bytes
                body = self.http.post_json(
                    SEARCH_PATH, payload, headers=_HEADERS, sign=True, check=self._check
                )
                cards = parse.parse_search_notes(body, captured_at=self._now())
                parsed = self._cards(cards) if self.listing_only else self._with_details(cards)
                pages += 1
                more = bool(parsed.has_more)
                if self._older_than_window(parsed, request):
                    more = False
                parsed.posts = [p for p in parsed.posts if self._in_window(p, request)]
                enrichment = (
                    None
                    if self.listing_only
                    else self._add_followers(parsed, self._followers)  # kept notes' authors
                )
                raw_bytes = self.http.stats.bytes - before
                if more:
                    cursor: dict[str, Any] = {
                        "tag_index": index,
                        "tag": keyword,
                        "page": page_no + 1,
                        "search_id": search_id,
                    }
                else:
                    cursor = shared.next_keyword_cursor(keywords, index, page=1)
                yield FetchedPage(
                    parsed=parsed,
                    cursor=cursor,
                    url=self._url(SEARCH_PATH),
                    task=f"search:{keyword}",
                    raw_bytes=max(0, raw_bytes),
                )
                if enrichment is not None:
                    enrichment.raise_held()
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
        return not (request.until is not None and when >= request.until)

    def refresh_keys(self, works: Sequence[tuple[str, str | None]]) -> list[str]:
        """The stored explore URL where it carries the note's ``xsec_token``, else the id.

        ``feed`` refuses a note without its token (code -510001), and a refresh runs in a new
        process that has not seen the search page the token came from: the URL stored with the
        note is where the token survives.
        """
        return [url if url and _id_and_token(url)[1] else post_id for post_id, url in works]

    def refresh(self, post_ids: list[str]) -> Iterator[FetchedPage]:
        """Re-read notes through ``feed``; ids may be explore URLs carrying ``xsec_token``.

        Authors' follower counts are re-read too, once per author in this call (not from the
        collect cache: a refresh exists to bring figures up to date), except for the authors
        the store read in the last 24 hours (``stored.followers``)."""
        targets = [_id_and_token(str(v)) for v in post_ids if str(v).strip()]
        followers: dict[str, int | None] = {}  # this run's reads: counts move between runs
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
            page.accounts = unique_accounts(page.accounts, keep="last")
            enrichment = self._add_followers(page, followers)
            yield FetchedPage(
                parsed=page,
                cursor={"refresh_done": start + len(batch)},
                url=self._url(FEED_PATH),
                task="refresh",
            )
            enrichment.raise_held()

    # ------------------------------------------------------------------ comments

    def comments(self, work: CommentWork, *, max_pages: int) -> Iterator[FetchedPage]:
        """``comment/page`` pages (the last comment's id as ``cursor``), then
        ``comment/sub/page`` for each thread cut short. Both carry the note's ``xsec_token``:
        from the stored URL, else the one this connector's listing gave."""
        note_id, token = _id_and_token(work.url) if work.url else (work.post_id, None)
        if note_id != work.post_id:
            note_id, token = work.post_id, None
        token = token or self._tokens.get(note_id) or ""
        headers = {**_HEADERS, "Referer": parse.note_url(note_id, token or None)}

        def top(cursor: str | None) -> ParsedPage:
            params = {
                "note_id": note_id,
                "cursor": cursor or "",
                "top_comment_id": "",
                "image_formats": "jpg,webp,avif",
                "xsec_token": token,
            }
            with self.http.purpose("comments"):
                body = self.http.get_json(
                    COMMENT_PATH, params, headers=headers, sign=True, check=self._check
                )
            return parse_comments(body, captured_at=self._now(), post_id=note_id)

        def replies(root: str, cursor: str | None) -> ParsedPage:
            params = {
                "note_id": note_id,
                "root_comment_id": root,
                "num": REPLY_PAGE,
                "cursor": cursor or "",
                "image_formats": "jpg,webp,avif",
                "top_comment_id": "",
                "xsec_token": token,
            }
            with self.http.purpose("comments"):
                body = self.http.get_json(
                    REPLY_PATH, params, headers=headers, sign=True, check=self._check
                )
            return parse_comments(
                body, captured_at=self._now(), post_id=note_id, root_comment_id=root
            )

        yield from read_work_comments(
            self.platform,
            note_id,
            top=top,
            replies=replies,
            max_pages=max_pages,
            url=self._url(COMMENT_PATH),
            session_error=_stops_the_session,
        )


def _stops_the_session(exc: ConnectorError) -> bool:
    """Xiaohongshu's line: every kind of ``ConnectorError`` (captcha, block, login, throttle,
    signer) is about the session; a bare one or an unreadable body is about the one read."""
    return type(exc) is not ConnectorError and not isinstance(exc, ParseError)
