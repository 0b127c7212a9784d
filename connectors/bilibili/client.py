"""Bilibili live connector: WBI-signed video search sliced by publication time, plus ``view``.

Why it is shaped this way:

- ``x/web-interface/wbi/search/type`` stops at 1,000 results (50 pages of 20) per query. Asking
  with ``order=pubdate`` inside ``pubtime_begin_s``/``pubtime_end_s`` windows (one per day,
  newest first; a window whose first page still reports the cap is halved, down to
  ``min_window_s``) gets every work of a busy campaign.
- The WBI keys come from ``x/web-interface/nav`` and rotate daily: they are cached per day and
  fetched again once when a ``v_voucher`` block says the signature was refused.
- Search refuses clients without the anonymous ``buvid3`` cookie; one is generated when the
  configured cookie has none.
- Search results carry neither a share count nor the author's followers; ``view/detail`` has
  both (``stat.share``, ``Card.card.fans``). By default every work is read through it
  (``details="all"``); ``details="authors"`` reads it once per new author (cached by ``mid``) for
  the follower count only, when requests are scarce. These reads are enrichment: one that
  fails on its own keeps the search card (counted in ``ParsedPage.incomplete``); a session
  failure (login, block, throttle given up on) stops the platform after the page is stored.

The cursor after each page is ``{"tag": …, "tag_index": i, "windows": [[begin, end), …],
"page": n}``: the windows still to read (the current one first) and the next page in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from connectors import _client_common as shared
from connectors._comment_reader import read_work_comments
from connectors._common import unique_accounts
from connectors.base import CollectRequest, CommentWork, Connector, FetchedPage
from connectors.bilibili import wbi
from connectors.bilibili.comments import VIDEO_TYPE, parse_comments
from connectors.bilibili.ids import aid_to_bvid, bvid_to_aid, is_bvid
from connectors.bilibili.parse import NOT_FOUND_CODES, PLATFORM, parse_search_type, parse_view
from connectors.bilibili.signals import VoucherBlocked, check_body
from tracker.errors import LoginRequired, ParseError
from tracker.records import ParsedPage, PostRecord, RejectRecord

if TYPE_CHECKING:
    from tracker.http.client import HttpClient, Purpose

__all__ = ["BilibiliConnector"]

NAV_PATH = "/x/web-interface/nav"
SEARCH_PATH = "/x/web-interface/wbi/search/type"
DETAIL_PATH = "/x/web-interface/view/detail"
COMMENT_PATH = "/x/v2/reply/main"
REPLY_PATH = "/x/v2/reply/reply"
REPLY_PAGE = 20
RESULT_CAP = 1000
SHANGHAI = timezone(timedelta(hours=8))
_HEADERS = {"Referer": "https://www.bilibili.com/", "Origin": "https://www.bilibili.com"}

DETAIL_MODES = ("all", "authors", "none")
"""How a search page is completed through ``view/detail``: ``all`` reads every work (search has
no share count and no followers; one extra request per work), ``authors`` once per new author
(followers only), ``none`` not at all."""

Window = tuple[int, int]
"""``[begin, end)`` in epoch seconds; ``(0, 0)`` is the unsliced query (no time filter)."""


def day_windows(since: datetime | None, until: datetime) -> list[Window]:
    """Calendar days (Asia/Shanghai) covering ``[since, until)``, newest first."""
    if since is None:
        return [(0, 0)]
    start, stop = int(since.timestamp()), int(until.timestamp())
    if stop <= start:
        return []
    out: list[Window] = []
    day = since.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    while int(day.timestamp()) < stop:
        nxt = day + timedelta(days=1)
        out.append((max(start, int(day.timestamp())), min(stop, int(nxt.timestamp()))))
        day = nxt
    out.reverse()
    return out


class BilibiliConnector(Connector):
    """Collects Bilibili videos for the campaign tags; refreshes them through ``view/detail``."""

    platform = PLATFORM
    needs_signer = False
    needs_cookie = False
    reads_comments = True

    def __init__(
        self,
        http: HttpClient,
        *,
        now: Callable[[], datetime] | None = None,
        page_size: int = 20,
        min_window_s: int = 3600,
        details: str = "all",
    ) -> None:
        if details not in DETAIL_MODES:
            raise ValueError(f"details must be one of {DETAIL_MODES}, not {details!r}")
        self.http = http
        self._now = now or shared.utc_now
        self.page_size = page_size
        self.min_window_s = min_window_s
        self.details = details
        self._keys: tuple[str, str] | None = None
        self._keys_day: str | None = None
        self._authors: dict[str, tuple[int | None, bool | None, str | None]] = {}
        variable = http.settings.cookie_env
        self._cookie_variable = variable or "TRACKER_BILIBILI_COOKIE"
        self._check = partial(check_body, cookie_variable=variable)
        self._check_keys = partial(check_body, cookie_variable=variable, voucher_pause=False)
        self._check_nav = partial(check_body, allow_codes={-101}, cookie_variable=variable)
        self._check_view = partial(
            check_body, allow_codes=NOT_FOUND_CODES, cookie_variable=variable
        )

    # --- session: buvid3 and WBI keys --------------------------------------------------------

    def _ensure_buvid3(self) -> None:
        if not self.http.get_cookie("buvid3"):
            self.http.set_cookie("buvid3", wbi.gen_buvid3())

    def _wbi_keys(self, *, refresh: bool = False) -> tuple[str, str]:
        day = self._now().astimezone(SHANGHAI).date().isoformat()
        if refresh or self._keys is None or self._keys_day != day:
            body = self.http.get_json(NAV_PATH, headers=_HEADERS, check=self._check_nav)
            try:
                self._keys = wbi.keys_from_nav(body)
            except ValueError as exc:
                # -101 without the keys: anonymous access itself is refused (a login wall),
                # not a body we fail to understand.
                if isinstance(body, dict) and body.get("code") == -101:
                    raise LoginRequired(
                        f"bilibili 需要登录（nav 返回 -101 且没有 WBI 密钥）；请更新 {self._cookie_variable}",
                        platform=PLATFORM,
                        variable=self._cookie_variable,
                    ) from None
                raise ParseError(f"bilibili nav: {exc}", platform=PLATFORM) from None
            self._keys_day = day
        return self._keys

    def _signed_get(self, path: str, params: dict[str, Any]) -> Any:
        """GET with a WBI signature; one retry with fresh keys after a ``v_voucher`` block.
        Only a voucher that fresh keys did not lift is worth the HTTP layer's pause."""
        self._ensure_buvid3()
        for attempt in range(2):
            img, sub = self._wbi_keys(refresh=attempt > 0)
            signed = wbi.sign(params, img, sub, wts=int(self._now().timestamp()))
            check = self._check if attempt else self._check_keys
            try:
                return self.http.get_json(path, signed, headers=_HEADERS, check=check)
            except VoucherBlocked:
                if attempt:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    # --- collect -------------------------------------------------------------------------

    def collect(self, request: CollectRequest) -> Iterator[FetchedPage]:
        tags = shared.unique_tags(request.tags)
        start, state = shared.tag_resume_point(tags, request.cursor)
        until = request.until or self._now()
        yielded = 0
        for ti in range(start, len(tags)):
            tag = tags[ti]
            resumed = ti == start and "windows" in state
            windows: list[Window] = (
                [(int(b), int(e)) for b, e in state["windows"]]
                if resumed
                else day_windows(request.since, until)
            )
            page = int(state.get("page", 1)) if resumed else 1
            while windows:
                begin, end = windows[0]
                before = self.http.stats.bytes
                body = self._search(tag, page, begin, end)
                parsed = parse_search_type(body, captured_at=self._now())
                if (
                    page == 1
                    and (parsed.claimed_total or 0) >= RESULT_CAP
                    and end - begin > self.min_window_s
                ):
                    middle = (begin + end) // 2  # capped: read both halves instead
                    windows[:1] = [(middle, end), (begin, middle)]
                    continue
                shared.keep_window(parsed, request.since, request.until)
                enrichment = self._enrich(parsed)
                fetched = page
                if parsed.has_more:
                    page += 1
                else:
                    windows.pop(0)
                    page = 1
                if windows:
                    cursor: dict[str, Any] = {
                        "tag_index": ti,
                        "tag": tag,
                        "windows": [list(w) for w in windows],
                        "page": page,
                    }
                else:
                    cursor = shared.next_tag_cursor(tags, ti)
                yield FetchedPage(
                    parsed=parsed,
                    cursor=cursor,
                    url=self._search_url(tag, fetched, begin, end),
                    task=f"search:{tag}",
                    raw_bytes=self.http.stats.bytes - before,
                )
                enrichment.raise_held()  # the page is stored: now a session failure may stop
                yielded += 1
                if request.max_pages is not None and yielded >= request.max_pages:
                    return
            state = {}

    def _search_params(self, tag: str, page: int, begin: int, end: int) -> dict[str, Any]:
        params: dict[str, Any] = {
            "search_type": "video",
            "keyword": shared.bare_tag(tag),
            "order": "pubdate",
            "page": page,
            "page_size": self.page_size,
        }
        if end > begin:
            params["pubtime_begin_s"] = begin
            params["pubtime_end_s"] = end - 1  # inclusive on the platform's side
        return params

    def _search(self, tag: str, page: int, begin: int, end: int) -> Any:
        return self._signed_get(SEARCH_PATH, self._search_params(tag, page, begin, end))

    def _search_url(self, tag: str, page: int, begin: int, end: int) -> str:
        params = self._search_params(tag, page, begin, end)
        query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())
        return f"{self.http.base_url}{SEARCH_PATH}?{query}"

    # --- followers ---------------------------------------------------------------------------

    def _detail(self, bvid: str, purpose: Purpose = "detail") -> tuple[Any, bool]:
        """(body, found) for ``view/detail``; not-found codes come back as ``found=False``.
        ``purpose`` says what the read is for: the work (``detail``) or its author's followers
        (``profile``, in ``details="authors"`` mode)."""
        self._ensure_buvid3()
        with self.http.purpose(purpose):
            body = self.http.get_json(
                DETAIL_PATH, {"bvid": bvid}, headers=_HEADERS, check=self._check_view
            )
        return body, body.get("code") not in NOT_FOUND_CODES

    def _remember(self, page: ParsedPage) -> None:
        for account in page.accounts:
            self._authors[account.platform_uid] = (
                account.followers,
                account.verified,
                account.verify_type,
            )

    def _enrich(self, parsed: ParsedPage) -> shared.Enrichment:
        """Complete a search page through ``view/detail`` (see ``DETAIL_MODES``).

        A read that fails on its own keeps the search card as it is (counted as a gap); a
        session failure is held, with no further read, until the page is stored."""
        enrichment = shared.Enrichment(PLATFORM)
        if self.details == "all":
            posts = []
            for post in parsed.posts:
                ok, answer = enrichment.read(partial(self._detail, post.platform_post_id))
                if not ok or answer is None:
                    posts.append(post)
                    continue
                body, found = answer
                if not found:  # gone since the search index saw it: keep what search said
                    posts.append(post)
                    continue
                detail = parse_view(body, captured_at=self._now())
                self._remember(detail)
                posts.extend(detail.posts or [post])
            parsed.posts = posts
            parsed.note_incomplete("detail", enrichment.failed)
        elif self.details == "authors":
            for post in parsed.posts:
                uid = post.account_uid
                if uid is None or uid in self._authors:
                    continue
                self._authors[uid] = (None, None, None)
                ok, answer = enrichment.read(
                    partial(self._detail, post.platform_post_id, "profile")
                )
                if ok and answer is not None and answer[1]:
                    self._remember(parse_view(answer[0], captured_at=self._now()))
            parsed.note_incomplete("followers", enrichment.failed)
        _apply_authors(parsed, self._authors)
        return enrichment

    # --- refresh -----------------------------------------------------------------------------

    def refresh(self, post_ids: list[str]) -> Iterator[FetchedPage]:
        size = max(1, self.page_size)
        for start in range(0, len(post_ids), size):
            batch = post_ids[start : start + size]
            page = ParsedPage()
            before = self.http.stats.bytes
            for post_id in batch:
                bvid = post_id if is_bvid(post_id) else aid_to_bvid(int(post_id.removeprefix("av")))
                body, found = self._detail(bvid)
                if not found:
                    page.posts.append(
                        PostRecord(
                            platform=PLATFORM,
                            platform_post_id=bvid,
                            captured_at=self._now(),
                            deleted=True,
                        )
                    )
                    continue
                one = parse_view(body, captured_at=self._now())
                self._remember(one)
                page.extend(one)
            _dedupe_accounts(page)
            yield FetchedPage(
                parsed=page,
                cursor={"refreshed": start + len(batch)},
                url=f"{self.http.base_url}{DETAIL_PATH}",
                task="refresh",
                raw_bytes=self.http.stats.bytes - before,
            )

    # --- comments ----------------------------------------------------------------------------

    def comments(self, work: CommentWork, *, max_pages: int) -> Iterator[FetchedPage]:
        """``x/v2/reply/main`` pages by ``next``, then ``x/v2/reply/reply`` (page numbers) for
        each thread cut short. The work is stored by ``bvid``; the comment area is addressed by
        its ``aid`` (``oid``), one the reversible encoding of the other."""
        key = work.post_id
        try:
            bvid = key if is_bvid(key) else aid_to_bvid(int(key.removeprefix("av")))
            aid = bvid_to_aid(bvid)
        except ValueError:
            reason = f"bilibili comments: {key!r} is neither a BV id nor an aid"
            page = ParsedPage(rejects=[RejectRecord(reason, key, PLATFORM, "comments")])
            yield FetchedPage(parsed=page, cursor={}, url="", task=f"comments:{key}")
            return
        headers = {**_HEADERS, "Referer": f"https://www.bilibili.com/video/{bvid}"}

        def top(cursor: str | None) -> ParsedPage:
            self._ensure_buvid3()
            params = {"type": VIDEO_TYPE, "oid": aid, "mode": 3, "next": cursor or 0}
            with self.http.purpose("comments"):
                body = self.http.get_json(COMMENT_PATH, params, headers, check=self._check)
            return parse_comments(body, captured_at=self._now(), post_id=bvid)

        def replies(root: str, cursor: str | None) -> ParsedPage:
            self._ensure_buvid3()
            params = {
                "type": VIDEO_TYPE,
                "oid": aid,
                "root": root,
                "pn": cursor or 1,
                "ps": REPLY_PAGE,
            }
            with self.http.purpose("comments"):
                body = self.http.get_json(REPLY_PATH, params, headers, check=self._check)
            return parse_comments(body, captured_at=self._now(), post_id=bvid)

        yield from read_work_comments(
            PLATFORM,
            bvid,
            top=top,
            replies=replies,
            max_pages=max_pages,
            url=f"{self.http.base_url}{COMMENT_PATH}?type={VIDEO_TYPE}&oid={aid}",
        )


def _dedupe_accounts(parsed: ParsedPage) -> None:
    """One account per uid (the first sighting): a page names an author once per work."""
    parsed.accounts = unique_accounts(parsed.accounts)


def _apply_authors(
    parsed: ParsedPage, authors: dict[str, tuple[int | None, bool | None, str | None]]
) -> None:
    for post in parsed.posts:
        if post.account_uid in authors and post.followers_at_capture is None:
            post.followers_at_capture = authors[post.account_uid][0]
    for account in parsed.accounts:
        info = authors.get(account.platform_uid)
        if info is not None:
            followers, verified, vtype = info
            account.followers = followers if followers is not None else account.followers
            account.verified = verified if verified is not None else account.verified
            account.verify_type = vtype if vtype is not None else account.verify_type
    _dedupe_accounts(parsed)
