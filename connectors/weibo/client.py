"""Live Weibo connector: m.weibo.cn search and topic containers, long texts, metric refresh.

For every tag spelling the connector reads two containers, because neither alone finds every
post: the realtime search ``100103type=61&q=#tag#`` (newest first, so ``since`` can end it early)
and the topic feed ``231522type=1&t=10&q=#tag#``. Both page with ``page=1,2,...`` until
``cardlistInfo.page`` is null or the body says ``这里还没有内容``.

A cut post (``isLongText``) is completed from weibo.com ``ajax/statuses/longtext`` before the
page is parsed, since the campaign tag is often in the cut-off part: once per post in the
connector's life, and not at all for a post whose full text the store already holds
(``StoredFacts.text_chars``, handed over by the service; its record then leaves the text out, so
the stored one stays). That read is enrichment: a failure keeps the cut text (counted in
``ParsedPage.incomplete``) while a session failure (login wall, verification, throttle given up
on) stops the run only after the page is stored. When the connector is pointed at another host
(the simulator), long texts and refreshes go to that host too unless ``longtext_base_url`` says
otherwise.

HTTP settings this connector expects (``tracker.http.HttpSettings``): ``throttle_statuses``
``{418, 432}`` (Weibo's throttle answers carry no JSON, so only the HTTP layer can retry them),
``cookie_env`` naming the m.weibo.cn cookie, and ``cookie_domains=("weibo.com",)`` if the cookie
should also go to the weibo.com endpoints.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from connectors import _client_common as shared
from connectors._comment_reader import read_work_comments
from connectors.base import CollectRequest, CommentWork, Connector, FetchedPage
from connectors.weibo.comments import parse_comments
from connectors.weibo.parse import (
    PLATFORM,
    long_text_content,
    long_text_requests,
    parse_get_index,
    parse_status_show,
    status_long_text_requests,
)
from tracker.errors import Blocked, ConnectorError, LoginRequired, ParseError, RateLimited
from tracker.records import ParsedPage

if TYPE_CHECKING:
    from tracker.http.client import HttpClient

__all__ = ["CHANNELS", "DEFAULT_COOKIE_ENV", "WeiboConnector", "check_body", "topic_query"]

log = logging.getLogger(__name__)

DEFAULT_COOKIE_ENV = "TRACKER_WEIBO_COOKIE"
CHANNELS: dict[str, str] = {
    "realtime": "100103type=61&q={q}",
    "topic": "231522type=1&t=10&q={q}",
    "all": "100103type=1&q={q}",
}
"""Container id templates by channel name; ``realtime`` is ordered newest first."""
DEFAULT_CHANNELS = ("realtime", "topic")
THROTTLE_STATUSES = frozenset({418, 432})
_THROTTLE_WORDS = ("频繁", "稍后再试", "太快")
_MAX_EMPTY_PAGES = 3
_M_HEADERS = {"MWeibo-Pwa": "1", "X-Requested-With": "XMLHttpRequest"}
_AJAX_HEADERS = {"X-Requested-With": "XMLHttpRequest", "Referer": "https://weibo.com/"}


def topic_query(tag: str) -> str:
    """The search word for a tag: Weibo topics are written ``#话题#``."""
    core = shared.bare_tag(tag)
    return f"#{core}#" if core else ""


def check_body(body: Any, response: Any, *, variable: str = DEFAULT_COOKIE_ENV) -> None:
    """Weibo's meaning of a decoded body: login wall, throttle or verification block.

    ``ok:-100`` is the login wall (cookie expired); ``ok:0`` with a "too frequent" message is a
    throttle; ``ok:0`` with a ``url`` and no ``data`` is a verification (captcha) redirect.
    ``ok:0`` with "这里还没有内容" is a normal end of results and passes.
    """
    status = getattr(response, "status_code", 200)
    if status in THROTTLE_STATUSES:
        raise RateLimited(f"weibo: HTTP {status} (请求过于频繁)", platform=PLATFORM)
    if not isinstance(body, dict):
        return
    ok = body.get("ok")
    if ok in (-100, "-100"):
        raise LoginRequired(
            f"weibo: 登录已失效 (ok:-100, login wall); 请更新环境变量 {variable} 中的 Cookie",
            platform=PLATFORM,
            variable=variable,
        )
    if ok in (0, "0"):
        msg = body.get("msg") or body.get("message") or ""
        msg = msg if isinstance(msg, str) else ""
        if any(word in msg for word in _THROTTLE_WORDS):
            raise RateLimited(f"weibo: throttled ({msg})", platform=PLATFORM)
        if "data" not in body and isinstance(body.get("url"), str) and body["url"]:
            detail = f": {msg}" if msg else ""
            raise Blocked(
                f"weibo: 需要验证 (verification required{detail}); "
                "open m.weibo.cn in a browser with this cookie and pass the check",
                platform=PLATFORM,
            )


