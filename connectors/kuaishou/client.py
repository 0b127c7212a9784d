"""Kuaishou live connector: keyword search page by page, followers from ``visionProfile``.

Search goes through the signed REST endpoint ``/rest/v/search/feed`` (``__NS_hxfalcon`` from the
signer plug-in; the web site moved search there in 2026). The older GraphQL ``visionSearchPhoto``
is the fallback when the REST endpoint is unavailable (HTTP error, or a body that is not a search
answer), and can be chosen outright with ``search_via="graphql"`` or
``CollectRequest.extra["kuaishou_search"]``. A missing signer, a rejected signature, a captcha
or a login wall are *not* reasons to fall back: they stop the platform with a clear message.

Pagination: ``pcursor`` is the page number as a string (``"1"``, ``"2"``...); the answer's
``pcursor`` is the next one, ``"no_more"`` at the end; ``searchSessionId`` is carried along.
Kuaishou search is ordered by relevance, not time, so paging never stops early by date; each
work outside ``[since, until)`` is dropped on its own (``keep_window``), as for Bilibili and Douyin.
Follower counts never come with search results: one ``visionProfile`` call per new author,
cached for the connector's life, and none for an author the store read in the last 24 hours
(``StoredFacts.followers``, handed over by the service). Those reads are enrichment: one that
fails on its own leaves the followers unknown (counted in ``ParsedPage.incomplete``) and keeps
the page; a session failure stops the platform only after the page is stored.

``listing_only=True`` yields the search cards as parsed, without a profile read per author:
a metric refresh re-reads the listing for the figures it carries (views, likes), not followers.
Off by default, so collection is unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from connectors import _client_common as shared
from connectors._comment_reader import read_work_comments
from connectors._common import unique_accounts
from connectors.base import CollectRequest, CommentWork, Connector, FetchedPage
from connectors.kuaishou import parse
from connectors.kuaishou.comments import parse_comments
from connectors.kuaishou.signals import check_body
from tracker.errors import ConnectorError, ParseError
from tracker.records import ParsedPage, PostRecord

if TYPE_CHECKING:
    from tracker.http.client import HttpClient

__all__ = ["KuaishouConnector", "search_keywords"]

log = logging.getLogger(__name__)

SEARCH_PATH = "rest/v/search/feed"
GRAPHQL_PATH = "graphql"
PLATFORM_PAGE_SIZE = 20
"""Kuaishou's page size is fixed by the platform; ``page_size`` cannot change it."""
REFRESH_BATCH = 20

_HEADERS = {
    "Origin": "https://www.kuaishou.com",
    "Referer": "https://www.kuaishou.com/search/video",
}

# The GraphQL documents ask for exactly the fields the parser reads (plus what the site needs).
_FEED_FIELDS = (
    "type author { id name following headerUrl } "
    "photo { id duration caption originCaption likeCount realLikeCount viewCount commentCount "
    "coverUrl photoUrl timestamp expTag } tags { type name } canAddComment llsid status"
)
SEARCH_QUERY = (
    "query visionSearchPhoto($keyword: String, $pcursor: String, $searchSessionId: String, "
    "$page: String, $webPageArea: String) { visionSearchPhoto(keyword: $keyword, "
    "pcursor: $pcursor, searchSessionId: $searchSessionId, page: $page, "
    "webPageArea: $webPageArea) { result llsid webPageArea feeds { " + _FEED_FIELDS + " } "
    "searchSessionId pcursor } }"
)
PROFILE_QUERY = (
    "query visionProfile($userId: String) { visionProfile(userId: $userId) { result hostName "
    "userProfile { ownerCount { fan photo follow photo_public } "
    "profile { gender user_name user_id headurl user_text user_profile_bg_url } isFollowing } } }"
)
DETAIL_QUERY = (
    "query visionVideoDetail($photoId: String, $type: String, $page: String, "
    "$webPageArea: String) { visionVideoDetail(photoId: $photoId, type: $type, page: $page, "
    "webPageArea: $webPageArea) { status type author { id name following headerUrl } "
    "photo { id duration caption originCaption likeCount realLikeCount viewCount commentCount "
    "coverUrl photoUrl timestamp expTag } tags { type name } llsid } }"
)
_COMMENT_FIELDS = (
    "commentId authorId authorName content headurl timestamp likedCount realLikedCount liked "
    "status authorLiked"
)
COMMENT_QUERY = (
    "query commentListQuery($photoId: String, $pcursor: String) { "
    "visionCommentList(photoId: $photoId, pcursor: $pcursor) { commentCount pcursor "
    "rootComments { " + _COMMENT_FIELDS + " subCommentCount subCommentsPcursor "
    "subComments { " + _COMMENT_FIELDS + " replyToUserName replyTo } } } }"
)
SUB_COMMENT_QUERY = (
    "mutation visionSubCommentList($photoId: String, $rootCommentId: String, "
    "$pcursor: String) { visionSubCommentList(photoId: $photoId, rootCommentId: "
    "$rootCommentId, pcursor: $pcursor) { pcursor subComments { "
    + _COMMENT_FIELDS
    + " replyToUserName replyTo } } }"
)
"""The V1 comment documents (public clients' ``comment_list.graphql``): they carry each
thread's reply count (``subCommentCount``), which tells the threads cut short; the site's V2
fields say only whether a thread has replies."""


