"""Douyin live connector: the tag's challenge (hashtag) aweme list, paged by cursor.

Why it is shaped this way:

- A hashtag page lists its works by challenge id, not by name, so each tag is first resolved
  through ``challenge/search``; among the challenges returned, only the one whose name has the
  tag's key is used (``#千万IP创科普大赛`` is a different tag).
- ``challenge/aweme`` pages by the ``cursor`` it returns until ``has_more`` is 0. Its order is not
  by time, so items outside ``since``/``until`` are skipped one by one rather than ending the run.
- Lists report ``author.follower_count`` as 0; ``user/profile/other`` has the real figure, read
  at most once per author in a run (cached by ``sec_uid``, a failed read too). The profile reads
  are an enrichment step that cannot lose the page: a read that fails on its own (a silent
  empty 200, an unreadable body) leaves that author's followers unknown and is counted in
  ``ParsedPage.incomplete["followers"]``; a session-wide failure (login wall, rejected
  signature, throttle given up on, or the silent block on every profile read of the page) stops
  the platform only after the page is yielded and stored.
- Every call needs ``a_bogus`` from the signer plug-in (``sign=True``) and a logged-in cookie.
  The platform's HTTP settings must set ``empty_body_blocked`` so an empty 200 (its silent block)
  is raised as ``Blocked`` rather than retried as a truncated body.

The cursor after each page is ``{"tag": …, "tag_index": i, "ch_id": …, "cursor": n}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from connectors import _client_common as shared
from connectors._comment_reader import read_work_comments
from connectors.base import CollectRequest, CommentWork, Connector, FetchedPage
from connectors.douyin.comments import parse_comments
from connectors.douyin.parse import (
    PLATFORM,
    parse_aweme_detail,
    parse_aweme_list,
    parse_challenge_search,
    parse_user_profile,
)
from connectors.douyin.signals import check_body
from tracker.normalize.tags import tag_key
from tracker.records import ParsedPage

if TYPE_CHECKING:
    from tracker.http.client import HttpClient

__all__ = ["COMMON_PARAMS", "DouyinConnector"]

CHALLENGE_SEARCH_PATH = "/aweme/v1/web/challenge/search/"
CHALLENGE_AWEME_PATH = "/aweme/v1/web/challenge/aweme/"
DETAIL_PATH = "/aweme/v1/web/aweme/detail/"
PROFILE_PATH = "/aweme/v1/web/user/profile/other/"
COMMENT_PATH = "/aweme/v1/web/comment/list/"
REPLY_PATH = "/aweme/v1/web/comment/list/reply/"
COMMENT_PAGE = 20
USER_MISSING = 5

COMMON_PARAMS: dict[str, str] = {
    "device_platform": "webapp",
    "aid": "6383",
    "channel": "channel_pc_web",
    "pc_client_type": "1",
    "version_code": "190600",
    "version_name": "19.6.0",
    "cookie_enabled": "true",
    "screen_width": "1920",
    "screen_height": "1080",
    "browser_language": "zh-CN",
    "browser_platform": "Win32",
    "browser_name": "Chrome",
    "browser_version": "126.0.0.0",
    "browser_online": "true",
    "engine_name": "Blink",
    "engine_version": "126.0.0.0",
    "os_name": "Windows",
    "os_version": "10",
    "platform": "PC",
}
"""The web client's device parameters (must agree with the User-Agent the signer signs for)."""

_Author = tuple[int | None, bool | None, str | None]
_UNKNOWN: _Author = (None, None, None)