class WeiboConnector(Connector):
    """Collects Weibo posts for tags; refreshes metrics through ``ajax/statuses/show``."""

    platform = PLATFORM
    needs_cookie = True
    needs_signer = False
    reads_comments = True
    uses_stored = frozenset({"text_chars"})

    def __init__(
        self,
        http: HttpClient,
        *,
        now: Callable[[], datetime] | None = None,
        page_size: int = 20,
        longtext_base_url: str | None = None,
        channels: Sequence[str] = DEFAULT_CHANNELS,
    ) -> None:
        unknown = [c for c in channels if c not in CHANNELS]
        if unknown:
            raise ValueError(f"unknown weibo channel(s) {unknown}; known: {sorted(CHANNELS)}")
        self.http = http
        self._now = now or shared.utc_now
        self.page_size = page_size  # m.weibo.cn pages are fixed at 10; used to batch refreshes
        self.channels = tuple(channels)
        base = str(http.base_url).rstrip("/")
        if longtext_base_url is None:
            longtext_base_url = "https://weibo.com" if "m.weibo.cn" in base else base
        self.longtext_base_url = longtext_base_url.rstrip("/")
        self.cookie_env = http.settings.cookie_env or DEFAULT_COOKIE_ENV
        self._texts: dict[str, str] = {}  # long texts read in this connector's life, by mid
        if not THROTTLE_STATUSES <= http.settings.throttle_statuses:
            log.warning(
                "weibo: HttpSettings.throttle_statuses lacks 418/432; Weibo's throttle answers "
                "will fail the run instead of being retried"
            )

    # ------------------------------------------------------------------ plumbing

    def _check(self, body: Any, response: Any) -> None:
        check_body(body, response, variable=self.cookie_env)

    def _tasks(self, tags: Sequence[str]) -> list[tuple[str, str, str]]:
        """(task key, channel, query) for every distinct search word and channel, stable order.

        Spellings that differ only in width, case or spaces are one search (the platform folds
        them); traditional-script spellings stay separate searches.
        """
        queries = shared.unique_words(topic_query(tag) for tag in tags)
        return [(f"{ch}:{q}", ch, q) for q in queries for ch in self.channels]

    def _read_long_text(self, bid: str) -> Any:
        with self.http.purpose("detail"):
            return self.http.get_json(
                f"{self.longtext_base_url}/ajax/statuses/longtext",
                {"id": bid},
                _AJAX_HEADERS,
                check=self._check,
            )

    def _long_texts(
        self, wanted: list[tuple[str, str]], enrichment: shared.Enrichment
    ) -> dict[str, str]:
        """The full texts of cut posts, each read once in the connector's life (a post shows on
        both channels). A read that fails keeps the cut text; a session failure is held by
        ``enrichment`` until the page is stored."""
        texts: dict[str, str] = {}
        for mid, bid in wanted:
            if mid in self._texts:
                texts[mid] = self._texts[mid]
                continue
            ok, body = enrichment.read(partial(self._read_long_text, bid))
            content = long_text_content(body) if ok else None
            if content is not None:
                texts[mid] = self._texts[mid] = content
        return texts

    def _held_in_full(
        self, wanted: list[tuple[str, str]], excerpts: Callable[[], ParsedPage]
    ) -> set[str]:
        """The cut posts among ``wanted`` whose full text the store already holds: its stored
        text is longer than the excerpt the body shows (``stored.text_chars``). A post stored
        with only its excerpt (its long text failed) is read again."""
        known = self.stored.text_chars
        if not any(mid in known for mid, _ in wanted):
            return set()
        try:
            shown = {p.platform_post_id: len(p.text or "") for p in excerpts().posts}
        except ParseError:
            return set()  # the parse that follows reports the body
        return {mid for mid, _ in wanted if mid in shown and known.get(mid, -1) > shown[mid]}

    def _complete(
        self,
        parse: Callable[..., ParsedPage],
        wanted: list[tuple[str, str]],
        enrichment: shared.Enrichment,
    ) -> ParsedPage:
        """``parse`` (a parser with its body bound, taking ``long_texts``) with the long texts
        of the body's cut posts: read where the store does not hold them in full; where it
        does, the post's text, tags and topics are left out of its record, so the store keeps
        the full ones (a field left out keeps its stored value)."""
        held = self._held_in_full(wanted, lambda: parse(long_texts={}))
        long_texts = self._long_texts([w for w in wanted if w[0] not in held], enrichment)
        parsed = parse(long_texts=long_texts)
        for post in parsed.posts:
            if post.platform_post_id in held:
                post.text = None
                post.hashtags = []
                post.context = {k: v for k, v in post.context.items() if k != "super_topics"}
        read_or_held = set(long_texts) | held
        parsed.note_incomplete("long_text", len({mid for mid, _ in wanted} - read_or_held))
        return parsed

    # ------------------------------------------------------------------ collect

    def collect(self, request: CollectRequest) -> Iterator[FetchedPage]:
        tasks = self._tasks(request.tags)
        start_task, start_page = 0, 1
        cursor = request.cursor or {}
        if not cursor.get("done") and cursor.get("task"):
            keys = [key for key, _, _ in tasks]
            if cursor["task"] in keys:
                start_task = keys.index(cursor["task"])
                start_page = max(1, int(cursor.get("page") or 1))
        for index in range(start_task, len(tasks)):
            key, channel, query = tasks[index]
            following = tasks[index + 1][0] if index + 1 < len(tasks) else None
            first = start_page if index == start_task else 1
            yield from self._collect_task(request, key, channel, query, first, following)

    def _collect_task(
        self,
        request: CollectRequest,
        key: str,
        channel: str,
        query: str,
        page: int,
        following: str | None,
    ) -> Iterator[FetchedPage]:
        containerid = CHANNELS[channel].format(q=query)
        headers = {
            **_M_HEADERS,
            "Referer": f"https://m.weibo.cn/search?containerid={quote(containerid, safe='')}",
        }
        done_cursor: dict[str, Any] = (
            {"task": following, "page": 1} if following else {"done": True}
        )
        fetched = 0
        empty_run = 0
        while True:
            params = {"containerid": containerid, "page_type": "searchall", "page": page}
            body = self.http.get_json("api/container/getIndex", params, headers, check=self._check)
            captured_at = self._now()
            enrichment = shared.Enrichment(PLATFORM)
            parsed = self._complete(
                partial(parse_get_index, body, captured_at=captured_at, source="live"),
                long_text_requests(body),
                enrichment,
            )
            older = False
            if channel == "realtime":
                parsed, older = shared.window_page(parsed, request.since, request.until)
            fetched += 1
            empty_run = 0 if (parsed.posts or parsed.rejects) else empty_run + 1
            next_page = (
                int(parsed.cursor) if parsed.cursor and parsed.cursor.isdigit() else page + 1
            )
            finished = (
                parsed.has_more is False
                or older
                or empty_run >= _MAX_EMPTY_PAGES
                or next_page <= page
                or (request.max_pages is not None and fetched >= request.max_pages)
            )
            cursor = done_cursor if finished else {"task": key, "page": next_page}
            url = f"{self.http.base_url}/api/container/getIndex?{urlencode(params)}"
            task = f"{'topic' if channel == 'topic' else 'search'}:{query}"
            yield FetchedPage(parsed=parsed, cursor=cursor, url=url, task=task)
            enrichment.raise_held()  # the page is stored: now a session failure may stop
            if finished:
                return
            page = next_page

    # ------------------------------------------------------------------ refresh

    def refresh(self, post_ids: list[str]) -> Iterator[FetchedPage]:
        batch = max(1, self.page_size)
        url = f"{self.longtext_base_url}/ajax/statuses/show"
        for start in range(0, len(post_ids), batch):
            page = ParsedPage(has_more=start + batch < len(post_ids))
            enrichment = shared.Enrichment(PLATFORM)
            for post_id in post_ids[start : start + batch]:
                try:
                    with self.http.purpose("detail"):
                        body = self.http.get_json(
                            url, {"id": post_id}, _AJAX_HEADERS, check=self._check
                        )
                except shared.SESSION_ERRORS:
                    raise
                except (ParseError, ConnectorError) as exc:
                    payload = f'{{"id": "{post_id}"}}'
                    page.rejects.append(shared.refresh_failed(exc, PLATFORM, payload, url))
                    continue
                one = self._complete(
                    partial(parse_status_show, body, captured_at=self._now(), post_id=post_id),
                    status_long_text_requests(body),
                    enrichment,
                )
                page.extend(one)
            end = start + batch
            cursor = {"refresh_index": end} if end < len(post_ids) else {"done": True}
            yield FetchedPage(parsed=page, cursor=cursor, url=url, task="refresh")
            enrichment.raise_held()

    # ------------------------------------------------------------------ comments

    def comments(self, work: CommentWork, *, max_pages: int) -> Iterator[FetchedPage]:
        """``comments/hotflow`` pages (``max_id`` cursor), then ``comments/hotFlowChild`` for
        each thread cut short; a post's comments do not name it, so its mid is passed in."""
        mid = work.post_id
        headers = {**_M_HEADERS, "Referer": f"https://m.weibo.cn/detail/{mid}"}

        def top(cursor: str | None) -> ParsedPage:
            params: dict[str, Any] = {"id": mid, "mid": mid, "max_id_type": 0}
            if cursor:
                params["max_id"] = cursor
            with self.http.purpose("comments"):
                body = self.http.get_json("comments/hotflow", params, headers, check=self._check)
            return parse_comments(body, captured_at=self._now(), post_id=mid)

        def replies(root: str, cursor: str | None) -> ParsedPage:
            params = {"cid": root, "max_id": cursor or 0, "max_id_type": 0}
            with self.http.purpose("comments"):
                body = self.http.get_json(
                    "comments/hotFlowChild", params, headers, check=self._check
                )
            return parse_comments(body, captured_at=self._now(), post_id=mid, root_comment_id=root)

        yield from read_work_comments(
            PLATFORM,
            mid,
            top=top,
            replies=replies,
            max_pages=max_pages,
            url=f"{self.http.base_url}/comments/hotflow?id={mid}",
        )