search_keywords = shared.search_keywords
"""Public here too: this connector's search words (``connectors._client_common``)."""


def _stops_the_session(exc: ConnectorError) -> bool:
    """Kuaishou's line: every kind of ``ConnectorError`` (block, login, throttle, signer) is
    about the session; a bare one (a 404, a server error given up on) or an unreadable body
    is about the one read."""
    return type(exc) is not ConnectorError and not isinstance(exc, ParseError)


class KuaishouConnector(Connector):
    """Collects Kuaishou works for the campaign tags; refreshes them through ``visionVideoDetail``."""

    platform = "kuaishou"
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
        search_via: str = "rest",
        listing_only: bool = False,
    ) -> None:
        if search_via not in ("rest", "graphql"):
            raise ValueError(f"search_via must be 'rest' or 'graphql', not {search_via!r}")
        self.http = http
        self._now = now or shared.utc_now
        self.page_size = PLATFORM_PAGE_SIZE
        self.search_via = search_via
        self.listing_only = listing_only
        self._followers: dict[str, Any] = {}

    # ------------------------------------------------------------------ helpers

    @property
    def _cookie_variable(self) -> str | None:
        return self.http.settings.cookie_env or "TRACKER_KUAISHOU_COOKIE"

    def _check(self, body: Any, response: Any) -> None:
        check_body(body, response, cookie_variable=self._cookie_variable)

    def _url(self, path: str) -> str:
        return f"{self.http.base_url}/{path}"

    def _graphql(self, operation: str, variables: dict[str, Any], query: str) -> Any:
        payload = {"operationName": operation, "variables": variables, "query": query}
        return self.http.post_json(GRAPHQL_PATH, payload, headers=_HEADERS, check=self._check)

    def _search_rest(self, keyword: str, pcursor: str, session: str) -> Any:
        payload = {
            "keyword": keyword,
            "pcursor": pcursor,
            "page": "search",
            "searchSessionId": session,
        }
        return self.http.post_json(
            SEARCH_PATH,
            payload,
            params={"caver": "2"},
            headers=_HEADERS,
            sign=True,
            check=self._check,
        )

    def _search_graphql(self, keyword: str, pcursor: str, session: str) -> Any:
        variables = {
            "keyword": keyword,
            "pcursor": pcursor,
            "page": "search",
            "searchSessionId": session,
        }
        return self._graphql("visionSearchPhoto", variables, SEARCH_QUERY)

    def _search_page(
        self, keyword: str, pcursor: str, session: str, via: str
    ) -> tuple[ParsedPage, Any, str]:
        """One search page; falls back from REST to GraphQL when REST is unavailable."""
        if via == "rest":
            try:
                body = self._search_rest(keyword, pcursor, session)
                return parse.parse_search_feed(body, captured_at=self._now()), body, via
            except ParseError as exc:
                reason = str(exc)
            except ConnectorError as exc:
                if type(exc) is not ConnectorError:
                    raise  # throttle, login wall, block, missing signer: never a reason to switch
                reason = str(exc)
            log.warning("kuaishou: REST search unavailable (%s); using GraphQL search", reason)
            via = "graphql"
        body = self._search_graphql(keyword, pcursor, session)
        return parse.parse_vision_search_photo(body, captured_at=self._now()), body, via

    @staticmethod
    def _session_of(body: Any, default: str) -> str:
        if not isinstance(body, dict):
            return default
        container = body
        data = body.get("data")
        if isinstance(data, dict) and isinstance(data.get("visionSearchPhoto"), dict):
            container = data["visionSearchPhoto"]
        return str(container.get("searchSessionId") or default)

    def _attach_followers(self, page: ParsedPage) -> shared.Enrichment:
        """Fill followers on accounts and posts from ``visionProfile``, one read per new author
        in the connector's life (a failed read too: it leaves the followers unknown and is
        counted as a gap). A session failure is held until the page is stored.

        An author the store read in the last 24 hours (``stored.followers``) is not read again:
        the account keeps its stored followers and the post's ``followers_at_capture`` stays
        unknown, since a copied figure would stand as a reading taken at this capture time."""
        enrichment = shared.Enrichment(self.platform, session_error=_stops_the_session)
        for account in page.accounts:
            uid = account.platform_uid
            if uid not in self._followers and uid not in self.stored.followers:
                ok, followers = enrichment.read(partial(self._profile_followers, uid))
                self._followers[uid] = followers if ok else None
            followers = self._followers.get(uid)
            if followers is not None:
                account.followers = followers
        for post in page.posts:
            if post.account_uid is not None:
                post.followers_at_capture = self._followers.get(post.account_uid)
        page.note_incomplete("followers", enrichment.failed)
        return enrichment

    def _profile_followers(self, uid: str) -> int | None:
        with self.http.purpose("profile"):
            body = self._graphql("visionProfile", {"userId": uid}, PROFILE_QUERY)
        try:
            profile = parse.parse_vision_profile(body, captured_at=self._now())
        except ParseError as exc:
            log.warning("kuaishou: profile of %s unreadable (%s); followers unknown", uid, exc)
            return None
        for account in profile.accounts:
            if account.platform_uid == uid:
                return account.followers
        return None

    # ------------------------------------------------------------------ Connector API

    def collect(self, request: CollectRequest) -> Iterator[FetchedPage]:
        keywords = shared.search_keywords(request.tags)
        index, resume = shared.keyword_resume_point(keywords, request.cursor)
        forced = request.extra.get("kuaishou_search") if request.extra else None
        default_via = forced if forced in ("rest", "graphql") else self.search_via

        while index < len(keywords):
            keyword = keywords[index]
            pcursor = str(resume.get("pcursor") or "1")
            session = str(resume.get("search_session_id") or "")
            via = str(resume.get("via") or default_via)
            pages = 0
            resume = {}
            task = f"search:{keyword}"
            while pcursor != parse.NO_MORE:
                if request.max_pages is not None and pages >= request.max_pages:
                    break
                before = self.http.stats.bytes
                parsed, body, via = self._search_page(keyword, pcursor, session, via)
                raw_bytes = self.http.stats.bytes - before
                shared.keep_window(parsed, request.since, request.until)
                enrichment = (
                    shared.Enrichment(self.platform)
                    if self.listing_only
                    else self._attach_followers(parsed)
                )
                pages += 1
                session = self._session_of(body, session)
                more = bool(parsed.has_more and parsed.cursor)
                next_cursor = parsed.cursor if more and parsed.cursor else parse.NO_MORE
                if more:
                    cursor: dict[str, Any] = {
                        "tag_index": index,
                        "tag": keyword,
                        "pcursor": next_cursor,
                        "search_session_id": session,
                        "via": via,
                    }
                else:
                    cursor = shared.next_keyword_cursor(keywords, index, pcursor="1")
                yield FetchedPage(
                    parsed=parsed,
                    cursor=cursor,
                    url=self._url(SEARCH_PATH if via == "rest" else GRAPHQL_PATH),
                    task=task,
                    raw_bytes=max(0, raw_bytes),
                )
                enrichment.raise_held()  # the page is stored: now a session failure may stop
                pcursor = next_cursor
            index += 1

    def refresh(self, post_ids: list[str]) -> Iterator[FetchedPage]:
        """Re-read works through ``visionVideoDetail``; a work that is gone comes back deleted."""
        ids = [str(p) for p in post_ids if str(p).strip()]
        for start in range(0, len(ids), REFRESH_BATCH):
            batch = ids[start : start + REFRESH_BATCH]
            page = ParsedPage()
            for photo_id in batch:
                with self.http.purpose("detail"):
                    body = self._graphql(
                        "visionVideoDetail", {"photoId": photo_id, "page": "detail"}, DETAIL_QUERY
                    )
                captured_at = self._now()
                one = parse.parse_vision_video_detail(body, captured_at=captured_at)
                if not one.posts and not one.rejects:
                    one.posts.append(
                        PostRecord(
                            platform=self.platform,
                            platform_post_id=photo_id,
                            captured_at=captured_at,
                            url=parse.post_url(photo_id),
                            deleted=True,
                        )
                    )
                page.extend(one)
            page.accounts = unique_accounts(page.accounts, keep="last")
            enrichment = self._attach_followers(page)
            yield FetchedPage(
                parsed=page,
                cursor={"refresh_done": start + len(batch)},
                url=self._url(GRAPHQL_PATH),
                task="refresh",
            )
            enrichment.raise_held()

    def comments(self, work: CommentWork, *, max_pages: int) -> Iterator[FetchedPage]:
        """``commentListQuery`` pages by ``pcursor``, then ``visionSubCommentList`` for each
        thread cut short; the work and the thread are request variables the bodies omit."""
        photo_id = work.post_id

        def top(cursor: str | None) -> ParsedPage:
            variables = {"photoId": photo_id, "pcursor": cursor or ""}
            with self.http.purpose("comments"):
                body = self._graphql("commentListQuery", variables, COMMENT_QUERY)
            return parse_comments(body, captured_at=self._now(), post_id=photo_id)

        def replies(root: str, cursor: str | None) -> ParsedPage:
            variables = {"photoId": photo_id, "rootCommentId": root, "pcursor": cursor or ""}
            with self.http.purpose("comments"):
                body = self._graphql("visionSubCommentList", variables, SUB_COMMENT_QUERY)
            return parse_comments(
                body, captured_at=self._now(), post_id=photo_id, root_comment_id=root
            )

        yield from read_work_comments(
            self.platform,
            photo_id,
            top=top,
            replies=replies,
            max_pages=max_pages,
            url=self._url(GRAPHQL_PATH),
            session_error=_stops_the_session,
        )