class DouyinConnector(Connector):
    """Collects Douyin works for the campaign tags; refreshes them through ``aweme/detail``."""

    platform = PLATFORM
    needs_signer = True
    needs_cookie = True
    reads_comments = True

    def __init__(
        self,
        http: HttpClient,
        *,
        now: Callable[[], datetime] | None = None,
        page_size: int = 20,
        followers: bool = True,
    ) -> None:
        self.http = http
        self._now = now or shared.utc_now
        self.page_size = page_size
        self.fetch_followers = followers
        self._authors: dict[str, _Author] = {}
        variable = http.settings.cookie_env
        self._check = partial(check_body, cookie_variable=variable)
        self._check_profile = partial(
            check_body, allow_codes={USER_MISSING}, cookie_variable=variable
        )

    def _params(self, **extra: Any) -> dict[str, Any]:
        params: dict[str, Any] = dict(COMMON_PARAMS)
        token = self.http.get_cookie("msToken")
        if token:
            params["msToken"] = token
        params.update(extra)
        return params

    def _get(self, path: str, referer: str, check: Any = None, **params: Any) -> Any:
        return self.http.get_json(
            path,
            self._params(**params),
            headers={"Referer": referer},
            sign=True,
            check=check or self._check,
        )

    # --- collect -------------------------------------------------------------------------

    def resolve_challenge(self, tag: str) -> str | None:
        """The challenge id whose name has ``tag``'s key, or None when Douyin has no such tag."""
        keyword = shared.bare_tag(tag)
        body = self._get(
            CHALLENGE_SEARCH_PATH,
            f"https://www.douyin.com/search/{quote(keyword, safe='')}",
            keyword=keyword,
            cursor=0,
            count=10,
        )
        challenges, _, _ = parse_challenge_search(body)
        key = tag_key(tag)
        for challenge in challenges:
            if tag_key(challenge.name) == key:
                return challenge.cid
        return None

    def collect(self, request: CollectRequest) -> Iterator[FetchedPage]:
        tags = shared.unique_tags(request.tags)
        start, state = shared.tag_resume_point(tags, request.cursor)
        yielded = 0
        for ti in range(start, len(tags)):
            tag = tags[ti]
            resumed = ti == start and state.get("ch_id")
            ch_id = str(state["ch_id"]) if resumed else self.resolve_challenge(tag)
            position = int(state.get("cursor", 0)) if resumed else 0
            state = {}
            task = f"challenge:{tag}"
            if ch_id is None:
                keyword = quote(shared.bare_tag(tag))
                yield FetchedPage(
                    parsed=ParsedPage(claimed_total=0, has_more=False),
                    cursor=shared.next_tag_cursor(tags, ti),
                    url=f"{self.http.base_url}{CHALLENGE_SEARCH_PATH}?keyword={keyword}",
                    task=task,
                )
                yielded += 1
                if request.max_pages is not None and yielded >= request.max_pages:
                    return
                continue
            while True:
                before = self.http.stats.bytes
                body = self._get(
                    CHALLENGE_AWEME_PATH,
                    f"https://www.douyin.com/hashtag/{ch_id}",
                    ch_id=ch_id,
                    cursor=position,
                    count=self.page_size,
                    sort_type=0,
                )
                parsed = parse_aweme_list(body, captured_at=self._now())
                shared.keep_window(parsed, request.since, request.until)
                enrichment = self._add_followers(parsed)
                url = f"{self.http.base_url}{CHALLENGE_AWEME_PATH}?ch_id={ch_id}&cursor={position}"
                nxt = int(parsed.cursor) if parsed.cursor and parsed.cursor.isdigit() else None
                more = bool(parsed.has_more) and nxt is not None and nxt > position
                if more:
                    assert nxt is not None
                    position = nxt
                    cursor: dict[str, Any] = {
                        "tag_index": ti,
                        "tag": tag,
                        "ch_id": ch_id,
                        "cursor": position,
                    }
                else:
                    cursor = shared.next_tag_cursor(tags, ti)
                yield FetchedPage(
                    parsed=parsed,
                    cursor=cursor,
                    url=url,
                    task=task,
                    raw_bytes=self.http.stats.bytes - before,
                )
                enrichment.raise_held()  # the page is stored: now a session failure may stop
                yielded += 1
                if request.max_pages is not None and yielded >= request.max_pages:
                    return
                if not more:
                    break

    # --- followers ---------------------------------------------------------------------------

    def _profile(self, sec_uid: str) -> _Author:
        with self.http.purpose("profile"):
            body = self._get(
                PROFILE_PATH,
                f"https://www.douyin.com/user/{sec_uid}",
                check=self._check_profile,
                sec_user_id=sec_uid,
            )
        if body.get("status_code") == USER_MISSING:
            return _UNKNOWN
        accounts = parse_user_profile(body, captured_at=self._now()).accounts
        if not accounts:
            return _UNKNOWN
        a = accounts[0]
        return (a.followers, a.verified, a.verify_type)

    def _read_profiles(self, parsed: ParsedPage) -> shared.Enrichment:
        """One profile read per author this run has not read yet (a failed read is not retried
        in the run: it is counted as a gap instead)."""
        enrichment = shared.Enrichment(PLATFORM)
        if not self.fetch_followers:
            return enrichment
        for post in parsed.posts:
            sec_uid = post.context.get("sec_uid")
            if sec_uid and sec_uid not in self._authors:
                ok, info = enrichment.read(partial(self._profile, sec_uid))
                self._authors[sec_uid] = info if ok and info is not None else _UNKNOWN
        return enrichment

    def _add_followers(self, parsed: ParsedPage) -> shared.Enrichment:
        """Real follower counts (one profile read per new author) onto the page's records;
        the returned enrichment holds a session failure for after the page is stored."""
        enrichment = self._read_profiles(parsed)
        parsed.note_incomplete("followers", enrichment.failed)  # each account counted once a run
        by_uid: dict[str, _Author] = {}
        for post in parsed.posts:
            info = self._authors.get(post.context.get("sec_uid", ""))
            if info is None:
                continue
            if post.followers_at_capture is None:
                post.followers_at_capture = info[0]
            if post.account_uid:
                by_uid[post.account_uid] = info
        seen: set[str] = set()
        accounts = []
        for account in parsed.accounts:
            if account.platform_uid in seen:
                continue
            seen.add(account.platform_uid)
            info = by_uid.get(account.platform_uid)
            if info is not None:
                followers, verified, vtype = info
                if followers is not None:
                    account.followers = followers
                if verified is not None:
                    account.verified, account.verify_type = verified, vtype
            accounts.append(account)
        parsed.accounts = accounts
        return enrichment

    # --- refresh -----------------------------------------------------------------------------

    def refresh(self, post_ids: list[str]) -> Iterator[FetchedPage]:
        size = max(1, self.page_size)
        for start in range(0, len(post_ids), size):
            batch = post_ids[start : start + size]
            page = ParsedPage()
            before = self.http.stats.bytes
            for aweme_id in batch:
                with self.http.purpose("detail"):
                    body = self._get(
                        DETAIL_PATH,
                        f"https://www.douyin.com/video/{aweme_id}",
                        aweme_id=aweme_id,
                    )
                page.extend(parse_aweme_detail(body, captured_at=self._now()))
            enrichment = self._add_followers(page)
            yield FetchedPage(
                parsed=page,
                cursor={"refreshed": start + len(batch)},
                url=f"{self.http.base_url}{DETAIL_PATH}",
                task="refresh",
                raw_bytes=self.http.stats.bytes - before,
            )
            enrichment.raise_held()

    # --- comments ----------------------------------------------------------------------------

    def comments(self, work: CommentWork, *, max_pages: int) -> Iterator[FetchedPage]:
        """``comment/list`` pages by ``cursor``, then ``comment/list/reply`` for each thread cut
        short; signed like every call (an empty 200 is the silent block, as elsewhere)."""
        aweme_id = work.post_id
        referer = f"https://www.douyin.com/video/{aweme_id}"

        def top(cursor: str | None) -> ParsedPage:
            with self.http.purpose("comments"):
                body = self._get(
                    COMMENT_PATH,
                    referer,
                    aweme_id=aweme_id,
                    cursor=cursor or 0,
                    count=COMMENT_PAGE,
                    item_type=0,
                )
            return parse_comments(body, captured_at=self._now(), post_id=aweme_id)

        def replies(root: str, cursor: str | None) -> ParsedPage:
            with self.http.purpose("comments"):
                body = self._get(
                    REPLY_PATH,
                    referer,
                    item_id=aweme_id,
                    comment_id=root,
                    cursor=cursor or 0,
                    count=COMMENT_PAGE,
                    item_type=0,
                )
            return parse_comments(
                body, captured_at=self._now(), post_id=aweme_id, root_comment_id=root
            )

        yield from read_work_comments(
            PLATFORM,
            aweme_id,
            top=top,
            replies=replies,
            max_pages=max_pages,
            url=f"{self.http.base_url}{COMMENT_PATH}?aweme_id={aweme_id}",
        )
